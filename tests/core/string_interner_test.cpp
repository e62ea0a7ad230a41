#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stars/core/random.h"
#include "stars/core/string_interner.h"

namespace stars {
namespace {

TEST(StringInterner, IdsInInsertionOrderAcrossGrowth) {
  StringInterner s;
  std::vector<std::string> keys;
  for (int i = 0; i < 50000; ++i) keys.push_back("key" + std::to_string(i * 7919 % 100003));
  for (size_t i = 0; i < keys.size(); ++i) {
    bool added = false;
    EXPECT_EQ(s.intern(keys[i], &added), static_cast<int32_t>(i));
    EXPECT_TRUE(added);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    bool added = true;
    ASSERT_EQ(s.intern(keys[i], &added), static_cast<int32_t>(i));
    EXPECT_FALSE(added);
    ASSERT_EQ(s.find(keys[i]), static_cast<int32_t>(i));
    ASSERT_EQ(s.at(static_cast<int32_t>(i)), keys[i]);
  }
  EXPECT_EQ(s.find("absent"), -1);
  EXPECT_EQ(s.find(""), -1);
  EXPECT_EQ(s.intern(""), 50000);
  EXPECT_EQ(s.find(""), 50000);
}

TEST(StringInterner, BatchCallsEqualOneCallPerKey) {
  Rng rng(3);
  std::vector<std::string> raw;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t r = rng.uniform(5000);
    // Short, 8-byte-boundary and long keys; many repeats.
    raw.push_back(r % 3 == 0 ? std::to_string(r) : r % 3 == 1 ? "abcdefg" + std::to_string(r) : std::string(40, 'x') + std::to_string(r));
  }
  std::vector<std::string_view> keys(raw.begin(), raw.end());
  StringInterner one, many;
  std::vector<int32_t> a(keys.size()), b(keys.size()), c(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) a[i] = one.intern(keys[i]);
  many.intern_many(keys.data(), keys.size(), b.data());
  EXPECT_EQ(a, b);
  EXPECT_EQ(one.to_vector(), many.to_vector());
  many.find_many(keys.data(), keys.size(), c.data());
  EXPECT_EQ(a, c);
  std::vector<std::string_view> absent = {"nope", "abcdefgh-1", std::string_view()};
  std::vector<int32_t> d(3);
  many.find_many(absent.data(), absent.size(), d.data());
  EXPECT_EQ(d, (std::vector<int32_t>{-1, -1, -1}));
}

TEST(StringInterner, SimilarKeysStayDistinct) {
  StringInterner s;
  const std::vector<std::string> keys = {"a", "ab", "abcdefgh", "abcdefgi", "abcdefghabcdefgh", "abcdefghabcdefgX"};
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(s.intern(keys[i]), static_cast<int32_t>(i));
  const std::string with_nul("a\0b", 3);
  EXPECT_EQ(s.intern(with_nul), static_cast<int32_t>(keys.size()));
  s.reserve(100000);
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(s.find(keys[i]), static_cast<int32_t>(i)) << "after reserve";
}

}  // namespace
}  // namespace stars
