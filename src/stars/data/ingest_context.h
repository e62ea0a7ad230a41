// What every reader of `stars prepare` gets: the options, the bad-row log, the dataset builder it fills
// and the report it adds to (files read, rows kept, notes such as inferred user feature types). Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/data/dataset_builder.h"
#include "stars/data/ingest_errors.h"
#include "stars/data/reader_options.h"
#include "stars/data/tabular_reader.h"

namespace stars::data {

struct FileReport {
  std::string path;
  std::string role;      // "events", "items", "users", "impressions", "calendar", "item text", ...
  int64_t rows = 0;      // data rows (or lines) read
  int64_t kept = 0;      // rows that made it into the dataset
};

struct IngestReport {
  std::string format;    // the resolved input format
  std::string input;     // the path given
  std::vector<FileReport> files;
  std::vector<std::string> notes;  // human-readable facts worth printing (types inferred, ignored events)
  std::string to_json() const;
};

struct IngestContext {
  const ReaderOptions& options;
  IngestErrors& errors;
  DatasetBuilder& builder;
  IngestReport& report;

  // Adds a file to the report and returns its entry (valid until the next begin_file).
  FileReport& begin_file(const std::string& path, const std::string& role) {
    report.files.push_back({path, role, 0, 0});
    return report.files.back();
  }
  TabularOptions tabular_options() const;
};

}  // namespace stars::data
