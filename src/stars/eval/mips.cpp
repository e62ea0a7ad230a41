#include "stars/eval/mips.h"

#include <cblas.h>

#include <algorithm>

namespace stars::eval {

void inner_product_scores(const float* h, size_t n, const float* e, size_t n_items, size_t d, float* out) {
  if (n == 0 || n_items == 0) return;
  if (d == 0) {
    std::fill(out, out + n * n_items, 0.0f);
    return;
  }
  // C (n, n_items) = A (n, d) · B (n_items, d)ᵀ
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n), static_cast<int>(n_items),
              static_cast<int>(d), 1.0f, h, static_cast<int>(d), e, static_cast<int>(d), 0.0f, out,
              static_cast<int>(n_items));
}

void set_blas_threads(int threads) { openblas_set_num_threads(std::max(1, threads)); }

}  // namespace stars::eval
