#include "stars/semantics/lsa_features.h"

#include <algorithm>

#include <cstring>

namespace stars::semantics {
namespace {

inline uint64_t mix64(uint64_t h) {
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}

// The feature hash is part of the saved model format (lsa.tbl, meta "feature_hash" = kFeatureHashVersion):
// never change it without bumping that version. Reads 8-byte little-endian words.
inline uint64_t feature_key(FeatureBlock block, std::string_view text) {
  uint64_t h = mix64(0x5354415253ULL + 0x9E3779B97F4A7C15ULL * (static_cast<uint64_t>(block) + 1) + text.size());
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    h = mix64(h ^ w);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, text.data() + i, text.size() - i);
  h = mix64(h ^ tail ^ 0xA0761D6478BD642FULL);
  return (h & ((1ULL << 61) - 1)) | (static_cast<uint64_t>(block) << 61);
}

}  // namespace

void FeatureExtractor::add_word_ngrams(FeatureBlock block, std::string_view text) {
  words_.clear();
  words_.add(text);
  const size_t n = words_.size();
  for (size_t i = 0; i < n; ++i) {
    keys_.push_back(feature_key(block, words_[i]));
    scratch_.assign(words_[i]);
    for (int g = 2; g <= config_.word_ngram_max && i + g <= n; ++g) {
      scratch_ += ' ';
      scratch_ += words_[i + g - 1];
      keys_.push_back(feature_key(block, scratch_));
    }
  }
}

void FeatureExtractor::add_char_ngrams(std::string_view text) {
  words_.clear();
  words_.add(text);
  const int lo = config_.char_ngram_min, hi = config_.char_ngram_max;
  for (size_t i = 0; i < words_.size(); ++i) {
    scratch_.assign(1, ' ');
    scratch_ += words_[i];
    scratch_ += ' ';
    const int len = static_cast<int>(scratch_.size());
    const std::string_view w(scratch_);
    for (int g = lo; g <= hi; ++g) {
      if (len <= g) {  // a short word counts once, whole
        keys_.push_back(feature_key(FeatureBlock::kChars, w));
        break;
      }
      for (int s = 0; s + g <= len; ++s) keys_.push_back(feature_key(FeatureBlock::kChars, w.substr(s, g)));
    }
  }
}

void FeatureExtractor::extract(const ItemText& item, std::vector<FeatureCount>* out) {
  keys_.clear();
  if (config_.weight_title > 0) add_word_ngrams(FeatureBlock::kTitle, item.title);
  if (config_.weight_chars > 0 && config_.char_ngram_min > 0) {
    add_char_ngrams(item.title);
    add_char_ngrams(item.brand);
  }
  if (config_.weight_description > 0) add_word_ngrams(FeatureBlock::kDescription, item.description);
  if (config_.weight_category > 0 && !item.category.empty()) {
    // Every prefix of the path ("beauty", "beauty>makeup", ...) so items share their common ancestors,
    // and the words of the leaf so that similar leaves ("Nail Polish", "Nail Art") meet.
    std::string path;
    for (const auto& level : item.category) {
      const std::string norm = normalize_text(level);
      if (norm.empty()) continue;
      if (!path.empty()) path += '>';
      path += norm;
      keys_.push_back(feature_key(FeatureBlock::kCategory, path));
    }
    words_.clear();
    words_.add(item.category.back());
    for (size_t i = 0; i < words_.size(); ++i) {
      scratch_.assign("leaf:");
      scratch_ += words_[i];
      keys_.push_back(feature_key(FeatureBlock::kCategory, scratch_));
    }
  }
  if (config_.weight_brand > 0) {
    const std::string norm = normalize_text(item.brand);
    if (!norm.empty()) keys_.push_back(feature_key(FeatureBlock::kBrand, norm));
  }
  std::sort(keys_.begin(), keys_.end());
  out->clear();
  for (size_t i = 0; i < keys_.size();) {
    size_t j = i + 1;
    while (j < keys_.size() && keys_[j] == keys_[i]) ++j;
    out->push_back({keys_[i], static_cast<float>(j - i)});
    i = j;
  }
}

}  // namespace stars::semantics
