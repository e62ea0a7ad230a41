#include "stars/data/csv_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "stars/core/error.h"
#include "stars/core/strings.h"

namespace stars::data {

bool is_ascii(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t acc = 0;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc |= w;
  }
  for (; n > 0; --n, ++p) acc |= static_cast<unsigned char>(*p);
  return (acc & 0x8080808080808080ULL) == 0;
}

CsvReader::CsvReader(std::string path, CsvOptions options) : path_(std::move(path)), opt_(options) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    if (errno == ENOENT) STARS_THROW(kNotFound, path_ << ": no such file");
    STARS_THROW(kIo, path_ << ": cannot open: " << std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd_, &st) == 0) file_size_ = static_cast<uint64_t>(st.st_size);
  if (S_ISDIR(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    STARS_THROW(kInvalidArgument, path_ << ": is a directory, expected a file");
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  buf_.resize(std::max<size_t>(opt_.buffer_bytes, 64) + 1);
  refill();
  if (end_ >= 3 && static_cast<unsigned char>(buf_[0]) == 0xEF && static_cast<unsigned char>(buf_[1]) == 0xBB &&
      static_cast<unsigned char>(buf_[2]) == 0xBF)
    pos_ = 3;
  if (opt_.header) {
    CsvRecord rec;
    if (next(rec)) {
      for (auto f : rec.fields) header_.emplace_back(trim(f));
      if (rec.error)
        STARS_THROW(kCorrupt, path_ << ":" << rec.line << ": bad header: " << rec.error_message);
      for (size_t i = 0; i < header_.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          STARS_CHECK_DATA(header_[i] != header_[j] || header_[i].empty(),
                           path_ << ":" << rec.line << ": column '" << header_[i] << "' appears twice in the header");
    }
  }
}

CsvReader::~CsvReader() {
  if (fd_ >= 0) ::close(fd_);
}

int CsvReader::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return static_cast<int>(i);
  return -1;
}

bool CsvReader::refill() {
  if (eof_) return false;
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    consumed_ += pos_;
    pos_ = 0;
  }
  if (end_ + 1 >= buf_.size()) buf_.resize(buf_.size() * 2);
  bool got = false;
  while (end_ + 1 < buf_.size()) {
    const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - 1 - end_);
    if (n < 0) {
      if (errno == EINTR) continue;
      STARS_THROW(kIo, path_ << ": read failed: " << std::strerror(errno));
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    end_ += static_cast<size_t>(n);
    got = true;
  }
  buf_[end_] = '\n';  // sentinel: the scan loops stop on it without a bounds check
  return got;
}

bool CsvReader::next(CsvRecord& rec) {
  const char d = opt_.delimiter;
  rec.error.reset();
restart:
  char* b = buf_.data();
  size_t p = pos_;
  // Skip blank lines (LF or CRLF).
  while (true) {
    if (p == end_) {
      pos_ = p;
      if (refill()) goto restart;
      return false;
    }
    if (b[p] == '\n') {
      ++p;
      ++line_;
      continue;
    }
    if (b[p] == '\r' && (p + 1 < end_ ? b[p + 1] == '\n' : eof_)) {
      p += (p + 1 < end_) ? 2 : 1;
      ++line_;
      continue;
    }
    break;
  }
  pos_ = p;
  const size_t start = p;
  int64_t inner_lines = 0;
  bool bad_quote = false;
  pos_fields_.clear();
  while (true) {  // one field per iteration
    if (opt_.quoting && p < end_ && b[p] == '"') {
      size_t q = p + 1;
      bool unescape = false;
      size_t close = 0;
      while (true) {
        const void* hit = std::memchr(b + q, '"', end_ - q);
        if (!hit) {
          if (!eof_) { refill(); goto restart; }
          close = end_;  // unterminated: the field runs to the end of the file
          bad_quote = true;
          break;
        }
        const size_t k = static_cast<const char*>(hit) - b;
        if (k + 1 == end_ && !eof_) { refill(); goto restart; }
        if (k + 1 < end_ && b[k + 1] == '"') {
          unescape = true;
          q = k + 2;
          continue;
        }
        close = k;
        break;
      }
      for (size_t i = p + 1; i < close; ++i) inner_lines += b[i] == '\n';
      pos_fields_.push_back({p + 1, close, unescape});
      p = close < end_ ? close + 1 : end_;
      if (p >= end_) break;  // end of file
      if (b[p] == d && d != '\n') { ++p; continue; }
      if (b[p] == '\n') { ++p; break; }
      if (b[p] == '\r' && p + 1 < end_ && b[p + 1] == '\n') { p += 2; break; }
      if (b[p] == '\r' && p + 1 == end_ && !eof_) { refill(); goto restart; }
      // Text after the closing quote: keep it out of the field, skip to the next separator.
      bad_quote = true;
      while (p < end_ && b[p] != d && b[p] != '\n') ++p;
      if (p < end_ && b[p] == d && d != '\n') { ++p; continue; }
      if (p < end_) ++p;
      else if (!eof_) { refill(); goto restart; }
      break;
    }
    size_t k = p;
    while (b[k] != d && b[k] != '\n') ++k;  // the sentinel at end_ stops it
    if (k == end_ && !eof_) { refill(); goto restart; }
    size_t e = k;
    if (e > p && b[e - 1] == '\r' && (k == end_ || b[k] == '\n')) --e;
    pos_fields_.push_back({p, e, false});
    if (k == end_) { p = k; break; }
    p = k + 1;
    if (b[k] == '\n') break;
    // after a separator a field always follows (possibly empty, even at the end of the file)
    if (p == end_ && eof_) { pos_fields_.push_back({p, p, false}); break; }
  }
  const size_t stop = p;
  rec.line = line_;
  line_ += 1 + inner_lines;
  pos_ = stop;
  if (bad_quote) {
    rec.error = RowError::kBadQuote;
    rec.error_message = "unterminated quoted field or text after a closing quote";
  }
  if (opt_.check_utf8 && !rec.error) {
    std::string_view raw(b + start, stop - start);
    size_t bad = 0;
    if (!is_ascii(raw) && !is_valid_utf8(raw, &bad)) {
      rec.error = RowError::kInvalidUtf8;
      rec.error_message = "invalid UTF-8 at byte " + std::to_string(bad + 1) + " of the record";
    }
  }
  rec.fields.resize(pos_fields_.size());
  for (size_t i = 0; i < pos_fields_.size(); ++i) {
    auto& f = pos_fields_[i];
    if (f.unescape) {  // "" -> " in place (the result is shorter)
      size_t w = f.begin;
      for (size_t r = f.begin; r < f.end; ++r) {
        b[w++] = b[r];
        if (b[r] == '"' && r + 1 < f.end && b[r + 1] == '"') ++r;
      }
      f.end = w;
    }
    rec.fields[i] = std::string_view(b + f.begin, f.end - f.begin);
  }
  return true;
}

}  // namespace stars::data
