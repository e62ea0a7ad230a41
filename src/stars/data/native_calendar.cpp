// Native calendar file: date [, region], then one column per named holiday/event/promotion.
#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/core/time.h"
#include "stars/data/native_reader.h"
#include "stars/data/value_parsing.h"

namespace stars::data {

void read_native_calendar(const std::string& path, IngestContext& cx) {
  std::vector<std::string> active;
  for_each_native_row(path, "calendar", {"date"}, cx, [&](const TabularReader& reader, const TabularRow& row) {
    const auto& cols = reader.columns();
    const int c_date = reader.column("date"), c_region = reader.column("region");
    const std::string_view date = c_date >= 0 ? row.values[c_date] : std::string_view();
    if (trim(date).empty()) {
      cx.errors.report(RowError::kEmptyId, path, row.line, "empty or missing date");
      return false;
    }
    int64_t day = 0, ts = 0;
    if (!parse_date(date, &day)) {
      if (!parse_timestamp(date, &ts)) {
        cx.errors.report(RowError::kBadTime, path, row.line, "date " + show_value(date) + " is not YYYY-MM-DD");
        return false;
      }
      day = day_of(ts);
    }
    active.clear();
    for (size_t c = 0; c < cols.size(); ++c)
      if (static_cast<int>(c) != c_date && static_cast<int>(c) != c_region && !cols[c].empty() &&
          is_active_flag(row.values[c]))
        active.push_back(cols[c]);
    const int32_t region = c_region >= 0 ? cx.builder.region_code(trim(row.values[c_region])) : 0;
    cx.builder.add_calendar_day(day, region, active);
    return true;
  });
  cx.errors.end_file(path);
}

}  // namespace stars::data
