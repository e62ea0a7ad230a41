// Titles, descriptions and tags of synthetic items (see item_text.h).
#include "stars/synth/item_text.h"

#include "stars/core/random.h"

namespace stars::synth {

namespace {

const char* const kSeasonPhrases[kNumSeasons] = {"New Year's Eve", "game day",   "Valentine's Day", "Easter",
                                                 "summer",         "the Fourth of July", "back-to-school season",
                                                 "Halloween",      "Thanksgiving", "the holidays"};

std::string ascii_lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Attribute words of the title: organic and, deterministically, every other text attribute with an even
// index in the item's hash; the rest go to the description.
bool in_title(int32_t item, int a) { return a == 0 || ((static_cast<uint32_t>(item) * 2654435761u >> (a + 3)) & 1u); }

}  // namespace

std::string item_title(const Catalog& c, const Taxonomy& t, int32_t i) {
  const Item& it = c.items[i];
  const SubclassInfo& sub = t.subclasses[it.subclass];
  const AisleInfo& aisle = t.aisles[sub.aisle];
  std::string s = c.brands[it.brand].name;
  for (int a = 0; a < kNumAttributes; ++a) {
    if (((it.text_attributes >> a) & 1u) && in_title(i, a)) {
      s += ' ';
      s += kAttributes[a].text;
    }
  }
  if (it.flavour >= 0) {
    s += ' ';
    s += aisle.flavours[it.flavour].name;
  }
  s += ' ';
  s += sub.name;
  s += ", ";
  s += aisle.sizes[it.size];
  return s;
}

std::string item_description(const Catalog& c, const Taxonomy& t, int32_t i, uint64_t seed) {
  const Item& it = c.items[i];
  const SubclassInfo& sub = t.subclasses[it.subclass];
  const AisleInfo& aisle = t.aisles[sub.aisle];
  const Brand& brand = c.brands[it.brand];
  Rng rng(derive_seed(seed, 0x7E47000000ULL + static_cast<uint64_t>(i)));
  std::string adj = aisle.adjectives[rng.uniform(aisle.adjectives.size())];
  if (brand.tier > 0) adj = (rng.bernoulli(0.5) ? "Premium " : "Artisan ") + adj;
  if (brand.tier < 0) adj = "Great-value " + adj;
  if (!adj.empty() && adj[0] >= 'a' && adj[0] <= 'z') adj[0] = static_cast<char>(adj[0] - 'a' + 'A');
  std::string s = adj + " " + ascii_lower(sub.name);
  if (it.flavour >= 0) {
    const std::string f = ascii_lower(aisle.flavours[it.flavour].name);
    s += (f.find_first_of("aeiou") == 0 ? " with an " : " with a ") + f + " flavor";
  }
  s += " from " + brand.name + ".";
  // Attribute sentence: the text attributes not already in the title.
  std::string attrs;
  int n = 0;
  for (int a = 0; a < kNumAttributes; ++a) {
    if (((it.text_attributes >> a) & 1u) && !in_title(i, a)) {
      attrs += (n == 0 ? "" : ", ");
      attrs += ascii_lower(kAttributes[a].text);
      ++n;
    }
  }
  if (n > 0) {
    attrs[0] = static_cast<char>(attrs[0] - 'a' + 'A');
    s += " " + attrs + ".";
  }
  s += " " + aisle.uses[rng.uniform(aisle.uses.size())];
  if (it.season >= 0) s += std::string(" Limited edition for ") + kSeasonPhrases[it.season] + ".";
  if (brand.home_region >= 0) s += std::string(" Made in ") + kRegionNames[brand.home_region] + ".";
  s += " " + aisle.sizes[it.size] + ".";
  return s;
}

std::string item_tags(const Catalog& c, int32_t i) {
  const Item& it = c.items[i];
  std::string s;
  for (int a = 0; a < kNumAttributes; ++a) {
    if ((it.tag_attributes >> a) & 1u) {
      if (!s.empty()) s += '|';
      s += kAttributes[a].tag;
    }
  }
  if (it.season >= 0) {
    if (!s.empty()) s += '|';
    s += std::string("season:") + kSeasons[it.season].name;
  }
  return s;
}

}  // namespace stars::synth
