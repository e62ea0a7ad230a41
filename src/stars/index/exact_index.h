// Exact maximum inner product search written for speed on CPU (catalogs up to a few hundred thousand
// items): item vectors are kept twice, row-major for the gather path and in blocks of 16 items
// transposed ([dim][16]) for the scan path, both 64-byte aligned and zero-padded to a multiple of 16
// dimensions. A search with a sparse filter scores only the allowed items (gather); a dense or absent
// filter streams the blocks, skipping blocks without an allowed item, and pushes into the top-k only the
// lanes that beat the current k-th score. A biased search given the items in bias order walks them from
// the highest bias down and stops early (search_walk). Each search runs on the calling thread, so the service scales
// across concurrent requests; search_batch spreads queries over threads.
#pragma once

#include <cstdint>
#include <vector>

#include "stars/core/error.h"
#include "stars/index/aligned_buffer.h"
#include "stars/index/mips_index.h"

namespace stars::index {

struct ExactIndexOptions {
  /// Cost of scoring one gathered (scattered) row relative to one row of a streamed block. A filtered
  /// search gathers when allowed_rows * gather_cost < 16 * blocks_with_an_allowed_row, else it scans the
  /// blocks that hold allowed rows (clustered filters, dense filters).
  double gather_cost = 3.0;
};

class ExactIndex final : public MipsIndex {
 public:
  ExactIndex(int dim, ExactIndexOptions options = {});
  // Builds from a row-major (n, dim) matrix.
  ExactIndex(int dim, const float* vectors, int32_t n, ExactIndexOptions options = {});

  int dim() const override { return dim_; }
  int32_t size() const override { return n_; }
  const char* kind() const override { return "exact"; }
  std::vector<Hit> search(const float* query, int k, const Bitmap* allow) const override;
  // With bias.order: search_walk; without: search_scan or search_gather, by the filter's shape.
  std::vector<Hit> search_biased(const float* query, const ItemBias& bias, int k, const Bitmap* allow) const override;
  void set(int32_t id, const float* vector) override;
  void get(int32_t id, float* out) const override;

  // Appends n items (row-major).
  void add(const float* vectors, int32_t n);
  // Searches queries (nq, dim) in parallel over `threads` threads; results[i] for query i.
  std::vector<std::vector<Hit>> search_batch(const float* queries, int32_t nq, int k, const Bitmap* allow,
                                             int threads) const;
  // Force one path (for tests and benchmarks); `bias` (size() floats, or nullptr) is added to each score.
  std::vector<Hit> search_scan(const float* query, int k, const Bitmap* allow, const float* bias = nullptr) const;
  std::vector<Hit> search_gather(const float* query, int k, const Bitmap& allow, const float* bias = nullptr) const;
  // The biased search in bias order (bias.order required). It scores the allowed items from the highest
  // bias down and stops once the k-th best score beats every later item's bound, bias + |query| * the
  // largest item norm (Cauchy-Schwarz), so the result equals the full search's. Once it holds k items it
  // knows where it will stop at the latest (the first item whose bound is below the current k-th score);
  // when the rest of the walk up to there would cost more than the full search, it runs the full search
  // instead (as it does when it has cost a quarter of one before finding k items). `walked` (optional)
  // receives the items walked, or size() + 1 after such a fallback.
  std::vector<Hit> search_walk(const float* query, const ItemBias& bias, int k, const Bitmap* allow,
                               int32_t* walked = nullptr) const;
  // An upper bound of every item's norm (the largest norm set so far; kept, not lowered, when an item is
  // replaced by a shorter vector).
  float max_norm() const { return max_norm_; }

 private:
  // Which path search_any takes, and its cost in rows streamed by the scan (a gathered row counts
  // gather_cost).
  struct Plan {
    bool gather = false;
    double cost = 0.0;
    size_t allowed = 0;  // items the filter allows
  };
  // search() and search_biased() without an order: picks the path from the filter's shape (`known`: its
  // plan, when the caller has worked it out already).
  std::vector<Hit> search_any(const float* query, int k, const Bitmap* allow, const float* bias,
                              const Plan* known = nullptr) const;
  Plan plan(const Bitmap* allow) const;
  // Throws unless the filter has one bit per item.
  void check_filter(const Bitmap& allow) const;
  void pad_query(const float* query, float* out) const;
  int dim_;
  int stride_;  // dim rounded up to kBlockRows
  int32_t n_ = 0;
  float max_norm_ = 0.0f;
  ExactIndexOptions options_;
  AlignedFloats rows_;    // (n, stride)
  AlignedFloats blocks_;  // (ceil(n / 16), stride, 16)
};

}  // namespace stars::index
