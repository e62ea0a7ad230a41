// Readers of the native input format (docs/FORMATS.md "Native files"): events, items, users, impressions
// and calendar files, each CSV, TSV or JSONL with named columns. Every bad row goes to IngestErrors with
// its file, line and reason; a missing required column is an Error(kCorrupt) naming the file and header.
// Torch-free.
#pragma once

#include <string>

#include "stars/data/ingest_context.h"

namespace stars::data {

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
