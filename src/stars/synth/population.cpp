// Personas, static user features and latent tastes (see population.h and docs/SYNTH.md, "Users").
#include "stars/synth/population.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "stars/core/error.h"
#include "stars/synth/gaussian.h"
#include "stars/synth/weighted_draw.h"

namespace stars::synth {

namespace {

// Parses "name:value,name:value" into `out`, resolving names with `index_of`.
template <class F>
void parse_weights(const char* text, float* out, F index_of, const char* what) {
  std::string s = text;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    const std::string part = s.substr(pos, comma - pos);
    const size_t colon = part.find(':');
    STARS_CHECK(colon != std::string::npos, "vocabulary: bad " << what << " weight '" << part << "'");
    const int k = index_of(part.substr(0, colon));
    STARS_CHECK(k >= 0, "vocabulary: unknown " << what << " '" << part.substr(0, colon) << "'");
    out[k] = std::stof(part.substr(colon + 1));
    pos = comma + 1;
  }
}

}  // namespace

Population Population::build(const SynthConfig& config, const Taxonomy& taxonomy, const Catalog& catalog) {
  Population p;
  p.config_ = &config;
  p.taxonomy_ = &taxonomy;
  p.catalog_ = &catalog;
  double acc = 0;
  for (const PersonaDef& d : persona_defs()) {
    PersonaInfo q;
    q.name = d.name;
    q.prevalence = d.prevalence;
    parse_weights(d.themes, q.theme_w, theme_index, "theme");
    parse_weights(d.attributes, q.attr_w, attribute_index, "attribute");
    parse_weights(d.flavours, q.flavour_w, flavour_family_index, "flavour family");
    std::fill(std::begin(q.slot_tilt), std::end(q.slot_tilt), 1.0f);
    parse_weights(d.slots, q.slot_tilt, slot_index, "slot");
    q.tier_pref = d.tier_pref;
    q.price_sensitivity = d.price_sensitivity;
    q.activity = d.activity;
    std::memcpy(q.age, d.age, sizeof(q.age));
    std::memcpy(q.channel, d.channel, sizeof(q.channel));
    std::memcpy(q.email, d.email, sizeof(q.email));
    q.household_mean = d.household_mean;
    q.pet_rate = d.pet_rate;
    q.baby_rate = d.baby_rate;
    for (int i = 0; i < 6; ++i) p.marginal_age_[i] += q.prevalence * q.age[i];
    for (int i = 0; i < 4; ++i) p.marginal_channel_[i] += q.prevalence * q.channel[i];
    for (int i = 0; i < 7; ++i) p.marginal_email_[i] += q.prevalence * q.email[i];
    acc += q.prevalence;
    p.persona_cum_.push_back(acc);
    p.personas.push_back(q);
  }
  // Session-start intensity per persona and hour: the daily curve tilted by the persona's slots.
  p.persona_hour_w_.resize(p.personas.size() * 24);
  for (size_t k = 0; k < p.personas.size(); ++k) {
    for (int h = 0; h < 24; ++h) {
      p.persona_hour_w_[k * 24 + h] = static_cast<float>(
          kHourWeights[h] * std::pow(p.personas[k].slot_tilt[slot_of_hour(h)], config.context.hour_strength));
    }
  }
  // Seeded regional differences: which personas live where, and a regional flavour leaning.
  Rng rng(derive_seed(config.seed, 0x9E610ULL));
  const size_t np = p.personas.size();
  p.region_persona.resize(np * config.regions);
  for (auto& w : p.region_persona) w = static_cast<float>(std::exp(0.8 * rng.normal()));
  p.region_flavour.resize(static_cast<size_t>(config.regions) * kNumFlavourFamilies);
  for (auto& w : p.region_flavour) w = static_cast<float>(0.5 * rng.normal());
  return p;
}

void Population::make_user(int64_t index, UserProfile* out) const {
  const SynthConfig& cfg = *config_;
  const PopulationConfig& pc = cfg.population;
  const Taxonomy& tax = *taxonomy_;
  const Catalog& cat = *catalog_;
  Rng rng(derive_seed(cfg.seed, 0x5E50000000000ULL + static_cast<uint64_t>(index)));
  Gaussian gauss(rng);
  UserProfile& u = *out;
  u.index = index;
  const double r = rng.uniform01() * persona_cum_.back();
  u.persona = static_cast<int>(std::upper_bound(persona_cum_.begin(), persona_cum_.end(), r) - persona_cum_.begin());
  u.persona = std::min<int>(u.persona, static_cast<int>(personas.size()) - 1);
  const PersonaInfo& q = personas[u.persona];
  const double rho = pc.feature_strength;

  // ---- static features
  u.region = rng.bernoulli(rho) ? weighted_draw(&region_persona[static_cast<size_t>(u.persona) * cfg.regions], cfg.regions, rng)
                                : static_cast<int>(rng.uniform(cfg.regions));
  u.age = rng.bernoulli(rho) ? weighted_draw(q.age, rng) : weighted_draw(marginal_age_, rng);
  u.channel = rng.bernoulli(rho) ? weighted_draw(q.channel, rng) : weighted_draw(marginal_channel_, rng);
  u.email = rng.bernoulli(rho) ? weighted_draw(q.email, rng) : weighted_draw(marginal_email_, rng);
  const double hh = rng.bernoulli(rho) ? q.household_mean + 0.8 * gauss() : 2.6 + 1.3 * gauss();
  u.household = static_cast<int>(std::clamp<long>(std::lround(hh), 1, 6));
  u.pet = rng.bernoulli(q.pet_rate);
  u.baby = rng.bernoulli(q.baby_rate);
  u.join_day = (cfg.days > 2 && rng.bernoulli(pc.late_joiner_fraction))
                   ? 1 + static_cast<int>(rng.uniform(std::max(1, cfg.days * 4 / 5)))
                   : 0;

  // ---- tastes
  const double noise = pc.taste_noise;
  for (int a = 0; a < kNumAttributes; ++a) {
    const double scale = 1.0 + 0.3 * gauss();  // separate statements: a defined order of draws
    u.attr_w[a] = static_cast<float>(q.attr_w[a] * scale + 0.6 * noise * gauss());
  }
  for (int f = 0; f < kNumFlavourFamilies; ++f) {
    u.flavour_w[f] = static_cast<float>(q.flavour_w[f] + region_flavour[u.region * kNumFlavourFamilies + f] + noise * gauss());
  }
  u.tier_pref = static_cast<float>(q.tier_pref + 0.5 * gauss());
  u.price_sensitivity = static_cast<float>(std::max(0.05, q.price_sensitivity * std::exp(0.3 * gauss())));
  u.activity = q.activity;

  const int pet_theme = theme_index("pet"), baby_theme = theme_index("baby");
  u.aisle_w.resize(tax.aisles.size());
  for (size_t a = 0; a < tax.aisles.size(); ++a) {
    double w = 0;
    for (int th : tax.aisles[a].themes) {
      if (th == pet_theme) w += u.pet ? 2.0 : -3.0;
      else if (th == baby_theme) w += u.baby ? 2.0 : -3.0;
      else w += q.theme_w[th];
    }
    w /= std::sqrt(static_cast<double>(std::max<size_t>(1, tax.aisles[a].themes.size())));
    u.aisle_w[a] = static_cast<float>(w + noise * gauss());
  }
  u.recipe_w.resize(tax.recipes.size());
  for (size_t k = 0; k < tax.recipes.size(); ++k) {
    const RecipeInfo& rec = tax.recipes[k];
    double aisle_mean = 0;
    for (int s : rec.steps) aisle_mean += u.aisle_w[tax.subclasses[s].aisle];
    aisle_mean /= rec.steps.size();
    double theme = 0;
    for (int th : rec.themes) {
      if (th == pet_theme) theme += u.pet ? 1.5 : -4.0;
      else if (th == baby_theme) theme += u.baby ? 1.5 : -4.0;
      else theme += q.theme_w[th];
    }
    u.recipe_w[k] = static_cast<float>(std::exp(0.6 * aisle_mean + 0.6 * theme + 0.5 * noise * gauss()));
  }

  // Favourite brands: departments the user likes, brands of their tier, local brands of their region.
  u.fav_brands.clear();
  std::vector<double> dept_w(tax.departments.size(), 0.0);
  for (size_t a = 0; a < tax.aisles.size(); ++a) dept_w[tax.aisles[a].department] += std::exp(u.aisle_w[a]);
  double dept_total = 0;
  for (double w : dept_w) dept_total += w;
  for (int tries = 0; tries < 20 * pc.favourite_brands && static_cast<int>(u.fav_brands.size()) < pc.favourite_brands; ++tries) {
    double x = rng.uniform01() * dept_total;
    size_t d = 0;
    for (; d + 1 < dept_w.size(); ++d) {
      x -= dept_w[d];
      if (x < 0) break;
    }
    const auto& brands = cat.department_brands[d];
    if (brands.empty()) continue;
    const int32_t b = brands[rng.uniform(brands.size())];
    const Brand& br = cat.brands[b];
    if (br.home_region >= 0 && br.home_region != u.region) continue;
    if (!rng.bernoulli(std::min(1.0, std::exp(u.tier_pref * br.tier - 1.0)))) continue;
    if (std::find(u.fav_brands.begin(), u.fav_brands.end(), b) == u.fav_brands.end()) u.fav_brands.push_back(b);
  }

  std::copy(persona_hour_w_.begin() + u.persona * 24, persona_hour_w_.begin() + (u.persona + 1) * 24, u.hour_w);
}

}  // namespace stars::synth
