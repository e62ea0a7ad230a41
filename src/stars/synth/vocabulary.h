// The built-in vocabulary of the synthetic grocery world: taxonomy (department > aisle > subclass) with
// flavours, sizes, price ranges and applicable dietary attributes; the attributes and how often item text
// and tags mention them; themes and their hour-of-day profile; seasons; recipes (missions); personas
// (latent user types tying static features to tastes); brand name parts; regions and user feature values.
// Everything here is constant text; world building (catalog.cpp, population.cpp) parses and samples it.
// Compact "a|b|c" and "key:value,key:value" strings keep the tables readable. See docs/SYNTH.md.
#pragma once

#include <string_view>
#include <vector>

namespace stars::synth {

// ---- dietary / product attributes ------------------------------------------------------------------
// Each attribute drives tastes. `text_rate` is the probability that an item having it says so in its title
// or description, `tag_rate` that its feed lists it in `tags`. Attributes with text_rate 0 are tag-only
// (only a model reading tags can learn them); flavours are text-only (see kFlavourFamilies).
struct AttributeDef {
  const char* tag;        // tag value written in items.csv `tags`
  const char* text;       // words used in titles/descriptions ("" = never in text)
  float text_rate;
  float tag_rate;
  float base_rate;        // probability among items of aisles where it applies
};
constexpr int kNumAttributes = 13;
extern const AttributeDef kAttributes[kNumAttributes];
int attribute_index(std::string_view tag);  // -1 if unknown

// Flavour families: every flavour belongs to one; users weigh families (a text-only signal).
constexpr int kNumFlavourFamilies = 5;
extern const char* const kFlavourFamilies[kNumFlavourFamilies];  // classic, sweet, fruity, savory, herbal
int flavour_family_index(std::string_view name);

// ---- themes: what an aisle is for; personas weigh themes, themes have hour-of-day profiles -------------
constexpr int kNumThemes = 15;
extern const char* const kThemes[kNumThemes];
int theme_index(std::string_view name);

// Parts of the day used by recipes and hour profiles.
constexpr int kNumSlots = 6;
extern const char* const kSlots[kNumSlots];  // breakfast, lunch, afternoon, dinner, evening, late
int slot_index(std::string_view name);
int slot_of_hour(int hour);
// Relative shopping intensity of a theme in a slot (1 = neutral).
extern const float kThemeSlotAffinity[kNumThemes][kNumSlots];
// Global hour-of-day and day-of-week (Monday first) session intensities.
extern const float kHourWeights[24];
extern const float kDayOfWeekWeights[7];

// ---- seasons ------------------------------------------------------------------------------------------
// Active from start to end (month/day, inclusive, may wrap the year), peaking at peak.
struct SeasonDef {
  const char* name;
  int start_month, start_day, peak_month, peak_day, end_month, end_day;
};
constexpr int kNumSeasons = 10;
extern const SeasonDef kSeasons[kNumSeasons];
int season_index(std::string_view name);

// ---- taxonomy -----------------------------------------------------------------------------------------
// subclasses: "Name" with optional markers "@attribute" (always has it) and "#season" (seasonal product).
// flavours: "Name:family" with optional "#season" (a limited seasonal flavour). sizes: "|"-separated.
struct AisleDef {
  const char* department;
  const char* aisle;
  const char* subclasses;
  const char* flavours;
  const char* sizes;
  float price_lo, price_hi;
  const char* themes;       // "|"-separated theme names
  const char* attributes;   // "|"-separated attribute tags that may apply
  const char* adjectives;   // "|"-separated words for descriptions
  const char* uses;         // "|"-separated usage sentences for descriptions
};
const std::vector<AisleDef>& aisle_defs();

// ---- recipes: short-term missions spanning a few subclasses ----------------------------------------------
struct RecipeDef {
  const char* name;
  const char* slots;    // "|"-separated slots where it is typical
  const char* themes;   // "|"-separated themes (persona affinity)
  const char* season;   // "" = any time
  bool weekend;         // more likely on Friday-Sunday
  const char* steps;    // "|"-separated subclass names, in the usual order
};
const std::vector<RecipeDef>& recipe_defs();

// ---- personas: latent user types ---------------------------------------------------------------------
// Weights are "name:value,name:value" strings over themes, attributes, flavour families and slots.
// Static feature distributions follow the orders of kAgeBuckets, kSignupChannels, kEmailDomains.
struct PersonaDef {
  const char* name;
  float prevalence;
  const char* themes;
  const char* attributes;
  const char* flavours;
  const char* slots;        // hour-of-day tilt per slot
  float tier_pref;          // + prefers premium brands, - value brands
  float price_sensitivity;  // mean; >= 0
  float activity;           // session-rate multiplier
  float age[6];
  float channel[4];
  float email[7];
  float household_mean;
  float pet_rate, baby_rate;
};
const std::vector<PersonaDef>& persona_defs();

// ---- static user feature values ---------------------------------------------------------------------
extern const char* const kAgeBuckets[6];
extern const char* const kSignupChannels[4];
extern const char* const kEmailDomains[7];
extern const char* const kDevices[3];
constexpr int kMaxRegions = 12;
extern const char* const kRegionNames[kMaxRegions];

// ---- brand names: first part x second part, surname x second part ---------------------------------------
const std::vector<const char*>& brand_first_words();
const std::vector<const char*>& brand_second_words();
const std::vector<const char*>& brand_surnames();

}  // namespace stars::synth
