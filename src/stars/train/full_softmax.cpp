// Chunked full-catalog softmax cross-entropy (see full_softmax.h).
#include "stars/train/full_softmax.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

#include "stars/core/error.h"
#include "stars/train/detail/softmax_rows.h"

namespace stars::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

int64_t chunk_size(int64_t rows, int64_t items, int64_t requested) {
  int64_t c = requested > 0 ? requested : std::clamp<int64_t>((int64_t{1} << 18) / std::max<int64_t>(rows, 1), 128, 4096);
  return std::min(c, std::max<int64_t>(items, 1));
}

// The masked pairs (row, item) ordered by item, so that a chunk finds its own by two binary searches.
struct MaskedPairs {
  std::vector<int64_t> row, col;

  MaskedPairs() = default;
  // Pairs of rows in [0, M) and items in [0, N).
  MaskedPairs(const at::Tensor& rows, const at::Tensor& cols, int64_t M, int64_t N) {
    const int64_t n = rows.numel();
    STARS_CHECK(cols.numel() == n, "chunked softmax: " << n << " masked rows but " << cols.numel() << " items");
    const at::Tensor r = rows.contiguous(), c = cols.contiguous();
    const int64_t *rp = r.data_ptr<int64_t>(), *cp = c.data_ptr<int64_t>();
    for (int64_t i = 0; i < n; ++i)
      STARS_CHECK(rp[i] >= 0 && rp[i] < M && cp[i] >= 0 && cp[i] < N,
                  "chunked softmax: masked pair " << i << " (" << rp[i] << ", " << cp[i] << ") outside " << M << " x " << N);
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return cp[a] < cp[b]; });
    row.reserve(n), col.reserve(n);
    for (int64_t i : order) row.push_back(rp[i]), col.push_back(cp[i]);
  }

  // -inf at the pairs of items [c0, c0 + n) in the chunk z (rows, n).
  void apply(float* z, int64_t c0, int64_t n) const {
    const auto lo = std::lower_bound(col.begin(), col.end(), c0), hi = std::lower_bound(lo, col.end(), c0 + n);
    for (auto it = lo; it != hi; ++it) z[row[it - col.begin()] * n + (*it - c0)] = -std::numeric_limits<float>::infinity();
  }
};

// The chunks in as many groups of consecutive chunks as there are threads (at most one group per chunk): each
// thread takes a group and runs its products single-threaded, as OpenBLAS splits products this small poorly
// (a step of beauty's cpu preset: 1.0-1.3x from a second thread with the chunks in turn, 1.6x this way). Each
// group keeps its own log-sum-exp and share of the rows' gradient, merged in group order: for a given thread
// count the results do not depend on scheduling, and one thread computes what a plain loop over chunks does.
struct ChunkGroups {
  int64_t N, C, chunks, per_group, groups;
  ChunkGroups(int64_t items, int64_t chunk)
      : N(items), C(chunk), chunks((items + chunk - 1) / chunk),
        per_group(std::max<int64_t>(1, (chunks + at::get_num_threads() - 1) / std::max(1, at::get_num_threads()))),
        groups(std::max<int64_t>(1, (chunks + per_group - 1) / per_group)) {}
  // f(k, c0, n) for each chunk k of group g, in order.
  template <typename F>
  void each_chunk(int64_t g, const F& f) const {
    for (int64_t k = g * per_group; k < std::min(chunks, (g + 1) * per_group); ++k) f(k, k * C, std::min(C, N - k * C));
  }
};

// Logits of every row against items [c0, c0 + n): H E[c0:c0+n]ᵀ with the masked pairs at -inf (prior not added).
at::Tensor chunk_logits(const at::Tensor& H, const at::Tensor& E, const MaskedPairs& masked, int64_t c0, int64_t n) {
  at::Tensor z = at::mm(H, E.narrow(0, c0, n).t());  // (M, n), contiguous
  masked.apply(z.data_ptr<float>(), c0, n);
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
    const MaskedPairs masked(mrows, mcols, M, N);
    const float* pp = prior.numel() > 0 ? prior.data_ptr<float>() : nullptr;
    const ChunkGroups cg(N, C);
    const float inf = std::numeric_limits<float>::infinity();
    // Each group's running log-sum-exp per row, merged in group order below.
    at::Tensor part_max = at::full({cg.groups, M}, -inf, H.options()), part_sum = at::zeros({cg.groups, M}, H.options());
    float *pm = part_max.data_ptr<float>(), *ps = part_sum.data_ptr<float>();
    std::vector<at::Tensor> kept_chunks(keep ? cg.chunks : 0);
    at::parallel_for(0, cg.groups, 1, [&](int64_t g0, int64_t g1) {
      at::NoGradGuard no_grad;  // pool threads do not inherit the caller's grad mode
      for (int64_t g = g0; g < g1; ++g)
        cg.each_chunk(g, [&](int64_t k, int64_t c0, int64_t n) {
          at::Tensor z = chunk_logits(H, E, masked, c0, n);
          detail::fold_rows(z.data_ptr<float>(), M, n, n, pp ? pp + c0 : nullptr, pm + g * M, ps + g * M);
          if (keep) kept_chunks[k] = z;  // prior added
        });
    });
    at::Tensor run_max = at::full({M}, -inf, H.options()), run_sum = at::zeros({M}, H.options());
    for (int64_t g = 0; g < cg.groups; ++g)
      detail::merge_folds(pm + g * M, ps + g * M, M, run_max.data_ptr<float>(), run_sum.data_ptr<float>());
    c10::List<at::Tensor> kept;
    for (auto& z : kept_chunks) kept.push_back(std::move(z));
    const at::Tensor lse = run_max + run_sum.log();
    ctx->saved_data["kept"] = kept;
    at::Tensor z_t = (H * E.index_select(0, target)).sum(1);
    if (prior.numel() > 0) z_t = z_t + prior.index_select(0, target);
    ctx->save_for_backward({H, E, prior, target, mrows, mcols, lse});
    ctx->saved_data["chunk"] = C;
    return (lse - z_t).mean();
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    const auto s = ctx->get_saved_variables();
    const at::Tensor &H = s[0], &E = s[1], &prior = s[2], &target = s[3], &lse = s[6];
    const int64_t C = ctx->saved_data["chunk"].toInt();
    const int64_t M = H.size(0), N = E.size(0);
    // d loss / d z = (softmax - onehot) * grad / M
    const float scale = grad_out[0].item<float>() / static_cast<float>(M);
    c10::List<at::Tensor> kept = ctx->saved_data["kept"].toTensorList();
    // The kept chunks become gradients in place: a second backward (retain_graph) recomputes them.
    ctx->saved_data["kept"] = c10::List<at::Tensor>();
    const bool need_h = ctx->needs_input_grad(0), need_e = ctx->needs_input_grad(1);
    at::Tensor gE = need_e ? at::empty(E.sizes(), E.options()) : at::Tensor();
    MaskedPairs masked;  // only to recompute chunks
    if (kept.empty()) masked = MaskedPairs(s[4], s[5], M, N);
    const float* lp = lse.data_ptr<float>();
    const at::Tensor tc = target.contiguous();
    const int64_t* tp = tc.data_ptr<int64_t>();
    const ChunkGroups cg(N, C);
    // Each group's share of gH, summed in group order below.
    const at::Tensor parts = need_h ? at::zeros({cg.groups, M, H.size(1)}, H.options()) : at::Tensor();
    at::parallel_for(0, cg.groups, 1, [&](int64_t g0, int64_t g1) {
      at::NoGradGuard no_grad;
      for (int64_t g = g0; g < g1; ++g) {
        at::Tensor gH_g = need_h ? parts.select(0, g) : at::Tensor();
        cg.each_chunk(g, [&](int64_t k, int64_t c0, int64_t n) {
          at::Tensor p = kept.empty() ? chunk_logits(H, E, masked, c0, n) : kept.get(k);
          if (kept.empty() && prior.numel() > 0) p.add_(prior.narrow(0, c0, n).unsqueeze(0));
          detail::softmax_minus_onehot_rows(p.data_ptr<float>(), M, n, n, lp, tp, c0, scale);
          if (need_h) gH_g.addmm_(p, E.narrow(0, c0, n));
          if (need_e) {
            at::Tensor gE_chunk = gE.narrow(0, c0, n);
            at::mm_out(gE_chunk, p.t(), H);
          }
        });
      }
    });
    at::Tensor gH;
    if (need_h) {
      gH = parts.select(0, 0);
      for (int64_t g = 1; g < cg.groups; ++g) gH.add_(parts.select(0, g));
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
  STARS_CHECK(H.device().is_cpu() && E.device().is_cpu() && H.scalar_type() == at::kFloat && E.scalar_type() == at::kFloat,
              "chunked softmax: float32 CPU tensors expected");
  STARS_CHECK(!prior.defined() || (prior.dim() == 1 && prior.size(0) == E.size(0)),
              "chunked softmax: a prior of " << E.size(0) << " items expected, got " << prior.sizes());
  STARS_CHECK(target.scalar_type() == at::kLong, "chunked softmax: int64 targets expected");
  const at::Tensor none = at::empty({0}, target.options());
  const at::Tensor p = prior.defined() ? prior.to(H.scalar_type()).contiguous() : at::empty({0}, H.options());
  const bool masked = mask_rows.defined() && mask_rows.numel() > 0;
  return ChunkedSoftmax::apply(H, E, p, target, masked ? mask_rows : none, masked ? mask_cols : none, chunk, keep_bytes);
}

}  // namespace stars::train
