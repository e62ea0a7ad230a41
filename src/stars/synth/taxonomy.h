// The department > aisle > subclass taxonomy of one synthetic world, parsed from the vocabulary and cut to
// the number of subclasses the catalog size calls for (recipe ingredients first), plus the recipes that
// can be cooked from the chosen subclasses. Subclass names are unique, so a category path's leaf names it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/synth/vocabulary.h"

namespace stars::synth {

struct Flavour {
  std::string name;
  int family = 0;   // index into kFlavourFamilies
  int season = -1;  // index into kSeasons, -1 = all year
};

struct AisleInfo {
  std::string name;
  int department = 0;
  std::vector<int> themes;
  std::vector<Flavour> flavours;
  std::vector<std::string> sizes;
  float price_lo = 1, price_hi = 10;
  uint32_t attribute_mask = 0;          // attributes that may apply (bit = index into kAttributes)
  std::vector<std::string> adjectives, uses;
  std::vector<int> subclasses;          // chosen subclasses of this aisle
  float slot_affinity[kNumSlots] = {};  // geometric mean over its themes of kThemeSlotAffinity
};

struct SubclassInfo {
  std::string name;
  std::string path;         // "Department > Aisle > Subclass"
  int aisle = 0;
  int department = 0;
  uint32_t forced_attributes = 0;
  int season = -1;
  std::vector<int> siblings;  // other chosen subclasses of its aisle, else of its department
};

struct RecipeInfo {
  std::string name;
  std::vector<int> steps;   // chosen subclasses, in the usual order (missing ingredients dropped)
  uint32_t slot_mask = 0;   // bit s = typical in slot s
  std::vector<int> themes;
  int season = -1;
  bool weekend = false;
};

class Taxonomy {
 public:
  // Parses the vocabulary and keeps `n_subclasses` subclasses (all of them if larger): ingredients of
  // several recipes and products of the seasons in the timeline (bit s of `seasons_in_range`) first, then
  // of one recipe, then the rest; products of other seasons come last, since they would never sell. Throws
  // Error(kInternal) if the vocabulary is inconsistent (duplicate leaf, unknown attribute or recipe step).
  static Taxonomy build(int n_subclasses, uint64_t seed, uint32_t seasons_in_range = ~0u);
  // Number of subclasses in the vocabulary.
  static int vocabulary_subclasses();

  std::vector<std::string> departments;
  std::vector<AisleInfo> aisles;        // only aisles with at least one chosen subclass
  std::vector<SubclassInfo> subclasses;
  std::vector<RecipeInfo> recipes;      // only recipes with at least two chosen ingredients

  int find_subclass(const std::string& name) const;  // -1 if not chosen
};

// Splits "a|b|c" (empty string = no parts).
std::vector<std::string> split_bar(const char* s);

}  // namespace stars::synth
