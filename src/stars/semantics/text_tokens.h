// Text normalisation shared by the LSA featuriser and the tag matcher: ASCII letters are lowercased,
// digits and non-ASCII UTF-8 bytes are word characters, an apostrophe inside a word is dropped
// ("women's" -> "womens"), everything else separates words ("Gluten-Free" -> "gluten", "free").
// Tokens are views into one buffer, so tokenising a title allocates nothing once the buffers are warm.
// Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stars::semantics {

class WordTokens {
 public:
  void clear();
  // Appends the words of `text`. A boundary is always placed between two add() calls.
  void add(std::string_view text);
  size_t size() const { return begin_.size(); }
  bool empty() const { return begin_.empty(); }
  std::string_view operator[](size_t i) const { return std::string_view(buf_.data() + begin_[i], end_[i] - begin_[i]); }
  std::vector<std::string> to_vector() const;

 private:
  std::string buf_;
  std::vector<uint32_t> begin_, end_;
};

// The words of `text` joined by single spaces ("  Sugar-FREE " -> "sugar free").
std::string normalize_text(std::string_view text);

// Cuts `text` to at most `max_bytes` bytes without splitting a UTF-8 sequence.
std::string truncate_utf8(const std::string& text, size_t max_bytes);

// True if every byte of `w` is an ASCII digit.
bool is_number_token(std::string_view w);

}  // namespace stars::semantics
