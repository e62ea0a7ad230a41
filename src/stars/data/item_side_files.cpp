#include "stars/data/item_side_files.h"

#include <nlohmann/json.hpp>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/data/csv_reader.h"
#include "stars/data/input_files.h"
#include "stars/data/recbole_reader.h"

namespace stars::data {

void read_item_short_text(const std::string& path, IngestContext& cx) {
  CsvOptions o;
  o.delimiter = '\t';
  o.quoting = false;  // free text, never quoted in these files
  o.check_utf8 = cx.options.check_utf8;
  CsvReader r(path, o);
  FileReport& fr = cx.begin_file(path, "item text");
  const int c_id = r.column("item_id"), c_text = r.column("text");
  STARS_CHECK_DATA(c_id >= 0 && c_text >= 0, path << ":1: expected columns item_id and text (header: "
                                                  << join(r.header(), ", ") << ")");
  CsvRecord rec;
  ItemRecord item;
  while (r.next(rec)) {
    ++fr.rows;
    if (rec.error) {
      cx.errors.report(*rec.error, path, rec.line, rec.error_message);
      continue;
    }
    if (rec.fields.size() != r.header().size()) {
      cx.errors.report(RowError::kColumnCount, path, rec.line,
                       "expected " + std::to_string(r.header().size()) + " tab-separated fields, got " +
                           std::to_string(rec.fields.size()));
      continue;
    }
    const auto id = trim(rec.fields[c_id]);
    if (id.empty()) {
      cx.errors.report(RowError::kEmptyId, path, rec.line, "empty item_id");
      continue;
    }
    auto existing = cx.builder.item_id(id, false);
    if (existing && cx.builder.item_has_metadata(*existing)) {
      // A full title came from the .item file; the short words only fill a missing one.
      if (cx.builder.item_title(*existing).empty()) {
        cx.builder.set_item_text(*existing, std::string(trim(rec.fields[c_text])), "");
        ++fr.kept;
      }
      continue;
    }
    item = ItemRecord();
    item.raw_id = std::string(id);
    item.title = std::string(trim(rec.fields[c_text]));
    if (!cx.builder.add_item(item)) {
      cx.errors.report(RowError::kDuplicateId, path, rec.line, "item_id " + show_value(id) + " appears twice");
      continue;
    }
    ++fr.kept;
  }
  cx.errors.end_file(path);
}

void read_item_attributes_json(const std::string& path, IngestContext& cx, bool create_items) {
  const std::string text = read_text_file(path);
  FileReport& fr = cx.begin_file(path, "item attributes");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    STARS_THROW(kCorrupt, path << ": invalid JSON: " << e.what());
  }
  STARS_CHECK_DATA(j.is_object(), path << ": expected a JSON object {\"item_id\": [attribute, ...]}");
  // Line of a key, for error messages (these files are often one long line).
  auto line_of = [&](const std::string& key) -> int64_t {
    const auto pos = text.find("\"" + key + "\"");
    if (pos == std::string::npos) return 1;
    int64_t line = 1;
    for (size_t i = 0; i < pos; ++i) line += text[i] == '\n';
    return line;
  };
  std::vector<std::string> tags;
  for (auto it = j.begin(); it != j.end(); ++it) {
    ++fr.rows;
    const std::string& key = it.key();
    if (trim(key).empty()) {
      cx.errors.report(RowError::kEmptyId, path, line_of(key), "empty item id key");
      continue;
    }
    if (!it.value().is_array()) {
      cx.errors.report(RowError::kBadValue, path, line_of(key), "item " + show_value(key) + ": expected a list of attributes");
      continue;
    }
    tags.clear();
    bool ok = true;
    for (const auto& a : it.value()) {
      if (a.is_number_integer()) tags.push_back("attr:" + std::to_string(a.get<int64_t>()));
      else if (a.is_string()) tags.push_back("attr:" + a.get<std::string>());
      else ok = false;
    }
    if (!ok) {
      cx.errors.report(RowError::kBadValue, path, line_of(key), "item " + show_value(key) + ": attributes must be integers or strings");
      continue;
    }
    auto item = cx.builder.item_id(trim(key), create_items);
    if (!item) {
      cx.errors.report(RowError::kUnknownItem, path, line_of(key), "item " + show_value(key) + " is not in the item files");
      continue;
    }
    cx.builder.add_item_tags(*item, tags);
    ++fr.kept;
  }
  cx.errors.end_file(path);
}

bool read_item_side_files(const std::string& dir, IngestContext& cx) {
  bool items = false;
  std::vector<std::string> item_files;
  for (const auto& n : list_directory(dir))
    if (file_extension(n) == "item") item_files.push_back(path_join(dir, n));
  STARS_CHECK_ARG(item_files.size() <= 1, dir << ": several RecBole .item files (" << join(item_files, ", ") << ")");
  if (!item_files.empty()) {
    read_recbole_items(item_files[0], cx);
    items = true;
  }
  const std::string text = path_join(dir, "item_short_text.tsv");
  if (file_exists(text)) {
    read_item_short_text(text, cx);
    items = true;
  }
  const std::string attrs = path_join(dir, "item2attributes.json");
  if (file_exists(attrs)) read_item_attributes_json(attrs, cx, !items);
  return items;
}

}  // namespace stars::data
