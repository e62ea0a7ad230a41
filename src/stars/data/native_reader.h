// Readers of the native input format (docs/FORMATS.md "Native files"): events, items, users, impressions
// and calendar files, each CSV, TSV or JSONL with named columns. Every bad row goes to IngestErrors with
// its file, line and reason; a missing required column is an Error(kCorrupt) naming the file and header.
// Torch-free.
#pragma once

#include <initializer_list>
#include <string>

#include "stars/data/ingest_context.h"

namespace stars::data {

// Throws Error(kCorrupt) naming the file, the column and the header when a CSV/TSV file lacks one of
// `names`. JSONL files learn their columns row by row: their rows report empty values instead.
void require_columns(const TabularReader& reader, std::initializer_list<const char*> names);

// Opens a native file, adds it to the report as `role`, checks its required columns and calls
// `fn(reader, row)` for every well-formed row (malformed ones are reported); fn returns whether the row
// was kept. Returns the file's report entry; the caller ends the file (cx.errors.end_file).
template <class Fn>
FileReport& for_each_native_row(const std::string& path, const char* role, std::initializer_list<const char*> required,
                                IngestContext& cx, Fn fn) {
  auto reader = TabularReader::open(path, cx.tabular_options());
  FileReport& fr = cx.begin_file(path, role);
  require_columns(*reader, required);
  TabularRow row;
  while (reader->next(row)) {
    ++fr.rows;
    if (row.error) {
      cx.errors.report(*row.error, path, row.line, row.error_message);
      continue;
    }
    if (fn(*reader, row)) ++fr.kept;
  }
  return fr;
}

// `<dir>/<kind>.{csv,tsv,tab,jsonl,ndjson}`, or "" when there is none. Two candidates are an error.
std::string find_native_file(const std::string& dir, const std::string& kind);

// The catalog. Each item id may appear once.
void read_native_items(const std::string& path, IngestContext& cx);
// Static user features; column types are inferred (numeric when every non-empty value is a number)
// unless forced by options.user_types, and reported in cx.report.notes.
void read_native_users(const std::string& path, IngestContext& cx);
// Interactions. With `items_given`, an item id missing from the catalog is a bad row (kUnknownItem).
void read_native_events(const std::string& path, IngestContext& cx, bool items_given);
// Items shown on each page (same-page negatives).
void read_native_impressions(const std::string& path, IngestContext& cx, bool items_given);
// Named events (holidays, promotions) active per day and region.
void read_native_calendar(const std::string& path, IngestContext& cx);

// A native folder (items, users, events, impressions, calendar; only events is required) or a single
// events file.
void read_native(const std::string& path, IngestContext& cx);

}  // namespace stars::data
