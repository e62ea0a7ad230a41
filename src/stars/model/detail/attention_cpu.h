// Masked softmax attention of one encoder block on CPU (float32), torch-free (paper §4.3; stars_net.cpp wraps it
// as an autograd function). One (sequence, head) pair at a time, in cache: scores, mask, softmax, dropout and
// the weighted sum of values in one pass, where ATen makes a batched product of many small matrices and four
// passes over the (B, H, L, L) scores; backward likewise. Only the key range a query row may attend is computed,
// and keys of weight 0 (masked or dropped) are skipped.
#pragma once

#include <cstdint>

namespace stars::model::detail {

// Dropout as DropoutSource draws it over a flat tensor: element e is dropped when the 16 bits at bit 16 (e % 4)
// of splitmix64's output number e / 4 + 1 from state s0 are below `threshold`, else scaled by `keep`.
struct DropoutDraw {
  uint64_t s0 = 0;
  uint32_t threshold = 0;  ///< 0: nothing is dropped
  float keep = 1.0f;
};

// The factors (0 or keep) of the flat elements e0 .. e0 + n - 1, into f.
void dropout_factors(const DropoutDraw& d, int64_t e0, int64_t n, float* f);

// Shapes and layout. qkv: (B, L, 3, H, dh) contiguous, the fused projection's output. allowed: (B or 1, L, L),
// nonzero where query i may attend key j, `mask_stride` elements between sequences (0: one mask for all). P: (B, H, L, L), the softmax before dropout, the dropout mask drawn over P's flat
// index. out, dout: (B, L, H, dh). dqkv: like qkv.
struct AttentionDims {
  int64_t B = 0, L = 0, H = 0, dh = 0;
  int64_t mask_stride = 0;
  float scale = 1.0f;  ///< applied to q·k, usually 1 / sqrt(dh)
};

// softmax(q kᵀ scale, masked) with dropout, times v, for the pairs p0 .. p1 - 1 (pair = b H + h): writes P's and
// out's rows of those pairs (P may be null where no backward follows). Returns how many query rows may attend no
// key; theirs are NaN, as ATen's softmax of a row of -inf gives.
int64_t attention_forward(const AttentionDims& d, const float* qkv, const bool* allowed, const DropoutDraw& drop, float* P,
                          float* out, int64_t p0, int64_t p1);

// The gradient of attention_forward with respect to qkv for the pairs p0 .. p1 - 1: writes every element of dqkv
// that belongs to those pairs (their q, k and v slices; 0 for the q of a row that may attend no key).
void attention_backward(const AttentionDims& d, const float* qkv, const bool* allowed, const DropoutDraw& drop, const float* P,
                        const float* dout, float* dqkv, int64_t p0, int64_t p1);

}  // namespace stars::model::detail
