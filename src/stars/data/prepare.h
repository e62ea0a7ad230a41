// `stars prepare` as a library call: detect the input format, read every file with the matching reader
// (bad rows reported per IngestErrors), build and write the prepared dataset, and return the statistics.
// The resolved configuration is saved as DIR/prepare_config.json. Torch-free.
#pragma once

#include <cstdint>
#include <string>

#include "stars/data/dataset_builder.h"
#include "stars/data/ingest_context.h"
#include "stars/data/ingest_errors.h"
#include "stars/data/reader_options.h"

namespace stars::data {

// Everything `--set key=value` can change: split/statistics options and reader options (flat keys), plus
// the map keys of ReaderOptions (event_map.*, user_types.*, column.*).
struct PrepareConfig {
  PrepareOptions prepare;
  ReaderOptions reader;

  template <class V>
  void visit(V& v) {
    prepare.visit(v);
    reader.visit(v);
  }
  void validate() const {
    prepare.validate();
    reader.validate();
  }
  // Applies one "key=value"; unknown keys are errors.
  void apply_set(const std::string& assignment);
  // The resolved configuration as JSON (scalars and maps).
  std::string to_json() const;
};

struct PrepareRequest {
  std::string input;             // file or folder
  std::string out;               // dataset directory
  std::string format;            // "" = detect; native, recbole, sequences, amazon, movielens
  OnError on_error = OnError::kFail;
  int max_errors = 10;           // bad rows listed (and, with kFail, the most read before stopping)
  PrepareConfig config;
};

struct PrepareResult {
  std::string format;            // resolved format
  std::string format_reason;     // why it was chosen ("found u.data", "--format")
  IngestReport report;
  std::string errors_summary;    // IngestErrors::summary()
  int64_t bad_rows = 0;
  int64_t events = 0;
  double read_seconds = 0, write_seconds = 0;
  std::string stats_json;        // as written to DIR/stats.json
};

PrepareResult prepare_dataset(const PrepareRequest& request);

// Reads `input` in the (canonical) `format` into `cx.builder`; used by prepare_dataset and the benchmarks.
void read_input(const std::string& input, const std::string& format, IngestContext& cx);

}  // namespace stars::data
