#include <gtest/gtest.h>

#include <cmath>

#include "stars/core/error.h"
#include "stars/eval/ranking_metrics.h"

namespace stars::eval {
namespace {

TEST(RankingMetrics, RankCountsHigherScoresAndHalfTies) {
  const float s[] = {0.1f, 0.9f, 0.5f, 0.5f, 0.5f};
  EXPECT_EQ(rank_of_target(s, 5, 1), 0);
  EXPECT_EQ(rank_of_target(s, 5, 0), 4);
  EXPECT_EQ(rank_of_target(s, 5, 2), 1 + 1);  // one higher, two ties -> +1
  const uint8_t ex[] = {0, 1, 0, 0, 0};
  EXPECT_EQ(rank_of_target(s, 5, 0, ex), 3);
}

TEST(RankingMetrics, HandComputedValues) {
  RankMetrics m({1, 5, 10});
  m.add(0);   // hit everywhere, ndcg 1, rr 1
  m.add(3);   // hit@5, @10: ndcg 1/log2(5), rr 1/4
  m.add(20);  // miss: rr 1/21
  EXPECT_DOUBLE_EQ(m.hit(1), 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.hit(5), 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.ndcg(10), (1.0 + 1.0 / std::log2(5.0)) / 3);
  EXPECT_DOUBLE_EQ(m.mrr(), (1.0 + 0.25 + 1.0 / 21) / 3);
  EXPECT_THROW(m.hit(20), Error);
}

// Parts computed apart (data-parallel validation) add up through their sums to the metrics of the whole.
TEST(RankingMetrics, SumsOfPartsGiveTheWhole) {
  const int64_t ranks[] = {0, 3, 20, 7, 1, 0, 60};
  RankMetrics whole({1, 5, 10}), a({1, 5, 10}), b({1, 5, 10});
  for (size_t i = 0; i < 7; ++i) {
    whole.add(ranks[i]);
    (i % 2 ? a : b).add(ranks[i]);
  }
  std::vector<double> s = a.sums();
  const std::vector<double> sb = b.sums();
  for (size_t i = 0; i < s.size(); ++i) s[i] += sb[i];
  const RankMetrics m = RankMetrics::from_sums({1, 5, 10}, s);
  EXPECT_EQ(m.count(), 7);
  for (const auto& kv : whole.to_map()) EXPECT_NEAR(m.to_map().at(kv.first), kv.second, 1e-12) << kv.first;
  EXPECT_EQ(RankMetrics::from_sums({1, 5, 10}, RankMetrics({1, 5, 10}).sums()).count(), 0);
  EXPECT_THROW(RankMetrics::from_sums({1, 5}, s), Error);
}

}  // namespace
}  // namespace stars::eval
