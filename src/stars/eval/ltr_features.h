// Candidates and engineered features of the LambdaMART baseline (the paper's production ranker):
// candidates come from the simple baselines (co-occurrence neighbours of the last items, global and
// recent popularity, the user's recent distinct items); each (query, candidate) row has popularity,
// recency, co-occurrence, the user's subclass/department/brand affinity, price and item-age features.
// Statistics are fitted on a training mask only, so no feature contains an evaluation label. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/data/dataset.h"
#include "stars/eval/cooccurrence.h"
#include "stars/eval/eval_config.h"
#include "stars/eval/protocols.h"

namespace stars::eval {

constexpr int kNumLtrFeatures = 15;
// Names of the feature columns, in order.
const std::vector<std::string>& ltr_feature_names();

// Item statistics fitted on one training mask.
struct LtrStatistics {
  std::vector<float> popularity, recent;        // per item
  std::vector<float> popularity01;              // popularity / max, in [0, 1]
  std::vector<int64_t> first_seen, last_seen;   // per item: first/last training event time, INT64_MIN/MAX if none
  std::vector<int32_t> popular_order, recent_order;  // items by descending popularity / recent popularity
  CooccurrenceIndex cooc;
  bool has_time = false;
  int64_t train_end = 0;

  void fit(const data::Dataset& ds, const std::vector<uint8_t>& mask, int64_t train_end, const EvalConfig& config);
};

// Per-thread scratch for candidate generation and features (sized to the catalog).
struct LtrScratch {
  std::vector<float> cooc_sum, cooc_last;
  std::vector<int32_t> touched;
  std::vector<uint32_t> stamp;
  uint32_t stamp_value = 0;
  explicit LtrScratch(int32_t n_items) : cooc_sum(n_items, 0.0f), cooc_last(n_items, 0.0f), stamp(n_items, 0) {}
};

// Candidate pool of a full-catalog query: union of the configured sources, deduplicated, without
// history items when `exclude_history`.
void ltr_candidates(const data::Dataset& ds, const LtrStatistics& st, const Query& q, const LambdaMartConfig& config,
                    bool exclude_history, LtrScratch& scratch, std::vector<int32_t>& out);

// Writes kNumLtrFeatures floats per candidate (row-major) into `out`; NaN = missing.
void ltr_features(const data::Dataset& ds, const LtrStatistics& st, const Query& q, const int32_t* candidates,
                  size_t n, LtrScratch& scratch, float* out);

}  // namespace stars::eval
