#include "stars/eval/cooccurrence.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "stars/core/thread_pool.h"
#include "stars/eval/popularity.h"

namespace stars::eval {

namespace {
struct Pair {
  int32_t a, b;
  float w;
};
}  // namespace

void CooccurrenceIndex::build(const data::Dataset& ds, const std::vector<uint8_t>& mask,
                              const CooccurrenceConfig& config) {
  config.validate();
  config_ = config;
  const int32_t n_items = ds.num_items();
  const auto items = ds.event_items();
  const auto off = ds.user_offsets();
  const std::vector<float> count = item_popularity(ds, mask);
  std::vector<Pair> pairs;
  std::vector<int32_t> seq;
  for (int32_t u = 0; u < ds.num_users(); ++u) {
    seq.clear();
    for (uint64_t k = off[u]; k < off[u + 1]; ++k)
      if (mask[k]) seq.push_back(items[k]);
    for (size_t i = 0; i < seq.size(); ++i)
      for (size_t j = i + 1; j < seq.size() && j - i <= static_cast<size_t>(config.window); ++j) {
        if (seq[i] == seq[j]) continue;
        const float w = 1.0f / static_cast<float>(j - i);
        pairs.push_back({seq[i], seq[j], w});
        if (!config.directed) pairs.push_back({seq[j], seq[i], w});
      }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) { return x.a != y.a ? x.a < y.a : x.b < y.b; });
  // Reduce equal (a, b), normalise, keep the strongest max_neighbors per a.
  off_.assign(n_items + 1, 0);
  nbr_.clear();
  w_.clear();
  std::vector<std::pair<float, int32_t>> row;
  size_t p = 0;
  for (int32_t a = 0; a < n_items; ++a) {
    row.clear();
    while (p < pairs.size() && pairs[p].a == a) {
      const int32_t b = pairs[p].b;
      double w = 0;
      while (p < pairs.size() && pairs[p].a == a && pairs[p].b == b) w += pairs[p++].w;
      if (config.cosine) w /= std::sqrt(static_cast<double>(count[a]) * static_cast<double>(count[b]) + 1e-12);
      row.emplace_back(static_cast<float>(w), b);
    }
    const size_t keep = std::min(row.size(), static_cast<size_t>(config.max_neighbors));
    std::partial_sort(row.begin(), row.begin() + keep, row.end(),
                      [](const auto& x, const auto& y) { return x.first != y.first ? x.first > y.first : x.second < y.second; });
    for (size_t i = 0; i < keep; ++i) {
      nbr_.push_back(row[i].second);
      w_.push_back(row[i].first);
    }
    off_[a + 1] = nbr_.size();
  }
}

void CooccurrenceIndex::accumulate(const data::Dataset& ds, const Query& q, float* acc, std::vector<int32_t>& touched,
                                   float* last_only) const {
  const auto items = ds.event_items();
  float decay = 1.0f;
  int t = 0;
  for (uint64_t k = q.hist_end; k > q.hist_begin && t < config_.last_items; --k, ++t) {
    const int32_t h = items[k - 1];
    const auto nb = neighbors(h);
    const auto w = weights(h);
    for (size_t i = 0; i < nb.size(); ++i) {
      const int32_t j = nb[i];
      if (acc[j] == 0.0f && (last_only == nullptr || last_only[j] == 0.0f)) touched.push_back(j);
      acc[j] += decay * w[i];
      if (t == 0 && last_only != nullptr) last_only[j] += w[i];
    }
    decay *= static_cast<float>(config_.decay);
  }
}

CooccurrenceScorer::CooccurrenceScorer(const data::Dataset& ds, const CooccurrenceConfig& config, int threads)
    : ds_(ds), config_(config), threads_(threads) {
  config_.validate();
}

void CooccurrenceScorer::prepare(const QuerySet& qs) {
  index_.build(ds_, qs.train_mask, config_);
  fallback_ = item_popularity(ds_, qs.train_mask);
  const float mx = *std::max_element(fallback_.begin(), fallback_.end());
  for (float& f : fallback_) f = mx > 0 ? 0.999f * f / mx : 0.0f;
}

void CooccurrenceScorer::score(const QuerySet& qs, size_t first, size_t n, float* const* out) const {
  const size_t n_items = fallback_.size();
  parallel_for(n, threads_, [&](size_t b, size_t e) {
    std::vector<float> acc(n_items, 0.0f);
    std::vector<int32_t> touched;
    for (size_t r = b; r < e; ++r) {
      float* row = out[0] + r * n_items;
      std::memcpy(row, fallback_.data(), n_items * sizeof(float));
      touched.clear();
      index_.accumulate(ds_, qs.queries[first + r], acc.data(), touched);
      for (int32_t j : touched) {
        row[j] = 1.0f + acc[j];  // every neighbour ranks above every popularity fallback
        acc[j] = 0.0f;
      }
    }
  });
}

}  // namespace stars::eval
