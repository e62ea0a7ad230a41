// Parsing of the vocabulary's taxonomy and recipes, and the seeded choice of subclasses (see taxonomy.h).
#include "stars/synth/taxonomy.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "stars/core/error.h"
#include "stars/core/random.h"

namespace stars::synth {

std::vector<std::string> split_bar(const char* s) {
  std::vector<std::string> out;
  std::string cur;
  if (s == nullptr || *s == '\0') return out;
  for (const char* p = s;; ++p) {
    if (*p == '|' || *p == '\0') {
      out.push_back(cur);
      cur.clear();
      if (*p == '\0') break;
    } else {
      cur += *p;
    }
  }
  return out;
}

namespace {

struct RawSubclass {
  std::string name;
  int aisle_def;
  uint32_t forced = 0;
  int season = -1;
};

// "Name@attr@attr#season" -> parts.
RawSubclass parse_subclass(const std::string& text, int aisle_def) {
  RawSubclass r;
  r.aisle_def = aisle_def;
  size_t end = text.find_first_of("@#");
  r.name = text.substr(0, end);
  while (end != std::string::npos) {
    const char kind = text[end];
    size_t next = text.find_first_of("@#", end + 1);
    const std::string value = text.substr(end + 1, next == std::string::npos ? std::string::npos : next - end - 1);
    if (kind == '@') {
      const int a = attribute_index(value);
      STARS_CHECK(a >= 0, "vocabulary: unknown attribute '" << value << "' in subclass '" << text << "'");
      r.forced |= 1u << a;
    } else {
      r.season = season_index(value);
      STARS_CHECK(r.season >= 0, "vocabulary: unknown season '" << value << "' in subclass '" << text << "'");
    }
    end = next;
  }
  return r;
}

Flavour parse_flavour(const std::string& text) {
  Flavour f;
  const size_t colon = text.find(':');
  STARS_CHECK(colon != std::string::npos, "vocabulary: flavour '" << text << "' lacks ':family'");
  f.name = text.substr(0, colon);
  const size_t hash = text.find('#', colon);
  const std::string family = text.substr(colon + 1, hash == std::string::npos ? std::string::npos : hash - colon - 1);
  f.family = flavour_family_index(family);
  STARS_CHECK(f.family >= 0, "vocabulary: unknown flavour family in '" << text << "'");
  if (hash != std::string::npos) {
    f.season = season_index(text.substr(hash + 1));
    STARS_CHECK(f.season >= 0, "vocabulary: unknown season in flavour '" << text << "'");
  }
  return f;
}

std::vector<RawSubclass> all_subclasses() {
  std::vector<RawSubclass> out;
  const auto& defs = aisle_defs();
  for (size_t a = 0; a < defs.size(); ++a) {
    for (const auto& s : split_bar(defs[a].subclasses)) out.push_back(parse_subclass(s, static_cast<int>(a)));
  }
  return out;
}

}  // namespace

int Taxonomy::vocabulary_subclasses() { return static_cast<int>(all_subclasses().size()); }

int Taxonomy::find_subclass(const std::string& name) const {
  for (size_t i = 0; i < subclasses.size(); ++i) {
    if (subclasses[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Taxonomy Taxonomy::build(int n_subclasses, uint64_t seed, uint32_t seasons_in_range) {
  const auto& defs = aisle_defs();
  std::vector<RawSubclass> raw = all_subclasses();
  std::map<std::string, int> raw_index;
  for (size_t i = 0; i < raw.size(); ++i) {
    STARS_CHECK(raw_index.emplace(raw[i].name, static_cast<int>(i)).second,
                "vocabulary: subclass name '" << raw[i].name << "' is not unique");
  }
  // Priority: ingredients of several recipes and products of the seasons the timeline reaches first, then
  // ingredients of one recipe, then the rest, then products of other seasons; seeded shuffle per tier.
  std::vector<int> refs(raw.size(), 0);
  for (const auto& r : recipe_defs()) {
    for (const auto& step : split_bar(r.steps)) {
      auto it = raw_index.find(step);
      STARS_CHECK(it != raw_index.end(), "vocabulary: recipe '" << r.name << "' uses unknown subclass '" << step << "'");
      refs[it->second]++;
    }
  }
  std::vector<std::vector<int>> tiers(4);
  for (size_t i = 0; i < raw.size(); ++i) {
    int tier = refs[i] >= 2 ? 0 : refs[i] == 1 ? 1 : 2;
    if (raw[i].season >= 0) tier = ((seasons_in_range >> raw[i].season) & 1u) ? 0 : 3;
    tiers[tier].push_back(static_cast<int>(i));
  }
  Rng rng(derive_seed(seed, 0x7A5));
  std::vector<int> order;
  for (auto& t : tiers) {
    for (size_t i = t.size(); i > 1; --i) std::swap(t[i - 1], t[rng.uniform(i)]);
    order.insert(order.end(), t.begin(), t.end());
  }
  const size_t keep = std::min(raw.size(), static_cast<size_t>(std::max(1, n_subclasses)));
  std::vector<int> chosen(order.begin(), order.begin() + keep);
  std::sort(chosen.begin(), chosen.end());  // vocabulary order

  Taxonomy t;
  std::map<std::string, int> dept_index;
  std::map<int, int> aisle_index;  // aisle def -> dense aisle
  for (int r : chosen) {
    const RawSubclass& rs = raw[r];
    const AisleDef& ad = defs[rs.aisle_def];
    auto dit = dept_index.find(ad.department);
    if (dit == dept_index.end()) {
      dit = dept_index.emplace(ad.department, static_cast<int>(t.departments.size())).first;
      t.departments.push_back(ad.department);
    }
    auto ait = aisle_index.find(rs.aisle_def);
    if (ait == aisle_index.end()) {
      ait = aisle_index.emplace(rs.aisle_def, static_cast<int>(t.aisles.size())).first;
      AisleInfo a;
      a.name = ad.aisle;
      a.department = dit->second;
      for (const auto& th : split_bar(ad.themes)) {
        const int k = theme_index(th);
        STARS_CHECK(k >= 0, "vocabulary: unknown theme '" << th << "' in aisle " << ad.aisle);
        a.themes.push_back(k);
      }
      for (const auto& f : split_bar(ad.flavours)) a.flavours.push_back(parse_flavour(f));
      a.sizes = split_bar(ad.sizes);
      STARS_CHECK(!a.sizes.empty(), "vocabulary: aisle " << ad.aisle << " has no sizes");
      a.price_lo = ad.price_lo;
      a.price_hi = ad.price_hi;
      for (const auto& at : split_bar(ad.attributes)) {
        const int k = attribute_index(at);
        STARS_CHECK(k >= 0, "vocabulary: unknown attribute '" << at << "' in aisle " << ad.aisle);
        a.attribute_mask |= 1u << k;
      }
      a.adjectives = split_bar(ad.adjectives);
      a.uses = split_bar(ad.uses);
      STARS_CHECK(!a.adjectives.empty() && !a.uses.empty(), "vocabulary: aisle " << ad.aisle << " lacks words");
      for (int s = 0; s < kNumSlots; ++s) {
        double log_sum = 0;
        for (int th : a.themes) log_sum += std::log(kThemeSlotAffinity[th][s]);
        a.slot_affinity[s] = static_cast<float>(std::exp(log_sum / std::max<size_t>(1, a.themes.size())));
      }
      t.aisles.push_back(std::move(a));
    }
    SubclassInfo s;
    s.name = rs.name;
    s.aisle = ait->second;
    s.department = dit->second;
    s.path = std::string(ad.department) + " > " + ad.aisle + " > " + rs.name;
    s.forced_attributes = rs.forced;
    s.season = rs.season;
    t.aisles[s.aisle].subclasses.push_back(static_cast<int>(t.subclasses.size()));
    t.subclasses.push_back(std::move(s));
  }

  for (size_t i = 0; i < t.subclasses.size(); ++i) {
    SubclassInfo& s = t.subclasses[i];
    for (int o : t.aisles[s.aisle].subclasses) {
      if (o != static_cast<int>(i)) s.siblings.push_back(o);
    }
    for (size_t o = 0; s.siblings.empty() && o < t.subclasses.size(); ++o) {
      if (o != i && t.subclasses[o].department == s.department) s.siblings.push_back(static_cast<int>(o));
    }
  }

  for (const auto& rd : recipe_defs()) {
    RecipeInfo r;
    r.name = rd.name;
    for (const auto& step : split_bar(rd.steps)) {
      const int s = t.find_subclass(step);
      if (s >= 0) r.steps.push_back(s);
    }
    if (r.steps.size() < 2) continue;
    for (const auto& sl : split_bar(rd.slots)) {
      const int k = slot_index(sl);
      STARS_CHECK(k >= 0, "vocabulary: unknown slot '" << sl << "' in recipe " << rd.name);
      r.slot_mask |= 1u << k;
    }
    for (const auto& th : split_bar(rd.themes)) {
      const int k = theme_index(th);
      STARS_CHECK(k >= 0, "vocabulary: unknown theme '" << th << "' in recipe " << rd.name);
      r.themes.push_back(k);
    }
    if (rd.season[0] != '\0') {
      r.season = season_index(rd.season);
      STARS_CHECK(r.season >= 0, "vocabulary: unknown season in recipe " << rd.name);
    }
    r.weekend = rd.weekend;
    t.recipes.push_back(std::move(r));
  }
  return t;
}

}  // namespace stars::synth
