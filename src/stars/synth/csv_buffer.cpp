// Block-buffered output files of `stars synth` (see csv_buffer.h).
#include "stars/synth/csv_buffer.h"

#include <cerrno>
#include <cstring>

#include "stars/core/error.h"

namespace stars::synth {

CsvFile::CsvFile(const std::string& path) : path_(path) {
  const std::string tmp = path_ + ".tmp";
  f_ = std::fopen(tmp.c_str(), "wb");
  if (f_ == nullptr) STARS_THROW(kIo, "cannot create " << tmp << ": " << std::strerror(errno));
  std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
}

CsvFile::~CsvFile() {
  if (f_ != nullptr) {
    std::fclose(f_);
    std::remove((path_ + ".tmp").c_str());
  }
}

void CsvFile::write(std::string_view data) {
  STARS_CHECK(f_ != nullptr, "write after commit: " << path_);
  if (data.empty()) return;
  if (std::fwrite(data.data(), 1, data.size(), f_) != data.size()) {
    STARS_THROW(kIo, "writing " << path_ << ".tmp failed after " << bytes_ << " bytes: " << std::strerror(errno));
  }
  bytes_ += data.size();
}

void CsvFile::commit() {
  STARS_CHECK(f_ != nullptr, "commit twice: " << path_);
  const bool ok = std::fflush(f_) == 0;
  const int err = errno;
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  const std::string tmp = path_ + ".tmp";
  if (!ok || !closed) {
    std::remove(tmp.c_str());
    STARS_THROW(kIo, "writing " << tmp << " failed: " << std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    STARS_THROW(kIo, "cannot rename " << tmp << " to " << path_ << ": " << std::strerror(errno));
  }
}

}  // namespace stars::synth
