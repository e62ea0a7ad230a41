// The LambdaMART baseline (the paper's production ranker, §6): XGBoost rank:ndcg over candidates of the
// simple baselines with engineered features (ltr_features.h). prepare() fits it on queries built from
// the protocol's training data only (build_fit_queries: each user's last training event or session,
// features from statistics without those targets), then refits the statistics on the full training
// data for scoring. Candidates rank above all other items; the rest follow by popularity, so every
// query gets a full ranking. Protocols with given candidates (sessions) rerank exactly those. A query with
// an empty history (cold_user protocol) has only the popular and recently popular candidates and no
// history features (affinities 0, co-occurrence 0): the ranker orders them by its item features
// (popularity, recency, price, age), fitted on queries with histories. Torch-free.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stars/data/dataset.h"
#include "stars/eval/eval_config.h"
#include "stars/eval/ltr_features.h"
#include "stars/eval/scorer.h"
#include "stars/eval/xgb_ranker.h"

namespace stars::eval {

class LambdaMartScorer : public Scorer {
 public:
  LambdaMartScorer(const data::Dataset& ds, const EvalConfig& config, int threads);
  std::string name() const override { return "lambdamart"; }
  std::string kind() const override { return "lambdamart"; }
  void prepare(const QuerySet& qs) override;
  void score(const QuerySet& qs, size_t first, size_t n, float* const* out) const override;

  // What the last prepare() did, for the report.
  struct FitInfo {
    int64_t fit_queries = 0;       // fitting queries built
    int64_t fit_queries_used = 0;  // with the target among the candidates
    int64_t fit_rows = 0;
    double mean_candidates = 0;
    double candidate_recall = 0;   // share of fitting targets found among the candidates
    double seconds = 0;            // the whole fit
    double features_seconds = 0;   // fitting queries, statistics, candidates and features
    double train_seconds = 0;      // boosting
    std::map<std::string, double> feature_gain;
  };
  const FitInfo& fit_info() const { return fit_info_; }

 private:
  const data::Dataset& ds_;
  EvalConfig config_;
  int threads_;
  LtrStatistics stats_;
  XgbRanker ranker_;
  FitInfo fit_info_;
};

}  // namespace stars::eval
