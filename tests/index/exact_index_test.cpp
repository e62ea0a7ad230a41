// Exact search must equal a brute-force reference, with and without filters, on both kernel paths.
#include "stars/index/exact_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

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

// Item ids by bias, highest first (ItemBias::order).
std::vector<int32_t> order_of(const std::vector<float>& bias) {
  std::vector<int32_t> order(bias.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return bias[a] > bias[b]; });
  return order;
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
  const auto order = order_of(bias);
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
      expect_same(index.search_biased(query, {b}, k, nullptr), brute_force(items, dim, query, k, nullptr, b));
      expect_same(index.search_scan(query, k, &dense, b), brute_force(items, dim, query, k, &dense, b));
      expect_same(index.search_gather(query, k, dense, b), brute_force(items, dim, query, k, &dense, b));
      expect_same(index.search_biased(query, {b}, k, &sparse), brute_force(items, dim, query, k, &sparse, b));
      // In bias order (the walk, which may stop early or fall back).
      for (const Bitmap* a : {static_cast<const Bitmap*>(nullptr), static_cast<const Bitmap*>(&dense),
                              static_cast<const Bitmap*>(&sparse)})
        expect_same(index.search_biased(query, {b, order.data()}, k, a), brute_force(items, dim, query, k, a, b));
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

// A prior shaped like the cold-user one (log share of first events: a steep head, then a long flat tail).
std::vector<float> steep_prior(int32_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> bias(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    const double rank = static_cast<double>(rng.uniform(static_cast<uint64_t>(n)));
    bias[static_cast<size_t>(i)] = static_cast<float>(std::max(-12.0, -2.0 * std::log1p(rank)));
  }
  return bias;
}

// Random items under a steep prior, with the items in prior order.
struct PriorWorld {
  std::vector<float> items;
  ExactIndex index;
  std::vector<float> bias;
  std::vector<int32_t> order;
  PriorWorld(int dim, int32_t n, uint64_t seed)
      : items(random_vectors(n, dim, seed)), index(dim, items.data(), n), bias(steep_prior(n, seed + 1)), order(order_of(bias)) {}
};

TEST(ExactIndex, TheWalkStopsEarlyWhenThePriorDominatesAndStaysExact) {
  const int dim = 32;
  const int32_t n = 20000;
  PriorWorld w(dim, n, 11);
  const auto& [items, index, bias, order] = w;
  const ItemBias prior{bias.data(), order.data()};
  Rng rng(13);
  Bitmap half(n);
  for (int32_t i = 0; i < n; ++i)
    if (rng.bernoulli(0.5)) half.set(i);
  for (int trial = 0; trial < 10; ++trial) {
    // Queries short enough that the prior decides most of the list (|q| * max |e| ~ 3 nats).
    auto q = random_vectors(1, dim, 100 + trial);
    for (auto& x : q) x *= static_cast<float>(3.0 / (std::sqrt(static_cast<double>(dim)) * index.max_norm()));
    for (const Bitmap* a : {static_cast<const Bitmap*>(nullptr), static_cast<const Bitmap*>(&half)}) {
      int32_t walked = -1;
      expect_same(index.search_walk(q.data(), prior, 10, a, &walked), brute_force(items, dim, q.data(), 10, a, bias.data()));
      EXPECT_GT(walked, 0);
      EXPECT_LT(walked, n / 20) << "trial " << trial;
    }
  }
  // A zero query (a cold-user head that was zeroed): the prior alone; the walk ends with the first batch.
  std::vector<float> zero(dim, 0.0f);
  int32_t walked = -1;
  expect_same(index.search_walk(zero.data(), prior, 10, nullptr, &walked), brute_force(items, dim, zero.data(), 10, nullptr, bias.data()));
  EXPECT_LE(walked, 256);
  // A filter that keeps none of the head: the walk goes past it and still returns k allowed items.
  Bitmap tail(n);
  for (int32_t r = 2000; r < n; ++r) tail.set(order[r]);
  expect_same(index.search_walk(zero.data(), prior, 10, &tail, &walked), brute_force(items, dim, zero.data(), 10, &tail, bias.data()));
  EXPECT_EQ(index.search_walk(zero.data(), prior, 0, nullptr).size(), 0u);
  // A query with a NaN bounds nothing: the walk falls back to the full search.
  std::vector<float> bad(dim, 0.0f);
  bad[3] = std::nanf("");
  index.search_walk(bad.data(), prior, 10, nullptr, &walked);
  EXPECT_EQ(walked, n + 1);
}

TEST(ExactIndex, TheWalkFallsBackToTheFullSearchOnAFlatPrior) {
  const int dim = 16;
  const int32_t n = 8000;
  auto items = random_vectors(n, dim, 14);
  ExactIndex index(dim, items.data(), n);
  std::vector<float> bias(static_cast<size_t>(n));
  Rng rng(15);
  for (auto& x : bias) x = static_cast<float>(0.01 * rng.normal());
  const auto order = order_of(bias);
  auto q = random_vectors(1, dim, 16);
  int32_t walked = -1;
  expect_same(index.search_walk(q.data(), {bias.data(), order.data()}, 10, nullptr, &walked),
              brute_force(items, dim, q.data(), 10, nullptr, bias.data()));
  EXPECT_EQ(walked, n + 1);
  // Fewer allowed items than k: every one of them, after the fallback.
  Bitmap few(n);
  for (int32_t i = 0; i < 5; ++i) few.set(i * 997);
  const auto hits = index.search_walk(q.data(), {bias.data(), order.data()}, 10, &few, &walked);
  EXPECT_EQ(hits.size(), 5u);
  expect_same(hits, brute_force(items, dim, q.data(), 10, &few, bias.data()));
}

TEST(ExactIndex, TheWalkSeesAnItemReplacedByALongerVector) {
  const int dim = 16;
  PriorWorld w(dim, 20000, 17);
  auto& [items, index, bias, order] = w;
  std::vector<float> q(dim, 0.0f);
  q[0] = 0.05f;
  // The item with the lowest prior becomes long along the query: only a raised norm bound reaches it.
  const int32_t last = order.back();
  const float before = index.max_norm();
  std::vector<float> v(dim, 0.0f);
  v[0] = 1000.0f;
  index.set(last, v.data());
  EXPECT_GE(index.max_norm(), 1000.0f);
  EXPECT_GT(index.max_norm(), before);
  for (int32_t i = 0; i < dim; ++i) items[static_cast<size_t>(last) * dim + i] = v[i];
  const auto hits = index.search_biased(q.data(), {bias.data(), order.data()}, 5, nullptr);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, last);
  expect_same(hits, brute_force(items, dim, q.data(), 5, nullptr, bias.data()));
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
