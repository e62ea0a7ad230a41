// Row kernels of the chunked full softmax (see softmax_rows.h), written with the vector type of core/vec.h.
#include "stars/train/detail/softmax_rows.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "stars/core/vec.h"

namespace stars::train::detail {
namespace {

using namespace ::stars::vec;

constexpr float kInf = std::numeric_limits<float>::infinity();

// A running sum of exp(value - old) rescaled to exp(value - top), top >= old; 0 when nothing was folded yet.
inline float rescaled(float sum, float old, float top) { return old == -kInf ? 0.0f : sum * std::exp(old - top); }

// Adds prior (or nothing) to the row and returns its maximum.
float add_and_max(float* row, int64_t n, const float* prior) {
  vf a = splat(-kInf), b = a;
  int64_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    vf x = load(row + i), y = load(row + i + kW);
    if (prior) {
      x += load(prior + i);
      y += load(prior + i + kW);
      store(row + i, x);
      store(row + i + kW, y);
    }
    a = vmax_nan(a, x);
    b = vmax_nan(b, y);
  }
  for (; i < n; i += kW) {
    const int64_t k = n - i < kW ? n - i : kW;
    vf x = load_tail(row + i, k, -kInf);
    if (prior) {
      x += load_tail(prior + i, k, 0.0f);
      store_tail(row + i, k, x);
    }
    a = vmax_nan(a, x);
  }
  return hmax(vmax_nan(a, b));
}

// The sum of exp(value - m) over the row.
float sum_exp(const float* row, int64_t n, float m) {
  vf a{}, b{};
  int64_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    a += vexp(load(row + i) - m);
    b += vexp(load(row + i + kW) - m);
  }
  for (; i < n; i += kW) a += vexp(load_tail(row + i, n - i < kW ? n - i : kW, -kInf) - m);
  return hsum(a + b);
}

}  // namespace

void exp_inplace(float* x, int64_t n) {
  int64_t i = 0;
  for (; i + kW <= n; i += kW) store(x + i, vexp(load(x + i)));
  if (i < n) store_tail(x + i, n - i, vexp(load_tail(x + i, n - i, 0.0f)));
}

void fold_rows(float* z, int64_t rows, int64_t n, int64_t ld, const float* prior, float* run_max, float* run_sum) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = z + r * ld;
    const float m = add_and_max(row, n, prior);
    if (m == -kInf) continue;  // nothing to fold: every value is -inf
    const float top = max_nan(run_max[r], m);
    run_sum[r] = rescaled(run_sum[r], run_max[r], top) + sum_exp(row, n, top);
    run_max[r] = top;
  }
}

void merge_folds(const float* max_in, const float* sum_in, int64_t rows, float* run_max, float* run_sum) {
  for (int64_t r = 0; r < rows; ++r) {
    const float m = max_in[r];
    if (m == -kInf) continue;
    const float top = max_nan(run_max[r], m);
    run_sum[r] = rescaled(run_sum[r], run_max[r], top) + sum_in[r] * std::exp(m - top);
    run_max[r] = top;
  }
}

void softmax_minus_onehot_rows(float* z, int64_t rows, int64_t n, int64_t ld, const float* lse, const int64_t* target,
                               int64_t c0, float scale) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = z + r * ld;
    const float l = lse[r];
    int64_t i = 0;
    for (; i + kW <= n; i += kW) store(row + i, vexp(load(row + i) - l) * scale);
    if (i < n) store_tail(row + i, n - i, vexp(load_tail(row + i, n - i, -kInf) - l) * scale);
    const int64_t t = target[r] - c0;
    if (t >= 0 && t < n) row[t] -= scale;
  }
}

}  // namespace stars::train::detail
