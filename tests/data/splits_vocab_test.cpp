// Splits (leave-one-out order, exact temporal quantiles, seeded cold items), id vocabularies and the
// binary format's failure modes (corrupted, truncated, wrong version, missing files).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "stars/core/mmap_file.h"
#include "stars/core/random.h"
#include "stars/data/dataset.h"
#include "stars/data/dataset_builder.h"
#include "stars/data/tiny_world.h"
#include "test_files.h"

namespace stars::data {
namespace {

using testing::contains;
using testing::fresh_dir;

// Random events: `n_users` users, timestamps drawn with many ties, written in shuffled order.
std::vector<int64_t> build_random(const std::string& dir, int n_users, int n_items, int n_events, uint64_t seed,
                                  double cold = 0.1) {
  DatasetBuilder b("test", "memory");
  Rng rng(seed);
  for (int i = 0; i < n_items; ++i) b.item_id("item" + std::to_string(i), true);
  std::vector<int64_t> ts;
  for (int k = 0; k < n_events; ++k) {
    EventRecord e;
    e.user = b.user_id("user" + std::to_string(rng.uniform(n_users)));
    e.item = static_cast<int32_t>(rng.uniform(n_items));
    e.ts = 1600000000 + static_cast<int64_t>(rng.uniform(5000)) * 7;
    e.has_ts = true;
    ts.push_back(e.ts);
    b.add_event(e);
  }
  PrepareOptions o;
  o.cold_item_fraction = cold;
  o.seed = seed;
  b.write(dir, o);
  return ts;
}

TEST(Splits, TemporalBoundariesAreExactQuantiles) {
  const std::string dir = fresh_dir("quantiles");
  auto ts = build_random(dir, 50, 30, 20000, 5);
  std::sort(ts.begin(), ts.end());
  auto ds = Dataset::open(dir);
  const auto& s = ds->info().splits;
  PrepareOptions o;
  EXPECT_EQ(s.temporal_valid_start, ts[static_cast<size_t>(o.temporal_valid_quantile * (ts.size() - 1))]);
  EXPECT_EQ(s.temporal_test_start, ts[static_cast<size_t>(o.temporal_test_quantile * (ts.size() - 1))]);
  EXPECT_EQ(ds->info().time_min, ts.front());
  EXPECT_EQ(ds->info().time_max, ts.back());
}

TEST(Splits, EventsAreTimeOrderedWithTiesInInputOrder) {
  DatasetBuilder b("test", "memory");
  const int32_t u = b.user_id("u");
  for (int i = 0; i < 6; ++i) b.item_id("i" + std::to_string(i), true);
  const int64_t times[6] = {30, 10, 20, 10, 30, 5};
  for (int i = 0; i < 6; ++i) {
    EventRecord e;
    e.user = u;
    e.item = i;
    e.ts = times[i];
    e.has_ts = true;
    b.add_event(e);
  }
  const std::string dir = fresh_dir("ties");
  b.write(dir, PrepareOptions());
  auto ds = Dataset::open(dir);
  auto e = ds->user_events(0);
  std::vector<int32_t> items(e.items.begin(), e.items.end());
  EXPECT_EQ(items, (std::vector<int32_t>{5, 1, 3, 2, 0, 4}));
}

TEST(Splits, ColdItemsAreASeededShareOfItemsWithEvents) {
  const std::string d1 = fresh_dir("cold1"), d2 = fresh_dir("cold2"), d3 = fresh_dir("cold3");
  build_random(d1, 40, 200, 3000, 11, 0.2);
  build_random(d2, 40, 200, 3000, 11, 0.2);
  build_random(d3, 40, 200, 3000, 12, 0.2);
  auto a = Dataset::open(d1), b = Dataset::open(d2), c = Dataset::open(d3);
  int with_events = 0, cold = 0, same = 0, differ = 0;
  for (int32_t i = 0; i < a->num_items(); ++i) {
    with_events += a->item_counts()[i] > 0;
    cold += a->item_is_cold(i);
    if (a->item_is_cold(i)) {
      EXPECT_GT(a->item_counts()[i], 0) << "only items with events are drawn";
    }
    same += a->item_is_cold(i) == b->item_is_cold(i);
  }
  for (int32_t i = 0; i < c->num_items(); ++i) differ += a->item_is_cold(i) != c->item_is_cold(i);
  EXPECT_EQ(same, a->num_items());
  EXPECT_GT(differ, 0) << "another seed draws other items";
  EXPECT_EQ(cold, static_cast<int>(std::llround(0.2 * with_events)));
  EXPECT_EQ(cold, a->info().splits.num_cold_items);
}

// Users with 1 + u % 6 events (so some have fewer than loo_min_events = 3) over 30 items.
void build_short_and_long_users(const std::string& dir, int n_users, uint64_t seed, double cold_users,
                                double cold_items) {
  DatasetBuilder b("test", "memory");
  for (int i = 0; i < 30; ++i) b.item_id("item" + std::to_string(i), true);
  for (int u = 0; u < n_users; ++u) {
    const int32_t user = b.user_id("user" + std::to_string(u));
    for (int k = 0; k <= u % 6; ++k) {
      EventRecord e;
      e.user = user;
      e.item = (u * 7 + k) % 30;
      e.ts = 1600000000 + u * 100 + k;
      e.has_ts = true;
      b.add_event(e);
    }
  }
  PrepareOptions o;
  o.cold_user_fraction = cold_users;
  o.cold_item_fraction = cold_items;
  o.seed = seed;
  b.write(dir, o);
}

TEST(Splits, ColdUsersAreASeededShareOfUsersWithLeaveOneOutTargets) {
  const std::string d1 = fresh_dir("cold_users1"), d2 = fresh_dir("cold_users2"), d3 = fresh_dir("cold_users3");
  build_short_and_long_users(d1, 300, 11, 0.3, 0.2);
  build_short_and_long_users(d2, 300, 11, 0.3, 0.0);
  build_short_and_long_users(d3, 300, 12, 0.3, 0.2);
  auto a = Dataset::open(d1), b = Dataset::open(d2), c = Dataset::open(d3);
  const int min_events = a->info().splits.loo_min_events;
  int eligible = 0, cold = 0, same = 0, differ = 0;
  for (int32_t u = 0; u < a->num_users(); ++u) {
    const bool enough = a->user_events(u).size() >= static_cast<size_t>(min_events);
    eligible += enough;
    cold += a->user_is_cold(u);
    if (a->user_is_cold(u)) {
      EXPECT_TRUE(enough) << "user " << u << " has " << a->user_events(u).size() << " events";
    }
    same += a->user_is_cold(u) == b->user_is_cold(u);
    differ += a->user_is_cold(u) != c->user_is_cold(u);
  }
  ASSERT_GT(eligible, 0);
  ASSERT_LT(eligible, a->num_users()) << "the data must have users below the minimum";
  EXPECT_EQ(cold, static_cast<int>(std::llround(0.3 * eligible)));
  EXPECT_EQ(cold, a->info().splits.num_cold_users);
  EXPECT_DOUBLE_EQ(a->info().splits.cold_user_fraction, 0.3);
  EXPECT_EQ(a->info().splits.cold_user_seed, 11u);
  EXPECT_EQ(same, a->num_users()) << "the cold-user draw does not depend on the cold-item draw";
  EXPECT_GT(differ, 0) << "another seed draws other users";
  // ... nor the cold items on the cold users: the item draw is the same as without cold users.
  const std::string d4 = fresh_dir("cold_users4");
  build_short_and_long_users(d4, 300, 11, 0.0, 0.2);
  auto z = Dataset::open(d4);
  EXPECT_EQ(z->info().splits.num_cold_users, 0);
  for (int32_t u = 0; u < z->num_users(); ++u) EXPECT_FALSE(z->user_is_cold(u));
  for (int32_t i = 0; i < a->num_items(); ++i) EXPECT_EQ(a->item_is_cold(i), z->item_is_cold(i)) << "item " << i;
  PrepareOptions bad;
  bad.cold_user_fraction = 0.6;
  EXPECT_THROW(bad.validate(), Error);
}

TEST(Vocabulary, RawAndDenseIdsRoundTrip) {
  const std::string dir = fresh_dir("vocab");
  build_random(dir, 300, 120, 5000, 3);
  auto ds = Dataset::open(dir);
  for (int32_t i = 0; i < ds->num_items(); ++i) {
    EXPECT_EQ(ds->item_raw_id(i), "item" + std::to_string(i)) << "dense item ids follow first appearance";
    EXPECT_EQ(ds->find_item(ds->item_raw_id(i)), i);
  }
  std::vector<std::string> seen;
  for (int32_t u = 0; u < ds->num_users(); ++u) {
    const std::string raw(ds->user_raw_id(u));
    EXPECT_EQ(ds->find_user(raw), u);
    seen.push_back(raw);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "raw ids are unique";
  EXPECT_FALSE(ds->find_item("item-1").has_value());
  EXPECT_FALSE(ds->find_user("").has_value());
  uint64_t total = 0;
  for (int32_t u = 0; u < ds->num_users(); ++u) total += ds->user_events(u).size();
  EXPECT_EQ(total, static_cast<uint64_t>(ds->num_events()));
}

void expect_open_error(const std::string& dir, ErrorCode code, const std::string& part) {
  try {
    Dataset::open(dir);
    ADD_FAILURE() << "opened a damaged dataset";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_TRUE(contains(e.what(), part)) << "expected '" << part << "' in: " << e.what();
  }
}

TEST(BinaryFormat, DamagedFilesGiveClearErrors) {
  const std::string base = fresh_dir("damage_base");
  make_tiny_world(base);
  auto copy = [&](const std::string& name) {
    const std::string d = fresh_dir(name);
    std::filesystem::copy(base, d, std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
    return d;
  };
  {  // flipped bytes in the middle of the event data fail a checksum (the file ends with padding)
    const std::string d = copy("damage_flip");
    const std::string p = d + "/events.tbl";
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    const auto mid = static_cast<std::streamoff>(std::filesystem::file_size(p) / 2);
    char c[16];
    f.seekg(mid);
    f.read(c, 16);
    for (char& x : c) x = static_cast<char>(x ^ 0x5A);
    f.seekp(mid);
    f.write(c, 16);
    f.close();
    expect_open_error(d, ErrorCode::kCorrupt, "events.tbl");
  }
  {  // truncated users table
    const std::string d = copy("damage_trunc");
    std::filesystem::resize_file(d + "/users.tbl", 40);
    expect_open_error(d, ErrorCode::kCorrupt, "users.tbl");
  }
  {  // an empty calendar table
    const std::string d = copy("damage_empty");
    std::filesystem::resize_file(d + "/calendar.tbl", 0);
    expect_open_error(d, ErrorCode::kCorrupt, "calendar.tbl");
  }
  {  // a missing table
    const std::string d = copy("damage_missing");
    std::filesystem::remove(d + "/impressions.tbl");
    expect_open_error(d, ErrorCode::kNotFound, "impressions.tbl");
  }
  {  // a manifest of another version
    const std::string d = copy("damage_version");
    std::string m = read_text_file(d + "/manifest.json");
    const auto pos = m.find("\"version\": 1");
    ASSERT_NE(pos, std::string::npos) << m;
    m.replace(pos, 12, "\"version\": 99");
    write_text_file(d + "/manifest.json", m);
    expect_open_error(d, ErrorCode::kCorrupt, "version 99");
  }
  {  // a manifest that is not JSON
    const std::string d = copy("damage_json");
    write_text_file(d + "/manifest.json", "{\"format\": \"stars-dataset\", ");
    expect_open_error(d, ErrorCode::kCorrupt, "manifest");
  }
  {  // a table of another kind under the expected name
    const std::string d = copy("damage_kind");
    std::filesystem::copy_file(d + "/items.tbl", d + "/users.tbl", std::filesystem::copy_options::overwrite_existing);
    expect_open_error(d, ErrorCode::kCorrupt, "users.tbl");
  }
}

}  // namespace
}  // namespace stars::data
