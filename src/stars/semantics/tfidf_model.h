// The fitted TF-IDF stage of the LSA embedder: which feature keys are kept (document frequency between
// min_df and max_df, at most max_features, most frequent first), their smoothed idf
// ln((1 + N) / (1 + df)) + 1, and the weighting of an item's features into a sparse vector: (sublinear)
// tf x idf, each block L2-normalised and scaled by its weight, then the whole row L2-normalised.
// Torch-free.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "stars/semantics/enrich_config.h"
#include "stars/semantics/lsa_features.h"

namespace stars::semantics {

class TfidfModel {
 public:
  // Called with (item, worker) from `threads` workers at once; worker < threads names the scratch to use.
  using FeatureFn = std::function<void(size_t item, int worker, std::vector<FeatureCount>* out)>;

  TfidfModel() = default;
  // Rebuilds a fitted model from stored arrays (unique keys in column order, one idf per key).
  TfidfModel(std::vector<uint64_t> keys, std::vector<float> idf, const LsaConfig& config);
  static TfidfModel fit(size_t n_items, const FeatureFn& features, const LsaConfig& config, int threads);

  size_t num_features() const { return keys_.size(); }
  const std::vector<uint64_t>& keys() const { return keys_; }
  const std::vector<float>& idf() const { return idf_; }
  // Column of a feature key, or -1 when the key was not kept.
  int32_t column(uint64_t key) const;
  // The weighted sparse row of an item (columns unsorted, unknown features dropped); empty when no
  // feature is known.
  void transform(const FeatureCount* features, size_t n_features, std::vector<int32_t>* cols, std::vector<float>* vals) const;
  void transform(const std::vector<FeatureCount>& features, std::vector<int32_t>* cols, std::vector<float>* vals) const {
    transform(features.data(), features.size(), cols, vals);
  }

 private:
  void build_index();
  LsaConfig config_;
  std::vector<uint64_t> keys_;
  std::vector<float> idf_;
  std::vector<int32_t> slots_;  // open addressing: column or -1
  size_t mask_ = 0;
};

}  // namespace stars::semantics
