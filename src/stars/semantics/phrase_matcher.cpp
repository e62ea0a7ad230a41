#include "stars/semantics/phrase_matcher.h"

#include "stars/core/error.h"
#include "stars/core/strings.h"

namespace stars::semantics {

void PhraseMatcher::add(std::string_view pattern, int32_t label, const std::string& where) {
  Pattern p;
  p.label = label;
  // Split on whitespace first so that wildcards survive, then normalise each literal like the text.
  for (std::string_view raw : split(pattern, ' ')) {
    raw = trim(raw);
    if (raw.empty()) continue;
    if (raw == "#") {
      p.words.push_back({Kind::kNumber, ""});
    } else if (raw == "?") {
      p.words.push_back({Kind::kAny, ""});
    } else {
      const bool prefix = raw.back() == '*';
      if (prefix) raw.remove_suffix(1);
      WordTokens t;
      t.add(raw);
      STARS_CHECK_ARG(!t.empty(), where << ": pattern '" << pattern << "' has a wildcard or punctuation without a word");
      for (size_t i = 0; i < t.size(); ++i) {
        const bool last = i + 1 == t.size();
        p.words.push_back({prefix && last ? Kind::kPrefix : Kind::kWord, std::string(t[i])});
      }
    }
  }
  STARS_CHECK_ARG(!p.words.empty(), where << ": empty pattern");
  bool has_literal = false;
  for (const auto& w : p.words) has_literal = has_literal || w.kind == Kind::kWord || w.kind == Kind::kPrefix;
  STARS_CHECK_ARG(has_literal, where << ": pattern '" << pattern << "' has only wildcards; it needs at least one word");
  const int32_t id = static_cast<int32_t>(patterns_.size());
  if (p.words.front().kind == Kind::kWord) {
    bool added = false;
    const int32_t slot = first_words_.intern(p.words.front().text, &added);
    if (added) by_first_.emplace_back();
    by_first_[slot].push_back(id);
  } else {
    unanchored_.push_back(id);
  }
  patterns_.push_back(std::move(p));
}

bool PhraseMatcher::matches_at(const Pattern& p, const WordTokens& tokens, size_t pos) const {
  if (pos + p.words.size() > tokens.size()) return false;
  for (size_t k = 0; k < p.words.size(); ++k) {
    const std::string_view tok = tokens[pos + k];
    const Word& w = p.words[k];
    switch (w.kind) {
      case Kind::kWord:
        if (tok != w.text) return false;
        break;
      case Kind::kPrefix:
        if (!starts_with(tok, w.text)) return false;
        break;
      case Kind::kNumber:
        if (!is_number_token(tok)) return false;
        break;
      case Kind::kAny:
        break;
    }
  }
  return true;
}

void PhraseMatcher::find(const WordTokens& tokens, std::vector<int32_t>* labels) const {
  for (size_t pos = 0; pos < tokens.size(); ++pos) {
    const int32_t slot = first_words_.find(tokens[pos]);
    if (slot >= 0)
      for (int32_t id : by_first_[slot])
        if (matches_at(patterns_[id], tokens, pos)) labels->push_back(patterns_[id].label);
    for (int32_t id : unanchored_)
      if (matches_at(patterns_[id], tokens, pos)) labels->push_back(patterns_[id].label);
  }
}

}  // namespace stars::semantics
