// The losses of `stars train`; see losses.h.
#include "stars/train/losses.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "stars/core/error.h"
#include "stars/train/detail/gathered_dot.h"
#include "stars/train/full_softmax.h"

namespace stars::train {

using model::BatchTensors;
using model::NetOutputs;
using model::StarsNet;

namespace {

// z (n, C) = each row of H (n, S) against its candidates' rows of items (U, S), cands (n, C) in [0, U): float32
// on CPU, through detail/gathered_dot.h. Backward gives both gradients without a (n, C, S) tensor; the items'
// gradient is accumulated in row order, so it does not depend on the thread count.
// Rows per parallel task: about 32k multiply-adds.
int64_t gathered_rows_per_task(int64_t C, int64_t S) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(C * S, 1)); }

struct GatheredDot : public torch::autograd::Function<GatheredDot> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& H, const at::Tensor& items,
                            const at::Tensor& cands) {
    STARS_CHECK(H.dim() == 2 && items.dim() == 2 && cands.dim() == 2 && cands.scalar_type() == at::kLong &&
                    H.size(0) == cands.size(0) && items.size(1) == H.size(1),
                "slice logits: H (n, S), items (U, S) and int64 candidates (n, C) expected, got " << H.sizes() << ", "
                                                                                              << items.sizes() << ", " << cands.sizes());
    const at::Tensor h = H.contiguous(), it = items.contiguous(), cd = cands.contiguous();
    const int64_t n = cd.size(0), C = cd.size(1), S = h.size(1), U = it.size(0);
    const int64_t* cp = cd.data_ptr<int64_t>();
    for (int64_t j = 0; j < n * C; ++j)
      STARS_CHECK(cp[j] >= 0 && cp[j] < U, "slice logits: candidate " << cp[j] << " outside the batch's " << U << " items");
    at::Tensor z = at::empty({n, C}, h.options());
    const float *hp = h.data_ptr<float>(), *ip = it.data_ptr<float>();
    float* zp = z.data_ptr<float>();
    at::parallel_for(0, n, gathered_rows_per_task(C, S),
                     [&](int64_t r0, int64_t r1) { detail::gathered_dot(hp, ip, cp, C, S, r0, r1, zp); });
    ctx->save_for_backward({h, it, cd});
    return z;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const auto s = ctx->get_saved_variables();
    const at::Tensor &h = s[0], &it = s[1], &cd = s[2];
    const at::Tensor g = grad[0].contiguous();
    const int64_t n = cd.size(0), C = cd.size(1), S = h.size(1);
    const float *gp = g.data_ptr<float>(), *hp = h.data_ptr<float>(), *ip = it.data_ptr<float>();
    const int64_t* cp = cd.data_ptr<int64_t>();
    at::Tensor gH, gI;
    if (ctx->needs_input_grad(0)) {
      gH = at::empty({n, S}, h.options());
      float* out = gH.data_ptr<float>();
      at::parallel_for(0, n, gathered_rows_per_task(C, S),
                       [&](int64_t r0, int64_t r1) { detail::gathered_dot_grad_rows(gp, ip, cp, C, S, r0, r1, out); });
    }
    if (ctx->needs_input_grad(1)) {
      gI = at::zeros(it.sizes(), it.options());
      detail::gathered_dot_grad_items(gp, hp, cp, n, C, S, gI.data_ptr<float>());
    }
    return {gH, gI, at::Tensor()};
  }
};

// Logits of rows H (n, S) against their candidate slices `cands` (n, C) of `items` (U, S), then against the
// batch's shared negatives (K) unless undefined, plus the prior: (n, C + K). A shared negative equal to the
// row's target (`targets`, global ids) is masked out. With `by_matmul` (train.slice_logits=matmul), every row
// against all U items in one matrix product, of which each row keeps its candidates: U/C times the
// arithmetic, without the (n, C, S) copy of candidate vectors and its scattered gradient.
at::Tensor slice_logits(const at::Tensor& H, const at::Tensor& items, const at::Tensor& prior_u, const at::Tensor& cands,
                        bool by_matmul, const at::Tensor& shared = at::Tensor(), const at::Tensor& shared_item = at::Tensor(),
                        const at::Tensor& targets = at::Tensor()) {
  const int64_t n = cands.size(0), C = cands.size(1), S = H.size(1);
  const at::Tensor flat = cands.reshape({-1});
  at::Tensor z, zs, all;
  if (by_matmul) {
    all = at::mm(H, items.t());  // (n, U)
    z = all.gather(1, cands);
  } else {
    // Row-wise dot products: on a CPU (float) the gathered-dot kernels; elsewhere bmm over the (n, C, S) copy of
    // candidate vectors (LibTorch's CPU bmm would loop over n tiny (C x S)(S x 1) products).
    if (H.is_cpu() && items.is_cpu() && H.scalar_type() == at::kFloat && items.scalar_type() == at::kFloat) {
      z = GatheredDot::apply(H, items, cands);  // (n, C)
    } else {
      const at::Tensor E = items.index_select(0, flat).view({n, C, S});  // (n, C, S)
      z = at::bmm(E, H.unsqueeze(2)).squeeze(2);
    }
  }
  if (prior_u.defined()) z = z + prior_u.index_select(0, flat).view({n, C});
  if (!shared.defined()) return z;
  zs = by_matmul ? all.index_select(1, shared) : at::mm(H, items.index_select(0, shared).t());  // (n, K)
  if (prior_u.defined()) zs = zs + prior_u.index_select(0, shared);
  zs = zs.masked_fill(targets.unsqueeze(1).eq(shared_item.unsqueeze(0)), -std::numeric_limits<float>::infinity());
  return at::cat({z, zs}, 1);
}

// logits with -inf at (rows[i], cols[i]): items the loss must not rank for that row. With `some_rows_out`,
// pairs whose row is -1 (a target outside the selection, Selection::pos) are left out: they fill a spare element dropped afterwards, so that no
// shape depends on the data and a GPU step never waits for the host to learn one.
at::Tensor mask_pairs(const at::Tensor& logits, const at::Tensor& rows, const at::Tensor& cols, bool some_rows_out = false) {
  if (!rows.defined() || rows.numel() == 0) return logits;
  const double inf = std::numeric_limits<double>::infinity();
  const int64_t n = logits.numel();
  const at::Tensor flat = rows * logits.size(1) + cols;
  if (!some_rows_out) return logits.reshape({-1}).index_fill(0, flat, -inf).view(logits.sizes());
  return at::cat({logits.reshape({-1}), logits.new_zeros({1})})
      .index_fill(0, flat.masked_fill(rows < 0, n), -inf)
      .narrow(0, 0, n)
      .view(logits.sizes());
}

// A selection of targets, one per selected row: the final targets (h_gen) or the first targets of the rows that
// start at their user's first event (cold users). `pos` (N_t) gives each target's place among them or -1.
struct Selection {
  const at::Tensor& rows;
  const at::Tensor& targets;
  const at::Tensor& pos;
};

// Of the pairs (tgt[i], value[i]), those of selected targets, with the target renumbered to its place in the
// selection. The result's size depends on the data (a device sync on a GPU): for the CPU's chunked softmax only.
std::pair<at::Tensor, at::Tensor> selected_pairs(const Selection& sel, const at::Tensor& tgt, const at::Tensor& value) {
  const at::Tensor r = sel.pos.index_select(0, tgt);
  const at::Tensor keep = at::nonzero(r >= 0).squeeze(1);
  return {r.index_select(0, keep), value.index_select(0, keep)};
}

// Slice logits z (n, C [+ K]) of every target, or with `sel` of the selected targets, minus each negative's log
// expected occurrences (train.logq_correction); z itself when the batch carries no correction.
at::Tensor corrected(const at::Tensor& z, const BatchTensors& bt, const Selection* sel) {
  if (!bt.cand_logq.defined()) return z;
  const at::Tensor rows = sel ? sel->targets : at::Tensor();
  const at::Tensor cq = rows.defined() ? bt.cand_logq.index_select(0, rows) : bt.cand_logq;  // (n, C)
  if (z.size(1) == cq.size(1)) return z - cq;
  const at::Tensor scale = rows.defined() ? bt.tgt_shared_logq.index_select(0, rows) : bt.tgt_shared_logq;  // (n)
  at::Tensor sq = scale.unsqueeze(1) + bt.shared_logq.unsqueeze(0);                                         // (n, K)
  if (bt.pair_logq.defined()) {  // shared negatives on the target's page or in its subclass
    const int64_t n = sq.numel();
    if (!rows.defined()) {
      sq = sq.reshape({-1}).index_copy(0, bt.pair_logq_tgt * sq.size(1) + bt.pair_logq_col, bt.pair_logq).view(sq.sizes());
    } else {  // pairs of targets outside `rows` go to a spare element, dropped after (fixed shapes, as in mask_pairs)
      const at::Tensor r = sel->pos.index_select(0, bt.pair_logq_tgt);
      const at::Tensor flat = (r * sq.size(1) + bt.pair_logq_col).masked_fill(r < 0, n);
      sq = at::cat({sq.reshape({-1}), sq.new_zeros({1})}).index_copy(0, flat, bt.pair_logq).narrow(0, 0, n).view(sq.sizes());
    }
  }
  return z - at::cat({cq, sq}, 1);
}

}  // namespace

Losses compute_losses(const StarsNet& net, const BatchTensors& bt, const NetOutputs& out, const at::Tensor& prior,
                      const TrainConfig& cfg, bool full, const LossShares& shares) {
  Losses L;
  // A loss's weight times its share of the batch (data-parallel ranks); a single process multiplies by nothing.
  const auto weighted = [](const at::Tensor& loss, double weight, double share) {
    return weight * share == 1.0 ? loss : loss * (weight * share);
  };
  const bool by_matmul = cfg.slice_logits == "matmul";
  const int64_t S = out.h_next.size(2);
  at::Tensor H = out.h_next.reshape({-1, S}).index_select(0, bt.tgt_slot);  // (N_t, S)
  at::Tensor O;
  if (net.has_context_head()) {
    O = net.context_offset(bt.tgt_hour, bt.tgt_dow, bt.tgt_week, bt.tgt_region, bt.tgt_cal_ids, bt.tgt_cal_offsets);
    H = H + O;
  }
  const at::Tensor& items = out.items;  // (U, S) or (N, S)
  at::Tensor prior_u;
  if (prior.defined()) prior_u = bt.uniq.defined() ? prior.index_select(0, bt.uniq) : prior;
  at::Tensor z_slice;  // (N_t, C) candidate-slice logits
  // History exclusion: (target, item) pairs of the full softmax, (target, column) pairs of the slices.
  at::Tensor cand_rows, cand_cols;  // in (N_t, C)
  if (bt.hist_cand.defined()) {
    const int64_t C1 = bt.cands.size(1);
    cand_rows = at::div(bt.hist_cand, C1, "floor");
    cand_cols = bt.hist_cand - cand_rows * C1;
  }
  at::Tensor slice_rows = cand_rows, slice_cols = cand_cols;  // in (N_t, C + K), shared columns included
  if (bt.hist_shared.defined()) {
    const int64_t K = bt.shared.size(0), C1 = bt.cands.size(1);
    const at::Tensor r = at::div(bt.hist_shared, K, "floor");
    const at::Tensor c = bt.hist_shared - r * K + C1;
    slice_rows = slice_rows.defined() ? at::cat({slice_rows, r}) : r;
    slice_cols = slice_cols.defined() ? at::cat({slice_cols, c}) : c;
  }
  // The chunked softmax on CPU (float): same loss and gradients, far less memory traffic.
  const bool chunked = full && cfg.chunked_softmax && H.device().is_cpu() && H.scalar_type() == at::kFloat;
  if (chunked) {
    L.main = chunked_full_softmax_loss(H, items, prior_u, bt.tgt_item, bt.hist_tgt, bt.hist_item);
  } else if (full) {
    at::Tensor logits = at::mm(H, items.t());  // (N_t, N)
    if (prior_u.defined()) logits = logits + prior_u;
    logits = logits.to(at::kFloat);
    if (bt.hist_tgt.defined()) logits = mask_pairs(logits, bt.hist_tgt, bt.hist_item);
    L.main = at::cross_entropy_loss(logits, bt.tgt_item);
  } else {
    z_slice = slice_logits(H, items, prior_u, bt.cands, by_matmul, bt.shared, bt.shared_item, bt.tgt_item).to(at::kFloat);
    z_slice = mask_pairs(z_slice, slice_rows, slice_cols);
    L.main = -at::log_softmax(corrected(z_slice, bt, nullptr), 1).select(1, 0).mean();
  }
  L.total = weighted(L.main, 1.0, shares.targets);

  // The loss of a per-row vector h (B, S) on the selected targets of the selected rows, as the main loss ranks
  // them. With `label` (global ids, and `label_local` in `items`' numbering) each selected row predicts that
  // item instead, among its target's negatives, without history exclusion (a cold user has no history).
  auto selected_target_loss = [&](const at::Tensor& h, const Selection& sel, const at::Tensor& item_vectors,
                                  const at::Tensor& offsets, const at::Tensor& prior_sel,
                                  const at::Tensor& label = at::Tensor(), const at::Tensor& label_local = at::Tensor()) {
    const bool relabel = label.defined();
    at::Tensor Hg = h.index_select(0, sel.rows);
    if (offsets.defined()) Hg = Hg + offsets.index_select(0, sel.targets);
    const at::Tensor target_items = relabel ? label : bt.tgt_item.index_select(0, sel.targets);
    if (chunked) {
      at::Tensor mr, mc;
      if (!relabel && bt.hist_tgt.defined()) std::tie(mr, mc) = selected_pairs(sel, bt.hist_tgt, bt.hist_item);
      return chunked_full_softmax_loss(Hg, item_vectors, prior_sel, target_items, mr, mc);
    }
    if (full) {
      at::Tensor logits = at::mm(Hg, item_vectors.t());
      if (prior_sel.defined()) logits = logits + prior_sel;
      logits = logits.to(at::kFloat);
      if (!relabel && bt.hist_tgt.defined())
        logits = mask_pairs(logits, sel.pos.index_select(0, bt.hist_tgt), bt.hist_item, true);
      return at::cross_entropy_loss(logits, target_items);
    }
    at::Tensor cands = bt.cands.index_select(0, sel.targets);
    const int64_t C = cands.size(1);
    if (relabel) cands = at::cat({label_local.unsqueeze(1), cands.narrow(1, 1, C - 1)}, 1);
    at::Tensor z = slice_logits(Hg, item_vectors, prior_sel, cands, by_matmul, bt.shared, bt.shared_item, target_items)
                       .to(at::kFloat);
    if (relabel && C > 1) {  // a negative drawn for the target that is the new label itself
      at::Tensor same = cands.eq(label_local.unsqueeze(1));
      same.select(1, 0).fill_(false);
      z = at::cat({z.narrow(1, 0, C).masked_fill(same, -std::numeric_limits<float>::infinity()), z.narrow(1, C, z.size(1) - C)}, 1);
    }
    if (!relabel && slice_rows.defined()) z = mask_pairs(z, sel.pos.index_select(0, slice_rows), slice_cols, true);
    return -at::log_softmax(corrected(z, bt, &sel), 1).select(1, 0).mean();
  };
  // Final targets (listed on the host: no device sync).
  const at::Tensor& rows = bt.final_rows;
  const at::Tensor& last = bt.final_targets;
  if (cfg.gen_weight > 0 && rows.numel() > 0) {
    L.gen = selected_target_loss(out.h_gen, Selection{rows, last, bt.final_pos}, items, O, prior_u);
    L.total = L.total + weighted(L.gen, cfg.gen_weight, shares.final_targets);
  }
  // The cold-user vector on each user's earliest event: what a user without history takes first. Against
  // detached item vectors and context offsets: this loss trains the cold-user head and the user feature
  // embeddings it reads, not the item vectors, the context head or the transformer.
  if (net.trains_cold_users(cfg.cold_user_weight) && bt.first_rows.numel() > 0) {
    // With the head's fixed prior, what training users took first (train.cold_user_prior), the head
    // predicts the user's first event itself, the event that prior counts; without it, the first target.
    const Selection first{bt.first_rows, bt.first_targets, bt.first_pos};
    const at::Tensor head_items = items.detach(), head_offsets = O.defined() ? O.detach() : O;
    at::Tensor cold_prior = net.cold_user_prior();
    if (cold_prior.defined()) {
      if (bt.uniq.defined()) cold_prior = cold_prior.index_select(0, bt.uniq);
      if (prior_u.defined()) cold_prior = cold_prior + prior_u;
      L.cold = selected_target_loss(out.h_user, first, head_items, head_offsets, cold_prior, bt.first_items, bt.first_items_local);
    } else {
      L.cold = selected_target_loss(out.h_user, first, head_items, head_offsets, prior_u);
    }
    L.total = L.total + weighted(L.cold, cfg.cold_user_weight, shares.first_targets);
  }
  if ((cfg.logistic_weight > 0 || cfg.slice_weight > 0) && bt.cands.defined() && bt.cands.size(1) > 1) {
    // On the target's own candidate slice (its hard negatives), without the shared negatives.
    const at::Tensor z = z_slice.defined() ? z_slice.narrow(1, 0, bt.cands.size(1))
                                           : mask_pairs(slice_logits(H, items, prior_u, bt.cands, by_matmul).to(at::kFloat), cand_rows, cand_cols);
    if (cfg.logistic_weight > 0) {
      L.logistic = -(at::log_sigmoid(z.select(1, 0)) + at::log_sigmoid(-z.narrow(1, 1, z.size(1) - 1)).mean(1)).mean();
      L.total = L.total + weighted(L.logistic, cfg.logistic_weight, shares.targets);
    }
    if (cfg.slice_weight > 0) {
      L.slice = -at::log_softmax(z, 1).select(1, 0).mean();
      L.total = L.total + weighted(L.slice, cfg.slice_weight, shares.targets);
    }
  }
  if (cfg.inbatch_weight > 0 && rows.numel() > 1) {
    const at::Tensor Hl = H.index_select(0, last);                                        // (R, S)
    const at::Tensor pos_ids = bt.tgt_item.index_select(0, last);                         // (R) global ids
    const at::Tensor pos_local = bt.cands.defined() && bt.uniq.defined() ? bt.cands.select(1, 0).index_select(0, last) : pos_ids;
    const at::Tensor Ep = items.index_select(0, pos_local);                               // (R, S)
    at::Tensor logits = at::mm(Hl, Ep.t()).to(at::kFloat);                               // (R, R)
    const int64_t R = rows.numel();
    const at::Tensor same = pos_ids.unsqueeze(1).eq(pos_ids.unsqueeze(0)).logical_and(
        at::eye(R, pos_ids.options().dtype(at::kBool)).logical_not());
    logits = logits.masked_fill(same, -std::numeric_limits<float>::infinity());
    L.inbatch = at::cross_entropy_loss(logits, at::arange(R, pos_ids.options()));
    L.total = L.total + weighted(L.inbatch, cfg.inbatch_weight, shares.final_targets);
  }
  return L;
}

}  // namespace stars::train
