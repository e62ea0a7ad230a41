// Seasons, promotion campaigns and day weights of a synthetic world (see world_calendar.h).
#include "stars/synth/world_calendar.h"

#include <algorithm>
#include <set>

#include "stars/core/error.h"
#include "stars/core/random.h"
#include "stars/core/time.h"

namespace stars::synth {

namespace {

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// Intensity of season `s` on absolute day `d`: rises from 0.15 at the start to 1 at the peak, falls to 0.5
// at the end; 0 outside. Windows may wrap the year (new_year: Dec 27 - Jan 1).
float season_intensity(const SeasonDef& s, int64_t d) {
  int64_t y;
  unsigned m, dd;
  civil_from_days(d, &y, &m, &dd);
  for (int64_t year = y - 1; year <= y; ++year) {
    const int64_t start = days_from_civil(year, s.start_month, s.start_day);
    int64_t peak = days_from_civil(year, s.peak_month, s.peak_day);
    int64_t end = days_from_civil(year, s.end_month, s.end_day);
    if (peak < start) peak = days_from_civil(year + 1, s.peak_month, s.peak_day);
    if (end < start) end = days_from_civil(year + 1, s.end_month, s.end_day);
    if (d < start || d > end) continue;
    if (d <= peak) return 0.15f + 0.85f * static_cast<float>(d - start) / static_cast<float>(std::max<int64_t>(1, peak - start));
    return 0.5f + 0.5f * static_cast<float>(end - d) / static_cast<float>(std::max<int64_t>(1, end - peak));
  }
  return 0.0f;
}

}  // namespace

uint32_t seasons_active_mask(int64_t start_day, int days) {
  uint32_t mask = 0;
  for (int s = 0; s < kNumSeasons; ++s) {
    for (int d = 0; d < days && !((mask >> s) & 1u); ++d) {
      if (season_intensity(kSeasons[s], start_day + d) > 0) mask |= 1u << s;
    }
  }
  return mask;
}

bool Campaign::covers(const Item& item, const Taxonomy& taxonomy) const {
  switch (kind) {
    case Kind::kAisle: return taxonomy.subclasses[item.subclass].aisle == target;
    case Kind::kBrand: return item.brand == target;
    case Kind::kAttribute:
      return ((item.attributes >> target) & 1u) && taxonomy.subclasses[item.subclass].department == department;
  }
  return false;
}

int WorldCalendar::day_of_week(int day) const { return stars::day_of_week((start_day + day) * 86400); }

bool WorldCalendar::promoted(const Item& item, const Taxonomy& taxonomy, int day, int region, int* campaign) const {
  for (int16_t c : active_campaigns(day, region)) {
    if (campaigns[c].covers(item, taxonomy)) {
      if (campaign != nullptr) *campaign = c;
      return true;
    }
  }
  return false;
}

std::vector<int> WorldCalendar::seasons_in_range() const {
  std::vector<int> out;
  for (int s = 0; s < kNumSeasons; ++s) {
    for (int d = 0; d < days; ++d) {
      if (lift(s, d) > 0) {
        out.push_back(s);
        break;
      }
    }
  }
  return out;
}

WorldCalendar WorldCalendar::build(const SynthConfig& config, const Taxonomy& tax, const Catalog& cat) {
  WorldCalendar w;
  w.days = config.days;
  w.regions = config.regions;
  w.start_day = config.start_day();
  w.season_lift.assign(static_cast<size_t>(w.days) * kNumSeasons, 0.0f);
  for (int d = 0; d < w.days; ++d) {
    for (int s = 0; s < kNumSeasons; ++s) {
      w.season_lift[static_cast<size_t>(d) * kNumSeasons + s] = season_intensity(kSeasons[s], w.start_day + d);
    }
  }

  // ---- campaigns
  Rng rng(derive_seed(config.seed, 0xCA3B4160ULL));
  std::vector<int> aisle_candidates;
  for (size_t a = 0; a < tax.aisles.size(); ++a) aisle_candidates.push_back(static_cast<int>(a));
  std::vector<int> brand_items(cat.brands.size(), 0);
  for (const Item& it : cat.items) brand_items[it.brand]++;
  std::vector<int> brand_candidates;
  for (size_t b = 0; b < cat.brands.size(); ++b) {
    if (brand_items[b] >= 3) brand_candidates.push_back(static_cast<int>(b));
  }
  std::vector<std::pair<int, int>> attr_candidates;  // (attribute, department)
  {
    std::vector<int> counts(kNumAttributes * tax.departments.size(), 0);
    for (const Item& it : cat.items) {
      for (int a = 0; a < kNumAttributes; ++a) {
        if ((it.attributes >> a) & 1u) counts[a * tax.departments.size() + tax.subclasses[it.subclass].department]++;
      }
    }
    for (int a = 0; a < kNumAttributes; ++a) {
      for (size_t d = 0; d < tax.departments.size(); ++d) {
        if (counts[a * tax.departments.size() + d] >= 3) attr_candidates.emplace_back(a, static_cast<int>(d));
      }
    }
  }
  std::set<std::string> names;
  for (int k = 0; k < config.context.promo_campaigns; ++k) {
    Campaign c;
    const double r = rng.uniform01();
    if (r < 0.25 && !brand_candidates.empty()) {
      c.kind = Campaign::Kind::kBrand;
      c.target = brand_candidates[rng.uniform(brand_candidates.size())];
      c.name = "promo_" + slug(cat.brands[c.target].name);
    } else if (r < 0.5 && !attr_candidates.empty()) {
      c.kind = Campaign::Kind::kAttribute;
      const auto& p = attr_candidates[rng.uniform(attr_candidates.size())];
      c.target = p.first;
      c.department = p.second;
      c.name = "promo_" + slug(kAttributes[p.first].tag) + "_" + slug(tax.departments[p.second]);
    } else {
      c.kind = Campaign::Kind::kAisle;
      c.target = aisle_candidates[rng.uniform(aisle_candidates.size())];
      c.name = "promo_" + slug(tax.aisles[c.target].name);
    }
    if (config.regions > 1 && rng.bernoulli(0.4)) {
      c.region = static_cast<int>(rng.uniform(config.regions));
      c.name += std::string("_") + slug(kRegionNames[c.region]);
    }
    const std::string base = c.name;
    for (int n = 2; names.count(c.name); ++n) c.name = base + "_" + std::to_string(n);
    names.insert(c.name);
    c.period = 14 + static_cast<int>(rng.uniform(22));
    c.duration = 3 + static_cast<int>(rng.uniform(5));
    c.phase = static_cast<int>(rng.uniform(c.period));
    for (int32_t i = 0; i < static_cast<int32_t>(cat.items.size()); ++i) {
      if (c.covers(cat.items[i], tax)) c.items.push_back(i);
    }
    std::stable_sort(c.items.begin(), c.items.end(),
                     [&](int32_t a, int32_t b) { return cat.items[a].subclass < cat.items[b].subclass; });
    c.item_offsets.assign(tax.subclasses.size() + 1, 0);
    for (int32_t i : c.items) {
      if (c.subclasses.empty() || c.subclasses.back() != cat.items[i].subclass) c.subclasses.push_back(cat.items[i].subclass);
      c.item_offsets[cat.items[i].subclass + 1]++;
    }
    for (size_t s = 1; s < c.item_offsets.size(); ++s) c.item_offsets[s] += c.item_offsets[s - 1];
    w.campaigns.push_back(std::move(c));
  }
  w.active.assign(static_cast<size_t>(w.days) * w.regions, {});
  for (int d = 0; d < w.days; ++d) {
    for (size_t c = 0; c < w.campaigns.size(); ++c) {
      if (!w.campaigns[c].active(d)) continue;
      for (int r = 0; r < w.regions; ++r) {
        if (w.campaigns[c].region < 0 || w.campaigns[c].region == r) {
          w.active[static_cast<size_t>(d) * w.regions + r].push_back(static_cast<int16_t>(c));
        }
      }
    }
  }

  // ---- session intensity per day: weekday pattern, more shopping in holiday seasons
  w.day_cum_weight.resize(w.days);
  double acc = 0;
  for (int d = 0; d < w.days; ++d) {
    float max_lift = 0;
    for (int s = 0; s < kNumSeasons; ++s) max_lift = std::max(max_lift, w.lift(s, d));
    acc += kDayOfWeekWeights[w.day_of_week(d)] * (1.0 + 0.3 * max_lift);
    w.day_cum_weight[d] = acc;
  }
  return w;
}

}  // namespace stars::synth
