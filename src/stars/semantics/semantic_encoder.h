// The public, torch-free API that turns one new item's text into its semantic tokens at request time
// (paper §4.1: what lets a product be recommended before anyone bought it): load the fitted text
// embedder and tagger that `stars enrich` wrote into DS/semantics/ (or a copy of those files inside a
// serving snapshot), then embed and tag items one at a time. With the built-in LSA provider an item
// costs tens of microseconds; with the "openai" provider each embed() is one HTTP request (API key from
// the environment variable named at enrich time); precomputed vectors cannot embed new text.
//
//   auto enc = stars::semantics::SemanticEncoder::load(snapshot_dir + "/semantics");
//   stars::semantics::ItemText item{"sku-9", "Organic Oat Milk 1L", "", {"Dairy", "Milk Alternatives"}, "Oatly"};
//   std::vector<float> v = enc->embed(item);          // enc->dim() floats, L2-normalised
//   std::vector<int32_t> tags = enc->tag_ids(item);   // ids into enc->tag_names()
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "stars/semantics/item_tagger.h"
#include "stars/semantics/text_embedder.h"

namespace stars::semantics {

class LsaEmbedder;

// Files of DS/semantics/ that the encoder reads (the rest is the artifact, caches and reports).
constexpr const char* kEmbedderFile = "embedder.json";     // provider, model, dim, provider configuration
constexpr const char* kLsaModelFile = "lsa.tbl";           // fitted LSA (provider "lsa")
constexpr const char* kTaggerFile = "tagger.json";         // tag configuration, vocabulary version, tag names
constexpr const char* kVocabularyFile = "vocabulary.tags"; // the merged tag vocabulary

class SemanticEncoder {
 public:
  // Loads from a directory holding the files above. Errors name the file and what was expected.
  static std::unique_ptr<SemanticEncoder> load(const std::string& dir);
  ~SemanticEncoder();

  int dim() const { return dim_; }
  const std::string& provider() const { return provider_; }
  const std::string& model() const { return model_; }
  // False for precomputed vectors: embed() then throws kUnavailable.
  bool can_embed() const;
  // The L2-normalised text vector of an item (zeros when it has no text). Thread-safe.
  std::vector<float> embed(const ItemText& item) const;
  void embed(const ItemText& item, float* out) const;

  // The item's tags (controlled-vocabulary rules, input tags, brand and category tags) that exist in the
  // tag vocabulary of the enriched dataset, as ids into tag_names(); other tags are dropped. Thread-safe.
  std::vector<int32_t> tag_ids(const ItemText& item) const;
  // All tag names the tagger gives the item, including ones outside tag_names().
  std::vector<std::string> tags(const ItemText& item) const;
  const std::vector<std::string>& tag_names() const { return tag_names_; }
  const std::string& vocab_version() const { return vocab_version_; }

 private:
  SemanticEncoder() = default;
  std::string provider_, model_, vocab_version_;
  int dim_ = 0;
  std::unique_ptr<TextEmbedder> embedder_;
  const LsaEmbedder* lsa_ = nullptr;  // embedder_ when the provider is LSA (lock-free fast path)
  std::unique_ptr<ItemTagger> tagger_;
  std::vector<std::string> tag_names_;
  std::unordered_map<std::string, int32_t> tag_id_;
};

// Copies the files SemanticEncoder::load needs from `src_dir` (DS/semantics) to `dst_dir` (created),
// e.g. into a serving snapshot. Returns the names of the files copied.
std::vector<std::string> copy_semantic_encoder_files(const std::string& src_dir, const std::string& dst_dir);

}  // namespace stars::semantics
