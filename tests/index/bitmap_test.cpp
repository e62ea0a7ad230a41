#include "stars/index/bitmap.h"

#include <gtest/gtest.h>

#include <vector>

namespace stars::index {
namespace {

TEST(Bitmap, SetTestCountAndTail) {
  Bitmap b(130);
  EXPECT_EQ(b.count(), 0u);
  b.set(0);
  b.set(64);
  b.set(129);
  EXPECT_TRUE(b.test(64));
  EXPECT_FALSE(b.test(65));
  EXPECT_FALSE(b.test(1000));  // out of range reads as unset
  EXPECT_EQ(b.count(), 3u);
  b.fill(true);
  EXPECT_EQ(b.count(), 130u);  // bits past size() stay clear
  b.resize(200, true);
  EXPECT_EQ(b.count(), 200u);
  b.resize(70);
  EXPECT_EQ(b.count(), 70u);
  b.resize(100, false);
  EXPECT_EQ(b.count(), 70u);
}

TEST(Bitmap, LogicAndIteration) {
  Bitmap a(100), b(100);
  for (int i = 0; i < 100; i += 2) a.set(i);
  for (int i = 0; i < 100; i += 3) b.set(i);
  Bitmap both = a;
  both.and_with(b);
  std::vector<size_t> got;
  both.for_each_set([&](size_t i) { got.push_back(i); });
  std::vector<size_t> want;
  for (size_t i = 0; i < 100; i += 6) want.push_back(i);
  EXPECT_EQ(got, want);
  Bitmap either = a;
  either.or_with(b);
  EXPECT_EQ(either.count(), 50u + 34u - 17u);
  Bitmap only_a = a;
  only_a.and_not(b);
  EXPECT_EQ(only_a.count(), 50u - 17u);
  // Byte layout matches faiss::IDSelectorBitmap: bit i at byte i / 8, bit i % 8.
  Bitmap c(20);
  c.set(10);
  EXPECT_EQ(c.bytes()[1], 1u << 2);
}

TEST(Bitmap, MismatchedSizesAreRejected) {
  Bitmap a(10), b(11);
  EXPECT_ANY_THROW(a.and_with(b));
}

}  // namespace
}  // namespace stars::index
