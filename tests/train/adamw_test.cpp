// The optimizer against LibTorch's own: STARS' AdamW (multi-tensor updates on LibTorch 1.13, one fused kernel
// per group from 2.4; per-group learning-rate scale and weight decay, frozen groups) follows
// torch::optim::AdamW step for step, and the per-group clip matches torch::nn::utils::clip_grad_norm_ on each
// group.
#include "stars/train/adamw.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

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

}  // namespace
}  // namespace stars::train
