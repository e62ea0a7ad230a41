#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "stars/core/mmap_file.h"
#include "stars/core/table_file.h"
#include "stars/data/dataset.h"
#include "stars/data/dataset_builder.h"
#include "stars/data/tiny_world.h"

namespace stars::data {
namespace {

std::string temp_dir(const std::string& name) {
  const std::string d = std::string(::testing::TempDir()) + "/stars_data_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(d);
  return d;
}

TEST(Dataset, BuilderRoundTripOrdersEventsAndKeepsEverything) {
  const std::string dir = temp_dir("roundtrip");
  DatasetBuilder b("native", "memory");
  ItemRecord a;
  a.raw_id = "A";
  a.title = "Sour cream";
  a.category = {"Dairy", "Cream", "Sour Cream"};
  a.brand = "Acme";
  a.price = 2.5f;
  a.tags = {"organic"};
  a.regions = {"north"};
  ASSERT_TRUE(b.add_item(a).has_value());
  EXPECT_FALSE(b.add_item(a).has_value()) << "duplicate item ids are reported";
  ItemRecord c;
  c.raw_id = "C";
  c.in_stock = false;
  ASSERT_TRUE(b.add_item(c).has_value());
  b.set_user_schema({"age"}, {"channel"});
  EXPECT_TRUE(b.add_user("u1", {31.0f}, {"app"}));
  EXPECT_FALSE(b.add_user("u1", {31.0f}, {"app"}));
  const int32_t u1 = b.user_id("u1"), u2 = b.user_id("u2");
  auto ev = [&](int32_t u, const char* item, int64_t ts, EventType t) {
    EventRecord e;
    e.user = u;
    e.item = *b.item_id(item, false);
    e.ts = ts;
    e.has_ts = true;
    e.type = t;
    e.has_type = true;
    e.region = b.region_code("north");
    b.add_event(e);
  };
  ev(u1, "C", 300, EventType::kPurchase);
  ev(u2, "A", 100, EventType::kView);
  ev(u1, "A", 100, EventType::kView);
  ev(u1, "A", 200, EventType::kCart);
  const int32_t page = b.page_id("page-1");
  b.add_impression(page, 0);
  b.add_impression(page, 1);
  b.add_calendar_day(100 / 86400, 0, {"new_year"});
  PrepareOptions opt;
  opt.cold_item_fraction = 0.5;
  b.write(dir, opt);

  auto ds = Dataset::open(dir);
  EXPECT_EQ(ds->num_users(), 2);
  EXPECT_EQ(ds->num_items(), 2);
  EXPECT_EQ(ds->num_events(), 4);
  EXPECT_TRUE(ds->info().has_time);
  EXPECT_TRUE(ds->info().has_event_types);
  auto e1 = ds->user_events(u1);
  ASSERT_EQ(e1.size(), 3u);
  EXPECT_EQ(e1.ts[0], 100);
  EXPECT_EQ(e1.ts[2], 300);
  EXPECT_EQ(e1.items[2], *ds->find_item("C"));
  EXPECT_EQ(e1.types[1], static_cast<uint8_t>(EventType::kCart));
  EXPECT_EQ(ds->item_title(0), "Sour cream");
  EXPECT_EQ(ds->item_category(0), "Dairy > Cream > Sour Cream");
  EXPECT_EQ(ds->subclass_names()[ds->item_subclass(0)], "Sour Cream");
  EXPECT_EQ(ds->department_names()[ds->item_department(0)], "Dairy");
  EXPECT_EQ(ds->item_subclass(1), -1);
  EXPECT_EQ(ds->brand_names()[ds->item_brand(0)], "Acme");
  EXPECT_FLOAT_EQ(ds->item_price(0), 2.5f);
  EXPECT_TRUE(std::isnan(ds->item_price(1)));
  EXPECT_FALSE(ds->item_in_stock(1));
  EXPECT_EQ(ds->tag_names()[ds->item_tags(0)[0]], "organic");
  EXPECT_EQ(ds->region_names()[ds->item_regions(0)[0]], "north");
  EXPECT_EQ(ds->item_counts()[0], 3);
  EXPECT_EQ(ds->info().splits.num_cold_items, 1);
  EXPECT_EQ(ds->item_is_cold(0) + ds->item_is_cold(1), 1);
  EXPECT_EQ(ds->user_numeric_names()[0], "age");
  EXPECT_FLOAT_EQ(ds->user_numeric(0)[u1], 31.0f);
  EXPECT_TRUE(std::isnan(ds->user_numeric(0)[u2]));
  EXPECT_EQ(ds->user_categorical_features()[0].vocab[ds->user_categorical(0)[u1]], "app");
  EXPECT_EQ(ds->user_categorical(0)[u2], 0);
  EXPECT_EQ(ds->page_items(page).size(), 2u);
  EXPECT_EQ(ds->active_calendar_events(0, 0).size(), 1u);
  EXPECT_EQ(ds->find_user("u2"), u2);
  EXPECT_FALSE(ds->find_user("nobody").has_value());
}

TEST(Dataset, SplitsAreReproducibleForASeed) {
  TinyWorldOptions o;
  const std::string d1 = temp_dir("s1"), d2 = temp_dir("s2");
  make_tiny_world(d1, o);
  make_tiny_world(d2, o);
  auto a = Dataset::open(d1);
  auto b = Dataset::open(d2);
  int cold = 0;
  for (int32_t i = 0; i < a->num_items(); ++i) {
    EXPECT_EQ(a->item_is_cold(i), b->item_is_cold(i));
    cold += a->item_is_cold(i);
  }
  EXPECT_EQ(cold, a->info().splits.num_cold_items);
  EXPECT_GT(cold, 0);
  EXPECT_EQ(a->info().splits.temporal_test_start, b->info().splits.temporal_test_start);
  EXPECT_LE(a->info().splits.temporal_valid_start, a->info().splits.temporal_test_start);
  EXPECT_GT(a->info().splits.temporal_test_start, a->info().time_min);
}

TEST(Dataset, ColdUsersRoundTripThroughTheManifestAndUsersTable) {
  TinyWorldOptions o;
  o.cold_user_fraction = 0.25;
  const std::string dir = temp_dir("cold_users");
  make_tiny_world(dir, o);
  auto ds = Dataset::open(dir);
  const SplitInfo& s = ds->info().splits;
  EXPECT_EQ(s.num_cold_users, 16) << "a quarter of 64 users, all with 12 events";
  EXPECT_DOUBLE_EQ(s.cold_user_fraction, 0.25);
  EXPECT_EQ(s.cold_user_seed, PrepareOptions().seed);
  int cold = 0;
  for (int32_t u = 0; u < ds->num_users(); ++u) cold += ds->user_is_cold(u);
  EXPECT_EQ(cold, 16);
  const DatasetInfo back = dataset_info_from_json(dataset_info_to_json(ds->info()), "round trip");
  EXPECT_EQ(back.splits.num_cold_users, s.num_cold_users);
  EXPECT_DOUBLE_EQ(back.splits.cold_user_fraction, s.cold_user_fraction);
  EXPECT_EQ(back.splits.cold_user_seed, s.cold_user_seed);
  EXPECT_EQ(back.splits.num_cold_items, s.num_cold_items);
  const nlohmann::json stats = nlohmann::json::parse(read_text_file(dir + "/stats.json"));
  EXPECT_EQ(stats["splits"]["cold_user"]["users"], 16);
}

TEST(Dataset, DatasetsPreparedBeforeColdUsersOpenWithNone) {
  const std::string dir = temp_dir("before_cold_users");
  make_tiny_world(dir);
  // Rewrite the manifest without its cold_user section and users.tbl without its cold column, as older
  // versions wrote them.
  nlohmann::json m = nlohmann::json::parse(read_text_file(dir + "/manifest.json"));
  ASSERT_TRUE(m["splits"].contains("cold_user"));
  m["splits"].erase("cold_user");
  write_text_file(dir + "/manifest.json", m.dump(2));
  {
    auto now = Dataset::open(dir);
    TableWriter w("users", kDatasetVersion);
    std::vector<std::string> raw;
    for (int32_t u = 0; u < now->num_users(); ++u) raw.emplace_back(now->user_raw_id(u));
    w.add_strings("raw_id", raw);
    const auto age = now->user_numeric(0);
    const auto region = now->user_categorical(0);
    w.add_column("num.0", std::vector<float>(age.begin(), age.end()));
    w.add_column("cat.0", std::vector<int32_t>(region.begin(), region.end()));
    w.add_strings("catvocab.0", now->user_categorical_features()[0].vocab);
    w.add_strings("numeric_names", now->user_numeric_names());
    w.add_strings("categorical_names", {now->user_categorical_features()[0].name});
    w.write(dir + "/users.tbl");
  }
  auto ds = Dataset::open(dir);
  EXPECT_EQ(ds->info().splits.num_cold_users, 0);
  EXPECT_EQ(ds->info().splits.cold_user_fraction, 0.0);
  for (int32_t u = 0; u < ds->num_users(); ++u) EXPECT_FALSE(ds->user_is_cold(u));
  EXPECT_GT(ds->info().splits.num_cold_items, 0) << "the rest of the splits reads as before";
  EXPECT_FLOAT_EQ(ds->user_numeric(0)[5], 20.0f + 10.0f * (5 % 4));
}

TEST(Dataset, OrderOnlyDataGetsOrdinalTimes) {
  TinyWorldOptions o;
  o.with_time = false;
  const std::string dir = temp_dir("ordinal");
  make_tiny_world(dir, o);
  auto ds = Dataset::open(dir);
  EXPECT_FALSE(ds->info().has_time);
  auto e = ds->user_events(3);
  for (size_t k = 0; k < e.size(); ++k) EXPECT_EQ(e.ts[k], static_cast<int64_t>(k));
}

TEST(Dataset, CorruptOrMissingFilesGiveClearErrors) {
  const std::string dir = temp_dir("corrupt");
  make_tiny_world(dir);
  // Truncate items.tbl.
  const std::string items = dir + "/items.tbl";
  std::filesystem::resize_file(items, std::filesystem::file_size(items) / 2);
  try {
    Dataset::open(dir);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("items.tbl"), std::string::npos) << e.what();
  }
  std::filesystem::remove(dir + "/manifest.json");
  try {
    Dataset::open(dir);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("stars prepare"), std::string::npos);
  }
}

}  // namespace
}  // namespace stars::data
