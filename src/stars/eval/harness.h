// The evaluation harness: runs one Scorer over a QuerySet in blocks (scores for a block of queries, then
// the target's rank and the top lists per query on worker threads) and keeps, per strategy, every
// query's target rank and each item's best list position (for Coverage@K). A scorer with two lists
// (STARS: h_gen, h_next) also gets their round-robin interleave. Torch-free.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "stars/data/dataset.h"
#include "stars/eval/eval_config.h"
#include "stars/eval/protocols.h"
#include "stars/eval/scorer.h"

namespace stars::eval {

constexpr int32_t kNeverListed = std::numeric_limits<int32_t>::max();

struct StrategyRanks {
  std::string name;               // a list name ("h_gen", "h_next", "score") or "interleave"
  std::vector<int32_t> ranks;     // per query: 0-based rank of the target
  std::vector<int32_t> best_pos;  // per item: best position in any query's top-max(K) list, kNeverListed if none
};

struct ScorerRanks {
  std::string name, kind;
  std::vector<StrategyRanks> strategies;
  double prepare_seconds = 0;  // fitting (baselines) on the query set's training data
  double score_seconds = 0;    // scoring + ranking every query
};

// Scores every query of `qs` with `scorer` (after scorer.prepare(qs)) using `threads` threads.
ScorerRanks rank_queries(const data::Dataset& ds, const QuerySet& qs, Scorer& scorer, const EvalConfig& config,
                         int threads);

}  // namespace stars::eval
