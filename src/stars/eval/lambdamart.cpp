#include "stars/eval/lambdamart.h"

#include <algorithm>
#include <cstring>

#include "stars/core/log.h"
#include "stars/core/thread_pool.h"

namespace stars::eval {

namespace {

// Candidates (given or generated) and features for queries [first, first + n) of qs.
struct Block {
  std::vector<std::vector<int32_t>> cands;
  std::vector<size_t> row_off;  // n + 1
  std::vector<float> features;  // (rows, kNumLtrFeatures)
};

void build_block(const data::Dataset& ds, const LtrStatistics& st, const QuerySet& qs, size_t first, size_t n,
                 const LambdaMartConfig& config, int threads, Block& blk) {
  blk.cands.assign(n, {});
  const int32_t n_items = ds.num_items();
  parallel_for(n, threads, [&](size_t b, size_t e) {
    LtrScratch sc(n_items);
    for (size_t r = b; r < e; ++r) {
      const Query& q = qs.queries[first + r];
      if (q.full_catalog()) {
        ltr_candidates(ds, st, q, config, qs.exclude_history, sc, blk.cands[r]);
      } else {
        const auto c = qs.query_candidates(q);
        blk.cands[r].assign(c.begin(), c.end());
      }
    }
  });
  blk.row_off.assign(n + 1, 0);
  for (size_t r = 0; r < n; ++r) blk.row_off[r + 1] = blk.row_off[r] + blk.cands[r].size();
  blk.features.assign(blk.row_off[n] * kNumLtrFeatures, 0.0f);
  parallel_for(n, threads, [&](size_t b, size_t e) {
    LtrScratch sc(n_items);
    for (size_t r = b; r < e; ++r)
      ltr_features(ds, st, qs.queries[first + r], blk.cands[r].data(), blk.cands[r].size(), sc,
                   blk.features.data() + blk.row_off[r] * kNumLtrFeatures);
  });
}

}  // namespace

LambdaMartScorer::LambdaMartScorer(const data::Dataset& ds, const EvalConfig& config, int threads)
    : ds_(ds), config_(config), threads_(threads) {
  config_.validate();
}

void LambdaMartScorer::prepare(const QuerySet& qs) {
  Timer timer;
  fit_info_ = FitInfo{};
  // 1. Fitting queries and statistics that exclude their targets.
  const QuerySet fit = build_fit_queries(ds_, qs, config_);
  LtrStatistics fit_stats;
  fit_stats.fit(ds_, fit.train_mask, fit.train_end_time, config_);
  Block blk;
  build_block(ds_, fit_stats, fit, 0, fit.queries.size(), config_.lambdamart, threads_, blk);
  // 2. Keep the groups whose target is a candidate (others carry no ranking signal).
  std::vector<float> rows, labels;
  std::vector<unsigned> groups;
  int64_t cand_total = 0, found = 0;
  for (size_t r = 0; r < fit.queries.size(); ++r) {
    const auto& c = blk.cands[r];
    cand_total += static_cast<int64_t>(c.size());
    const auto it = std::find(c.begin(), c.end(), fit.queries[r].target);
    if (it == c.end() || c.size() < 2) continue;
    ++found;
    const float* f = blk.features.data() + blk.row_off[r] * kNumLtrFeatures;
    rows.insert(rows.end(), f, f + c.size() * kNumLtrFeatures);
    for (size_t j = 0; j < c.size(); ++j) labels.push_back(c[j] == fit.queries[r].target ? 1.0f : 0.0f);
    groups.push_back(static_cast<unsigned>(c.size()));
  }
  fit_info_.fit_queries = static_cast<int64_t>(fit.queries.size());
  fit_info_.fit_queries_used = found;
  fit_info_.fit_rows = static_cast<int64_t>(labels.size());
  fit_info_.mean_candidates = fit.queries.empty() ? 0.0 : static_cast<double>(cand_total) / fit.queries.size();
  fit_info_.candidate_recall = fit.queries.empty() ? 0.0 : static_cast<double>(found) / fit.queries.size();
  STARS_CHECK_ARG(!groups.empty(), "LambdaMART has no fitting query whose target is among its candidates ("
                                       << fit.queries.size() << " fitting queries of protocol "
                                       << protocol_name(qs.protocol) << "); the training data is too small");
  XgbRankerParams p;
  const auto& c = config_.lambdamart;
  p.rounds = c.rounds;
  p.max_depth = c.max_depth;
  p.eta = c.eta;
  p.subsample = c.subsample;
  p.min_child_weight = c.min_child_weight;
  p.ndcg_at = c.ndcg_at;
  p.threads = c.threads > 0 ? c.threads : threads_;
  p.seed = config_.seed;
  ranker_.train(rows.data(), labels.size(), kNumLtrFeatures, labels, groups, p);
  fit_info_.feature_gain = ranker_.feature_gain(ltr_feature_names());
  // 3. Statistics of the full training data for scoring.
  stats_.fit(ds_, qs.train_mask, qs.train_end_time, config_);
  fit_info_.seconds = timer.seconds();
  STARS_INFO("lambdamart: fitted on " << found << " of " << fit.queries.size() << " queries (" << labels.size()
                                      << " rows, " << fit_info_.mean_candidates << " candidates per query) in "
                                      << fit_info_.seconds << " s");
}

void LambdaMartScorer::score(const QuerySet& qs, size_t first, size_t n, float* const* out) const {
  Block blk;
  build_block(ds_, stats_, qs, first, n, config_.lambdamart, threads_, blk);
  const std::vector<float> pred = ranker_.predict(blk.features.data(), blk.row_off[n]);
  const size_t n_items = static_cast<size_t>(ds_.num_items());
  parallel_for(n, threads_, [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) {
      float* row = out[0] + r * n_items;
      const auto& c = blk.cands[r];
      float lo = 0.0f;
      for (size_t j = 0; j < c.size(); ++j) lo = j == 0 ? pred[blk.row_off[r] + j] : std::min(lo, pred[blk.row_off[r] + j]);
      // Non-candidates: below every candidate, ordered by popularity.
      for (size_t i = 0; i < n_items; ++i) row[i] = lo - 2.0f + 0.999f * stats_.popularity01[i];
      for (size_t j = 0; j < c.size(); ++j) row[c[j]] = pred[blk.row_off[r] + j];
    }
  });
}

}  // namespace stars::eval
