// Calendar arithmetic on unix seconds (UTC) without the C library's time zone state: parsing of unix
// seconds and ISO-8601 timestamps, and the calendar parts the model embeds (hour, day of week, day of year).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stars {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d);

// Parses unix seconds ("1700000000", also with a fractional part or in milliseconds when it has 13 digits)
// or ISO-8601 ("2024-03-01", "2024-03-01T08:30:00", "...Z", "...+02:00", "2024-03-01 08:30:00").
// Returns false if the text is neither.
bool parse_timestamp(std::string_view s, int64_t* unix_seconds);
// Parses a date "YYYY-MM-DD" into days since epoch.
bool parse_date(std::string_view s, int64_t* days);

std::string format_iso8601(int64_t unix_seconds);   // "2024-03-01T08:30:00Z"
std::string format_date(int64_t days);              // "2024-03-01"

inline int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
inline int64_t day_of(int64_t ts) { return floor_div(ts, 86400); }
inline int hour_of_day(int64_t ts) { return static_cast<int>((ts - day_of(ts) * 86400) / 3600); }
// 0 = Monday ... 6 = Sunday.
inline int day_of_week(int64_t ts) { return static_cast<int>(((day_of(ts) % 7) + 7 + 3) % 7); }
// 0-based day within the year (0..365).
int day_of_year(int64_t ts);
// Week of year 0..52 (day_of_year / 7).
inline int week_of_year(int64_t ts) { return day_of_year(ts) / 7; }

}  // namespace stars
