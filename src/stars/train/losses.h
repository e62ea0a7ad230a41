// The losses of `stars train` (paper §4.3, eq. 1-5), on one batch:
//   main      softmax over the candidate slice [target, negatives] of (h_next(t) + o_t)·e_k + b_k,
//             or over the whole catalog with loss = full (the SASRec cross-entropy)
//   gen       the same for h_gen on each sequence's final target, weight gen_weight
//   cold      h_user (the cold-user head over the [USER] token: static features alone) on each user's earliest
//             target, against detached item vectors and offsets, weight cold_user_weight, when the data has
//             static user features: the vector of a user without events
//   logistic  -log σ(z_target) - mean_k log σ(-z_neg_k) on the candidate slice, weight logistic_weight
//   slice     softmax over the target's own slice [target, its negatives] without logQ correction: the
//             pick among the page's and subclass's alternatives, weight slice_weight
//   in-batch  softmax of final h_next against the final targets of the other rows, weight inbatch_weight
// with b_k = -γ log π_k (training only; serving ranks by (h + o)·e). With the logQ correction each
// negative's logit loses the log of its expected occurrences; with history exclusion the user's earlier
// items are masked out of every softmax. No shape depends on the data outside the CPU's chunked softmax,
// so that a GPU step never waits for the host.
#pragma once

#include <ATen/core/Tensor.h>

#include "stars/model/stars_net.h"
#include "stars/train/train_config.h"

namespace stars::train {

struct Losses {
  at::Tensor total;
  at::Tensor main, gen, cold, logistic, slice, inbatch;  // undefined when off; means over this batch's rows
};

// Data-parallel training: the share of the whole batch's rows that this rank's part holds, for each kind
// of mean: targets (main, logistic, slice), final targets (gen, in-batch) and first targets (cold). Each
// loss enters `total` multiplied by its share, so that the ranks' summed gradients are those of the whole
// batch's means (the in-batch loss excepted: its negatives are the rank's own rows). 1 = a single process.
struct LossShares {
  double targets = 1.0, final_targets = 1.0, first_targets = 1.0;
};

// The losses of a batch `bt` from the network's outputs `out`; `prior` (N) is b_k (undefined: none);
// `full` = loss over the whole catalog instead of the candidate slices.
Losses compute_losses(const model::StarsNet& net, const model::BatchTensors& bt, const model::NetOutputs& out,
                      const at::Tensor& prior, const TrainConfig& cfg, bool full, const LossShares& shares = {});

}  // namespace stars::train
