// The sampled-softmax losses of train/losses.h against the same losses written out one target at a time,
// on a hand-made batch where rows have several targets, some of them final, with history exclusion, shared
// negatives, logQ correction and per-pair corrections on final and non-final targets alike.
#include "stars/train/losses.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "../model/test_world.h"
#include "stars/model/stars_net.h"
#include "stars/model/token_batch.h"
#include "stars/train/train_config.h"

namespace stars::train {
namespace {

using model::BatchTensors;
using model::NetOutputs;
using model::StarsNet;
using model::TokenBatch;

// -log softmax(z - q)[0] over the columns not masked, in double.
double slice_nll(const std::vector<double>& z, const std::vector<double>& q, const std::vector<bool>& masked) {
  double mx = -std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < z.size(); ++c)
    if (!masked[c]) mx = std::max(mx, z[c] - q[c]);
  double sum = 0;
  for (size_t c = 0; c < z.size(); ++c)
    if (!masked[c]) sum += std::exp(z[c] - q[c] - mx);
  return -(z[0] - q[0] - mx - std::log(sum));
}

TEST(Losses, MainGenAndColdUserLossesAreEachTargetsCorrectedSliceWrittenOut) {
  const testing::Built w = testing::open_world(testing::make_world("losses"));
  model::ModelConfig mc = model::model_preset("tiny");
  StarsNet net(mc, w.schema, w.content, 11);
  net.set_training(false);
  model::BatchFeaturizer f(mc, w.schema, &w.calendar);
  const int32_t B = 2, T = 4, N = w.schema.num_items;
  ASSERT_GE(N, 20);

  // Two users' first 4 events; row 0 predicts slots 1-3 (targets 0-2, final 2), row 1 slots 2-3 (3-4, final 4).
  TokenBatch b;
  f.begin(&b, B, T);
  for (int32_t r = 0; r < B; ++r) {
    const int32_t user = 2 + r;
    const auto ue = w.ds->user_events(user);
    ASSERT_GE(ue.items.size(), static_cast<size_t>(T));
    const float age = w.ds->user_numeric(0)[user];
    const int32_t reg = w.ds->user_categorical(0)[user];
    f.set_user(&b, r, &age, &reg);
    for (int32_t t = 0; t < T; ++t) {
      const model::EventView v{ue.items[t], ue.ts[t], ue.types[t], ue.regions[t], nullptr, 0};
      f.set_slot(&b, r, t, v, t + 1 < T ? ue.ts[t + 1] : ue.ts[t] + 3600);
      b.item_local[r * T + t] = v.item;  // no `uniq`: local ids are global ids
    }
  }
  f.finish(&b);
  const int64_t n_t = 5, C = 3, K = 4;
  b.n_targets = n_t;
  b.n_cands = static_cast<int32_t>(C);
  b.tgt_slot = {0 * T + 1, 0 * T + 2, 0 * T + 3, 1 * T + 2, 1 * T + 3};
  b.tgt_item = {3, 8, 5, 12, 7};
  for (int64_t i = 0; i < n_t; ++i) f.add_target_context(&b, 1700000000 + 7200 * i, 0);
  // Column 0 is the target; the rest are its negatives.
  b.cands = {3, 9, 4, /**/ 8, 1, 13, /**/ 5, 6, 10, /**/ 12, 2, 17, /**/ 7, 11, 14};
  b.shared = {15, 16, 5, 18};  // item 5 is target 2's own item: masked for it
  b.shared_item = b.shared;
  // Row 0's first event is also one of its first target's negatives: the cold loss with the prior, which
  // predicts that event, must not count it as a negative.
  ASSERT_NE(b.item_local[0], b.tgt_item[0]);
  b.cands[0 * C + 2] = b.item_local[0];
  b.row_last_target = {2, 4};
  b.row_first_target = {0, 3};  // both rows start at their user's first event
  // History exclusion: candidate and shared columns holding an earlier item of the target's user, for final
  // and non-final targets.
  b.hist_cand = {0 * C + 1, 2 * C + 2, 3 * C + 1, 4 * C + 2};
  b.hist_shared = {1 * K + 0, 2 * K + 3, 4 * K + 1};
  b.hist_tgt = {0, 2, 3, 4};  // (used by the full softmax only; kept consistent)
  b.hist_item = {9, 10, 2, 14};
  b.cand_logq = {0.f, -1.2f, 0.4f, /**/ 0.f, 0.3f, -0.7f, /**/ 0.f, -2.f, 0.9f, /**/ 0.f, 0.1f, 0.2f, /**/ 0.f, -0.5f, 1.1f};
  b.tgt_shared_logq = {0.5f, -0.25f, 0.75f, 0.f, 1.f};
  b.shared_logq = {-1.f, -0.5f, 0.25f, -2.f};
  // Shared negatives also on the target's page or in its subclass: their own correction, for targets 0, 1, 2, 4.
  b.pair_logq_tgt = {0, 1, 2, 4, 4};
  b.pair_logq_col = {2, 3, 1, 0, 3};
  b.pair_logq = {1.5f, 0.8f, 2.f, -0.6f, 0.9f};

  TrainConfig cfg = stars_preset("tiny").train;
  cfg.loss = "sampled";
  cfg.gen_weight = 0.7;
  cfg.cold_user_weight = 0.3;
  cfg.logistic_weight = 0;
  cfg.slice_weight = 0;
  cfg.inbatch_weight = 0;
  torch::manual_seed(3);
  const at::Tensor prior = torch::randn({N});
  torch::NoGradGuard ng;
  const BatchTensors bt = net.make_tensors(b);
  const NetOutputs out = net.forward(bt);
  const Losses L = compute_losses(net, bt, out, prior, cfg, false);
  ASSERT_TRUE(L.main.defined() && L.gen.defined() && L.cold.defined());

  // Written out: each target's slice [target, negatives, shared], masked and corrected, in double.
  const int64_t S = out.h_next.size(2);
  const at::Tensor items = out.items.to(torch::kDouble);
  at::Tensor O = torch::zeros({n_t, S}, torch::kDouble);
  if (net.has_context_head())
    O = net.context_offset(bt.tgt_hour, bt.tgt_dow, bt.tgt_week, bt.tgt_region, bt.tgt_cal_ids, bt.tgt_cal_offsets).to(torch::kDouble);
  // h: (S) user vector before the context offset; `extra`: a further prior (the cold-user head's); `label`:
  // another item in the target's place (the cold-user loss: the user's first event), no history masked.
  const auto nll = [&](const at::Tensor& h, int64_t t, const std::vector<float>* extra = nullptr, int64_t label = -1) {
    const at::Tensor hv = h.to(torch::kDouble) + O[t];
    std::vector<double> z, q;
    std::vector<bool> masked;
    const auto add = [&](int64_t item, double logq, bool mask) {
      z.push_back((hv * items[item]).sum().item<double>() + prior[item].item<double>() + (extra ? (*extra)[item] : 0.0));
      q.push_back(logq);
      masked.push_back(mask);
    };
    const auto has = [](const std::vector<int64_t>& v, int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); };
    for (int64_t c = 0; c < C; ++c) {
      if (label >= 0) add(c == 0 ? label : b.cands[t * C + c], b.cand_logq[t * C + c], c > 0 && b.cands[t * C + c] == label);
      else add(b.cands[t * C + c], b.cand_logq[t * C + c], c > 0 && has(b.hist_cand, t * C + c));
    }
    for (int64_t k = 0; k < K; ++k) {
      double logq = b.tgt_shared_logq[t] + b.shared_logq[k];
      for (size_t p = 0; p < b.pair_logq.size(); ++p)
        if (b.pair_logq_tgt[p] == t && b.pair_logq_col[p] == k) logq = b.pair_logq[p];
      if (label >= 0) add(b.shared[k], logq, b.shared_item[k] == label);
      else add(b.shared[k], logq, b.shared_item[k] == b.tgt_item[t] || has(b.hist_shared, t * K + k));
    }
    return slice_nll(z, q, masked);
  };
  double main = 0;
  for (int64_t t = 0; t < n_t; ++t) main += nll(out.h_next.reshape({-1, S})[b.tgt_slot[t]], t);
  main /= n_t;
  double gen = 0;
  for (int32_t r = 0; r < B; ++r) gen += nll(out.h_gen[r], b.row_last_target[r]);
  gen /= B;
  double cold = 0;  // the cold-user head on the rows' first targets
  for (int32_t r = 0; r < B; ++r) cold += nll(out.h_user[r], b.row_first_target[r]);
  cold /= B;
  EXPECT_NEAR(L.main.item<double>(), main, 1e-5 * std::abs(main));
  EXPECT_NEAR(L.gen.item<double>(), gen, 1e-5 * std::abs(gen));
  EXPECT_NEAR(L.cold.item<double>(), cold, 1e-5 * std::abs(cold));
  EXPECT_GT((out.h_user - out.h_gen).abs().max().item<double>(), 1e-3);  // another vector than h_gen
  EXPECT_NEAR(L.total.item<double>(), main + cfg.gen_weight * gen + cfg.cold_user_weight * cold, 1e-5 * (main + gen + cold));

  // With the cold-user head's prior (train.cold_user_prior) the cold loss adds it to its logits and predicts
  // each row's first event (slot 0) among its first target's negatives, without history exclusion; the
  // other losses do not change.
  {
    std::vector<float> cp(static_cast<size_t>(N));
    for (int32_t i = 0; i < N; ++i) cp[i] = 0.4f * static_cast<float>(i % 7) - 1.0f;
    net.set_cold_user_prior(cp);
    const Losses P = compute_losses(net, bt, net.forward(bt), prior, cfg, false);
    net.set_cold_user_prior({});
    double cold_p = 0;
    for (int32_t r = 0; r < B; ++r) cold_p += nll(out.h_user[r], b.row_first_target[r], &cp, b.item_local[r * T]);
    cold_p /= B;
    EXPECT_GT(std::abs(cold_p - cold), 1e-3) << "the prior matters in this batch";
    EXPECT_NEAR(P.cold.item<double>(), cold_p, 1e-5 * std::abs(cold_p));
    EXPECT_NEAR(P.main.item<double>(), main, 1e-5 * std::abs(main));
    EXPECT_NEAR(P.gen.item<double>(), gen, 1e-5 * std::abs(gen));
  }

  // A row without a final target has no gen term: only row 1's is left.
  b.row_last_target = {-1, 4};
  const BatchTensors bt1 = net.make_tensors(b);
  const Losses L1 = compute_losses(net, bt1, net.forward(bt1), prior, cfg, false);
  const double gen1 = nll(out.h_gen[1], 4);
  EXPECT_NEAR(L1.gen.item<double>(), gen1, 1e-5 * std::abs(gen1));
  EXPECT_NEAR(L1.cold.item<double>(), cold, 1e-5 * std::abs(cold));
  // Only row 1 starts at its user's first event: its first target alone (pairs of target 0 go to the spare).
  b.row_first_target = {-1, 3};
  const BatchTensors bt2 = net.make_tensors(b);
  const Losses L2 = compute_losses(net, bt2, net.forward(bt2), prior, cfg, false);
  const double cold2 = nll(out.h_user[1], 3);
  EXPECT_NEAR(L2.cold.item<double>(), cold2, 1e-5 * std::abs(cold2));
  EXPECT_NEAR(L2.gen.item<double>(), gen1, 1e-5 * std::abs(gen1));
  EXPECT_NEAR(L1.main.item<double>(), main, 1e-5 * std::abs(main));

  // train.slice_logits=matmul (every target against all items, then its candidates picked): the same losses
  // as written out above, and the same gradients, the logistic and own-slice losses included.
  TrainConfig mcfg = cfg;
  mcfg.slice_logits = "matmul";
  const Losses M = compute_losses(net, bt, out, prior, mcfg, false);
  EXPECT_NEAR(M.main.item<double>(), main, 1e-5 * std::abs(main));
  EXPECT_NEAR(M.gen.item<double>(), gen, 1e-5 * std::abs(gen));
  EXPECT_NEAR(M.cold.item<double>(), cold, 1e-5 * std::abs(cold));
  {
    torch::AutoGradMode grad_on(true);
    std::vector<at::Tensor> params;
    for (const auto& g : net.param_groups())
      for (const auto& p : g.params) params.push_back(p);
    std::vector<at::Tensor> grads[2];
    for (int m = 0; m < 2; ++m) {
      TrainConfig gcfg = m == 0 ? cfg : mcfg;
      gcfg.logistic_weight = 0.2;
      gcfg.slice_weight = 0.3;
      const Losses G = compute_losses(net, bt, net.forward(bt), prior, gcfg, false);
      ASSERT_TRUE(G.logistic.defined() && G.slice.defined());
      for (const auto& g : torch::autograd::grad({G.total}, params, {}, false, false, /*allow_unused=*/true))
        grads[m].push_back(g);
    }
    for (size_t i = 0; i < params.size(); ++i) {
      ASSERT_EQ(grads[0][i].defined(), grads[1][i].defined()) << "parameter " << i;
      if (grads[0][i].defined()) {
        EXPECT_LT((grads[0][i] - grads[1][i]).abs().max().item<double>(), 1e-5) << "parameter " << i;
      }
    }
  }
}

}  // namespace
}  // namespace stars::train
