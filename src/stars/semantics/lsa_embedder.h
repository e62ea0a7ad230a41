// The built-in, offline text embedder: latent semantic analysis. TF-IDF over word and character n-grams
// of title, description, category path and brand (lsa_features.h, tfidf_model.h) is reduced by a
// randomized truncated SVD (randomized_svd.h) to `dim` components and L2-normalised. Fitting is
// deterministic for a seed; the fitted model is saved (DS/semantics/lsa.tbl) so a new item's text is
// embedded later with the same projection, cheaply (tens of microseconds), by `stars serve`. Torch-free.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "stars/semantics/enrich_config.h"
#include "stars/semantics/text_embedder.h"
#include "stars/semantics/tfidf_model.h"

namespace stars::semantics {

constexpr uint32_t kLsaModelVersion = 1;

class LsaEmbedder : public TextEmbedder {
 public:
  // Fits the TF-IDF vocabulary and the SVD projection on a catalog. When `vectors` is given it receives
  // the catalog's vectors (items.size() rows of dim), bit-identical to embed() / embed_one(), computed
  // from the fitting matrix without extracting the features again.
  static std::unique_ptr<LsaEmbedder> fit(const std::vector<ItemText>& items, const LsaConfig& config, int threads,
                                          std::vector<float>* vectors = nullptr);
  // Reads a model written by save(); errors name the file.
  static std::unique_ptr<LsaEmbedder> load(const std::string& path);
  void save(const std::string& path) const;

  std::string provider() const override { return "lsa"; }
  std::string model() const override { return model_; }
  int dim() const override { return config_.dim; }
  // Parallel over items with `threads()` workers.
  void embed(const std::vector<const ItemText*>& items, float* out) override;
  // One item, on the calling thread; thread-safe.
  void embed_one(const ItemText& item, float* out) const;

  const LsaConfig& config() const { return config_; }
  size_t num_features() const { return tfidf_.num_features(); }
  int rank() const { return rank_; }
  const std::vector<float>& singular_values() const { return sigma_; }
  void set_threads(int threads) { threads_ = threads; }

 private:
  LsaEmbedder() = default;
  void finish_setup();
  // out (dim) = normalise(scale * sum_i vals[i] * projection[cols[i]]): the last step of every embedding.
  void project(const int32_t* cols, const float* vals, size_t nnz, float* out) const;
  LsaConfig config_;
  TfidfModel tfidf_;
  std::vector<float> projection_;  // (num_features, dim) row-major
  std::vector<float> sigma_;       // dim singular values (zero past rank)
  std::vector<float> scale_;       // per component: sigma^(e - 1), 0 past rank
  int rank_ = 0;
  int64_t fit_items_ = 0;
  std::string model_;
  int threads_ = 1;
};

}  // namespace stars::semantics
