// Appending CSV fields to a std::string buffer without allocation per field (RFC 4180 quoting only when a
// field holds a comma, quote or line break), and writing buffers to files in large blocks.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace stars::synth {

inline void csv_int(std::string& b, int64_t v) {
  char tmp[24];
  const auto r = std::to_chars(tmp, tmp + sizeof(tmp), v);
  b.append(tmp, static_cast<size_t>(r.ptr - tmp));
}

// A text field, quoted when needed.
inline void csv_text(std::string& b, std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    b.append(s);
    return;
  }
  b += '"';
  for (char c : s) {
    if (c == '"') b += '"';
    b += c;
  }
  b += '"';
}

// A price with two decimals (prices are rounded to cents when generated).
inline void csv_price(std::string& b, float price) {
  const int64_t cents = static_cast<int64_t>(price * 100.0f + 0.5f);
  csv_int(b, cents / 100);
  b += '.';
  b += static_cast<char>('0' + (cents % 100) / 10);
  b += static_cast<char>('0' + cents % 10);
}

// A file written in large blocks; errors name the path. Writes to PATH.tmp and renames on commit().
class CsvFile {
 public:
  CsvFile() = default;
  explicit CsvFile(const std::string& path);
  ~CsvFile();
  CsvFile(const CsvFile&) = delete;
  CsvFile& operator=(const CsvFile&) = delete;

  void write(std::string_view data);
  // Flushes, closes and renames the temporary file to its final name.
  void commit();
  uint64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace stars::synth
