// SynthConfig validation and overrides, the vocabulary's consistency, degenerate sizes and bad output paths.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/synth/alias_table.h"
#include "stars/synth/generator.h"
#include "stars/synth/taxonomy.h"
#include "stars/synth/world.h"
#include "test_world.h"

namespace stars::synth {
namespace {

std::string error_of(const SynthConfig& c) {
  try {
    c.validate();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    return e.what();
  }
  return "";
}

TEST(SynthConfig, DefaultsAreValidAndBadValuesNameTheField) {
  EXPECT_EQ(error_of(SynthConfig()), "");
  struct Case {
    const char* set;
    const char* field;
  } cases[] = {{"users=0", "users"},
               {"items=-3", "items"},
               {"days=0", "days"},
               {"regions=13", "regions"},
               {"start_date=2024-13-01", "start_date"},
               {"catalog.items_per_subclass=0", "catalog.items_per_subclass"},
               {"catalog.cold_start_fraction=0.95", "catalog.cold_start_fraction"},
               {"population.feature_strength=1.5", "population.feature_strength"},
               {"session.per_day=0", "session.per_day"},
               {"page.size=0", "page.size"},
               {"page.no_click_rate=1", "page.no_click_rate"},
               {"page.logged_rate=0", "page.logged_rate"},
               {"funnel.log=everything", "funnel.log"},
               {"funnel.cart_rate=1", "funnel.cart_rate"},
               {"choice.temperature=0", "choice.temperature"},
               {"context.promo_campaigns=201", "context.promo_campaigns"}};
  for (const auto& c : cases) {
    SynthConfig cfg;
    config_apply_set(cfg, c.set);
    const std::string msg = error_of(cfg);
    EXPECT_NE(msg.find(c.field), std::string::npos) << c.set << " gave: " << msg;
  }
}

TEST(SynthConfig, SetAndJsonRoundTripAndUnknownKeys) {
  SynthConfig a;
  config_apply_set(a, "page.size=8");
  config_apply_set(a, "funnel.log=full");
  config_apply_set(a, "seed=7");
  EXPECT_THROW(config_apply_set(a, "page.sise=8"), Error);
  EXPECT_THROW(config_apply_set(a, "nonsense=1"), Error);
  EXPECT_THROW(config_apply_set(a, "page.size=big"), Error);
  SynthConfig b;
  config_from_json(JsonObject::parse(config_to_json(a).dump(), "t"), b, "config");
  EXPECT_EQ(b.page.size, 8);
  EXPECT_EQ(b.funnel.log, "full");
  EXPECT_EQ(b.seed, 7u);
  EXPECT_THROW(config_from_json(JsonObject::parse(R"({"page": {"colour": 1}})", "t"), b, "config"), Error);
}

TEST(SynthVocabulary, FullTaxonomyIsConsistent) {
  const int n = Taxonomy::vocabulary_subclasses();
  EXPECT_GT(n, 200);
  const Taxonomy t = Taxonomy::build(n, 1);
  ASSERT_EQ(static_cast<int>(t.subclasses.size()), n);
  std::set<std::string> names;
  for (const auto& s : t.subclasses) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    // The category path's leaf is the subclass; its middle is its aisle.
    EXPECT_EQ(s.path.substr(s.path.rfind(" > ") + 3), s.name);
    EXPECT_NE(s.path.find(" > " + t.aisles[s.aisle].name + " > "), std::string::npos) << s.path;
  }
  // With every subclass present, every recipe keeps all its ingredients.
  EXPECT_EQ(t.recipes.size(), recipe_defs().size());
  for (const auto& r : t.recipes) {
    EXPECT_EQ(r.steps.size(), split_bar(recipe_defs()[&r - &t.recipes[0]].steps).size()) << r.name;
    EXPECT_NE(r.slot_mask, 0u) << r.name;
  }
  // A small catalog keeps recipe ingredients first, so recipes stay cookable.
  const Taxonomy small = Taxonomy::build(40, 1);
  EXPECT_EQ(small.subclasses.size(), 40u);
  EXPECT_GE(small.recipes.size(), 10u);
}

TEST(SynthAliasTable, DrawsFollowWeights) {
  AliasTable t({1.0, 0.0, 3.0, 4.0});
  Rng rng(3);
  int counts[4] = {};
  for (int i = 0; i < 80000; ++i) counts[t.draw(rng)]++;
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[0] / 80000.0, 0.125, 0.01);
  EXPECT_NEAR(counts[2] / 80000.0, 0.375, 0.01);
  EXPECT_NEAR(counts[3] / 80000.0, 0.5, 0.01);
  EXPECT_THROW(AliasTable({0.0, 0.0}), Error);
}

TEST(SynthWorld, DegenerateSizesDoNotCrash) {
  const char* sets[][4] = {{"users=1", "items=1", "days=1", "regions=1"},
                           {"users=5", "items=3", "days=2", "page.size=1"},
                           {"users=20", "items=40", "days=3", "context.promo_campaigns=0"},
                           {"users=20", "items=60", "days=400", "context.hour_strength=0"},
                           {"users=10", "items=30", "days=10", "funnel.log=full"},
                           {"users=10", "items=30", "start_date=2023-12-20", "catalog.cold_start_fraction=0.9"}};
  int k = 0;
  for (const auto& s : sets) {
    SynthConfig c;
    for (const char* kv : s) config_apply_set(c, kv);
    const std::string dir = testing::temp_dir("degenerate" + std::to_string(k++));
    const SynthSummary sum = write_world(c, dir, false);
    EXPECT_EQ(sum.counts.users, c.users);
    EXPECT_EQ(sum.items, c.items);
    testing::CsvTable events;
    EXPECT_TRUE(testing::read_csv(dir + "/events.csv", &events));
    EXPECT_EQ(static_cast<int64_t>(events.rows.size()), sum.counts.events);
  }
}

TEST(SynthWorld, BadConfigAndUnwritableOutputAreErrors) {
  SynthConfig c;
  c.users = 0;
  EXPECT_THROW(write_world(c, testing::temp_dir("bad"), false), Error);
  // A regular file where the folder should be.
  const std::string file = testing::temp_dir("not_a_folder");
  std::ofstream(file) << "x";
  SynthConfig ok;
  ok.users = 5;
  ok.items = 20;
  try {
    write_world(ok, file, false);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace stars::synth
