// The optimizer against LibTorch's own: STARS' AdamW (multi-tensor updates on LibTorch 1.13, one fused kernel
// per group from 2.4; per-group learning-rate scale and weight decay, frozen groups) follows
// torch::optim::AdamW step for step, and the per-group clip matches torch::nn::utils::clip_grad_norm_ on each
// group.
#include "stars/train/adamw.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "stars/core/error.h"

namespace stars::train {
namespace {

struct Params {
  std::vector<at::Tensor> a, b;  // two groups
};

Params make_params(uint64_t seed) {
  torch::manual_seed(seed);
  Params p;
  for (auto shape : {std::vector<int64_t>{7, 5}, std::vector<int64_t>{5}}) p.a.push_back(torch::randn(shape).requires_grad_());
  for (auto shape : {std::vector<int64_t>{3, 4, 2}, std::vector<int64_t>{11}}) p.b.push_back(torch::randn(shape).requires_grad_());
  return p;
}

Params copy_params(const Params& src) {
  Params p;
  for (const auto& t : src.a) p.a.push_back(t.detach().clone().requires_grad_());
  for (const auto& t : src.b) p.b.push_back(t.detach().clone().requires_grad_());
  return p;
}

std::vector<model::ParamGroup> groups_of(const Params& p) {
  return {{"dense", p.a, {"a0", "a1"}}, {"embedding", p.b, {"b0", "b1"}}};
}

// The same seeded gradients on both copies.
void set_grads(const Params& x, const Params& y, int step) {
  torch::manual_seed(1000 + step);
  for (size_t i = 0; i < x.a.size(); ++i) {
    const at::Tensor g = torch::randn_like(x.a[i]) * (1 + step);
    x.a[i].mutable_grad() = g.clone();
    y.a[i].mutable_grad() = g.clone();
  }
  for (size_t i = 0; i < x.b.size(); ++i) {
    const at::Tensor g = torch::randn_like(x.b[i]) * 0.1;
    x.b[i].mutable_grad() = g.clone();
    y.b[i].mutable_grad() = g.clone();
  }
}

double max_diff(const std::vector<at::Tensor>& x, const std::vector<at::Tensor>& y) {
  double d = 0;
  for (size_t i = 0; i < x.size(); ++i) d = std::max(d, (x[i] - y[i]).abs().max().item<double>());
  return d;
}

TEST(AdamW, FollowsLibTorchsAdamWWithGroupRatesAndDecay) {
  const Params ours = make_params(3), ref = copy_params(ours);
  const double lr = 0.01, b1 = 0.9, b2 = 0.95, eps = 1e-8;
  AdamW opt(groups_of(ours), b1, b2, eps);
  opt.group("dense")->weight_decay = 0.1;
  opt.group("embedding")->lr_scale = 0.3;
  std::vector<torch::optim::OptimizerParamGroup> pg;
  pg.emplace_back(ref.a, std::make_unique<torch::optim::AdamWOptions>(
                             torch::optim::AdamWOptions(lr).betas({b1, b2}).eps(eps).weight_decay(0.1)));
  pg.emplace_back(ref.b, std::make_unique<torch::optim::AdamWOptions>(
                             torch::optim::AdamWOptions(lr * 0.3).betas({b1, b2}).eps(eps).weight_decay(0.0)));
  torch::optim::AdamW torch_opt(std::move(pg), torch::optim::AdamWOptions(lr));
  for (int s = 0; s < 6; ++s) {
    set_grads(ours, ref, s);
    {
      torch::NoGradGuard ng;
      opt.step(lr);
    }
    torch_opt.step();
    EXPECT_LT(max_diff(ours.a, ref.a), 1e-6) << "step " << s;
    EXPECT_LT(max_diff(ours.b, ref.b), 1e-6) << "step " << s;
  }
  // The updates moved the weights (a test that compares two frozen copies could not fail).
  EXPECT_GT(max_diff(ours.a, make_params(3).a), 1e-3);
  EXPECT_EQ(opt.group("dense")->step, 6);
}

// A parameter without a gradient on some step is left alone (weights and moments), and the others take that
// step as torch::optim::AdamW does. (Afterwards the two differ for it by design: the bias correction here uses
// the group's update count, LibTorch's the parameter's own.)
TEST(AdamW, AParameterWithoutAGradientIsLeftAloneForThatStep) {
  const Params ours = make_params(6), ref = copy_params(ours);
  const double lr = 0.01;
  AdamW opt(groups_of(ours), 0.9, 0.95, 1e-8);
  std::vector<torch::optim::OptimizerParamGroup> pg;
  pg.emplace_back(ref.a, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr).betas({0.9, 0.95}).eps(1e-8).weight_decay(0.0)));
  pg.emplace_back(ref.b, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr).betas({0.9, 0.95}).eps(1e-8).weight_decay(0.0)));
  torch::optim::AdamW torch_opt(std::move(pg), torch::optim::AdamWOptions(lr));
  for (int s = 0; s < 4; ++s) {
    set_grads(ours, ref, s);
    if (s == 3) {  // a1 gets no gradient this step
      ours.a[1].mutable_grad() = at::Tensor();
      ref.a[1].mutable_grad() = at::Tensor();
    }
    const at::Tensor a1_before = ours.a[1].detach().clone(), m_before = opt.group("dense")->m[1].clone();
    opt.step(lr);
    torch_opt.step();
    EXPECT_LT(max_diff({ours.a[0]}, {ref.a[0]}), 1e-6) << "step " << s;
    EXPECT_LT(max_diff(ours.b, ref.b), 1e-6) << "step " << s;
    if (s == 3) {
      EXPECT_TRUE(torch::equal(ours.a[1].detach(), a1_before));
      EXPECT_TRUE(torch::equal(opt.group("dense")->m[1], m_before));
    }
    EXPECT_LT(max_diff({ours.a[1]}, {ref.a[1]}), 1e-6) << "step " << s;
  }
}

TEST(AdamW, FrozenGroupsNeitherMoveNorCountSteps) {
  const Params ours = make_params(4), before = copy_params(ours), other = copy_params(ours);
  AdamW opt(groups_of(ours), 0.9, 0.95, 1e-8);
  set_grads(ours, other, 0);
  opt.set_frozen("embedding", true);  // drops the group's gradients and stops new ones
  EXPECT_FALSE(ours.b[0].requires_grad());
  EXPECT_FALSE(ours.b[0].grad().defined());
  opt.step(0.01);
  EXPECT_EQ(max_diff(ours.b, before.b), 0.0);
  EXPECT_GT(max_diff(ours.a, before.a), 1e-4);
  EXPECT_EQ(opt.group("embedding")->step, 0);
  opt.set_frozen("embedding", false);
  EXPECT_TRUE(ours.b[0].requires_grad());
}

TEST(AdamW, ClipsEachGroupLikeClipGradNorm) {
  const Params ours = make_params(5), ref = copy_params(ours);
  AdamW opt(groups_of(ours), 0.9, 0.95, 1e-8);
  set_grads(ours, ref, 3);  // group a's norm is well above 1, group b's below
  opt.clip_per_group(1.0);
  torch::nn::utils::clip_grad_norm_(ref.a, 1.0);
  torch::nn::utils::clip_grad_norm_(ref.b, 1.0);
  double na = 0, nb = 0;
  for (size_t i = 0; i < ours.a.size(); ++i) {
    EXPECT_TRUE(torch::allclose(ours.a[i].grad(), ref.a[i].grad(), 1e-5, 1e-6));
    na += ours.a[i].grad().pow(2).sum().item<double>();
  }
  for (size_t i = 0; i < ours.b.size(); ++i) {
    EXPECT_TRUE(torch::allclose(ours.b[i].grad(), ref.b[i].grad(), 1e-5, 1e-6));
    nb += ours.b[i].grad().pow(2).sum().item<double>();
  }
  EXPECT_NEAR(std::sqrt(na), 1.0, 1e-4);  // clipped to the bound
  EXPECT_LT(std::sqrt(nb), 0.99);         // left as it was
}

// Sparse gradients over some rows of a table (Δ with train.sparse_delta) against dense AdamW given the same
// gradients made dense, over 60 steps: each step lists a few rows (one of them twice, out of order), so that
// rows miss from 0 to dozens of steps, some more than the closed form's window; step 20 is dense (every row
// catches up first), and in steps 30-34 the table has no gradient at all (no step for it, as dense AdamW
// leaves a parameter without a gradient alone); every third step the rows about to be listed catch up first,
// as before a forward pass. A listed or caught-up row equals the dense one; a row neither listed nor caught
// up has not moved since (its missed steps wait); after flush_sparse every row and both moments equal the
// dense ones. Float tables go through the row kernels, double ones (as a GPU's would)
// through ATen's ops.
TEST(AdamW, SparseRowsFollowDenseAdamW) {
  for (const double wd : {0.0, 2.0})
  for (const double eps : {1e-30, 1e-8})
  for (const auto dtype : {torch::kFloat32, torch::kFloat64}) {
    for (const int64_t D : {7, 19}) {
      torch::manual_seed(11);
      const int64_t N = 40;
      const at::Tensor t = torch::randn({N, D}, dtype).requires_grad_(), bias = torch::randn({3}, dtype).requires_grad_();
      const at::Tensor dt = t.detach().clone().requires_grad_(), db = bias.detach().clone().requires_grad_();
      AdamW sparse({{"delta", {t, bias}, {"t", "b"}}}, 0.9, 0.95, eps), dense({{"delta", {dt, db}, {"t", "b"}}}, 0.9, 0.95, eps);
      sparse.group("delta")->weight_decay = dense.group("delta")->weight_decay = wd;  // 2% a step at lr 0.01
      // Float: rounding. Double: exact without epsilon; with it, the closed form's epsilon for the later missed
      // steps (header of adamw_rows.h), largest for the elements whose gradient happened to be tiny.
      const double tol = dtype == torch::kFloat32 ? 2e-5 : eps < 1e-20 ? 1e-13 : 2e-6;
      const auto diff = [](const at::Tensor& a, const at::Tensor& b) { return (a.detach() - b.detach()).abs().max().item<double>(); };
      const at::Tensor initial = t.detach().clone();
      std::vector<at::Tensor> last_value(N);
      for (int64_t r = 0; r < N; ++r) last_value[r] = t[r].detach().clone();
      for (int s = 0; s < 60; ++s) {
        const double lr = 0.01 * (1.0 + 0.5 * std::sin(s));  // a schedule: each step's size differs
        const at::Tensor gb = torch::randn({3}, dtype);
        bias.mutable_grad() = gb.clone();
        db.mutable_grad() = gb.clone();
        std::vector<int64_t> listed;
        if (s == 20) {
          t.mutable_grad() = torch::randn({N, D}, dtype);
          for (int64_t r = 0; r < N; ++r) listed.push_back(r);
        } else if (s < 30 || s >= 35) {
          // Rows 0-3 often, the others rarely: gaps from 0 to dozens of steps.
          const int64_t a = s % 4, b = 4 + (s * 7) % (N - 4), c = 4 + (s * 13 + 5) % (N - 4);
          listed = {b, a, c, a};
          if (s % 3 == 0) {  // as before a forward pass: the rows about to be read catch up, and equal the dense ones
            sparse.catch_up(t, listed);
            for (int64_t r : listed) {
              EXPECT_LT(diff(t[r], dt[r]), tol) << "caught-up row " << r << " step " << s << " D " << D << " dtype " << dtype;
              last_value[r] = t[r].detach().clone();
            }
          }
          const at::Tensor rows = torch::tensor(listed, torch::kLong);
          t.mutable_grad() = torch::sparse_coo_tensor(rows.unsqueeze(0), torch::randn({4, D}, dtype), {N, D});
        } else {
          t.mutable_grad() = at::Tensor();
        }
        dt.mutable_grad() = t.grad().defined() ? (t.grad().is_sparse() ? t.grad().to_dense() : t.grad().clone()) : at::Tensor();
        sparse.clip_per_group(1.0);
        dense.clip_per_group(1.0);
        sparse.step(lr);
        dense.step(lr);
        EXPECT_LT(diff(bias, db), tol);
        std::vector<bool> is_listed(N, false);
        for (int64_t r : listed) is_listed[r] = true;
        for (int64_t r = 0; r < N; ++r) {
          if (is_listed[r]) {
            EXPECT_LT(diff(t[r], dt[r]), tol) << "row " << r << " step " << s << " D " << D << " dtype " << dtype << " eps " << eps << " wd " << wd;
            last_value[r] = t[r].detach().clone();
          } else {
            EXPECT_TRUE(torch::equal(t[r].detach(), last_value[r])) << "row " << r << " step " << s;
          }
        }
      }
      EXPECT_TRUE(sparse.sparse_pending());
      sparse.flush_sparse();
      EXPECT_FALSE(sparse.sparse_pending());
      EXPECT_LT(diff(t, dt), tol) << "D " << D;
      EXPECT_LT(diff(sparse.group("delta")->m[0], dense.group("delta")->m[0]), tol);
      EXPECT_LT(diff(sparse.group("delta")->v[0], dense.group("delta")->v[0]), tol);
      EXPECT_GT(diff(t, initial), 1e-3) << "the weights moved";
      EXPECT_EQ(sparse.group("delta")->step, 60);
      model::NamedArrays saved;
      sparse.save(&saved);  // allowed once flushed
    }
  }
}

// Saving with rows behind is refused.
TEST(AdamW, SparseRowsMustCatchUpBeforeSaving) {
  const at::Tensor t = torch::zeros({5, 2}).requires_grad_();
  AdamW opt({{"delta", {t}, {"t"}}}, 0.9, 0.95, 1e-8);
  t.mutable_grad() = torch::sparse_coo_tensor(torch::tensor({{1}}, torch::kLong), torch::ones({1, 2}), {5, 2});
  opt.step(0.01);
  model::NamedArrays saved;
  EXPECT_THROW(opt.save(&saved), Error);
  opt.flush_sparse();
  EXPECT_NO_THROW(opt.save(&saved));
}

// Clipping counts a sparse gradient by its rows (duplicates summed first) and scales it: as the same gradient
// made dense would be.
TEST(AdamW, ClipsASparseGradientAsItsDenseForm) {
  torch::manual_seed(12);
  const at::Tensor t = torch::zeros({6, 4}).requires_grad_(), b = torch::zeros({5}).requires_grad_();
  const at::Tensor rt = t.detach().clone().requires_grad_(), rb = b.detach().clone().requires_grad_();
  t.mutable_grad() = torch::sparse_coo_tensor(torch::tensor({{4, 1, 4}}, torch::kLong), torch::randn({3, 4}) * 3, {6, 4});
  b.mutable_grad() = torch::randn({5});
  rt.mutable_grad() = t.grad().to_dense();
  rb.mutable_grad() = b.grad().clone();
  AdamW opt({{"delta", {t, b}, {"t", "b"}}}, 0.9, 0.95, 1e-8);
  opt.clip_per_group(1.0);
  torch::nn::utils::clip_grad_norm_(std::vector<at::Tensor>{rt, rb}, 1.0);
  ASSERT_TRUE(t.grad().is_sparse());
  EXPECT_TRUE(torch::allclose(t.grad().to_dense(), rt.grad(), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(b.grad(), rb.grad(), 1e-5, 1e-6));
  EXPECT_NEAR(std::sqrt(t.grad().to_dense().pow(2).sum().item<double>() + b.grad().pow(2).sum().item<double>()), 1.0, 1e-4);
}

// A gradient gathered by ascending unique ids, declared: taken as coalesced without a sort, it gives the same
// bits as the same gradient coalesced. A declaration that is not the gradient's is refused (CPU) or ignored.
// Float runs the row kernels; double the ATen ops (the path of other devices).
TEST(AdamW, DeclaredGradientRowsStepAsTheCoalescedGradient) {
  for (const auto dtype : {torch::kFloat32, torch::kFloat64}) {
  SCOPED_TRACE(dtype == torch::kFloat32 ? "float" : "double");
  torch::manual_seed(13);
  const int64_t N = 30, D = 6;
  const at::Tensor t = torch::randn({N, D}, dtype).requires_grad_(), ref = t.detach().clone().requires_grad_();
  AdamW declared({{"delta", {t}, {"t"}}}, 0.9, 0.95, 1e-8), plain({{"delta", {ref}, {"t"}}}, 0.9, 0.95, 1e-8);
  const auto backward = [&](const at::Tensor& p, const std::vector<int64_t>& ids, const at::Tensor& w) {
    at::embedding(p, torch::tensor(ids, torch::kLong), -1, false, /*sparse=*/true).mul(w).sum().backward();
  };
  for (int s = 0; s < 12; ++s) {
    std::vector<int64_t> ids;
    for (int64_t r = s % 3; r < N; r += 2 + s % 4) ids.push_back(r);
    const at::Tensor w = torch::randn({static_cast<int64_t>(ids.size()), D}, dtype) * 5;
    declared.catch_up(t, ids);
    plain.catch_up(ref, ids);
    declared.declare_grad_rows(t, ids);
    backward(t, ids, w);
    backward(ref, ids, w);
    ASSERT_FALSE(t.grad().is_coalesced());
    const void* values = t.grad()._values().data_ptr();
    declared.clip_per_group(1.0);
    plain.clip_per_group(1.0);
    EXPECT_TRUE(t.grad().is_coalesced());
    EXPECT_EQ(t.grad()._values().data_ptr(), values) << "the declared gradient itself, not a coalesced copy";
    declared.step(0.01);
    plain.step(0.01);
    declared.zero_grad();
    plain.zero_grad();
    ASSERT_TRUE(torch::equal(t.detach(), ref.detach())) << "step " << s;
  }
  declared.flush_sparse();
  plain.flush_sparse();
  EXPECT_TRUE(torch::equal(t.detach(), ref.detach()));
  EXPECT_TRUE(torch::equal(declared.group("delta")->m[0], plain.group("delta")->m[0]));

  EXPECT_THROW(declared.declare_grad_rows(t, {3, 1}), Error);  // not ascending
  EXPECT_THROW(declared.declare_grad_rows(t, {1, 1}), Error);  // not once
  declared.declare_grad_rows(t, {1, 4});  // as many rows as the gradient, other ones
  backward(t, {1, 5}, torch::ones({2, D}, dtype));
  EXPECT_THROW(declared.step(0.01), Error);
  declared.zero_grad();
  declared.declare_grad_rows(t, {1, 4});  // another row count (an id gathered twice): coalesced as usual
  backward(t, {1, 4, 4}, torch::ones({3, D}, dtype));
  EXPECT_NO_THROW(declared.step(0.01));
  declared.zero_grad();
  }
}

}  // namespace
}  // namespace stars::train
