// The built-in tagger (paper §4.1, attribute tags): matches the patterns of a controlled vocabulary
// against an item's title, description, category levels, brand and input tags, honouring veto patterns
// and category scopes. Deterministic, no service needed, microseconds per item. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/semantics/item_text.h"
#include "stars/semantics/phrase_matcher.h"
#include "stars/semantics/tag_vocabulary.h"

namespace stars::semantics {

class RuleTagger {
 public:
  explicit RuleTagger(TagVocabulary vocabulary);

  const TagVocabulary& vocabulary() const { return vocab_; }
  // Indices into vocabulary().tags() of the tags that match the item, sorted and unique. Thread-safe.
  std::vector<int32_t> match(const ItemText& item) const;

 private:
  bool in_scope(int32_t tag, const std::vector<std::string>& normalized_levels) const;
  TagVocabulary vocab_;
  PhraseMatcher include_, exclude_;
  std::vector<std::vector<std::string>> scope_;  // per tag: normalised scope levels
};

}  // namespace stars::semantics
