#include "stars/index/index_config.h"

#include "stars/core/error.h"
#include "stars/index/exact_index.h"
#include "stars/index/faiss_index.h"

namespace stars::index {

void IndexConfig::validate() const {
  STARS_CHECK_ARG(kind == "auto" || kind == "exact" || kind == "hnsw" || kind == "ivf",
                  "index.kind must be auto, exact, hnsw or ivf, got '" << kind << "'");
  STARS_CHECK_ARG(exact_max_items >= 1, "index.exact_max_items must be >= 1, got " << exact_max_items);
  STARS_CHECK_ARG(gather_cost > 0, "index.gather_cost must be > 0, got " << gather_cost);
  STARS_CHECK_ARG(hnsw_m >= 4 && hnsw_m <= 128, "index.hnsw_m must be in [4, 128], got " << hnsw_m);
  STARS_CHECK_ARG(hnsw_ef_construction >= 8 && hnsw_ef_construction <= 2048,
                  "index.hnsw_ef_construction must be in [8, 2048], got " << hnsw_ef_construction);
  STARS_CHECK_ARG(hnsw_ef_search >= 8 && hnsw_ef_search <= 4096,
                  "index.hnsw_ef_search must be in [8, 4096], got " << hnsw_ef_search);
  STARS_CHECK_ARG(ivf_nlist >= 0 && ivf_nlist <= (1 << 20), "index.ivf_nlist must be in [0, 1048576], got " << ivf_nlist);
  STARS_CHECK_ARG(ivf_nprobe >= 1, "index.ivf_nprobe must be >= 1, got " << ivf_nprobe);
  STARS_CHECK_ARG(faiss_exact_below >= 0 && faiss_exact_below <= 1,
                  "index.faiss_exact_below must be in [0, 1], got " << faiss_exact_below);
}

std::unique_ptr<MipsIndex> make_index(const IndexConfig& config, int dim, const float* vectors, int32_t n) {
  config.validate();
  std::string kind = config.kind;
  if (kind == "auto") kind = n <= config.exact_max_items ? "exact" : "hnsw";
  if (kind == "exact") return std::make_unique<ExactIndex>(dim, vectors, n, ExactIndexOptions{config.gather_cost});
  FaissIndexOptions o;
  o.type = kind;
  o.hnsw_m = config.hnsw_m;
  o.hnsw_ef_construction = config.hnsw_ef_construction;
  o.hnsw_ef_search = config.hnsw_ef_search;
  o.ivf_nlist = config.ivf_nlist;
  o.ivf_nprobe = config.ivf_nprobe;
  o.exact_below = config.faiss_exact_below;
  return std::make_unique<FaissIndex>(dim, vectors, n, o);
}

}  // namespace stars::index
