// The randomized SVD against a matrix with known singular vectors, and the LSA embedder: determinism,
// save -> load -> identical vectors, normalisation, and that similar items end up close.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "stars/core/error.h"
#include "stars/core/random.h"
#include "stars/semantics/lsa_embedder.h"
#include "stars/semantics/lsa_features.h"
#include "stars/semantics/randomized_svd.h"
#include "test_support.h"

namespace stars::semantics {
namespace {

using testing::make_catalog;
using testing::temp_dir;
using testing::to_item_texts;

// Orthonormal columns (rows, r) by Gram-Schmidt on random vectors.
std::vector<double> random_orthonormal(int rows, int r, Rng& rng) {
  std::vector<double> q(static_cast<size_t>(rows) * r);
  for (int c = 0; c < r; ++c) {
    std::vector<double> v(rows);
    for (auto& x : v) x = rng.normal();
    for (int p = 0; p < c; ++p) {
      double d = 0;
      for (int i = 0; i < rows; ++i) d += v[i] * q[static_cast<size_t>(i) * r + p];
      for (int i = 0; i < rows; ++i) v[i] -= d * q[static_cast<size_t>(i) * r + p];
    }
    double n = 0;
    for (double x : v) n += x * x;
    n = std::sqrt(n);
    for (int i = 0; i < rows; ++i) q[static_cast<size_t>(i) * r + c] = v[i] / n;
  }
  return q;
}

TEST(RandomizedSvd, RecoversKnownSingularValuesAndVectors) {
  const int n = 300, m = 200, r = 6;
  const double sigma[r] = {10, 7, 5, 3, 2, 1};
  Rng rng(3);
  const auto u = random_orthonormal(n, r, rng), v = random_orthonormal(m, r, rng);
  CsrMatrix x;
  x.rows = n;
  x.cols = m;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < m; ++j) {
      double a = 0;
      for (int c = 0; c < r; ++c) a += u[static_cast<size_t>(i) * r + c] * sigma[c] * v[static_cast<size_t>(j) * r + c];
      x.indices.push_back(j);
      x.values.push_back(static_cast<float>(a));
    }
    x.indptr.push_back(x.indices.size());
  }
  const int k = 4;
  const SvdResult s = randomized_svd(x, k, 4, 2, 11, 2);
  ASSERT_EQ(s.rank, k);
  for (int j = 0; j < k; ++j) {
    EXPECT_NEAR(s.singular_values[j], sigma[j], 1e-3 * sigma[j]) << j;
    double dot = 0;
    for (int i = 0; i < m; ++i) dot += s.components[static_cast<size_t>(i) * k + j] * v[static_cast<size_t>(i) * r + j];
    EXPECT_NEAR(std::fabs(dot), 1.0, 1e-4) << "singular vector " << j;
  }
  // Asking for more components than the rank gives zeros past it.
  const SvdResult big = randomized_svd(x, 10, 4, 2, 11, 1);
  EXPECT_EQ(big.rank, r);
  for (int j = r; j < 10; ++j) EXPECT_EQ(big.singular_values[j], 0.0);
  for (int i = 0; i < m; ++i) EXPECT_EQ(big.components[static_cast<size_t>(i) * 10 + 9], 0.0f);
}

TEST(LsaFeatures, BlocksAndCounts) {
  LsaConfig c;
  FeatureExtractor fx(c);
  ItemText it;
  it.title = "milk milk";
  it.category = {"Dairy", "Milk"};
  it.brand = "Acme";
  std::vector<FeatureCount> f;
  fx.extract(it, &f);
  int per_block[kNumFeatureBlocks] = {0, 0, 0, 0, 0};
  float max_count = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    ++per_block[feature_block(f[i].key)];
    max_count = std::max(max_count, f[i].count);
    if (i) {
      EXPECT_LT(f[i - 1].key, f[i].key) << "sorted and unique";
    }
  }
  EXPECT_EQ(per_block[static_cast<int>(FeatureBlock::kTitle)], 2) << "'milk' and 'milk milk'";
  EXPECT_GT(per_block[static_cast<int>(FeatureBlock::kChars)], 0);
  EXPECT_EQ(per_block[static_cast<int>(FeatureBlock::kCategory)], 3) << "2 path prefixes + 1 leaf word";
  EXPECT_EQ(per_block[static_cast<int>(FeatureBlock::kBrand)], 1);
  EXPECT_EQ(per_block[static_cast<int>(FeatureBlock::kDescription)], 0);
  EXPECT_EQ(max_count, 2.0f) << "'milk' twice";
}

class LsaEmbedderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    items_ = to_item_texts(make_catalog(6, 40));
    config_.dim = 16;
  }
  std::vector<float> embed_all(LsaEmbedder& e) {
    std::vector<const ItemText*> p;
    for (const auto& it : items_) p.push_back(&it);
    std::vector<float> out(items_.size() * e.dim());
    e.embed(p, out.data());
    return out;
  }
  std::vector<ItemText> items_;
  LsaConfig config_;
};

TEST_F(LsaEmbedderTest, DeterministicForASeedAndAnyThreadCount) {
  auto a = LsaEmbedder::fit(items_, config_, 1);
  auto b = LsaEmbedder::fit(items_, config_, 2);
  EXPECT_EQ(a->model(), b->model());
  const auto va = embed_all(*a), vb = embed_all(*b);
  ASSERT_EQ(va.size(), vb.size());
  EXPECT_EQ(std::memcmp(va.data(), vb.data(), va.size() * sizeof(float)), 0) << "bitwise identical";
}

TEST_F(LsaEmbedderTest, SampledSvdIsDeterministicAndEmbedsEveryItem) {
  config_.svd_max_items = 100;  // of 240 items
  std::vector<float> fit_vectors;
  auto a = LsaEmbedder::fit(items_, config_, 2, &fit_vectors);
  auto b = LsaEmbedder::fit(items_, config_, 1);
  EXPECT_EQ(a->model(), b->model());
  const auto va = embed_all(*a);
  ASSERT_EQ(va.size(), fit_vectors.size());
  EXPECT_EQ(std::memcmp(va.data(), fit_vectors.data(), va.size() * sizeof(float)), 0) << "fit vectors = embed()";
  config_.svd_max_items = 0;
  auto full = LsaEmbedder::fit(items_, config_, 2);
  EXPECT_NE(full->model(), a->model()) << "the sample changes the projection";
  EXPECT_EQ(full->num_features(), a->num_features()) << "tf-idf statistics come from every item";
}

TEST_F(LsaEmbedderTest, SaveLoadReproducesEveryVector) {
  auto a = LsaEmbedder::fit(items_, config_, 2);
  const std::string path = temp_dir("lsa_reload") + "/lsa.tbl";
  a->save(path);
  auto b = LsaEmbedder::load(path);
  EXPECT_EQ(a->model(), b->model());
  EXPECT_EQ(a->num_features(), b->num_features());
  const auto stored = embed_all(*a);
  std::vector<float> one(b->dim());
  for (size_t i = 0; i < items_.size(); ++i) {
    b->embed_one(items_[i], one.data());
    ASSERT_EQ(std::memcmp(one.data(), stored.data() + i * b->dim(), one.size() * sizeof(float)), 0) << "item " << i;
  }
}

TEST_F(LsaEmbedderTest, UnitVectorsAndZerosWithoutText) {
  auto e = LsaEmbedder::fit(items_, config_, 2);
  const auto v = embed_all(*e);
  for (size_t i = 0; i < items_.size(); ++i) {
    double ss = 0;
    for (int j = 0; j < e->dim(); ++j) ss += v[i * e->dim() + j] * v[i * e->dim() + j];
    EXPECT_NEAR(ss, 1.0, 1e-5) << i;
  }
  std::vector<float> out(e->dim(), 1.0f);
  e->embed_one(ItemText{}, out.data());
  for (float x : out) EXPECT_EQ(x, 0.0f);
  ItemText unknown;
  unknown.title = "zzqx wvvk";
  e->embed_one(unknown, out.data());
  for (float x : out) EXPECT_EQ(x, 0.0f) << "no known feature: zeros, not NaN";
}

TEST_F(LsaEmbedderTest, ItemsOfTheSameGroupAreNearestNeighbours) {
  auto e = LsaEmbedder::fit(items_, config_, 2);
  const auto v = embed_all(*e);
  const int d = e->dim();
  int same = 0, total = 0;
  for (size_t i = 0; i < items_.size(); ++i) {
    double best = -2;
    size_t arg = 0;
    for (size_t j = 0; j < items_.size(); ++j) {
      if (j == i) continue;
      double s = 0;
      for (int c = 0; c < d; ++c) s += v[i * d + c] * v[j * d + c];
      if (s > best) best = s, arg = j;
    }
    same += items_[i].category == items_[arg].category ? 1 : 0;
    ++total;
  }
  EXPECT_GT(same, total * 9 / 10) << same << " of " << total << " nearest neighbours share the group (random: 1/6)";
}

TEST_F(LsaEmbedderTest, CorruptModelFileIsReported) {
  auto e = LsaEmbedder::fit(items_, config_, 1);
  const std::string path = temp_dir("lsa_corrupt") + "/lsa.tbl";
  e->save(path);
  {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 0, SEEK_END);
    std::fseek(f, std::ftell(f) / 2, SEEK_SET);  // inside the projection matrix
    const int c = std::fgetc(f);
    std::fseek(f, -1, SEEK_CUR);
    std::fputc(c ^ 0x5a, f);
    std::fclose(f);
  }
  try {
    LsaEmbedder::load(path);
    FAIL() << "a flipped byte must be detected";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find(path), std::string::npos) << err.what();
  }
}

}  // namespace
}  // namespace stars::semantics
