// The files of `stars synth`: byte-identical for a seed (whatever the thread count), different for another
// seed, and well-formed against the columns of docs/FORMATS.md with consistent ids, times and values.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "stars/core/config.h"
#include "stars/core/strings.h"
#include "stars/core/time.h"
#include "stars/synth/vocabulary.h"
#include "test_world.h"

namespace stars::synth {
namespace {

using testing::CsvTable;
using testing::default_world;

const char* const kDataFiles[] = {"items.csv",       "users.csv",    "events.csv",       "impressions.csv",
                                  "calendar.csv",    "stock.csv",    "truth/items.csv",  "truth/users.csv",
                                  "truth/campaigns.csv"};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SynthConfig small_config(uint64_t seed, int threads) {
  SynthConfig c;
  c.users = 700;
  c.items = 400;
  c.days = 30;
  c.seed = seed;
  c.threads = threads;
  return c;
}

TEST(SynthOutput, SameSeedSameBytesAnyThreadsDifferentSeedDifferentBytes) {
  const std::string a = testing::temp_dir("det_a"), b = testing::temp_dir("det_b"), c = testing::temp_dir("det_c");
  write_world(small_config(11, 1), a, false);
  write_world(small_config(11, 3), b, false);
  write_world(small_config(12, 2), c, false);
  for (const char* f : kDataFiles) {
    const std::string fa = slurp(a + "/" + f);
    EXPECT_GT(fa.size(), 20u) << f;
    EXPECT_EQ(fa, slurp(b + "/" + f)) << f << " differs between runs with the same seed";
  }
  EXPECT_NE(slurp(a + "/events.csv"), slurp(c + "/events.csv"));
  EXPECT_NE(slurp(a + "/items.csv"), slurp(c + "/items.csv"));
  EXPECT_NE(slurp(a + "/users.csv"), slurp(c + "/users.csv"));
  // No temporary files are left behind.
  for (const auto& e : std::filesystem::recursive_directory_iterator(a)) {
    EXPECT_FALSE(ends_with(e.path().string(), ".tmp")) << e.path();
  }
}

// page.logged_rate < 1 drops whole pages from impressions.csv (about that share kept, each page entirely
// or not at all) without changing the simulation: the events are the same bytes, and truth/impressions.csv
// is the complete impressions.csv of the run with every page logged.
TEST(SynthOutput, UnloggedPagesLeaveTheEventsAndTheTruthUnchanged) {
  const std::string all = testing::temp_dir("logged_all"), part = testing::temp_dir("logged_part");
  SynthConfig c = small_config(13, 2);
  write_world(c, all, false);
  c.page.logged_rate = 0.3;
  write_world(c, part, false);
  EXPECT_EQ(slurp(all + "/events.csv"), slurp(part + "/events.csv"));
  EXPECT_EQ(slurp(all + "/impressions.csv"), slurp(part + "/truth/impressions.csv"));
  EXPECT_FALSE(std::filesystem::exists(all + "/truth/impressions.csv"));
  CsvTable full, kept;
  ASSERT_TRUE(testing::read_csv(all + "/impressions.csv", &full));
  ASSERT_TRUE(testing::read_csv(part + "/impressions.csv", &kept));
  std::map<std::string, std::vector<std::string>> full_pages, kept_pages;
  for (const auto& r : full.rows) full_pages[r[0]].push_back(r[1]);
  for (const auto& r : kept.rows) kept_pages[r[0]].push_back(r[1]);
  ASSERT_GT(full_pages.size(), 500u);
  for (const auto& [page, items] : kept_pages) EXPECT_EQ(items, full_pages[page]) << "page " << page << " is whole";
  const double share = static_cast<double>(kept_pages.size()) / static_cast<double>(full_pages.size());
  EXPECT_NEAR(share, 0.3, 0.05);
}

TEST(SynthOutput, HeadersMatchFormats) {
  const auto& w = default_world();
  EXPECT_EQ(w.events.header, (std::vector<std::string>{"user_id", "item_id", "timestamp", "event_type", "session_id",
                                                        "page_id", "region", "device"}));
  EXPECT_EQ(w.items.header, (std::vector<std::string>{"item_id", "title", "description", "category", "brand", "price",
                                                       "tags", "in_stock", "regions"}));
  EXPECT_EQ(w.users.header, (std::vector<std::string>{"user_id", "region", "signup_channel", "email_domain",
                                                       "age_bucket", "household_size"}));
  EXPECT_EQ(w.impressions.header, (std::vector<std::string>{"page_id", "item_id"}));
  ASSERT_GE(w.calendar.header.size(), 3u);
  EXPECT_EQ(w.calendar.header[0], "date");
  EXPECT_EQ(w.calendar.header[1], "region");
  EXPECT_EQ(w.stock.header, (std::vector<std::string>{"item_id", "region", "quantity"}));
  // The summary counts what was written.
  EXPECT_EQ(static_cast<int64_t>(w.events.rows.size()), w.summary.counts.events);
  EXPECT_EQ(static_cast<int64_t>(w.users.rows.size()), w.summary.counts.users);
  EXPECT_EQ(static_cast<int64_t>(w.impressions.rows.size()), w.summary.counts.impressions);
  EXPECT_EQ(static_cast<int>(w.items.rows.size()), w.config.items);
}

TEST(SynthOutput, ItemsAreWellFormed) {
  const auto& w = default_world();
  std::set<std::string> ids, regions(std::begin(kRegionNames), std::begin(kRegionNames) + w.config.regions);
  std::set<std::string> tags;
  for (int a = 0; a < kNumAttributes; ++a) tags.insert(kAttributes[a].tag);
  size_t with_text_attr = 0;
  for (const auto& r : w.items.rows) {
    EXPECT_TRUE(ids.insert(r[0]).second) << "duplicate item " << r[0];
    for (const auto& f : r) EXPECT_TRUE(is_valid_utf8(f)) << f;
    EXPECT_GT(r[1].size(), 10u);
    EXPECT_NE(r[1].find(r[4]), std::string::npos) << "title names the brand: " << r[1];
    const auto path = split(r[3], '>');
    ASSERT_EQ(path.size(), 3u) << r[3];
    EXPECT_NE(r[1].find(std::string(trim(path[2]))), std::string::npos) << "title names the subclass: " << r[1];
    double price = 0;
    EXPECT_TRUE(parse_double(r[5], &price) && price > 0 && price < 1000) << r[5];
    for (auto t : split(r[6], '|')) {
      if (t.empty()) continue;
      EXPECT_TRUE(tags.count(std::string(t)) || starts_with(t, "season:")) << t;
    }
    EXPECT_TRUE(r[7] == "0" || r[7] == "1");
    for (auto g : split(r[8], '|')) EXPECT_TRUE(g.empty() || regions.count(std::string(g))) << g;
    for (int a = 0; a < kNumAttributes; ++a) {
      if (kAttributes[a].text[0] && (r[1] + r[2]).find(kAttributes[a].text) != std::string::npos) ++with_text_attr;
    }
  }
  EXPECT_GT(with_text_attr, w.items.rows.size() / 5) << "item text mentions dietary attributes";
}

TEST(SynthOutput, EventsAndImpressionsAreConsistent) {
  const auto& w = default_world();
  std::unordered_set<std::string> items, users;
  for (const auto& r : w.items.rows) items.insert(r[0]);
  for (const auto& r : w.users.rows) users.insert(r[0]);
  EXPECT_EQ(users.size(), w.users.rows.size());
  std::unordered_map<std::string, std::vector<std::string>> pages;
  for (const auto& r : w.impressions.rows) {
    EXPECT_TRUE(items.count(r[1])) << r[1];
    pages[r[0]].push_back(r[1]);
  }
  const int64_t t0 = w.config.start_day() * 86400, t1 = t0 + w.config.days * 86400LL;
  const std::set<std::string> types = {"view", "cart", "purchase"}, devices = {"ios", "android", "web"};
  std::unordered_map<std::string, int64_t> last_ts;
  std::unordered_map<std::string, std::string> user_region;
  for (const auto& r : w.users.rows) user_region[r[0]] = r[1];
  for (const auto& r : w.events.rows) {
    ASSERT_TRUE(users.count(r[0])) << r[0];
    ASSERT_TRUE(items.count(r[1])) << r[1];
    int64_t ts = 0;
    ASSERT_TRUE(parse_timestamp(r[2], &ts)) << r[2];
    EXPECT_GE(ts, t0);
    EXPECT_LT(ts, t1);
    auto it = last_ts.find(r[0]);
    if (it != last_ts.end()) {
      EXPECT_GT(ts, it->second) << "events of a user in strictly increasing time";
    }
    last_ts[r[0]] = ts;
    EXPECT_TRUE(types.count(r[3])) << r[3];
    EXPECT_TRUE(starts_with(r[4], r[0] + "-")) << r[4];
    if (!r[5].empty()) {
      EXPECT_TRUE(starts_with(r[5], r[4] + "-")) << r[5];
      auto p = pages.find(r[5]);
      ASSERT_NE(p, pages.end()) << "page " << r[5] << " has no impressions";
      EXPECT_NE(std::find(p->second.begin(), p->second.end(), r[1]), p->second.end()) << "clicked item was shown";
    }
    EXPECT_EQ(r[6], user_region[r[0]]);
    EXPECT_TRUE(devices.count(r[7])) << r[7];
  }
  // Most users have events; a realistic spread of activity.
  EXPECT_GT(last_ts.size(), users.size() * 9 / 10);
}

TEST(SynthOutput, CalendarCoversEveryDayAndUsersAreTyped) {
  const auto& w = default_world();
  std::set<std::string> dates;
  for (const auto& r : w.calendar.rows) {
    int64_t d = 0;
    ASSERT_TRUE(parse_date(r[0], &d)) << r[0];
    EXPECT_GE(d, w.config.start_day());
    EXPECT_LT(d, w.config.start_day() + w.config.days);
    if (r[1].empty()) {
      EXPECT_TRUE(dates.insert(r[0]).second) << "one region-independent row per day";
    }
    for (size_t k = 2; k < r.size(); ++k) EXPECT_TRUE(r[k] == "0" || r[k] == "1");
  }
  EXPECT_EQ(static_cast<int>(dates.size()), w.config.days);
  // The default window holds Thanksgiving, Christmas and New Year, and the promotion campaigns.
  for (const char* name : {"thanksgiving", "christmas", "new_year"}) {
    EXPECT_NE(std::find(w.calendar.header.begin(), w.calendar.header.end(), name), w.calendar.header.end()) << name;
  }
  EXPECT_EQ(w.calendar.header.size(), 2u + 3u + static_cast<size_t>(w.config.context.promo_campaigns));
  const std::set<std::string> ages(std::begin(kAgeBuckets), std::end(kAgeBuckets));
  for (const auto& r : w.users.rows) {
    EXPECT_TRUE(ages.count(r[4])) << r[4];
    int64_t hh = 0;
    EXPECT_TRUE(parse_int64(r[5], &hh) && hh >= 1 && hh <= 6) << r[5];
  }
}

}  // namespace
}  // namespace stars::synth
