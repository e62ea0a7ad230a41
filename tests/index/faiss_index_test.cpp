// FAISS (HNSW, IVF) against exact search: recall thresholds with and without filters; filters and
// updates are honoured.
#include "stars/index/faiss_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "stars/core/random.h"
#include "stars/index/index_config.h"
#include "stars/index/recall.h"
#include "test_vectors.h"

namespace stars::index {
namespace {

using testing::random_vectors;

// Clustered data (like item embeddings) rather than isotropic noise.
std::vector<float> clustered(int32_t n, int dim, uint64_t seed) {
  auto centers = random_vectors(256, dim, 11);  // the same centers for items and queries
  auto noise = random_vectors(n, dim, seed + 1);
  Rng rng(seed + 2);
  std::vector<float> v(static_cast<size_t>(n) * dim);
  for (int32_t i = 0; i < n; ++i) {
    const size_t c = rng.uniform(256);
    for (int d = 0; d < dim; ++d) v[static_cast<size_t>(i) * dim + d] = centers[c * dim + d] + 0.5f * noise[static_cast<size_t>(i) * dim + d];
  }
  return v;
}

struct Case {
  const char* type;
  double min_recall;
};

class FaissRecallTest : public ::testing::TestWithParam<Case> {};

TEST_P(FaissRecallTest, RecallAgainstExact) {
  const int dim = 32;
  const int32_t n = 20000;
  auto items = clustered(n, dim, 11);
  auto queries = clustered(200, dim, 12);
  FaissIndexOptions o;
  o.type = GetParam().type;
  FaissIndex approx(dim, items.data(), n, o);
  ExactIndex exact(dim, items.data(), n);
  auto fn = [&](const float* q, int k, const Bitmap* a) { return approx.search_approximate(q, k, a); };
  const auto unfiltered = measure_recall(fn, exact, queries.data(), 200, 10, nullptr);
  EXPECT_GE(unfiltered.recall, GetParam().min_recall) << o.type << " unfiltered";
  Bitmap allow(n);
  Rng rng(13);
  for (int32_t i = 0; i < n; ++i)
    if (rng.bernoulli(0.3)) allow.set(i);
  const auto filtered = measure_recall(fn, exact, queries.data(), 200, 10, &allow);
  EXPECT_GE(filtered.recall, GetParam().min_recall - 0.05) << o.type << " filtered";
  // The full search (with its exact fallbacks) never returns a disallowed item nor fewer than k.
  for (int q = 0; q < 50; ++q) {
    auto hits = approx.search(queries.data() + q * dim, 10, &allow);
    EXPECT_EQ(hits.size(), 10u);
    for (const auto& h : hits) EXPECT_TRUE(allow.test(h.id));
  }
  std::printf("%s recall@10 unfiltered %.4f filtered(30%%) %.4f; ms/query exact %.3f approx %.3f\n", o.type.c_str(),
              unfiltered.recall, filtered.recall, unfiltered.exact_ms, unfiltered.approx_ms);
}

INSTANTIATE_TEST_SUITE_P(Types, FaissRecallTest, ::testing::Values(Case{"hnsw", 0.95}, Case{"ivf", 0.95}),
                         [](const auto& info) { return std::string(info.param.type); });

TEST(FaissIndex, SelectiveFiltersAndUpdates) {
  const int dim = 16;
  const int32_t n = 5000;
  auto items = clustered(n, dim, 21);
  FaissIndex index(dim, items.data(), n);
  Bitmap one(n);
  one.set(1234);
  auto q = random_vectors(1, dim, 22);
  auto hits = index.search(q.data(), 10, &one);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 1234);
  // Update: item 7 moves far along the query; it must come first and appear once.
  std::vector<float> v(q.begin(), q.end());
  for (auto& x : v) x *= 100.0f;
  index.set(7, v.data());
  hits = index.search(q.data(), 10, nullptr);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, 7);
  int count7 = 0;
  for (const auto& h : hits) count7 += h.id == 7;
  EXPECT_EQ(count7, 1);
  // Append.
  for (auto& x : v) x *= 2.0f;
  index.set(n, v.data());
  EXPECT_EQ(index.size(), n + 1);
  EXPECT_EQ(index.search(q.data(), 1, nullptr)[0].id, n);
  // A biased search is exact over the current vectors (the update and the append included).
  std::vector<float> now = items;
  for (int d = 0; d < dim; ++d) now[7 * static_cast<size_t>(dim) + d] = v[d] / 2.0f;  // item 7 got v before v doubled
  now.insert(now.end(), v.begin(), v.end());
  std::vector<float> bias(static_cast<size_t>(n) + 1);
  Rng rng(23);
  for (auto& x : bias) x = static_cast<float>(20.0 * rng.normal());
  bias[static_cast<size_t>(n)] = -1e6f;  // the appended item drops out
  Bitmap half(n + 1);
  for (int32_t i = 0; i < n + 1; i += 2) half.set(i);
  // Without and with the items in bias order (the walk must see the longer vectors set above).
  std::vector<int32_t> order(bias.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return bias[a] > bias[b]; });
  for (const int32_t* by_bias : {static_cast<const int32_t*>(nullptr), static_cast<const int32_t*>(order.data())}) {
    for (const Bitmap* allow : {static_cast<const Bitmap*>(nullptr), static_cast<const Bitmap*>(&half)}) {
      const auto got = index.search_biased(q.data(), {bias.data(), by_bias}, 20, allow);
      const auto want = testing::brute_force(now, dim, q.data(), 20, allow, bias.data());
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].id, want[i].id) << "rank " << i;
        EXPECT_NEAR(got[i].score, want[i].score, 1e-3 * (1 + std::fabs(want[i].score)));
      }
    }
  }
}

TEST(IndexConfig, AutoPicksExactForSmallCatalogsAndValidates) {
  IndexConfig c;
  auto items = random_vectors(100, 8, 1);
  EXPECT_STREQ(make_index(c, 8, items.data(), 100)->kind(), "exact");
  c.exact_max_items = 50;
  EXPECT_STREQ(make_index(c, 8, items.data(), 100)->kind(), "hnsw");
  c.kind = "bogus";
  EXPECT_ANY_THROW(c.validate());
}

}  // namespace
}  // namespace stars::index
