// Invariants of the STARS network: attention against a naive reference, the attention mask, causality,
// padding invariance, save -> load_encoder -> identical outputs, content-only item vectors, context head.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <type_traits>

#include "stars/core/random.h"
#include "stars/data/dataset.h"
#include "stars/model/calendar_index.h"
#include "stars/model/encoder.h"
#include "stars/model/feature_schema.h"
#include "stars/model/item_content.h"
#include "stars/model/model_dir.h"
#include "stars/model/stars_net.h"
#include "stars/model/token_batch.h"
#include "test_world.h"

namespace stars::model {
namespace {

// Naive attention in double precision, one (b, h, i) at a time.
at::Tensor naive_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& allowed) {
  const auto qa = q.to(torch::kDouble), ka = k.to(torch::kDouble), va = v.to(torch::kDouble);
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), dh = q.size(3);
  at::Tensor out = torch::zeros({B, H, L, dh}, torch::kDouble);
  auto qA = qa.accessor<double, 4>(), kA = ka.accessor<double, 4>(), vA = va.accessor<double, 4>();
  auto mA = allowed.accessor<bool, 4>();
  auto oA = out.accessor<double, 4>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < L; ++i) {
        std::vector<double> w(L, 0.0);
        double mx = -1e300, sum = 0;
        for (int64_t j = 0; j < L; ++j) {
          if (!mA[mA.size(0) == 1 ? 0 : b][0][i][j]) continue;
          double s = 0;
          for (int64_t d = 0; d < dh; ++d) s += qA[b][h][i][d] * kA[b][h][j][d];
          w[j] = s / std::sqrt(static_cast<double>(dh));
          mx = std::max(mx, w[j]);
        }
        for (int64_t j = 0; j < L; ++j) {
          w[j] = mA[mA.size(0) == 1 ? 0 : b][0][i][j] ? std::exp(w[j] - mx) : 0.0;
          sum += w[j];
        }
        for (int64_t j = 0; j < L; ++j)
          for (int64_t d = 0; d < dh; ++d) oA[b][h][i][d] += w[j] / sum * vA[b][h][j][d];
      }
  return out;
}

TEST(Attention, MatchesNaiveReference) {
  torch::manual_seed(1);
  const int64_t B = 3, H = 2, L = 7, dh = 5;
  const at::Tensor q = torch::randn({B, H, L, dh}), k = torch::randn({B, H, L, dh}), v = torch::randn({B, H, L, dh});
  at::Tensor allowed = torch::rand({B, 1, L, L}).gt(0.4).logical_or(torch::eye(L, torch::kBool).view({1, 1, L, L}));
  const at::Tensor got = masked_attention(q, k, v, allowed, 0.0, false).to(torch::kDouble);
  const at::Tensor want = naive_attention(q, k, v, allowed);
  EXPECT_LT((got - want).abs().max().item<double>(), 1e-5);
  // The STARS mask too.
  const at::Tensor valid = torch::tensor({0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}, torch::kBool).view({3, 5});
  const at::Tensor m = stars_attention_mask(valid, true);
  const at::Tensor got2 = masked_attention(q, k, v, m, 0.0, false).to(torch::kDouble);
  EXPECT_LT((got2 - naive_attention(q, k, v, m)).abs().max().item<double>(), 1e-5);
}

// Causal attention (with LibTorch >= 2.0 the fused op, on CPU and on CUDA where there is one; with 1.13 the
// written ops under a causal mask) computes the naive function with the causal mask, and the written ops'
// gradients. The device run of bench/train/gpu_bench.sh runs this test on CUDA (float32 kernels).
TEST(Attention, CausalMatchesTheWrittenOps) {
  std::vector<torch::Device> devices{torch::kCPU};
  if (torch::cuda::is_available()) devices.emplace_back(torch::kCUDA);
  for (const torch::Device& dev : devices) {
    torch::manual_seed(2);
    const int64_t B = 3, H = 2, L = 7, dh = 6;  // dh not a multiple of 8, as the paper preset's 84
    const at::Tensor m = torch::ones({L, L}, torch::kBool).tril().view({1, 1, L, L});
    const at::Tensor q0 = torch::randn({B, H, L, dh}), k0 = torch::randn({B, H, L, dh}), v0 = torch::randn({B, H, L, dh});
    at::Tensor q = q0.to(dev).requires_grad_(), k = k0.to(dev).requires_grad_(), v = v0.to(dev).requires_grad_();
    const at::Tensor w = torch::randn({B, H, L, dh}).to(dev), md = m.to(dev);
    at::Tensor written = masked_attention(q, k, v, md, 0.0, false);
    const auto gw = torch::autograd::grad({(written * w).sum()}, {q, k, v});
    at::Tensor causal = causal_attention(q, k, v, 0.0, false);
    const auto gc = torch::autograd::grad({(causal * w).sum()}, {q, k, v});
    const double tol = dev.is_cpu() ? 1e-5 : 1e-4;
    EXPECT_LT((causal.cpu().to(torch::kDouble) - naive_attention(q0, k0, v0, m)).abs().max().item<double>(), tol) << dev;
    for (int i = 0; i < 3; ++i) EXPECT_LT((gc[i] - gw[i]).abs().max().item<double>(), tol) << dev << " gradient " << i;
    // Training mode with dropout 0 is the same function.
    EXPECT_LT((causal_attention(q, k, v, 0.0, true) - written).abs().max().item<double>(), tol) << dev;
  }
}

// DropoutSource draws its masks on several threads from a counter-based stream: the same masks as the sequential
// stream (SplitMix64 from seed ^ γ call, 16 bits per element, four elements per draw, the tail from one more draw).
TEST(DropoutSource, ThreadsDrawTheSequentialStream) {
  const int saved_threads = at::get_num_threads();
  at::set_num_threads(2);
  for (const int64_t n : {int64_t{1}, int64_t{7}, int64_t{200003}}) {
    DropoutSource src;
    src.reseed(123);
    for (uint64_t call = 1; call <= 2; ++call) {
      const double p = call == 1 ? 0.3 : 0.1;
      const at::Tensor got = src.apply(torch::ones({n}), p, true);
      const uint32_t threshold = static_cast<uint32_t>(std::lround(p * 65536.0));
      const float keep = static_cast<float>(1.0 / (1.0 - p));
      uint64_t state = 123 ^ (0x9E3779B97F4A7C15ULL * call);
      std::vector<float> want(static_cast<size_t>(n));
      int64_t i = 0;
      for (; i + 4 <= n; i += 4) {
        const uint64_t r = splitmix64(state);
        for (int k = 0; k < 4; ++k) want[i + k] = ((r >> (16 * k)) & 0xFFFF) < threshold ? 0.0f : keep;
      }
      uint64_t r = splitmix64(state);
      for (; i < n; ++i, r >>= 16) want[i] = (r & 0xFFFF) < threshold ? 0.0f : keep;
      const at::Tensor w = torch::from_blob(want.data(), {n}, torch::kFloat32);
      EXPECT_TRUE(got.equal(w)) << "n " << n << " call " << call;
    }
  }
  at::set_num_threads(saved_threads);
}

// The CPU kernel (attention_cpu) against the written ops on the same q, k, v: outputs and the gradient of qkv,
// for the STARS mask (user token or not, a row with no valid slot), the causal mask shared by all rows and a
// random mask; head sizes below, at and off the vector width, lengths from 1 to past three vector blocks; and
// with dropout, where both draw from identically seeded sources and must drop the same entries. Two threads, so
// that each thread's share of the (sequence, head) pairs counts.
TEST(Attention, CpuKernelMatchesTheWrittenOps) {
  const int saved_threads = at::get_num_threads();
  at::set_num_threads(2);
  torch::manual_seed(3);
  int cases = 0;
  for (const int64_t dh : {3, 16, 19, 32})
    for (const int64_t T : {1, 4, 15, 50}) {
      const int64_t B = 4, H = 3, D = H * dh;
      at::Tensor valid = torch::rand({B, T}).gt(0.3);
      valid[0].fill_(false);  // a row with no valid slot
      valid[1].fill_(true);
      for (int mask_kind = 0; mask_kind < 5; ++mask_kind) {
        at::Tensor allowed;
        if (mask_kind == 0) allowed = stars_attention_mask(valid, true);
        if (mask_kind == 1) allowed = stars_attention_mask(valid, false);
        const int64_t L = mask_kind == 0 ? T + 2 : T;
        if (mask_kind == 2) allowed = torch::ones({L, L}, torch::kBool).tril().view({1, 1, L, L});
        if (mask_kind == 3) allowed = torch::rand({B, 1, L, L}).gt(0.6).logical_or(torch::eye(L, torch::kBool).view({1, 1, L, L}));
        if (mask_kind == 4) {  // no diagonal, and key 0 attended by no query (its gradients are 0)
          allowed = torch::rand({B, 1, L, L}).gt(0.6);
          if (L == 1) allowed.fill_(true);
          for (int64_t i = 0; L > 1 && i < L; ++i) allowed.select(2, i).select(2, 1 + i % (L - 1)).fill_(true);
          if (L > 1) allowed.select(3, 0).fill_(false);
        }
        for (const double p : {0.0, 0.3}) {
          const at::Tensor y0 = torch::randn({B, L, 3 * D}) * 2.0, w = torch::randn({B, L, D});
          DropoutSource s1, s2;
          s1.reseed(77);
          s2.reseed(77);
          at::Tensor y1 = y0.clone().requires_grad_(), y2 = y0.clone().requires_grad_();
          const at::Tensor got = attention_cpu(y1, H, allowed, p, true, &s1);
          const at::Tensor yh = y2.view({B, L, 3, H, dh}).permute({2, 0, 3, 1, 4});
          const at::Tensor want = masked_attention(yh[0], yh[1], yh[2], allowed, p, true, &s2).transpose(1, 2).reshape({B, L, D});
          ASSERT_EQ(got.sizes(), want.sizes());
          const std::string where = "dh " + std::to_string(dh) + " L " + std::to_string(L) + " mask " + std::to_string(mask_kind) +
                                    " dropout " + std::to_string(p);
          EXPECT_LT((got - want).abs().max().item<double>(), 2e-5) << where;
          const at::Tensor g1 = torch::autograd::grad({(got * w).sum()}, {y1})[0];
          const at::Tensor g2 = torch::autograd::grad({(want * w).sum()}, {y2})[0];
          EXPECT_LT((g1 - g2).abs().max().item<double>(), 5e-5) << where;
          ++cases;
        }
      }
    }
  EXPECT_EQ(cases, 4 * 4 * 5 * 2);
  // Evaluation mode and a zero rate draw nothing: the source's next draw is the same afterwards.
  DropoutSource a, b;
  a.reseed(5);
  b.reseed(5);
  const at::Tensor y = torch::randn({2, 4, 6});
  const at::Tensor causal = torch::ones({4, 4}, torch::kBool).tril().view({1, 1, 4, 4});
  attention_cpu(y, 1, causal, 0.3, false, &a);
  attention_cpu(y, 1, causal, 0.0, true, &a);
  EXPECT_EQ(a.next_state(), b.next_state());
  // Without a backward to follow (no grad mode, or an input that needs no gradient) the softmax is not kept,
  // and the output is the same.
  const at::Tensor yg = y.clone().requires_grad_();
  const at::Tensor with_grad = attention_cpu(yg, 1, causal, 0.0, false, nullptr);
  EXPECT_TRUE(attention_cpu(y, 1, causal, 0.0, false, nullptr).equal(with_grad.detach()));
  {
    torch::NoGradGuard ng;
    EXPECT_TRUE(attention_cpu(yg, 1, causal, 0.0, false, nullptr).equal(with_grad.detach()));
  }
  at::set_num_threads(saved_threads);
}

// The CPU kernel's results do not depend on the thread count (each (sequence, head) pair is one thread's).
TEST(Attention, CpuKernelIsTheSameAtEveryThreadCount) {
  const int saved_threads = at::get_num_threads();
  torch::manual_seed(4);
  const int64_t B = 5, T = 20, H = 2, dh = 8;
  const at::Tensor allowed = stars_attention_mask(torch::rand({B, T}).gt(0.2), true);
  const at::Tensor y0 = torch::randn({B, T + 2, 3 * H * dh}), w = torch::randn({B, T + 2, H * dh});
  std::vector<at::Tensor> outs, grads;
  for (int threads : {1, 2, 3}) {
    at::set_num_threads(threads);
    DropoutSource s;
    s.reseed(9);
    at::Tensor y = y0.clone().requires_grad_();
    const at::Tensor o = attention_cpu(y, H, allowed, 0.2, true, &s);
    grads.push_back(torch::autograd::grad({(o * w).sum()}, {y})[0]);
    outs.push_back(o.detach());
  }
  at::set_num_threads(saved_threads);
  for (size_t i = 1; i < outs.size(); ++i) {
    EXPECT_TRUE(outs[i].equal(outs[0])) << i;
    EXPECT_TRUE(grads[i].equal(grads[0])) << i;
  }
}

TEST(Attention, CpuKernelRefusesBadInput) {
  const at::Tensor y = torch::randn({2, 4, 12});
  at::Tensor none = torch::ones({1, 1, 4, 4}, torch::kBool);
  none[0][0][2].fill_(false);
  EXPECT_THROW(attention_cpu(y, 2, none, 0.0, false, nullptr), Error);  // query 2 may attend no key
  const at::Tensor causal = torch::ones({4, 4}, torch::kBool).tril().view({1, 1, 4, 4});
  EXPECT_THROW(attention_cpu(y, 5, causal, 0.0, false, nullptr), Error);            // 12 is not 3 x 5 x dh
  EXPECT_THROW(attention_cpu(y, 2, causal.to(torch::kFloat), 0.0, false, nullptr), Error);
  EXPECT_THROW(attention_cpu(y, 2, torch::ones({3, 1, 4, 4}, torch::kBool), 0.0, false, nullptr), Error);  // 3 masks, 2 rows
  EXPECT_THROW(attention_cpu(y, 2, causal, 0.3, true, nullptr), Error);            // dropout without a source
  EXPECT_NO_THROW(attention_cpu(y, 2, causal, 0.0, false, nullptr));
  // Its backward is not differentiable: a second-order gradient is refused, not silently dropped.
  const at::Tensor yg = y.clone().requires_grad_();
  try {
    torch::autograd::grad({attention_cpu(yg, 2, causal, 0.0, false, nullptr).pow(2).sum()}, {yg}, {}, true, /*create_graph=*/true);
    ADD_FAILURE() << "a second-order gradient went through";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("second-order"), std::string::npos) << e.what();
  }
}

// Under causal_order the STARS mask is the causal mask at every position but the pad slots.
TEST(Attention, CausalOrderTurnsTheStarsMaskCausal) {
  const at::Tensor valid =
      torch::tensor({0, 0, 1, 1, 1, /**/ 0, 0, 0, 0, 0, /**/ 1, 1, 1, 1, 1, /**/ 1, 0, 1, 0, 1}, torch::kBool).view({4, 5});
  for (bool user : {true, false}) {
    const at::Tensor m = stars_attention_mask(valid, user).squeeze(1);  // (B, L, L)
    const at::Tensor order = causal_order(valid, user);               // (B, L)
    const int64_t B = 4, L = m.size(1);
    ASSERT_EQ(order.sizes(), (std::vector<int64_t>{B, L}));
    for (int64_t b = 0; b < B; ++b) {
      const at::Tensor ob = order[b];
      const auto o = ob.accessor<int64_t, 1>();
      std::vector<bool> seen(L, false);
      for (int64_t i = 0; i < L; ++i) seen[o[i]] = true;
      for (int64_t i = 0; i < L; ++i) ASSERT_TRUE(seen[i]) << "order is a permutation";
      // The mask between reordered positions, against the causal one, for every query that is not a pad slot.
      const at::Tensor mp = m[b].index_select(0, order[b]).index_select(1, order[b]);
      const at::Tensor causal = torch::ones({L, L}, torch::kBool).tril();
      const auto mpa = mp.accessor<bool, 2>(), ca = causal.accessor<bool, 2>();
      for (int64_t i = 0; i < L; ++i) {
        const int64_t pos = o[i];
        const bool pad = user ? (pos >= 1 && pos <= 5 && !valid[b][pos - 1].item<bool>()) : !valid[b][pos].item<bool>();
        if (pad) continue;
        for (int64_t j = 0; j < L; ++j) EXPECT_EQ(mpa[i][j], ca[i][j]) << "row " << b << " user " << user << " query " << pos << " key " << o[j];
      }
    }
  }
  const at::Tensor o3 = causal_order(valid, true)[3];  // 1 0 1 0 1: [USER] s0 s2 s4 [USER*] s1 s3
  const auto o = o3.accessor<int64_t, 1>();
  const std::vector<int64_t> want{0, 1, 3, 5, 6, 2, 4};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(o[i], want[i]) << i;
}

TEST(Attention, MaskStructure) {
  // Row 0: slots 0-1 are padding, slots 2-4 real.
  const at::Tensor valid = torch::tensor({0, 0, 1, 1, 1}, torch::kBool).view({1, 5});
  const at::Tensor m = stars_attention_mask(valid, true).squeeze(0).squeeze(0);  // (7, 7): [USER] s0..s4 [USER*]
  auto a = m.accessor<bool, 2>();
  for (int q = 0; q < 7; ++q) EXPECT_TRUE(a[q][0]) << "[USER] is visible to position " << q;
  for (int k = 1; k < 7; ++k) EXPECT_FALSE(a[0][k]) << "[USER] reads only static features";
  EXPECT_TRUE(a[4][3]) << "slot 3 sees earlier real slot 2";
  EXPECT_FALSE(a[3][4]) << "slot 2 does not see the later slot 3 (causal)";
  EXPECT_FALSE(a[4][1]) << "real slots never see padding";
  EXPECT_TRUE(a[1][1]) << "a padding slot sees itself (no empty softmax row)";
  for (int k = 3; k <= 5; ++k) EXPECT_TRUE(a[6][k]) << "[USER*] sees every real slot";
  EXPECT_FALSE(a[6][1]);
  for (int q = 0; q < 6; ++q) EXPECT_FALSE(a[q][6]) << "nobody reads [USER*]";
}

using testing::Built;
using testing::open_world;

ModelConfig test_config() {
  ModelConfig c = model_preset("tiny");
  c.n_layers = 2;
  return c;
}

// A batch of one user's first n events in T slots (no targets).
TokenBatch history_batch(const Built& w, const BatchFeaturizer& f, int32_t user, int n, int T,
                         const std::vector<int32_t>& replace_items = {}) {
  TokenBatch b;
  f.begin(&b, 1, T);
  const auto ue = w.ds->user_events(user);
  const float age = w.ds->user_numeric(0)[user];
  const int32_t reg = w.ds->user_categorical(0)[user];
  f.set_user(&b, 0, &age, &reg);
  const int64_t now = ue.ts[n - 1];
  for (int j = 0; j < n; ++j) {
    const int t = T - n + j;
    EventView v{ue.items[j], ue.ts[j], ue.types[j], ue.regions[j], nullptr, 0};
    if (!replace_items.empty()) v.item = replace_items[j];
    f.set_slot(&b, 0, t, v, j + 1 < n ? ue.ts[j + 1] : now);  // recency: to the next event (as the encoder)
    b.item_local[t] = v.item;
  }
  f.finish(&b);
  return b;
}

TEST(StarsNet, CausalityLaterItemsDoNotChangeEarlierOutputs) {
  const std::string dir = testing::make_world("causal");
  Built w = open_world(dir);
  StarsNet net(test_config(), w.schema, w.content, 5);
  net.set_training(false);
  ASSERT_TRUE(net.config().use_text && net.config().use_tags && net.config().use_user_token);
  BatchFeaturizer f(net.config(), w.schema, &w.calendar);
  const int T = net.config().max_len, n = 8;
  TokenBatch a = history_batch(w, f, 3, n, T);
  std::vector<int32_t> items;
  const auto ue = w.ds->user_events(3);
  for (int j = 0; j < n; ++j) items.push_back(ue.items[j]);
  items[5] = (items[5] + 7) % w.schema.num_items;  // change the 6th event's item
  TokenBatch b = history_batch(w, f, 3, n, T, items);
  torch::NoGradGuard ng;
  const NetOutputs oa = net.forward(net.make_tensors(a)), ob = net.forward(net.make_tensors(b));
  const int first_changed = T - n + 5;
  for (int t = T - n; t < T; ++t) {
    const double d = (oa.h_next[0][t] - ob.h_next[0][t]).abs().max().item<double>();
    if (t < first_changed) EXPECT_EQ(d, 0.0) << "slot " << t << " changed although only a later item did";
    else EXPECT_GT(d, 1e-6) << "slot " << t << " ignores the changed item";
  }
  EXPECT_GT((oa.h_gen - ob.h_gen).abs().max().item<double>(), 1e-6) << "h_gen reads the whole history";
}

// make_tensors packs every array of a batch into one buffer (one copy to a GPU) and hands out views of it:
// each field must come back with its own values, element type and shape, whatever lies next to it.
TEST(StarsNet, MakeTensorsCarriesEveryFieldAsIs) {
  const std::string dir = testing::make_world("pack");
  Built w = open_world(dir);
  StarsNet net(test_config(), w.schema, w.content, 5);
  BatchFeaturizer f(net.config(), w.schema, &w.calendar);
  const int T = net.config().max_len, n = 7;
  TokenBatch b = history_batch(w, f, 3, n, T);
  ASSERT_FALSE(b.cal_offsets.empty()) << "the test world has a calendar";
  ASSERT_FALSE(b.user_num.empty());
  b.uniq = {4, 9, 2, 7, 11};  // odd sizes: the next field starts at a padded offset
  for (int t = T - n; t < T; ++t) b.item_local[t] = (t * 3) % 5;  // local ids into uniq
  b.item_local[T - n] = 3;                                         // the first event: global 7
  b.n_targets = 3;
  b.n_cands = 3;
  b.tgt_slot = {T - 3, T - 2, T - 1};
  b.tgt_item = {9, 2, 7};
  b.cands = {1, 0, 4, 2, 3, 0, 3, 1, 2};
  b.shared = {0, 4};
  b.shared_item = {4, 11};
  b.tgt_hour = {1, 2, 3};
  b.tgt_dow = {4, 5, 6};
  b.tgt_week = {7, 8, 9};
  b.tgt_region = {0, 1, 0};
  b.tgt_cal_ids = {0, 1};
  b.tgt_cal_offsets = {0, 1, 2};
  b.row_last_target = {2};
  b.row_first_target = {0};
  b.hist_tgt = {0, 2};
  b.hist_item = {4, 2};
  b.hist_cand = {5};  // hist_shared stays empty: its tensor stays undefined
  b.cand_logq = {0.f, -1.5f, 2.25f, 0.f, 3.5f, -0.125f, 0.f, 7.f, -8.5f};
  b.tgt_shared_logq = {0.5f, 1.5f, 2.5f};
  b.shared_logq = {-3.f, -4.f};
  b.pair_logq_tgt = {1};
  b.pair_logq_col = {0};
  b.pair_logq = {-0.75f};
  const BatchTensors t = net.make_tensors(b);
  EXPECT_FALSE(t.hist_shared.defined());
  // Field x holds v (int64 or float) in the given shape.
  const auto same = [](const at::Tensor& x, const auto& v, std::vector<int64_t> shape, const char* name) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    ASSERT_TRUE(x.defined()) << name;
    const at::ScalarType want = std::is_same<T, float>::value ? at::kFloat : at::kLong;
    EXPECT_EQ(x.scalar_type(), want) << name;
    EXPECT_EQ(x.sizes().vec(), shape) << name;
    const at::Tensor c = x.contiguous();
    ASSERT_EQ(c.numel(), static_cast<int64_t>(v.size())) << name;
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(c.data_ptr<T>()[i], v[i]) << name << "[" << i << "]";
  };
  const int64_t B = 1, N = 3, C = 3;
  same(t.item_local, b.item_local, {B, T}, "item_local");
  ASSERT_EQ(t.valid.scalar_type(), at::kBool);
  EXPECT_EQ(t.valid.sizes().vec(), (std::vector<int64_t>{B, T}));
  for (int i = 0; i < T; ++i) EXPECT_EQ(t.valid[0][i].item<bool>(), b.valid[i] != 0) << "valid[" << i << "]";
  same(t.type, b.type, {B, T}, "type");
  same(t.hour, b.hour, {B, T}, "hour");
  same(t.dow, b.dow, {B, T}, "dow");
  same(t.week, b.week, {B, T}, "week");
  same(t.region, b.region, {B, T}, "region");
  same(t.recency, b.recency, {B, T}, "recency");
  same(t.cal_ids, b.cal_ids, {static_cast<int64_t>(b.cal_ids.size())}, "cal_ids");
  same(t.cal_offsets, b.cal_offsets, {static_cast<int64_t>(b.cal_offsets.size())}, "cal_offsets");
  same(t.user_num, b.user_num, {B, static_cast<int64_t>(b.user_num.size())}, "user_num");
  same(t.user_cat, b.user_cat, {B, static_cast<int64_t>(b.user_cat.size())}, "user_cat");
  same(t.uniq, b.uniq, {5}, "uniq");
  same(t.tgt_slot, b.tgt_slot, {N}, "tgt_slot");
  same(t.tgt_item, b.tgt_item, {N}, "tgt_item");
  same(t.cands, b.cands, {N, C}, "cands");
  same(t.shared, b.shared, {2}, "shared");
  same(t.shared_item, b.shared_item, {2}, "shared_item");
  same(t.tgt_hour, b.tgt_hour, {N}, "tgt_hour");
  same(t.tgt_dow, b.tgt_dow, {N}, "tgt_dow");
  same(t.tgt_week, b.tgt_week, {N}, "tgt_week");
  same(t.tgt_region, b.tgt_region, {N}, "tgt_region");
  same(t.tgt_cal_ids, b.tgt_cal_ids, {2}, "tgt_cal_ids");
  same(t.tgt_cal_offsets, b.tgt_cal_offsets, {N}, "tgt_cal_offsets");
  // row_last_target {2} becomes the list of rows with a final target and their targets.
  same(t.final_rows, std::vector<int64_t>{0}, {1}, "final_rows");
  same(t.final_targets, std::vector<int64_t>{2}, {1}, "final_targets");
  same(t.final_pos, std::vector<int64_t>{-1, -1, 0}, {N}, "final_pos");
  // row_first_target {0} (the row starts at its user's first event) likewise, for the cold-user loss.
  same(t.first_rows, std::vector<int64_t>{0}, {1}, "first_rows");
  same(t.first_targets, std::vector<int64_t>{0}, {1}, "first_targets");
  same(t.first_pos, std::vector<int64_t>{0, -1, -1}, {N}, "first_pos");
  same(t.first_items, std::vector<int64_t>{7}, {1}, "first_items");  // the first slot's item, global and local
  same(t.first_items_local, std::vector<int64_t>{3}, {1}, "first_items_local");
  same(t.hist_tgt, b.hist_tgt, {2}, "hist_tgt");
  same(t.hist_item, b.hist_item, {2}, "hist_item");
  same(t.hist_cand, b.hist_cand, {1}, "hist_cand");
  same(t.cand_logq, b.cand_logq, {N, C}, "cand_logq");
  same(t.tgt_shared_logq, b.tgt_shared_logq, {N}, "tgt_shared_logq");
  same(t.shared_logq, b.shared_logq, {2}, "shared_logq");
  same(t.pair_logq_tgt, b.pair_logq_tgt, {1}, "pair_logq_tgt");
  same(t.pair_logq_col, b.pair_logq_col, {1}, "pair_logq_col");
  same(t.pair_logq, b.pair_logq, {1}, "pair_logq");
  b.row_last_target = {-1};  // no row with a final target: empty lists, still defined
  const BatchTensors t2 = net.make_tensors(b);
  same(t2.final_rows, std::vector<int64_t>{}, {0}, "final_rows (none)");
  same(t2.final_targets, std::vector<int64_t>{}, {0}, "final_targets (none)");
  same(t2.final_pos, std::vector<int64_t>{-1, -1, -1}, {N}, "final_pos (none)");
  b = TokenBatch();  // the tensors own their data
  EXPECT_EQ(t.cands[2][0].item<int64_t>(), 3);
  EXPECT_EQ(t.pair_logq[0].item<float>(), -0.75f);
}

TEST(StarsNet, PaddingInvariance) {
  const std::string dir = testing::make_world("padding");
  Built w = open_world(dir);
  StarsNet net(test_config(), w.schema, w.content, 6);
  net.set_training(false);
  BatchFeaturizer f(net.config(), w.schema, &w.calendar);
  const int n = 5, T = net.config().max_len;
  TokenBatch full = history_batch(w, f, 7, n, T), tight = history_batch(w, f, 7, n, n);
  TokenBatch garbage = full;
  for (int t = 0; t < T - n; ++t) garbage.item_local[t] = (t * 5 + 1) % w.schema.num_items;  // junk in pad slots
  torch::NoGradGuard ng;
  const NetOutputs a = net.forward(net.make_tensors(full)), b = net.forward(net.make_tensors(tight)),
                   c = net.forward(net.make_tensors(garbage));
  for (int j = 0; j < n; ++j) {
    EXPECT_LT((a.h_next[0][T - n + j] - b.h_next[0][j]).abs().max().item<double>(), 1e-5) << "slot " << j;
    EXPECT_LT((a.h_next[0][T - n + j] - c.h_next[0][T - n + j]).abs().max().item<double>(), 1e-6) << "slot " << j;
  }
  EXPECT_LT((a.h_gen - b.h_gen).abs().max().item<double>(), 1e-5);
  EXPECT_LT((a.h_gen - c.h_gen).abs().max().item<double>(), 1e-6);
}

// model.fused_attention reorders each sequence (causal_order) and attends causally: the same function and the
// same gradients as the STARS mask at every position but the pad slots, with and without the [USER] token, for
// rows of different lengths, a row without events and a full one. Both nets start from the same seed.
TEST(StarsNet, FusedAttentionIsTheSameFunction) {
  const std::string dir = testing::make_world("fusedorder");
  Built w = open_world(dir);
  for (bool user : {true, false}) {
    ModelConfig c = test_config();
    c.use_user_token = user;
    ModelConfig cf = c;
    cf.fused_attention = true;
    StarsNet net(c, w.schema, w.content, 9), fnet(cf, w.schema, w.content, 9);
    BatchFeaturizer f(net.config(), w.schema, &w.calendar);
    const int T = net.config().max_len;
    const std::vector<int> lengths{3, 0, T, 7};
    TokenBatch b;
    f.begin(&b, static_cast<int32_t>(lengths.size()), T);
    for (size_t r = 0; r < lengths.size(); ++r) {
      const int32_t user_id = static_cast<int32_t>(r) + 2;
      const auto ue = w.ds->user_events(user_id);
      ASSERT_GE(static_cast<int>(ue.items.size()), lengths[r]);
      const float age = w.ds->user_numeric(0)[user_id];
      const int32_t reg = w.ds->user_categorical(0)[user_id];
      f.set_user(&b, static_cast<int32_t>(r), &age, &reg);
      const int n = lengths[r];
      for (int j = 0; j < n; ++j) {
        const int t = T - n + j;
        EventView v{ue.items[j], ue.ts[j], ue.types[j], ue.regions[j], nullptr, 0};
        f.set_slot(&b, static_cast<int32_t>(r), t, v, j + 1 < n ? ue.ts[j + 1] : ue.ts[n - 1]);
        b.item_local[r * T + t] = v.item;
      }
    }
    f.finish(&b);
    const BatchTensors bt = net.make_tensors(b);
    at::Tensor keep = bt.valid.to(torch::kFloat).unsqueeze(2);  // (B, T, 1): only real slots count
    NetOutputs o[2];
    StarsNet* nets[2] = {&net, &fnet};
    std::vector<at::Tensor> grads[2];
    torch::manual_seed(3);
    const at::Tensor wn = torch::randn({static_cast<int64_t>(lengths.size()), T, net.serving_dim()});
    const at::Tensor wg = torch::randn({static_cast<int64_t>(lengths.size()), net.serving_dim()});
    for (int i = 0; i < 2; ++i) {
      nets[i]->set_training(true);  // the tiny preset has no dropout
      o[i] = nets[i]->forward(bt);
      at::Tensor loss = (o[i].h_next * keep * wn).sum() + (o[i].h_gen * wg).sum();
      std::vector<at::Tensor> params;
      for (const auto& g : nets[i]->param_groups())
        for (const auto& p : g.params) params.push_back(p);
      for (const auto& g : torch::autograd::grad({loss}, params, {}, false, false, /*allow_unused=*/true))
        grads[i].push_back(g.defined() ? g : at::Tensor());
    }
    EXPECT_LT(((o[0].h_next - o[1].h_next) * keep).abs().max().item<double>(), 1e-5) << "user token " << user;
    EXPECT_LT((o[0].h_gen - o[1].h_gen).abs().max().item<double>(), 1e-5) << "user token " << user;
    EXPECT_GT((o[0].h_next - o[1].h_next).abs().max().item<double>(), 0.0) << "pad slots see more when reordered";
    ASSERT_EQ(grads[0].size(), grads[1].size());
    for (size_t i = 0; i < grads[0].size(); ++i) {
      ASSERT_EQ(grads[0][i].defined(), grads[1][i].defined()) << i;
      if (grads[0][i].defined()) {
        EXPECT_LT((grads[0][i] - grads[1][i]).abs().max().item<double>(), 1e-4) << "parameter " << i;
      }
    }
  }
}

TEST(StarsNet, SwitchesWithoutDataTurnOff) {
  data::TinyWorldOptions o;
  o.with_time = false;
  o.with_user_features = false;
  const std::string dir = testing::make_world("nodata", o, /*semantics=*/false);
  Built w = open_world(dir);
  StarsNet net(test_config(), w.schema, w.content, 1);
  EXPECT_FALSE(net.config().use_text) << "no semantics: no text part";
  EXPECT_TRUE(net.config().use_tags) << "dataset tags are used without semantics";
  EXPECT_FALSE(net.config().use_recency);
  EXPECT_FALSE(net.has_context_head());
  ModelConfig id = test_config();
  id.use_tags = false;
  id.head = "identity";
  StarsNet idnet(id, w.schema, w.content, 1);
  torch::NoGradGuard ng;
  const auto groups = idnet.param_groups();
  ASSERT_EQ(groups[0].name, "delta");
  EXPECT_TRUE(torch::equal(idnet.all_item_vectors(), groups[0].params[0])) << "ID-only item vectors are the embeddings";
}

// The gradient of sum(vectors * R) for each of params (zeros where a parameter gets none).
// Every parameter of the net and its name, in the optimizer's order.
std::pair<std::vector<at::Tensor>, std::vector<std::string>> named_params(const StarsNet& net) {
  std::pair<std::vector<at::Tensor>, std::vector<std::string>> out;
  for (const auto& g : net.param_groups())
    for (size_t i = 0; i < g.params.size(); ++i) {
      out.first.push_back(g.params[i]);
      out.second.push_back(g.names[i]);
    }
  return out;
}

std::vector<at::Tensor> grads_of(const std::vector<at::Tensor>& params, const at::Tensor& vectors, const at::Tensor& R) {
  for (auto p : params) p.mutable_grad() = at::Tensor();
  (vectors * R).sum().backward();
  std::vector<at::Tensor> g;
  for (const auto& p : params) g.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
  return g;
}

// The whole-catalog pass (all_item_vectors: on CPU, tag sums over the catalog's bags with a backward through
// the bags of items per tag, built with the model) is the same function as gathering every item
// (item_vectors: on CPU the bags of the requested items, transposed per call; elsewhere padded tag rows,
// embedding and sum), with the same gradients for every parameter. Both with the linear and the two-layer tag
// projection. GatheredTagSumsEqualThePaddedPath below checks the gathered path against the padded one.
TEST(StarsNet, CatalogPassEqualsGatheredItemsWithGradients) {
  const std::string dir = testing::make_world("catalogpass");
  Built w = open_world(dir);
  for (const char* proj : {"linear", "mlp"}) {
    ModelConfig c = test_config();
    c.tag_proj = proj;
    StarsNet net(c, w.schema, w.content, 4);
    ASSERT_TRUE(net.config().use_tags);
    net.set_training(false);
    const int64_t N = w.schema.num_items;
    torch::manual_seed(5);
    const at::Tensor R = torch::randn({N, net.serving_dim()});
    const std::vector<at::Tensor> params = named_params(net).first;
    const at::Tensor all = net.all_item_vectors();
    const at::Tensor gathered = net.item_vectors(torch::arange(N, torch::kLong));
    EXPECT_LT((all - gathered).abs().max().item<double>(), 1e-6) << proj;
    const auto ga = grads_of(params, all, R), gg = grads_of(params, gathered, R);
    int with_grad = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      EXPECT_LT((ga[i] - gg[i]).abs().max().item<double>(), 1e-5) << proj << " parameter " << i;
      with_grad += gg[i].abs().sum().item<double>() > 0;
    }
    EXPECT_GE(with_grad, 3) << "Δ, the tag table and the projection all get gradients";
  }
}

// The gathered item tower (item_vectors: on CPU the tag sums through bags of the requested items) against the
// padded path that new items' vectors take (content_item_vectors: tag ids padded to the tag slots, embedding,
// sum), for ids in random order with repeats: values, and every parameter's gradient but Δ's (the content path
// takes Δ = 0, as a fresh net's Δ is). And against the catalog pass, gathered.
TEST(StarsNet, GatheredTagSumsEqualThePaddedPath) {
  const std::string dir = testing::make_world("gatheredtags");
  Built w = open_world(dir);
  for (const char* proj : {"linear", "mlp"}) {
    ModelConfig c = test_config();
    c.tag_proj = proj;
    StarsNet net(c, w.schema, w.content, 6);
    ASSERT_TRUE(net.config().use_tags && net.config().use_text);
    net.set_training(false);
    const int64_t N = w.schema.num_items, slots = net.tag_slots();
    torch::manual_seed(6);
    const at::Tensor ids = torch::randint(0, N, {3 * N}, torch::kLong);  // every id about 3 times
    std::vector<int64_t> padded;
    std::vector<float> text;
    for (int64_t i = 0; i < ids.size(0); ++i) {
      const int32_t item = static_cast<int32_t>(ids[i].item<int64_t>());
      const auto t = w.content.tags_of(item);
      for (int64_t j = 0; j < slots; ++j) padded.push_back(j < static_cast<int64_t>(t.size()) ? t[j] : w.schema.num_tags);
      const auto x = w.content.text_of(item);
      text.insert(text.end(), x.begin(), x.end());
    }
    const at::Tensor tag_mat = torch::from_blob(padded.data(), {ids.size(0), slots}, torch::kInt64).clone();
    const at::Tensor text_t = torch::from_blob(text.data(), {ids.size(0), w.content.text_dim}, torch::kFloat32).clone();
    const auto [params, names] = named_params(net);
    const at::Tensor R = torch::randn({ids.size(0), net.serving_dim()});
    const at::Tensor got = net.item_vectors(ids), want = net.content_item_vectors(text_t, tag_mat);
    EXPECT_LT((got - want).abs().max().item<double>(), 1e-5) << proj;
    {
      torch::NoGradGuard ng;
      EXPECT_LT((got - net.all_item_vectors().index_select(0, ids)).abs().max().item<double>(), 1e-5) << proj;
    }
    const auto gg = grads_of(params, got, R), gw = grads_of(params, want, R);
    int compared = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      if (names[i].find("delta") != std::string::npos) continue;
      EXPECT_LT((gg[i] - gw[i]).abs().max().item<double>(), 1e-4) << proj << " " << names[i];
      compared += gw[i].abs().sum().item<double>() > 0;
    }
    EXPECT_GE(compared, 3) << "the tag table, its bias and the projection get gradients";
  }
  // Tags alone (no text, no Δ): the bags check the ids themselves.
  ModelConfig c = test_config();
  c.use_text = false;
  c.use_delta = false;
  StarsNet net(c, w.schema, w.content, 6);
  ASSERT_FALSE(net.config().use_delta);
  try {
    net.item_vectors(torch::tensor({int64_t{0}, int64_t{w.schema.num_items}}, torch::kLong));
    ADD_FAILURE() << "an item id outside the catalog went through";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("outside the catalog"), std::string::npos) << e.what();
  }
}

// set_sparse_delta_grad: the gathered item tower gives Δ a sparse gradient over the ids' rows that is, made
// dense, the gradient it gets otherwise; every other parameter's gradient is unchanged; the whole-catalog pass
// keeps a dense gradient. With text (Δ the offset) and without (Δ the item table).
TEST(StarsNet, SparseDeltaGradientIsTheDenseOneOnTheGatheredRows) {
  const std::string dir = testing::make_world("sparsedelta");
  Built w = open_world(dir);
  for (const bool text : {true, false}) {
    ModelConfig c = test_config();
    c.use_text = text;
    StarsNet net(c, w.schema, w.content, 8);
    ASSERT_TRUE(net.config().use_delta);
    net.set_training(false);
    const int64_t N = w.schema.num_items;
    torch::manual_seed(8);
    const at::Tensor ids = torch::randint(0, N / 2, {N}, torch::kLong);  // repeats, and rows never gathered
    const auto [params, names] = named_params(net);
    const at::Tensor R = torch::randn({N, net.serving_dim()});
    const auto dense = grads_of(params, net.item_vectors(ids), R);
    net.set_sparse_delta_grad(true);
    const auto sparse = grads_of(params, net.item_vectors(ids), R);
    int delta_seen = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      const bool is_delta = names[i] == "delta.weight";
      delta_seen += is_delta;
      EXPECT_EQ(sparse[i].is_sparse(), is_delta) << names[i];
      const at::Tensor s = sparse[i].is_sparse() ? sparse[i].to_dense() : sparse[i];
      EXPECT_LT((s - dense[i]).abs().max().item<double>(), 1e-6) << names[i] << " text " << text;
      if (is_delta) {
        EXPECT_GT(dense[i].abs().sum().item<double>(), 0.0);
        EXPECT_EQ(sparse[i].coalesce()._nnz(), std::get<0>(at::_unique(ids)).numel()) << "the gathered rows only";
      }
    }
    EXPECT_EQ(delta_seen, 1);
    const auto whole = grads_of(params, net.all_item_vectors(), R);
    for (size_t i = 0; i < params.size(); ++i)
      if (names[i] == "delta.weight") EXPECT_FALSE(whole[i].is_sparse());
  }
}

TEST(Encoder, SaveLoadGivesIdenticalOutputs) {
  const std::string dir = testing::make_world("saveload");
  Built w = open_world(dir);
  StarsNet net(test_config(), w.schema, w.content, 9);
  net.set_training(false);
  // Perturb Δ so that the saved weights are not the deterministic init.
  {
    torch::NoGradGuard ng;
    for (auto& g : net.param_groups())
      for (auto& p : g.params) p.add_(torch::randn_like(p) * 0.01);
  }
  const std::string mdir = testing::fresh_dir("saveload_model");
  ModelFiles files;
  files.config = net.config();
  files.schema = w.schema;
  files.content = w.content;
  files.calendar = w.calendar;
  save_model_description(mdir, files);
  save_model_weights(mdir, net.state());

  auto enc = load_encoder(mdir, 1);
  ASSERT_EQ(enc->dim(), net.serving_dim());
  ASSERT_EQ(enc->num_items(), w.schema.num_items);
  std::vector<EncoderInput> inputs(3);
  for (int u = 0; u < 3; ++u) {
    const auto ue = w.ds->user_events(u);
    inputs[u].user_numeric = {w.ds->user_numeric(0)[u]};
    inputs[u].user_categorical = {w.ds->user_categorical(0)[u]};
    for (size_t j = 0; j < 6 + static_cast<size_t>(u); ++j)
      inputs[u].events.push_back({ue.items[j], ue.ts[j], ue.types[j], ue.regions[j], {}});
  }
  const int S = enc->dim();
  std::vector<float> g1(3 * S), n1(3 * S), g2(3 * S), n2(3 * S);
  enc->encode(inputs.data(), 3, g1.data(), n1.data());
  auto enc2 = load_encoder(mdir, 1);
  enc2->encode(inputs.data(), 3, g2.data(), n2.data());
  EXPECT_EQ(g1, g2);
  EXPECT_EQ(n1, n2);

  // Against the in-memory network.
  BatchFeaturizer f(net.config(), w.schema, &w.calendar);
  torch::NoGradGuard ng;
  for (int u = 0; u < 3; ++u) {
    const TokenBatch b = history_batch(w, f, u, 6 + u, net.config().max_len);
    const NetOutputs o = net.forward(net.make_tensors(b));
    const at::Tensor hn = o.h_next[0][net.config().max_len - 1];
    for (int d = 0; d < S; ++d) {
      EXPECT_NEAR(n1[u * S + d], hn[d].item<float>(), 1e-5);
      EXPECT_NEAR(g1[u * S + d], o.h_gen[0][d].item<float>(), 1e-5);
    }
  }
  std::vector<float> items(static_cast<size_t>(enc->num_items()) * S);
  enc->item_vectors(items.data());
  const at::Tensor table = net.all_item_vectors();
  EXPECT_LT((torch::from_blob(items.data(), {enc->num_items(), S}) - table).abs().max().item<double>(), 1e-6);
}

TEST(ModelDir, ItemIdsAreKeptAndCheckedAgainstTheDataset) {
  const std::string dir = testing::make_world("itemids");
  Built w = open_world(dir);
  ModelFiles files;
  files.config = test_config();
  files.schema = w.schema;
  files.content = w.content;
  files.calendar = w.calendar;
  files.item_ids = dataset_item_ids(*w.ds);
  ASSERT_EQ(files.item_ids.size(), static_cast<size_t>(w.ds->num_items()));
  const std::string mdir = testing::fresh_dir("itemids_model");
  save_model_description(mdir, files);
  EXPECT_EQ(load_model_files(mdir, false).item_ids, files.item_ids);
  EXPECT_NO_THROW(check_model_items(mdir, *w.ds));

  // Two items swapped: the dataset numbers them otherwise; the error names the first one and the count.
  std::swap(files.item_ids[3], files.item_ids[5]);
  const std::string swapped = testing::fresh_dir("itemids_swapped");
  save_model_description(swapped, files);
  try {
    check_model_items(swapped, *w.ds);
    ADD_FAILURE() << "a model of other items passed";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("item 3 is '" + files.item_ids[3] + "' in the model, '" + std::string(w.ds->item_raw_id(3)) +
                        "' in the dataset (2 of " + std::to_string(w.ds->num_items()) + " items differ)"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(swapped), std::string::npos) << what;
  }

  // A dataset with more items than the model knows.
  data::TinyWorldOptions more;
  more.items_per_group = 9;
  const std::string bigger = testing::make_world("itemids_bigger", more);
  auto big = data::Dataset::open(bigger);
  ASSERT_GT(big->num_items(), w.ds->num_items());
  EXPECT_THROW(check_model_items(mdir, *big), Error);

  // A model written before item ids were kept is checked by count only.
  files.item_ids.clear();
  const std::string old = testing::fresh_dir("itemids_old");
  save_model_description(old, files);
  EXPECT_TRUE(load_model_files(old, false).item_ids.empty());
  EXPECT_NO_THROW(check_model_items(old, *w.ds));
  EXPECT_THROW(check_model_items(old, *big), Error);
}

TEST(Encoder, NewItemsFromContentAndContextOffsets) {
  const std::string dir = testing::make_world("content");
  Built w = open_world(dir);
  StarsNet net(test_config(), w.schema, w.content, 11);  // Δ = 0 at init: trained items are content-only too
  const std::string mdir = testing::fresh_dir("content_model");
  ModelFiles files;
  files.config = net.config();
  files.schema = w.schema;
  files.content = w.content;
  files.calendar = w.calendar;
  save_model_description(mdir, files);
  save_model_weights(mdir, net.state());
  auto enc = load_encoder(mdir, 1);
  const int S = enc->dim();
  std::vector<float> items(static_cast<size_t>(enc->num_items()) * S), v(S);
  enc->item_vectors(items.data());
  const int32_t src = 5;
  const auto text = w.content.text_of(src);
  const auto tags = w.content.tags_of(src);
  const int32_t id = enc->set_item_content(-1, text.data(), tags.data(), tags.size(), v.data());
  EXPECT_EQ(id, w.schema.num_items);
  EXPECT_EQ(enc->num_items(), w.schema.num_items + 1);
  for (int d = 0; d < S; ++d) EXPECT_NEAR(v[d], items[src * S + d], 1e-5) << "same content, Δ = 0: same vector";
  // A new item can then appear in a history.
  EncoderInput in;
  in.events.push_back({id, 1700000000, 1, 0, {}});
  std::vector<float> g(S), n(S);
  EXPECT_NO_THROW(enc->encode(&in, 1, g.data(), n.data()));
  const int32_t bad_tag = w.schema.num_tags + 3;
  EXPECT_THROW(enc->set_item_content(-1, text.data(), &bad_tag, 1, v.data()), Error);

  ServingContext morning, evening;
  morning.ts = 1700000000 - (1700000000 % 86400) + 8 * 3600;
  evening.ts = morning.ts + 12 * 3600;
  std::vector<float> om(S), oe(S);
  enc->context_offset(morning, om.data());
  enc->context_offset(evening, oe.data());
  EXPECT_NE(om, oe) << "the context head depends on the hour";
}

}  // namespace
}  // namespace stars::model
