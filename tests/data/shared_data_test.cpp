// Integration: `stars prepare` with no flag on every dataset in ../shared/data gives its README's counts.
#include <gtest/gtest.h>

#include "stars/core/mmap_file.h"
#include "stars/data/dataset.h"
#include "test_files.h"

namespace stars::data {
namespace {

struct Expected {
  const char* name;
  int32_t users, items;
  int64_t events;
  size_t subclasses;
  bool has_time;
};

class SharedData : public ::testing::TestWithParam<Expected> {};

TEST_P(SharedData, PreparesWithTheReadmeCounts) {
  const Expected x = GetParam();
  const std::string in = std::string(STARS_SHARED_DATA_DIR) + "/" + x.name;
  if (!is_directory(in)) GTEST_SKIP() << in << " is absent";
  const std::string out = testing::fresh_dir(std::string("shared_") + x.name);
  PrepareResult res;
  ASSERT_EQ(testing::try_prepare(in, out, OnError::kFail, &res), "");
  EXPECT_EQ(res.bad_rows, 0);
  auto ds = Dataset::open(out);
  EXPECT_EQ(ds->num_users(), x.users);
  EXPECT_EQ(ds->num_items(), x.items);
  EXPECT_EQ(ds->num_events(), x.events);
  EXPECT_EQ(ds->subclass_names().size(), x.subclasses);
  EXPECT_EQ(ds->info().has_time, x.has_time);
  EXPECT_TRUE(ds->info().has_item_text);
  for (int32_t i = 0; i < ds->num_items(); ++i) EXPECT_FALSE(ds->item_title(i).empty()) << "item " << i;
  int64_t with_tags = 0;
  for (int32_t i = 0; i < ds->num_items(); ++i) with_tags += !ds->item_tags(i).empty();
  EXPECT_GT(with_tags, ds->num_items() / 2);
  // Leave-one-out is positional: every user's last event is its test target; raw ids keep file order.
  EXPECT_EQ(ds->user_raw_id(0), "1");
  EXPECT_EQ(ds->item_raw_id(0), "1");
}

INSTANTIATE_TEST_SUITE_P(Readme, SharedData,
                         ::testing::Values(Expected{"ml-100k", 943, 1682, 100000, 0, true},
                                           Expected{"amazon-beauty", 22363, 12101, 198502, 226, false},
                                           Expected{"amazon-sports", 35598, 18357, 296337, 0, false}),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(SharedData, AmazonBeautySequencesKeepFileOrder) {
  const std::string in = std::string(STARS_SHARED_DATA_DIR) + "/amazon-beauty";
  if (!is_directory(in)) GTEST_SKIP() << in << " is absent";
  const std::string out = testing::fresh_dir("shared_beauty_order");
  ASSERT_EQ(testing::try_prepare(in, out, OnError::kFail), "");
  auto ds = Dataset::open(out);
  // First line of sequences.txt: "1 1 2 3 4 5" -> test target 5, validation target 4.
  auto e = ds->user_events(*ds->find_user("1"));
  ASSERT_EQ(e.size(), 5u);
  for (size_t k = 0; k < 5; ++k) EXPECT_EQ(ds->item_raw_id(e.items[k]), std::to_string(k + 1));
  EXPECT_EQ(ds->item_title(0), "OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce");
  EXPECT_EQ(ds->subclass_names()[ds->item_subclass(0)], "Nail Polish");
}

}  // namespace
}  // namespace stars::data
