// Protocols on the tiny world: which queries, histories, candidates and training masks each builds.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "eval_test_util.h"
#include "stars/core/error.h"
#include "stars/core/time.h"
#include "stars/eval/protocols.h"

namespace stars::eval {
namespace {

using testing::tiny_dataset;

TEST(Protocols, LeaveOneOutTargetsAndTrainingMask) {
  auto ds = tiny_dataset("loo");
  EvalConfig c;
  const QuerySet test = build_queries(*ds, Protocol::kLeaveOneOut, c);
  ASSERT_EQ(test.queries.size(), 64u);
  const auto off = ds->user_offsets();
  for (const auto& q : test.queries) {
    EXPECT_EQ(q.hist_begin, off[q.user]);
    EXPECT_EQ(q.hist_end, off[q.user + 1] - 1);
    EXPECT_EQ(q.target, ds->event_items()[off[q.user + 1] - 1]);
    EXPECT_TRUE(q.full_catalog());
  }
  c.split = "valid";
  const QuerySet valid = build_queries(*ds, Protocol::kLeaveOneOut, c);
  EXPECT_EQ(valid.queries[5].hist_end, off[valid.queries[5].user + 1] - 2);
  // Training excludes exactly the last two events of every user.
  size_t n_train = 0;
  for (auto m : test.train_mask) n_train += m;
  EXPECT_EQ(n_train, static_cast<size_t>(ds->num_events() - 2 * 64));
  EXPECT_EQ(test.train_mask[off[1] - 1], 0);
  EXPECT_EQ(test.train_mask[off[1] - 3], 1);
  EXPECT_NE(test.label.find("leave-one-out"), std::string::npos);
}

TEST(Protocols, MaxQueriesKeepsASeededSample) {
  auto ds = tiny_dataset("sample");
  EvalConfig c;
  c.max_queries = 10;
  const QuerySet a = build_queries(*ds, Protocol::kLeaveOneOut, c), b = build_queries(*ds, Protocol::kLeaveOneOut, c);
  ASSERT_EQ(a.queries.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(a.queries[i].user, b.queries[i].user);
  for (size_t i = 1; i < 10; ++i) EXPECT_LT(a.queries[i - 1].user, a.queries[i].user) << "original order kept";
}

TEST(Protocols, ColdItemTargetsNeverTrain) {
  auto ds = tiny_dataset("cold");
  ASSERT_GT(ds->info().splits.num_cold_items, 0);
  EvalConfig c;
  const QuerySet qs = build_queries(*ds, Protocol::kColdItem, c);
  ASSERT_FALSE(qs.queries.empty());
  for (const auto& q : qs.queries) EXPECT_TRUE(ds->item_is_cold(q.target));
  const auto items = ds->event_items();
  for (size_t k = 0; k < qs.train_mask.size(); ++k)
    if (ds->item_is_cold(items[k])) { EXPECT_EQ(qs.train_mask[k], 0) << "event " << k; }
}

TEST(Protocols, ColdUsersGetTheirFirstEventWithAnEmptyHistoryAndNeverTrain) {
  data::TinyWorldOptions o;
  o.cold_user_fraction = 0.25;
  auto ds = tiny_dataset("cold_users", o);
  ASSERT_EQ(ds->info().splits.num_cold_users, 16);
  EXPECT_EQ(parse_protocol("cold_user"), Protocol::kColdUser);
  EXPECT_STREQ(protocol_name(Protocol::kColdUser), "cold_user");
  EvalConfig c;
  const QuerySet test = build_queries(*ds, Protocol::kColdUser, c);
  ASSERT_EQ(test.queries.size(), 16u);
  const auto off = ds->user_offsets();
  const auto items = ds->event_items();
  const auto ts = ds->event_times();
  std::set<int32_t> users;
  for (const auto& q : test.queries) {
    EXPECT_TRUE(ds->user_is_cold(q.user)) << q.user;
    users.insert(q.user);
    EXPECT_EQ(q.history_size(), 0u) << "empty history";
    EXPECT_EQ(q.hist_end, off[q.user]) << "the request context is the first event";
    EXPECT_EQ(q.target, items[off[q.user]]) << "the first event's item";
    EXPECT_EQ(q.ts, ts[off[q.user]]);
    EXPECT_TRUE(q.full_catalog());
  }
  EXPECT_EQ(users.size(), 16u) << "one query per cold user";
  // Training: leave-one-out minus every event of a cold user.
  const QuerySet loo = build_queries(*ds, Protocol::kLeaveOneOut, c);
  for (int32_t u = 0; u < ds->num_users(); ++u)
    for (uint64_t k = off[u]; k < off[u + 1]; ++k)
      EXPECT_EQ(test.train_mask[k], ds->user_is_cold(u) ? 0 : loo.train_mask[k]) << "user " << u << " event " << k;
  EXPECT_NE(test.label.find("cold users"), std::string::npos) << test.label;
  // Validation: the second event, still without history.
  c.split = "valid";
  const QuerySet valid = build_queries(*ds, Protocol::kColdUser, c);
  ASSERT_EQ(valid.queries.size(), 16u);
  for (const auto& q : valid.queries) {
    EXPECT_EQ(q.history_size(), 0u);
    EXPECT_EQ(q.hist_end, off[q.user] + 1);
    EXPECT_EQ(q.target, items[off[q.user] + 1]);
  }
}

TEST(Protocols, ColdUserNeedsColdUsersAndAutoRunsItOnlyThen) {
  auto plain = tiny_dataset("no_cold_users");
  const auto why = protocol_unavailable(*plain, Protocol::kColdUser);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("cold_user_fraction > 0"), std::string::npos) << *why;
  EXPECT_THROW(build_queries(*plain, Protocol::kColdUser, EvalConfig{}), Error);
  const auto a = auto_protocols(*plain);
  EXPECT_EQ(std::count(a.begin(), a.end(), Protocol::kColdUser), 0);
  EXPECT_EQ(std::count(a.begin(), a.end(), Protocol::kLeaveOneOut), 1);
  EXPECT_EQ(std::count(a.begin(), a.end(), Protocol::kColdItem), 1);
  data::TinyWorldOptions o;
  o.cold_user_fraction = 0.1;
  auto cold = tiny_dataset("with_cold_users", o);
  EXPECT_FALSE(protocol_unavailable(*cold, Protocol::kColdUser).has_value());
  const auto b = auto_protocols(*cold);
  EXPECT_EQ(std::count(b.begin(), b.end(), Protocol::kColdUser), 1);
  EXPECT_EQ(b.size(), a.size() + 1) << "the same protocols plus cold_user";
  EXPECT_EQ(std::count(b.begin(), b.end(), Protocol::kSampled), 0);
}

TEST(Protocols, TemporalTargetsAreTheFirstEventOfThePeriod) {
  auto ds = tiny_dataset("temporal");
  EvalConfig c;
  const QuerySet qs = build_queries(*ds, Protocol::kTemporal, c);
  ASSERT_FALSE(qs.queries.empty());
  const auto ts = ds->event_times();
  const int64_t test_start = ds->info().splits.temporal_test_start;
  for (const auto& q : qs.queries) {
    EXPECT_GE(ts[q.hist_end], test_start);
    EXPECT_LT(ts[q.hist_end - 1], test_start) << "the first event of the period";
  }
  for (size_t k = 0; k < qs.train_mask.size(); ++k)
    EXPECT_EQ(qs.train_mask[k], ts[k] < ds->info().splits.temporal_valid_start);
  data::TinyWorldOptions o;
  o.with_time = false;
  auto untimed = tiny_dataset("untimed", o);
  EXPECT_TRUE(protocol_unavailable(*untimed, Protocol::kTemporal).has_value());
  EXPECT_THROW(build_queries(*untimed, Protocol::kTemporal, c), Error);
}

TEST(Protocols, SessionsCollapseADayToUniqueProductsLabelledByTheFirstPurchase) {
  auto ds = tiny_dataset("session");
  EvalConfig c;
  c.split = "valid";  // the tiny world's validation period has whole sessions
  c.session.include_impressions = false;
  const QuerySet qs = build_queries(*ds, Protocol::kSession, c);
  ASSERT_FALSE(qs.queries.empty());
  const auto ts = ds->event_times();
  const auto items = ds->event_items();
  const auto types = ds->event_types();
  for (const auto& q : qs.queries) {
    const auto cand = qs.query_candidates(q);
    const std::set<int32_t> uniq(cand.begin(), cand.end());
    EXPECT_EQ(uniq.size(), cand.size()) << "candidates are unique products";
    EXPECT_TRUE(uniq.count(q.target));
    // The label is the first purchase of the day that starts at hist_end.
    const int64_t day = day_of(ts[q.hist_end]);
    const uint64_t end = ds->user_offsets()[q.user + 1];
    int32_t first_purchase = -1;
    std::set<int32_t> day_items;
    for (uint64_t k = q.hist_end; k < end && day_of(ts[k]) == day; ++k) {
      day_items.insert(items[k]);
      if (first_purchase < 0 && types[k] == static_cast<uint8_t>(data::EventType::kPurchase)) first_purchase = items[k];
    }
    EXPECT_EQ(q.target, first_purchase);
    EXPECT_EQ(day_items, uniq);
    if (q.hist_end > q.hist_begin) { EXPECT_LT(day_of(ts[q.hist_end - 1]), day) << "history ends before the session"; }
  }
  // With impressions, the products shown on the session's pages join the touched ones.
  c.session.include_impressions = true;
  const QuerySet wide = build_queries(*ds, Protocol::kSession, c);
  ASSERT_EQ(wide.queries.size(), qs.queries.size());
  for (size_t i = 0; i < qs.queries.size(); ++i) {
    const auto a = qs.query_candidates(qs.queries[i]), b = wide.query_candidates(wide.queries[i]);
    const std::set<int32_t> sa(a.begin(), a.end()), sb(b.begin(), b.end());
    EXPECT_TRUE(std::includes(sb.begin(), sb.end(), sa.begin(), sa.end()));
    std::set<int32_t> shown = sa;
    const auto ev = ds->user_events(wide.queries[i].user);
    const uint64_t base = ds->user_offsets()[wide.queries[i].user];
    for (uint64_t k = wide.queries[i].hist_end; k < base + ev.size() && day_of(ts[k]) == day_of(ts[wide.queries[i].hist_end]); ++k)
      for (int32_t it : ds->page_items(ev.pages[k - base])) shown.insert(it);
    EXPECT_EQ(sb, shown);
  }
  EXPECT_EQ(size_bucket(1, {10, 30, 100}), 0);
  EXPECT_EQ(size_bucket(10, {10, 30, 100}), 0);
  EXPECT_EQ(size_bucket(11, {10, 30, 100}), 1);
  EXPECT_EQ(size_bucket(101, {10, 30, 100}), 3);
  EXPECT_EQ(size_bucket_names({10, 30, 100}), (std::vector<std::string>{"1-10", "11-30", "31-100", "101+"}));
}

TEST(Protocols, SampledNegativesAreUntouchedAndLabelled) {
  data::TinyWorldOptions o;
  o.items_per_group = 40;  // 160 items: room for 100 untouched negatives
  auto ds = tiny_dataset("sampled", o);
  EvalConfig c;
  const QuerySet qs = build_queries(*ds, Protocol::kSampled, c);
  EXPECT_NE(qs.label.find("SAMPLED"), std::string::npos);
  for (const auto& q : qs.queries) {
    const auto cand = qs.query_candidates(q);
    ASSERT_EQ(cand.size(), 101u);
    EXPECT_EQ(cand[0], q.target);
    std::set<int32_t> touched;
    for (uint64_t k = ds->user_offsets()[q.user]; k < ds->user_offsets()[q.user + 1]; ++k) touched.insert(ds->event_items()[k]);
    const std::set<int32_t> uniq(cand.begin(), cand.end());
    EXPECT_EQ(uniq.size(), 101u);
    for (size_t j = 1; j < cand.size(); ++j) EXPECT_FALSE(touched.count(cand[j]));
  }
}

TEST(Protocols, FitQueriesNeverSeeEvaluationTargets) {
  auto ds = tiny_dataset("fit");
  EvalConfig c;
  const QuerySet qs = build_queries(*ds, Protocol::kLeaveOneOut, c);
  const QuerySet fit = build_fit_queries(*ds, qs, c);
  ASSERT_EQ(fit.queries.size(), 64u);
  for (const auto& q : fit.queries) {
    EXPECT_EQ(q.hist_end, ds->user_offsets()[q.user + 1] - 3) << "the last training event is the fitting target";
    for (uint64_t k = q.hist_end; k < ds->user_offsets()[q.user + 1]; ++k) EXPECT_EQ(fit.train_mask[k], 0);
    EXPECT_EQ(fit.train_mask[q.hist_end - 1], 1);
  }
}

}  // namespace
}  // namespace stars::eval
