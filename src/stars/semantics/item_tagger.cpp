#include "stars/semantics/item_tagger.h"

#include <algorithm>

#include "stars/core/strings.h"

namespace stars::semantics {

TagVocabulary load_configured_vocabulary(const TagConfig& config) {
  TagVocabulary v;
  for (const auto& name : config.vocabularies) v.merge(TagVocabulary::builtin(name));
  for (const auto& path : config.vocabulary_files) v.merge(TagVocabulary::load_file(path));
  return v;
}

bool is_derived_tag(const std::string& tag) {
  return starts_with(tag, kBrandTagPrefix) || starts_with(tag, kCategoryTagPrefix);
}

ItemTagger::ItemTagger(TagVocabulary vocabulary, TagConfig config)
    : rules_(std::move(vocabulary)), config_(std::move(config)) {}

std::vector<std::string> ItemTagger::tags(const ItemText& item, const std::vector<int32_t>* llm_tags) const {
  const auto& vocab = rules_.vocabulary().tags();
  std::vector<std::string> out;
  if (uses_rules())
    for (int32_t t : rules_.match(item)) out.push_back(vocab[t].name);
  if (llm_tags)
    for (int32_t t : *llm_tags)
      if (t >= 0 && t < static_cast<int32_t>(vocab.size())) out.push_back(vocab[t].name);
  if (config_.keep_input_tags) {
    for (const auto& raw : item.tags) {
      const std::string_view t = trim(raw);
      if (t.empty()) continue;
      const auto known = rules_.vocabulary().find(t);
      out.push_back(known ? vocab[*known].name : std::string(t));
    }
  }
  const std::string_view brand = trim(item.brand);
  if (config_.brand_tags && !brand.empty()) out.push_back(kBrandTagPrefix + std::string(brand));
  if (config_.category_tags && !item.category.empty()) {
    const size_t depth = config_.category_tag_depth > 0
                             ? std::min<size_t>(item.category.size(), static_cast<size_t>(config_.category_tag_depth))
                             : item.category.size();
    std::string path;
    for (size_t d = 0; d < depth; ++d) {
      if (d) path += " > ";
      path += trim(item.category[d]);
      out.push_back(kCategoryTagPrefix + path);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace stars::semantics
