#include "stars/train/adamw.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>

#include "stars/core/error.h"
#include "stars/train/detail/adamw_rows.h"

// LibTorch 2.4 has the fused AdamW kernel on CPU and CUDA: one launch per group instead of eight multi-tensor ops.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define STARS_FUSED_ADAMW 1
#endif

namespace stars::train {

namespace {

// The host's catch-up factors as (n, 1) tensors on `like`'s device and type, for the ATen path.
struct CatchUpTensors {
  at::Tensor fp, q, e, fm, fv;
};
CatchUpTensors catch_up_tensors(const detail::CatchUp& cu, const at::Tensor& like) {
  const int64_t n = static_cast<int64_t>(cu.q.size());
  const auto as = [&](const std::vector<double>& x) {
    return torch::from_blob(const_cast<double*>(x.data()), {n, 1}, torch::kFloat64).to(like.options());
  };
  return {as(cu.fp), as(cu.q), as(cu.e), as(cu.fm), as(cu.fv)};
}

bool row_kernels(const at::Tensor& p, const at::Tensor& m, const at::Tensor& v) {
  return p.is_cpu() && p.scalar_type() == at::kFloat && p.is_contiguous() && m.is_contiguous() && v.is_contiguous();
}

// f(i0, i1) over the n rows of width D, on LibTorch's threads in blocks of about 16k elements.
template <typename F>
void for_rows(int64_t n, int64_t D, const F& f) {
  at::parallel_for(0, n, std::max<int64_t>(1, 16384 / std::max<int64_t>(D, 1)), f);
}

// The rows behind (cu.rows, host) of p, m, v take their catch-up.
void apply_catch_up(const at::Tensor& p, const at::Tensor& m, const at::Tensor& v, const detail::CatchUp& cu) {
  const int64_t n = static_cast<int64_t>(cu.rows.size()), D = p.size(1);
  if (n == 0) return;
  if (row_kernels(p, m, v)) {
    float *pp = p.data_ptr<float>(), *mp = m.data_ptr<float>(), *vp = v.data_ptr<float>();
    for_rows(n, D, [&](int64_t a, int64_t b) { detail::catch_up_rows(cu, D, a, b, pp, mp, vp); });
    return;
  }
  const CatchUpTensors c = catch_up_tensors(cu, p);
  const at::Tensor idx = torch::from_blob(const_cast<int64_t*>(cu.rows.data()), {n}, torch::kInt64).to(p.device());
  at::Tensor mr = m.index_select(0, idx), vr = v.index_select(0, idx);
  p.index_copy_(0, idx, p.index_select(0, idx).mul_(c.fp).sub_(c.q * mr / (vr.sqrt() + c.e)));
  m.index_copy_(0, idx, mr.mul_(c.fm));
  v.index_copy_(0, idx, vr.mul_(c.fv));
}

// The sparse update of a parameter: the listed rows catch up on the steps they missed, then take this one.
// The catch-up is its own pass, the same one a forward pass's catch_up makes: where a row catches up cannot
// change its bits (data-parallel ranks catch up different rows before their forward passes).
// `host_rows`: the gradient's rows on the host when known (declared), else null: they are read from it.
void adamw_sparse_rows(const at::Tensor& p, const at::Tensor& grad, const at::Tensor& m, const at::Tensor& v,
                       const detail::AdamWRowStep& s, detail::LazyTable* table, const std::vector<int64_t>* host_rows) {
  STARS_CHECK(grad.is_coalesced() && grad.sparse_dim() == 1 && p.dim() == 2,
              "a sparse gradient must be coalesced rows of a 2-d parameter, got sparse_dim " << grad.sparse_dim() << " of a "
                                                                                             << p.dim() << "-d parameter");
  const at::Tensor g = grad._values();  // (n, D)
  at::Tensor read;                      // (n) the rows read back from the gradient
  if (!host_rows) read = grad._indices().select(0, 0).to(at::kCPU).contiguous();
  const int64_t* rp = host_rows ? host_rows->data() : read.data_ptr<int64_t>();
  const int64_t n = g.size(0), D = p.size(1);
  detail::CatchUp cu;
  table->touch(rp, n, &cu);
  if (n == 0) return;
  apply_catch_up(p, m, v, cu);
  if (row_kernels(p, m, v)) {
    const at::Tensor gc = g.to(at::kFloat).contiguous();
    const float* gp = gc.data_ptr<float>();
    float *pp = p.data_ptr<float>(), *mp = m.data_ptr<float>(), *vp = v.data_ptr<float>();
    for_rows(n, D, [&](int64_t a, int64_t b) { detail::adamw_rows(s, rp, gp, D, a, b, pp, mp, vp); });
    return;
  }
  // Other devices and types: the same arithmetic on the gathered rows.
  const at::Tensor idx = grad._indices().select(0, 0);
  const at::Tensor gr = g.to(p.scalar_type());
  at::Tensor mr = m.index_select(0, idx).mul_(s.beta1).add_(gr, 1.0 - s.beta1);
  at::Tensor vr = v.index_select(0, idx).mul_(s.beta2).addcmul_(gr, gr, 1.0 - s.beta2);
  at::Tensor pr = p.index_select(0, idx).mul_(s.decay);
  pr.addcdiv_(mr, vr.sqrt().div_(s.sqrt_bc2).add_(s.eps), -s.step_size);
  m.index_copy_(0, idx, mr);
  v.index_copy_(0, idx, vr);
  p.index_copy_(0, idx, pr);
}

#ifdef STARS_FUSED_ADAMW
// The fused kernel takes float32 parameters on one device.
bool fusable(const std::vector<at::Tensor>& ps) {
  for (const auto& p : ps)
    if (p.scalar_type() != at::kFloat || p.device() != ps[0].device()) return false;
  return true;
}
#endif

}  // namespace

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
    x.tables.resize(x.params.size());
    x.declared.resize(x.params.size());
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
  if (frozen)
    for (size_t i = 0; i < g->tables.size(); ++i) flush(*g, i);
  g->frozen = frozen;
  for (auto& p : g->params) {
    p.set_requires_grad(!frozen);
    if (frozen && p.grad().defined()) p.mutable_grad() = at::Tensor();
  }
}

const at::Tensor& AdamW::sparse_grad(Group& g, size_t i) {
  at::Tensor& p = g.params[i];
  Declared& d = g.declared[i];
  if (d.pending) {  // the first look at this gradient: does the declaration describe it?
    d.pending = false;
    d.used = !p.grad().is_coalesced() && p.grad().sparse_dim() == 1 && p.grad()._nnz() == static_cast<int64_t>(d.rows.size());
    if (d.used) {
      if (p.grad().is_cpu()) {  // free to check here (no device to wait for)
        const at::Tensor ix = p.grad()._indices().contiguous();
        STARS_CHECK(std::equal(d.rows.begin(), d.rows.end(), ix.data_ptr<int64_t>()),
                    "the sparse gradient of " << g.names[i] << " lists other rows than declare_grad_rows declared");
      }
      p.mutable_grad()._coalesced_(true);
    }
  }
  if (!p.grad().is_coalesced()) p.mutable_grad() = p.grad().coalesce();
  return p.grad();
}

void AdamW::declare_grad_rows(const at::Tensor& param, const std::vector<int64_t>& rows) {
  STARS_CHECK(std::adjacent_find(rows.begin(), rows.end(), std::greater_equal<int64_t>()) == rows.end(),
              "declare_grad_rows needs ascending rows, each once");
  for (auto& g : groups_)
    for (size_t i = 0; i < g.params.size(); ++i)
      if (g.params[i].is_same(param)) g.declared[i] = Declared{rows, true, false};
}

void AdamW::clip_per_group(double max_norm) {
  if (max_norm <= 0) return;
  torch::NoGradGuard ng;
  for (auto& g : groups_) {
    if (g.frozen) continue;
    std::vector<at::Tensor> grads;  // a sparse gradient counts (and is scaled) through its rows' values
    for (size_t i = 0; i < g.params.size(); ++i) {
      const at::Tensor& gr = g.params[i].grad();
      if (gr.defined()) grads.push_back(gr.is_sparse() ? sparse_grad(g, i)._values() : gr);
    }
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
    std::vector<size_t> sparse;  // parameters with a sparse gradient: updated row by row
    for (size_t i = 0; i < g.params.size(); ++i) {
      if (!g.params[i].grad().defined()) continue;
      if (g.params[i].grad().is_sparse()) {
        sparse.push_back(i);
        continue;
      }
      flush(g, i);  // a dense step after sparse ones: every row first catches up
      ps.push_back(g.params[i]);
      gs.push_back(g.params[i].grad());
      ms.push_back(g.m[i]);
      vs.push_back(g.v[i]);
    }
    if (ps.empty() && sparse.empty()) continue;
    ++g.step;
    const double glr = lr * g.lr_scale;
    const double bc1 = 1.0 - std::pow(beta1_, static_cast<double>(g.step));
    const double bc2 = 1.0 - std::pow(beta2_, static_cast<double>(g.step));
    const double step_size = glr / bc1;
    const double sqrt_bc2 = std::sqrt(bc2);
    if (!sparse.empty()) {
      detail::AdamWRowStep s;
      s.beta1 = beta1_;
      s.beta2 = beta2_;
      s.decay = 1.0 - glr * g.weight_decay;
      s.step_size = step_size;
      s.sqrt_bc2 = sqrt_bc2;
      s.eps = eps_;
      for (size_t i : sparse) {
        if (!g.tables[i]) g.tables[i] = std::make_shared<detail::LazyTable>(g.params[i].size(0), beta1_, beta2_, eps_);
        g.tables[i]->begin_step(step_size * sqrt_bc2, sqrt_bc2, s.decay);
        const at::Tensor& grad = sparse_grad(g, i);
        adamw_sparse_rows(g.params[i], grad, g.m[i], g.v[i], s, g.tables[i].get(), g.declared[i].used ? &g.declared[i].rows : nullptr);
      }
    }
    if (ps.empty()) continue;
#ifdef STARS_FUSED_ADAMW
    // The same update in one kernel (PyTorch's fused=True): decoupled decay, moments, bias-corrected step.
    if (fusable(ps)) {
      if (g.steps.size() != g.params.size()) {
        g.steps.clear();
        for (const auto& p : g.params) g.steps.push_back(at::zeros({}, p.options()));
      }
      std::vector<at::Tensor> steps;
      for (size_t i = 0; i < g.params.size(); ++i)
        if (g.params[i].grad().defined() && !g.params[i].grad().is_sparse()) steps.push_back(g.steps[i]);
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

void AdamW::flush(Group& g, size_t i) {
  if (!g.tables[i]) return;
  torch::NoGradGuard ng;
  detail::CatchUp cu;
  g.tables[i]->flush(&cu);
  apply_catch_up(g.params[i], g.m[i], g.v[i], cu);
  g.tables[i].reset();  // every row current: a later sparse step starts a new table
}

void AdamW::catch_up(const at::Tensor& param, const std::vector<int64_t>& rows) {
  for (auto& g : groups_)
    for (size_t i = 0; i < g.tables.size(); ++i) {
      if (!g.tables[i] || !g.params[i].is_same(param)) continue;
      torch::NoGradGuard ng;
      detail::CatchUp cu;
      g.tables[i]->catch_up(rows.data(), static_cast<int64_t>(rows.size()), &cu);
      apply_catch_up(g.params[i], g.m[i], g.v[i], cu);
    }
}

void AdamW::flush_sparse() {
  for (auto& g : groups_)
    for (size_t i = 0; i < g.tables.size(); ++i) flush(g, i);
}

bool AdamW::sparse_pending() const {
  for (const auto& g : groups_)
    for (const auto& t : g.tables)
      if (t) return true;
  return false;
}

void AdamW::zero_grad() {
  for (auto& g : groups_) {
    for (auto& p : g.params)
      if (p.grad().defined()) p.mutable_grad() = at::Tensor();
    for (auto& d : g.declared) d = Declared();
  }
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
  STARS_CHECK(!sparse_pending(), "AdamW::save with rows that have not caught up: call flush_sparse() first");
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
