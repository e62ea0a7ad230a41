// Writes and reads NumPy .npy files (format 1.0, little-endian, C order) so numpy users can load
// STARS matrices with np.load.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stars {

void write_npy_f32(const std::string& path, const float* data, uint64_t rows, uint64_t cols);
void write_npy_i32(const std::string& path, const int32_t* data, uint64_t n);

struct NpyArray {
  std::vector<uint64_t> shape;
  std::vector<float> data;  // converted to float32
};
// Reads a float32/float64 .npy (1-D or 2-D, C order). Errors name the file and what was expected.
NpyArray read_npy_f32(const std::string& path);

}  // namespace stars
