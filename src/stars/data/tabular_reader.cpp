#include "stars/data/tabular_reader.h"

#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/data/csv_reader.h"
#include "stars/data/input_files.h"
#include "stars/data/jsonl_reader.h"

namespace stars::data {

namespace {

// CSV/TSV with a header row; every row must have as many fields as the header.
class DelimitedReader : public TabularReader {
 public:
  DelimitedReader(const std::string& path, const TabularOptions& opt, char delimiter)
      : TabularReader(path), csv_(path, make_options(opt, delimiter)) {
    columns_ = csv_.header();
    for (auto& c : columns_) {
      auto it = opt.renames.find(c);
      if (it != opt.renames.end() && column(it->second) < 0) c = it->second;
    }
  }
  bool next(TabularRow& row) override {
    if (!csv_.next(rec_)) return false;
    row.line = rec_.line;
    row.error = rec_.error;
    row.error_message = std::move(rec_.error_message);
    row.values.swap(rec_.fields);
    if (!row.error && row.values.size() != columns_.size()) {
      row.error = RowError::kColumnCount;
      row.error_message = "expected " + std::to_string(columns_.size()) + " fields (as in the header), got " +
                          std::to_string(row.values.size());
    }
    if (row.values.size() < columns_.size()) row.values.resize(columns_.size());
    return true;
  }
  uint64_t bytes_consumed() const override { return csv_.bytes_consumed(); }
  uint64_t file_size() const override { return csv_.file_size(); }

 private:
  static CsvOptions make_options(const TabularOptions& o, char delimiter) {
    CsvOptions c;
    c.delimiter = delimiter;
    c.check_utf8 = o.check_utf8;
    return c;
  }
  CsvReader csv_;
  CsvRecord rec_;
};

}  // namespace

int TabularReader::column(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i] == name) return static_cast<int>(i);
  return -1;
}

bool is_tabular_extension(const std::string& path) {
  const std::string e = file_extension(path);
  return e == "csv" || e == "tsv" || e == "tab" || e == "jsonl" || e == "ndjson";
}

std::unique_ptr<TabularReader> TabularReader::open(const std::string& path, const TabularOptions& options) {
  const std::string e = file_extension(path);
  if (e == "jsonl" || e == "ndjson") return std::make_unique<JsonlReader>(path, options);
  char d = options.delimiter;
  if (d == 0) d = (e == "tsv" || e == "tab") ? '\t' : ',';
  return std::make_unique<DelimitedReader>(path, options, d);
}

}  // namespace stars::data
