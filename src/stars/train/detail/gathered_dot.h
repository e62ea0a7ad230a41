// Row-wise dot products against gathered rows, torch-free: the candidate logits of the sampled loss on CPU,
// z[i, c] = <h[i], items[cands[i, c]]>, and their gradients, without the (rows, candidates, width) copy of
// candidate vectors that index_select + multiply + sum builds (and whose backward scatters it back).
#pragma once

#include <cstdint>

namespace stars::train::detail {

// z[i, c] = <h[i, :], items[cands[i, c], :]> for rows i in [r0, r1) and c < C; h is (rows, S), items (U, S),
// cands (rows, C) and z (rows, C), all row-major.
void gathered_dot(const float* h, const float* items, const int64_t* cands, int64_t C, int64_t S, int64_t r0, int64_t r1,
                  float* z);

// gh[i, :] = sum over c of g[i, c] * items[cands[i, c], :], for rows i in [r0, r1) (overwritten).
void gathered_dot_grad_rows(const float* g, const float* items, const int64_t* cands, int64_t C, int64_t S, int64_t r0,
                            int64_t r1, float* gh);

// g_items[cands[i, c], :] += g[i, c] * h[i, :] for every row i < rows and c < C, in that order.
void gathered_dot_grad_items(const float* g, const float* h, const int64_t* cands, int64_t rows, int64_t C, int64_t S,
                             float* g_items);

}  // namespace stars::train::detail
