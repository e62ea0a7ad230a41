// The readable summary of a prepared dataset's statistics (stats.json), printed by `stars prepare` and
// `stars stats`: counts, events per type, sequence-length and item-popularity distributions, time range,
// missing fields, user feature types, splits and (when present) the ingest report. Torch-free.
#pragma once

#include <string>

namespace stars::data {

// `stats_json` is the text of stats.json; throws Error(kCorrupt) naming `where` when it is malformed.
std::string format_stats_summary(const std::string& stats_json, const std::string& where = "stats.json");

}  // namespace stars::data
