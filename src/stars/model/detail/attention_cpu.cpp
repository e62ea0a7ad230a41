// Masked softmax attention on CPU (see attention_cpu.h), written with the vector type of core/vec.h. Built at -O3
// (model/CMakeLists.txt). Per (sequence, head) pair the keys and values are transposed once into a scratch block
// (dh x Lp, Lp = L rounded up to the vector width), so that a query row's scores are vector products over keys;
// the weighted sums over keys run over vector blocks of dh with the key weight broadcast.
#include "stars/model/detail/attention_cpu.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "stars/core/random.h"
#include "stars/core/vec.h"

namespace stars::model::detail {
namespace {

using namespace ::stars::vec;

constexpr float kInf = std::numeric_limits<float>::infinity();

inline int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// The vector block of dh starting at t (full, or the last partial one).
inline vf load_part(const float* p, int64_t t, int64_t dh) { return t + kW <= dh ? load(p + t) : load_tail(p + t, dh - t, 0.0f); }
inline void store_part(float* p, int64_t t, int64_t dh, vf v) {
  if (t + kW <= dh) store(p + t, v);
  else store_tail(p + t, dh - t, v);
}

// The first and last key query row m may attend; lo > hi when none.
inline void key_range(const bool* m, int64_t L, int64_t* lo, int64_t* hi) {
  int64_t a = 0, b = L - 1;
  while (a < L && !m[a]) ++a;
  while (b >= a && !m[b]) --b;
  *lo = a;
  *hi = b;
}

// out[c] = sum_t x[t] * MT[t * Lp + c] for the vector blocks c0 .. c1 - 1 (multiples of kW): x times the transposed
// block MT (dh x Lp), two blocks at a time so that each broadcast serves two products.
void row_times_transposed(const float* x, const float* MT, int64_t dh, int64_t Lp, int64_t c0, int64_t c1, float* out) {
  int64_t c = c0;
  for (; c + 2 * kW <= c1; c += 2 * kW) {
    vf a{}, b{};
    for (int64_t t = 0; t < dh; ++t) {
      const vf xt = splat(x[t]);
      a += xt * load(MT + t * Lp + c);
      b += xt * load(MT + t * Lp + c + kW);
    }
    store(out + c, a);
    store(out + c + kW, b);
  }
  if (c < c1) {
    vf a{};
    for (int64_t t = 0; t < dh; ++t) a += splat(x[t]) * load(MT + t * Lp + c);
    store(out + c, a);
  }
}

// out (dh) = sum over j in lo .. hi of w[j * w_stride] * rows[j * ld] (rows of dh). Without a test for weights of
// 0: dropout makes them random, and a mispredicted branch per key cost more than the product it saved.
void weighted_rows(const float* w, int64_t w_stride, const float* rows, int64_t ld, int64_t dh, int64_t lo, int64_t hi, float* out) {
  for (int64_t t = 0; t < dh; t += kW) {
    vf a{};
    for (int64_t j = lo; j <= hi; ++j) a += splat(w[j * w_stride]) * load_part(rows + j * ld, t, dh);
    store_part(out, t, dh, a);
  }
}

// Per-thread scratch, grown as needed.
struct Scratch {
  std::vector<float> kt, vt, row, fac, pd, ds;
  std::vector<int64_t> col_lo, col_hi;
  float* take(std::vector<float>& v, int64_t n) {
    if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
    return v.data();
  }
};
thread_local Scratch t_scratch;

// MT (dh x Lp) = the dh-wide rows at base + j * ld for j < L, transposed, zero in columns L .. Lp - 1.
void transpose_rows(const float* base, int64_t ld, int64_t L, int64_t dh, int64_t Lp, float* MT) {
  for (int64_t t = 0; t < dh; ++t) std::fill(MT + t * Lp + L, MT + (t + 1) * Lp, 0.0f);
  for (int64_t j = 0; j < L; ++j)
    for (int64_t t = 0; t < dh; ++t) MT[t * Lp + j] = base[j * ld + t];
}

}  // namespace

void dropout_factors(const DropoutDraw& d, int64_t e0, int64_t n, float* f) {
  int64_t e = e0;
  const int64_t end = e0 + n;
  // Up to the first whole draw, and after the last, one element at a time.
  const auto one = [&](int64_t i) {
    return ((splitmix64_at(d.s0, static_cast<uint64_t>(i >> 2)) >> (16 * (i & 3))) & 0xFFFF) < d.threshold ? 0.0f : d.keep;
  };
  for (; e < end && (e & 3) != 0; ++e) *f++ = one(e);
  // Whole draws, independent of each other (so that the compiler can overlap or vectorise them).
  const int64_t groups = (end - e) >> 2, g0 = e >> 2;
  for (int64_t g = 0; g < groups; ++g) {
    const uint64_t r = splitmix64_at(d.s0, static_cast<uint64_t>(g0 + g));
    for (int k = 0; k < 4; ++k) f[4 * g + k] = ((r >> (16 * k)) & 0xFFFF) < d.threshold ? 0.0f : d.keep;
  }
  f += 4 * groups;
  e += 4 * groups;
  for (; e < end; ++e) *f++ = one(e);
}

int64_t attention_forward(const AttentionDims& d, const float* qkv, const bool* allowed, const DropoutDraw& drop, float* P,
                          float* out, int64_t p0, int64_t p1) {
  int64_t empty_rows = 0;
  const int64_t L = d.L, H = d.H, dh = d.dh, Lp = round_up(L, kW), ld = 3 * H * dh;
  Scratch& s = t_scratch;
  float* KT = s.take(s.kt, dh * Lp);
  float* row = s.take(s.row, Lp);
  float* fac = s.take(s.fac, Lp);
  for (int64_t pair = p0; pair < p1; ++pair) {
    const int64_t b = pair / H, h = pair % H;
    const float* q = qkv + b * L * ld + h * dh;
    const float* k = q + H * dh;
    const float* v = q + 2 * H * dh;
    const bool* mask = allowed + b * d.mask_stride;
    transpose_rows(k, ld, L, dh, Lp, KT);
    for (int64_t i = 0; i < L; ++i) {
      const bool* m = mask + i * L;
      float* p_row = P ? P + (pair * L + i) * L : nullptr;
      float* o = out + ((b * L + i) * H + h) * dh;
      int64_t lo, hi;
      key_range(m, L, &lo, &hi);
      if (lo > hi) {  // nothing to attend: NaN, as ATen's softmax of a row of -inf gives
        if (p_row) std::fill(p_row, p_row + L, std::numeric_limits<float>::quiet_NaN());
        std::fill(o, o + dh, std::numeric_limits<float>::quiet_NaN());
        ++empty_rows;
        continue;
      }
      const int64_t c0 = lo / kW * kW, c1 = round_up(hi + 1, kW);
      row_times_transposed(q + i * ld, KT, dh, Lp, c0, c1, row);
      vf mx = splat(-kInf);
      for (int64_t c = c0; c < c1; c += kW) {
        vf x = load(row + c) * d.scale;
        store(row + c, x);
      }
      for (int64_t j = c0; j < c1; ++j)
        if (j < lo || j > hi || !m[j]) row[j] = -kInf;
      for (int64_t c = c0; c < c1; c += kW) mx = vmax_nan(mx, load(row + c));
      const float top = hmax(mx);
      vf sum{};
      for (int64_t c = c0; c < c1; c += kW) {
        const vf e = vexp(load(row + c) - top);
        store(row + c, e);
        sum += e;
      }
      const float inv = 1.0f / hsum(sum);
      for (int64_t c = c0; c < c1; c += kW) store(row + c, load(row + c) * inv);
      if (p_row) {
        std::fill(p_row, p_row + c0, 0.0f);
        std::memcpy(p_row + c0, row + c0, sizeof(float) * static_cast<size_t>(std::min(c1, L) - c0));
        if (c1 < L) std::fill(p_row + c1, p_row + L, 0.0f);
      }
      if (drop.threshold > 0) {
        dropout_factors(drop, (pair * L + i) * L + lo, hi - lo + 1, fac + lo);
        for (int64_t j = lo; j <= hi; ++j) row[j] *= fac[j];
      }
      weighted_rows(row, 1, v, ld, dh, lo, hi, o);
    }
  }
  return empty_rows;
}

void attention_backward(const AttentionDims& d, const float* qkv, const bool* allowed, const DropoutDraw& drop, const float* P,
                        const float* dout, float* dqkv, int64_t p0, int64_t p1) {
  const int64_t L = d.L, H = d.H, dh = d.dh, Lp = round_up(L, kW), ld = 3 * H * dh, ldo = H * dh;
  Scratch& s = t_scratch;
  float* VT = s.take(s.vt, dh * Lp);
  float* row = s.take(s.row, Lp);
  float* fac = s.take(s.fac, Lp);
  float* PD = s.take(s.pd, L * Lp);  // P after dropout
  float* DS = s.take(s.ds, L * Lp);  // gradient of the scaled scores, times scale
  for (auto* v : {&s.col_lo, &s.col_hi})
    if (static_cast<int64_t>(v->size()) < L) v->resize(static_cast<size_t>(L));
  int64_t *col_lo = s.col_lo.data(), *col_hi = s.col_hi.data();  // the first and last row whose range holds key j
  for (int64_t pair = p0; pair < p1; ++pair) {
    const int64_t b = pair / H, h = pair % H;
    const float* q = qkv + b * L * ld + h * dh;
    const float* k = q + H * dh;
    const float* v = q + 2 * H * dh;
    const float* dO = dout + b * L * ldo + h * dh;
    float* dq = dqkv + b * L * ld + h * dh;
    float* dk = dq + H * dh;
    float* dv = dq + 2 * H * dh;
    const bool* mask = allowed + b * d.mask_stride;
    transpose_rows(v, ld, L, dh, Lp, VT);
    std::fill(PD, PD + L * Lp, 0.0f);
    std::fill(DS, DS + L * Lp, 0.0f);
    std::fill(col_lo, col_lo + L, L);
    std::fill(col_hi, col_hi + L, int64_t{-1});
    for (int64_t i = 0; i < L; ++i) {
      const float* p_row = P + (pair * L + i) * L;
      int64_t lo, hi;
      key_range(mask + i * L, L, &lo, &hi);  // a row that attends nothing (lo > hi) gets dq = 0
      for (int64_t j = lo; j <= hi; ++j) {
        col_lo[j] = std::min(col_lo[j], i);
        col_hi[j] = i;
      }
      const int64_t c0 = lo / kW * kW, c1 = round_up(hi + 1, kW);
      // dP = dO_i vᵀ (times the dropout factors) over the row's blocks; outside lo .. hi P is 0, and so is dS.
      row_times_transposed(dO + i * ldo, VT, dh, Lp, c0, c1, row);
      if (drop.threshold > 0) dropout_factors(drop, (pair * L + i) * L + lo, hi - lo + 1, fac + lo);
      float r = 0.0f;
      for (int64_t j = lo; j <= hi; ++j) {
        const float f = drop.threshold > 0 ? fac[j] : 1.0f;
        row[j] *= f;
        PD[i * Lp + j] = p_row[j] * f;
        r += row[j] * p_row[j];
      }
      for (int64_t j = lo; j <= hi; ++j) DS[i * Lp + j] = p_row[j] * (row[j] - r) * d.scale;
      weighted_rows(DS + i * Lp, 1, k, ld, dh, lo, hi, dq + i * ld);
    }
    // dk_j = sum_i dS_ij q_i, dv_j = sum_i PD_ij dO_i, over the rows whose key range holds j (none: zeros).
    for (int64_t j = 0; j < L; ++j) {
      weighted_rows(DS + j, Lp, q, ld, dh, col_lo[j], col_hi[j], dk + j * ld);
      weighted_rows(PD + j, Lp, dO, ldo, dh, col_lo[j], col_hi[j], dv + j * ld);
    }
  }
}

}  // namespace stars::model::detail
