// The closed form of a sparsely updated table's missed steps (detail/adamw_rows.h) against sums written out
// step by step in double precision: for gaps within the recurrence's window and beyond it (the cached tail),
// after steps of varying size and weight decay, and its bookkeeping (only rows behind are listed, each once; flush, current()).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "stars/core/error.h"
#include "stars/train/detail/adamw_rows.h"

namespace stars::train::detail {
namespace {

// With weight decay (a decay d_s per step) and without (d_s = 1, every decay factor exactly 1).
TEST(LazyTable, CatchUpSumsTheMissedStepsAtEveryGap) {
  for (const bool decays : {false, true}) {
  SCOPED_TRACE(decays ? "with decay" : "without decay");
  const double b1 = 0.9, b2 = 0.95, eps = 1e-8, r = b1 / std::sqrt(b2);
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> size(0.5e-3, 2e-3), decay(0.995, 0.9995);
  LazyTable table(4, b1, b2, eps);
  std::vector<double> c(1, 0.0), sb(1, 0.0), d(1, 1.0);  // c[s], sb[s], d[s]: table step s's size, bias correction, decay
  const auto D = [&](int64_t a, int64_t b) {  // the decay of steps a+1..b
    double x = 1;
    for (int64_t s = a + 1; s <= b; ++s) x *= d[s];
    return x;
  };
  const auto expected_q = [&](int64_t t0, int64_t upto) {
    double q = 0;
    for (int64_t s = t0 + 1; s <= upto; ++s) q += c[s] * std::pow(r, static_cast<double>(s - t0)) * D(s, upto);
    return q;
  };
  CatchUp cu;
  const int64_t rows01[] = {0, 1};
  const int64_t row1[] = {1};
  for (int64_t t = 1; t <= 700; ++t) {
    c.push_back(size(rng));
    sb.push_back(std::sqrt(1.0 - std::pow(b2, static_cast<double>(t))));
    d.push_back(decays ? decay(rng) : 1.0);
    table.begin_step(c[t], sb[t], d[t]);
    if (t == 1) table.touch(rows01, 2, &cu);  // rows 0 and 1 take step 1
    if (t == 500) table.touch(row1, 1, &cu);  // row 1 takes step 500 after missing 498
    if (t == 1) {
      EXPECT_TRUE(cu.rows.empty()) << "nothing missed yet";
    }
    if (t == 500) {
      ASSERT_EQ(cu.rows, std::vector<int64_t>{1});
      EXPECT_NEAR(cu.q[0], expected_q(1, 499), 1e-9 * expected_q(1, 499));  // beyond the window
      EXPECT_NEAR(cu.fp[0], D(1, 499), 1e-12);
      if (!decays) EXPECT_EQ(cu.fp[0], 1.0);
      EXPECT_NEAR(cu.fm[0], std::pow(b1, 498.0), 1e-15);
      EXPECT_NEAR(cu.fv[0], std::pow(b2, 498.0), 1e-12 * std::pow(b2, 498.0));
    }
  }
  EXPECT_FALSE(table.current());
  // Rows 0, 1 and 3 (listed twice) catch up through step 700: gaps of 699 (beyond the window), 200 (within it)
  // and 700 (a row never stepped: its moments are zero, so any factors do; they must still be the right ones).
  const int64_t rows[] = {0, 1, 3, 3};
  table.catch_up(rows, 4, &cu);
  ASSERT_EQ(cu.rows, (std::vector<int64_t>{0, 1, 3})) << "a row listed twice catches up once";
  ASSERT_EQ(cu.q.size(), 3u);
  EXPECT_NEAR(cu.q[0], expected_q(1, 700), 1e-9 * expected_q(1, 700)) << "beyond the window: terms below 1e-10 dropped";
  EXPECT_NEAR(cu.q[1], expected_q(500, 700), 1e-12 * expected_q(500, 700));
  EXPECT_NEAR(cu.fp[0], D(1, 700), 1e-12);
  EXPECT_NEAR(cu.fp[1], D(500, 700), 1e-12);
  EXPECT_NEAR(cu.fp[2], D(0, 700), 1e-12);
  if (decays) EXPECT_LT(cu.fp[2], 0.9) << "the decay matters here";
  EXPECT_NEAR(cu.q[2], expected_q(0, 700), 1e-9 * expected_q(0, 700));
  EXPECT_NEAR(cu.fm[1], std::pow(b1, 200.0), 1e-15);
  EXPECT_NEAR(cu.fv[0], std::pow(b2, 699.0), 1e-12 * std::pow(b2, 699.0));
  // The epsilon that makes the first missed step exact: eps sqrt(1 - b2^(t0+1)) / sqrt(b2).
  EXPECT_NEAR(cu.e[1], eps * sb[501] / std::sqrt(b2), 1e-20);
  EXPECT_NEAR(cu.e[0], eps * sb[2] / std::sqrt(b2), 1e-20);
  // Row 2 alone is behind; a flush brings it (and nothing else) up to date.
  EXPECT_FALSE(table.current());
  table.flush(&cu);
  ASSERT_EQ(cu.rows, std::vector<int64_t>{2}) << "row 2 alone";
  ASSERT_EQ(cu.q.size(), 1u);
  EXPECT_NEAR(cu.q[0], expected_q(0, 700), 1e-9 * expected_q(0, 700));
  EXPECT_TRUE(table.current());
  }
}

TEST(LazyTable, RefusesMomentumThatDoesNotFadeAndRowsOutside) {
  EXPECT_THROW(LazyTable(3, 0.99, 0.95, 1e-8), Error);  // 0.99^2 > 0.95
  LazyTable table(3, 0.9, 0.95, 1e-8);
  table.begin_step(1e-3, 0.2);
  CatchUp cu;
  const int64_t bad[] = {3};
  EXPECT_THROW(table.touch(bad, 1, &cu), Error);
  EXPECT_THROW(table.begin_step(1e-3, 0.2, 0.0), Error);  // lr * weight_decay >= 1
  EXPECT_THROW(table.begin_step(1e-3, 0.2, 1.5), Error);
}

}  // namespace
}  // namespace stars::train::detail
