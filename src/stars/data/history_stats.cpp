#include "stars/data/history_stats.h"

#include "stars/core/error.h"
#include "stars/data/dataset.h"

namespace stars::data {

double repeat_rate(const Dataset& ds, const std::vector<uint8_t>& mask) {
  STARS_CHECK_ARG(mask.size() == static_cast<size_t>(ds.num_events()),
                  "repeat_rate: mask of " << mask.size() << " events for a dataset of " << ds.num_events());
  const auto off = ds.user_offsets();
  const auto items = ds.event_items();
  // Stamps instead of a per-user set: stamp[i] == u + 1 means item i was seen in user u's events so far.
  std::vector<uint32_t> stamp(static_cast<size_t>(ds.num_items()), 0);
  int64_t counted = 0, repeats = 0;
  for (int32_t u = 0; u < ds.num_users(); ++u) {
    const uint32_t value = static_cast<uint32_t>(u) + 1;
    bool first = true;
    for (uint64_t e = off[u]; e < off[u + 1]; ++e) {
      if (!mask[e]) continue;
      const int32_t it = items[e];
      if (!first) {
        ++counted;
        repeats += stamp[it] == value;
      }
      stamp[it] = value;
      first = false;
    }
  }
  return counted > 0 ? static_cast<double>(repeats) / static_cast<double>(counted) : 0.0;
}

void check_exclude_history(const std::string& setting, const std::string& field) {
  STARS_CHECK_ARG(setting == "auto" || setting == "true" || setting == "false",
                  field << " must be auto, true or false, got '" << setting << "'");
}

bool resolve_exclude_history(const std::string& setting, double rate, const std::string& field) {
  check_exclude_history(setting, field);
  if (setting == "auto") return rate < kExcludeHistoryMaxRepeatRate;
  return setting == "true";
}

}  // namespace stars::data
