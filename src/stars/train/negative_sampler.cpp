#include "stars/train/negative_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stars/core/error.h"
#include "stars/data/dataset.h"

namespace stars::train {

NegativeSampler::NegativeSampler(const data::Dataset& ds, const TrainConfig& cfg, const std::vector<int64_t>& counts,
                                 const std::vector<uint8_t>* excluded)
    : ds_(ds), n_total_(cfg.negatives), n_page_(std::min(cfg.page_negatives, cfg.negatives)),
      n_subclass_(std::min(cfg.subclass_negatives, cfg.negatives)), popularity_(cfg.random_negatives == "popularity"),
      subclass_popularity_(cfg.subclass_draws == "popularity"), skip_user_items_(cfg.hard_negative_skip == "user") {
  const int32_t N = ds.num_items();
  excluded_.assign(N, 0);
  if (excluded) excluded_ = *excluded;
  for (int32_t i = 0; i < N; ++i)
    if (!excluded_[i]) drawable_.push_back(i);
  STARS_CHECK_ARG(drawable_.size() >= 2, "negative sampling needs at least two items");
  weight_.resize(N);
  for (int32_t i = 0; i < N; ++i) weight_[i] = static_cast<double>(counts[i]) + 1.0;
  log_share_.assign(N, -std::numeric_limits<float>::infinity());
  if (popularity_) {
    double acc = 0;
    for (int32_t i : drawable_) {
      acc += weight_[i];
      cumulative_.push_back(acc);
    }
    for (int32_t i : drawable_) log_share_[i] = static_cast<float>(std::log(weight_[i] / acc));
  } else {
    for (int32_t i : drawable_) log_share_[i] = static_cast<float>(-std::log(static_cast<double>(drawable_.size())));
  }
  const int32_t n_sub = static_cast<int32_t>(ds.subclass_names().size());
  subclass_offsets_.assign(n_sub + 1, 0);
  for (int32_t i = 0; i < N; ++i)
    if (ds.item_subclass(i) >= 0 && !excluded_[i]) ++subclass_offsets_[ds.item_subclass(i) + 1];
  for (int32_t s = 0; s < n_sub; ++s) subclass_offsets_[s + 1] += subclass_offsets_[s];
  subclass_items_.resize(subclass_offsets_.back());
  std::vector<uint64_t> fill(subclass_offsets_.begin(), subclass_offsets_.end() - 1);
  for (int32_t i = 0; i < N; ++i)
    if (ds.item_subclass(i) >= 0 && !excluded_[i]) subclass_items_[fill[ds.item_subclass(i)]++] = i;
  if (subclass_popularity_) {
    subclass_cumulative_.resize(subclass_items_.size());
    for (int32_t s = 0; s < n_sub; ++s) {
      double acc = 0;
      for (uint64_t j = subclass_offsets_[s]; j < subclass_offsets_[s + 1]; ++j)
        subclass_cumulative_[j] = acc += weight_[subclass_items_[j]];
    }
  }
}

namespace {
// Index in [0, last - first) drawn by the weights whose running sums are [first, last).
size_t draw_by_cumulative(const double* first, const double* last, Rng& rng) {
  const double r = rng.uniform01() * last[-1];
  const size_t k = std::upper_bound(first, last, r) - first;
  return std::min(k, static_cast<size_t>(last - first) - 1);
}
}  // namespace

int32_t NegativeSampler::draw_random(Rng& rng) const {
  if (!popularity_) return drawable_[rng.uniform(drawable_.size())];
  return drawable_[draw_by_cumulative(cumulative_.data(), cumulative_.data() + cumulative_.size(), rng)];
}

float NegativeSampler::log_share(int32_t c) const { return log_share_[c]; }

SharedIndex::SharedIndex(const data::Dataset& ds, const int32_t* items, int k) : items_(items, items + k) {
  for (int32_t j = 0; j < k; ++j) {
    by_item_.emplace_back(items[j], j);
    if (ds.item_subclass(items[j]) >= 0) by_subclass_.emplace_back(ds.item_subclass(items[j]), j);
  }
  std::sort(by_item_.begin(), by_item_.end());
  std::sort(by_subclass_.begin(), by_subclass_.end());
}

namespace {
using Pairs = std::vector<std::pair<int32_t, int32_t>>;
const std::pair<int32_t, int32_t>* key_begin(const Pairs& v, int32_t key) {
  return v.data() + (std::lower_bound(v.begin(), v.end(), std::make_pair(key, std::numeric_limits<int32_t>::min())) - v.begin());
}
const std::pair<int32_t, int32_t>* key_end(const Pairs& v, int32_t key) {
  return v.data() + (std::upper_bound(v.begin(), v.end(), std::make_pair(key, std::numeric_limits<int32_t>::max())) - v.begin());
}
}  // namespace

const std::pair<int32_t, int32_t>* SharedIndex::item_begin(int32_t item) const { return key_begin(by_item_, item); }
const std::pair<int32_t, int32_t>* SharedIndex::item_end(int32_t item) const { return key_end(by_item_, item); }
const std::pair<int32_t, int32_t>* SharedIndex::subclass_begin(int32_t sub) const { return key_begin(by_subclass_, sub); }
const std::pair<int32_t, int32_t>* SharedIndex::subclass_end(int32_t sub) const { return key_end(by_subclass_, sub); }

void NegativeSampler::sample(int32_t target, int32_t page, Rng& rng, int32_t* out, int shared, float* log_q,
                             float* shared_log_scale, const int32_t* engaged, int n_engaged,
                             const SharedIndex* shared_index, std::vector<SharedLogQ>* shared_log_q) const {
  if (shared_log_q) shared_log_q->clear();
  // A hard negative is neither the target nor an item the user took (engaged: sorted).
  auto hard_ok = [&](int32_t c) {
    return c != target && !excluded_[c] && !std::binary_search(engaged, engaged + n_engaged, c);
  };
  int n = 0;
  int32_t buf[256];
  int m = 0;  // eligible shown items
  // 1. same-page items, in random order (partial Fisher-Yates over a small copy).
  if (n_page_ > 0 && page >= 0) {
    auto shown = ds_.page_items(page);
    for (size_t j = 0; j < shown.size() && m < 256; ++j)
      if (hard_ok(shown[j])) buf[m++] = shown[j];
    for (int j = 0; j < m && n < n_page_; ++j) {
      const int k = j + static_cast<int>(rng.uniform(m - j));
      std::swap(buf[j], buf[k]);
      out[n++] = buf[j];
    }
  }
  const int n_page = n;
  // 2. items of the target's subclass (distinct draws when the subclass is large, all of it otherwise).
  const int32_t sub = ds_.item_subclass(target);
  if (n_subclass_ > 0 && sub >= 0) {
    const uint64_t b = subclass_offsets_[sub], e = subclass_offsets_[sub + 1];
    const uint64_t size = e - b;
    const int want = std::min<int>(n_subclass_, n_total_ - n);
    // Taken items of this subclass shrink what rejection sampling can find; they are counted only when
    // the subclass is not clearly larger than the draw (with hard_negative_skip = user, `engaged` is
    // every item of the user, and most targets' subclasses are).
    auto small = [&] {
      if (size > static_cast<uint64_t>(want) + 1 + static_cast<uint64_t>(n_engaged)) return false;
      int engaged_here = 0;
      for (int j = 0; j < n_engaged; ++j) engaged_here += ds_.item_subclass(engaged[j]) == sub;
      return size <= static_cast<uint64_t>(want) + 1 + engaged_here;
    };
    if (small()) {
      const int cap = n + want;
      for (uint64_t j = b; j < e && n < cap; ++j)
        if (hard_ok(subclass_items_[j])) out[n++] = subclass_items_[j];
    } else {  // distinct uniform draws, or by weight with replacement; ineligible draws are drawn again
      const int start = n;
      const double* cum = subclass_cumulative_.data();
      for (int tries = 0; n - start < want && tries < 4 * want; ++tries) {
        const uint64_t k = subclass_popularity_ ? draw_by_cumulative(cum + b, cum + e, rng) : rng.uniform(size);
        const int32_t c = subclass_items_[b + k];
        if (!hard_ok(c)) continue;
        bool dup = false;
        if (!subclass_popularity_)
          for (int j = start; j < n; ++j) dup = dup || out[j] == c;
        if (!dup) out[n++] = c;
      }
    }
  }
  const int n_sub = n - n_page;
  // 3. random items.
  while (n < n_total_) {
    const int32_t c = draw_random(rng);
    if (c != target) out[n++] = c;
  }
  if (!log_q) return;
  // Expected occurrences of each negative: page draws spread over the m eligible shown items, subclass
  // draws over the subclass without the target (p_sub x the item's draw weight: 1 each, or its popularity
  // weight when drawn by weight; taking the whole of a small subclass is one each either way), random and
  // shared draws by log_share.
  const double draws = static_cast<double>(n_total_ - n_page - n_sub + shared);
  const double p_page = m > 0 ? static_cast<double>(n_page) / m : 0.0;
  double p_sub = 0.0;
  bool sub_weighted = false;
  auto sub_weight = [&](int32_t c) { return sub_weighted ? weight_[c] : 1.0; };
  if (sub >= 0) {
    int64_t eligible = 0;
    double eligible_weight = 0;
    for (uint64_t j = subclass_offsets_[sub]; j < subclass_offsets_[sub + 1]; ++j)
      if (hard_ok(subclass_items_[j])) {
        ++eligible;
        eligible_weight += weight_[subclass_items_[j]];
      }
    sub_weighted = subclass_popularity_ && n_sub < eligible;  // not the whole subclass
    const double total = sub_weighted ? eligible_weight : static_cast<double>(eligible);
    if (total > 0) p_sub = static_cast<double>(n_sub) / total;
  }
  auto on_page = [&](int32_t c) { return p_page > 0 && std::find(buf, buf + m, c) != buf + m; };
  auto in_subclass = [&](int32_t c) { return p_sub > 0 && ds_.item_subclass(c) == sub && hard_ok(c); };
  auto expected = [&](int32_t c) {
    double q = draws * std::exp(static_cast<double>(log_share_[c]));
    if (on_page(c)) q += p_page;
    if (in_subclass(c)) q += p_sub * sub_weight(c);
    return static_cast<float>(std::log(std::max(q, 1e-12)));
  };
  for (int j = 0; j < n_total_; ++j) log_q[j] = expected(out[j]);
  if (shared_log_scale) *shared_log_scale = NegativeSampler::shared_log_scale(draws);
  if (shared_index && shared_log_q) {
    // The shared columns holding an item of the target's subclass or of its page.
    if (p_sub > 0)
      for (auto it = shared_index->subclass_begin(sub); it != shared_index->subclass_end(sub); ++it)
        if (hard_ok(shared_index->item(it->second))) shared_log_q->push_back({it->second, expected(shared_index->item(it->second))});
    if (p_page > 0)
      for (int j = 0; j < m; ++j) {
        if (in_subclass(buf[j])) continue;  // listed above
        for (auto it = shared_index->item_begin(buf[j]); it != shared_index->item_end(buf[j]); ++it)
          shared_log_q->push_back({it->second, expected(buf[j])});
      }
  }
}

int NegativeSampler::sample_shared(int k, Rng& rng, int32_t* out) const {
  const size_t n = drawable_.size();
  if (static_cast<size_t>(k) >= n) {  // the whole catalog, once each
    std::copy(drawable_.begin(), drawable_.end(), out);
    return static_cast<int>(n);
  }
  if (!popularity_ && static_cast<size_t>(k) * 4 > n) {  // dense: partial Fisher-Yates
    std::vector<int32_t> pool(drawable_);
    for (int j = 0; j < k; ++j) {
      std::swap(pool[j], pool[j + rng.uniform(n - j)]);
      out[j] = pool[j];
    }
    return k;
  }
  // Sparse (or by popularity): rejection of repeats.
  std::vector<uint8_t> taken(excluded_.size(), 0);
  int m = 0;
  for (int tries = 0; m < k && tries < 64 * k; ++tries) {
    const int32_t c = draw_random(rng);
    if (taken[c]) continue;
    taken[c] = 1;
    out[m++] = c;
  }
  for (size_t j = 0; m < k && j < n; ++j)  // very skewed popularity: complete with unused items
    if (!taken[drawable_[j]]) out[m++] = drawable_[j];
  return m;
}

std::vector<float> popularity_prior(const std::vector<int64_t>& counts, double gamma, double alpha) {
  double total = 0;
  for (int64_t c : counts) total += static_cast<double>(c);
  const double denom = total + alpha * static_cast<double>(counts.size());
  std::vector<float> b(counts.size());
  for (size_t i = 0; i < counts.size(); ++i)
    b[i] = static_cast<float>(-gamma * std::log((static_cast<double>(counts[i]) + alpha) / denom));
  return b;
}

}  // namespace stars::train
