// A learning-to-rank model through XGBoost's C API (Debian libxgboost-dev 1.7): LambdaMART with the
// `rank:ndcg` objective over query groups, trained from dense float features (NaN = missing), and
// batch prediction. RAII over the C handles; every failing call raises stars::Error with XGBoost's
// message. Torch-free; the only file that includes xgboost/c_api.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stars::eval {

struct XgbRankerParams {
  int rounds = 150;
  int max_depth = 6;
  double eta = 0.1;
  double subsample = 0.8;
  double min_child_weight = 1.0;
  int ndcg_at = 10;
  int threads = 1;
  uint64_t seed = 0;
};

class XgbRanker {
 public:
  XgbRanker() = default;
  ~XgbRanker();
  XgbRanker(const XgbRanker&) = delete;
  XgbRanker& operator=(const XgbRanker&) = delete;

  // rows: (n_rows, n_features) row-major; labels per row (relevance >= 0); group_sizes: rows per query,
  // consecutive, summing to n_rows.
  void train(const float* rows, size_t n_rows, size_t n_features, const std::vector<float>& labels,
             const std::vector<unsigned>& group_sizes, const XgbRankerParams& params);
  // Scores (n_rows) of rows (n_rows, n_features); thread-compatible (one caller at a time).
  std::vector<float> predict(const float* rows, size_t n_rows) const;
  // Total gain per feature name ("f0", "f1", ... mapped through `names` when given).
  std::map<std::string, double> feature_gain(const std::vector<std::string>& names) const;
  bool trained() const { return booster_ != nullptr; }

 private:
  void* booster_ = nullptr;
  size_t n_features_ = 0;
};

}  // namespace stars::eval
