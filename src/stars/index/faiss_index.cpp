#include "stars/index/faiss_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/IDSelector.h>
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "stars/core/error.h"
#include "stars/core/log.h"

namespace stars::index {
namespace {

// Members are labels whose item is allowed by the request filter and which hold the item's current vector.
struct LabelSelector final : faiss::IDSelector {
  const Bitmap* allow = nullptr;
  const Bitmap* live = nullptr;
  const int32_t* item_of_label = nullptr;
  bool is_member(faiss::Index::idx_t label) const override {
    if (live && !live->test(static_cast<size_t>(label))) return false;
    if (!allow) return true;
    return allow->test(static_cast<size_t>(item_of_label ? item_of_label[label] : label));
  }
};

}  // namespace

FaissIndex::FaissIndex(int dim, const float* vectors, int32_t n, FaissIndexOptions options)
    : options_(std::move(options)), exact_(dim, vectors, n) {
  STARS_CHECK_ARG(options_.type == "hnsw" || options_.type == "ivf",
                  "FAISS index type must be hnsw or ivf, got '" << options_.type << "'");
  omp_set_num_threads(std::max(1, omp_get_num_procs()));
  if (options_.type == "hnsw") {
    auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(dim, options_.hnsw_m, faiss::METRIC_INNER_PRODUCT);
    hnsw->hnsw.efConstruction = options_.hnsw_ef_construction;
    hnsw->hnsw.efSearch = options_.hnsw_ef_search;
    if (n > 0) hnsw->add(n, vectors);
    index_ = std::move(hnsw);
  } else {
    int nlist = options_.ivf_nlist > 0 ? options_.ivf_nlist : static_cast<int>(4 * std::sqrt(std::max(1, n)));
    nlist = std::max(1, std::min(nlist, std::max(1, n)));
    if (n < 39 * nlist)
      STARS_WARN("IVF index: " << n << " training vectors for " << nlist << " lists (FAISS wants >= 39 per list)");
    auto* quantizer = new faiss::IndexFlatIP(dim);
    auto ivf = std::make_unique<faiss::IndexIVFFlat>(quantizer, dim, nlist, faiss::METRIC_INNER_PRODUCT);
    ivf->own_fields = true;
    ivf->nprobe = std::min(options_.ivf_nprobe, nlist);
    STARS_CHECK_ARG(n > 0, "an IVF index needs training vectors");
    ivf->train(n, vectors);
    ivf->add(n, vectors);
    index_ = std::move(ivf);
  }
  item_of_label_.resize(n);
  label_of_item_.resize(n);
  for (int32_t i = 0; i < n; ++i) item_of_label_[i] = i, label_of_item_[i] = i;
  live_labels_.resize(n, true);
}

FaissIndex::~FaissIndex() = default;

void FaissIndex::set(int32_t id, const float* vector) {
  STARS_CHECK_ARG(id >= 0 && id <= size(), "item id " << id << " out of range [0, " << size() << "]");
  if (id < size()) {
    // Mask the old FAISS entry of this item.
    live_labels_.reset(static_cast<size_t>(label_of_item_[id]));
    identity_ = false;
  }
  exact_.set(id, vector);
  omp_set_num_threads(1);
  index_->add(1, vector);
  if (id == static_cast<int32_t>(label_of_item_.size())) label_of_item_.push_back(0);
  label_of_item_[id] = static_cast<int64_t>(item_of_label_.size());
  item_of_label_.push_back(id);
  live_labels_.resize(item_of_label_.size());
  live_labels_.set(item_of_label_.size() - 1);
}

std::vector<Hit> FaissIndex::search_approximate(const float* query, int k, const Bitmap* allow) const {
  if (k <= 0 || size() == 0) return {};
  LabelSelector sel;
  sel.allow = allow;
  if (!identity_) {
    sel.live = &live_labels_;
    sel.item_of_label = item_of_label_.data();
  }
  std::vector<float> distances(k);
  std::vector<faiss::Index::idx_t> labels(k, -1);
  // One query per request thread: no OpenMP team inside the request.
  omp_set_num_threads(1);
  const bool filtered = allow || !identity_;
  if (options_.type == "hnsw") {
    faiss::SearchParametersHNSW params;
    params.efSearch = options_.hnsw_ef_search;  // ignored by FAISS 1.7.3; the index's value is used
    params.sel = filtered ? &sel : nullptr;
    index_->search(1, query, k, distances.data(), labels.data(), filtered ? &params : nullptr);
  } else {
    faiss::SearchParametersIVF params;
    params.nprobe = static_cast<const faiss::IndexIVFFlat*>(index_.get())->nprobe;
    params.sel = filtered ? &sel : nullptr;
    index_->search(1, query, k, distances.data(), labels.data(), &params);
  }
  std::vector<Hit> hits;
  hits.reserve(k);
  for (int i = 0; i < k; ++i) {
    if (labels[i] < 0) continue;
    const int32_t item = item_of_label_[labels[i]];
    hits.push_back({item, distances[i]});
  }
  std::sort(hits.begin(), hits.end(), hit_before);
  return hits;
}

std::vector<Hit> FaissIndex::search(const float* query, int k, const Bitmap* allow) const {
  STARS_CHECK_ARG(k >= 0, "k must be >= 0, got " << k);
  size_t allowed = static_cast<size_t>(size());
  if (allow) {
    STARS_CHECK(allow->size() == static_cast<size_t>(size()),
                "filter has " << allow->size() << " bits for " << size() << " items");
    allowed = allow->count();
    if (static_cast<double>(allowed) < options_.exact_below * size()) return exact_.search_gather(query, k, *allow);
  }
  auto hits = search_approximate(query, k, allow);
  if (hits.size() < std::min<size_t>(static_cast<size_t>(k), allowed)) return exact_.search(query, k, allow);
  return hits;
}

}  // namespace stars::index
