// Finds word patterns in tokenised text: the matching engine of the rule tagger. A pattern is a sequence
// of pattern words, each a literal ("free"), a prefix ("waterproof*"), any number ("#": "spf #" matches
// "spf 30") or any single word ("?"). Patterns are normalised like the text (text_tokens.h), so
// "Sugar-Free" and "sugar free" are the same pattern. Patterns are indexed by their first literal word,
// so the cost per text is about one hash lookup per word. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stars/core/string_interner.h"
#include "stars/semantics/text_tokens.h"

namespace stars::semantics {

class PhraseMatcher {
 public:
  // Adds a pattern that reports `label` when it matches. Throws kInvalidArgument for a pattern with no
  // word or a misplaced wildcard, naming `where` (e.g. "beauty.tags:12").
  void add(std::string_view pattern, int32_t label, const std::string& where);
  size_t size() const { return patterns_.size(); }

  // Appends to `labels` the label of every pattern that matches somewhere in `tokens` (a label may repeat).
  void find(const WordTokens& tokens, std::vector<int32_t>* labels) const;

 private:
  enum class Kind : uint8_t { kWord, kPrefix, kNumber, kAny };
  struct Word {
    Kind kind;
    std::string text;
  };
  struct Pattern {
    std::vector<Word> words;
    int32_t label;
  };
  bool matches_at(const Pattern& p, const WordTokens& tokens, size_t pos) const;

  std::vector<Pattern> patterns_;
  StringInterner first_words_;                   // first literal word -> index into by_first_
  std::vector<std::vector<int32_t>> by_first_;   // patterns starting with that literal word
  std::vector<int32_t> unanchored_;              // patterns starting with a wildcard or prefix
};

}  // namespace stars::semantics
