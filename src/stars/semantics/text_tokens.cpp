#include "stars/semantics/text_tokens.h"

namespace stars::semantics {
namespace {
inline bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}
}  // namespace

void WordTokens::clear() {
  buf_.clear();
  begin_.clear();
  end_.clear();
}

void WordTokens::add(std::string_view text) {
  bool in_word = false;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (is_word_byte(c)) {
      if (!in_word) {
        begin_.push_back(static_cast<uint32_t>(buf_.size()));
        in_word = true;
      }
      buf_.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : static_cast<char>(c));
    } else if (in_word && c == '\'' && i + 1 < n && is_word_byte(static_cast<unsigned char>(text[i + 1]))) {
      continue;  // "women's" -> "womens"
    } else if (in_word) {
      end_.push_back(static_cast<uint32_t>(buf_.size()));
      in_word = false;
    }
  }
  if (in_word) end_.push_back(static_cast<uint32_t>(buf_.size()));
}

std::vector<std::string> WordTokens::to_vector() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.emplace_back((*this)[i]);
  return out;
}

std::string normalize_text(std::string_view text) {
  WordTokens t;
  t.add(text);
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i) out.push_back(' ');
    out += t[i];
  }
  return out;
}

std::string truncate_utf8(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a sequence
  return text.substr(0, end);
}

bool is_number_token(std::string_view w) {
  if (w.empty()) return false;
  for (char c : w)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace stars::semantics
