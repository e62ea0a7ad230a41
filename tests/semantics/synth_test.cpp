// Integration: `stars synth` -> `stars prepare` -> `stars enrich` with the built-in provider. Items of the
// synthetic grocery world have titles, descriptions, category paths and brands; their nearest text
// neighbours must lie in the same subclass far more often than random pairs, every item must get tags,
// and the grocery vocabulary must tag a good share of them.
#include <gtest/gtest.h>

#include <cmath>

#include "stars/data/dataset.h"
#include "stars/data/prepare.h"
#include "stars/semantics/enrich_pipeline.h"
#include "stars/semantics/item_semantics.h"
#include "stars/synth/generator.h"
#include "test_support.h"

namespace stars::semantics {
namespace {

TEST(SynthEnrich, NeighboursShareTheSubclass) {
  const std::string raw = testing::temp_dir("synth_raw"), dir = testing::temp_dir("synth_ds");
  synth::SynthConfig sc;
  sc.users = 300;
  sc.items = 800;
  sc.days = 14;
  sc.truth = false;
  synth::write_world(sc, raw, false);
  data::PrepareRequest req;
  req.input = raw;
  req.out = dir;
  data::prepare_dataset(req);
  auto ds = data::Dataset::open(dir);

  const EnrichReport r = run_enrich(dir, EnrichConfig{});
  EXPECT_EQ(r.num_items, ds->num_items());
  EXPECT_EQ(r.items_with_tags, r.num_items);
  EXPECT_GT(r.items_with_vocabulary_tags, r.num_items / 3) << "grocery claims (organic, gluten-free, ...) are found";
  const ItemSemantics s = load_item_semantics(dir);
  int64_t same = 0, total = 0, pairs_same = 0, pairs = 0;
  for (int32_t i = 0; i < s.num_items; ++i) {
    std::vector<std::pair<float, int32_t>> sims;
    for (int32_t j = 0; j < s.num_items; ++j) {
      if (j == i) continue;
      float d = 0;
      for (int c = 0; c < s.dim; ++c) d += s.vector(i)[c] * s.vector(j)[c];
      sims.emplace_back(d, j);
      pairs_same += ds->item_subclass(i) == ds->item_subclass(j);
      ++pairs;
    }
    std::partial_sort(sims.begin(), sims.begin() + 10, sims.end(), [](auto a, auto b) { return a.first > b.first; });
    for (int k = 0; k < 10; ++k) same += ds->item_subclass(sims[k].second) == ds->item_subclass(i);
    total += 10;
  }
  const double nn = static_cast<double>(same) / total, rnd = static_cast<double>(pairs_same) / pairs;
  std::printf("synth: 10-NN in the same subclass %.3f, random %.3f\n", nn, rnd);
  EXPECT_GT(nn, 10 * rnd);
}

}  // namespace
}  // namespace stars::semantics
