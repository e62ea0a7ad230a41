#include "stars/core/npy.h"

#include <cstring>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"

namespace stars {
namespace {

void write_npy(const std::string& path, const char* descr, const void* data, size_t nbytes, const std::string& shape) {
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  AtomicFileWriter w(path);
  const char magic[] = "\x93NUMPY\x01\x00";
  w.write(magic, 8);
  const uint16_t hlen = static_cast<uint16_t>(header.size());
  w.write(&hlen, 2);
  w.write(header.data(), header.size());
  w.write(data, nbytes);
  w.commit();
}

}  // namespace

void write_npy_f32(const std::string& path, const float* data, uint64_t rows, uint64_t cols) {
  write_npy(path, "<f4", data, rows * cols * sizeof(float),
            "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")");
}

void write_npy_i32(const std::string& path, const int32_t* data, uint64_t n) {
  write_npy(path, "<i4", data, n * sizeof(int32_t), "(" + std::to_string(n) + ",)");
}

NpyArray read_npy_f32(const std::string& path) {
  MmapFile f(path);
  const uint8_t* p = f.data();
  STARS_CHECK_DATA(f.size() >= 10 && std::memcmp(p, "\x93NUMPY", 6) == 0, path << ": not a .npy file (bad magic)");
  const int major = p[6];
  size_t hlen, hstart;
  if (major == 1) {
    uint16_t h;
    std::memcpy(&h, p + 8, 2);
    hlen = h;
    hstart = 10;
  } else {
    STARS_CHECK_DATA(f.size() >= 12, path << ": truncated .npy header");
    uint32_t h;
    std::memcpy(&h, p + 8, 4);
    hlen = h;
    hstart = 12;
  }
  STARS_CHECK_DATA(hstart + hlen <= f.size(), path << ": truncated .npy header");
  std::string header(reinterpret_cast<const char*>(p + hstart), hlen);
  const bool f8 = header.find("'<f8'") != std::string::npos;
  STARS_CHECK_DATA(f8 || header.find("'<f4'") != std::string::npos,
                   path << ": expected dtype float32 ('<f4') or float64 ('<f8'), header is " << header);
  STARS_CHECK_DATA(header.find("'fortran_order': False") != std::string::npos, path << ": Fortran order is not supported");
  const auto s0 = header.find("'shape': (");
  STARS_CHECK_DATA(s0 != std::string::npos, path << ": .npy header has no shape");
  const auto s1 = header.find(')', s0);
  NpyArray out;
  for (auto part : split(std::string_view(header).substr(s0 + 10, s1 - s0 - 10), ',')) {
    part = trim(part);
    if (part.empty()) continue;
    int64_t d;
    STARS_CHECK_DATA(parse_int64(part, &d) && d >= 0, path << ": bad shape in .npy header");
    out.shape.push_back(static_cast<uint64_t>(d));
  }
  STARS_CHECK_DATA(out.shape.size() == 1 || out.shape.size() == 2, path << ": expected a 1-D or 2-D array");
  uint64_t n = 1;
  for (auto d : out.shape) n *= d;
  const size_t esz = f8 ? 8 : 4;
  STARS_CHECK_DATA(hstart + hlen + n * esz == f.size(), path << ": data size does not match shape (truncated?)");
  out.data.resize(n);
  const uint8_t* d = p + hstart + hlen;
  if (f8) {
    for (uint64_t i = 0; i < n; ++i) {
      double x;
      std::memcpy(&x, d + i * 8, 8);
      out.data[i] = static_cast<float>(x);
    }
  } else {
    std::memcpy(out.data.data(), d, n * 4);
  }
  return out;
}

}  // namespace stars
