#include "stars/data/recbole_reader.h"

#include <algorithm>
#include <cmath>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/core/time.h"
#include "stars/data/csv_reader.h"
#include "stars/data/input_files.h"
#include "stars/data/user_features.h"
#include "stars/data/value_parsing.h"

namespace stars::data {

namespace {

CsvReader open_recbole(const std::string& path, const IngestContext& cx) {
  CsvOptions o;
  o.delimiter = '\t';
  o.check_utf8 = cx.options.check_utf8;
  return CsvReader(path, o);
}

int find_field(const std::vector<RecboleField>& fields, std::initializer_list<const char*> names) {
  for (const char* n : names)
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i].name == n) return static_cast<int>(i);
  return -1;
}

int require_field(const std::vector<RecboleField>& fields, const char* name, const std::string& path) {
  const int c = find_field(fields, {name});
  if (c < 0) {
    std::vector<std::string> names;
    for (const auto& f : fields) names.push_back(f.name);
    STARS_THROW(kCorrupt, path << ":1: missing required field '" << name << "' (header: " << join(names, ", ") << ")");
  }
  return c;
}

// A record with a structural error or the wrong field count is reported; returns false then.
bool check_record(const CsvRecord& rec, size_t n_fields, const std::string& path, IngestContext& cx) {
  if (rec.error) {
    cx.errors.report(*rec.error, path, rec.line, rec.error_message);
    return false;
  }
  if (rec.fields.size() != n_fields) {
    cx.errors.report(RowError::kColumnCount, path, rec.line,
                     "expected " + std::to_string(n_fields) + " tab-separated fields (as in the header), got " +
                         std::to_string(rec.fields.size()));
    return false;
  }
  return true;
}

}  // namespace

std::vector<RecboleField> parse_recbole_header(const std::vector<std::string>& cells, const std::string& path) {
  std::vector<RecboleField> out;
  for (const auto& c : cells) {
    const auto colon = c.rfind(':');
    STARS_CHECK_DATA(colon != std::string::npos && colon > 0,
                     path << ":1: header cell '" << c << "' is not name:type (RecBole atomic files type every field)");
    RecboleField f;
    f.name = c.substr(0, colon);
    const std::string t = to_lower(c.substr(colon + 1));
    if (t == "token") f.type = RecboleType::kToken;
    else if (t == "token_seq") f.type = RecboleType::kTokenSeq;
    else if (t == "float") f.type = RecboleType::kFloat;
    else if (t == "float_seq") f.type = RecboleType::kFloatSeq;
    else STARS_THROW(kCorrupt, path << ":1: field '" << f.name << "' has unknown type '" << t
                                    << "' (expected token, token_seq, float or float_seq)");
    out.push_back(std::move(f));
  }
  return out;
}

void read_recbole_items(const std::string& path, IngestContext& cx) {
  CsvReader r = open_recbole(path, cx);
  const auto fields = parse_recbole_header(r.header(), path);
  FileReport& fr = cx.begin_file(path, "items");
  const int c_id = require_field(fields, "item_id", path);
  const int c_title = find_field(fields, {"title", "item_name", "movie_title", "name"});
  const int c_desc = find_field(fields, {"description", "desc"});
  const int c_cat = find_field(fields, {"categories", "category", "category_path"});
  const int c_brand = find_field(fields, {"brand"});
  const int c_price = find_field(fields, {"price"});
  CsvRecord rec;
  ItemRecord item;
  while (r.next(rec)) {
    ++fr.rows;
    if (!check_record(rec, fields.size(), path, cx)) continue;
    item = ItemRecord();
    item.raw_id = std::string(trim(rec.fields[c_id]));
    if (item.raw_id.empty()) {
      cx.errors.report(RowError::kEmptyId, path, rec.line, "empty item_id");
      continue;
    }
    bool ok = true;
    for (size_t c = 0; c < fields.size() && ok; ++c) {
      const int ci = static_cast<int>(c);
      const std::string_view v = trim(rec.fields[c]);
      if (ci == c_id) continue;
      if (ci == c_title) item.title = std::string(v);
      else if (ci == c_desc) item.description = std::string(v);
      else if (ci == c_cat) item.category = parse_category_path(v);
      else if (ci == c_brand) item.brand = std::string(v);
      else if (ci == c_price) {
        double p;
        if (v.empty()) continue;
        if (!parse_double(v, &p)) {
          cx.errors.report(RowError::kBadNumber, path, rec.line, "price " + show_value(v) + " is not a number");
          ok = false;
        } else {
          item.price = static_cast<float>(p);
        }
      } else if (fields[c].type == RecboleType::kToken && !v.empty()) {
        item.tags.push_back(fields[c].name + "=" + std::string(v));
      } else if (fields[c].type == RecboleType::kTokenSeq) {
        for (auto t : split(v, ' '))
          if (!trim(t).empty()) item.tags.push_back(fields[c].name + "=" + std::string(trim(t)));
      }
    }
    if (!ok) continue;
    if (!cx.builder.add_item(item)) {
      cx.errors.report(RowError::kDuplicateId, path, rec.line, "item_id " + show_value(item.raw_id) + " appears twice");
      continue;
    }
    ++fr.kept;
  }
  cx.errors.end_file(path);
}

void read_recbole_users(const std::string& path, IngestContext& cx) {
  CsvReader r = open_recbole(path, cx);
  const auto fields = parse_recbole_header(r.header(), path);
  FileReport& fr = cx.begin_file(path, "users");
  const int c_id = require_field(fields, "user_id", path);
  UserFeatureCollector users(path);
  std::vector<int> col_of;  // feature index -> field
  for (size_t c = 0; c < fields.size(); ++c) {
    if (static_cast<int>(c) == c_id) continue;
    if (fields[c].type == RecboleType::kToken || fields[c].type == RecboleType::kFloat) {
      users.declare(fields[c].name, fields[c].type == RecboleType::kFloat);
      col_of.push_back(static_cast<int>(c));
    }
  }
  CsvRecord rec;
  std::vector<std::string_view> values(col_of.size());
  while (r.next(rec)) {
    ++fr.rows;
    if (!check_record(rec, fields.size(), path, cx)) continue;
    for (size_t k = 0; k < col_of.size(); ++k) values[k] = rec.fields[col_of[k]];
    users.add_row(rec.line, trim(rec.fields[c_id]), values);
  }
  users.finish(cx, fr);
}

void read_recbole_inter(const std::string& path, IngestContext& cx, bool items_given) {
  CsvReader r = open_recbole(path, cx);
  const auto fields = parse_recbole_header(r.header(), path);
  FileReport& fr = cx.begin_file(path, "events");
  const int c_user = require_field(fields, "user_id", path), c_item = require_field(fields, "item_id", path);
  const int c_ts = find_field(fields, {"timestamp"});
  const int c_rating = find_field(fields, {"rating"});
  auto& b = cx.builder;
  std::vector<std::pair<int, size_t>> ctx;
  for (size_t c = 0; c < fields.size(); ++c) {
    const int ci = static_cast<int>(c);
    if (ci == c_user || ci == c_item || ci == c_ts) continue;
    if (ci == c_rating && !cx.options.rating_context) continue;
    if (fields[c].type == RecboleType::kToken || ci == c_rating) ctx.emplace_back(ci, b.add_context_feature(fields[c].name));
  }
  CsvRecord rec;
  EventRecord ev;
  int64_t dropped_low = 0;
  while (r.next(rec)) {
    ++fr.rows;
    if (!check_record(rec, fields.size(), path, cx)) continue;
    const auto uid = trim(rec.fields[c_user]), iid = trim(rec.fields[c_item]);
    if (uid.empty() || iid.empty()) {
      cx.errors.report(RowError::kEmptyId, path, rec.line, uid.empty() ? "empty user_id" : "empty item_id");
      continue;
    }
    ev.has_ts = false;
    ev.ts = 0;
    if (c_ts >= 0) {
      const auto t = trim(rec.fields[c_ts]);
      double x;
      if (parse_double(t, &x)) {
        ev.ts = static_cast<int64_t>(std::floor(x));
      } else if (!parse_timestamp(t, &ev.ts)) {
        cx.errors.report(RowError::kBadTime, path, rec.line, "timestamp " + show_value(t) + " is not a number");
        continue;
      }
      ev.has_ts = true;
    }
    if (c_rating >= 0 && cx.options.min_rating > 0) {
      double x;
      if (!parse_double(rec.fields[c_rating], &x)) {
        cx.errors.report(RowError::kBadNumber, path, rec.line, "rating " + show_value(rec.fields[c_rating]) + " is not a number");
        continue;
      }
      if (x < cx.options.min_rating) {
        ++dropped_low;
        continue;
      }
    }
    auto item = b.item_id(iid, !items_given);
    if (!item) {
      cx.errors.report(RowError::kUnknownItem, path, rec.line, "item_id " + show_value(iid) + " is not in the .item file");
      continue;
    }
    ev.item = *item;
    ev.user = b.user_id(uid);
    ev.context.assign(ctx.empty() ? 0 : ctx.back().second + 1, 0);
    for (const auto& [c, f] : ctx) ev.context[f] = b.context_code(f, trim(rec.fields[c]));
    b.add_event(ev);
    ++fr.kept;
  }
  if (dropped_low > 0)
    cx.report.notes.push_back(path + ": dropped " + format_count(dropped_low) + " interactions rated below min_rating");
  cx.errors.end_file(path);
}

void read_recbole(const std::string& path, IngestContext& cx) {
  std::string inter = path;
  if (is_directory(path)) {
    std::vector<std::string> found;
    for (const auto& n : list_directory(path))
      if (ends_with(n, ".inter")) found.push_back(path_join(path, n));
    if (found.empty()) STARS_THROW(kNotFound, path << ": no RecBole .inter file in this folder");
    STARS_CHECK_ARG(found.size() == 1, path << ": several .inter files (" << join(found, ", ") << "); pass one with --input");
    inter = found[0];
  }
  STARS_CHECK_ARG(ends_with(inter, ".inter"), inter << ": a RecBole input is a NAME.inter file or its folder");
  const std::string stem = inter.substr(0, inter.size() - std::string(".inter").size());
  const std::string item = stem + ".item", user = stem + ".user";
  const bool items_given = file_exists(item);
  if (items_given) read_recbole_items(item, cx);
  if (file_exists(user)) read_recbole_users(user, cx);
  read_recbole_inter(inter, cx, items_given);
}

}  // namespace stars::data
