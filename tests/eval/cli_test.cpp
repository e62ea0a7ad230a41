// `stars eval` end to end through the built program on the tiny world: --ablations trains two tiny
// variants with `stars train` and prints the table; evaluating a trained model directory with --model
// loads it through load_encoder; --compare pairs two evaluations of the same queries, --pool pools them; bad options fail
// with a message; a model is refused on a dataset of other items. Skips when the program was built without the model module.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "../run_stars.h"
#include "eval_test_util.h"
#include "stars/core/mmap_file.h"
#include "stars/eval/metrics_json.h"

namespace stars::eval {
namespace {

using Result = stars::testing::ProgramRun;
Result run(const std::string& args) { return stars::testing::run_stars(args); }

TEST(EvalCli, AblationsModelsCompareAndErrors) {
  if (!std::filesystem::exists(std::string(STARS_BINARY_DIR) + "/bin/stars")) GTEST_SKIP() << "stars is not built";
  const Result help = run("train --help");
  if (help.rc != 0) GTEST_SKIP() << "stars was built without the model module";
  const std::string dir = testing::temp_dir("cli");
  const std::string ds = dir + "/ds";
  data::make_tiny_world(ds);

  // Ablations: two tiny variants, a few steps each.
  const std::string abl = dir + "/abl";
  Result r = run("eval --ablations --data " + ds + " --out " + abl +
                 " --preset tiny --epochs 1 --variants no-tags,full --train-set train.max_steps=5 --threads 1"
                 " --set bootstrap_samples=50 --set permutation_samples=50");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("Ablations"), std::string::npos) << r.out;
  EvalResults ar = read_metrics_json(abl);
  ASSERT_EQ(ar.ablations.size(), 2u);
  EXPECT_EQ(ar.ablations[0].variant, "full") << "the full model comes first";
  EXPECT_EQ(ar.ablations[1].variant, "no-tags");
  EXPECT_EQ(ar.ablations[1].strategy, "h_next");
  EXPECT_TRUE(file_exists(abl + "/report.html"));
  // A second run reuses the trained variants.
  r = run("eval --ablations --data " + ds + " --out " + abl +
          " --preset tiny --epochs 1 --variants no-tags,full --train-set train.max_steps=5 --threads 1"
          " --set bootstrap_samples=50 --set permutation_samples=50 --quiet");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("reusing ablation full"), std::string::npos) << r.out;
  // An ablation wins over a --set of the key it switches off.
  r = run("train --data " + ds + " --out " + dir + "/abl_set --preset tiny --epochs 1 --threads 1 --quiet"
          " --set train.max_steps=2 --set train.subclass_negatives=3 --ablate uniform-negatives");
  ASSERT_EQ(r.rc, 0) << r.out;
  const std::string cfg = read_text_file(dir + "/abl_set/config.json");
  EXPECT_NE(cfg.find("\"subclass_negatives\": 0"), std::string::npos) << cfg;

  // A trained model directory through --model, with two baselines, twice: the comparison is paired.
  for (const char* out : {"/e1", "/e2"}) {
    r = run("eval --data " + ds + " --model stars=" + abl + "/ablations/full --protocols loo,cold --baselines popularity,cooccurrence --out " +
            dir + out + " --threads 1 --set bootstrap_samples=50 --set permutation_samples=50");
    ASSERT_EQ(r.rc, 0) << r.out;
    EXPECT_NE(r.out.find("report: "), std::string::npos) << r.out;
  }
  const EvalResults e1 = read_metrics_json(dir + "/e1");
  ASSERT_EQ(e1.runs.size(), 2u);
  ASSERT_NE(testing::find_run(e1, "loo"), nullptr);
  ASSERT_NE(testing::find_run(e1, "cold"), nullptr);
  EXPECT_NE(testing::find_run(e1, "loo")->model("stars"), nullptr);
  EXPECT_EQ(testing::find_run(e1, "cold")->model("stars"), nullptr)
      << "a model trained with cold items is not scored on the cold protocol";
  EXPECT_FALSE(e1.training_curves.empty()) << "the training log is read";
  r = run("eval --compare " + dir + "/e1 " + dir + "/e2");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("paired on the same"), std::string::npos) << r.out;
  // Pooling the two: every model/strategy against the reference; a reference that is not there, or a
  // single evaluation, is an error.
  r = run("eval --pool " + dir + "/e1 " + dir + "/e2 --reference stars/h_next --set bootstrap_samples=50");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("pooled over 2 evaluations"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("popularity/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cold (test): stars/h_next is not in every evaluation's run, skipped"), std::string::npos)
      << "stars is not scored on the cold protocol: " << r.out;
  r = run("eval --pool " + dir + "/e1 " + dir + "/e2");
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("'full/h_next' is not in every evaluation"), std::string::npos) << r.out;
  r = run("eval --pool " + dir + "/e1 --reference stars/h_next");
  EXPECT_EQ(r.rc, 2) << r.out;

  // Errors name what is wrong and exit with the invalid-argument code.
  r = run("eval --data " + ds + " --protocols loo,weekly");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("unknown protocol 'weekly'"), std::string::npos) << r.out;
  r = run("eval --data " + ds + " --set ks=10,5");
  EXPECT_EQ(r.rc, 2) << r.out;
  r = run("eval --data " + ds + " --model " + dir + "/missing");
  EXPECT_EQ(r.rc, 2) << r.out;
  // A model is not scored, exported or resumed on a dataset of other items.
  data::TinyWorldOptions more;
  more.items_per_group = 9;
  data::make_tiny_world(dir + "/ds_more", more);
  for (const std::string& args : {"eval --data " + dir + "/ds_more --model stars=" + abl + "/ablations/full --threads 1",
                                  "export --data " + dir + "/ds_more --model " + abl + "/ablations/full --out " + dir + "/snap",
                                  "train --data " + dir + "/ds_more --out " + dir + "/abl_set --preset tiny --epochs 1 --threads 1"
                                  " --set train.max_steps=2 --set train.subclass_negatives=3 --ablate uniform-negatives --resume"}) {
    r = run(args);
    EXPECT_EQ(r.rc, 2) << args << ": " << r.out;
    EXPECT_NE(r.out.find("features.tbl: the model knows 32 items, " + dir + "/ds_more/items.tbl has 36: it was trained on another dataset"),
              std::string::npos)
        << args << ": " << r.out;
  }
}

TEST(EvalCli, ColdUserProtocolScoresAModelTrainedWithoutColdUsers) {
  if (!std::filesystem::exists(std::string(STARS_BINARY_DIR) + "/bin/stars")) GTEST_SKIP() << "stars is not built";
  if (run("train --help").rc != 0) GTEST_SKIP() << "stars was built without the model module";
  const std::string dir = testing::temp_dir("cli_cold_users");
  const std::string ds = dir + "/ds";
  data::TinyWorldOptions o;
  o.cold_user_fraction = 0.25;
  data::make_tiny_world(ds, o);
  Result r = run("train --data " + ds + " --out " + dir + "/m --preset tiny --epochs 1 --threads 1 --quiet"
                 " --set train.max_steps=3 --set train.exclude_cold_users=true");
  ASSERT_EQ(r.rc, 0) << r.out;
  // auto includes cold_user; the model's config.json routes it there.
  r = run("eval --data " + ds + " --model stars=" + dir + "/m --baselines popularity,cooccurrence --out " + dir +
          "/e --threads 1 --set bootstrap_samples=50 --set permutation_samples=50");
  ASSERT_EQ(r.rc, 0) << r.out;
  const EvalResults e = read_metrics_json(dir + "/e");
  const RunResult* cold = testing::find_run(e, "cold_user");
  ASSERT_NE(cold, nullptr) << r.out;
  EXPECT_EQ(cold->num_queries, 16);
  ASSERT_NE(cold->model("stars"), nullptr) << "a model trained with exclude_cold_users serves cold_user";
  ASSERT_NE(cold->model("popularity"), nullptr);
  if (r.out.find("does not encode cold users") != std::string::npos) {
    // Without cold-user vectors the model ranks cold users by popularity: the same metrics.
    const auto& pop = cold->model("popularity")->strategy("score")->metrics;
    for (const char* s : {"h_gen", "h_next"})
      for (const char* m : {"ndcg@10", "mrr"})
        EXPECT_DOUBLE_EQ(cold->model("stars")->strategy(s)->metrics.at(m).value, pop.at(m).value) << s << " " << m;
  }
  // A model directory can be routed explicitly; an unknown protocol names cold_user among the known ones.
  r = run("eval --data " + ds + " --model stars=" + dir + "/m@cold_user --protocols cold_user --baselines none --out " +
          dir + "/e2 --threads 1 --set bootstrap_samples=50 --set permutation_samples=50");
  ASSERT_EQ(r.rc, 0) << r.out;
  ASSERT_NE(testing::find_run(read_metrics_json(dir + "/e2"), "cold_user"), nullptr);
  r = run("eval --data " + ds + " --protocols nope");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("cold_user"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace stars::eval
