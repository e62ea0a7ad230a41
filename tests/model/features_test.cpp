// Torch-free parts of the model module: configuration checks, time/recency features, the featurizer,
// item content from a dataset, the calendar copy and named-array files.
#include <gtest/gtest.h>

#include <cmath>

#include "stars/core/error.h"
#include "stars/core/time.h"
#include "stars/data/dataset.h"
#include "stars/model/calendar_index.h"
#include "stars/model/feature_schema.h"
#include "stars/model/item_content.h"
#include "stars/model/model_config.h"
#include "stars/model/named_arrays.h"
#include "stars/model/token_batch.h"
#include "test_world.h"

namespace stars::model {
namespace {

TEST(ModelConfig, PresetsValidateAndBadValuesNameTheField) {
  EXPECT_NO_THROW(model_preset("cpu").validate());
  const ModelConfig paper = model_preset("paper");
  EXPECT_EQ(paper.d_model, 672);
  EXPECT_EQ(paper.n_layers, 4);
  EXPECT_EQ(paper.n_heads, 8);
  EXPECT_EQ(paper.d_ff, 3072);
  EXPECT_EQ(paper.max_len, 200);
  EXPECT_NO_THROW(paper.validate());
  ModelConfig c;
  c.n_heads = 3;
  try {
    c.validate();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.n_heads"), std::string::npos) << e.what();
  }
  EXPECT_THROW(model_preset("huge"), Error);
}

TEST(Features, TimePartsAndRecencyBuckets) {
  int64_t ts = 0;
  ASSERT_TRUE(parse_timestamp("2024-03-04T08:30:00Z", &ts));  // a Monday
  const TimeParts p = time_parts(ts);
  EXPECT_EQ(p.hour, 8);
  EXPECT_EQ(p.dow, 0);
  EXPECT_EQ(p.week, day_of_year(ts) / 7);
  EXPECT_EQ(recency_bucket(0, 24), 0);
  EXPECT_EQ(recency_bucket(30, 24), 1);         // half a minute
  EXPECT_EQ(recency_bucket(3600, 24), 6);       // 1 + floor(log2(61))
  EXPECT_EQ(recency_bucket(int64_t(1) << 40, 24), 23) << "capped at the last bucket";
}

TEST(Features, FeaturizerFillsSlotsRightAlignedAndStandardisesUsers) {
  const std::string dir = testing::make_world("featurizer");
  auto ds = data::Dataset::open(dir);
  const ItemContent content = load_item_content(*ds);
  EXPECT_EQ(content.source, "semantics");
  const FeatureSchema schema = build_feature_schema(*ds, content);
  EXPECT_TRUE(schema.has_time);
  ASSERT_EQ(schema.num_user_numeric(), 1);
  const CalendarIndex cal = calendar_from_dataset(*ds);
  ModelConfig cfg = model_preset("tiny");
  BatchFeaturizer f(cfg, schema, &cal);
  TokenBatch b;
  f.begin(&b, 2, 4);
  const float age = schema.user_numeric_mean[0] + 2 * schema.user_numeric_std[0];
  const int32_t reg = 1;
  f.set_user(&b, 0, &age, &reg);
  f.set_user(&b, 1, nullptr, nullptr);
  EXPECT_NEAR(b.user_num[0], 2.0f, 1e-5);
  EXPECT_EQ(b.user_num[1], 0.0f);
  EXPECT_EQ(b.user_num[3], 1.0f) << "missing flag";
  const auto ue = ds->user_events(0);
  EventView v{ue.items[0], ue.ts[0], ue.types[0], 0, nullptr, 0};
  f.set_slot(&b, 0, 3, v, ue.ts[0] + 3600);
  f.finish(&b);
  EXPECT_EQ(b.valid[3], 1);
  EXPECT_EQ(b.valid[2], 0);
  EXPECT_EQ(b.recency[3], recency_bucket(3600, cfg.recency_buckets));
  EXPECT_EQ(b.hour[3], hour_of_day(ue.ts[0]));
  ASSERT_EQ(b.cal_offsets.size(), 8u);
  // The tiny world's calendar marks its first day: user 0's first event is on it.
  EXPECT_EQ(b.cal_ids.size(), 1u);
}

TEST(Features, ItemContentFallsBackToDatasetTagsAndTaxonomy) {
  const std::string dir = testing::make_world("content_fallback", {}, /*semantics=*/false);
  auto ds = data::Dataset::open(dir);
  const ItemContent c = load_item_content(*ds);
  EXPECT_EQ(c.source, "dataset");
  EXPECT_EQ(c.text_dim, 0);
  bool has_subclass_tag = false;
  for (int32_t t : c.tags_of(0)) has_subclass_tag = has_subclass_tag || c.tag_names[t].rfind("subclass:", 0) == 0;
  EXPECT_TRUE(has_subclass_tag);
  ItemContent grown = c;
  const int32_t tag = 0;
  grown.append(nullptr, &tag, 1);
  EXPECT_EQ(grown.num_items, c.num_items + 1);
  EXPECT_NO_THROW(grown.check("grown"));
  const int32_t bad = c.num_tags();
  EXPECT_THROW(grown.append(nullptr, &bad, 1), Error);
}

TEST(Features, CalendarRowsAndNamedArraysRoundTrip) {
  CalendarIndex c;
  c.add(19000, 0, {1, 2});
  c.add(19000, 3, {4});
  const CalendarIndex d = CalendarIndex::from_rows(c.rows());
  std::vector<int64_t> got;
  d.active(19000, 3, &got);
  EXPECT_EQ(got, (std::vector<int64_t>{1, 2, 4}));
  got.clear();
  d.active(19001, 0, &got);
  EXPECT_TRUE(got.empty());

  NamedArrays na;
  na.arrays.push_back({"a.weight", {2, 3}, {1, 2, 3, 4, 5, 6}});
  na.arrays.push_back({"b", {0}, {}});
  na.meta["step"] = "17";
  const std::string path = testing::fresh_dir("arrays") + ".tbl";
  write_named_arrays(path, "test_arrays", na);
  const NamedArrays back = read_named_arrays(path, "test_arrays");
  ASSERT_EQ(back.arrays.size(), 2u);
  EXPECT_EQ(back.arrays[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(back.arrays[0].data, na.arrays[0].data);
  EXPECT_EQ(back.meta.at("step"), "17");
  EXPECT_THROW(read_named_arrays(path, "other_kind"), Error);
}

TEST(Features, SchemaJsonRoundTrip) {
  FeatureSchema s;
  s.num_items = 10;
  s.text_dim = 4;
  s.num_tags = 3;
  s.has_time = true;
  s.context_names = {"device"};
  s.context_sizes = {3};
  s.user_numeric_names = {"age"};
  s.user_numeric_mean = {30.5f};
  s.user_numeric_std = {4.0f};
  const FeatureSchema t = FeatureSchema::from_json(s.to_json(), "test");
  EXPECT_EQ(t.num_items, 10);
  EXPECT_EQ(t.context_sizes, s.context_sizes);
  EXPECT_EQ(t.user_numeric_mean, s.user_numeric_mean);
  EXPECT_THROW(FeatureSchema::from_json("{\"num_items\": 3}", "test"), Error);
}

// Sorting a batch's items renumbers every local index with them: each slot, candidate and shared negative
// still names the same item, and the scratch is ready for the next batch.
TEST(Features, ItemSlotsSortRenumbersTheBatchsItems) {
  ItemSlots slots(20);
  TokenBatch b;
  slots.reset(&b);
  const std::vector<int32_t> in = {9, 2, 17, 2, 5}, cands = {5, 0, 17, 9}, shared = {0, 17};
  for (int32_t it : in) b.item_local.push_back(slots.local(&b, it));
  for (int32_t it : cands) b.cands.push_back(slots.local(&b, it));
  for (int32_t it : shared) b.shared.push_back(slots.local(&b, it));
  ASSERT_EQ(b.uniq, (std::vector<int64_t>{9, 2, 17, 5, 0}));
  slots.sort(&b);
  EXPECT_EQ(b.uniq, (std::vector<int64_t>{0, 2, 5, 9, 17}));
  const auto global = [&](const std::vector<int64_t>& local) {
    std::vector<int32_t> g;
    for (int64_t l : local) g.push_back(static_cast<int32_t>(b.uniq[l]));
    return g;
  };
  EXPECT_EQ(global(b.item_local), in);
  EXPECT_EQ(global(b.cands), cands);
  EXPECT_EQ(global(b.shared), shared);
  EXPECT_EQ(slots.local(&b, 9), 3) << "the new numbering";
  slots.clear(b);
  TokenBatch next;
  slots.reset(&next);
  EXPECT_EQ(slots.local(&next, 17), 0);
  EXPECT_EQ(slots.local(&next, 2), 1);
}

}  // namespace
}  // namespace stars::model
