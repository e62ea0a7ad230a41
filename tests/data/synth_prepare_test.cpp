// Integration: a small `stars synth` world prepares cleanly (no bad rows) and keeps every count and field.
#include <gtest/gtest.h>

#include "stars/data/dataset.h"
#include "stars/synth/generator.h"
#include "test_files.h"

namespace stars::data {
namespace {

TEST(SynthPrepare, SmallWorldPreparesWithItsCounts) {
  const std::string raw = testing::fresh_dir("synth_raw"), out = testing::fresh_dir("synth_ds");
  synth::SynthConfig cfg;
  cfg.users = 300;
  cfg.items = 400;
  cfg.days = 21;
  cfg.threads = 2;
  const auto sum = synth::write_world(cfg, raw, false);
  PrepareResult res;
  ASSERT_EQ(testing::try_prepare(raw, out, OnError::kFail, &res), "");
  EXPECT_EQ(res.format, "native");
  EXPECT_EQ(res.bad_rows, 0);
  auto ds = Dataset::open(out);
  EXPECT_EQ(ds->num_events(), sum.counts.events);
  EXPECT_EQ(ds->num_items(), sum.items);
  EXPECT_EQ(ds->num_users(), sum.counts.users);
  EXPECT_EQ(ds->num_pages(), sum.counts.pages);
  int64_t by_type[kNumEventTypes] = {0, 0, 0, 0};
  for (uint8_t t : ds->event_types()) ++by_type[t];
  EXPECT_EQ(by_type[static_cast<int>(EventType::kView)], sum.counts.views);
  EXPECT_EQ(by_type[static_cast<int>(EventType::kCart)], sum.counts.carts);
  EXPECT_EQ(by_type[static_cast<int>(EventType::kPurchase)], sum.counts.purchases);
  const auto& info = ds->info();
  EXPECT_TRUE(info.has_time);
  EXPECT_TRUE(info.has_event_types);
  EXPECT_TRUE(info.has_sessions);
  EXPECT_TRUE(info.has_pages);
  EXPECT_TRUE(info.has_regions);
  EXPECT_TRUE(info.has_item_text);
  EXPECT_TRUE(info.has_categories);
  EXPECT_TRUE(info.has_prices);
  EXPECT_EQ(static_cast<int32_t>(ds->subclass_names().size()), sum.subclasses);
  EXPECT_FALSE(ds->calendar_event_names().empty());
  EXPECT_FALSE(ds->user_categorical_features().empty());
  // Every event's page lists the clicked item among its shown items.
  int64_t checked = 0, shown = 0;
  for (int32_t u = 0; u < ds->num_users() && checked < 2000; ++u) {
    auto e = ds->user_events(u);
    for (size_t k = 0; k < e.size(); ++k) {
      if (e.pages[k] < 0) continue;
      ++checked;
      for (int32_t i : ds->page_items(e.pages[k])) shown += i == e.items[k];
    }
  }
  EXPECT_GT(checked, 0);
  EXPECT_GT(shown, checked / 2) << "clicked items appear on their pages";
}

}  // namespace
}  // namespace stars::data
