#include "stars/index/exact_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "stars/core/thread_pool.h"
#include "stars/index/dot_kernels.h"

namespace stars::index {
namespace {
constexpr int kMaxStackDim = 4096;

// Scores the rows `ids` (scattered: each row is prefetched a few candidates ahead, so memory latency
// overlaps with the arithmetic), adds bias[id] when given, and offers each to `top`.
void score_rows(const float* q, const float* rows, int stride, const int32_t* ids, size_t m, const float* bias,
                TopK& top) {
  constexpr size_t kAhead = 8;
  const size_t row_floats = static_cast<size_t>(stride);
  const size_t row_bytes = row_floats * sizeof(float);
  for (size_t j = 0; j < m; ++j) {
    if (j + kAhead < m) {
      const char* p = reinterpret_cast<const char*>(rows + static_cast<size_t>(ids[j + kAhead]) * row_floats);
      for (size_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(p + b);
    }
    float s = dot_row(q, rows + static_cast<size_t>(ids[j]) * row_floats, stride);
    if (bias) s += bias[ids[j]];
    if (s >= top.threshold()) top.push(ids[j], s);
  }
}

}  // namespace

ExactIndex::ExactIndex(int dim, ExactIndexOptions options)
    : dim_(dim), stride_((dim + kBlockRows - 1) / kBlockRows * kBlockRows), options_(options) {
  STARS_CHECK_ARG(dim > 0 && dim <= kMaxStackDim, "index dimension must be in [1, " << kMaxStackDim << "], got " << dim);
  STARS_CHECK_ARG(options.gather_cost > 0.0, "gather_cost must be > 0, got " << options.gather_cost);
}

ExactIndex::ExactIndex(int dim, const float* vectors, int32_t n, ExactIndexOptions options) : ExactIndex(dim, options) {
  add(vectors, n);
}

void ExactIndex::add(const float* vectors, int32_t n) {
  STARS_CHECK_ARG(n >= 0, "cannot add a negative number of items: " << n);
  rows_.resize(static_cast<size_t>(n_ + n) * stride_);
  const int32_t n_blocks = (n_ + n + kBlockRows - 1) / kBlockRows;
  blocks_.resize(static_cast<size_t>(n_blocks) * stride_ * kBlockRows);
  const int32_t first = n_;
  n_ += n;
  for (int32_t i = 0; i < n; ++i) set(first + i, vectors + static_cast<size_t>(i) * dim_);
}

void ExactIndex::set(int32_t id, const float* vector) {
  STARS_CHECK_ARG(id >= 0 && id <= n_, "item id " << id << " out of range [0, " << n_ << "]");
  if (id == n_) {
    add(vector, 1);
    return;
  }
  float* row = rows_.data() + static_cast<size_t>(id) * stride_;
  std::memcpy(row, vector, sizeof(float) * dim_);
  double norm2 = 0.0;
  for (int d = 0; d < dim_; ++d) norm2 += static_cast<double>(vector[d]) * vector[d];
  max_norm_ = std::max(max_norm_, static_cast<float>(std::sqrt(norm2)));
  float* block = blocks_.data() + static_cast<size_t>(id / kBlockRows) * stride_ * kBlockRows;
  const int lane = id % kBlockRows;
  for (int d = 0; d < dim_; ++d) block[static_cast<size_t>(d) * kBlockRows + lane] = vector[d];
}

void ExactIndex::get(int32_t id, float* out) const {
  STARS_CHECK_ARG(id >= 0 && id < n_, "item id " << id << " out of range [0, " << n_ << ")");
  std::memcpy(out, rows_.data() + static_cast<size_t>(id) * stride_, sizeof(float) * dim_);
}

void ExactIndex::pad_query(const float* query, float* out) const {
  std::memcpy(out, query, sizeof(float) * dim_);
  std::fill(out + dim_, out + stride_, 0.0f);
}

std::vector<Hit> ExactIndex::search(const float* query, int k, const Bitmap* allow) const {
  return search_any(query, k, allow, nullptr);
}

std::vector<Hit> ExactIndex::search_biased(const float* query, const ItemBias& bias, int k, const Bitmap* allow) const {
  STARS_CHECK_ARG(bias.value != nullptr, "search_biased needs a bias per item");
  if (bias.order) return search_walk(query, bias, k, allow);
  return search_any(query, k, allow, bias.value);
}

void ExactIndex::check_filter(const Bitmap& allow) const {
  STARS_CHECK(allow.size() == static_cast<size_t>(n_), "filter has " << allow.size() << " bits for " << n_ << " items");
}

ExactIndex::Plan ExactIndex::plan(const Bitmap* allow) const {
  const int32_t n_blocks = (n_ + kBlockRows - 1) / kBlockRows;
  Plan p;
  p.cost = static_cast<double>(n_blocks) * kBlockRows;
  p.allowed = static_cast<size_t>(n_);
  if (!allow) return p;
  check_filter(*allow);
  // Rows a gather would score versus rows a scan would stream (every block with an allowed row).
  size_t allowed = 0, blocks = 0;
  const uint64_t* words = allow->words();
  for (size_t w = 0; w < allow->num_words(); ++w) {
    const uint64_t x = words[w];
    allowed += static_cast<size_t>(__builtin_popcountll(x));
    blocks += ((x & 0xFFFFu) != 0) + (((x >> 16) & 0xFFFFu) != 0) + (((x >> 32) & 0xFFFFu) != 0) + ((x >> 48) != 0);
  }
  const double gather = static_cast<double>(allowed) * options_.gather_cost;
  const double scan = static_cast<double>(blocks * kBlockRows);
  p.allowed = allowed;
  p.gather = gather < scan;
  p.cost = std::min(gather, scan);
  return p;
}

std::vector<Hit> ExactIndex::search_any(const float* query, int k, const Bitmap* allow, const float* bias,
                                        const Plan* known) const {
  STARS_CHECK_ARG(k >= 0, "k must be >= 0, got " << k);
  if (allow && (known ? *known : plan(allow)).gather) return search_gather(query, k, *allow, bias);
  return search_scan(query, k, allow, bias);
}

std::vector<Hit> ExactIndex::search_scan(const float* query, int k, const Bitmap* allow, const float* bias) const {
  alignas(64) float q[kMaxStackDim];
  alignas(64) float scores[kBlockRows];
  pad_query(query, q);
  TopK top(k);
  const int32_t n_blocks = (n_ + kBlockRows - 1) / kBlockRows;
  const uint64_t* words = allow ? allow->words() : nullptr;
  for (int32_t b = 0; b < n_blocks; ++b) {
    unsigned lanes;
    if (words) {
      lanes = static_cast<unsigned>((words[b >> 2] >> ((b & 3) * 16)) & 0xFFFFu);
      if (!lanes) continue;
    } else {
      const int32_t valid = std::min<int32_t>(kBlockRows, n_ - b * kBlockRows);
      lanes = valid == kBlockRows ? 0xFFFFu : ((1u << valid) - 1u);
    }
    dot_block(q, blocks_.data() + static_cast<size_t>(b) * stride_ * kBlockRows, stride_, scores);
    if (bias) {
      const float* bb = bias + static_cast<size_t>(b) * kBlockRows;
      const int valid = std::min<int32_t>(kBlockRows, n_ - b * kBlockRows);
      for (int l = 0; l < valid; ++l) scores[l] += bb[l];
    }
    unsigned m = lanes & mask_at_least(scores, top.threshold());
    while (m) {
      const int l = __builtin_ctz(m);
      top.push(b * kBlockRows + l, scores[l]);
      m &= m - 1;
    }
  }
  return top.take_sorted();
}

std::vector<Hit> ExactIndex::search_gather(const float* query, int k, const Bitmap& allow, const float* bias) const {
  check_filter(allow);
  alignas(64) float q[kMaxStackDim];
  pad_query(query, q);
  TopK top(k);
  constexpr size_t kBatch = 256;
  int32_t ids[kBatch];
  size_t m = 0;
  auto flush = [&] {
    score_rows(q, rows_.data(), stride_, ids, m, bias, top);
    m = 0;
  };
  const uint64_t* words = allow.words();
  for (size_t w = 0; w < allow.num_words(); ++w) {
    uint64_t x = words[w];
    while (x) {
      ids[m++] = static_cast<int32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(x)));
      x &= x - 1;
      if (m == kBatch) flush();
    }
  }
  flush();
  return top.take_sorted();
}

std::vector<Hit> ExactIndex::search_walk(const float* query, const ItemBias& bias, int k, const Bitmap* allow,
                                         int32_t* walked) const {
  STARS_CHECK_ARG(k >= 0, "k must be >= 0, got " << k);
  STARS_CHECK_ARG(bias.value && bias.order, "search_walk needs a bias per item and the items in bias order");
  if (allow) check_filter(*allow);
  if (walked) *walked = 0;
  if (k == 0 || n_ == 0) return {};
  alignas(64) float q[kMaxStackDim];
  pad_query(query, q);
  double q_norm2 = 0.0;
  for (int d = 0; d < dim_; ++d) q_norm2 += static_cast<double>(q[d]) * q[d];
  // No later item scores above its bias + reach. The margin covers the float rounding of a score (a dot
  // over `stride_` terms, then the bias added) and of the norms, far below any gap that matters to a
  // ranking; later items have lower biases, so the next item's bounds theirs.
  const double reach = std::sqrt(q_norm2) * max_norm_;
  // Walk cost in rows the full search streams: a scored row costs gather_cost, a visited row (an order
  // entry and a filter bit) an eighth of a row. The full search's cost (a pass over the filter) is only
  // worked out when a fallback is in question: a walk that stops within its first batches never needs it.
  const double gather_cost = options_.gather_cost;
  std::optional<Plan> full_plan;
  auto full = [&]() -> const Plan& {
    if (!full_plan) full_plan = plan(allow);
    return *full_plan;
  };
  const float* value = bias.value;
  const int32_t* order = bias.order;
  auto item_at = [&](int32_t i) {
    const int32_t id = order[i];
    STARS_CHECK(id >= 0 && id < n_, "bias order names item " << id << " of " << n_);
    return id;
  };
  TopK top(k);
  constexpr int32_t kBatch = 64;
  int32_t ids[kBatch];
  int32_t i = 0;
  size_t scored = 0;
  auto fall_back = [&] {
    if (walked) *walked = n_ + 1;
    return search_any(query, k, allow, value, &full());
  };
  while (i < n_) {
    if (top.size() == k) {
      // Items whose bound reaches the k-th score, which only rises: the walk ends before the first other.
      // (Written so that a NaN, from a NaN query, counts as reachable: such a walk falls back.)
      const double threshold = top.threshold();
      auto reachable = [&](int32_t id) {
        const double b = value[id];
        return !(b + reach + 1e-4 * (1.0 + reach + std::fabs(b)) < threshold);
      };
      if (!reachable(item_at(i))) break;
      int32_t lo = i + 1, hi = n_;  // the first unreachable position is in [lo, hi]
      while (lo < hi) {
        const int32_t mid = lo + (hi - lo) / 2;
        if (reachable(item_at(mid))) lo = mid + 1;
        else hi = mid;
      }
      // The filter keeps about `allowed / n` of the rows walked.
      const double position_cost = 0.125 + gather_cost * static_cast<double>(full().allowed) / n_;
      if (static_cast<double>(lo - i) * position_cost > full().cost) return fall_back();
    } else if (i > 0 && static_cast<double>(scored) * gather_cost + 0.125 * i > 0.25 * full().cost) {
      return fall_back();
    }
    // The next batch of allowed items in order.
    size_t m = 0;
    const int32_t end = std::min<int32_t>(n_, i + 4 * kBatch);
    for (; i < end && m < static_cast<size_t>(kBatch); ++i) {
      const int32_t id = item_at(i);
      if (!allow || allow->test(static_cast<size_t>(id))) ids[m++] = id;
    }
    score_rows(q, rows_.data(), stride_, ids, m, value, top);
    scored += m;
  }
  if (walked) *walked = i;
  return top.take_sorted();
}

std::vector<std::vector<Hit>> ExactIndex::search_batch(const float* queries, int32_t nq, int k, const Bitmap* allow,
                                                       int threads) const {
  std::vector<std::vector<Hit>> out(static_cast<size_t>(std::max(nq, 0)));
  parallel_for(out.size(), threads, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) out[i] = search(queries + i * dim_, k, allow);
  });
  return out;
}

}  // namespace stars::index
