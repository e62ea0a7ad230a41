// JSON Lines input (`.jsonl`, `.ndjson`): one flat JSON object per line, keys are column names. Values:
// strings (with all JSON escapes), numbers (kept as their text), true/false, null (= empty), and arrays
// of scalars, which become `|`-joined text (the list form of `tags` and `regions`). Nested objects and
// malformed lines are reported as RowError::kBadJson with the byte position. Torch-free.
#pragma once

#include <memory>
#include <string>

#include "stars/core/string_interner.h"
#include "stars/data/csv_reader.h"
#include "stars/data/tabular_reader.h"

namespace stars::data {

class JsonlReader : public TabularReader {
 public:
  JsonlReader(const std::string& path, const TabularOptions& options);
  bool next(TabularRow& row) override;
  bool dynamic_columns() const override { return true; }
  uint64_t bytes_consumed() const override { return lines_.bytes_consumed(); }
  uint64_t file_size() const override { return lines_.file_size(); }

 private:
  // Parses one line into values_; returns an error message or empty.
  std::string parse(std::string_view line, TabularRow& row);
  int column_of(std::string_view key);
  CsvReader lines_;
  CsvRecord rec_;
  TabularOptions opt_;
  StringInterner keys_;            // column name -> index
  std::string arena_;              // decoded strings of the current row
  struct Slot {
    bool in_arena;
    size_t begin, size;
  };
  std::vector<Slot> slots_;        // per column, for the current row
  std::vector<uint8_t> seen_;
};

}  // namespace stars::data
