// RecommendService on a tiny exported world with the fake encoder: sources (snapshot, live session,
// request events, user features, popularity), strategies, context, exclusions, catalog changes, similar
// items and atomic snapshot swaps under concurrent load.
#include "stars/serve/recommend_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

#include "stars/core/error.h"
#include "error_of.h"
#include "test_world.h"

namespace stars::serve {
namespace {

using testing::error_of;
using testing::TempDir;

// Records a live purchase of `item` by `user` and returns the event.
SessionEvent record_purchase(RecommendService& svc, const std::string& user, const std::string& item) {
  EventsRequest ev;
  ev.user_id = user;
  SessionEvent e;
  e.item_id = item;
  e.type = static_cast<uint8_t>(data::EventType::kPurchase);
  ev.events.push_back(e);
  svc.record_events(ev);
  return e;
}

class ServiceTest : public testing::TinyServiceTest {
 protected:
  RecommendRequest req(const std::string& user, Strategy s = Strategy::kNext, int k = 5) {
    RecommendRequest r;
    r.user_id = user;
    r.strategy = s;
    r.k = k;
    r.filters.in_stock = false;
    return r;
  }
};

TEST_F(ServiceTest, KnownUserFromSnapshot) {
  auto r = svc_->recommend(req("u3"));
  EXPECT_EQ(r.source, "snapshot");
  EXPECT_TRUE(r.known_user);
  ASSERT_EQ(r.items.size(), 5u);
  for (const auto& it : r.items) EXPECT_EQ(it.list, "next");
  // h_next of the fake = vector of the last item; with offset ~0 the last item itself ranks first.
  const auto ev = ds_->user_events(*ds_->find_user("u3"));
  EXPECT_EQ(r.items[0].item_id, std::string(ds_->item_raw_id(ev.items[ev.size() - 1])));
  EXPECT_FALSE(r.items[0].title.empty());
  EXPECT_TRUE(r.context.offset_applied);
}

TEST_F(ServiceTest, InterleavingTakesBothListsWithoutDuplicates) {
  auto next = svc_->recommend(req("u5", Strategy::kNext, 6));
  auto gen = svc_->recommend(req("u5", Strategy::kGen, 6));
  auto rr = svc_->recommend(req("u5", Strategy::kRoundRobin, 6));
  ASSERT_EQ(rr.items.size(), 6u);
  EXPECT_EQ(rr.items[0].item_id, next.items[0].item_id);
  EXPECT_EQ(rr.items[0].list, "next");
  std::set<std::string> ids;
  bool has_gen = false;
  for (const auto& it : rr.items) {
    EXPECT_TRUE(ids.insert(it.item_id).second) << "duplicate " << it.item_id;
    has_gen = has_gen || it.list == "gen";
  }
  EXPECT_TRUE(has_gen || next.items[0].item_id == gen.items[0].item_id);
}

TEST_F(ServiceTest, UnknownUserGetsPopularityThenRequestEvents) {
  auto r = svc_->recommend(req("stranger"));
  EXPECT_EQ(r.source, "new_user_popularity");
  EXPECT_FALSE(r.known_user);
  ASSERT_EQ(r.items.size(), 5u);
  EXPECT_EQ(r.items[0].list, "popular");
  auto with_events = req("stranger");
  SessionEvent e;
  e.item_id = "i17";
  with_events.events.push_back(e);
  auto r2 = svc_->recommend(with_events);
  EXPECT_EQ(r2.source, "request_events");
  EXPECT_EQ(r2.items[0].item_id, "i17");  // h_next = the viewed item's vector
  // Request events are not stored.
  EXPECT_EQ(svc_->recommend(req("stranger")).source, "new_user_popularity");
}

TEST_F(ServiceTest, LiveSessionReencodesAndFollowsTheSession) {
  const auto before = svc_->recommend(req("u2"));
  EXPECT_EQ(before.source, "snapshot");
  EventsRequest ev;
  ev.user_id = "u2";
  SessionEvent e;
  e.item_id = "i30";  // another taste group than u2's
  ev.events.push_back(e);
  const auto er = svc_->record_events(ev);
  EXPECT_EQ(er.session_version, 1u);
  EXPECT_TRUE(er.known_user);
  const auto after = svc_->recommend(req("u2"));
  EXPECT_EQ(after.source, "live_session");
  EXPECT_EQ(after.session_events, 1u);
  EXPECT_EQ(after.items[0].item_id, "i30");
  EXPECT_NE(after.items[0].item_id, before.items[0].item_id);
  // A second request reuses the cached live vectors: same answer.
  const auto again = svc_->recommend(req("u2"));
  EXPECT_EQ(again.items[0].item_id, "i30");
  // The user view shows the live event after the snapshot history.
  const auto view = svc_->user("u2");
  ASSERT_FALSE(view.history.empty());
  EXPECT_TRUE(view.history.back().live);
  EXPECT_EQ(view.history.back().item_id, "i30");
  // Unknown items are rejected with a message naming them.
  ev.events[0].item_id = "nope";
  try {
    svc_->record_events(ev);
    FAIL();
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(err.what()).find("events[0].item_id 'nope'"), std::string::npos) << err.what();
  }
  svc_->store().clear("u2");
  EXPECT_EQ(svc_->recommend(req("u2")).source, "snapshot");
}

TEST_F(ServiceTest, ExcludePurchasedAndFiltersApply) {
  const int32_t u = *ds_->find_user("u1");
  auto r = req("u1", Strategy::kRoundRobin, 30);
  r.exclude_purchased = true;
  r.filters.in_stock = true;
  const auto resp = svc_->recommend(r);
  std::set<std::string> bought;
  const auto ev = ds_->user_events(u);
  for (size_t j = 0; j < ev.size(); ++j)
    if (ev.types[j] == static_cast<uint8_t>(data::EventType::kPurchase)) bought.insert(std::string(ds_->item_raw_id(ev.items[j])));
  ASSERT_FALSE(bought.empty());
  for (const auto& it : resp.items) {
    EXPECT_EQ(bought.count(it.item_id), 0u) << it.item_id << " was bought";
    EXPECT_TRUE(it.in_stock);
  }
  auto cat = req("u1", Strategy::kNext, 30);
  cat.filters.subclasses = {"snacks 3"};
  for (const auto& it : svc_->recommend(cat).items) EXPECT_EQ(it.category, "Food > snacks > snacks 3");
}

TEST(ServiceDefaults, ASnapshotOfAModelTrainedWithoutHistoryLeavesPurchasesOutUnlessAsked) {
  TempDir tmp;
  const std::string dir = testing::make_tiny_snapshot(tmp, "snap_seen", 5, /*exclude_seen=*/true);
  auto ds = data::Dataset::open(tmp / "ds");
  auto svc = testing::make_service(dir, ds->num_items());
  // h_next after a live purchase of i25 points at i25: the request without exclude_purchased leaves it out
  // (the snapshot's default), an explicit false keeps it.
  record_purchase(*svc, "u6", "i25");
  RecommendRequest r;
  r.user_id = "u6";
  r.k = 20;
  r.filters.in_stock = false;
  for (const auto& it : svc->recommend(r).items) EXPECT_NE(it.item_id, "i25");
  r.exclude_purchased = false;
  EXPECT_EQ(svc->recommend(r).items[0].item_id, "i25");
}

TEST_F(ServiceTest, LivePurchasesAreExcludedToo) {
  // After a purchase of i25 in the live session, h_next points at i25 itself: it ranks first unless excluded.
  const SessionEvent e = record_purchase(*svc_, "u6", "i25");
  EXPECT_EQ(svc_->recommend(req("u6")).items[0].item_id, "i25");
  auto r = req("u6", Strategy::kRoundRobin, 20);
  r.exclude_purchased = true;
  for (const auto& it : svc_->recommend(r).items) EXPECT_NE(it.item_id, "i25");
  // Purchases sent with the request count as well (unknown user).
  auto s = req("walk-in", Strategy::kNext, 20);
  s.events.push_back(e);
  s.exclude_purchased = true;
  const auto resp = svc_->recommend(s);
  EXPECT_EQ(resp.source, "request_events");
  for (const auto& it : resp.items) EXPECT_NE(it.item_id, "i25");
}

TEST_F(ServiceTest, ContextChangesTheOffsetAndPicksCalendarEvents) {
  auto r = req("u4");
  r.context.time = 1700000000;  // the tiny world's "launch_day"
  auto resp = svc_->recommend(r);
  ASSERT_EQ(resp.context.events.size(), 1u);
  EXPECT_EQ(resp.context.events[0], "launch_day");
  r.context.apply_offset = false;
  EXPECT_FALSE(svc_->recommend(r).context.offset_applied);
  r.context.events = std::vector<std::string>{"not-an-event"};
  EXPECT_FALSE(svc_->recommend(r).warnings.empty());
}

TEST_F(ServiceTest, BadRequestsSayWhatIsWrong) {
  auto r = req("u1");
  r.k = 0;
  EXPECT_THROW(svc_->recommend(r), Error);
  r.k = 5000;
  try {
    svc_->recommend(r);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("k must be in [1, 1000]"), std::string::npos);
  }
  r = req("");
  EXPECT_THROW(svc_->recommend(r), Error);
  r = req("u1");
  r.filters.price_min = 5;
  r.filters.price_max = 2;
  EXPECT_THROW(svc_->recommend(r), Error);
  SimilarRequest s;
  s.item_id = "missing";
  try {
    svc_->similar(s);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

TEST_F(ServiceTest, NewItemsAreRetrievableAtOnce) {
  ItemPutRequest p;
  p.item.raw_id = "fresh-1";
  p.item.title = std::string("a new product");
  p.item.category = std::string("Food > new > new leaf");
  p.item.tags = std::vector<std::string>{"organic", "not-a-known-tag"};
  std::vector<float> text(testing::kTextDim, 0.0f);
  text[0] = 1.0f;
  p.text_vector = text;
  const auto r = svc_->put_item(p);
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.vector_source, "text");
  EXPECT_EQ(r.warnings.size(), 1u);  // the unknown tag
  EXPECT_EQ(svc_->item("fresh-1").title, "a new product");
  // A session event on it works (the encoder knows the new id) and puts it first.
  EventsRequest ev;
  ev.user_id = "u9";
  SessionEvent e;
  e.item_id = "fresh-1";
  ev.events.push_back(e);
  svc_->record_events(ev);
  auto resp = svc_->recommend(req("u9"));
  EXPECT_EQ(resp.items[0].item_id, "fresh-1");
  // Similar items of an existing item can include it; the item itself is excluded.
  SimilarRequest s;
  s.item_id = "fresh-1";
  s.k = 3;
  s.filters.in_stock = false;
  const auto sim = svc_->similar(s);
  ASSERT_EQ(sim.items.size(), 3u);
  for (const auto& it : sim.items) EXPECT_NE(it.item_id, "fresh-1");
  // Availability: out of stock disappears from in-stock lists at once.
  AvailabilityUpdate a;
  a.item_id = "fresh-1";
  a.in_stock = false;
  svc_->update_availability({a});
  auto in_stock = req("u9");
  in_stock.filters.in_stock = true;
  for (const auto& it : svc_->recommend(in_stock).items) EXPECT_NE(it.item_id, "fresh-1");
  // A new item without a text vector: this snapshot has no text embedder.
  ItemPutRequest q;
  q.item.raw_id = "fresh-2";
  q.item.title = std::string("x");
  EXPECT_THROW(svc_->put_item(q), Error);
  a.item_id = "ghost";
  EXPECT_THROW(svc_->update_availability({a}), Error);
}

TEST_F(ServiceTest, SnapshotSwapUnderLoadFailsNoRequestAndKeepsNewItems) {
  // A second export of the same world (new snapshot id), written next to the first.
  const std::string dir2 = testing::make_tiny_snapshot(tmp_, "snap2", 5);
  ItemPutRequest p;
  p.item.raw_id = "live-item";
  p.item.title = std::string("added while serving");
  p.text_vector = std::vector<float>(testing::kTextDim, 0.5f);
  svc_->put_item(p);
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      int i = 0;
      while (!stop) {
        try {
          auto r = req("u" + std::to_string((t * 7 + i++) % 64), Strategy::kRoundRobin);
          if (svc_->recommend(r).items.size() == 5u) ++ok;
          else ++failed;
        } catch (...) {
          ++failed;
        }
      }
    });
  while (ok.load() < 50) std::this_thread::yield();
  std::set<std::string> ids;
  for (int s = 0; s < 6; ++s) {
    const auto res = svc_->reload(s % 2 ? dir_ : dir2);
    ids.insert(res.snapshot_id);
    EXPECT_GE(res.replayed_updates, 1u);  // the live item comes along
  }
  const int before_stop = ok.load();
  while (ok.load() < before_stop + 50) std::this_thread::yield();
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(svc_->reloads.load(), 7u);
  EXPECT_EQ(svc_->item("live-item").title, "added while serving");
  // A broken snapshot leaves the old one serving.
  EXPECT_THROW(svc_->reload(tmp_ / "missing"), Error);
  EXPECT_EQ(svc_->reload_failures.load(), 1u);
  EXPECT_EQ(svc_->recommend(req("u1")).items.size(), 5u);
}

// Unknown users with static features (user_features): the model's cold-user vector when the encoder was
// trained for it, popularity with a warning otherwise; features go into the encodings of unknown users'
// events; a known user's features come from the snapshot.
class ColdUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_tiny_snapshot(tmp_);
    ds_ = data::Dataset::open(tmp_ / "ds");
    log_ = std::make_shared<testing::EncoderInputLog>();
    svc_ = testing::make_service(dir_, ds_->num_items(), nullptr, {/*cold_users=*/true, log_, {}});
  }
  static RecommendRequest req(const std::string& user, double age, const std::string& region) {
    RecommendRequest r;
    r.user_id = user;
    r.k = 5;
    r.filters.in_stock = false;
    r.user_features = {{"age", age}, {"region", region}};
    return r;
  }
  // The code of a value of the categorical user feature "region" (the tiny world's only one).
  int32_t region_code(const std::string& value) const {
    const auto& values = svc_->state()->snapshot().user_categorical_vocabs().at(0).values;
    const auto it = std::find(values.begin(), values.end(), value);
    EXPECT_NE(it, values.end()) << value;
    return static_cast<int32_t>(it - values.begin());
  }
  // The item the fake encoder's cold-user vector points at, for these features.
  std::string cold_item(float age, int32_t region) const {
    model::EncoderInput in;
    in.user_numeric = {age};
    in.user_categorical = {region};
    return std::string(ds_->item_raw_id(testing::FakeEncoder::cold_item(in, ds_->num_items())));
  }
  model::EncoderInput last_input() const {
    std::lock_guard<std::mutex> lock(log_->mu);
    EXPECT_FALSE(log_->inputs.empty());
    return log_->inputs.empty() ? model::EncoderInput{} : log_->inputs.back();
  }
  size_t encodes() const {
    std::lock_guard<std::mutex> lock(log_->mu);
    return log_->inputs.size();
  }
  TempDir tmp_;
  std::string dir_;
  std::unique_ptr<data::Dataset> ds_;
  std::shared_ptr<testing::EncoderInputLog> log_;
  std::unique_ptr<RecommendService> svc_;
};

TEST_F(ColdUserTest, UnknownUserWithFeaturesIsRankedByTheColdUserVector) {
  ASSERT_TRUE(svc_->state()->encodes_cold_users());
  const auto r = svc_->recommend(req("walk-in", 31, "bakery"));
  EXPECT_EQ(r.source, "user_features");
  EXPECT_FALSE(r.known_user);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
  // The encoder saw the features and no events ...
  const auto in = last_input();
  EXPECT_TRUE(in.events.empty());
  EXPECT_EQ(in.user_numeric, std::vector<float>{31.0f});
  EXPECT_EQ(in.user_categorical, std::vector<int32_t>{region_code("bakery")});
  // ... and the list is ranked by its vector: the fake's cold vector is an item's, which ranks first.
  ASSERT_EQ(r.items.size(), 5u);
  EXPECT_EQ(r.items[0].item_id, cold_item(31, region_code("bakery")));
  EXPECT_EQ(r.items[0].list, "next");
  for (size_t i = 1; i < r.items.size(); ++i) EXPECT_LE(r.items[i].score, r.items[i - 1].score);
  // Other features, another vector (both lists of a gen request come from it too).
  auto other = req("walk-in", 34, "bakery");
  other.strategy = Strategy::kGen;
  const auto r2 = svc_->recommend(other);
  EXPECT_EQ(r2.source, "user_features");
  ASSERT_NE(cold_item(34, region_code("bakery")), cold_item(31, region_code("bakery")));
  EXPECT_EQ(r2.items[0].item_id, cold_item(34, region_code("bakery")));
  EXPECT_EQ(r2.items[0].list, "gen");
  // Nothing is cached or stored: without features the same user gets popularity.
  auto bare = req("walk-in", 0, "");
  bare.user_features.clear();
  const size_t before = encodes();
  EXPECT_EQ(svc_->recommend(bare).source, "new_user_popularity");
  EXPECT_EQ(encodes(), before);
  EXPECT_EQ(svc_->store().session("walk-in").second, 0u);
}

// A model with a cold-user prior (model::Encoder::cold_user_item_bias) ranks a cold user by vector . item +
// prior: a prior of 5 on one item puts it first (the fake's vectors have unit length), ahead of the item of
// the cold vector. Known users' lists do not change.
TEST_F(ColdUserTest, TheColdUserPriorIsAddedToTheColdUsersScoresOnly) {
  const std::string cold = cold_item(31, region_code("bakery"));
  const int32_t boosted = ds_->item_raw_id(0) == cold ? 1 : 0;
  std::vector<float> bias(static_cast<size_t>(ds_->num_items()), 0.0f);
  bias[static_cast<size_t>(boosted)] = 5.0f;
  auto biased = testing::make_service(dir_, ds_->num_items(), nullptr, {/*cold_users=*/true, nullptr, bias});
  ASSERT_TRUE(biased->state()->catalog().read().has_cold_user_bias());
  EXPECT_FALSE(svc_->state()->catalog().read().has_cold_user_bias());
  const auto r = biased->recommend(req("walk-in", 31, "bakery")), plain = svc_->recommend(req("walk-in", 31, "bakery"));
  EXPECT_EQ(r.source, "user_features");
  ASSERT_EQ(r.items.size(), 5u);
  EXPECT_EQ(r.items[0].item_id, std::string(ds_->item_raw_id(boosted)));
  EXPECT_GT(r.items[0].score, 4.0f);
  EXPECT_EQ(r.items[1].item_id, cold);
  EXPECT_EQ(plain.items[0].item_id, cold);
  for (size_t i = 1; i < r.items.size(); ++i) EXPECT_LE(r.items[i].score, r.items[i - 1].score);
  // A known user keeps the same list.
  RecommendRequest known;
  known.user_id = std::string(ds_->user_raw_id(0));
  known.k = 5;
  known.filters.in_stock = false;
  const auto a = biased->recommend(known), b = svc_->recommend(known);
  ASSERT_EQ(a.source, "snapshot");
  ASSERT_EQ(a.items.size(), b.items.size());
  for (size_t i = 0; i < a.items.size(); ++i) EXPECT_EQ(a.items[i].item_id, b.items[i].item_id) << i;
}

TEST_F(ColdUserTest, NullAndLeftOutFeaturesAreMissing) {
  auto r = req("walk-in", 0, "");
  r.user_features = {{"age", std::monostate{}}};
  EXPECT_EQ(svc_->recommend(r).source, "user_features");
  const auto in = last_input();
  ASSERT_EQ(in.user_numeric.size(), 1u);
  EXPECT_TRUE(std::isnan(in.user_numeric[0]));
  EXPECT_EQ(in.user_categorical, std::vector<int32_t>{0});
}

TEST(ColdUserDefaults, AModelWithoutTheColdUserLossKeepsPopularityAndSaysWhy) {
  TempDir tmp;
  const std::string dir = testing::make_tiny_snapshot(tmp);
  auto ds = data::Dataset::open(tmp / "ds");
  auto log = std::make_shared<testing::EncoderInputLog>();
  auto svc = testing::make_service(dir, ds->num_items(), nullptr, {/*cold_users=*/false, log, {}});
  ASSERT_FALSE(svc->state()->encodes_cold_users());
  RecommendRequest r;
  r.user_id = "walk-in";
  r.k = 4;
  r.user_features = {{"age", 31.0}, {"region", std::string("bakery")}};
  const auto resp = svc->recommend(r);
  EXPECT_EQ(resp.source, "new_user_popularity");
  ASSERT_EQ(resp.items.size(), 4u);
  EXPECT_EQ(resp.items[0].list, "popular");
  ASSERT_EQ(resp.warnings.size(), 1u);
  EXPECT_NE(resp.warnings[0].find("user_features not used"), std::string::npos) << resp.warnings[0];
  EXPECT_NE(resp.warnings[0].find("cold_user_weight"), std::string::npos) << resp.warnings[0];
  EXPECT_TRUE(log->inputs.empty());
  // Without features there is nothing to warn about.
  r.user_features.clear();
  EXPECT_TRUE(svc->recommend(r).warnings.empty());
}

TEST_F(ColdUserTest, BadFeaturesAreRejectedNamingTheField) {
  auto r = req("walk-in", 31, "bakery");
  r.user_features.push_back({"height", 180.0});
  EXPECT_NE(error_of([&] { svc_->recommend(r); }).find("unknown field 'user_features.height'; expected one of: age, region"),
            std::string::npos);
  r = req("walk-in", 31, "bakery");
  r.user_features[0].value = std::string("thirty");
  EXPECT_NE(error_of([&] { svc_->recommend(r); }).find("user_features.age must be a number, got a string"), std::string::npos);
  r = req("walk-in", 31, "bakery");
  r.user_features[1].value = 3.0;
  EXPECT_NE(error_of([&] { svc_->recommend(r); }).find("user_features.region must be a string, got a number"), std::string::npos);
  // Checked for known users too, although their features come from the snapshot.
  r.user_id = "u1";
  EXPECT_NE(error_of([&] { svc_->recommend(r); }).find("user_features.region"), std::string::npos);
}

TEST(ColdUserLimits, TooManyFeaturesAreRejected) {
  TempDir tmp;
  const std::string dir = testing::make_tiny_snapshot(tmp);
  auto ds = data::Dataset::open(tmp / "ds");
  ServiceLimits limits;
  limits.max_user_features = 1;
  auto svc = testing::make_service(dir, ds->num_items(), nullptr, {/*cold_users=*/true, nullptr, {}}, limits);
  RecommendRequest r;
  r.user_id = "walk-in";
  r.user_features = {{"age", 31.0}};
  EXPECT_EQ(svc->recommend(r).source, "user_features");
  r.user_features.push_back({"region", std::string("bakery")});
  try {
    svc->recommend(r);
    FAIL() << "two features passed a limit of one";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("user_features holds 2 features, at most 1 are allowed"), std::string::npos) << e.what();
  }
  limits.max_user_features = 0;
  EXPECT_THROW(limits.validate(), Error);
}

TEST_F(ColdUserTest, AnUnknownCategoricalValueIsMissingWithAWarning) {
  const auto r = svc_->recommend(req("walk-in", 31, "moon"));
  EXPECT_EQ(r.source, "user_features");
  EXPECT_EQ(last_input().user_categorical, std::vector<int32_t>{0});
  EXPECT_EQ(r.items[0].item_id, cold_item(31, 0));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("user_features.region: unknown value 'moon'"), std::string::npos) << r.warnings[0];
}

TEST_F(ColdUserTest, FeaturesGoIntoTheEncodingOfAnUnknownUsersEvents) {
  SessionEvent e;
  e.item_id = "i17";
  auto r = req("walk-in", 41, "produce");
  r.events.push_back(e);
  const auto resp = svc_->recommend(r);
  EXPECT_EQ(resp.source, "request_events");
  EXPECT_EQ(resp.items[0].item_id, "i17");  // h_next of the fake = the last event's item
  auto in = last_input();
  ASSERT_EQ(in.events.size(), 1u);
  EXPECT_EQ(in.user_numeric, std::vector<float>{41.0f});
  EXPECT_EQ(in.user_categorical, std::vector<int32_t>{region_code("produce")});
  // Without features they are missing.
  r.user_features.clear();
  svc_->recommend(r);
  in = last_input();
  ASSERT_EQ(in.user_numeric.size(), 1u);
  EXPECT_TRUE(std::isnan(in.user_numeric[0]));
  EXPECT_EQ(in.user_categorical, std::vector<int32_t>{0});

  // A stored session of an unknown user: an encoding with request features is not cached for the session.
  EventsRequest ev;
  ev.user_id = "walk-in-2";
  ev.events.push_back(e);
  svc_->record_events(ev);
  auto s = req("walk-in-2", 51, "snacks");
  EXPECT_EQ(svc_->recommend(s).source, "request_events");
  EXPECT_EQ(last_input().user_numeric, std::vector<float>{51.0f});
  s.user_features.clear();
  size_t before = encodes();
  EXPECT_EQ(svc_->recommend(s).source, "request_events");
  EXPECT_EQ(encodes(), before + 1);  // re-encoded without the features ...
  EXPECT_TRUE(std::isnan(last_input().user_numeric[0]));
  before = encodes();
  svc_->recommend(s);
  EXPECT_EQ(encodes(), before);  // ... and that pure session encoding is cached
  s = req("walk-in-2", 51, "snacks");
  svc_->recommend(s);
  EXPECT_EQ(encodes(), before + 1);  // features again: the cache is not used
  EXPECT_EQ(last_input().user_numeric, std::vector<float>{51.0f});
}

TEST_F(ColdUserTest, AKnownUsersFeaturesComeFromTheSnapshot) {
  auto r = req("u3", 99, "snacks");
  const auto resp = svc_->recommend(r);
  EXPECT_EQ(resp.source, "snapshot");
  EXPECT_TRUE(resp.known_user);
  ASSERT_EQ(resp.warnings.size(), 1u);
  EXPECT_NE(resp.warnings[0].find("user_features ignored"), std::string::npos) << resp.warnings[0];
  // Re-encoded with a live event: the snapshot's features, not the request's.
  SessionEvent e;
  e.item_id = "i2";
  r.events.push_back(e);
  EXPECT_EQ(svc_->recommend(r).source, "live_session");
  const auto in = last_input();
  const auto& snap = svc_->state()->snapshot();
  const int32_t u = *snap.find_user("u3");
  EXPECT_EQ(in.user_numeric, std::vector<float>(snap.user_numeric(u).begin(), snap.user_numeric(u).end()));
  EXPECT_NE(in.user_numeric, std::vector<float>{99.0f});
}

}  // namespace
}  // namespace stars::serve
