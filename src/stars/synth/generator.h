// `stars synth` end to end: builds a World and writes it in the native format of docs/FORMATS.md
// (items.csv, users.csv, events.csv, impressions.csv, calendar.csv, stock.csv), plus the latent ground
// truth under truth/ and the resolved configuration (synth_config.json).
//
// Streaming: users are simulated in blocks by worker threads, each user from its own seed, and blocks are
// written in order as they complete, so memory stays bounded by a few blocks whatever the number of events,
// and the bytes written do not depend on the number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stars/synth/session_simulator.h"
#include "stars/synth/synth_config.h"

namespace stars::synth {

struct SynthSummary {
  SynthCounts counts;
  int32_t items = 0, cold_items = 0, subclasses = 0, aisles = 0, departments = 0, brands = 0, campaigns = 0;
  int threads = 1;
  std::vector<std::pair<std::string, uint64_t>> files;  // path, bytes
  double seconds = 0;
};

// Writes the world described by `config` to `out_dir` (created if missing; existing files are replaced).
// Shows a progress bar on stderr when `progress` is set. Throws Error(kInvalidArgument) for a bad config,
// Error(kIo) when a file cannot be written.
SynthSummary write_world(const SynthConfig& config, const std::string& out_dir, bool progress = true);

// The fixed headers of the native files written by write_world.
extern const char* const kEventsHeader;
extern const char* const kItemsHeader;
extern const char* const kUsersHeader;
extern const char* const kImpressionsHeader;
extern const char* const kStockHeader;

}  // namespace stars::synth
