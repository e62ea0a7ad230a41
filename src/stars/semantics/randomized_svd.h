// Randomized truncated SVD of a sparse matrix (Halko, Martinsson & Tropp 2011, Algorithms 4.4 and 5.1):
// a seeded random sketch (Rademacher entries hashed from the seed), subspace iterations on the row side
// re-orthonormalised by Cholesky QR (Householder QR when columns are nearly dependent), then the exact SVD
// of the small projected matrix through the eigen-decomposition of its Gram matrix. Dense work is on
// (rows, k + oversample) matrices only. Sparse products are parallel over rows (deterministic for any
// thread count); dense products and factorisations use OpenBLAS/LAPACK. Torch-free.
#pragma once

#include <cstdint>
#include <vector>

namespace stars::semantics {

// Compressed sparse rows (float values).
struct CsrMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<uint64_t> indptr{0};  // rows + 1
  std::vector<int32_t> indices;
  std::vector<float> values;

  CsrMatrix transpose() const;
};

struct SvdResult {
  int rank = 0;                          // components with a non-negligible singular value (<= k)
  std::vector<float> components;         // (cols, k) row-major: right singular vectors as columns; zero past rank
  std::vector<double> singular_values;   // k values, descending; zero past rank
};

// Top-k right singular vectors and singular values of `x`. k may exceed min(rows, cols): the extra
// components are zero. Each singular vector's largest entry is made positive, so results are reproducible.
SvdResult randomized_svd(const CsrMatrix& x, int k, int oversample, int power_iters, uint64_t seed, int threads);

}  // namespace stars::semantics
