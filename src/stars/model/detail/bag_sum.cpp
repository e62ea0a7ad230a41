// Sums of rows over CSR bags (see bag_sum.h). Built at -O3 (model/CMakeLists.txt), where GCC vectorises the
// row additions.
#include "stars/model/detail/bag_sum.h"

#include <cstring>

#include "stars/core/error.h"

namespace stars::model::detail {

void bag_sum(const float* x, int64_t d, const int64_t* offsets, const int64_t* idx, int64_t b0, int64_t b1, float* out) {
  for (int64_t b = b0; b < b1; ++b) {
    float* __restrict o = out + b * d;
    std::memset(o, 0, static_cast<size_t>(d) * sizeof(float));
    for (int64_t j = offsets[b]; j < offsets[b + 1]; ++j) {
      const float* __restrict r = x + idx[j] * d;
      for (int64_t k = 0; k < d; ++k) o[k] += r[k];
    }
  }
}

void transpose_bags(const int64_t* offsets, const int64_t* idx, int64_t bags, int64_t rows, std::vector<int64_t>* t_offsets,
                    std::vector<int64_t>* t_idx) {
  const int64_t nnz = offsets[bags];
  t_offsets->assign(static_cast<size_t>(rows) + 1, 0);
  for (int64_t j = 0; j < nnz; ++j) {
    STARS_CHECK(idx[j] >= 0 && idx[j] < rows, "bag index " << idx[j] << " outside [0, " << rows << ")");
    ++(*t_offsets)[idx[j] + 1];
  }
  for (int64_t r = 0; r < rows; ++r) (*t_offsets)[r + 1] += (*t_offsets)[r];
  t_idx->assign(static_cast<size_t>(nnz), 0);
  std::vector<int64_t> fill(t_offsets->begin(), t_offsets->end() - 1);
  for (int64_t b = 0; b < bags; ++b)
    for (int64_t j = offsets[b]; j < offsets[b + 1]; ++j) (*t_idx)[fill[idx[j]]++] = b;
}

}  // namespace stars::model::detail
