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

}  // namespace
}  // namespace stars::eval
