// Approximate maximum inner product search with FAISS 1.7.3 (HNSW or IVF-Flat, inner-product metric) for
// catalogs beyond what the exact index serves in a millisecond. Filters go inside the search through
// SearchParameters + an IDSelector over the request's bitmap. Two FAISS 1.7.3 details shape this class:
// HNSW ignores SearchParametersHNSW::efSearch (the beam width is set on the index once, at build), and a
// filtered HNSW walk can end with fewer than k allowed items when the filter is selective; such searches
// (and filters allowing less than `exact_below` of the items) fall back to exact search over the allowed
// items, so a filtered result is never cut below k. Items updated after the build are appended as new
// FAISS entries and the old entry is masked out by the selector (FAISS graphs cannot move a vector).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stars/index/exact_index.h"
#include "stars/index/mips_index.h"

namespace faiss {
struct Index;
}

namespace stars::index {

struct FaissIndexOptions {
  std::string type = "hnsw";  ///< "hnsw" or "ivf"
  int hnsw_m = 32;
  int hnsw_ef_construction = 80;
  int hnsw_ef_search = 256;
  int ivf_nlist = 0;   ///< 0 = 4 * sqrt(n)
  int ivf_nprobe = 32;
  double exact_below = 0.02;
};

class FaissIndex final : public MipsIndex {
 public:
  FaissIndex(int dim, const float* vectors, int32_t n, FaissIndexOptions options = {});
  ~FaissIndex() override;

  int dim() const override { return exact_.dim(); }
  int32_t size() const override { return exact_.size(); }
  const char* kind() const override { return options_.type == "ivf" ? "ivf" : "hnsw"; }
  std::vector<Hit> search(const float* query, int k, const Bitmap* allow) const override;
  // Exact (see MipsIndex): the exact index's SIMD paths.
  std::vector<Hit> search_biased(const float* query, const ItemBias& bias, int k, const Bitmap* allow) const override {
    return exact_.search_biased(query, bias, k, allow);
  }
  void set(int32_t id, const float* vector) override;
  void get(int32_t id, float* out) const override { exact_.get(id, out); }

  // The approximate search alone, without the exact fallbacks (for recall measurements).
  std::vector<Hit> search_approximate(const float* query, int k, const Bitmap* allow) const;

 private:
  FaissIndexOptions options_;
  ExactIndex exact_;                  // the same vectors, for selective filters and short results
  std::unique_ptr<faiss::Index> index_;
  std::vector<int32_t> item_of_label_;  // FAISS label -> item id
  std::vector<int64_t> label_of_item_;  // item id -> its current FAISS label
  Bitmap live_labels_;                  // labels that are an item's current vector
  bool identity_ = true;                // no updates yet: label == item, all live
};

}  // namespace stars::index
