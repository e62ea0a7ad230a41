// Popularity baselines: every user gets the same ranking. Global popularity counts training events per
// item; recent popularity weights each event by recency, exp(-ln2 * age / half-life), with age measured
// in days before the end of the training period (timed data) or in events from the end of the user's
// training sequence (order-only data such as the Amazon sequences). Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/data/dataset.h"
#include "stars/eval/eval_config.h"
#include "stars/eval/scorer.h"

namespace stars::eval {

// Number of events with mask[k] != 0 per item.
std::vector<float> item_popularity(const data::Dataset& ds, const std::vector<uint8_t>& mask);
// Recency-weighted event counts per item (see above); `train_end` is the training period's end.
std::vector<float> recent_popularity(const data::Dataset& ds, const std::vector<uint8_t>& mask, int64_t train_end,
                                     const PopularityConfig& config);

// A scorer that gives every query the same row of item scores, computed by prepare() into scores_ (the
// popularity baselines). The harness ranks it like any row: score descending, ties by item id (the
// target's rank counts half its ties), history items excluded where the protocol says so.
class GlobalScorer : public Scorer {
 public:
  void score(const QuerySet& qs, size_t first, size_t n, float* const* out) const override;
  const std::vector<float>& scores() const { return scores_; }

 protected:
  explicit GlobalScorer(int threads) : threads_(threads) {}
  std::vector<float> scores_;  // (N)

 private:
  int threads_;
};

class PopularityScorer : public GlobalScorer {
 public:
  PopularityScorer(const data::Dataset& ds, bool recent, const PopularityConfig& config, int threads);
  std::string name() const override { return recent_ ? "recent-popularity" : "popularity"; }
  std::string kind() const override { return name(); }
  void prepare(const QuerySet& qs) override;

 private:
  const data::Dataset& ds_;
  bool recent_;
  PopularityConfig config_;
};

}  // namespace stars::eval
