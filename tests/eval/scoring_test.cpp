// Scorers in the harness: batched MIPS against a naive reference, an oracle model whose metrics are
// known exactly, the baselines on the tiny world (co-occurrence and LambdaMART must learn its cyclic
// order; popularity cannot), and a full run_evaluation with its outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "eval_test_util.h"
#include "stars/core/mmap_file.h"
#include "stars/eval/cooccurrence.h"
#include "stars/eval/encoder_scorer.h"
#include "stars/eval/evaluation.h"
#include "stars/eval/harness.h"
#include "stars/eval/lambdamart.h"
#include "stars/eval/ltr_features.h"
#include "stars/eval/metrics_json.h"
#include "stars/eval/mips.h"
#include "stars/eval/popularity.h"
#include "stars/eval/rank_file.h"
#include "stars/eval/ranking_metrics.h"
#include "stars/eval/report_html.h"
#include "stars/eval/summarize.h"
#include "stars/eval/text_report.h"

namespace stars::eval {
namespace {

using testing::fast_config;
using testing::OracleEncoder;
using testing::RandomEncoder;
using testing::tiny_dataset;

TEST(Scoring, InnerProductScoresMatchNaiveDotProducts) {
  Rng rng(2);
  const size_t n = 7, items = 33, d = 5;
  std::vector<float> h(n * d), e(items * d), out(n * items);
  for (auto& v : h) v = static_cast<float>(rng.normal());
  for (auto& v : e) v = static_cast<float>(rng.normal());
  inner_product_scores(h.data(), n, e.data(), items, d, out.data());
  for (size_t r = 0; r < n; ++r)
    for (size_t i = 0; i < items; ++i) {
      double ref = 0;
      for (size_t j = 0; j < d; ++j) ref += double(h[r * d + j]) * e[i * d + j];
      EXPECT_NEAR(out[r * items + i], ref, 1e-4);
    }
}

TEST(Scoring, EncoderScorerRanksEqualNaiveRanks) {
  auto ds = tiny_dataset("mips");
  RandomEncoder enc(ds->num_items(), 6, 4);
  EncoderScorer sc(*ds, enc, "random", nullptr, 2);
  EvalConfig c = fast_config();
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, c);
  const ScorerRanks r = rank_queries(*ds, qs, sc, c, 2);
  ASSERT_EQ(r.strategies.size(), 3u);
  EXPECT_EQ(r.strategies[0].name, "h_gen");
  EXPECT_EQ(r.strategies[2].name, "interleave");
  const int d = enc.dim();
  for (size_t qi = 0; qi < qs.queries.size(); ++qi) {
    const model::EncoderInput in = encoder_input(*ds, qs.queries[qi]);
    std::vector<float> g(d), x(d);
    enc.encode(&in, 1, g.data(), x.data());
    std::vector<float> sg(ds->num_items()), sx(ds->num_items());
    for (int32_t i = 0; i < ds->num_items(); ++i)
      for (int j = 0; j < d; ++j) {
        sg[i] += g[j] * enc.items()[i * d + j];
        sx[i] += x[j] * enc.items()[i * d + j];
      }
    EXPECT_EQ(r.strategies[0].ranks[qi], rank_of_target(sg.data(), ds->num_items(), qs.queries[qi].target));
    EXPECT_EQ(r.strategies[1].ranks[qi], rank_of_target(sx.data(), ds->num_items(), qs.queries[qi].target));
    EXPECT_LE(r.strategies[2].ranks[qi], 2 * std::min(r.strategies[0].ranks[qi], r.strategies[1].ranks[qi]) + 1);
  }
}

TEST(Scoring, OracleModelHasExactlyKnownMetrics) {
  auto ds = tiny_dataset("oracle");
  OracleEncoder enc(ds->num_items(), 8);
  EncoderScorer sc(*ds, enc, "oracle", nullptr, 2);
  EvalConfig c = fast_config();
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, c);
  const RunResult run = summarize_run(*ds, qs, {rank_queries(*ds, qs, sc, c, 2)}, c);
  const ModelResult& m = run.models[0];
  // h_next puts every target first.
  const auto& next = *m.strategy("h_next");
  EXPECT_DOUBLE_EQ(next.metrics.at("hit@1").value, 1.0);
  EXPECT_DOUBLE_EQ(next.metrics.at("ndcg@10").value, 1.0);
  EXPECT_DOUBLE_EQ(next.metrics.at("mrr").value, 1.0);
  // h_gen scores only the last item: the target ties with the 30 other zero-score items -> rank 1 + 30/2 = 16.
  const auto& gen = *m.strategy("h_gen");
  EXPECT_DOUBLE_EQ(gen.metrics.at("hit@10").value, 0.0);
  EXPECT_DOUBLE_EQ(gen.metrics.at("recall@20").value, 1.0);
  EXPECT_NEAR(gen.metrics.at("ndcg@20").value, 1.0 / std::log2(18.0), 1e-12);
  EXPECT_NEAR(gen.metrics.at("mrr").value, 1.0 / 17.0, 1e-12);
  // Interleave: round 0 gives h_gen's last item, then h_next's target -> position 1 for every query.
  const auto& il = *m.strategy("interleave");
  EXPECT_DOUBLE_EQ(il.metrics.at("hit@1").value, 0.0);
  EXPECT_DOUBLE_EQ(il.metrics.at("hit@5").value, 1.0);
  EXPECT_DOUBLE_EQ(il.metrics.at("mrr").value, 0.5);
  // Coverage@1 of h_next: the distinct targets over the catalog.
  std::set<int32_t> targets;
  for (const auto& q : qs.queries) targets.insert(q.target);
  EXPECT_DOUBLE_EQ(next.metrics.at("coverage@1").value, double(targets.size()) / ds->num_items());
  // Degenerate intervals: every replicate is exactly 1.
  EXPECT_DOUBLE_EQ(next.metrics.at("hit@1").lo, 1.0);
  EXPECT_DOUBLE_EQ(next.metrics.at("hit@1").hi, 1.0);
  // Categories: the tiny world's department is "Food" only, so "auto" slices by its second level (4 groups).
  EXPECT_EQ(run.category_level, "level 2");
  ASSERT_EQ(next.categories.size(), 4u);
  int64_t total = 0;
  for (const auto& s : next.categories) total += s.count;
  EXPECT_EQ(total, 64);
}

TEST(Scoring, ExcludingHistoryNeverRanksHistoryItems) {
  auto ds = tiny_dataset("exclude");
  OracleEncoder enc(ds->num_items(), 8);
  EncoderScorer sc(*ds, enc, "oracle", nullptr, 1);
  EvalConfig c = fast_config();
  c.exclude_history = "true";
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, c);
  const ScorerRanks r = rank_queries(*ds, qs, sc, c, 1);
  // Every user saw all 8 items of its group (12 events over a cycle of 8); the target stays eligible, the
  // last item (h_gen's only positive score) is excluded, so h_gen's target ties with the 24 other groups' items.
  for (size_t q = 0; q < qs.queries.size(); ++q) EXPECT_EQ(r.strategies[0].ranks[q], 24 / 2);
}

TEST(Scoring, PopularityCountsTrainingEventsOnly) {
  auto ds = tiny_dataset("pop");
  EvalConfig c = fast_config();
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, c);
  PopularityScorer pop(*ds, false, c.popularity, 1);
  pop.prepare(qs);
  std::vector<float> expect(ds->num_items(), 0);
  for (size_t k = 0; k < qs.train_mask.size(); ++k)
    if (qs.train_mask[k]) expect[ds->event_items()[k]] += 1;
  EXPECT_EQ(pop.scores(), expect);
  PopularityScorer recent(*ds, true, c.popularity, 1);
  recent.prepare(qs);
  // Recent popularity weights later events more: the weights are positive and below the counts.
  for (int32_t i = 0; i < ds->num_items(); ++i) {
    EXPECT_LE(recent.scores()[i], expect[i] + 1e-4);
    if (expect[i] > 0) { EXPECT_GT(recent.scores()[i], 0); }
  }
}

TEST(Scoring, CooccurrenceNeighboursOnAHandBuiltSequence) {
  // One user: items 0 1 2 0 1 (directed window 1): pairs 0->1 (x2), 1->2, 2->0.
  auto ds = tiny_dataset("cooc");
  CooccurrenceConfig cc;
  cc.window = 1;
  cc.directed = true;
  cc.cosine = false;
  CooccurrenceIndex idx;
  std::vector<uint8_t> mask(ds->num_events(), 0);
  // Train on user 0 only.
  for (uint64_t k = ds->user_offsets()[0]; k < ds->user_offsets()[1]; ++k) mask[k] = 1;
  idx.build(*ds, mask, cc);
  const auto items = ds->event_items();
  const int32_t first = items[ds->user_offsets()[0]];
  // User 0's 12 events walk the cycle of its group: each item's only directed neighbour is its successor.
  const int32_t succ = (first / 8) * 8 + (first % 8 + 1) % 8;
  ASSERT_EQ(idx.neighbors(first).size(), 1u);
  EXPECT_EQ(idx.neighbors(first)[0], succ);
  // 12 events over a cycle of 8: the first 4 items are followed twice by their successor.
  EXPECT_FLOAT_EQ(idx.weights(first)[0], 2.0f);
}

TEST(Scoring, BaselinesOnTheTinyWorld) {
  auto ds = tiny_dataset("baselines");
  EvalConfig c = fast_config();
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, c);
  PopularityScorer pop(*ds, false, c.popularity, 2);
  CooccurrenceScorer cooc(*ds, c.cooc, 2);
  LambdaMartScorer lm(*ds, c, 2);
  const RunResult run = summarize_run(*ds, qs, {rank_queries(*ds, qs, cooc, c, 2), rank_queries(*ds, qs, lm, c, 2),
                                                rank_queries(*ds, qs, pop, c, 2)}, c);
  const double cooc_hit = run.models[0].strategies[0].metrics.at("hit@5").value;
  const double lm_hit = run.models[1].strategies[0].metrics.at("hit@5").value;
  const double pop_hit = run.models[2].strategies[0].metrics.at("hit@5").value;
  EXPECT_GT(cooc_hit, 0.9) << "the successor of the last item co-occurs most";
  EXPECT_GT(lm_hit, 0.9);
  EXPECT_LT(pop_hit, 0.5);
  EXPECT_GT(lm.fit_info().fit_queries_used, 50);
  // Feature gains are reported by name (on the tiny world the gap since the user last had the item, 7 for
  // the successor in a cycle of 8, identifies the target alone).
  ASSERT_FALSE(lm.fit_info().feature_gain.empty());
  for (const auto& [name, gain] : lm.fit_info().feature_gain) {
    EXPECT_NE(std::find(ltr_feature_names().begin(), ltr_feature_names().end(), name), ltr_feature_names().end()) << name;
    EXPECT_GT(gain, 0);
  }
  // Comparisons against the first scorer (co-occurrence): popularity is significantly worse.
  bool found = false;
  for (const auto& cmp : run.comparisons)
    if (cmp.a == "popularity/score" && cmp.metric == "ndcg@10") {
      found = true;
      EXPECT_LT(cmp.diff, 0);
      EXPECT_LT(cmp.hi, 0);
      EXPECT_LT(cmp.p_value, 0.05);
    }
  EXPECT_TRUE(found);
}

TEST(Scoring, LtrFeaturesAreFiniteOrMissingAndNeverLeakTheTarget) {
  auto ds = tiny_dataset("ltr");
  EvalConfig c = fast_config();
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, c);
  LtrStatistics st;
  st.fit(*ds, qs.train_mask, qs.train_end_time, c);
  LtrScratch sc(ds->num_items());
  std::vector<int32_t> cand;
  ltr_candidates(*ds, st, qs.queries[0], c.lambdamart, false, sc, cand);
  ASSERT_FALSE(cand.empty());
  std::set<int32_t> uniq(cand.begin(), cand.end());
  EXPECT_EQ(uniq.size(), cand.size());
  std::vector<float> f(cand.size() * kNumLtrFeatures);
  ltr_features(*ds, st, qs.queries[0], cand.data(), cand.size(), sc, f.data());
  for (float v : f) EXPECT_TRUE(std::isnan(v) || std::isfinite(v));
  EXPECT_EQ(ltr_feature_names().size(), static_cast<size_t>(kNumLtrFeatures));
  // Popularity features come from training events only: the statistics equal the training counts.
  EXPECT_EQ(st.popularity, item_popularity(*ds, qs.train_mask));
  // Excluding history removes every history item from the pool.
  ltr_candidates(*ds, st, qs.queries[0], c.lambdamart, true, sc, cand);
  for (uint64_t k = qs.queries[0].hist_begin; k < qs.queries[0].hist_end; ++k)
    EXPECT_EQ(std::count(cand.begin(), cand.end(), ds->event_items()[k]), 0);
}

TEST(Scoring, RunEvaluationWritesEveryProtocolAndRoundTrips) {
  auto ds = tiny_dataset("e2e");
  OracleEncoder enc(ds->num_items(), 8);
  EvalRequest req;
  req.config = fast_config();
  req.protocols = {Protocol::kLeaveOneOut, Protocol::kColdItem, Protocol::kTemporal, Protocol::kSession, Protocol::kSampled};
  req.baselines = baseline_names();
  req.models = {ModelSpec{"oracle", ds->dir(), {Protocol::kLeaveOneOut, Protocol::kColdItem, Protocol::kSampled}, &enc}};
  req.threads = 2;
  req.command = "test";
  const EvalOutput out = run_evaluation(*ds, req);
  ASSERT_EQ(out.results.runs.size(), 5u);
  for (const auto& run : out.results.runs) {
    const bool has_model = run.protocol == "loo" || run.protocol == "cold" || run.protocol == "sampled";
    EXPECT_EQ(run.models.size(), (has_model ? 1u : 0u) + baseline_names().size()) << run.protocol;
    EXPECT_GT(run.num_queries, 0) << run.protocol;
  }
  EXPECT_EQ(out.results.runs.back().protocol, "cold") << "the cold protocol runs last";
  ASSERT_NE(testing::find_run(out.results, "session"), nullptr);
  const RunResult& session = *testing::find_run(out.results, "session");
  EXPECT_EQ(session.bucket_names.size(), 4u);
  EXPECT_FALSE(session.full_catalog);
  EXPECT_EQ(session.models[0].strategies[0].buckets.size(), 4u);
  // JSON round trip keeps every number.
  const std::string dir = testing::temp_dir("e2e_out");
  write_metrics_json(dir + "/metrics.json", out.results);
  const EvalResults back = read_metrics_json(dir);
  EXPECT_EQ(results_to_json(back), results_to_json(out.results));
  // Ranks round trip, and comparing a run with itself is paired and finds no difference.
  write_rank_file(dir + "/ranks.tbl", out.ranks);
  const auto ranks = read_rank_file(dir);
  ASSERT_EQ(ranks.size(), out.ranks.size());
  EXPECT_EQ(ranks[0].ranks, out.ranks[0].ranks);
  const std::string cmp = format_comparison(back, back, &ranks, &ranks, {"ndcg@10"}, req.config);
  EXPECT_NE(cmp.find("paired on the same"), std::string::npos) << cmp;
  EXPECT_NE(cmp.find("oracle/h_next"), std::string::npos) << cmp;
  // The report is one self-contained file: inline SVG, no scripts, no external references.
  const std::string html = render_report_html(out.results);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://www.w3.org/2000/svg\" class"), html.find("http://www.w3.org/2000/svg\" class"));
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("SAMPLED"), std::string::npos);
  EXPECT_NE(html.find("Cold-item slice"), std::string::npos);
  EXPECT_NE(html.find("candidate-set size"), std::string::npos);
}

TEST(Scoring, ColdProtocolSurvivesAModelWithoutContentPath) {
  // LibTorch reports errors as c10::Error (a std::exception), not stars::Error: an ID-only model's
  // set_item_content must not end the evaluation.
  struct NoContent : RandomEncoder {
    using RandomEncoder::RandomEncoder;
    int32_t set_item_content(int32_t, const float*, const int32_t*, size_t, float*) override {
      throw std::out_of_range("select(): index 0 out of range for tensor of size [0, 8]");
    }
  };
  auto ds = tiny_dataset("nocontent");
  NoContent enc(ds->num_items(), 8, 5);
  semantics::ItemSemantics sem;
  sem.num_items = ds->num_items();
  sem.dim = 4;
  sem.text.assign(static_cast<size_t>(sem.num_items) * sem.dim, 0.5f);
  sem.tag_offsets.assign(sem.num_items + 1, 0);
  EncoderScorer sc(*ds, enc, "id-only", &sem, 1);
  EvalConfig c = fast_config();
  const QuerySet qs = build_queries(*ds, Protocol::kColdItem, c);
  const ScorerRanks r = rank_queries(*ds, qs, sc, c, 1);
  EXPECT_EQ(sc.content_path_items(), 0);
  EXPECT_EQ(r.strategies[0].ranks.size(), qs.queries.size());
  // A model with a content path gets it for every cold item.
  OracleEncoder oracle(ds->num_items(), 8);
  EncoderScorer sc2(*ds, oracle, "oracle", &sem, 1);
  sc2.prepare(qs);
  EXPECT_EQ(sc2.content_path_items(), ds->info().splits.num_cold_items);
}

// One user per group, so the static feature "age" (20 + 10 * group) names the user; half the users cold.
// `first_item` maps each age to that user's first item (what OracleEncoder::set_cold_users takes).
std::unique_ptr<data::Dataset> one_user_per_group(const std::string& name, std::map<float, int32_t>* first_item) {
  data::TinyWorldOptions o;
  o.num_users = 16;
  o.num_groups = 16;
  o.cold_user_fraction = 0.5;
  auto ds = tiny_dataset(name, o);
  for (int32_t u = 0; u < ds->num_users(); ++u)
    (*first_item)[ds->user_numeric(0)[u]] = ds->event_items()[ds->user_offsets()[u]];
  return ds;
}

TEST(Scoring, ColdUserOracleRanksTheFirstItemFirstFromStaticFeaturesAlone) {
  // The oracle knows each user's first item from their age and ranks it first only when it gets the
  // features and no events.
  data::TinyWorldOptions o;
  std::map<float, int32_t> first_item;
  auto ds = one_user_per_group("cold_user_oracle", &first_item);
  ASSERT_EQ(ds->info().splits.num_cold_users, 8);
  ASSERT_EQ(first_item.size(), 16u);
  OracleEncoder enc(ds->num_items(), o.items_per_group);
  enc.set_cold_users(first_item);
  EncoderScorer sc(*ds, enc, "oracle", nullptr, 1);
  const EvalConfig c = fast_config();
  const QuerySet qs = build_queries(*ds, Protocol::kColdUser, c);
  ASSERT_EQ(qs.queries.size(), 8u);
  const ScorerRanks r = rank_queries(*ds, qs, sc, c, 1);
  ASSERT_EQ(r.strategies.size(), 3u);
  for (const auto& s : r.strategies)
    for (size_t q = 0; q < qs.queries.size(); ++q) EXPECT_EQ(s.ranks[q], 0) << s.name << " query " << q;
}

// A model's cold-user prior (Encoder::cold_user_item_bias) is added to the scores of inputs without events
// only: a bias of 2 on one item puts it above every cold user's first item (score 1), and changes no
// leave-one-out rank.
TEST(Scoring, ColdUsersRankWithTheModelsColdUserPrior) {
  data::TinyWorldOptions o;
  std::map<float, int32_t> first_item;
  auto ds = one_user_per_group("cold_user_prior", &first_item);
  const EvalConfig c = fast_config();
  const QuerySet cold = build_queries(*ds, Protocol::kColdUser, c), loo = build_queries(*ds, Protocol::kLeaveOneOut, c);
  OracleEncoder plain(ds->num_items(), o.items_per_group), biased(ds->num_items(), o.items_per_group);
  plain.set_cold_users(first_item);
  biased.set_cold_users(first_item);
  std::set<int32_t> targets;
  for (const auto& q : cold.queries) targets.insert(ds->event_items()[q.target]);
  int32_t boosted = 0;
  while (targets.count(boosted)) ++boosted;
  std::vector<float> bias(static_cast<size_t>(ds->num_items()), 0.0f);
  bias[static_cast<size_t>(boosted)] = 2.0f;
  biased.set_cold_user_bias(bias);
  EncoderScorer ps(*ds, plain, "plain", nullptr, 1), bs(*ds, biased, "biased", nullptr, 1);
  const ScorerRanks pr = rank_queries(*ds, cold, ps, c, 1), br = rank_queries(*ds, cold, bs, c, 1);
  for (size_t s = 0; s < 2; ++s)
    for (size_t q = 0; q < cold.queries.size(); ++q) {
      EXPECT_EQ(pr.strategies[s].ranks[q], 0) << q;
      EXPECT_EQ(br.strategies[s].ranks[q], 1) << "the prior's item comes first, query " << q;
    }
  for (size_t s = 0; s < 2; ++s)
    EXPECT_EQ(rank_queries(*ds, loo, ps, c, 1).strategies[s].ranks, rank_queries(*ds, loo, bs, c, 1).strategies[s].ranks);
}

TEST(Scoring, ColdUsersOfAModelWithoutColdUserVectorsAndOfTheBaselinesRankByPopularity) {
  data::TinyWorldOptions o;
  o.cold_user_fraction = 0.25;
  auto ds = tiny_dataset("cold_user_fallback", o);
  const EvalConfig c = fast_config();
  const QuerySet qs = build_queries(*ds, Protocol::kColdUser, c);
  ASSERT_EQ(qs.queries.size(), 16u);
  PopularityScorer pop(*ds, false, c.popularity, 1);
  const std::vector<int32_t> by_popularity = rank_queries(*ds, qs, pop, c, 1).strategies[0].ranks;
  OracleEncoder enc(ds->num_items(), 8);
  ASSERT_FALSE(enc.encodes_cold_users());
  EncoderScorer sc(*ds, enc, "oracle", nullptr, 1);
  const ScorerRanks r = rank_queries(*ds, qs, sc, c, 1);
  // Both lists are the popularity scores (their interleave is the same list, ranked without half ties).
  ASSERT_EQ(r.strategies[0].name, "h_gen");
  ASSERT_EQ(r.strategies[1].name, "h_next");
  EXPECT_EQ(r.strategies[0].ranks, by_popularity);
  EXPECT_EQ(r.strategies[1].ranks, by_popularity);
  // Co-occurrence has no history to look up: its popularity fallback orders the catalog.
  CooccurrenceScorer cooc(*ds, c.cooc, 1);
  EXPECT_EQ(rank_queries(*ds, qs, cooc, c, 1).strategies[0].ranks, by_popularity);
  // LambdaMART fits on the other users only and ranks empty histories without failing.
  const QuerySet fit = build_fit_queries(*ds, qs, c);
  ASSERT_FALSE(fit.queries.empty());
  for (const auto& q : fit.queries) EXPECT_FALSE(ds->user_is_cold(q.user)) << q.user;
  LambdaMartScorer lm(*ds, c, 1);
  const ScorerRanks lr = rank_queries(*ds, qs, lm, c, 1);
  ASSERT_EQ(lr.strategies[0].ranks.size(), qs.queries.size());
  for (int32_t rank : lr.strategies[0].ranks) {
    EXPECT_GE(rank, 0);
    EXPECT_LT(rank, ds->num_items());
  }
}

TEST(Scoring, ColdUserRunsForModelsTrainedWithoutColdUsers) {
  const std::string dir = testing::temp_dir("cold_user_routing");
  auto config = [&](const std::string& name, const std::string& train) {
    std::filesystem::create_directories(dir + "/" + name);
    write_text_file(dir + "/" + name + "/config.json", "{\"train\": {" + train + "}}");
    return model_protocols(dir + "/" + name);
  };
  auto has = [](const std::vector<Protocol>& ps, Protocol p) { return std::count(ps.begin(), ps.end(), p) == 1; };
  EXPECT_TRUE(has(config("cold", "\"split\": \"loo\", \"exclude_cold_users\": true"), Protocol::kColdUser));
  EXPECT_FALSE(has(config("warm", "\"split\": \"loo\", \"exclude_cold_users\": false"), Protocol::kColdUser));
  EXPECT_FALSE(has(config("temporal", "\"split\": \"temporal\", \"exclude_cold_users\": true"), Protocol::kColdUser));
  const auto both = config("both", "\"exclude_cold_items\": true, \"exclude_cold_users\": true");
  EXPECT_TRUE(has(both, Protocol::kColdUser) && has(both, Protocol::kColdItem) && has(both, Protocol::kLeaveOneOut));

  data::TinyWorldOptions o;
  o.cold_user_fraction = 0.25;
  auto ds = tiny_dataset("cold_user_e2e", o);
  OracleEncoder enc(ds->num_items(), 8);
  EvalRequest req;
  req.config = fast_config();
  req.protocols = auto_protocols(*ds);
  req.baselines = baseline_names();
  req.models = {ModelSpec{"oracle", dir + "/cold", model_protocols(dir + "/cold"), &enc}};
  req.threads = 2;
  const EvalOutput out = run_evaluation(*ds, req);
  const RunResult* run = testing::find_run(out.results, "cold_user");
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->num_queries, 16);
  EXPECT_EQ(run->models.size(), 1u + baseline_names().size());
  EXPECT_NE(run->model("oracle"), nullptr);
  EXPECT_EQ(testing::find_run(out.results, "temporal")->model("oracle"), nullptr);
  EXPECT_EQ(out.results.dataset.num_cold_users, 16);
  const std::string mdir = testing::temp_dir("cold_user_e2e_out");
  write_metrics_json(mdir + "/metrics.json", out.results);
  EXPECT_EQ(read_metrics_json(mdir).dataset.num_cold_users, 16);
}

TEST(Scoring, BadInputsAreRejectedWithMessages) {
  auto ds = tiny_dataset("bad");
  EvalConfig c;
  c.ks = {10, 5};
  EXPECT_THROW(c.validate(), Error);
  c = EvalConfig{};
  c.split = "train";
  EXPECT_THROW(c.validate(), Error);
  c = EvalConfig{};
  c.interleave_depth = 20;
  EXPECT_THROW(c.validate(), Error);
  EXPECT_THROW(results_from_json("{\"schema\": \"other\"}", "x.json"), Error);
  EXPECT_THROW(results_from_json("not json", "x.json"), Error);
  EXPECT_THROW(results_from_json("{\"schema\": \"stars-eval-metrics\", \"schema_version\": 99}", "x.json"), Error);
  OracleEncoder small(5, 8);
  EXPECT_THROW(EncoderScorer(*ds, small, "small", nullptr, 1), Error) << "a model of another dataset";
}

}  // namespace
}  // namespace stars::eval

namespace stars::eval {
namespace {

// `stars eval --pool`: per-user metrics averaged over evaluations of the same queries, every model against
// the reference by the paired test; runs not shared by all evaluations are skipped, a missing reference or
// nothing shared is an error.
TEST(Pooling, AveragesUsersOverEvaluationsAndTestsAgainstTheReference) {
  auto run_of = [](const std::string& protocol, const std::string& hash) {
    RunRanks r;
    r.protocol = protocol;
    r.split = "test";
    r.query_hash = hash;
    r.users = {0, 0, 1, 2, 3, 4, 5, 6, 7, 8};  // user 0 has two queries
    return r;
  };
  RunRanks a = run_of("session", "h"), b = run_of("session", "h");
  a.ranks["full/h_next"] = {0, 20, 0, 0, 20, 0, 20, 0, 0, 0};  // 7 of 10 in the top 10
  b.ranks["full/h_next"] = {20, 20, 0, 0, 0, 0, 20, 0, 20, 0};  // 6 of 10
  a.ranks["miss/h_next"] = b.ranks["miss/h_next"] = std::vector<int32_t>(10, 50);
  a.ranks["half/h_next"] = std::vector<int32_t>(10, 0);  // hits in one evaluation, misses in the other
  b.ranks["half/h_next"] = std::vector<int32_t>(10, 30);
  RunRanks only_a = run_of("loo", "g");
  only_a.ranks["full/h_next"] = std::vector<int32_t>(10, 0);
  EvalConfig config;
  config.permutation_samples = 2000;
  config.bootstrap_samples = 200;
  const std::string out =
      format_pooled({"s1", "s2"}, {{a, only_a}, {b}}, "full/h_next", {"recall@10"}, config);
  EXPECT_NE(out.find("pooled over 2 evaluations of the same queries: s1, s2"), std::string::npos) << out;
  EXPECT_NE(out.find("loo (test): not in every evaluation"), std::string::npos) << out;
  // The columns of a model's line: key, metric, pooled value, difference, relative, interval, p.
  auto columns = [&](const std::string& key) {
    std::vector<std::string> c;
    const size_t at = out.find("  " + key + " ");
    if (at == std::string::npos) return c;
    std::istringstream line(out.substr(at, out.find('\n', at) - at));
    for (std::string w; line >> w;) c.push_back(w);
    return c;
  };
  const auto full = columns("full/h_next"), miss = columns("miss/h_next"), half = columns("half/h_next");
  ASSERT_EQ(full.size(), 3u) << out;
  EXPECT_EQ(full[2], "0.6500") << "7 and 6 hits of 10 queries";
  ASSERT_EQ(miss.size(), 7u) << out;
  EXPECT_EQ(miss[2], "0.0000");
  EXPECT_EQ(miss[3], "-0.6500");
  EXPECT_EQ(miss[4], "-100.0%");
  EXPECT_LT(std::stod(miss[6]), 0.02) << "nine users, every one of them worse: " << out;
  ASSERT_EQ(half.size(), 7u) << out;
  EXPECT_EQ(half[2], "0.5000") << "hits in one evaluation of two";
  EXPECT_EQ(half[3], "-0.1500");
  EXPECT_GT(std::stod(half[6]), 0.2) << "users better and worse: " << out;
  // Each comparison again with the evaluations as units: per-evaluation change, signs, exact sign-flip p.
  EXPECT_NE(out.find("    per evaluation: -100.0% -100.0%; lower in 2, higher in 0 of 2; sign-flip over evaluations p 0.5000\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("    per evaluation: +42.9% -100.0%; lower in 1, higher in 1 of 2; sign-flip over evaluations p 1.0000\n"),
            std::string::npos)
      << "half: 1.0 against 0.7, then 0.0 against 0.6: " << out;

  RunRanks other = run_of("session", "other-queries");
  other.ranks = b.ranks;
  EXPECT_THROW(format_pooled({"s1", "s3"}, {{a}, {other}}, "full/h_next", {"recall@10"}, config), Error);
  try {
    format_pooled({"s1", "s2"}, {{a}, {b}}, "nosuch/h_gen", {"recall@10"}, config);
    ADD_FAILURE() << "a missing reference is an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'nosuch/h_gen' is not in every evaluation of any shared run"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace stars::eval
