// Integration: `stars enrich` with the built-in provider on every dataset in ../shared/data (prepared by
// `stars prepare`): every item gets a unit text vector and its input tags, a re-run recomputes nothing,
// the encoder reproduces stored vectors, and on amazon-beauty nearest text neighbours share an Amazon
// attribute far more often than random pairs. Skips when the data is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "stars/core/mmap_file.h"
#include "stars/core/random.h"
#include "stars/core/strings.h"
#include "stars/data/dataset.h"
#include "stars/data/prepare.h"
#include "stars/semantics/enrich_pipeline.h"
#include "stars/semantics/item_semantics.h"
#include "stars/semantics/semantic_encoder.h"
#include "test_support.h"

namespace stars::semantics {
namespace {

class SharedEnrich : public ::testing::TestWithParam<const char*> {};

TEST_P(SharedEnrich, EnrichesEveryItem) {
  const std::string name = GetParam();
  const std::string in = std::string(STARS_SHARED_DATA_DIR) + "/" + name;
  if (!is_directory(in)) GTEST_SKIP() << in << " is absent";
  const std::string dir = testing::temp_dir("shared_" + name);
  data::PrepareRequest req;
  req.input = in;
  req.out = dir;
  data::prepare_dataset(req);
  auto ds = data::Dataset::open(dir);

  EnrichConfig config;
  const EnrichReport r = run_enrich(dir, config);
  EXPECT_EQ(r.num_items, ds->num_items());
  EXPECT_EQ(r.items_with_text, r.num_items);
  EXPECT_EQ(r.items_with_tags, r.num_items) << "every item keeps its input tags";
  const ItemSemantics s = load_item_semantics(dir);
  for (int32_t i = 0; i < s.num_items; ++i) {
    double ss = 0;
    for (float x : s.vector(i)) ss += x * x;
    ASSERT_NEAR(ss, 1.0, 1e-4) << name << " item " << i;
  }
  const EnrichReport again = run_enrich(dir, config);
  EXPECT_FALSE(again.fitted);
  EXPECT_EQ(again.vectors_reused, again.num_items);

  auto enc = SemanticEncoder::load(dir + "/semantics");
  for (int32_t i = 0; i < s.num_items; i += std::max(1, s.num_items / 200)) {
    const auto v = enc->embed(item_text_from_dataset(*ds, i));
    ASSERT_EQ(std::memcmp(v.data(), s.vector(i).data(), s.dim * sizeof(float)), 0) << name << " item " << i;
  }

  if (name == "amazon-beauty") {
    // Nearest neighbours of 500 items against all: share of the 10 nearest that share an "attr:" tag,
    // against random partners.
    std::vector<std::vector<int32_t>> attrs(s.num_items);
    for (int32_t i = 0; i < s.num_items; ++i) {
      for (int32_t t : ds->item_tags(i))
        if (starts_with(ds->tag_names()[t], "attr:")) attrs[i].push_back(t);
      std::sort(attrs[i].begin(), attrs[i].end());
    }
    auto share = [&](int32_t a, int32_t b) {
      std::vector<int32_t> o;
      std::set_intersection(attrs[a].begin(), attrs[a].end(), attrs[b].begin(), attrs[b].end(), std::back_inserter(o));
      return !o.empty();
    };
    Rng rng(5);
    double nn_share = 0, rnd_share = 0, count = 0;
    std::vector<std::pair<float, int32_t>> sims(s.num_items);
    for (int q = 0; q < 500; ++q) {
      const int32_t i = static_cast<int32_t>(rng.uniform(s.num_items));
      for (int32_t j = 0; j < s.num_items; ++j) {
        float d = 0;
        for (int c = 0; c < s.dim; ++c) d += s.vector(i)[c] * s.vector(j)[c];
        sims[j] = {j == i ? -2.0f : d, j};
      }
      std::partial_sort(sims.begin(), sims.begin() + 10, sims.end(), [](auto a, auto b) { return a.first > b.first; });
      for (int k = 0; k < 10; ++k) {
        nn_share += share(i, sims[k].second);
        rnd_share += share(i, static_cast<int32_t>(rng.uniform(s.num_items)));
        ++count;
      }
    }
    nn_share /= count;
    rnd_share /= count;
    std::printf("amazon-beauty: 10-NN share an attribute %.3f, random %.3f\n", nn_share, rnd_share);
    EXPECT_GT(nn_share, 2.5 * rnd_share);
    EXPECT_GT(nn_share, 0.7);
  }
}

INSTANTIATE_TEST_SUITE_P(SharedData, SharedEnrich, ::testing::Values("ml-100k", "amazon-beauty", "amazon-sports"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace stars::semantics
