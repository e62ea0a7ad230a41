#include "stars/data/jsonl_reader.h"

#include <cstring>

#include "stars/core/error.h"

namespace stars::data {

namespace {

CsvOptions line_options(const TabularOptions& o) {
  CsvOptions c;
  c.delimiter = '\n';
  c.quoting = false;
  c.header = false;
  c.check_utf8 = o.check_utf8;
  return c;
}

inline void skip_ws(std::string_view s, size_t& p) {
  while (p < s.size() && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r' || s[p] == '\n')) ++p;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool hex4(std::string_view s, size_t p, uint32_t* v) {
  if (p + 4 > s.size()) return false;
  uint32_t r = 0;
  for (size_t i = p; i < p + 4; ++i) {
    const char c = s[i];
    r <<= 4;
    if (c >= '0' && c <= '9') r |= c - '0';
    else if (c >= 'a' && c <= 'f') r |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') r |= c - 'A' + 10;
    else return false;
  }
  *v = r;
  return true;
}

// Parses a JSON string starting at s[p] == '"'. Without escapes, *view is a view into s; with escapes the
// decoded text is appended to `arena` and *in_arena is set. Returns an error message or "".
std::string parse_string(std::string_view s, size_t& p, std::string& arena, bool* in_arena, size_t* begin,
                         size_t* size) {
  ++p;
  const size_t start = p;
  while (p < s.size() && s[p] != '"' && s[p] != '\\') {
    if (static_cast<unsigned char>(s[p]) < 0x20) return "control character inside a string";
    ++p;
  }
  if (p >= s.size()) return "unterminated string";
  if (s[p] == '"') {
    *in_arena = false;
    *begin = start;
    *size = p - start;
    ++p;
    return "";
  }
  *in_arena = true;
  *begin = arena.size();
  arena.append(s.data() + start, p - start);
  while (true) {
    if (p >= s.size()) return "unterminated string";
    const char c = s[p];
    if (c == '"') {
      ++p;
      break;
    }
    if (static_cast<unsigned char>(c) < 0x20) return "control character inside a string";
    if (c != '\\') {
      arena.push_back(c);
      ++p;
      continue;
    }
    if (p + 1 >= s.size()) return "unterminated string";
    const char e = s[p + 1];
    p += 2;
    switch (e) {
      case '"': arena.push_back('"'); break;
      case '\\': arena.push_back('\\'); break;
      case '/': arena.push_back('/'); break;
      case 'b': arena.push_back('\b'); break;
      case 'f': arena.push_back('\f'); break;
      case 'n': arena.push_back('\n'); break;
      case 'r': arena.push_back('\r'); break;
      case 't': arena.push_back('\t'); break;
      case 'u': {
        uint32_t cp;
        if (!hex4(s, p, &cp)) return "bad \\u escape";
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (p + 6 > s.size() || s[p] != '\\' || s[p + 1] != 'u' || !hex4(s, p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return "unpaired UTF-16 surrogate in \\u escape";
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return "unpaired UTF-16 surrogate in \\u escape";
        }
        append_utf8(arena, cp);
        break;
      }
      default: return std::string("bad escape \\") + e;
    }
  }
  *size = arena.size() - *begin;
  return "";
}

// A scalar that is not a string: number, true, false, null. Returns its text (null -> empty) or an error.
std::string parse_bare(std::string_view s, size_t& p, size_t* begin, size_t* size) {
  const size_t start = p;
  while (p < s.size() && s[p] != ',' && s[p] != '}' && s[p] != ']' && s[p] != ' ' && s[p] != '\t' && s[p] != '\r')
    ++p;
  std::string_view t = s.substr(start, p - start);
  *begin = start;
  *size = t.size();
  if (t == "null") {
    *size = 0;
    return "";
  }
  if (t == "true" || t == "false") return "";
  if (t.empty()) return "missing value";
  // JSON number grammar (loosely: sign, digits, fraction, exponent).
  size_t i = 0;
  if (t[i] == '-') ++i;
  bool digits = false;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') { ++i; digits = true; }
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') { ++i; digits = true; }
  }
  if (digits && i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    bool ed = false;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') { ++i; ed = true; }
    if (!ed) digits = false;
  }
  if (!digits || i != t.size()) return "not a JSON value: " + std::string(t.substr(0, 40));
  return "";
}

}  // namespace

JsonlReader::JsonlReader(const std::string& path, const TabularOptions& options)
    : TabularReader(path), lines_(path, line_options(options)), opt_(options) {}

int JsonlReader::column_of(std::string_view key) {
  std::string_view name = key;
  if (!opt_.renames.empty()) {
    auto it = opt_.renames.find(std::string(key));
    if (it != opt_.renames.end()) name = it->second;
  }
  bool added = false;
  const int32_t id = keys_.intern(name, &added);
  if (added) {
    columns_.emplace_back(name);
    slots_.push_back({false, 0, 0});
    seen_.push_back(0);
  }
  return id;
}

std::string JsonlReader::parse(std::string_view s, TabularRow& row) {
  size_t p = 0;
  skip_ws(s, p);
  if (p >= s.size() || s[p] != '{') return "expected a JSON object '{' at byte " + std::to_string(p + 1);
  ++p;
  skip_ws(s, p);
  if (p < s.size() && s[p] == '}') {
    ++p;
  } else {
    while (true) {
      skip_ws(s, p);
      if (p >= s.size() || s[p] != '"') return "expected a key string at byte " + std::to_string(p + 1);
      bool key_in_arena;
      size_t kb, ks;
      std::string err = parse_string(s, p, arena_, &key_in_arena, &kb, &ks);
      if (!err.empty()) return err + " at byte " + std::to_string(p + 1);
      const std::string key = key_in_arena ? arena_.substr(kb, ks) : std::string(s.substr(kb, ks));
      const int col = column_of(key);
      if (seen_[col]) return "key '" + key + "' appears twice";
      seen_[col] = 1;
      skip_ws(s, p);
      if (p >= s.size() || s[p] != ':') return "expected ':' after key '" + key + "' at byte " + std::to_string(p + 1);
      ++p;
      skip_ws(s, p);
      if (p >= s.size()) return "missing value for key '" + key + "'";
      Slot& slot = slots_[col];
      if (s[p] == '"') {
        err = parse_string(s, p, arena_, &slot.in_arena, &slot.begin, &slot.size);
      } else if (s[p] == '[') {
        // Array of scalars -> "a|b|c" in the arena.
        ++p;
        std::string joined;
        skip_ws(s, p);
        if (p < s.size() && s[p] == ']') {
          ++p;
        } else {
          while (true) {
            skip_ws(s, p);
            if (p >= s.size()) { err = "unterminated array"; break; }
            if (s[p] == '{' || s[p] == '[') { err = "nested value inside the array of '" + key + "'"; break; }
            bool in_arena;
            size_t b, n;
            const size_t mark = arena_.size();
            err = s[p] == '"' ? parse_string(s, p, arena_, &in_arena, &b, &n) : (in_arena = false, parse_bare(s, p, &b, &n));
            if (!err.empty()) break;
            if (n > 0) {
              if (!joined.empty()) joined.push_back('|');
              joined += in_arena ? arena_.substr(b, n) : std::string(s.substr(b, n));
            }
            arena_.resize(mark);
            skip_ws(s, p);
            if (p < s.size() && s[p] == ',') { ++p; continue; }
            if (p < s.size() && s[p] == ']') { ++p; break; }
            err = "expected ',' or ']' in the array of '" + key + "' at byte " + std::to_string(p + 1);
            break;
          }
        }
        slot.in_arena = true;
        slot.begin = arena_.size();
        slot.size = joined.size();
        arena_ += joined;
      } else if (s[p] == '{') {
        err = "nested object in key '" + key + "' (only flat objects are read)";
      } else {
        slot.in_arena = false;
        err = parse_bare(s, p, &slot.begin, &slot.size);
      }
      if (!err.empty()) return err;
      skip_ws(s, p);
      if (p < s.size() && s[p] == ',') { ++p; continue; }
      if (p < s.size() && s[p] == '}') { ++p; break; }
      return "expected ',' or '}' at byte " + std::to_string(p + 1);
    }
  }
  skip_ws(s, p);
  if (p != s.size()) return "text after the closing '}' at byte " + std::to_string(p + 1);
  return "";
}

bool JsonlReader::next(TabularRow& row) {
  if (!lines_.next(rec_)) return false;
  row.line = rec_.line;
  row.error = rec_.error;
  row.error_message = rec_.error_message;
  arena_.clear();
  std::fill(seen_.begin(), seen_.end(), 0);
  const std::string_view line = rec_.fields.empty() ? std::string_view() : rec_.fields[0];
  std::string err;
  if (!row.error) {
    err = parse(line, row);
    if (!err.empty()) {
      row.error = RowError::kBadJson;
      row.error_message = err;
    }
  }
  row.values.assign(columns_.size(), std::string_view());
  if (!row.error) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (!seen_[c]) continue;
      const Slot& sl = slots_[c];
      row.values[c] = sl.in_arena ? std::string_view(arena_.data() + sl.begin, sl.size) : line.substr(sl.begin, sl.size);
    }
  }
  return true;
}

}  // namespace stars::data
