#include "stars/core/mmap_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "stars/core/error.h"

namespace stars {

MmapFile::MmapFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) STARS_THROW(kNotFound, "file not found: " << path);
    STARS_THROW(kIo, "cannot open " << path << ": " << std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    STARS_THROW(kIo, "cannot stat " << path << ": " << std::strerror(e));
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      STARS_THROW(kIo, "cannot mmap " << path << ": " << std::strerror(e));
    }
    data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
}

MmapFile::~MmapFile() { release(); }

MmapFile::MmapFile(MmapFile&& other) noexcept
    : path_(std::move(other.path_)), data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MmapFile& MmapFile::operator=(MmapFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void MmapFile::release() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

AtomicFileWriter::AtomicFileWriter(const std::string& path)
    : path_(path), tmp_path_(path + ".tmp." + std::to_string(::getpid())) {
  fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) STARS_THROW(kIo, "cannot create " << tmp_path_ << ": " << std::strerror(errno));
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_path_.c_str());
}

void AtomicFileWriter::write(const void* data, size_t nbytes) {
  const char* p = static_cast<const char*>(data);
  while (nbytes > 0) {
    ssize_t n = ::write(fd_, p, nbytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      STARS_THROW(kIo, "cannot write " << tmp_path_ << ": " << std::strerror(errno));
    }
    p += n;
    nbytes -= static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
}

void AtomicFileWriter::write_zeros(size_t nbytes) {
  static const char zeros[4096] = {0};
  while (nbytes > 0) {
    size_t n = nbytes < sizeof(zeros) ? nbytes : sizeof(zeros);
    write(zeros, n);
    nbytes -= n;
  }
}

void AtomicFileWriter::commit() {
  STARS_CHECK(!committed_, "commit called twice for " << path_);
  if (::fsync(fd_) != 0) STARS_THROW(kIo, "cannot fsync " << tmp_path_ << ": " << std::strerror(errno));
  if (::close(fd_) != 0) {
    fd_ = -1;
    STARS_THROW(kIo, "cannot close " << tmp_path_ << ": " << std::strerror(errno));
  }
  fd_ = -1;
  if (::rename(tmp_path_.c_str(), path_.c_str()) != 0)
    STARS_THROW(kIo, "cannot rename " << tmp_path_ << " to " << path_ << ": " << std::strerror(errno));
  committed_ = true;
}

std::string read_text_file(const std::string& path) {
  MmapFile f(path);
  return std::string(reinterpret_cast<const char*>(f.data()), f.size());
}

void write_text_file(const std::string& path, const std::string& content) {
  AtomicFileWriter w(path);
  w.write(content.data(), content.size());
  w.commit();
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

bool is_directory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

void make_directories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) STARS_THROW(kIo, "cannot create directory " << path << ": " << ec.message());
}

std::string path_join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

}  // namespace stars
