// Batched inner-product scoring (maximum inner product search by brute force): scores = H · Eᵀ through
// OpenBLAS sgemm, so a block of user vectors is scored against the whole catalog in one matrix product.
// Torch-free.
#pragma once

#include <cstddef>

namespace stars::eval {

// out (n, n_items) = h (n, d) · e (n_items, d)ᵀ, all row-major float32.
void inner_product_scores(const float* h, size_t n, const float* e, size_t n_items, size_t d, float* out);

// Sets the number of BLAS threads used by inner_product_scores (>= 1).
void set_blas_threads(int threads);

}  // namespace stars::eval
