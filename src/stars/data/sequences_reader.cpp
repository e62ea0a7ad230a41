#include "stars/data/sequences_reader.h"

#include <unordered_set>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/data/csv_reader.h"
#include "stars/data/input_files.h"
#include "stars/data/item_side_files.h"

namespace stars::data {

namespace {

CsvOptions line_mode(bool check_utf8) {
  CsvOptions o;
  o.delimiter = '\n';
  o.quoting = false;
  o.header = false;
  o.check_utf8 = check_utf8;
  return o;
}

void tokens(std::string_view s, std::vector<std::string_view>& out) {
  out.clear();
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    const size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
}

// Pair files: every sampled line has exactly two tokens and some user appears on several lines.
bool is_pair_file(const std::string& path) {
  CsvReader r(path, line_mode(false));
  CsvRecord rec;
  std::vector<std::string_view> t;
  std::unordered_set<std::string> users;
  bool repeated = false;
  for (int n = 0; n < 1000 && r.next(rec); ++n) {
    tokens(rec.fields[0], t);
    if (t.size() != 2) return false;
    repeated = repeated || !users.insert(std::string(t[0])).second;
  }
  return repeated;
}

}  // namespace

bool looks_like_sequences(const std::string& path) {
  CsvReader r(path, line_mode(false));
  CsvRecord rec;
  std::vector<std::string_view> t;
  int n = 0;
  for (; n < 20 && r.next(rec); ++n) {
    const auto line = rec.fields[0];
    if (line.find(',') != std::string_view::npos || line.find('"') != std::string_view::npos) return false;
    tokens(line, t);
    if (t.size() < 2) return false;
  }
  return n > 0;
}

std::string find_sequence_file(const std::string& dir) {
  const std::string s = path_join(dir, "sequences.txt");
  if (file_exists(s)) return s;
  std::vector<std::string> found;
  for (const auto& n : list_directory(dir))
    if (file_extension(n) == "txt" && looks_like_sequences(path_join(dir, n))) found.push_back(path_join(dir, n));
  STARS_CHECK_ARG(found.size() <= 1, dir << ": several sequence files (" << join(found, ", ") << "); pass one with --input");
  return found.empty() ? std::string() : found[0];
}

void read_sequence_file(const std::string& path, IngestContext& cx, bool items_given) {
  const bool pairs = is_pair_file(path);
  if (pairs) cx.report.notes.push_back(path + ": read as `user item` pairs, one interaction per line, in file order");
  CsvReader r(path, line_mode(cx.options.check_utf8));
  FileReport& fr = cx.begin_file(path, "events");
  auto& b = cx.builder;
  CsvRecord rec;
  std::vector<std::string_view> t;
  std::vector<int32_t> items;
  std::vector<uint8_t> seen;  // per dense user: had a line already
  EventRecord ev;
  while (r.next(rec)) {
    ++fr.rows;
    if (rec.error) {
      cx.errors.report(*rec.error, path, rec.line, rec.error_message);
      continue;
    }
    tokens(rec.fields[0], t);
    if (t.empty()) continue;
    if (!pairs) {
      auto existing = b.find_user(t[0]);
      if (existing && static_cast<size_t>(*existing) < seen.size() && seen[*existing]) {
        cx.errors.report(RowError::kDuplicateId, path, rec.line, "user " + show_value(t[0]) + " has a second line");
        continue;
      }
    }
    items.clear();
    bool ok = true;
    for (size_t k = 1; k < t.size(); ++k) {
      auto item = b.item_id(t[k], false);
      if (!item && items_given) {
        cx.errors.report(RowError::kUnknownItem, path, rec.line,
                         "item " + show_value(t[k]) + " (position " + std::to_string(k) + ") is not in the item files");
        ok = false;
        break;
      }
      items.push_back(item ? *item : -1);
    }
    if (!ok) continue;
    const int32_t u = b.user_id(t[0]);
    if (static_cast<size_t>(u) >= seen.size()) seen.resize(u + 1, 0);
    seen[u] = 1;
    for (size_t k = 0; k < items.size(); ++k) {
      ev.user = u;
      ev.item = items[k] >= 0 ? items[k] : *b.item_id(t[k + 1], true);
      ev.has_ts = false;
      b.add_event(ev);
    }
    ++fr.kept;
  }
  cx.errors.end_file(path);
}

void read_sequences(const std::string& path, IngestContext& cx) {
  std::string file = path, dir = path;
  if (is_directory(path)) {
    file = find_sequence_file(path);
    if (file.empty())
      STARS_THROW(kNotFound, path << ": no sequence file (sequences.txt, or a .txt file of `user item item ...` lines)");
  } else {
    dir = parent_directory(path);
  }
  const bool items_given = read_item_side_files(dir, cx);
  read_sequence_file(file, cx, items_given);
}

}  // namespace stars::data
