#include "stars/eval/popularity.h"

#include <cmath>
#include <cstring>

#include "stars/core/thread_pool.h"

namespace stars::eval {

std::vector<float> item_popularity(const data::Dataset& ds, const std::vector<uint8_t>& mask) {
  std::vector<float> pop(ds.num_items(), 0.0f);
  const auto items = ds.event_items();
  for (size_t k = 0; k < mask.size(); ++k)
    if (mask[k]) pop[items[k]] += 1.0f;
  return pop;
}

std::vector<float> recent_popularity(const data::Dataset& ds, const std::vector<uint8_t>& mask, int64_t train_end,
                                     const PopularityConfig& config) {
  std::vector<double> acc(ds.num_items(), 0.0);
  const auto items = ds.event_items();
  const auto ts = ds.event_times();
  const auto off = ds.user_offsets();
  const double ln2 = std::log(2.0);
  if (ds.info().has_time) {
    const double rate = ln2 / (config.recent_halflife_days * 86400.0);
    for (size_t k = 0; k < mask.size(); ++k)
      if (mask[k]) acc[items[k]] += std::exp(-rate * static_cast<double>(std::max<int64_t>(train_end - ts[k], 0)));
  } else {
    const double rate = ln2 / config.recent_halflife_events;
    for (int32_t u = 0; u < ds.num_users(); ++u) {
      int64_t age = 0;  // training events after this one in the user's sequence
      for (uint64_t k = off[u + 1]; k-- > off[u];) {
        if (!mask[k]) continue;
        acc[items[k]] += std::exp(-rate * static_cast<double>(age));
        ++age;
      }
    }
  }
  return std::vector<float>(acc.begin(), acc.end());
}

void GlobalScorer::score(const QuerySet& qs, size_t first, size_t n, float* const* out) const {
  const size_t n_items = scores_.size();
  parallel_for(n, threads_, [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) std::memcpy(out[0] + r * n_items, scores_.data(), n_items * sizeof(float));
  });
}

PopularityScorer::PopularityScorer(const data::Dataset& ds, bool recent, const PopularityConfig& config, int threads)
    : GlobalScorer(threads), ds_(ds), recent_(recent), config_(config) {
  config_.validate();
}

void PopularityScorer::prepare(const QuerySet& qs) {
  scores_ = recent_ ? recent_popularity(ds_, qs.train_mask, qs.train_end_time, config_)
                    : item_popularity(ds_, qs.train_mask);
}

}  // namespace stars::eval
