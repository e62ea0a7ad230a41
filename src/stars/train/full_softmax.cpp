// Chunked full-catalog softmax cross-entropy (see full_softmax.h).
#include "stars/train/full_softmax.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

#include "stars/core/error.h"

namespace stars::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

int64_t chunk_size(int64_t rows, int64_t items, int64_t requested) {
  int64_t c = requested > 0 ? requested : std::clamp<int64_t>((int64_t{1} << 18) / std::max<int64_t>(rows, 1), 128, 4096);
  return std::min(c, std::max<int64_t>(items, 1));
}

// Logits of every row against items [c0, c0 + n): H E[c0:c0+n]ᵀ + prior, masked pairs at -inf.
at::Tensor chunk_logits(const at::Tensor& H, const at::Tensor& E, const at::Tensor& prior, const at::Tensor& mrows,
                        const at::Tensor& mcols, int64_t c0, int64_t n) {
  at::Tensor z = at::mm(H, E.narrow(0, c0, n).t());
  if (prior.numel() > 0) z.add_(prior.narrow(0, c0, n).unsqueeze(0));
  if (mcols.numel() > 0) {
    const at::Tensor in = at::nonzero(mcols.ge(c0).logical_and(mcols.lt(c0 + n))).squeeze(1);
    if (in.numel() > 0)
      z.index_put_({mrows.index_select(0, in), mcols.index_select(0, in) - c0},
                   at::full({}, -std::numeric_limits<float>::infinity(), z.options()));
  }
  return z;
}

struct ChunkedSoftmax : public torch::autograd::Function<ChunkedSoftmax> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& H, const at::Tensor& E, const at::Tensor& prior,
                            const at::Tensor& target, const at::Tensor& mrows, const at::Tensor& mcols, int64_t chunk,
                            int64_t keep_bytes) {
    const int64_t M = H.size(0), N = E.size(0);
    const int64_t C = chunk_size(M, N, chunk);
    // Chunks are kept for backward when all of them fit in keep_bytes (else backward recomputes them).
    const bool keep = M * N * static_cast<int64_t>(H.element_size()) <= keep_bytes;
    c10::List<at::Tensor> kept;
    at::Tensor lse = at::full({M}, -std::numeric_limits<float>::infinity(), H.options());
    for (int64_t c0 = 0; c0 < N; c0 += C) {
      const int64_t n = std::min(C, N - c0);
      at::Tensor z = chunk_logits(H, E, prior, mrows, mcols, c0, n);
      lse = at::logaddexp(lse, at::logsumexp(z, {1}));
      if (keep) kept.push_back(z);
    }
    ctx->saved_data["kept"] = kept;
    at::Tensor z_t = (H * E.index_select(0, target)).sum(1);
    if (prior.numel() > 0) z_t = z_t + prior.index_select(0, target);
    ctx->save_for_backward({H, E, prior, target, mrows, mcols, lse});
    ctx->saved_data["chunk"] = C;
    return (lse - z_t).mean();
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    const auto s = ctx->get_saved_variables();
    const at::Tensor &H = s[0], &E = s[1], &prior = s[2], &target = s[3], &mrows = s[4], &mcols = s[5], &lse = s[6];
    const int64_t C = ctx->saved_data["chunk"].toInt();
    const int64_t M = H.size(0), N = E.size(0);
    const at::Tensor scale = grad_out[0] / static_cast<double>(M);  // d loss / d z = (softmax - onehot) / M
    at::Tensor gH = at::zeros_like(H), gE = at::empty_like(E);
    const at::Tensor rows = at::arange(M, target.options());
    c10::List<at::Tensor> kept = ctx->saved_data["kept"].toTensorList();
    for (int64_t c0 = 0, k = 0; c0 < N; c0 += C, ++k) {
      const int64_t n = std::min(C, N - c0);
      at::Tensor p = kept.empty() ? chunk_logits(H, E, prior, mrows, mcols, c0, n) : kept.get(k);
      p.sub_(lse.unsqueeze(1)).exp_();
      const at::Tensor hit = at::nonzero(target.ge(c0).logical_and(target.lt(c0 + n))).squeeze(1);
      if (hit.numel() > 0)
        p.index_put_({rows.index_select(0, hit), target.index_select(0, hit) - c0},
                     at::full({hit.numel()}, -1.0, p.options()), /*accumulate=*/true);
      p.mul_(scale);
      gH.addmm_(p, E.narrow(0, c0, n));
      gE.narrow(0, c0, n).copy_(at::mm(p.t(), H));
    }
    return {gH, gE, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor chunked_full_softmax_loss(const at::Tensor& H, const at::Tensor& E, const at::Tensor& prior,
                                     const at::Tensor& target, const at::Tensor& mask_rows,
                                     const at::Tensor& mask_cols, int64_t chunk, int64_t keep_bytes) {
  STARS_CHECK(H.dim() == 2 && E.dim() == 2 && H.size(1) == E.size(1), "chunked softmax: H (M, S) and E (N, S) expected");
  STARS_CHECK(target.dim() == 1 && target.size(0) == H.size(0), "chunked softmax: one target per row expected");
  const at::Tensor none = at::empty({0}, target.options());
  const at::Tensor p = prior.defined() ? prior.to(H.scalar_type()) : at::empty({0}, H.options());
  const bool masked = mask_rows.defined() && mask_rows.numel() > 0;
  return ChunkedSoftmax::apply(H, E, p, target, masked ? mask_rows : none, masked ? mask_cols : none, chunk, keep_bytes);
}

}  // namespace stars::train
