// The sampled loss's gathered dot products against plain loops in double precision, at widths that are and are
// not multiples of the vector width, with repeated candidates (whose item gradients add up).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "stars/train/detail/gathered_dot.h"

namespace stars::train::detail {
namespace {

TEST(GatheredDot, MatchesPlainLoopsAtEveryWidth) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t n = 7, C = 5, U = 6;
  for (int64_t S : {1, 5, 8, 16, 17, 19, 64, 67}) {
    SCOPED_TRACE(testing::Message() << "width " << S);
    std::vector<float> h(n * S), items(U * S), g(n * C);
    for (auto& v : h) v = normal(rng);
    for (auto& v : items) v = normal(rng);
    for (auto& v : g) v = normal(rng);
    std::vector<int64_t> cands(n * C);
    for (int64_t j = 0; j < n * C; ++j) cands[j] = (j * 5 + j / C) % U;  // items repeat within and across rows

    std::vector<float> z(n * C), gh(n * S, 99.0f), gi(U * S, 0.0f);
    gathered_dot(h.data(), items.data(), cands.data(), C, S, 0, 3, z.data());  // two row ranges, as threads split them
    gathered_dot(h.data(), items.data(), cands.data(), C, S, 3, n, z.data());
    gathered_dot_grad_rows(g.data(), items.data(), cands.data(), C, S, 0, n, gh.data());
    gathered_dot_grad_items(g.data(), h.data(), cands.data(), n, C, S, gi.data());

    std::vector<double> want_gh(n * S, 0.0), want_gi(U * S, 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < C; ++c) {
        const int64_t it = cands[i * C + c];
        double dot = 0;
        for (int64_t k = 0; k < S; ++k) {
          dot += double{h[i * S + k]} * items[it * S + k];
          want_gh[i * S + k] += double{g[i * C + c]} * items[it * S + k];
          want_gi[it * S + k] += double{g[i * C + c]} * h[i * S + k];
        }
        EXPECT_NEAR(z[i * C + c], dot, 1e-5 * (1 + std::fabs(dot))) << i << " " << c;
      }
    for (int64_t j = 0; j < n * S; ++j) EXPECT_NEAR(gh[j], want_gh[j], 1e-5 * (1 + std::fabs(want_gh[j]))) << j;
    for (int64_t j = 0; j < U * S; ++j) EXPECT_NEAR(gi[j], want_gi[j], 1e-5 * (1 + std::fabs(want_gi[j]))) << j;
  }
}

}  // namespace
}  // namespace stars::train::detail
