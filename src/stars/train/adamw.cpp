#include "stars/train/adamw.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <cmath>

#include "stars/core/error.h"

// LibTorch 2.4 has the fused AdamW kernel on CPU and CUDA: one launch per group instead of eight multi-tensor ops.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define STARS_FUSED_ADAMW 1
#endif

namespace stars::train {

#ifdef STARS_FUSED_ADAMW
namespace {

// The fused kernel takes float32 parameters on one device.
bool fusable(const std::vector<at::Tensor>& ps) {
  for (const auto& p : ps)
    if (p.scalar_type() != at::kFloat || p.device() != ps[0].device()) return false;
  return true;
}

}  // namespace
#endif

AdamW::AdamW(std::vector<model::ParamGroup> groups, double beta1, double beta2, double eps)
    : beta1_(beta1), beta2_(beta2), eps_(eps) {
  torch::NoGradGuard ng;
  for (auto& g : groups) {
    Group x;
    x.name = g.name;
    x.params = g.params;
    x.names = g.names;
    for (const auto& p : x.params) {
      x.m.push_back(torch::zeros_like(p));
      x.v.push_back(torch::zeros_like(p));
    }
    groups_.push_back(std::move(x));
  }
}

AdamW::Group* AdamW::group(const std::string& name) {
  for (auto& g : groups_)
    if (g.name == name) return &g;
  return nullptr;
}

void AdamW::set_frozen(const std::string& name, bool frozen) {
  Group* g = group(name);
  if (!g) return;
  g->frozen = frozen;
  for (auto& p : g->params) {
    p.set_requires_grad(!frozen);
    if (frozen && p.grad().defined()) p.mutable_grad() = at::Tensor();
  }
}

void AdamW::clip_per_group(double max_norm) {
  if (max_norm <= 0) return;
  torch::NoGradGuard ng;
  for (auto& g : groups_) {
    if (g.frozen) continue;
    std::vector<at::Tensor> grads;
    for (auto& p : g.params)
      if (p.grad().defined()) grads.push_back(p.grad());
    if (grads.empty()) continue;
    // Multi-tensor ops: one launch per group on a GPU instead of one per parameter; on the CPU they run the
    // same per-tensor ops as a loop would.
    const at::Tensor total = torch::stack(at::_foreach_norm(grads, 2)).to(torch::kFloat32).norm(2);
    const at::Tensor coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
    at::_foreach_mul_(grads, coef);
#else
    for (auto& x : grads) x.mul_(coef);
#endif
  }
}

void AdamW::step(double lr) {
  torch::NoGradGuard ng;
  for (auto& g : groups_) {
    if (g.frozen) continue;
    std::vector<at::Tensor> ps, gs, ms, vs;
    for (size_t i = 0; i < g.params.size(); ++i) {
      if (!g.params[i].grad().defined()) continue;
      ps.push_back(g.params[i]);
      gs.push_back(g.params[i].grad());
      ms.push_back(g.m[i]);
      vs.push_back(g.v[i]);
    }
    if (ps.empty()) continue;
    ++g.step;
    const double glr = lr * g.lr_scale;
    const double bc1 = 1.0 - std::pow(beta1_, static_cast<double>(g.step));
    const double bc2 = 1.0 - std::pow(beta2_, static_cast<double>(g.step));
    const double step_size = glr / bc1;
    const double sqrt_bc2 = std::sqrt(bc2);
#ifdef STARS_FUSED_ADAMW
    // The same update in one kernel (PyTorch's fused=True): decoupled decay, moments, bias-corrected step.
    if (fusable(ps)) {
      if (g.steps.size() != g.params.size()) {
        g.steps.clear();
        for (const auto& p : g.params) g.steps.push_back(at::zeros({}, p.options()));
      }
      std::vector<at::Tensor> steps;
      for (size_t i = 0; i < g.params.size(); ++i)
        if (g.params[i].grad().defined()) steps.push_back(g.steps[i]);
      at::_foreach_zero_(steps);
      at::_foreach_add_(steps, static_cast<double>(g.step));
      at::_fused_adamw_(ps, gs, ms, vs, {}, steps, glr, beta1_, beta2_, g.weight_decay, eps_, /*amsgrad=*/false,
                        /*maximize=*/false);
      continue;
    }
#endif
    // m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p *= 1 - lr wd; p -= step_size m / (sqrt(v) / sqrt(bc2) + eps)
    at::_foreach_mul_(ms, beta1_);
    at::_foreach_add_(ms, gs, 1.0 - beta1_);
    at::_foreach_mul_(vs, beta2_);
    at::_foreach_addcmul_(vs, gs, gs, 1.0 - beta2_);
    if (g.weight_decay > 0) at::_foreach_mul_(ps, 1.0 - glr * g.weight_decay);
    std::vector<at::Tensor> denom = at::_foreach_sqrt(vs);
    at::_foreach_div_(denom, sqrt_bc2);
    at::_foreach_add_(denom, eps_);
    at::_foreach_addcdiv_(ps, ms, denom, -step_size);
  }
}

void AdamW::zero_grad() {
  for (auto& g : groups_)
    for (auto& p : g.params)
      if (p.grad().defined()) p.mutable_grad() = at::Tensor();
}

namespace {
model::NamedArray to_array(const std::string& name, const at::Tensor& t) {
  const at::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  model::NamedArray a;
  a.name = name;
  a.shape = c.sizes().vec();
  a.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return a;
}
void from_array(const model::NamedArrays& in, const std::string& name, at::Tensor& t) {
  const model::NamedArray* a = in.find(name);
  STARS_CHECK_DATA(a != nullptr, "checkpoint lacks optimizer state '" << name << "'");
  STARS_CHECK_DATA(a->shape == t.sizes().vec(), "optimizer state '" << name << "' has another shape");
  torch::NoGradGuard ng;
  t.copy_(torch::from_blob(const_cast<float*>(a->data.data()), a->shape, torch::kFloat32));
}
}  // namespace

void AdamW::save(model::NamedArrays* out) const {
  for (const auto& g : groups_) {
    out->meta["adam.step." + g.name] = std::to_string(g.step);
    for (size_t i = 0; i < g.params.size(); ++i) {
      out->arrays.push_back(to_array("m." + g.names[i], g.m[i]));
      out->arrays.push_back(to_array("v." + g.names[i], g.v[i]));
    }
  }
}

void AdamW::load(const model::NamedArrays& in) {
  for (auto& g : groups_) {
    auto it = in.meta.find("adam.step." + g.name);
    STARS_CHECK_DATA(it != in.meta.end(), "checkpoint lacks the step counter of parameter group " << g.name);
    g.step = std::stoll(it->second);
    for (size_t i = 0; i < g.params.size(); ++i) {
      from_array(in, "m." + g.names[i], g.m[i]);
      from_array(in, "v." + g.names[i], g.v[i]);
    }
  }
}

}  // namespace stars::train
