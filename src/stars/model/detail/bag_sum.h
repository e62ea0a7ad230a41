// Sums of rows over bags given in CSR form, torch-free: the catalog's tag projection (each item the sum of its
// tags' rows) and, with the bags transposed, its gradient (each tag the sum of its items' gradient rows).
// ATen's embedding_bag computes the first, but its CPU backward sorts every index on every step.
#pragma once

#include <cstdint>
#include <vector>

namespace stars::model::detail {

// out[b, :] = sum of x[idx[j], :] for j in [offsets[b], offsets[b + 1]), for bags b in [b0, b1). x has rows of d
// floats; out has a row per bag (all bags, of which rows b0 .. b1 - 1 are written); an empty bag gives zeros.
void bag_sum(const float* x, int64_t d, const int64_t* offsets, const int64_t* idx, int64_t b0, int64_t b1, float* out);

// The transposed bags: for bags over `rows` rows given by (offsets, idx) with `bags` bags, the bags over the
// bags, one per row r listing (in increasing order) the bags that contain r, once per occurrence.
void transpose_bags(const int64_t* offsets, const int64_t* idx, int64_t bags, int64_t rows, std::vector<int64_t>* t_offsets,
                    std::vector<int64_t>* t_idx);

}  // namespace stars::model::detail
