// The chunked softmax's row kernels against double-precision references: exp over its whole range and at
// every tail length, the running log-sum-exp over chunks of any width (prior, -inf and NaN values included),
// and softmax minus one-hot.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "stars/train/detail/softmax_rows.h"

namespace stars::train::detail {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(SoftmaxRows, ExpIsWithinTwoUlpOverItsRange) {
  std::vector<float> x;
  for (int i = 0; i <= 400000; ++i) x.push_back(-87.29f + 175.58f * static_cast<float>(i) / 400000.0f);
  std::vector<float> y = x;
  exp_inplace(y.data(), static_cast<int64_t>(y.size()));
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::fabs(y[i] - std::exp(double{x[i]})) / std::exp(double{x[i]}));
  EXPECT_LT(worst, 2.4e-7);  // 2 ulp: float's spacing is at most 1.19e-7 relative
  float edge[5] = {-kInf, -100.0f, -87.31f, std::numeric_limits<float>::quiet_NaN(), 0.0f};
  exp_inplace(edge, 5);
  EXPECT_EQ(edge[0], 0.0f);
  EXPECT_EQ(edge[1], 0.0f);
  EXPECT_EQ(edge[2], 0.0f);
  EXPECT_TRUE(std::isnan(edge[3]));
  EXPECT_EQ(edge[4], 1.0f);
}

TEST(SoftmaxRows, ExpHandlesEveryTailLength) {
  for (int n = 1; n <= 40; ++n) {
    std::vector<float> x(n + 1);
    for (int i = 0; i < n; ++i) x[i] = 0.25f * static_cast<float>(i) - 3.0f;
    x[n] = 123.0f;  // past the end: untouched
    exp_inplace(x.data(), n);
    for (int i = 0; i < n; ++i) EXPECT_NEAR(x[i], std::exp(0.25 * i - 3.0), 3e-7 * std::exp(0.25 * i - 3.0)) << n << " " << i;
    EXPECT_EQ(x[n], 123.0f);
  }
}

// Rows (R, N) of random logits with some -inf; row 1 is -inf throughout, row 2 in its first 40 items.
struct Logits {
  int64_t R = 5, N = 97;
  std::vector<float> z, prior;

  Logits() : z(R * N), prior(N) {
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 4.0f);
    for (auto& v : z) v = normal(rng);
    for (auto& v : prior) v = 0.5f * normal(rng);
    for (int64_t i = 0; i < N; ++i) {
      z[1 * N + i] = -kInf;
      if (i < 40) z[2 * N + i] = -kInf;
      if (i % 7 == 3) z[4 * N + i] = -kInf;
    }
  }
  double lse(int64_t r, bool with_prior) const {
    double m = -INFINITY, s = 0;
    for (int64_t i = 0; i < N; ++i) m = std::max(m, double{z[r * N + i]} + (with_prior ? prior[i] : 0.0));
    if (m == -INFINITY) return m;
    for (int64_t i = 0; i < N; ++i) s += std::exp(double{z[r * N + i]} + (with_prior ? prior[i] : 0.0) - m);
    return m + std::log(s);
  }
};

TEST(SoftmaxRows, FoldingChunksGivesTheLogSumExp) {
  const Logits L;
  for (bool with_prior : {false, true}) {
    for (int64_t chunk : {1, 3, 16, 17, 40, 97}) {
      std::vector<float> z = L.z, mx(L.R, -kInf), sm(L.R, 0.0f);
      for (int64_t c0 = 0; c0 < L.N; c0 += chunk) {
        const int64_t n = std::min(chunk, L.N - c0);
        std::vector<float> block(L.R * n);  // the chunk as its own (R, n) matrix, as full_softmax.cpp has it
        for (int64_t r = 0; r < L.R; ++r)
          for (int64_t i = 0; i < n; ++i) block[r * n + i] = z[r * L.N + c0 + i];
        fold_rows(block.data(), L.R, n, n, with_prior ? L.prior.data() + c0 : nullptr, mx.data(), sm.data());
        for (int64_t r = 0; r < L.R; ++r)  // the prior is added in place
          for (int64_t i = 0; i < n; ++i) {
            const float want = z[r * L.N + c0 + i] + (with_prior ? L.prior[c0 + i] : 0.0f);
            ASSERT_EQ(block[r * n + i], want);
          }
      }
      for (int64_t r = 0; r < L.R; ++r) {
        SCOPED_TRACE(testing::Message() << "prior " << with_prior << " chunk " << chunk << " row " << r);
        const double got = mx[r] + std::log(double{sm[r]}), want = L.lse(r, with_prior);
        if (r == 1) {
          EXPECT_EQ(mx[r], -kInf);
          EXPECT_EQ(sm[r], 0.0f);
        } else {
          EXPECT_NEAR(got, want, 2e-6 * std::fabs(want) + 1e-6);
        }
      }
    }
  }
  // A NaN anywhere makes the row's log-sum-exp NaN.
  std::vector<float> z = L.z, mx(L.R, -kInf), sm(L.R, 0.0f);
  z[3 * L.N + 50] = std::numeric_limits<float>::quiet_NaN();
  fold_rows(z.data(), L.R, L.N, L.N, nullptr, mx.data(), sm.data());
  EXPECT_TRUE(std::isnan(mx[3] + std::log(sm[3])));
  EXPECT_FALSE(std::isnan(mx[0] + std::log(sm[0])));
}

// Folding each half of the items into its own running log-sum-exp and merging the two gives the whole rows'
// log-sum-exp, also when a half of a row is -inf throughout, or the whole row is.
TEST(SoftmaxRows, MergedFoldsGiveTheLogSumExp) {
  const Logits L;
  for (int64_t split : {1, 40, 50, 96}) {
    std::vector<float> mx(L.R, -kInf), sm(L.R, 0.0f), mx2(L.R, -kInf), sm2(L.R, 0.0f);
    std::vector<float> a(L.R * split), b(L.R * (L.N - split));
    for (int64_t r = 0; r < L.R; ++r)
      for (int64_t i = 0; i < L.N; ++i) (i < split ? a[r * split + i] : b[r * (L.N - split) + i - split]) = L.z[r * L.N + i];
    fold_rows(a.data(), L.R, split, split, nullptr, mx.data(), sm.data());
    fold_rows(b.data(), L.R, L.N - split, L.N - split, nullptr, mx2.data(), sm2.data());
    merge_folds(mx2.data(), sm2.data(), L.R, mx.data(), sm.data());
    for (int64_t r = 0; r < L.R; ++r) {
      SCOPED_TRACE(testing::Message() << "split " << split << " row " << r);
      if (r == 1) {
        EXPECT_EQ(mx[r], -kInf);
        EXPECT_EQ(sm[r], 0.0f);
      } else {
        const double got = mx[r] + std::log(double{sm[r]}), want = L.lse(r, false);
        EXPECT_NEAR(got, want, 2e-6 * std::fabs(want) + 1e-6);
      }
    }
  }
}

TEST(SoftmaxRows, SoftmaxMinusOneHotIsTheLogitGradient) {
  const Logits L;
  const float scale = 0.37f;
  const int64_t c0 = 1000;  // the chunk's first item
  std::vector<int64_t> target = {c0 + 5, c0 + 96, c0 - 1, c0 + 97, c0 + 0};  // rows 2 and 3: outside the chunk
  std::vector<float> lse(L.R);
  for (int64_t r = 0; r < L.R; ++r) lse[r] = static_cast<float>(r == 1 ? 0.0 : L.lse(r, false));
  // Row stride 100 > n: the values past n belong to no row and stay as they are.
  const int64_t ld = 100;
  std::vector<float> z(L.R * ld, 42.0f);
  for (int64_t r = 0; r < L.R; ++r)
    for (int64_t i = 0; i < L.N; ++i) z[r * ld + i] = L.z[r * L.N + i];
  softmax_minus_onehot_rows(z.data(), L.R, L.N, ld, lse.data(), target.data(), c0, scale);
  for (int64_t r = 0; r < L.R; ++r) {
    for (int64_t i = 0; i < L.N; ++i) {
      const double p = std::exp(double{L.z[r * L.N + i]} - lse[r]);
      const double want = (p - (c0 + i == target[r] ? 1.0 : 0.0)) * scale;
      EXPECT_NEAR(z[r * ld + i], want, 3e-7 * std::fabs(want) + 1e-9) << r << " " << i;
    }
    for (int64_t i = L.N; i < ld; ++i) EXPECT_EQ(z[r * ld + i], 42.0f);
  }
}

}  // namespace
}  // namespace stars::train::detail
