// The first_popularity baseline: counts each training user's first K training events only (hand-tallied
// from the tiny world's sequences), ranks counted items by count and every other item by popularity
// below them (ties as every score row), keeps history exclusion, appears under its name in an
// evaluation of the cold_user protocol, and rejects a bad first_popularity_events naming the key.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "eval_test_util.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/eval/evaluation.h"
#include "stars/eval/first_popularity.h"
#include "stars/eval/harness.h"
#include "stars/eval/popularity.h"
#include "stars/eval/ranked_list.h"

namespace stars::eval {
namespace {

using testing::fast_config;
using testing::tiny_dataset;

// Per item: how many users have it at one of the sequence positions `positions` (0 = first event).
std::vector<float> tally(const data::Dataset& ds, const std::vector<uint64_t>& positions) {
  std::vector<float> count(ds.num_items(), 0.0f);
  const auto items = ds.event_items();
  const auto off = ds.user_offsets();
  for (int32_t u = 0; u < ds.num_users(); ++u)
    for (uint64_t p : positions) count[items[off[u] + p]] += 1.0f;
  return count;
}

// The full ranked list of a score row (score descending, ties by item id), as the harness ranks it.
std::vector<int32_t> ranked(const std::vector<float>& row) {
  std::vector<int32_t> top;
  rank_and_top(row.data(), nullptr, row.size(), 0, Exclusion{}, row.size(), top);
  return top;
}

TEST(FirstPopularity, CountsOnlyEachUsersFirstTrainingEvents) {
  auto ds = tiny_dataset("first_pop_counts");
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, fast_config());
  // Leave-one-out trains on every user's first events: K = 1 counts the first item of each user.
  const std::vector<float> k1 = first_event_popularity(*ds, qs.train_mask, 1);
  EXPECT_EQ(k1, tally(*ds, {0}));
  // K = 2 adds each user's second item (in the tiny world a different item than its first).
  const std::vector<float> k2 = first_event_popularity(*ds, qs.train_mask, 2);
  EXPECT_EQ(k2, tally(*ds, {0, 1}));
  EXPECT_NE(k2, k1);
  // Events outside the training mask never count: without each user's first event, K = 1 counts the second.
  std::vector<uint8_t> mask = qs.train_mask;
  const auto off = ds->user_offsets();
  for (int32_t u = 0; u < ds->num_users(); ++u) mask[off[u]] = 0;
  EXPECT_EQ(first_event_popularity(*ds, mask, 1), tally(*ds, {1}));
  EXPECT_EQ(first_event_popularity(*ds, mask, 2), tally(*ds, {1, 2}));
  // A user with fewer training events than K counts the ones it has; one without any counts nothing.
  std::fill(mask.begin(), mask.end(), 0);
  mask[off[0] + 5] = 1;
  std::vector<float> only(ds->num_items(), 0.0f);
  only[ds->event_items()[off[0] + 5]] = 1.0f;
  EXPECT_EQ(first_event_popularity(*ds, mask, 3), only);
}

TEST(FirstPopularity, CountedItemsRankFirstAndTheRestFollowByPopularity) {
  // Items 1 and 3 were taken first 3 times, item 2 once; 0, 4, 5 never (popularity 5, 5, 0). Item 2's
  // popularity 9 does not lift it above the items taken first more often.
  const std::vector<float> first = {0, 3, 1, 3, 0, 0};
  const std::vector<float> pop = {5, 1, 9, 2, 5, 0};
  const std::vector<float> row = rank_first_by(first, pop);
  EXPECT_EQ(ranked(row), (std::vector<int32_t>{1, 3, 2, 0, 4, 5}));
  // Equal counts and equal fallback popularities stay ties: the target's rank counts half of them, as for
  // the popularity baseline's equal counts.
  std::vector<int32_t> top;
  EXPECT_EQ(rank_and_top(row.data(), nullptr, row.size(), 3, Exclusion{}, 0, top),
            rank_and_top(first.data(), nullptr, first.size(), 3, Exclusion{}, 0, top));
  EXPECT_EQ(rank_and_top(row.data(), nullptr, row.size(), 4, Exclusion{}, 0, top),
            rank_and_top(row.data(), nullptr, row.size(), 0, Exclusion{}, 0, top));
  // No item taken first: the ranking is popularity's.
  EXPECT_EQ(ranked(rank_first_by(std::vector<float>(6, 0.0f), pop)), ranked(pop));
}

TEST(FirstPopularity, ScorerRanksTheTinyWorldByFirstItemsThenPopularity) {
  // 8 users in 4 groups of 8 items: at most 8 items are anyone's first, the other 24 fall back.
  data::TinyWorldOptions o;
  o.num_users = 8;
  auto ds = tiny_dataset("first_pop_scorer", o);
  EvalConfig c = fast_config();
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, c);
  FirstPopularityScorer sc(*ds, c, 1);
  sc.prepare(qs);
  const std::vector<float> first = tally(*ds, {0});
  const std::vector<float> pop = item_popularity(*ds, qs.train_mask);
  const std::vector<int32_t> order = ranked(sc.scores());
  ASSERT_EQ(order.size(), static_cast<size_t>(ds->num_items()));
  size_t n_first = 0;
  for (float f : first) n_first += f > 0;
  ASSERT_GT(n_first, 0u);
  ASSERT_LT(n_first, order.size());
  for (size_t r = 0; r + 1 < order.size(); ++r) {
    const int32_t a = order[r], b = order[r + 1];
    if (r + 1 < n_first) {
      EXPECT_GE(first[a], first[b]) << "rank " << r;
    } else if (r + 1 == n_first) {
      EXPECT_GT(first[a], 0) << "the last counted item";
      EXPECT_EQ(first[b], 0) << "the first fallback item";
    } else {
      EXPECT_GE(pop[a], pop[b]) << "fallback rank " << r;
    }
    if (first[a] == first[b] && (first[a] > 0 || pop[a] == pop[b])) {
      EXPECT_LT(a, b) << "ties by item id";
    }
  }
  // K = 2 counts the users' second items too: a different ranking.
  c.first_popularity_events = 2;
  FirstPopularityScorer sc2(*ds, c, 1);
  sc2.prepare(qs);
  EXPECT_EQ(ranked(sc2.scores()), ranked(rank_first_by(tally(*ds, {0, 1}), pop)));
  EXPECT_NE(ranked(sc2.scores()), order);
}

TEST(FirstPopularity, HistoryItemsAreExcludedAsForPopularity) {
  auto ds = tiny_dataset("first_pop_exclude");
  EvalConfig c = fast_config();
  c.exclude_history = "true";
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, c);
  ASSERT_TRUE(qs.exclude_history);
  FirstPopularityScorer sc(*ds, c, 2);
  const ScorerRanks r = rank_queries(*ds, qs, sc, c, 2);
  const std::vector<float>& row = sc.scores();
  const auto items = ds->event_items();
  // The target's rank counts only eligible items: those outside the history (and not the target) scored
  // higher, plus half the ties.
  for (size_t q = 0; q < qs.queries.size(); ++q) {
    const Query& query = qs.queries[q];
    std::vector<uint8_t> in_history(ds->num_items(), 0);
    for (uint64_t k = query.hist_begin; k < query.hist_end; ++k) in_history[items[k]] = 1;
    int64_t higher = 0, ties = 0;
    for (int32_t i = 0; i < ds->num_items(); ++i) {
      if (i == query.target || in_history[i]) continue;
      higher += row[i] > row[query.target];
      ties += row[i] == row[query.target];
    }
    EXPECT_EQ(r.strategies[0].ranks[q], higher + ties / 2) << "query " << q;
  }
  // Without exclusion the history items count: the ranks change.
  c.exclude_history = "false";
  const QuerySet all = build_queries(*ds, Protocol::kLeaveOneOut, c);
  EXPECT_NE(rank_queries(*ds, all, sc, c, 2).strategies[0].ranks, r.strategies[0].ranks);
}

TEST(FirstPopularity, AppearsUnderItsNameInTheColdUserRun) {
  data::TinyWorldOptions o;
  o.cold_user_fraction = 0.25;
  auto ds = tiny_dataset("first_pop_cold_user", o);
  const EvalConfig c = fast_config();
  const EvalOutput out = testing::evaluate_baselines(*ds, c, {Protocol::kColdUser}, {"popularity", "first_popularity"});
  const RunResult* run = testing::find_run(out.results, "cold_user");
  ASSERT_NE(run, nullptr);
  const ModelResult* m = run->model("first_popularity");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->kind, "first_popularity");
  EXPECT_EQ(m->source, "baseline");
  ASSERT_NE(m->strategy("score"), nullptr);
  EXPECT_GT(m->strategy("score")->metrics.at("ndcg@10").value, 0);
  // The cold users' events never train it: their first items are counted only through warm users.
  const QuerySet qs = build_queries(*ds, Protocol::kColdUser, c);
  FirstPopularityScorer sc(*ds, c, 1);
  sc.prepare(qs);
  std::vector<float> warm_first(ds->num_items(), 0.0f);
  for (int32_t u = 0; u < ds->num_users(); ++u)
    if (!ds->user_is_cold(u)) warm_first[ds->event_items()[ds->user_offsets()[u]]] += 1.0f;
  EXPECT_EQ(ranked(sc.scores()), ranked(rank_first_by(warm_first, item_popularity(*ds, qs.train_mask))));
  // It is selectable by name and part of "all", but not of the default list (earlier default runs keep
  // their output).
  EXPECT_NE(std::find(baseline_names().begin(), baseline_names().end(), "first_popularity"), baseline_names().end());
  EXPECT_EQ(std::find(default_baseline_names().begin(), default_baseline_names().end(), "first_popularity"),
            default_baseline_names().end());
}

TEST(FirstPopularity, BadFirstPopularityEventsIsRejectedNamingTheKey) {
  auto ds = tiny_dataset("first_pop_bad");
  for (const char* set : {"first_popularity_events=0", "first_popularity_events=-2"}) {
    EvalConfig c;
    config_apply_set(c, set);
    try {
      c.validate();
      ADD_FAILURE() << set << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("first_popularity_events"), std::string::npos) << e.what();
    }
    EXPECT_THROW(FirstPopularityScorer(*ds, c, 1), Error) << set;
  }
  EvalConfig c;
  config_apply_set(c, "first_popularity_events=3");
  EXPECT_NO_THROW(c.validate());
  EXPECT_EQ(c.first_popularity_events, 3);
}

}  // namespace
}  // namespace stars::eval
