#include "stars/index/recall.h"

#include <unordered_set>

#include "stars/core/log.h"

namespace stars::index {

RecallReport measure_recall(const SearchFn& approx, const ExactIndex& exact, const float* queries, int32_t nq, int k,
                            const Bitmap* allow) {
  RecallReport r;
  r.queries = nq;
  std::vector<std::vector<Hit>> truth(nq), found(nq);
  Timer t;
  for (int32_t i = 0; i < nq; ++i) truth[i] = exact.search(queries + static_cast<size_t>(i) * exact.dim(), k, allow);
  r.exact_ms = nq ? t.seconds() * 1e3 / nq : 0.0;
  t.reset();
  for (int32_t i = 0; i < nq; ++i) found[i] = approx(queries + static_cast<size_t>(i) * exact.dim(), k, allow);
  r.approx_ms = nq ? t.seconds() * 1e3 / nq : 0.0;
  double sum = 0.0;
  int32_t counted = 0;
  for (int32_t i = 0; i < nq; ++i) {
    if (truth[i].empty()) continue;
    std::unordered_set<int32_t> ids;
    for (const auto& h : truth[i]) ids.insert(h.id);
    size_t hit = 0;
    for (const auto& h : found[i]) hit += ids.count(h.id);
    sum += static_cast<double>(hit) / static_cast<double>(truth[i].size());
    ++counted;
  }
  r.recall = counted ? sum / counted : 1.0;
  return r;
}

}  // namespace stars::index
