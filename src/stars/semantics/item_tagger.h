// Assembles the attribute tags of one item (paper §4.1): controlled-vocabulary tags from the rule tagger
// and/or the LLM tagger, the tags given in the input (mapped onto the vocabulary when they name one of
// its tags, kept as they are otherwise), and optional brand ("brand:OPI") and category-level
// ("category:Beauty > Makeup") tags. Used by `stars enrich` and, for new items, by the serving API.
// Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/semantics/enrich_config.h"
#include "stars/semantics/item_text.h"
#include "stars/semantics/rule_tagger.h"

namespace stars::semantics {

constexpr const char* kBrandTagPrefix = "brand:";
constexpr const char* kCategoryTagPrefix = "category:";

// The vocabulary a configuration asks for: the built-in vocabularies named in `vocabularies`, then the
// files in `vocabulary_files`, merged in that order.
TagVocabulary load_configured_vocabulary(const TagConfig& config);

// True for tags made from the brand or category path (subject to TagConfig::derived_min_items).
bool is_derived_tag(const std::string& tag);

class ItemTagger {
 public:
  ItemTagger(TagVocabulary vocabulary, TagConfig config);

  const TagVocabulary& vocabulary() const { return rules_.vocabulary(); }
  const RuleTagger& rules() const { return rules_; }
  const TagConfig& config() const { return config_; }
  // True when tags.tagger asks for vocabulary matching by rules.
  bool uses_rules() const { return config_.tagger == "rules" || config_.tagger == "both"; }

  // The tag names of an item, sorted and unique. `llm_tags` holds vocabulary indices from the LLM
  // tagger, or is null. Thread-safe.
  std::vector<std::string> tags(const ItemText& item, const std::vector<int32_t>* llm_tags) const;

 private:
  RuleTagger rules_;
  TagConfig config_;
};

}  // namespace stars::semantics
