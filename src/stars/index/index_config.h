// Which search index the service builds over the item vectors, and its parameters. `auto` picks the
// exact index up to `exact_max_items` items (fast enough and always right) and FAISS HNSW above.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "stars/index/mips_index.h"

namespace stars::index {

struct IndexConfig {
  std::string kind = "auto";          ///< "auto", "exact", "hnsw" or "ivf"
  int32_t exact_max_items = 400000;   ///< `auto` uses the exact index up to this many items, >= 1
  double gather_cost = 3.0;           ///< exact index: cost of a scattered row relative to a streamed one (gather vs scan), > 0
  int hnsw_m = 32;                    ///< HNSW graph degree, in [4, 128]
  int hnsw_ef_construction = 80;      ///< HNSW build beam width, in [8, 2048]
  int hnsw_ef_search = 256;           ///< HNSW search beam width (set on the index: FAISS 1.7.3 ignores SearchParametersHNSW::efSearch), in [8, 4096]
  int ivf_nlist = 0;                  ///< IVF lists; 0 = 4 * sqrt(items), in [0, 1 << 20]
  int ivf_nprobe = 32;                ///< IVF lists probed per query, >= 1
  double faiss_exact_below = 0.02;    ///< FAISS: filters keeping less than this fraction of items are searched exactly, in [0, 1]

  template <class V>
  void visit(V& v) {
    v("kind", kind, "\"auto\", \"exact\", \"hnsw\" or \"ivf\"");
    v("exact_max_items", exact_max_items, "auto: exact index up to this many items, FAISS HNSW above; >= 1");
    v("gather_cost", gather_cost, "exact index: cost of scoring a scattered row relative to a streamed one; decides gather vs block scan for filters; > 0");
    v("hnsw_m", hnsw_m, "HNSW graph degree; in [4, 128]");
    v("hnsw_ef_construction", hnsw_ef_construction, "HNSW build beam width; in [8, 2048]");
    v("hnsw_ef_search", hnsw_ef_search, "HNSW search beam width; in [8, 4096]");
    v("ivf_nlist", ivf_nlist, "IVF lists, 0 = 4 * sqrt(items); in [0, 1048576]");
    v("ivf_nprobe", ivf_nprobe, "IVF lists probed per query; >= 1");
    v("faiss_exact_below", faiss_exact_below, "FAISS: filters keeping less than this fraction of items are searched exactly; in [0, 1]");
  }
  void validate() const;
};

// Builds the configured index over (n, dim) row-major vectors.
std::unique_ptr<MipsIndex> make_index(const IndexConfig& config, int dim, const float* vectors, int32_t n);

}  // namespace stars::index
