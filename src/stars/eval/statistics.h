// Uncertainty of evaluation metrics, resampling users (queries of one user are not independent):
// percentile intervals from a Poisson bootstrap over users (the replicate sums of every metric column are
// one sgemm, weights × per-user sums), and for two models scored on the same queries a paired
// comparison: the bootstrap interval of the difference and a two-sided sign-flip randomisation test on
// per-user differences. Deterministic for a given seed. Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace stars::eval {

// Ratio metrics value_c = sum_u values[u][c] / sum_u counts[u][group_of_col[c]].
// values: (n_users, n_cols) row-major per-user sums; counts: (n_users, n_groups). Fills lo/hi per column
// (NaN when samples == 0 or a replicate has no queries in the column's group).
void bootstrap_intervals(const std::vector<float>& values, size_t n_users, size_t n_cols,
                         const std::vector<float>& counts, size_t n_groups, const std::vector<int>& group_of_col,
                         int samples, double confidence, uint64_t seed, std::vector<double>& lo,
                         std::vector<double>& hi);

struct PairedResult {
  double a = 0, b = 0;      // metric of each model: sum(x) / sum(count)
  double diff = 0;          // a - b
  double lo = 0, hi = 0;    // bootstrap interval of the difference (NaN without samples)
  double p_value = 1;       // two-sided sign-flip randomisation test (NaN without permutations)
};

// a, b, counts: per-user sums of the metric for the two models and the per-user query counts.
PairedResult paired_difference(const std::vector<double>& a, const std::vector<double>& b,
                               const std::vector<double>& counts, int bootstrap_samples, int permutations,
                               double confidence, uint64_t seed);
// Several models against one reference on the same users, sharing the resampling weights and signs:
// result c compares a[c] with b. Each result is the same as paired_difference(a[c], b, ...).
std::vector<PairedResult> paired_differences(const std::vector<std::vector<double>>& a, const std::vector<double>& b,
                                             const std::vector<double>& counts, int bootstrap_samples,
                                             int permutations, double confidence, uint64_t seed);

// Two-sided sign-flip randomisation p-values for the columns of per-user differences d (n_users, n_cols):
// p_c = (1 + #{r : |sum_u s_ru d_uc| >= |sum_u d_uc|}) / (flips + 1) with random signs s shared by all
// columns (one sgemm per block of users).
std::vector<double> sign_flip_pvalues(const std::vector<float>& d, size_t n_users, size_t n_cols, int flips,
                                      uint64_t seed);

// Two-sided sign-flip test of a few paired differences d (one per training seed, say): the share of sign
// patterns s with |sum_i s_i d_i| >= |sum_i d_i|. Exact over all 2^n patterns up to n = 20, else
// sign_flip_pvalues' `flips` random patterns, p = (1 + extreme) / (flips + 1). The smallest exact p is
// 2 / 2^n (0.5 with two values). NaN without values.
double sign_flip_pvalue(const std::vector<double>& d, int flips, uint64_t seed);

// Poisson(1) draws for resampling (exposed for tests).
class PoissonOne {
 public:
  explicit PoissonOne(uint64_t seed);
  int next();

 private:
  uint64_t s_[4];
  double cdf_[16];
};

}  // namespace stars::eval
