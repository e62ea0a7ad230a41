#include "stars/train/batch_builder.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

#include "stars/core/error.h"
#include "stars/data/dataset.h"

namespace stars::train {

BatchBuilder::BatchBuilder(const data::Dataset& ds, const TrainingData& data, const model::BatchFeaturizer& featurizer,
                           const NegativeSampler* sampler, int max_len, bool all_items, int shared_negatives,
                           bool exclude_history, bool logq_correction)
    : ds_(ds), data_(data), featurizer_(featurizer), sampler_(sampler), T_(max_len), all_items_(all_items),
      shared_(sampler ? shared_negatives : 0), exclude_history_(exclude_history),
      logq_(logq_correction && sampler != nullptr && !all_items) {
  STARS_CHECK_ARG(shared_negatives == 0 || sampler != nullptr, "shared negatives need a negative sampler");
}

void BatchBuilder::fill_user(model::TokenBatch* b, int32_t row, int32_t user, std::vector<float>* num,
                             std::vector<int32_t>* cat) const {
  const size_t fn = ds_.user_numeric_names().size(), fc = ds_.user_categorical_features().size();
  num->resize(fn);
  cat->resize(fc);
  for (size_t f = 0; f < fn; ++f) (*num)[f] = ds_.user_numeric(f)[user];
  for (size_t f = 0; f < fc; ++f) (*cat)[f] = ds_.user_categorical(f)[user];
  featurizer_.set_user(b, row, fn ? num->data() : nullptr, fc ? cat->data() : nullptr);
}

model::EventView BatchBuilder::event_view(const data::UserEvents& ue, int64_t user_begin, int64_t e,
                                          std::vector<int32_t>* ctx) const {
  const size_t F = ds_.event_context_features().size();
  ctx->resize(F);
  for (size_t f = 0; f < F; ++f) (*ctx)[f] = ds_.event_context(f)[e];
  const size_t k = static_cast<size_t>(e - user_begin);
  model::EventView v;
  v.item = ue.items[k];
  v.ts = ue.ts[k];
  v.type = ue.types.empty() ? 0 : ue.types[k];
  v.region = ue.regions.empty() ? 0 : ue.regions[k];
  v.context = F ? ctx->data() : nullptr;
  v.n_context = static_cast<int>(F);
  return v;
}

void BatchBuilder::build_train(const uint32_t* ids, size_t n, uint64_t seed, model::TokenBatch* b,
                               model::ItemSlots* slots) const {
  // Slots: the longest window of the batch (positions count from the most recent event, so a batch of
  // short windows needs no padding up to max_len).
  int32_t T = 1;
  for (size_t r = 0; r < n; ++r) {
    const Window& w = data_.windows()[ids[r]];
    T = std::max<int32_t>(T, static_cast<int32_t>(w.end - w.begin) - 1);
  }
  T = std::min<int32_t>(T, T_);
  featurizer_.begin(b, static_cast<int32_t>(n), T);
  if (!all_items_) slots->reset(b);
  const auto& ev = data_.train_events();
  const auto offsets = ds_.user_offsets();
  Rng rng(seed);
  const int C = sampler_ ? sampler_->count() : 0;
  b->n_cands = all_items_ && C == 0 ? 0 : 1 + C;
  std::vector<int32_t> sh;
  if (shared_ > 0 && !all_items_) {
    sh.resize(shared_);
    sh.resize(sampler_->sample_shared(shared_, rng, sh.data()));
    for (int32_t item : sh) {
      b->shared_item.push_back(item);
      b->shared.push_back(slots->local(b, item));
      if (logq_) b->shared_logq.push_back(sampler_->log_share(item));
    }
  }
  const SharedIndex shared_index(ds_, sh.data(), static_cast<int>(sh.size()));
  std::vector<SharedLogQ> pair_logq;
  std::vector<int64_t> hist_cols;
  std::vector<float> num;
  std::vector<int32_t> cat, ctx, negs(C), hist, engaged, taken;
  std::vector<std::pair<int32_t, int32_t>> page_taken;  // (page, item) of the user's training events, by page
  const bool skip_user = sampler_ && sampler_->skips_user_items();
  std::vector<float> logq(C);
  const int n_shared = static_cast<int>(b->shared.size());
  for (size_t r = 0; r < n; ++r) {
    const Window& w = data_.windows()[ids[r]];
    const data::UserEvents ue = ds_.user_events(w.user);
    const int64_t ub = static_cast<int64_t>(offsets[w.user]);
    fill_user(b, static_cast<int32_t>(r), w.user, &num, &cat);
    const size_t first = data_.user_begin(w.user), last = data_.user_begin(w.user + 1);  // the user's training events
    // Items the user took are not hard negatives: any of the user's training items (skip = user), or
    // those engaged with on the target's page (skip = page: shown and clicked), looked up by page below.
    if (C > 0 && skip_user) {
      taken.clear();
      for (size_t e = first; e < last; ++e) taken.push_back(ue.items[static_cast<size_t>(ev[e] - ub)]);
      std::sort(taken.begin(), taken.end());
      taken.erase(std::unique(taken.begin(), taken.end()), taken.end());
    } else if (C > 0 && !ue.pages.empty()) {
      page_taken.clear();
      for (size_t e = first; e < last; ++e) {
        const size_t ke = static_cast<size_t>(ev[e] - ub);
        if (ue.pages[ke] >= 0) page_taken.emplace_back(ue.pages[ke], ue.items[ke]);
      }
      std::sort(page_taken.begin(), page_taken.end());
    }
    hist.clear();  // the distinct items of the user's training events before the current target, ascending
    if (exclude_history_) {
      for (size_t e = first; e < w.begin; ++e) hist.push_back(ue.items[static_cast<size_t>(ev[e] - ub)]);
      std::sort(hist.begin(), hist.end());
      hist.erase(std::unique(hist.begin(), hist.end()), hist.end());
    }
    const int32_t len = static_cast<int32_t>(w.end - w.begin);  // inputs len-1, targets len-1
    const int32_t k = len - 1;
    STARS_CHECK(k >= 1 && k <= T, "window of " << len << " events for max_len " << T);
    for (int32_t j = 0; j < k; ++j) {
      const int32_t t = T - k + j;
      const size_t s = r * T + t;
      const model::EventView in = event_view(ue, ub, ev[w.begin + j], &ctx);
      // The target: the next training event.
      const size_t tk = static_cast<size_t>(ev[w.begin + j + 1] - ub);
      // Recency of a slot: time from its event to the next request, here its target. A window-wide "now"
      // would show earlier positions when the window ends (a future fact) and differ from what serving
      // sees; this way every position sees what the last one sees at request time.
      featurizer_.set_slot(b, static_cast<int32_t>(r), t, in, ue.ts[tk]);
      b->item_local[s] = all_items_ ? in.item : slots->local(b, in.item);
      const int32_t target = ue.items[tk];
      const int64_t tgt_index = static_cast<int64_t>(b->tgt_item.size());
      if (exclude_history_) {
        const auto at = std::lower_bound(hist.begin(), hist.end(), in.item);
        if (at == hist.end() || *at != in.item) hist.insert(at, in.item);
        if (all_items_) {  // (target, item) pairs: the full softmax's mask (the sampled loss masks columns only)
          for (int32_t it : hist) {
            if (it == target) continue;
            b->hist_tgt.push_back(tgt_index);
            b->hist_item.push_back(it);
          }
        }
        // The shared columns holding a history item: from the history or from the columns, whichever is shorter.
        if (n_shared > 0 && hist.size() <= static_cast<size_t>(n_shared)) {
          for (int32_t it : hist) {
            if (it == target) continue;
            for (auto c = shared_index.item_begin(it); c != shared_index.item_end(it); ++c)
              hist_cols.push_back(tgt_index * n_shared + c->second);
          }
          std::sort(hist_cols.begin(), hist_cols.end());
        } else {
          for (int c = 0; c < n_shared; ++c)
            if (sh[c] != target && std::binary_search(hist.begin(), hist.end(), sh[c])) hist_cols.push_back(tgt_index * n_shared + c);
        }
        b->hist_shared.insert(b->hist_shared.end(), hist_cols.begin(), hist_cols.end());
        hist_cols.clear();
      }
      b->tgt_slot.push_back(static_cast<int64_t>(s));
      b->tgt_item.push_back(target);
      featurizer_.add_target_context(b, ue.ts[tk], ue.regions.empty() ? 0 : ue.regions[tk]);
      if (b->n_cands > 0) {
        b->cands.push_back(all_items_ ? target : slots->local(b, target));
        if (C > 0) {
          const int32_t page = ue.pages.empty() ? -1 : ue.pages[tk];
          if (!skip_user) {  // the page's run of page_taken, items in ascending order
            engaged.clear();
            if (page >= 0) {
              auto it = std::lower_bound(page_taken.begin(), page_taken.end(), std::make_pair(page, std::numeric_limits<int32_t>::min()));
              for (; it != page_taken.end() && it->first == page; ++it) engaged.push_back(it->second);
            }
          }
          const std::vector<int32_t>& skip = skip_user ? taken : engaged;
          float scale = 0.0f;
          sampler_->sample(target, page, rng, negs.data(), n_shared, logq_ ? logq.data() : nullptr, &scale,
                           skip.data(), static_cast<int>(skip.size()), &shared_index, &pair_logq);
          for (int c = 0; c < C; ++c) b->cands.push_back(all_items_ ? negs[c] : slots->local(b, negs[c]));
          if (logq_) {
            b->cand_logq.push_back(0.0f);
            b->cand_logq.insert(b->cand_logq.end(), logq.begin(), logq.end());
            b->tgt_shared_logq.push_back(scale);
            for (const SharedLogQ& p : pair_logq) {
              b->pair_logq_tgt.push_back(tgt_index);
              b->pair_logq_col.push_back(p.column);
              b->pair_logq.push_back(p.log_q);
            }
          }
          if (exclude_history_) {
            for (int c = 0; c < C; ++c)
              if (negs[c] != target && std::binary_search(hist.begin(), hist.end(), negs[c]))
                b->hist_cand.push_back(tgt_index * b->n_cands + 1 + c);
          }
        }
        if (logq_ && C == 0) {  // the target and the shared negatives only
          b->cand_logq.push_back(0.0f);
          b->tgt_shared_logq.push_back(NegativeSampler::shared_log_scale(n_shared));
        }
      }
      if (j == k - 1) b->row_last_target[r] = static_cast<int64_t>(b->tgt_item.size()) - 1;
      if (j == 0 && w.begin == first && !(cold_holdout_ && (*cold_holdout_)[static_cast<size_t>(w.user)]))
        b->row_first_target[r] = static_cast<int64_t>(b->tgt_item.size()) - 1;
    }
  }
  b->n_targets = static_cast<int64_t>(b->tgt_item.size());
  featurizer_.finish(b);
  if (!all_items_) {
    slots->sort(b);
    slots->clear(*b);
  }
}

int64_t BatchBuilder::max_history_pairs(int batch_size) const {
  if (!exclude_history_ || !all_items_ || batch_size <= 0) return 0;
  std::vector<int64_t> pairs;
  pairs.reserve(data_.windows().size());
  for (const Window& w : data_.windows()) {
    // Target j of the window's k sees the earlier events of its user and inputs 0..j.
    const int64_t k = static_cast<int64_t>(w.end - w.begin) - 1, earlier = static_cast<int64_t>(w.begin - data_.user_begin(w.user));
    pairs.push_back(k * earlier + k * (k + 1) / 2);
  }
  const size_t top = std::min(pairs.size(), static_cast<size_t>(batch_size));
  std::nth_element(pairs.begin(), pairs.begin() + static_cast<std::ptrdiff_t>(top), pairs.end(), std::greater<int64_t>());
  int64_t sum = 0;
  for (size_t i = 0; i < top; ++i) sum += pairs[i];
  return sum;
}

void BatchBuilder::build_eval(const EvalQuery* q, size_t n, model::TokenBatch* b) const {
  const auto offsets = ds_.user_offsets();
  int32_t T = 1;
  for (size_t r = 0; r < n; ++r)
    T = std::max<int32_t>(T, static_cast<int32_t>(std::min<int64_t>(q[r].history_end - static_cast<int64_t>(offsets[q[r].user]), T_)));
  featurizer_.begin(b, static_cast<int32_t>(n), T);
  std::vector<float> num;
  std::vector<int32_t> cat, ctx;
  for (size_t r = 0; r < n; ++r) {
    const EvalQuery& x = q[r];
    const data::UserEvents ue = ds_.user_events(x.user);
    const int64_t ub = static_cast<int64_t>(offsets[x.user]);
    fill_user(b, static_cast<int32_t>(r), x.user, &num, &cat);
    const size_t tk = static_cast<size_t>(x.target - ub);
    const int64_t k = std::min<int64_t>(x.history_end - ub, T);
    const int64_t now = ue.ts[tk];  // the request time: when the target happened
    for (int64_t j = 0; j < k; ++j) {
      const int32_t t = T - static_cast<int32_t>(k) + static_cast<int32_t>(j);
      const int64_t h = x.history_end - k + j;
      const model::EventView in = event_view(ue, ub, h, &ctx);
      // Recency: to the next history event, or to the request time for the last one (as in training).
      featurizer_.set_slot(b, static_cast<int32_t>(r), t, in, j + 1 < k ? ue.ts[static_cast<size_t>(h + 1 - ub)] : now);
      b->item_local[r * T + t] = in.item;
    }
    b->tgt_slot.push_back(static_cast<int64_t>(r * T + T - 1));
    b->tgt_item.push_back(ue.items[tk]);
    featurizer_.add_target_context(b, ue.ts[tk], ue.regions.empty() ? 0 : ue.regions[tk]);
    b->row_last_target[r] = static_cast<int64_t>(r);
  }
  b->n_targets = static_cast<int64_t>(n);
  b->n_cands = 0;
  featurizer_.finish(b);
}

}  // namespace stars::train
