// What new users take first: `stars export` counts, per item, the users whose first event it is
// (items.tbl `first_popularity`); the service ranks a user unknown to the snapshot without a usable vector
// by that count, then by popularity within context (source new_user_popularity); the serve setting
// popularity.new_users = overall and snapshots written before the column keep the popularity order.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/serve/recommend_service.h"
#include "stars/serve/serve_config.h"
#include "test_world.h"

namespace stars::serve {
namespace {

using testing::TempDir;

constexpr int64_t kLaunchDay = 1700000000;  // the tiny world's first day: calendar event "launch_day"

PopularityOptions overall() {
  PopularityOptions p;
  p.new_users = "overall";
  return p;
}

RecommendRequest stranger(int k, bool in_stock = false) {
  RecommendRequest r;
  r.user_id = "stranger";
  r.k = k;
  r.filters.in_stock = in_stock;
  r.context.time = kLaunchDay + 3 * 86400;  // no calendar event
  return r;
}

std::vector<std::string> ids(const RecommendResponse& r) {
  std::vector<std::string> out;
  for (const auto& it : r.items) out.push_back(it.item_id);
  return out;
}

// Users whose first event is each item, straight from the dataset.
std::map<std::string, int> first_items(const data::Dataset& ds) {
  std::map<std::string, int> count;
  for (int32_t u = 0; u < ds.num_users(); ++u) {
    const auto ev = ds.user_events(u);
    if (ev.size() > 0) ++count[std::string(ds.item_raw_id(ev.items[0]))];
  }
  return count;
}

// `order` (popularity) stably reordered by first-event count, descending: the expected new-user order.
std::vector<std::string> by_first_then(std::vector<std::string> order, const std::map<std::string, int>& first) {
  auto count = [&](const std::string& id) {
    auto it = first.find(id);
    return it == first.end() ? 0 : it->second;
  };
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) { return count(a) > count(b); });
  return order;
}

// svc_: the default popularity.new_users = first_event; overall_: popularity.new_users = overall.
class NewUserPopularityTest : public testing::TinyServiceTest {
 protected:
  void SetUp() override {
    TinyServiceTest::SetUp();
    first_ = first_items(*ds_);
    overall_ = testing::make_service(dir_, ds_->num_items(), nullptr, {}, {}, overall());
  }
  std::map<std::string, int> first_;
  std::unique_ptr<RecommendService> overall_;
};

TEST_F(NewUserPopularityTest, ExportCountsEachUsersFirstEvent) {
  auto snap = Snapshot::open(dir_);
  ASSERT_TRUE(snap->has_first_popularity());
  ASSERT_EQ(snap->item_first_popularity().size(), static_cast<size_t>(ds_->num_items()));
  float total = 0, top = 0;
  for (int32_t i = 0; i < snap->num_items(); ++i) {
    auto it = first_.find(std::string(snap->item_raw_id(i)));
    EXPECT_EQ(snap->item_first_popularity()[i], it == first_.end() ? 0.0f : static_cast<float>(it->second))
        << snap->item_raw_id(i);
    total += snap->item_first_popularity()[i];
    top = std::max(top, snap->item_first_popularity()[i]);
  }
  EXPECT_EQ(total, static_cast<float>(ds_->num_users()));  // one first event per user
  EXPECT_GT(top, 1.0f);  // some item was several users' first: the order below is not trivial
}

TEST_F(NewUserPopularityTest, UnknownUserGetsItemsByFirstEventCountThenTodaysPopularity) {
  const int n = ds_->num_items();
  for (bool launch_day : {false, true}) {  // calendar context still orders the items among equal counts
    auto r = stranger(n);
    if (launch_day) r.context.time = kLaunchDay;
    const auto today = overall_->recommend(r);
    EXPECT_EQ(today.source, "popularity");
    ASSERT_EQ(today.items.size(), static_cast<size_t>(n));
    const auto got = svc_->recommend(r);
    EXPECT_EQ(got.source, "new_user_popularity");
    EXPECT_FALSE(got.known_user);
    ASSERT_EQ(got.items.size(), static_cast<size_t>(n));
    for (const auto& it : got.items) EXPECT_EQ(it.list, "popular");
    EXPECT_EQ(ids(got), by_first_then(ids(today), first_)) << "launch_day " << launch_day;
    EXPECT_NE(ids(got), ids(today));  // the first-event counts change the order
    // Scores are today's popularity scores of the same items.
    std::map<std::string, float> score;
    for (const auto& it : today.items) score[it.item_id] = it.score;
    for (const auto& it : got.items) EXPECT_FLOAT_EQ(it.score, score[it.item_id]) << it.item_id;
    // A shorter list is the prefix of the longer one.
    r.k = 5;
    const auto all = ids(got);
    EXPECT_EQ(ids(svc_->recommend(r)), std::vector<std::string>(all.begin(), all.begin() + 5));
  }
}

TEST_F(NewUserPopularityTest, OverallSettingServesTodaysPopularity) {
  // Today's order: popular() of the catalog over the same filters and context.
  auto st = overall_->state();
  auto view = st->catalog().read();
  FilterSpec f;
  f.in_stock = false;
  const auto allow = view.allow(f, {}, nullptr);
  const auto hits = view.popular(ds_->num_items(), allow, st->snapshot(), 0, {});
  std::vector<std::string> want;
  for (const auto& h : hits) want.emplace_back(view.raw_id(h.id));
  const auto got = overall_->recommend(stranger(ds_->num_items()));
  EXPECT_EQ(got.source, "popularity");
  EXPECT_EQ(ids(got), want);
}

TEST_F(NewUserPopularityTest, KnownUsersAndUsersWithEventsAreNotNewUsers) {
  // A known user has a snapshot vector; an unknown one with events is encoded from them.
  auto known = stranger(5);
  known.user_id = "u3";
  EXPECT_EQ(svc_->recommend(known).source, "snapshot");
  auto with_events = stranger(5);
  SessionEvent e;
  e.item_id = "i17";
  with_events.events.push_back(e);
  EXPECT_EQ(svc_->recommend(with_events).source, "request_events");
}

TEST_F(NewUserPopularityTest, FiltersApplyAndAnOutOfStockFavouriteIsSkipped) {
  const int n = ds_->num_items();
  const auto all = ids(svc_->recommend(stranger(n)));
  AvailabilityUpdate a;
  a.item_id = all[0];  // the item most users took first
  a.in_stock = false;
  svc_->update_availability({a});
  const auto in_stock = svc_->recommend(stranger(n, /*in_stock=*/true));
  EXPECT_EQ(in_stock.source, "new_user_popularity");
  ASSERT_FALSE(in_stock.items.empty());
  std::vector<std::string> want;
  for (const auto& id : all)
    if (svc_->item(id).in_stock) want.push_back(id);
  EXPECT_EQ(std::find(want.begin(), want.end(), all[0]), want.end());
  EXPECT_EQ(ids(in_stock), want);
  // Excluded items too.
  auto r = stranger(3);
  r.filters.exclude_ids = {all[1]};
  EXPECT_EQ(ids(svc_->recommend(r)), (std::vector<std::string>{all[0], all[2], all[3]}));
}

TEST_F(NewUserPopularityTest, ItemsAddedLaterRankAfterTheSnapshotsItems) {
  const int n = ds_->num_items();
  const auto before = ids(svc_->recommend(stranger(n)));
  ItemPutRequest p;
  p.item.raw_id = "fresh-1";
  p.item.title = std::string("a new product");
  p.text_vector = std::vector<float>(testing::kTextDim, 0.5f);
  ASSERT_TRUE(svc_->put_item(p).created);
  const auto after = ids(svc_->recommend(stranger(n + 1)));
  ASSERT_EQ(after.size(), static_cast<size_t>(n + 1));
  EXPECT_EQ(after.back(), "fresh-1");
  EXPECT_EQ(std::vector<std::string>(after.begin(), after.end() - 1), before);
  // Updating a snapshot item leaves its count.
  ItemPutRequest q;
  q.item.raw_id = before[0];
  q.item.price = 9.5f;
  svc_->put_item(q);
  EXPECT_EQ(ids(svc_->recommend(stranger(n + 1))), after);
}

TEST(NewUserPopularitySnapshots, ASnapshotWithoutTheColumnLoadsAndServesTodaysPopularity) {
  TempDir tmp;
  const std::string dir = testing::make_tiny_snapshot(tmp, "old", 5, false,
                                                      [](SnapshotData& d) { d.item_first_popularity.clear(); });
  auto snap = Snapshot::open(dir);
  EXPECT_FALSE(snap->has_first_popularity());
  EXPECT_TRUE(snap->item_first_popularity().empty());
  auto ds = data::Dataset::open(tmp / "ds");
  auto svc = testing::make_service(dir, ds->num_items());
  auto today = testing::make_service(dir, ds->num_items(), nullptr, {}, {}, overall());
  const auto got = svc->recommend(stranger(ds->num_items()));
  EXPECT_EQ(got.source, "popularity");
  EXPECT_EQ(ids(got), ids(today->recommend(stranger(ds->num_items()))));
}

TEST(NewUserPopularitySnapshots, BadCountsAreRejected) {
  TempDir tmp;
  SnapshotData d;
  testing::make_tiny_snapshot(tmp, "snap", 5, false, [&](SnapshotData& x) { d = x; });
  d.item_first_popularity.pop_back();
  EXPECT_THROW(write_snapshot(tmp / "short", d, {}), Error);
  d.item_first_popularity.push_back(-1.0f);
  EXPECT_THROW(write_snapshot(tmp / "negative", d, {}), Error);
}

TEST(NewUserPopularityConfig, TheSettingIsListedAndChecked) {
  ServeConfig cfg;
  EXPECT_EQ(cfg.popularity.new_users, "first_event");
  EXPECT_NE(config_help(cfg).find("popularity.new_users"), std::string::npos) << config_help(cfg);
  config_apply_set(cfg, "popularity.new_users=overall");
  EXPECT_NO_THROW(cfg.validate());
  EXPECT_EQ(cfg.popularity.new_users, "overall");
  config_apply_set(cfg, "popularity.new_users=first");
  try {
    cfg.validate();
    ADD_FAILURE() << "a bad popularity.new_users was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("popularity.new_users"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace stars::serve
