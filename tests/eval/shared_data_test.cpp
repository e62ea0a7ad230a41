// Evaluation on the public datasets in ../shared/data (skipped when absent): the baselines on
// amazon-beauty and ml-100k under the full-catalog, cold-item, temporal, sampled and cold-user protocols.
// Checks the properties every honest evaluation must have rather than tuned numbers: co-occurrence
// clearly beats popularity on Beauty (paired test), nothing that never saw a cold item can recommend
// it, and the sampled protocol inflates every number.
#include <gtest/gtest.h>

#include <filesystem>

#include "eval_test_util.h"
#include "stars/core/mmap_file.h"
#include "stars/data/prepare.h"
#include "stars/eval/evaluation.h"

namespace stars::eval {
namespace {

std::unique_ptr<data::Dataset> prepare_shared(const std::string& name, double cold_user_fraction = 0.0) {
  const std::string in = std::string(STARS_SHARED_DATA_DIR) + "/" + name;
  if (!is_directory(in)) return nullptr;
  data::PrepareRequest req;
  req.input = in;
  req.out = testing::temp_dir("shared_" + name + (cold_user_fraction > 0 ? "_cold_users" : "")) + "/ds";
  req.config.prepare.cold_user_fraction = cold_user_fraction;
  data::prepare_dataset(req);
  return data::Dataset::open(req.out);
}

EvalConfig quick_config() {
  EvalConfig c;
  c.bootstrap_samples = 200;
  c.permutation_samples = 500;
  c.lambdamart.rounds = 30;
  c.lambdamart.max_train_queries = 3000;
  return c;
}

const StrategyResult& only(const RunResult& run, const std::string& model) {
  const ModelResult* m = run.model(model);
  EXPECT_NE(m, nullptr) << model;
  return m->strategies.front();
}

TEST(SharedDataEval, AmazonBeautyBaselines) {
  auto ds = prepare_shared("amazon-beauty");
  if (!ds) GTEST_SKIP() << "../shared/data/amazon-beauty is absent";
  EvalRequest req;
  req.config = quick_config();
  req.protocols = {Protocol::kLeaveOneOut, Protocol::kColdItem, Protocol::kSampled};
  req.baselines = {"popularity", "cooccurrence", "lambdamart"};
  req.threads = 2;
  const EvalOutput out = run_evaluation(*ds, req);
  ASSERT_EQ(out.results.runs.size(), 3u);
  ASSERT_NE(testing::find_run(out.results, "cold"), nullptr);
  ASSERT_NE(testing::find_run(out.results, "sampled"), nullptr);
  const RunResult& loo = out.results.runs[0];
  EXPECT_EQ(loo.num_queries, 22363);
  EXPECT_EQ(loo.num_candidates, 12101);
  const double pop = only(loo, "popularity").metrics.at("ndcg@10").value;
  const double cooc = only(loo, "cooccurrence").metrics.at("ndcg@10").value;
  EXPECT_GT(cooc, 3 * pop);
  for (const auto& c : loo.comparisons)
    if (c.a == "cooccurrence/score" && c.metric == "ndcg@10") {
      EXPECT_GT(c.lo, 0) << "co-occurrence beats popularity beyond the interval";
      EXPECT_LT(c.p_value, 0.01);
    }
  for (const auto& m : loo.models)
    for (const auto& [name, v] : m.strategies.front().metrics) {
      EXPECT_GE(v.value, 0);
      EXPECT_LE(v.value, 1);
      if (v.has_interval()) {
        EXPECT_LE(v.lo, v.value + 1e-9) << m.name << " " << name;
        EXPECT_GE(v.hi, v.value - 1e-9) << m.name << " " << name;
      }
    }
  // The cold slice: baselines never saw these items, so they cannot rank them in the top 20.
  const RunResult& cold = *testing::find_run(out.results, "cold");
  EXPECT_GT(cold.num_queries, 500);
  for (const auto& m : cold.models) EXPECT_EQ(m.strategies.front().metrics.at("recall@20").value, 0.0) << m.name;
  // Sampled ranking inflates the numbers and says so.
  const RunResult& sampled = *testing::find_run(out.results, "sampled");
  EXPECT_TRUE(sampled.sampled);
  EXPECT_NE(sampled.label.find("SAMPLED"), std::string::npos);
  for (const auto& name : {"popularity", "cooccurrence"})
    EXPECT_GT(only(sampled, name).metrics.at("recall@10").value, 2 * only(loo, name).metrics.at("recall@10").value);
}

TEST(SharedDataEval, MovieLensTemporalAndLeaveOneOut) {
  auto ds = prepare_shared("ml-100k");
  if (!ds) GTEST_SKIP() << "../shared/data/ml-100k is absent";
  EvalRequest req;
  req.config = quick_config();
  req.protocols = {Protocol::kLeaveOneOut, Protocol::kTemporal};
  req.baselines = baseline_names();
  req.threads = 2;
  const EvalOutput out = run_evaluation(*ds, req);
  ASSERT_EQ(out.results.runs.size(), 2u);
  EXPECT_EQ(out.results.runs[0].num_queries, 943);
  EXPECT_GT(out.results.runs[1].num_queries, 50);
  for (const auto& run : out.results.runs) {
    ASSERT_EQ(run.models.size(), baseline_names().size());
    // Every baseline ranks better than chance (1 / 1682 per slot).
    for (const auto& m : run.models) EXPECT_GT(m.strategies.front().metrics.at("recall@50").value, 50.0 / 1682) << m.name;
  }
}

// New MovieLens users rate the signup flow's movies first (71% of first ratings fall on 10 movies): on the
// cold_user protocol popularity over the users' first events clearly beats overall popularity.
TEST(SharedDataEval, MovieLensColdUsersFirstPopularityBeatsPopularity) {
  auto ds = prepare_shared("ml-100k", 0.2);
  if (!ds) GTEST_SKIP() << "../shared/data/ml-100k is absent";
  const EvalOutput out =
      testing::evaluate_baselines(*ds, quick_config(), {Protocol::kColdUser}, {"first_popularity", "popularity"});
  const RunResult* run = testing::find_run(out.results, "cold_user");
  ASSERT_NE(run, nullptr);
  EXPECT_GT(run->num_queries, 100);
  EXPECT_GT(only(*run, "first_popularity").metrics.at("ndcg@10").value,
            only(*run, "popularity").metrics.at("ndcg@10").value);
  bool found = false;
  for (const auto& cmp : run->comparisons)
    if (cmp.a == "popularity/score" && cmp.metric == "ndcg@10") {
      found = true;
      EXPECT_LT(cmp.hi, 0) << "popularity minus first_popularity";
      EXPECT_LT(cmp.p_value, 0.05);
    }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace stars::eval
