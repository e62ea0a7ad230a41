// Seeded generation of brands, items and stock (see catalog.h and docs/SYNTH.md, "Catalog").
#include "stars/synth/catalog.h"

#include <algorithm>
#include <cmath>

#include "stars/core/error.h"
#include "stars/core/random.h"
#include "stars/synth/weighted_draw.h"

namespace stars::synth {

namespace {

std::vector<std::string> brand_names(size_t n, Rng& rng) {
  std::vector<std::string> all;
  const auto& first = brand_first_words();
  const auto& second = brand_second_words();
  const auto& surnames = brand_surnames();
  for (const char* a : first)
    for (const char* b : second) all.push_back(std::string(a) + " " + b);
  for (const char* s : surnames)
    for (const char* b : second) all.push_back(std::string(s) + " " + b);
  for (const char* a : first)
    for (const char* s : surnames) all.push_back(std::string(a) + " " + s);
  for (size_t i = all.size(); i > 1; --i) std::swap(all[i - 1], all[rng.uniform(i)]);
  all.resize(std::min(n, all.size()));
  return all;
}

float round_price(double p) {
  static const double kEndings[] = {0.29, 0.49, 0.79, 0.99};
  p = std::max(0.49, p);
  const double whole = std::floor(p);
  const double frac = p - whole;
  double end = 0.99;
  for (double e : kEndings) {
    if (frac <= e) {
      end = e;
      break;
    }
  }
  return static_cast<float>(whole + end);
}

}  // namespace

bool Catalog::in_stock(int32_t item) const {
  for (int r = 0; r < regions; ++r) {
    if (stock[static_cast<size_t>(item) * regions + r] > 0) return true;
  }
  return false;
}

Catalog Catalog::build(const SynthConfig& config, const Taxonomy& tax) {
  const CatalogConfig& cc = config.catalog;
  Rng rng(derive_seed(config.seed, 0xCA7A1061ULL));
  Catalog c;
  c.regions = config.regions;
  const int n_dept = static_cast<int>(tax.departments.size());
  const int n_sub = static_cast<int>(tax.subclasses.size());
  STARS_CHECK(n_sub > 0 && n_dept > 0, "empty taxonomy");

  // ---- brands
  const size_t n_brands = std::max<size_t>(6, static_cast<size_t>(std::lround(config.items * cc.brands_per_item)));
  const auto names = brand_names(n_brands, rng);
  c.brands.resize(names.size());
  std::vector<double> brand_weight(names.size());
  std::vector<std::vector<int32_t>> dept_brands(n_dept);
  for (size_t b = 0; b < names.size(); ++b) {
    Brand& br = c.brands[b];
    br.name = names[b];
    const double t = rng.uniform01();
    br.tier = t < 0.30 ? -1 : (t < 0.75 ? 0 : 1);
    if (config.regions > 1 && rng.bernoulli(cc.regional_brand_fraction)) {
      br.home_region = static_cast<int>(rng.uniform(config.regions));
    }
    if (rng.bernoulli(0.35)) {
      const int n_lean = 1 + static_cast<int>(rng.uniform(2));
      for (int k = 0; k < n_lean; ++k) br.lean |= 1u << rng.uniform(kNumAttributes);
    }
    const int n_d = rng.bernoulli(0.3) ? 2 : 1;
    for (int k = 0; k < n_d; ++k) {
      const int d = static_cast<int>(rng.uniform(n_dept));
      if (std::find(br.departments.begin(), br.departments.end(), d) == br.departments.end()) {
        br.departments.push_back(d);
        dept_brands[d].push_back(static_cast<int32_t>(b));
      }
    }
    brand_weight[b] = std::exp(0.8 * rng.normal());
  }
  // Every department gets at least two brands (the only national brands if all were regional).
  for (int d = 0; d < n_dept; ++d) {
    while (dept_brands[d].size() < std::min<size_t>(2, c.brands.size())) {
      const int32_t b = static_cast<int32_t>(rng.uniform(c.brands.size()));
      if (std::find(dept_brands[d].begin(), dept_brands[d].end(), b) != dept_brands[d].end()) continue;
      c.brands[b].departments.push_back(d);
      dept_brands[d].push_back(b);
    }
  }

  // ---- subclass sizes: one item each first, then by lognormal weights
  std::vector<double> sub_weight(n_sub);
  for (auto& w : sub_weight) w = std::exp(0.5 * rng.normal());
  std::vector<double> cum(n_sub);
  double acc = 0;
  for (int s = 0; s < n_sub; ++s) cum[s] = (acc += sub_weight[s]);

  const uint32_t all_regions = config.regions >= 32 ? 0xFFFFFFFFu : ((1u << config.regions) - 1u);
  const int launch_from = static_cast<int>(std::floor(cc.cold_start_from * config.days));
  std::vector<Item> items(config.items);
  for (int i = 0; i < config.items; ++i) {
    Item& it = items[i];
    if (i < n_sub) {
      it.subclass = i;
    } else {
      const double r = rng.uniform01() * acc;
      it.subclass = static_cast<int32_t>(std::upper_bound(cum.begin(), cum.end(), r) - cum.begin());
      it.subclass = std::min(it.subclass, n_sub - 1);
    }
    const SubclassInfo& sub = tax.subclasses[it.subclass];
    const AisleInfo& aisle = tax.aisles[sub.aisle];
    const auto& db = dept_brands[sub.department];
    std::vector<double> bw(db.size());
    for (size_t k = 0; k < db.size(); ++k) bw[k] = brand_weight[db[k]];
    it.brand = db[weighted_draw(bw, rng)];
    const Brand& brand = c.brands[it.brand];

    if (!aisle.flavours.empty() && rng.bernoulli(0.85)) {
      it.flavour = static_cast<int16_t>(rng.uniform(aisle.flavours.size()));
      it.flavour_family = static_cast<int8_t>(aisle.flavours[it.flavour].family);
    }
    it.size = static_cast<int8_t>(rng.uniform(aisle.sizes.size()));
    it.season = static_cast<int8_t>(sub.season >= 0 ? sub.season : (it.flavour >= 0 ? aisle.flavours[it.flavour].season : -1));

    it.attributes = sub.forced_attributes;
    for (int a = 0; a < kNumAttributes; ++a) {
      if (!((aisle.attribute_mask >> a) & 1u)) continue;
      double p = kAttributes[a].base_rate;
      if ((brand.lean >> a) & 1u) p *= 5.0;
      if (brand.tier > 0 && a == 0) p *= 1.5;
      if (rng.bernoulli(std::min(0.9, p))) it.attributes |= 1u << a;
    }
    for (int a = 0; a < kNumAttributes; ++a) {
      if (!((it.attributes >> a) & 1u)) continue;
      if (rng.bernoulli(kAttributes[a].text_rate)) it.text_attributes |= 1u << a;
      if (rng.bernoulli(kAttributes[a].tag_rate)) it.tag_attributes |= 1u << a;
    }

    const double base = std::exp(std::log(aisle.price_lo) + rng.uniform01() * (std::log(aisle.price_hi) - std::log(aisle.price_lo)));
    const double tier_factor = brand.tier < 0 ? 0.78 : (brand.tier > 0 ? 1.35 : 1.0);
    const double organic = (it.attributes & 1u) ? 1.2 : 1.0;
    it.price = round_price(base * (1.0 + 0.45 * it.size) * tier_factor * organic * std::exp(0.08 * rng.normal()));
    it.popularity = static_cast<float>(cc.popularity_sigma * rng.normal() + 0.3 * std::log(brand_weight[it.brand]));

    if (config.days > 1 && rng.bernoulli(cc.cold_start_fraction)) {
      const int span = std::max(1, config.days - launch_from);
      it.launch_day = std::max(1, launch_from + static_cast<int>(rng.uniform(span)));
    }
    if (brand.home_region >= 0) {
      it.region_mask = 1u << brand.home_region;
    } else if (config.regions > 1 && rng.bernoulli(cc.regional_item_fraction)) {
      while (it.region_mask == 0 || it.region_mask == all_regions) {
        it.region_mask = 0;
        for (int r = 0; r < config.regions; ++r) {
          if (rng.bernoulli(0.5)) it.region_mask |= 1u << r;
        }
      }
    } else {
      it.region_mask = all_regions;
    }
  }
  c.department_brands = dept_brands;
  // Stored by subclass; raw ids in a seeded random order.
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.subclass < b.subclass; });
  c.items = std::move(items);
  c.by_external_id.resize(c.items.size());
  for (size_t i = 0; i < c.by_external_id.size(); ++i) c.by_external_id[i] = static_cast<int32_t>(i);
  for (size_t i = c.by_external_id.size(); i > 1; --i) std::swap(c.by_external_id[i - 1], c.by_external_id[rng.uniform(i)]);
  c.external_id.resize(c.items.size());
  for (size_t k = 0; k < c.by_external_id.size(); ++k) c.external_id[c.by_external_id[k]] = static_cast<int32_t>(k);

  // ---- per-subclass indexes and relative prices
  c.subclass_items.assign(n_sub, {});
  for (int32_t i = 0; i < config.items; ++i) c.subclass_items[c.items[i].subclass].push_back(i);
  c.subclass_sampler.resize(n_sub);
  for (int s = 0; s < n_sub; ++s) {
    double mean_log = 0;
    for (int32_t i : c.subclass_items[s]) mean_log += std::log(c.items[i].price);
    mean_log /= std::max<size_t>(1, c.subclass_items[s].size());
    std::vector<double> w;
    for (int32_t i : c.subclass_items[s]) {
      c.items[i].log_price_rel = static_cast<float>(std::log(c.items[i].price) - mean_log);
      w.push_back(std::exp(c.items[i].popularity));
    }
    c.subclass_sampler[s] = AliasTable(w);
  }

  // ---- stock at the end of the timeline
  c.stock.assign(static_cast<size_t>(config.items) * config.regions, 0);
  for (int32_t i = 0; i < config.items; ++i) {
    for (int r = 0; r < config.regions; ++r) {
      if (!c.sold_in(i, r) || rng.bernoulli(cc.out_of_stock_rate)) continue;
      const double mean = 20.0 * std::exp(0.5 * c.items[i].popularity);
      c.stock[static_cast<size_t>(i) * config.regions + r] =
          1 + static_cast<uint32_t>(-mean * std::log(1.0 - rng.uniform01()));
    }
  }
  return c;
}

}  // namespace stars::synth
