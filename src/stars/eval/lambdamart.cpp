#include "stars/eval/lambdamart.h"

#include <algorithm>
#include <cstring>

#include "stars/core/log.h"
#include "stars/core/random.h"
#include "stars/core/thread_pool.h"

namespace stars::eval {

namespace {

// Candidates (given or generated) and features for queries [first, first + n) of qs.
struct Block {
  std::vector<std::vector<int32_t>> cands;
  std::vector<size_t> row_off;  // n + 1
  std::vector<float> features;  // (rows, kNumLtrFeatures)
};

void build_candidates(const data::Dataset& ds, const LtrStatistics& st, const QuerySet& qs, size_t first, size_t n,
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
}

// Features of blk.cands (one list per query [first, first + n)).
void build_features(const data::Dataset& ds, const LtrStatistics& st, const QuerySet& qs, size_t first, size_t n,
                    int threads, Block& blk) {
  const int32_t n_items = ds.num_items();
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
  // 2. Candidates of every fitting query; keep the queries whose target is a candidate (the others carry
  //    no ranking signal), then compute features for those only.
  Block blk;
  build_candidates(ds_, fit_stats, fit, 0, fit.queries.size(), config_.lambdamart, threads_, blk);
  int64_t cand_total = 0;
  QuerySet used = fit;
  used.queries.clear();
  std::vector<std::vector<int32_t>> used_cands;
  Rng rng(derive_seed(config_.seed, 0x1A3B));
  const size_t keep_neg = static_cast<size_t>(config_.lambdamart.fit_negatives);
  for (size_t r = 0; r < fit.queries.size(); ++r) {
    auto& c = blk.cands[r];
    cand_total += static_cast<int64_t>(c.size());
    const auto pos = std::find(c.begin(), c.end(), fit.queries[r].target);
    if (c.size() < 2 || pos == c.end()) continue;
    if (keep_neg > 0 && c.size() > keep_neg + 1) {
      // The target plus a seeded sample of the other candidates.
      std::iter_swap(c.begin(), pos);
      for (size_t k = 1; k <= keep_neg; ++k) std::swap(c[k], c[k + rng.uniform(c.size() - k)]);
      c.resize(keep_neg + 1);
    }
    for (size_t k = 0; k + 1 < c.size(); ++k) std::swap(c[k], c[k + rng.uniform(c.size() - k)]);  // no positional cue
    used.queries.push_back(fit.queries[r]);
    used_cands.push_back(std::move(c));
  }
  const int64_t found = static_cast<int64_t>(used.queries.size());
  blk.cands = std::move(used_cands);
  build_features(ds_, fit_stats, used, 0, used.queries.size(), threads_, blk);
  std::vector<float> labels;
  std::vector<unsigned> groups;
  for (size_t r = 0; r < used.queries.size(); ++r) {
    for (int32_t item : blk.cands[r]) labels.push_back(item == used.queries[r].target ? 1.0f : 0.0f);
    groups.push_back(static_cast<unsigned>(blk.cands[r].size()));
  }
  const std::vector<float>& rows = blk.features;
  fit_info_.features_seconds = timer.seconds();
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
  Timer train_timer;
  ranker_.train(rows.data(), labels.size(), kNumLtrFeatures, labels, groups, p);
  fit_info_.train_seconds = train_timer.seconds();
  fit_info_.feature_gain = ranker_.feature_gain(ltr_feature_names());
  // 3. Statistics of the full training data for scoring.
  stats_.fit(ds_, qs.train_mask, qs.train_end_time, config_);
  fit_info_.seconds = timer.seconds();
  STARS_INFO("lambdamart: fitted on " << found << " of " << fit.queries.size() << " queries (" << labels.size()
                                      << " rows, " << fit_info_.mean_candidates << " candidates per query) in "
                                      << fit_info_.seconds << " s (features " << fit_info_.features_seconds
                                      << " s, boosting " << fit_info_.train_seconds << " s)");
}

void LambdaMartScorer::score(const QuerySet& qs, size_t first, size_t n, float* const* out) const {
  Block blk;
  build_candidates(ds_, stats_, qs, first, n, config_.lambdamart, threads_, blk);
  build_features(ds_, stats_, qs, first, n, threads_, blk);
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
