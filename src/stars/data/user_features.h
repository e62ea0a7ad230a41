// Static user features from any user file: rows are buffered, each column's type is decided (declared by
// the format, forced with `--set user_types.COL=...`, or inferred: numeric when every non-empty value
// parses as a number), then users are added to the builder and the types are reported. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stars/data/ingest_context.h"

namespace stars::data {

class UserFeatureCollector {
 public:
  explicit UserFeatureCollector(std::string path) : path_(std::move(path)) {}

  // Adds a feature column (in file order); returns its index.
  size_t add_column(const std::string& name);
  // Declares a type the format knows (RecBole `float`/`token`, MovieLens age); options.user_types wins.
  void declare(const std::string& name, bool numeric);
  size_t num_columns() const { return names_.size(); }
  // One user row; `values[k]` belongs to column k (missing trailing values are empty).
  void add_row(int64_t line, std::string_view user_id, const std::vector<std::string_view>& values);

  // Decides types, reports bad numbers and duplicate ids as bad rows, adds the users to cx.builder,
  // counts kept rows in `fr` and notes the types in cx.report.
  void finish(IngestContext& cx, FileReport& fr);

 private:
  std::string path_;
  std::vector<std::string> names_;
  std::vector<int8_t> declared_;  // -1 unknown, 0 categorical, 1 numeric
  std::string arena_;
  std::vector<uint64_t> cell_off_;  // per row: id, then one cell per column known at add time
  std::vector<uint64_t> row_first_;  // index into cell_off_ of each row's id cell
  std::vector<uint32_t> row_cells_;
  std::vector<int64_t> lines_;
};

}  // namespace stars::data
