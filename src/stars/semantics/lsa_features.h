// Sparse text features of an item for the LSA embedder: word n-grams of the title, character n-grams of
// title and brand words (with word boundaries, as scikit-learn's "char_wb"), word n-grams of the
// description, every prefix of the category path plus the words of its leaf, and the brand. Each
// feature is a 64-bit key: a hash of its text whose top 3 bits name its block, so blocks can be weighted
// separately and no vocabulary of strings has to be kept. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/semantics/enrich_config.h"
#include "stars/semantics/item_text.h"
#include "stars/semantics/text_tokens.h"

namespace stars::semantics {

// Version of the feature hashing (recorded in saved models; a model hashed differently is refused).
constexpr const char* kFeatureHashVersion = "fh1";

enum class FeatureBlock : uint8_t { kTitle = 0, kChars = 1, kDescription = 2, kCategory = 3, kBrand = 4 };
constexpr int kNumFeatureBlocks = 5;

inline int feature_block(uint64_t key) { return static_cast<int>(key >> 61); }

struct FeatureCount {
  uint64_t key;
  float count;  // occurrences in the item
};

// Not thread-safe (it keeps scratch buffers): use one per thread.
class FeatureExtractor {
 public:
  explicit FeatureExtractor(const LsaConfig& config) : config_(config) {}
  // The features of `item`, sorted by key, each key once with its count.
  void extract(const ItemText& item, std::vector<FeatureCount>* out);

 private:
  void add_word_ngrams(FeatureBlock block, std::string_view text);
  void add_char_ngrams(std::string_view text);
  LsaConfig config_;
  WordTokens words_;
  std::string scratch_;
  std::vector<uint64_t> keys_;
};

}  // namespace stars::semantics
