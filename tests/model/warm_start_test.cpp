// Warm start: a model for new data starts from an old model's weights, its vocabulary-indexed rows matched
// by name although the new data numbers items, tags, regions, calendar events and categorical values
// differently, adds some and drops others. Each matched row equals the old model's row of the same name,
// each unmatched one keeps the new model's initialisation (Δ = 0 for a new item), every other parameter is
// copied whole, and a different architecture or feature shape is refused with an error naming it.
#include "stars/model/warm_start.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "stars/core/error.h"
#include "stars/model/stars_net.h"

namespace stars::model {
namespace {

using Features = std::vector<std::pair<std::string, std::vector<std::string>>>;  // name, vocabulary

// A model description over the given vocabularies (items with a text vector and tags, event context
// features, numeric and categorical user features).
ModelFiles describe(const std::vector<std::string>& items, const std::vector<std::string>& tags,
                    const std::vector<std::string>& regions, const std::vector<std::string>& calendar,
                    const Features& context, const std::vector<std::string>& numeric, const Features& user_cats) {
  ModelFiles f;
  f.config = model_preset("tiny");
  f.item_ids = items;
  const int32_t n = static_cast<int32_t>(items.size());
  ItemContent& c = f.content;
  c.num_items = n;
  c.text_dim = 4;
  c.source = "semantics";
  c.tag_names = tags;
  for (int32_t i = 0; i < n; ++i) {
    for (int d = 0; d < 4; ++d) c.text.push_back(0.1f * static_cast<float>((i + d) % 5));
    c.tag_ids.push_back(i % static_cast<int32_t>(tags.size()));
    c.tag_offsets.push_back(c.tag_ids.size());
  }
  FeatureSchema& s = f.schema;
  s.num_items = n;
  s.text_dim = 4;
  s.num_tags = static_cast<int32_t>(tags.size());
  s.has_time = true;
  s.has_event_types = true;
  s.num_regions = static_cast<int32_t>(regions.size());
  s.num_calendar_events = static_cast<int32_t>(calendar.size());
  s.user_numeric_names = numeric;
  s.user_numeric_mean.assign(numeric.size(), 0.0f);
  s.user_numeric_std.assign(numeric.size(), 1.0f);
  f.vocab.kept = true;
  f.vocab.regions = regions;
  f.vocab.calendar_events = calendar;
  for (const auto& [name, vocab] : context) {
    s.context_names.push_back(name);
    s.context_sizes.push_back(static_cast<int>(vocab.size()));
    f.vocab.context.push_back(vocab);
  }
  for (const auto& [name, vocab] : user_cats) {
    s.user_categorical_names.push_back(name);
    s.user_categorical_sizes.push_back(static_cast<int>(vocab.size()));
    f.vocab.user_categorical.push_back(vocab);
  }
  return f;
}

// Gives every weight a distinct value (Δ is zero at initialisation), like a trained model's.
void distinct_values(NamedArrays& w) {
  float v = 0.001f;
  for (auto& a : w.arrays)
    for (auto& x : a.data) x += (v += 0.001f);
}

const NamedArray& array(const NamedArrays& w, const std::string& name) {
  const NamedArray* a = w.find(name);
  EXPECT_NE(a, nullptr) << name;
  return *a;
}

// Row r of a (rows, ...) array.
std::vector<float> row(const NamedArray& a, int64_t r) {
  const int64_t width = static_cast<int64_t>(a.data.size()) / a.shape[0];
  return std::vector<float>(a.data.begin() + r * width, a.data.begin() + (r + 1) * width);
}

int64_t at(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) - names.begin();
}

struct Worlds {
  ModelFiles old_files = describe({"a", "b", "c", "d", "e", "f"}, {"x", "y", "z"}, {"", "north", "south"}, {"xmas", "bbq"},
                                  {{"channel", {"", "app", "web"}}, {"device", {"", "ios", "android"}}}, {"age"},
                                  {{"tier", {"", "gold", "silver"}}, {"city", {"", "paris", "rome"}}});
  // Renumbered, with additions (item g, tag w, region east, event halloween, device tv, numeric feature
  // visits, tier platinum, city oslo, user feature age_band) and removals (items d-f, tag y, event xmas,
  // context feature channel, city paris); the features in another order.
  ModelFiles new_files = describe({"c", "a", "g", "b"}, {"z", "w", "x"}, {"", "south", "east", "north"}, {"bbq", "halloween"},
                                  {{"device", {"", "android", "ios", "tv"}}}, {"visits", "age"},
                                  {{"city", {"", "rome", "oslo"}}, {"tier", {"", "silver", "platinum", "gold"}}, {"age_band", {"", "young"}}});
  Worlds() {
    StarsNet old_net(old_files.config, old_files.schema, old_files.content, 1);
    old_files.weights = old_net.state();
    distinct_values(old_files.weights);
  }
};

TEST(WarmStart, MatchesVocabularyRowsByNameAndCopiesTheRest) {
  Worlds w;
  w.old_files.content.text_model = "lsa:fit-a";
  w.new_files.content.text_model = "lsa:fit-b";  // enriched with a new LSA fit
  StarsNet net(w.new_files.config, w.new_files.schema, w.new_files.content, 2);
  const NamedArrays fresh = net.state();
  WarmStartReport report;
  const NamedArrays got = warm_start_weights(fresh, w.new_files, w.old_files, "OLD", &report);
  net.load_state(got);  // loadable as it is
  const NamedArrays& old = w.old_files.weights;

  // Each vocabulary-indexed table: a row of a name the old model knew equals its old row; another keeps
  // the new initialisation.
  struct Table {
    std::string name, from_name;
    std::vector<std::string> to, from;
  };
  const ModelFiles &n = w.new_files, &o = w.old_files;
  auto with_pad = [](std::vector<std::string> v) {
    v.push_back("<pad>");
    return v;
  };
  const std::vector<Table> tables = {
      {"delta.weight", "delta.weight", n.item_ids, o.item_ids},
      {"tag_emb.weight", "tag_emb.weight", with_pad(n.content.tag_names), with_pad(o.content.tag_names)},
      {"region.weight", "region.weight", n.vocab.regions, o.vocab.regions},
      {"ch_region.weight", "ch_region.weight", n.vocab.regions, o.vocab.regions},
      {"cal.weight", "cal.weight", n.vocab.calendar_events, o.vocab.calendar_events},
      {"ch_cal.weight", "ch_cal.weight", n.vocab.calendar_events, o.vocab.calendar_events},
      // Per-feature tables: the old table of the feature of the same name, wherever it was.
      {"ctx.0.weight", "ctx.1.weight", n.vocab.context[0], o.vocab.context[1]},
      {"user_cat.0.weight", "user_cat.1.weight", n.vocab.user_categorical[0], o.vocab.user_categorical[1]},
      {"user_cat.1.weight", "user_cat.0.weight", n.vocab.user_categorical[1], o.vocab.user_categorical[0]},
  };
  for (const Table& t : tables) {
    SCOPED_TRACE(t.name);
    const NamedArray &g = array(got, t.name), &f = array(fresh, t.name), &a = array(old, t.from_name);
    ASSERT_EQ(g.shape[0], static_cast<int64_t>(t.to.size()));
    int matched = 0;
    for (size_t r = 0; r < t.to.size(); ++r) {
      const int64_t src = at(t.from, t.to[r]);
      if (src < static_cast<int64_t>(t.from.size())) {
        EXPECT_EQ(row(g, static_cast<int64_t>(r)), row(a, src)) << "row '" << t.to[r] << "'";
        ++matched;
      } else {
        EXPECT_EQ(row(g, static_cast<int64_t>(r)), row(f, static_cast<int64_t>(r))) << "new row '" << t.to[r] << "'";
      }
    }
    EXPECT_GT(matched, 0);
    EXPECT_LT(matched, static_cast<int>(t.to.size()));  // each table has a new name
  }
  // A feature the old model lacked keeps its initialisation; one the new model lacks is reported unused.
  EXPECT_EQ(array(got, "user_cat.2.weight").data, array(fresh, "user_cat.2.weight").data);
  EXPECT_NE(std::find(report.fresh.begin(), report.fresh.end(),
                      "user_cat.2.weight (values of user feature 'age_band': a new feature)"), report.fresh.end());
  EXPECT_EQ(report.dropped, std::vector<std::string>{"ctx.0.weight"});
  // The new item starts with Δ = 0.
  for (float x : row(array(got, "delta.weight"), 2)) EXPECT_EQ(x, 0.0f);
  // Numeric user features: the columns (value, missing flag) of "age" moved from 0-1 to 2-3; "visits" is new.
  const NamedArray &un = array(got, "user_num.weight"), &uo = array(old, "user_num.weight"), &uf = array(fresh, "user_num.weight");
  for (int64_t d = 0; d < un.shape[0]; ++d) {
    for (int c = 0; c < 2; ++c) {
      EXPECT_EQ(un.data[static_cast<size_t>(d * 4 + 2 + c)], uo.data[static_cast<size_t>(d * 2 + c)]);
      EXPECT_EQ(un.data[static_cast<size_t>(d * 4 + c)], uf.data[static_cast<size_t>(d * 4 + c)]);
    }
  }
  // Everything else is the old model's.
  for (const NamedArray& g : got.arrays) {
    const bool table = std::any_of(tables.begin(), tables.end(), [&](const Table& t) { return t.name == g.name; });
    if (table || g.name == "user_num.weight" || g.name == "user_cat.2.weight") continue;
    EXPECT_EQ(g.data, array(old, g.name).data) << g.name;
  }
  EXPECT_GT(report.copied, 10);
  EXPECT_EQ(report.matched.size(), tables.size() + 2);  // and user_num, ctx_w
  EXPECT_EQ(report.fresh.size(), 1u);
  EXPECT_NE(report.summary().find("delta.weight: 3 of 4 rows (items) matched"), std::string::npos) << report.summary();
  EXPECT_NE(report.summary().find("tag_emb.weight: 2 of 3 rows (tags) matched"), std::string::npos) << report.summary();
  EXPECT_NE(report.summary().find("ctx.0.weight: 3 of 4 rows (values of context feature 'device') matched from ctx.1.weight"),
            std::string::npos) << report.summary();
  EXPECT_NE(report.text_space.find("lsa:fit-b here and from lsa:fit-a in OLD"), std::string::npos) << report.text_space;
}

// The context head's projection has a block of columns per part (hour, day of week, week, region, calendar,
// those the data has): each block comes from the old model's block of the same part.
TEST(WarmStart, ContextHeadColumnsFollowTheirPart) {
  const Features none;
  ModelFiles old_files = describe({"a", "b"}, {"x"}, {""}, {"xmas"}, none, {}, none);  // no regions
  ModelFiles new_files = describe({"a", "b"}, {"x"}, {"", "north"}, {"xmas"}, none, {}, none);
  StarsNet old_net(old_files.config, old_files.schema, old_files.content, 1);
  old_files.weights = old_net.state();
  distinct_values(old_files.weights);
  StarsNet net(new_files.config, new_files.schema, new_files.content, 2);
  const NamedArrays fresh = net.state();
  const NamedArrays got = warm_start_weights(fresh, new_files, old_files, "OLD");
  const NamedArray &g = array(got, "ctx_w.weight"), &o = array(old_files.weights, "ctx_w.weight"), &f = array(fresh, "ctx_w.weight");
  const int64_t dc = new_files.config.d_context, D = g.shape[0];
  ASSERT_EQ(o.shape[1], 4 * dc);  // hour, day of week, week, calendar
  ASSERT_EQ(g.shape[1], 5 * dc);  // hour, day of week, week, region, calendar
  for (int64_t d = 0; d < D; ++d) {
    for (int64_t c = 0; c < dc; ++c) {
      for (int64_t b = 0; b < 3; ++b) EXPECT_EQ(g.data[d * 5 * dc + b * dc + c], o.data[d * 4 * dc + b * dc + c]);
      EXPECT_EQ(g.data[d * 5 * dc + 3 * dc + c], f.data[d * 5 * dc + 3 * dc + c]);  // region: new
      EXPECT_EQ(g.data[d * 5 * dc + 4 * dc + c], o.data[d * 4 * dc + 3 * dc + c]);  // calendar
    }
  }
}

TEST(WarmStart, TheSameDataGivesTheOldWeightsExactly) {
  Worlds w;
  StarsNet net(w.old_files.config, w.old_files.schema, w.old_files.content, 7);
  w.old_files.content.text_model = "lsa:fit-a";
  WarmStartReport report;
  const NamedArrays got = warm_start_weights(net.state(), w.old_files, w.old_files, "OLD", &report);
  for (const NamedArray& g : got.arrays) EXPECT_EQ(g.data, array(w.old_files.weights, g.name).data) << g.name;
  EXPECT_TRUE(report.text_space.empty()) << report.text_space;
}

TEST(WarmStart, RefusesAnotherArchitectureOrFeatureShapeAndOldModelsWithoutVocabularies) {
  Worlds w;
  auto expect_error = [&](ModelFiles to, const ModelFiles& from, const std::string& says) {
    StarsNet net(to.config, to.schema, to.content, 3);
    try {
      warm_start_weights(net.state(), to, from, "OLD");
      ADD_FAILURE() << "no error; expected one saying " << says;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  ModelFiles wider = w.new_files;
  wider.config.d_model *= 2;
  expect_error(wider, w.old_files, "model.d_model is");
  ModelFiles heads = w.new_files;
  heads.config.n_heads = 1;
  expect_error(heads, w.old_files, "model.n_heads is");
  ModelFiles text8 = w.new_files;  // another text embedder's dimension
  text8.content.text_dim = text8.schema.text_dim = 8;
  text8.content.text.assign(static_cast<size_t>(text8.content.num_items) * 8, 0.1f);
  expect_error(text8, w.old_files, "parameter 'delta.weight' is [6, 4] there and [4, 8] here");
  ModelFiles no_vocab = w.old_files;
  no_vocab.vocab = ModelVocab{};
  expect_error(w.new_files, no_vocab, "keeps no vocabularies");
  // Training-only keys may differ.
  ModelFiles dropout = w.new_files;
  dropout.config.dropout = 0.05;
  StarsNet net(dropout.config, dropout.schema, dropout.content, 3);
  EXPECT_NO_THROW(warm_start_weights(net.state(), dropout, w.old_files, "OLD"));
}

}  // namespace
}  // namespace stars::model
