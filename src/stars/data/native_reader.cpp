// The native folder: items, users, events, impressions and calendar files read in that order.
#include "stars/data/native_reader.h"

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/data/input_files.h"

namespace stars::data {

void require_columns(const TabularReader& reader, std::initializer_list<const char*> names) {
  if (reader.dynamic_columns()) return;
  for (const char* name : names)
    STARS_CHECK_DATA(reader.column(name) >= 0, reader.path() << ":1: missing required column '" << name << "' (header: "
                                                             << join(reader.columns(), ", ") << "; rename with --set column."
                                                             << name << "=NAME)");
}

std::string find_native_file(const std::string& dir, const std::string& kind) {
  std::vector<std::string> found;
  for (const char* ext : {".csv", ".tsv", ".tab", ".jsonl", ".ndjson"}) {
    const std::string p = path_join(dir, kind + ext);
    if (file_exists(p) && !is_directory(p)) found.push_back(p);
  }
  STARS_CHECK_ARG(found.size() <= 1, dir << ": several " << kind << " files (" << join(found, ", ") << "); keep one");
  return found.empty() ? std::string() : found[0];
}

void read_native(const std::string& path, IngestContext& cx) {
  if (!is_directory(path)) {  // a single events file
    read_native_events(path, cx, false);
    return;
  }
  const std::string events = find_native_file(path, "events");
  if (events.empty())
    STARS_THROW(kNotFound, path << ": no events file (events.csv, events.tsv or events.jsonl) in this folder");
  const std::string items = find_native_file(path, "items");
  const std::string users = find_native_file(path, "users");
  const std::string impressions = find_native_file(path, "impressions");
  const std::string calendar = find_native_file(path, "calendar");
  if (!items.empty()) read_native_items(items, cx);
  if (!users.empty()) read_native_users(users, cx);
  read_native_events(events, cx, !items.empty());
  if (!impressions.empty()) read_native_impressions(impressions, cx, !items.empty());
  if (!calendar.empty()) read_native_calendar(calendar, cx);
  // Say what was not read, so that nothing passes silently.
  std::vector<std::string> ignored;
  for (const auto& n : list_directory(path)) {
    const std::string p = path_join(path, n);
    if (p != events && p != items && p != users && p != impressions && p != calendar) ignored.push_back(n);
  }
  if (!ignored.empty()) cx.report.notes.push_back(path + ": not part of the native format, not read: " + join(ignored, ", "));
}

}  // namespace stars::data
