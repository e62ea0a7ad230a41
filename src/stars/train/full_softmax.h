// The softmax cross-entropy over the whole catalog (train.loss=full), computed a chunk of items at a
// time so that the (targets x items) logits never exist at once. Included only by torch translation units.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace stars::train {

// Mean over rows of -log softmax(H Eᵀ + prior)[row, target[row]], where H (M, S) are the rows, E (N, S)
// every item, prior (N) a fixed additive term (undefined = none) and the pairs (mask_rows[i],
// mask_cols[i]) are left out of their row's softmax (undefined = none; never a row's own target).
// Equal to at::cross_entropy_loss of the masked logits, with gradients for H and E. Forward computes
// the logits a chunk at a time and keeps each row's log-sum-exp, plus the chunks themselves when all of
// them take at most `keep_bytes`; backward takes (or recomputes) one chunk at a time, turns it into
// softmax minus one-hot in place and accumulates both gradients while it is in cache: one pass over the
// M x N logits instead of several, in the row kernels of detail/softmax_rows.h. Float32 CPU tensors only.
// `chunk` items per step, 0 = about 1 MB of logits per chunk.
at::Tensor chunked_full_softmax_loss(const at::Tensor& H, const at::Tensor& E, const at::Tensor& prior,
                                     const at::Tensor& target, const at::Tensor& mask_rows,
                                     const at::Tensor& mask_cols, int64_t chunk = 0,
                                     int64_t keep_bytes = int64_t{256} << 20);

}  // namespace stars::train
