#include "stars/data/value_parsing.h"

#include "stars/core/strings.h"

namespace stars::data {

bool parse_bool(std::string_view s, bool fallback, bool* out) {
  const std::string t = to_lower(trim(s));
  if (t.empty()) { *out = fallback; return true; }
  if (t == "1" || t == "true" || t == "yes" || t == "y" || t == "t") { *out = true; return true; }
  if (t == "0" || t == "false" || t == "no" || t == "n" || t == "f") { *out = false; return true; }
  return false;
}

std::vector<std::string> split_list(std::string_view s, char sep) {
  std::vector<std::string> out;
  if (trim(s).empty()) return out;
  for (auto part : split(s, sep)) {
    auto t = trim(part);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

bool is_active_flag(std::string_view s) {
  const std::string t = to_lower(trim(s));
  if (t.empty() || t == "false" || t == "no" || t == "n" || t == "f") return false;
  double v;
  if (parse_double(t, &v)) return v != 0.0;
  return true;
}

std::vector<std::string> parse_category_path(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = trim(s.substr(1, s.size() - 2));
  std::vector<std::string> out;
  if (s.empty()) return out;
  if (s.front() == '\'' || s.front() == '"') {
    size_t p = 0;
    while (p < s.size()) {
      const char q = s[p];
      if (q != '\'' && q != '"') break;  // not a quoted list after all: fall back below
      size_t k = p + 1;
      while (k < s.size()) {
        if (s[k] == q) {
          size_t n = k + 1;
          while (n < s.size() && s[n] == ' ') ++n;
          if (n >= s.size() || s[n] == ',') break;
        }
        ++k;
      }
      const auto part = trim(s.substr(p + 1, k - p - 1));
      if (!part.empty()) out.emplace_back(part);
      p = k + 1;
      while (p < s.size() && (s[p] == ' ' || s[p] == ',')) ++p;
    }
    if (p >= s.size()) return out;
    out.clear();
  }
  if (s.find('>') != std::string_view::npos) return split_list(s, '>');
  if (s.find(',') != std::string_view::npos) return split_list(s, ',');
  return split_list(s, ' ');
}

}  // namespace stars::data
