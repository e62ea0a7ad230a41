// Item-to-item co-occurrence baseline: two training events of a user at most `window` positions apart
// co-occur with weight 1/distance (both orders unless `directed`), optionally cosine-normalised by the
// items' counts; each item keeps its strongest neighbours. A query scores the neighbours of its last
// history items, the t-th last weighted decay^t; items without a neighbour score fall back to popularity
// (below every neighbour); a query with an empty history (cold_user protocol) is ranked by popularity
// alone. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/core/span.h"
#include "stars/data/dataset.h"
#include "stars/eval/eval_config.h"
#include "stars/eval/scorer.h"

namespace stars::eval {

class CooccurrenceIndex {
 public:
  void build(const data::Dataset& ds, const std::vector<uint8_t>& mask, const CooccurrenceConfig& config);
  Span<const int32_t> neighbors(int32_t item) const {
    return Span<const int32_t>(nbr_.data() + off_[item], off_[item + 1] - off_[item]);
  }
  Span<const float> weights(int32_t item) const {
    return Span<const float>(w_.data() + off_[item], off_[item + 1] - off_[item]);
  }
  // Adds the decayed neighbour weights of the query's last history items to acc (num_items floats,
  // zero where untouched) and appends newly touched items to `touched`. When `last_only` is not null it
  // also receives the weights of the very last item's neighbours (same indexing, same touched list).
  void accumulate(const data::Dataset& ds, const Query& q, float* acc, std::vector<int32_t>& touched,
                  float* last_only = nullptr) const;
  size_t num_pairs() const { return nbr_.size(); }

 private:
  CooccurrenceConfig config_;
  std::vector<uint64_t> off_;
  std::vector<int32_t> nbr_;
  std::vector<float> w_;
};

class CooccurrenceScorer : public Scorer {
 public:
  CooccurrenceScorer(const data::Dataset& ds, const CooccurrenceConfig& config, int threads);
  std::string name() const override { return "cooccurrence"; }
  std::string kind() const override { return "cooccurrence"; }
  void prepare(const QuerySet& qs) override;
  void score(const QuerySet& qs, size_t first, size_t n, float* const* out) const override;

 private:
  const data::Dataset& ds_;
  CooccurrenceConfig config_;
  int threads_;
  CooccurrenceIndex index_;
  std::vector<float> fallback_;  // popularity scaled into [0, 1)
};

}  // namespace stars::eval
