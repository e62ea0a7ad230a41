#include "stars/semantics/rule_tagger.h"

#include <algorithm>

#include "stars/semantics/text_tokens.h"

namespace stars::semantics {

RuleTagger::RuleTagger(TagVocabulary vocabulary) : vocab_(std::move(vocabulary)) {
  const auto& tags = vocab_.tags();
  scope_.resize(tags.size());
  for (size_t t = 0; t < tags.size(); ++t) {
    const int32_t label = static_cast<int32_t>(t);
    const TagEntry& e = tags[t];
    include_.add(e.name, label, e.source);
    for (const auto& p : e.patterns) include_.add(p, label, e.source);
    for (const auto& p : e.excludes) exclude_.add(p, label, e.source);
    for (const auto& s : e.scope) scope_[t].push_back(normalize_text(s));
  }
}

bool RuleTagger::in_scope(int32_t tag, const std::vector<std::string>& levels) const {
  const auto& scope = scope_[tag];
  if (scope.empty() || levels.empty()) return true;
  for (const auto& l : levels)
    if (std::find(scope.begin(), scope.end(), l) != scope.end()) return true;
  return false;
}

std::vector<int32_t> RuleTagger::match(const ItemText& item) const {
  std::vector<int32_t> hits, vetoes;
  WordTokens tokens;
  // Each field is matched on its own so that a phrase never spans two fields.
  auto scan = [&](std::string_view text) {
    tokens.clear();
    tokens.add(text);
    include_.find(tokens, &hits);
    exclude_.find(tokens, &vetoes);
  };
  scan(item.title);
  scan(item.description);
  scan(item.brand);
  std::vector<std::string> levels;
  for (const auto& c : item.category) {
    scan(c);
    levels.push_back(normalize_text(c));
  }
  for (const auto& t : item.tags) scan(t);
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  std::sort(vetoes.begin(), vetoes.end());
  std::vector<int32_t> out;
  for (int32_t t : hits)
    if (!std::binary_search(vetoes.begin(), vetoes.end(), t) && in_scope(t, levels)) out.push_back(t);
  return out;
}

}  // namespace stars::semantics
