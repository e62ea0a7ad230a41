// The interface of a maximum inner product search index over item vectors: top-k items by <query, item>
// among the items a filter allows. Implemented exactly (ExactIndex: SIMD, blocked) and approximately
// (FaissIndex: HNSW or IVF). Concurrent searches are safe; set() needs exclusive access (the serving
// catalog holds a reader-writer lock around both).
#pragma once

#include <cstdint>
#include <vector>

#include "stars/index/bitmap.h"
#include "stars/index/top_k.h"

namespace stars::index {

// A score added to each item's inner product by MipsIndex::search_biased (the serving catalog's cold-user
// prior).
struct ItemBias {
  const float* value = nullptr;  ///< size() floats, by item id
  /// Optional: every item id once, by value from highest to lowest (ties in any order). With it, the exact
  /// search walks the items in that order and stops once no later item can reach the top k.
  const int32_t* order = nullptr;
};

class MipsIndex {
 public:
  virtual ~MipsIndex() = default;
  virtual int dim() const = 0;
  virtual int32_t size() const = 0;
  // "exact", "hnsw" or "ivf".
  virtual const char* kind() const = 0;
  // The k best allowed items, best first; fewer when fewer than k items are allowed. `allow` (nullptr =
  // every item) must have size() bits. The query has dim() floats.
  virtual std::vector<Hit> search(const float* query, int k, const Bitmap* allow) const = 0;
  // The k best allowed items by <query, item> + bias.value[item], best first, with those scores. Always
  // exact: a bias moves items that no approximate walk over the vectors alone would reach.
  virtual std::vector<Hit> search_biased(const float* query, const ItemBias& bias, int k, const Bitmap* allow) const = 0;
  // Sets the vector of item `id` (id == size() appends a new item).
  virtual void set(int32_t id, const float* vector) = 0;
  // The stored vector of an item (dim() floats).
  virtual void get(int32_t id, float* out) const = 0;
};

}  // namespace stars::index
