// Users of a synthetic world. Each user has a latent persona (wellness, family, student, ...) that sets
// both the static features written to users.csv (region, signup channel, email domain, age bucket,
// household size; each follows the persona with probability population.feature_strength) and the long-term
// tastes: weights over dietary attributes, flavour families, aisles, recipes, brand tier and price, plus a
// few favourite brands and an hour-of-day profile. Regions add their own flavour leaning and local brands.
// A user is a pure function of (seed, user index), so users can be generated in any order or thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/core/random.h"
#include "stars/synth/catalog.h"
#include "stars/synth/synth_config.h"
#include "stars/synth/taxonomy.h"

namespace stars::synth {

struct PersonaInfo {
  std::string name;
  float prevalence = 0;
  float theme_w[kNumThemes] = {};
  float attr_w[kNumAttributes] = {};
  float flavour_w[kNumFlavourFamilies] = {};
  float slot_tilt[kNumSlots] = {};
  float tier_pref = 0, price_sensitivity = 1, activity = 1;
  float age[6] = {}, channel[4] = {}, email[7] = {};
  float household_mean = 2, pet_rate = 0, baby_rate = 0;
};

struct UserProfile {
  int64_t index = 0;
  int persona = 0;
  int region = 0, channel = 0, email = 0, age = 0, household = 1;
  bool pet = false, baby = false;
  int join_day = 0;
  float attr_w[kNumAttributes] = {};
  float flavour_w[kNumFlavourFamilies] = {};
  float tier_pref = 0, price_sensitivity = 1, activity = 1;
  std::vector<float> aisle_w;       // log-scale affinity per aisle
  std::vector<float> recipe_w;      // relative affinity per recipe
  std::vector<int32_t> fav_brands;
  float hour_w[24] = {};            // session start intensity per hour
};

class Population {
 public:
  // `config`, `taxonomy` and `catalog` must outlive the population (World owns all four).
  static Population build(const SynthConfig& config, const Taxonomy& taxonomy, const Catalog& catalog);

  // Fills `out` for user `index` (reuses its vectors). Deterministic in (seed, index).
  void make_user(int64_t index, UserProfile* out) const;

  std::vector<PersonaInfo> personas;
  std::vector<float> region_persona;   // personas x regions: relative prevalence of a persona in a region
  std::vector<float> region_flavour;   // regions x flavour families: regional flavour leaning

 private:
  const SynthConfig* config_ = nullptr;
  const Taxonomy* taxonomy_ = nullptr;
  const Catalog* catalog_ = nullptr;
  std::vector<double> persona_cum_;
  std::vector<float> persona_hour_w_;  // personas x 24
  float marginal_age_[6] = {}, marginal_channel_[4] = {}, marginal_email_[7] = {};
};

}  // namespace stars::synth
