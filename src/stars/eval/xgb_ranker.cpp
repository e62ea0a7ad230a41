#include "stars/eval/xgb_ranker.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <numeric>

#include "stars/core/error.h"

namespace stars::eval {

namespace {

void check(int rc, const char* what) {
  if (rc != 0) STARS_THROW(kInternal, "XGBoost " << what << " failed: " << XGBGetLastError());
}

struct DMatrix {
  DMatrixHandle h = nullptr;
  DMatrix(const float* rows, size_t n_rows, size_t n_features, int threads) {
    check(XGDMatrixCreateFromMat_omp(rows, n_rows, n_features, std::nanf(""), &h, threads), "XGDMatrixCreateFromMat");
  }
  ~DMatrix() {
    if (h) XGDMatrixFree(h);
  }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
};

}  // namespace

XgbRanker::~XgbRanker() {
  if (booster_) XGBoosterFree(static_cast<BoosterHandle>(booster_));
}

void XgbRanker::train(const float* rows, size_t n_rows, size_t n_features, const std::vector<float>& labels,
                      const std::vector<unsigned>& group_sizes, const XgbRankerParams& p) {
  STARS_CHECK_ARG(n_rows > 0 && n_features > 0, "LambdaMART needs training rows, got " << n_rows << " x " << n_features);
  STARS_CHECK_ARG(labels.size() == n_rows, "labels: expected " << n_rows << " values, got " << labels.size());
  const uint64_t total = std::accumulate(group_sizes.begin(), group_sizes.end(), uint64_t{0});
  STARS_CHECK_ARG(total == n_rows, "query group sizes sum to " << total << ", expected " << n_rows);
  if (booster_) {
    XGBoosterFree(static_cast<BoosterHandle>(booster_));
    booster_ = nullptr;
  }
  n_features_ = n_features;
  DMatrix dtrain(rows, n_rows, n_features, p.threads);
  check(XGDMatrixSetFloatInfo(dtrain.h, "label", labels.data(), labels.size()), "set labels");
  check(XGDMatrixSetUIntInfo(dtrain.h, "group", group_sizes.data(), group_sizes.size()), "set query groups");
  BoosterHandle b = nullptr;
  check(XGBoosterCreate(&dtrain.h, 1, &b), "XGBoosterCreate");
  booster_ = b;
  auto set = [&](const char* k, const std::string& v) { check(XGBoosterSetParam(b, k, v.c_str()), k); };
  set("objective", "rank:ndcg");
  set("eval_metric", "ndcg@" + std::to_string(p.ndcg_at));
  set("tree_method", "hist");
  set("max_depth", std::to_string(p.max_depth));
  set("eta", std::to_string(p.eta));
  set("subsample", std::to_string(p.subsample));
  set("min_child_weight", std::to_string(p.min_child_weight));
  set("nthread", std::to_string(std::max(1, p.threads)));
  set("seed", std::to_string(p.seed % 2147483647ULL));
  set("verbosity", "0");
  for (int it = 0; it < p.rounds; ++it) check(XGBoosterUpdateOneIter(b, it, dtrain.h), "XGBoosterUpdateOneIter");
}

std::vector<float> XgbRanker::predict(const float* rows, size_t n_rows) const {
  STARS_CHECK(booster_ != nullptr, "LambdaMART predict before train");
  if (n_rows == 0) return {};
  DMatrix d(rows, n_rows, n_features_, 1);
  bst_ulong len = 0;
  const float* res = nullptr;
  check(XGBoosterPredict(static_cast<BoosterHandle>(booster_), d.h, 0, 0, 0, &len, &res), "XGBoosterPredict");
  STARS_CHECK(len == n_rows, "XGBoost returned " << len << " predictions for " << n_rows << " rows");
  return std::vector<float>(res, res + len);
}

std::map<std::string, double> XgbRanker::feature_gain(const std::vector<std::string>& names) const {
  std::map<std::string, double> out;
  if (!booster_) return out;
  bst_ulong n_feat = 0, out_dim = 0;
  const char** feat = nullptr;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  check(XGBoosterFeatureScore(static_cast<BoosterHandle>(booster_), R"({"importance_type": "total_gain"})", &n_feat,
                              &feat, &out_dim, &shape, &scores),
        "XGBoosterFeatureScore");
  for (bst_ulong i = 0; i < n_feat; ++i) {
    std::string name = feat[i];
    if (name.size() > 1 && name[0] == 'f') {
      const size_t idx = std::strtoul(name.c_str() + 1, nullptr, 10);
      if (idx < names.size()) name = names[idx];
    }
    out[name] = scores[i];
  }
  return out;
}

}  // namespace stars::eval
