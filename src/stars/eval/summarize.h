// Turns per-query ranks into the reported numbers of one protocol run: Hit/Recall/NDCG@K, MRR and
// Coverage@K per model and strategy, the candidate-set size buckets and per-category slices, bootstrap
// intervals over users for every value, and paired comparisons (interval of the difference and a
// sign-flip p-value) of every (model, strategy) against the reference, the first model. Torch-free.
#pragma once

#include <string>
#include <vector>

#include "stars/data/dataset.h"
#include "stars/eval/eval_config.h"
#include "stars/eval/harness.h"
#include "stars/eval/protocols.h"
#include "stars/eval/results.h"

namespace stars::eval {

// The value of a per-query metric ("hit@K", "recall@K", "ndcg@K", "mrr") at a 0-based target rank.
// Throws kInvalidArgument for an unknown metric name.
double metric_at_rank(const std::string& metric, int64_t rank);

// ranks[0] is the reference of the comparisons. ModelResult.source/hashes/info are left for the caller.
RunResult summarize_run(const data::Dataset& ds, const QuerySet& qs, const std::vector<ScorerRanks>& ranks,
                        const EvalConfig& config);

// Hash of a query set's (user, target, candidates): runs with equal hashes scored the same queries.
std::string query_set_hash(const QuerySet& qs);

// Per-user sums of `metric` over a run's queries (users in first-appearance order) and per-user counts.
void per_user_sums(const std::vector<int32_t>& query_users, const std::vector<int32_t>& ranks,
                   const std::string& metric, std::vector<double>& sums, std::vector<double>& counts);

}  // namespace stars::eval
