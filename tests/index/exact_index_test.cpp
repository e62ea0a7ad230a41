// Exact search must equal a brute-force reference, with and without filters, on both kernel paths.
#include "stars/index/exact_index.h"

#include <gtest/gtest.h>

#include <cmath>

#include "stars/core/random.h"
#include "stars/index/dot_kernels.h"
#include "test_vectors.h"

namespace stars::index {
namespace {

using testing::brute_force;
using testing::random_vectors;

// Same ids in the same order; where float rounding could swap near-equal scores, the scores must agree.
void expect_same(const std::vector<Hit>& got, const std::vector<Hit>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i].score, want[i].score, 1e-3 * (1 + std::fabs(want[i].score))) << "rank " << i;
    if (std::fabs(got[i].score - want[i].score) < 1e-4 && got[i].id != want[i].id) {
      // A near tie swapped by rounding: accept only if the reference has the same score there.
      continue;
    }
    EXPECT_EQ(got[i].id, want[i].id) << "rank " << i;
  }
}

class ExactIndexTest : public ::testing::TestWithParam<int> {};

TEST_P(ExactIndexTest, EqualsBruteForceOnEveryPath) {
  const int dim = GetParam();
  const int32_t n = 5003;  // not a multiple of the block size
  auto items = random_vectors(n, dim, 1 + dim);
  auto queries = random_vectors(20, dim, 100 + dim);
  ExactIndex index(dim, items.data(), n);
  Rng rng(9);
  // Large enough to reorder the lists: scores have spread sqrt(dim).
  std::vector<float> bias(static_cast<size_t>(n));
  for (auto& x : bias) x = static_cast<float>(3.0 * std::sqrt(static_cast<double>(dim)) * rng.normal());
  Bitmap dense(n), sparse(n);
  for (int32_t i = 0; i < n; ++i) {
    if (rng.bernoulli(0.5)) dense.set(i);
    if (rng.bernoulli(0.03)) sparse.set(i);
  }
  for (int q = 0; q < 20; ++q) {
    const float* query = queries.data() + static_cast<size_t>(q) * dim;
    for (int k : {1, 10, 100}) {
      expect_same(index.search(query, k, nullptr), brute_force(items, dim, query, k, nullptr));
      expect_same(index.search_scan(query, k, &dense), brute_force(items, dim, query, k, &dense));
      expect_same(index.search_gather(query, k, dense), brute_force(items, dim, query, k, &dense));
      expect_same(index.search(query, k, &sparse), brute_force(items, dim, query, k, &sparse));
      expect_same(index.search_scan(query, k, &sparse), brute_force(items, dim, query, k, &sparse));
      // With a bias per item (the cold-user prior), on each path.
      const float* b = bias.data();
      expect_same(index.search_biased(query, b, k, nullptr), brute_force(items, dim, query, k, nullptr, b));
      expect_same(index.search_scan(query, k, &dense, b), brute_force(items, dim, query, k, &dense, b));
      expect_same(index.search_gather(query, k, dense, b), brute_force(items, dim, query, k, &dense, b));
      expect_same(index.search_biased(query, b, k, &sparse), brute_force(items, dim, query, k, &sparse, b));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dims, ExactIndexTest, ::testing::Values(1, 7, 16, 64, 100));

TEST(ExactIndex, FiltersNeverReturnAnExcludedItemAndNeverCutBelowK) {
  const int dim = 32;
  const int32_t n = 2000;
  auto items = random_vectors(n, dim, 3);
  ExactIndex index(dim, items.data(), n);
  Rng rng(4);
  for (int trial = 0; trial < 50; ++trial) {
    Bitmap allow(n);
    const double p = trial % 2 ? 0.001 : 0.3;
    for (int32_t i = 0; i < n; ++i)
      if (rng.bernoulli(p)) allow.set(i);
    auto q = random_vectors(1, dim, 1000 + trial);
    auto hits = index.search(q.data(), 25, &allow);
    EXPECT_EQ(hits.size(), std::min<size_t>(25, allow.count()));
    for (const auto& h : hits) EXPECT_TRUE(allow.test(h.id)) << "item " << h.id << " is not allowed";
  }
  Bitmap none(n);
  auto q = random_vectors(1, dim, 5);
  EXPECT_TRUE(index.search(q.data(), 10, &none).empty());
  EXPECT_TRUE(index.search(q.data(), 0, nullptr).empty());
}

TEST(ExactIndex, UpdatesAndAppendsAreSearchableAtOnce) {
  const int dim = 16;
  auto items = random_vectors(100, dim, 6);
  ExactIndex index(dim, items.data(), 100);
  std::vector<float> big(dim, 0.0f);
  big[0] = 1000.0f;
  std::vector<float> q(dim, 0.0f);
  q[0] = 1.0f;
  index.set(42, big.data());
  EXPECT_EQ(index.search(q.data(), 1, nullptr)[0].id, 42);
  big[0] = 2000.0f;
  index.set(100, big.data());  // append
  EXPECT_EQ(index.size(), 101);
  auto hits = index.search(q.data(), 2, nullptr);
  EXPECT_EQ(hits[0].id, 100);
  EXPECT_EQ(hits[1].id, 42);
  std::vector<float> back(dim);
  index.get(100, back.data());
  EXPECT_EQ(back[0], 2000.0f);
  EXPECT_ANY_THROW(index.set(500, big.data()));
}

TEST(ExactIndex, BatchSearchMatchesSingleSearches) {
  const int dim = 24;
  auto items = random_vectors(3000, dim, 8);
  auto queries = random_vectors(17, dim, 9);
  ExactIndex index(dim, items.data(), 3000);
  auto batch = index.search_batch(queries.data(), 17, 10, nullptr, 2);
  for (int q = 0; q < 17; ++q) {
    auto single = index.search(queries.data() + q * dim, 10, nullptr);
    ASSERT_EQ(batch[q].size(), single.size());
    for (size_t i = 0; i < single.size(); ++i) EXPECT_EQ(batch[q][i].id, single[i].id);
  }
}

TEST(ExactIndex, ReportsItsSimdLevel) {
  const std::string level = simd_level();
  EXPECT_TRUE(level == "avx512" || level == "avx2" || level == "scalar");
}

}  // namespace
}  // namespace stars::index
