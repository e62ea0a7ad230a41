#include "stars/model/calendar_index.h"

#include <algorithm>

#include "stars/core/error.h"
#include "stars/core/time.h"
#include "stars/data/dataset.h"

namespace stars::model {

void CalendarIndex::add(int64_t day, int32_t region, const std::vector<int32_t>& events) {
  if (events.empty()) return;
  auto& v = rows_[key(day, region)];
  v.insert(v.end(), events.begin(), events.end());
}

void CalendarIndex::active(int64_t day, int32_t region, std::vector<int64_t>* out) const {
  auto it = rows_.find(key(day, 0));
  if (it != rows_.end()) out->insert(out->end(), it->second.begin(), it->second.end());
  if (region != 0) {
    auto jt = rows_.find(key(day, region));
    if (jt != rows_.end()) out->insert(out->end(), jt->second.begin(), jt->second.end());
  }
}

CalendarIndex::Rows CalendarIndex::rows() const {
  std::vector<int64_t> keys;
  keys.reserve(rows_.size());
  for (const auto& kv : rows_) keys.push_back(kv.first);
  std::sort(keys.begin(), keys.end());
  Rows r;
  for (int64_t k : keys) {
    const auto& ids = rows_.at(k);
    r.day.push_back(floor_div(k, 65536));
    r.region.push_back(static_cast<int32_t>(k - floor_div(k, 65536) * 65536));
    r.ids.insert(r.ids.end(), ids.begin(), ids.end());
    r.offsets.push_back(r.ids.size());
  }
  return r;
}

CalendarIndex CalendarIndex::from_rows(const Rows& r) {
  STARS_CHECK_DATA(r.offsets.size() == r.day.size() + 1 && r.region.size() == r.day.size() && r.offsets.back() == r.ids.size(),
                   "calendar rows: inconsistent sizes");
  CalendarIndex c;
  for (size_t i = 0; i < r.day.size(); ++i) {
    STARS_CHECK_DATA(r.offsets[i] <= r.offsets[i + 1], "calendar rows: offsets decrease at row " << i);
    c.add(r.day[i], r.region[i], std::vector<int32_t>(r.ids.begin() + r.offsets[i], r.ids.begin() + r.offsets[i + 1]));
  }
  return c;
}

CalendarIndex calendar_from_dataset(const data::Dataset& ds) {
  CalendarIndex c;
  if (!ds.info().has_time || ds.calendar_event_names().empty()) return c;
  const int64_t d0 = day_of(ds.info().time_min), d1 = day_of(ds.info().time_max) + 366;
  const int32_t n_regions = std::max<int32_t>(1, static_cast<int32_t>(ds.region_names().size()));
  for (int64_t d = d0; d <= d1; ++d) {
    c.add(d, 0, ds.active_calendar_events(d, 0));
    for (int32_t r = 1; r < n_regions; ++r) {
      // active_calendar_events(d, r) includes the region-independent rows: keep only the regional ones.
      std::vector<int32_t> all = ds.active_calendar_events(d, r), base = ds.active_calendar_events(d, 0);
      if (all.size() > base.size()) c.add(d, r, std::vector<int32_t>(all.begin() + base.size(), all.end()));
    }
  }
  return c;
}

}  // namespace stars::model
