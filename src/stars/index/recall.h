// Measures an approximate index against the exact one: recall@k (share of the exact top-k ids found)
// and the mean time per query of each, over a set of queries and an optional filter.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "stars/index/exact_index.h"
#include "stars/index/mips_index.h"

namespace stars::index {

struct RecallReport {
  double recall = 0.0;          // mean over queries of |approx ∩ exact| / |exact|
  double exact_ms = 0.0;        // mean milliseconds per query, exact
  double approx_ms = 0.0;       // mean milliseconds per query, approximate
  int32_t queries = 0;
};

using SearchFn = std::function<std::vector<Hit>(const float* query, int k, const Bitmap* allow)>;

// `approx` is any search function (e.g. FaissIndex::search_approximate); queries are (nq, dim).
RecallReport measure_recall(const SearchFn& approx, const ExactIndex& exact, const float* queries, int32_t nq, int k,
                            const Bitmap* allow);

}  // namespace stars::index
