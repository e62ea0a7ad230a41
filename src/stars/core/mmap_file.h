// Read-only memory mapping of a whole file (RAII).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace stars {

class MmapFile {
 public:
  MmapFile() = default;
  // Maps `path` read-only. Throws Error(kNotFound / kIo) naming the path.
  explicit MmapFile(const std::string& path);
  ~MmapFile();
  MmapFile(MmapFile&& other) noexcept;
  MmapFile& operator=(MmapFile&& other) noexcept;
  MmapFile(const MmapFile&) = delete;
  MmapFile& operator=(const MmapFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  void release();
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Writes a file atomically: content goes to `<path>.tmp.<pid>` and is renamed over `path` on commit(),
// so readers never see a half-written file. Destroying an uncommitted writer removes the temporary.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(const std::string& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, size_t nbytes);
  void write_zeros(size_t nbytes);
  uint64_t bytes_written() const { return written_; }
  // Flushes, fsyncs and renames into place. Throws Error(kIo) on failure.
  void commit();

 private:
  std::string path_;
  std::string tmp_path_;
  int fd_ = -1;
  uint64_t written_ = 0;
  bool committed_ = false;
};

// Reads a whole text file. Throws Error(kNotFound / kIo) naming the path.
std::string read_text_file(const std::string& path);
// Writes a whole text file atomically.
void write_text_file(const std::string& path, const std::string& content);
bool file_exists(const std::string& path);
bool is_directory(const std::string& path);
// Creates a directory and its parents; no error if it exists.
void make_directories(const std::string& path);
// Joins two path components with a single '/'.
std::string path_join(const std::string& a, const std::string& b);

}  // namespace stars
