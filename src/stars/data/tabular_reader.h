// Rows of a native input file with named columns, whatever its encoding: CSV (`.csv`, comma), TSV
// (`.tsv`/`.tab`, tab) or JSONL (`.jsonl`/`.ndjson`, one flat JSON object per line). Readers of the
// native format (events, items, users, impressions, calendar) code against this interface only.
// Torch-free.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stars/data/ingest_errors.h"

namespace stars::data {

struct TabularOptions {
  char delimiter = 0;    ///< CSV/TSV separator; 0 = from the extension (`.tsv`/`.tab` tab, otherwise comma)
  bool check_utf8 = true;
  // Column renames applied to the header (JSONL: to keys): file column name -> native column name.
  std::map<std::string, std::string> renames;
};

struct TabularRow {
  std::vector<std::string_view> values;  // one per column of columns() (absent JSONL keys are empty)
  int64_t line = 0;
  std::optional<RowError> error;         // the row is malformed (column count, quoting, JSON, UTF-8)
  std::string error_message;
};

class TabularReader {
 public:
  // Opens a CSV/TSV/JSONL file by its extension. Throws Error(kNotFound/kIo/kCorrupt) naming the path.
  static std::unique_ptr<TabularReader> open(const std::string& path, const TabularOptions& options);
  virtual ~TabularReader() = default;

  const std::string& path() const { return path_; }
  // Column names. For JSONL the list grows as rows with new keys are read.
  const std::vector<std::string>& columns() const { return columns_; }
  int column(std::string_view name) const;
  // True when columns() is learnt row by row (JSONL) rather than read from a header.
  virtual bool dynamic_columns() const { return false; }
  // Reads the next row; false at the end of the file.
  virtual bool next(TabularRow& row) = 0;
  virtual uint64_t bytes_consumed() const = 0;
  virtual uint64_t file_size() const = 0;

 protected:
  explicit TabularReader(std::string path) : path_(std::move(path)) {}
  std::string path_;
  std::vector<std::string> columns_;
};

// True for the extensions TabularReader::open understands.
bool is_tabular_extension(const std::string& path);

}  // namespace stars::data
