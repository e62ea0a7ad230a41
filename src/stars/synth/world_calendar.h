// The time side of a synthetic world: per-day season intensities (holidays and summer peak at their dates),
// recurring promotion campaigns (an aisle, a brand, or an attribute within a department, globally or in one
// region) and the day-of-week/holiday intensity that places sessions. Written as calendar.csv.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/synth/catalog.h"
#include "stars/synth/synth_config.h"
#include "stars/synth/taxonomy.h"

namespace stars::synth {

struct Campaign {
  enum class Kind { kAisle, kBrand, kAttribute };
  std::string name;             // calendar column, e.g. "promo_chips", "promo_organic_produce"
  Kind kind = Kind::kAisle;
  int target = 0;               // aisle, brand or attribute index
  int department = -1;          // for kAttribute
  int region = -1;              // -1 = every region
  int period = 21, duration = 5, phase = 0;   // active when (day + phase) % period < duration
  std::vector<int32_t> items;         // promoted items, ordered by subclass
  std::vector<int32_t> subclasses;    // distinct subclasses of `items`
  std::vector<uint32_t> item_offsets; // items of subclass s: items[item_offsets[s] .. item_offsets[s + 1])

  bool active(int day) const { return (day + phase) % period < duration; }
  bool covers(const Item& item, const Taxonomy& taxonomy) const;
};

// Bit s set = season s is active on at least one of `days` days from `start_day` (days since epoch).
uint32_t seasons_active_mask(int64_t start_day, int days);

class WorldCalendar {
 public:
  static WorldCalendar build(const SynthConfig& config, const Taxonomy& taxonomy, const Catalog& catalog);

  int days = 0, regions = 1;
  int64_t start_day = 0;                     // days since epoch of day 0
  std::vector<float> season_lift;            // days x kNumSeasons, in [0, 1]; 0 outside the season
  std::vector<Campaign> campaigns;
  std::vector<std::vector<int16_t>> active;  // day * regions + region -> campaigns running there
  std::vector<double> day_cum_weight;        // cumulative session intensity of days 0..days-1

  float lift(int season, int day) const { return season < 0 ? 0.0f : season_lift[static_cast<size_t>(day) * kNumSeasons + season]; }
  int day_of_week(int day) const;            // 0 = Monday
  const std::vector<int16_t>& active_campaigns(int day, int region) const { return active[static_cast<size_t>(day) * regions + region]; }
  // Whether `item` is promoted on `day` in `region`; `campaign` (optional) receives the campaign index.
  bool promoted(const Item& item, const Taxonomy& taxonomy, int day, int region, int* campaign = nullptr) const;
  // Seasons active on at least one day of the timeline, in kSeasons order.
  std::vector<int> seasons_in_range() const;
};

}  // namespace stars::synth
