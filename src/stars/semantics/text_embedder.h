// The one interface behind which every text provider embeds items (paper §4.1: "frozen text
// embedding"): the offline LSA embedder, an OpenAI-compatible HTTP service, or precomputed vectors.
// Vectors are L2-normalised; an item without text (or, for precomputed vectors, without a vector when
// missing items are allowed) gets zeros. Torch-free.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "stars/semantics/item_text.h"

namespace stars::semantics {

class TextEmbedder {
 public:
  virtual ~TextEmbedder() = default;
  virtual std::string provider() const = 0;  // "lsa", "openai", "file"
  virtual std::string model() const = 0;     // e.g. "lsa-w2-c3-5-d128-1a2b3c4d", "text-embedding-3-small"
  virtual int dim() const = 0;
  // False when the provider cannot embed text it has not seen (precomputed vectors).
  virtual bool can_embed_new_text() const { return true; }
  // Embeds `items` into `out` (items.size() rows of dim() floats). Throws stars::Error on failure.
  virtual void embed(const std::vector<const ItemText*>& items, float* out) = 0;
};

// L2-normalises a vector in place; leaves an all-zero vector as it is. Returns the norm before.
double l2_normalize(float* v, int dim);

}  // namespace stars::semantics
