// Text normalisation, the pattern matcher, the tag vocabulary format, the rule tagger and tag assembly.
#include <gtest/gtest.h>

#include <algorithm>

#include "stars/core/error.h"
#include "stars/semantics/item_tagger.h"
#include "stars/semantics/phrase_matcher.h"
#include "stars/semantics/rule_tagger.h"
#include "stars/semantics/tag_vocabulary.h"
#include "stars/semantics/text_tokens.h"

namespace stars::semantics {
namespace {

std::vector<std::string> names(const TagVocabulary& v, const std::vector<int32_t>& ids) {
  std::vector<std::string> out;
  for (int32_t i : ids) out.push_back(v.tags()[i].name);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(TextTokens, NormalisesCasePunctuationAndApostrophes) {
  EXPECT_EQ(normalize_text("  Sugar-FREE, Women's  SPF30!"), "sugar free womens spf30");
  EXPECT_EQ(normalize_text("Crème brûlée"), "crème brûlée");
  EXPECT_EQ(truncate_utf8("héllo", 2), "h") << "never cuts inside a UTF-8 sequence";
  EXPECT_EQ(truncate_utf8("héllo", 3), "hé");
}

TEST(PhraseMatcher, LiteralPrefixNumberAndAnyWord) {
  PhraseMatcher m;
  m.add("gluten free", 0, "t");
  m.add("spf #", 1, "t");
  m.add("waterproof*", 2, "t");
  m.add("pack of ? cans", 3, "t");
  auto find = [&](const std::string& text) {
    WordTokens t;
    t.add(text);
    std::vector<int32_t> labels;
    m.find(t, &labels);
    std::sort(labels.begin(), labels.end());
    return labels;
  };
  EXPECT_EQ(find("Gluten-Free Pasta"), std::vector<int32_t>({0}));
  EXPECT_EQ(find("gluten pasta free"), std::vector<int32_t>());
  EXPECT_EQ(find("Sunscreen SPF 50"), std::vector<int32_t>({1}));
  EXPECT_EQ(find("SPF high"), std::vector<int32_t>());
  EXPECT_EQ(find("Waterproofing spray"), std::vector<int32_t>({2}));
  EXPECT_EQ(find("pack of 12 cans"), std::vector<int32_t>({3}));
  EXPECT_THROW(m.add("# ?", 4, "x.tags:3"), Error) << "a pattern needs a word";
  try {
    m.add("  ", 4, "x.tags:3");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.tags:3"), std::string::npos) << e.what();
  }
}

TEST(TagVocabulary, ParsesTheFileFormat) {
  const auto v = TagVocabulary::parse(
      "# comment\n@name shop\n@version 7\n"
      "organic = usda organic | !non organic\n"
      "spf = spf* | sunscreen ; scope = Beauty | Skin Care\n"
      "vegan\n",
      "shop.tags");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v.tags()[0].name, "organic");
  EXPECT_EQ(v.tags()[0].patterns, std::vector<std::string>({"usda organic"}));
  EXPECT_EQ(v.tags()[0].excludes, std::vector<std::string>({"non organic"}));
  EXPECT_EQ(v.tags()[1].scope, std::vector<std::string>({"Beauty", "Skin Care"}));
  EXPECT_EQ(v.tags()[1].source, "shop.tags:5");
  EXPECT_EQ(v.version().substr(0, 7), "shop@7#");
  EXPECT_EQ(v.find("Sunscreen"), std::optional<int32_t>(1)) << "literal synonyms map onto the tag";
  EXPECT_EQ(v.find("VEGAN"), std::optional<int32_t>(2));
  EXPECT_FALSE(v.find("spf 30").has_value()) << "wildcard patterns are not names";
  const auto again = TagVocabulary::parse(v.to_text(), "copy.tags");
  ASSERT_EQ(again.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(again.tags()[i].name, v.tags()[i].name);
    EXPECT_EQ(again.tags()[i].patterns, v.tags()[i].patterns);
    EXPECT_EQ(again.tags()[i].excludes, v.tags()[i].excludes);
    EXPECT_EQ(again.tags()[i].scope, v.tags()[i].scope);
  }
}

TEST(TagVocabulary, ErrorsNameFileAndLine) {
  try {
    TagVocabulary::parse("ok\n\nbad = a ; color = red\n", "mine.tags");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mine.tags:3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(TagVocabulary::parse("@frobnicate 1\n", "x.tags"), Error);
  EXPECT_THROW(TagVocabulary::parse(" = a | b\n", "x.tags"), Error);
  EXPECT_THROW(TagVocabulary::parse("x = !\n", "x.tags"), Error);
  EXPECT_THROW(TagVocabulary::builtin("no-such-vocabulary"), Error);
}

TEST(TagVocabulary, MergeUnitesPatternsAndWidensScope) {
  auto a = TagVocabulary::parse("waterproof = water resistant ; scope = Beauty\n", "a.tags");
  a.merge(TagVocabulary::parse("waterproof = water proof\nbreathable\n", "b.tags"));
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.tags()[0].patterns, std::vector<std::string>({"water resistant", "water proof"}));
  EXPECT_TRUE(a.tags()[0].scope.empty()) << "a definition without scope applies everywhere";
}

TEST(TagVocabulary, BuiltinsParseAndCoverTheIssueTags) {
  TagVocabulary all;
  for (const auto& n : TagVocabulary::builtin_names()) all.merge(TagVocabulary::builtin(n));
  for (const char* t : {"organic", "vegan", "gluten-free", "sugar-free", "fragrance-free", "spf", "waterproof"})
    EXPECT_TRUE(all.find(t).has_value()) << t;
  EXPECT_GE(TagVocabulary::builtin_names().size(), 3u);
}

TEST(RuleTagger, MatchesVetoesAndScopes) {
  RuleTagger tagger(TagVocabulary::parse(
      "organic = usda organic | !non organic\n"
      "spf = spf* | sunscreen ; scope = Skin Care\n"
      "gluten-free = gluten free | no gluten\n",
      "t.tags"));
  const auto& v = tagger.vocabulary();
  ItemText a;
  a.title = "USDA Organic Gluten-Free Oats";
  EXPECT_EQ(names(v, tagger.match(a)), std::vector<std::string>({"gluten-free", "organic"}));
  ItemText b;
  b.title = "Non-Organic Apples";
  EXPECT_TRUE(tagger.match(b).empty()) << "the veto pattern removes organic";
  ItemText c;
  c.title = "Daily Lotion SPF30";
  c.category = {"Beauty", "Skin Care", "Face"};
  EXPECT_EQ(names(v, tagger.match(c)), std::vector<std::string>({"spf"}));
  c.category = {"Grocery", "Spices"};
  EXPECT_TRUE(tagger.match(c).empty()) << "out of scope";
  c.category.clear();
  EXPECT_EQ(names(v, tagger.match(c)), std::vector<std::string>({"spf"})) << "no category: no restriction";
  ItemText d;
  d.title = "Bread";
  d.tags = {"No Gluten"};
  EXPECT_EQ(names(v, tagger.match(d)), std::vector<std::string>({"gluten-free"})) << "input tags are matched too";
  ItemText e;
  e.title = "gluten";
  e.description = "free delivery";
  EXPECT_TRUE(tagger.match(e).empty()) << "a phrase never spans two fields";
}

TEST(ItemTagger, MergesVocabularyInputBrandAndCategoryTags) {
  TagConfig cfg;
  cfg.category_tag_depth = 2;
  ItemTagger tagger(TagVocabulary::parse("vegan = plant based\n", "t.tags"), cfg);
  ItemText it;
  it.title = "Plant-Based Burger";
  it.brand = "Beyond";
  it.category = {"Frozen", "Meat Alternatives", "Burgers"};
  it.tags = {"Vegan", "genre:Action", " "};
  EXPECT_EQ(tagger.tags(it, nullptr),
            std::vector<std::string>({"brand:Beyond", "category:Frozen", "category:Frozen > Meat Alternatives", "genre:Action",
                                      "vegan"}));
  cfg.tagger = "none";
  cfg.brand_tags = false;
  cfg.category_tags = false;
  cfg.keep_input_tags = false;
  ItemTagger off(TagVocabulary::parse("vegan = plant based\n", "t.tags"), cfg);
  EXPECT_TRUE(off.tags(it, nullptr).empty());
  const std::vector<int32_t> llm = {0};
  EXPECT_EQ(off.tags(it, &llm), std::vector<std::string>({"vegan"})) << "LLM tags are added by index";
}

TEST(ItemTagger, DefaultVocabularyTagsRealTitles) {
  TagConfig cfg;
  cfg.brand_tags = cfg.category_tags = cfg.keep_input_tags = false;
  ItemTagger tagger(load_configured_vocabulary(cfg), cfg);
  auto tags_of = [&](const std::string& title) {
    ItemText it;
    it.title = title;
    return tagger.tags(it, nullptr);
  };
  auto has = [](const std::vector<std::string>& v, const std::string& t) { return std::find(v.begin(), v.end(), t) != v.end(); };
  EXPECT_TRUE(has(tags_of("Neutrogena Ultra Sheer Dry-Touch Sunscreen, Broad Spectrum SPF 55"), "spf"));
  EXPECT_TRUE(has(tags_of("Maybelline Great Lash Waterproof Mascara"), "waterproof"));
  EXPECT_TRUE(has(tags_of("Vanicream Moisturizing Skin Cream, Fragrance Free"), "fragrance-free"));
  EXPECT_TRUE(has(tags_of("Bob's Red Mill Gluten Free Oats"), "gluten-free"));
  EXPECT_TRUE(has(tags_of("Sugar-Free Vanilla Syrup"), "sugar-free"));
  EXPECT_FALSE(has(tags_of("Natural and Artificial Flavors Gummies"), "natural"));
}

}  // namespace
}  // namespace stars::semantics
