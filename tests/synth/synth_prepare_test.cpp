// Integration: a small synthetic world goes through `stars prepare` (the native reader) and opens as a
// Dataset with every field the STARS mechanisms use: time, event types, sessions, pages, regions, event
// context, item text/categories/prices/tags/regions, user features and the calendar.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "stars/core/time.h"
#include "stars/data/dataset.h"
#include "stars/data/prepare.h"
#include "stars/synth/generator.h"
#include "stars/synth/vocabulary.h"
#include "test_world.h"

namespace stars::synth {
namespace {

TEST(SynthPrepare, NativeFilesPrepareIntoACompleteDataset) {
  SynthConfig cfg;
  cfg.users = 500;
  cfg.items = 400;
  const std::string raw = testing::temp_dir("prepare_raw"), ds = testing::temp_dir("prepare_ds");
  const SynthSummary sum = write_world(cfg, raw, false);

  data::PrepareRequest req;
  req.input = raw;
  req.out = ds;
  const data::PrepareResult res = data::prepare_dataset(req);
  EXPECT_EQ(res.format, "native");
  EXPECT_EQ(res.bad_rows, 0);
  EXPECT_EQ(res.events, sum.counts.events);

  const auto d = data::Dataset::open(ds);
  const data::DatasetInfo& info = d->info();
  EXPECT_TRUE(info.has_time);
  EXPECT_TRUE(info.has_event_types);
  EXPECT_TRUE(info.has_sessions);
  EXPECT_TRUE(info.has_pages);
  EXPECT_TRUE(info.has_regions);
  EXPECT_TRUE(info.has_item_text);
  EXPECT_TRUE(info.has_categories);
  EXPECT_TRUE(info.has_prices);
  EXPECT_EQ(d->num_users(), cfg.users);
  EXPECT_EQ(d->num_items(), cfg.items);
  EXPECT_EQ(d->num_events(), sum.counts.events);
  EXPECT_EQ(d->num_pages(), sum.counts.pages);
  EXPECT_EQ(info.time_min / 86400, cfg.start_day());
  EXPECT_LT(info.time_max, (cfg.start_day() + cfg.days) * 86400);

  // Engagement types and event context.
  int64_t by_type[data::kNumEventTypes] = {};
  for (uint8_t t : d->event_types()) by_type[t]++;
  EXPECT_EQ(by_type[static_cast<int>(data::EventType::kView)], sum.counts.views);
  EXPECT_EQ(by_type[static_cast<int>(data::EventType::kCart)], sum.counts.carts);
  EXPECT_EQ(by_type[static_cast<int>(data::EventType::kPurchase)], sum.counts.purchases);
  bool has_device = false;
  for (const auto& f : d->event_context_features()) has_device = has_device || f.name == "device";
  EXPECT_TRUE(has_device) << "the extra events column `device` is kept as context";
  std::set<std::string> regions(d->region_names().begin(), d->region_names().end());
  for (int r = 0; r < cfg.regions; ++r) EXPECT_TRUE(regions.count(kRegionNames[r])) << kRegionNames[r];

  // Every clicked page lists the clicked item; sessions are set.
  int64_t with_page = 0;
  for (int32_t u = 0; u < d->num_users(); ++u) {
    const data::UserEvents ev = d->user_events(u);
    for (size_t k = 0; k < ev.size(); ++k) {
      EXPECT_GE(ev.sessions[k], 0);
      EXPECT_GT(ev.regions[k], 0);
      if (ev.pages[k] < 0) continue;
      ++with_page;
      const auto shown = d->page_items(ev.pages[k]);
      EXPECT_NE(std::find(shown.begin(), shown.end(), ev.items[k]), shown.end());
    }
  }
  EXPECT_GT(with_page, d->num_events() * 9 / 10);

  // Items: the category leaf is the subclass, prices and text are present, tags carry attributes.
  EXPECT_EQ(static_cast<int>(d->subclass_names().size()), sum.subclasses);
  std::set<std::string> tags(d->tag_names().begin(), d->tag_names().end());
  EXPECT_TRUE(tags.count("organic"));
  EXPECT_TRUE(tags.count("kosher"));
  for (int32_t i = 0; i < d->num_items(); ++i) {
    const std::string path(d->item_category(i));
    ASSERT_GE(d->item_subclass(i), 0);
    EXPECT_EQ(path.substr(path.rfind(" > ") + 3), d->subclass_names()[d->item_subclass(i)]);
    EXPECT_GT(d->item_price(i), 0.0f);
    EXPECT_FALSE(d->item_title(i).empty());
    EXPECT_FALSE(d->item_description(i).empty());
  }

  // Users: the four categorical features and the numeric household size.
  std::set<std::string> cats;
  for (const auto& f : d->user_categorical_features()) cats.insert(f.name);
  for (const char* f : {"region", "signup_channel", "email_domain", "age_bucket"}) EXPECT_TRUE(cats.count(f)) << f;
  EXPECT_EQ(d->user_numeric_names(), std::vector<std::string>{"household_size"});

  // Calendar: seasons and promotions, active on their days.
  const auto& names = d->calendar_event_names();
  EXPECT_EQ(static_cast<int>(names.size()), 3 + cfg.context.promo_campaigns);
  int64_t christmas_eve = 0;
  parse_date("2024-12-24", &christmas_eve);
  bool christmas = false;
  for (int32_t e : d->active_calendar_events(christmas_eve, 0)) christmas = christmas || names[e] == "christmas";
  EXPECT_TRUE(christmas);
}

}  // namespace
}  // namespace stars::synth
