#include "stars/core/time.h"

#include <cstdio>

#include "stars/core/strings.h"

namespace stars {

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

int day_of_year(int64_t ts) {
  int64_t y;
  unsigned m, d;
  const int64_t days = day_of(ts);
  civil_from_days(days, &y, &m, &d);
  return static_cast<int>(days - days_from_civil(y, 1, 1));
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool valid_date(int y, int m, int d) {
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

}  // namespace

bool parse_date(std::string_view s, int64_t* days) {
  s = trim(s);
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!digits(s, 0, 4, &y) || !digits(s, 5, 2, &m) || !digits(s, 8, 2, &d) || !valid_date(y, m, d)) return false;
  *days = days_from_civil(y, m, d);
  return true;
}

bool parse_timestamp(std::string_view s, int64_t* out) {
  s = trim(s);
  if (s.empty()) return false;
  // Unix seconds (possibly fractional), or milliseconds when it has 13+ integer digits.
  bool numeric = true;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-')) { numeric = false; break; }
  if (numeric && s.find('-', 1) == std::string_view::npos) {
    const size_t dot = s.find('.');
    std::string_view ip = s.substr(0, dot);
    int64_t v;
    if (!parse_int64(ip, &v)) return false;
    if (dot != std::string_view::npos) {
      std::string_view fp = s.substr(dot + 1);
      for (char c : fp)
        if (c < '0' || c > '9') return false;
    }
    const size_t ndig = ip.size() - (ip[0] == '-');
    *out = ndig >= 13 ? floor_div(v, 1000) : v;
    return true;
  }
  int64_t days;
  if (s.size() < 10 || !parse_date(s.substr(0, 10), &days)) return false;
  int64_t secs = 0;
  size_t p = 10;
  if (p < s.size() && (s[p] == 'T' || s[p] == ' ')) {
    int hh, mm, ss = 0;
    if (!digits(s, p + 1, 2, &hh) || p + 3 >= s.size() || s[p + 3] != ':' || !digits(s, p + 4, 2, &mm)) return false;
    p += 6;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, &ss)) return false;
      p += 3;
      if (p < s.size() && s[p] == '.') {
        ++p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
      }
    }
    if (hh > 23 || mm > 59 || ss > 60) return false;
    secs = hh * 3600 + mm * 60 + ss;
    if (p < s.size()) {
      if (s[p] == 'Z' && p + 1 == s.size()) {
        p += 1;
      } else if ((s[p] == '+' || s[p] == '-') && (s.size() == p + 6 || s.size() == p + 5)) {
        int oh, om;
        const bool colon = s.size() == p + 6;
        if (!digits(s, p + 1, 2, &oh) || (colon && s[p + 3] != ':') || !digits(s, p + (colon ? 4 : 3), 2, &om)) return false;
        const int64_t off = oh * 3600 + om * 60;
        secs += s[p] == '+' ? -off : off;
        p = s.size();
      } else {
        return false;
      }
    }
  }
  if (p != s.size()) return false;
  *out = days * 86400 + secs;
  return true;
}

std::string format_date(int64_t days) {
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string format_iso8601(int64_t ts) {
  const int64_t days = day_of(ts);
  const int64_t rem = ts - days * 86400;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%sT%02d:%02d:%02dZ", format_date(days).c_str(), static_cast<int>(rem / 3600),
                static_cast<int>(rem % 3600 / 60), static_cast<int>(rem % 60));
  return buf;
}

}  // namespace stars
