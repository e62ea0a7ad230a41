// A fast streaming reader of delimiter-separated text (CSV, TSV, `|` files): RFC 4180 quoting ("" is a
// quote inside a quoted field; quoted fields may hold separators and newlines), LF or CRLF line ends,
// a leading UTF-8 byte-order mark, blank lines skipped. It reads the file in large blocks (constant memory
// however big the file), hands out fields as string_views into its buffer and checks UTF-8 per record.
// Structural problems are reported on the record, not thrown, so the caller decides (fail or skip). Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stars/data/ingest_errors.h"

namespace stars::data {

struct CsvOptions {
  char delimiter = ',';      ///< field separator; '\n' hands out each line as a single field
  bool quoting = true;       ///< honour RFC 4180 double quotes
  bool header = true;        ///< the first record is the header (column names, trimmed)
  bool check_utf8 = true;    ///< flag records holding invalid UTF-8 (RowError::kInvalidUtf8)
  size_t buffer_bytes = 4u << 20;  ///< read block size; grows when a record is longer
};

struct CsvRecord {
  std::vector<std::string_view> fields;  // valid until the next call of next()
  int64_t line = 0;                      // 1-based line where the record starts
  std::optional<RowError> error;         // a structural problem of this record (kBadQuote, kInvalidUtf8)
  std::string error_message;
};

class CsvReader {
 public:
  // Opens `path` and reads the header when asked. Throws Error(kNotFound / kIo) naming the path.
  CsvReader(std::string path, CsvOptions options = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  // Index of a header column or -1.
  int column(std::string_view name) const;

  // Reads the next record; false at the end of the file.
  bool next(CsvRecord& record);

  uint64_t file_size() const { return file_size_; }
  uint64_t bytes_consumed() const { return consumed_ + pos_; }

 private:
  bool refill();  // keeps buf_[pos_, end_), reads more; false when nothing more could be read
  std::string path_;
  CsvOptions opt_;
  int fd_ = -1;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  uint64_t consumed_ = 0, file_size_ = 0;
  bool eof_ = false;
  int64_t line_ = 1;
  std::vector<std::string> header_;
  struct FieldPos {
    size_t begin, end;
    bool unescape;
  };
  std::vector<FieldPos> pos_fields_;
};

// True when every byte of `s` is ASCII (fast path of UTF-8 checks).
bool is_ascii(std::string_view s);

}  // namespace stars::data
