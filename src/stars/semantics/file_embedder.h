// Precomputed text vectors keyed by raw item id, for vectors made elsewhere (a bigger model, a vendor
// catalogue): a .npy matrix with an id list (one raw id per line), a CSV/TSV file (item_id, v0, v1, ...;
// header optional; or item_id plus one "[v0, v1, ...]" field) or JSONL ({"item_id": "...",
// "vector": [...]}, also "id" / "embedding"). Reading checks that every row has the same dimension, that
// every value is finite and that no id repeats; embedding checks that every item has a vector, unless
// missing items are allowed (they get zeros and are counted). Vectors are L2-normalised. Torch-free.
#pragma once

#include <atomic>
#include <string>
#include <unordered_map>
#include <vector>

#include "stars/semantics/enrich_config.h"
#include "stars/semantics/text_embedder.h"

namespace stars::semantics {

struct KeyedVectors {
  int dim = 0;
  std::vector<std::string> ids;
  std::vector<float> values;  // (ids.size(), dim) row-major, as read
};

// Reads a vector file; the format follows the extension (.npy, .csv, .tsv, .jsonl). Errors name the file
// and line (or row) and what was expected.
KeyedVectors read_keyed_vectors(const FileVectorsConfig& config);

class FileEmbedder : public TextEmbedder {
 public:
  FileEmbedder(KeyedVectors vectors, const FileVectorsConfig& config);

  std::string provider() const override { return "file"; }
  std::string model() const override { return model_; }
  int dim() const override { return vectors_.dim; }
  bool can_embed_new_text() const override { return false; }
  // Looks items up by raw id. Throws kInvalidArgument naming the missing ids unless allow_missing.
  void embed(const std::vector<const ItemText*>& items, float* out) override;

  int64_t missing() const { return missing_.load(); }
  size_t size() const { return vectors_.ids.size(); }

 private:
  KeyedVectors vectors_;
  FileVectorsConfig config_;
  std::unordered_map<std::string, size_t> row_of_;
  std::string model_;
  std::atomic<int64_t> missing_{0};
};

}  // namespace stars::semantics
