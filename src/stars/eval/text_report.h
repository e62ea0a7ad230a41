// Plain-text tables for the terminal: the metrics of a protocol run (what `stars eval` prints), the
// comparison of two metrics.json files (`stars eval --compare A B`) and the ablation table. Torch-free.
#pragma once

#include <string>
#include <vector>

#include "stars/eval/eval_config.h"
#include "stars/eval/rank_file.h"
#include "stars/eval/results.h"

namespace stars::eval {

// One line per model and strategy: Recall@K, NDCG@K (K = 10 and 20 when computed) with intervals, MRR.
std::string format_run_table(const RunResult& run);

// Compares B against A run by run (same protocol and split) for every model/strategy in both and every
// metric in `metrics`. When both rank files are given and a run's query hashes agree, the difference
// gets a paired bootstrap interval and a sign-flip p-value; otherwise the two intervals are shown.
std::string format_comparison(const EvalResults& a, const EvalResults& b, const std::vector<RunRanks>* ranks_a,
                              const std::vector<RunRanks>* ranks_b, const std::vector<std::string>& metrics,
                              const EvalConfig& config);

// Pools several evaluations of the same queries (the same models trained with different seeds, say): for
// every protocol run whose query hash and query users agree in all of them, each user's metric sum is
// averaged over the evaluations, and every model/strategy present in all is compared with `reference`
// (model/strategy) by the paired bootstrap interval and sign-flip test of those averages (which cover the
// sampling of queries); then each comparison with the evaluations as units (which cover training seeds):
// the change in every evaluation, how many are lower and higher, and the exact sign-flip p over them
// (sign_flip_pvalue; 0.5 at best with two evaluations, 2/1024 with ten). names label the evaluations.
// Runs that are not in every evaluation, or lack the reference in one, are skipped with a note;
// kInvalidArgument when no run is left.
std::string format_pooled(const std::vector<std::string>& names, const std::vector<std::vector<RunRanks>>& ranks,
                          const std::string& reference, const std::vector<std::string>& metrics,
                          const EvalConfig& config);

std::string format_ablation_table(const EvalResults& results);

}  // namespace stars::eval
