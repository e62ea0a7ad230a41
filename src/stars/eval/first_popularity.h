// First-event popularity: the baseline a product team uses for brand-new users, "what new users take
// first". Every query gets the same ranking: items by how many training users have them among their first
// `first_popularity_events` training events (time order), then every item no user took first by its
// ordinary popularity (training events), so the whole catalog is ranked. On MovieLens-100K 61% of the
// users' first ratings fall on 10 movies (the signup flow), which makes it the reference of the
// cold_user protocol (an empty history, target = the user's first event; docs/EVAL.md). Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/data/dataset.h"
#include "stars/eval/eval_config.h"
#include "stars/eval/popularity.h"

namespace stars::eval {

// Per item: the number of users that have it among their first `events` events with mask[k] != 0, in the
// order of the user's sequence (time order). events >= 1.
std::vector<float> first_event_popularity(const data::Dataset& ds, const std::vector<uint8_t>& mask, int events);

// One score row (N) ranking the items with primary[i] > 0 by primary, then every other item by fallback,
// both descending; equal values stay ties. Exact while the counts stay below 2^24 (as float counts are).
std::vector<float> rank_first_by(const std::vector<float>& primary, const std::vector<float>& fallback);

class FirstPopularityScorer : public GlobalScorer {
 public:
  // Counts each user's first config.first_popularity_events training events; throws when config is invalid.
  FirstPopularityScorer(const data::Dataset& ds, const EvalConfig& config, int threads);
  std::string name() const override { return "first_popularity"; }
  std::string kind() const override { return name(); }
  void prepare(const QuerySet& qs) override;

 private:
  const data::Dataset& ds_;
  int first_events_;
};

}  // namespace stars::eval
