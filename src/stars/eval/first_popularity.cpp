#include "stars/eval/first_popularity.h"

#include <algorithm>

#include "stars/core/error.h"

namespace stars::eval {

std::vector<float> first_event_popularity(const data::Dataset& ds, const std::vector<uint8_t>& mask, int events) {
  STARS_CHECK(events >= 1, "first_event_popularity: events must be >= 1, got " << events);
  std::vector<float> count(ds.num_items(), 0.0f);
  const auto items = ds.event_items();
  const auto off = ds.user_offsets();
  for (int32_t u = 0; u < ds.num_users(); ++u) {
    int taken = 0;
    for (uint64_t k = off[u]; k < off[u + 1] && taken < events; ++k) {
      if (!mask[k]) continue;
      count[items[k]] += 1.0f;
      ++taken;
    }
  }
  return count;
}

std::vector<float> rank_first_by(const std::vector<float>& primary, const std::vector<float>& fallback) {
  STARS_CHECK(primary.size() == fallback.size(),
              "rank_first_by: " << primary.size() << " primary scores, " << fallback.size() << " fallback scores");
  const float top = fallback.empty() ? 0.0f : *std::max_element(fallback.begin(), fallback.end());
  std::vector<float> out(primary.size());
  // Fallback scores are shifted to <= -1, below every primary score (> 0); the shift keeps their order.
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = primary[i] > 0 ? primary[i] : static_cast<float>(static_cast<double>(fallback[i]) - top - 1.0);
  return out;
}

FirstPopularityScorer::FirstPopularityScorer(const data::Dataset& ds, const EvalConfig& config, int threads)
    : GlobalScorer(threads), ds_(ds), first_events_(config.first_popularity_events) {
  config.validate();
}

void FirstPopularityScorer::prepare(const QuerySet& qs) {
  scores_ = rank_first_by(first_event_popularity(ds_, qs.train_mask, first_events_),
                          item_popularity(ds_, qs.train_mask));
}

}  // namespace stars::eval
