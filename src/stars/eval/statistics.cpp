#include "stars/eval/statistics.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "stars/core/error.h"
#include "stars/core/random.h"

namespace stars::eval {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kUserChunk = 2048;

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  const double f = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}
}  // namespace

PoissonOne::PoissonOne(uint64_t seed) {
  Rng r(seed);
  for (auto& s : s_) s = r.next_u64();
  double p = std::exp(-1.0), c = 0;
  for (int k = 0; k < 16; ++k) {
    c += p;
    cdf_[k] = c;
    p /= (k + 1);
  }
  cdf_[15] = 2.0;  // the tail beyond 15 (probability < 1e-13) folds into 15
}

int PoissonOne::next() {
  // xoshiro256** step (as stars::Rng), inlined to keep the hot loop cheap.
  const uint64_t result = ((s_[1] * 5) << 7 | (s_[1] * 5) >> 57) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = (s_[3] << 45) | (s_[3] >> 19);
  const double u = static_cast<double>(result >> 11) * 0x1.0p-53;
  int k = 0;
  while (u >= cdf_[k]) ++k;
  return k;
}

void bootstrap_intervals(const std::vector<float>& values, size_t n_users, size_t n_cols,
                         const std::vector<float>& counts, size_t n_groups, const std::vector<int>& group_of_col,
                         int samples, double confidence, uint64_t seed, std::vector<double>& lo,
                         std::vector<double>& hi) {
  STARS_CHECK(values.size() == n_users * n_cols, "values size " << values.size());
  STARS_CHECK(counts.size() == n_users * n_groups, "counts size " << counts.size());
  STARS_CHECK(group_of_col.size() == n_cols, "group_of_col size " << group_of_col.size());
  lo.assign(n_cols, kNaN);
  hi.assign(n_cols, kNaN);
  if (samples <= 0 || n_users == 0 || n_cols == 0) return;
  const size_t B = static_cast<size_t>(samples);
  std::vector<float> rep(B * n_cols, 0.0f), rep_n(B * n_groups, 0.0f);
  std::vector<float> w(B * kUserChunk);
  for (size_t u0 = 0, chunk = 0; u0 < n_users; u0 += kUserChunk, ++chunk) {
    const size_t m = std::min(kUserChunk, n_users - u0);
    // Weights of chunk `chunk` depend only on (seed, chunk): identical for every call with the same users.
    for (size_t b = 0; b < B; ++b) {
      PoissonOne pois(derive_seed(seed, (chunk << 20) ^ b));
      for (size_t u = 0; u < m; ++u) w[b * m + u] = static_cast<float>(pois.next());
    }
    // rep (B, n_cols) += w (B, m) · values[u0 .. u0 + m) (m, n_cols)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(B), static_cast<int>(n_cols),
                static_cast<int>(m), 1.0f, w.data(), static_cast<int>(m), values.data() + u0 * n_cols,
                static_cast<int>(n_cols), 1.0f, rep.data(), static_cast<int>(n_cols));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(B), static_cast<int>(n_groups),
                static_cast<int>(m), 1.0f, w.data(), static_cast<int>(m), counts.data() + u0 * n_groups,
                static_cast<int>(n_groups), 1.0f, rep_n.data(), static_cast<int>(n_groups));
  }
  const double alpha = (1.0 - confidence) / 2.0;
  std::vector<double> r;
  for (size_t c = 0; c < n_cols; ++c) {
    r.clear();
    for (size_t b = 0; b < B; ++b) {
      const double n = rep_n[b * n_groups + group_of_col[c]];
      if (n > 0) r.push_back(rep[b * n_cols + c] / n);
    }
    if (r.size() < B / 2) continue;  // the slice is too rare for a meaningful interval
    lo[c] = quantile(r, alpha);
    hi[c] = quantile(r, 1.0 - alpha);
  }
}

std::vector<double> sign_flip_pvalues(const std::vector<float>& d, size_t n_users, size_t n_cols, int flips,
                                      uint64_t seed) {
  STARS_CHECK(d.size() == n_users * n_cols, "differences size " << d.size());
  std::vector<double> p(n_cols, kNaN);
  if (flips <= 0 || n_cols == 0) return p;
  const size_t R = static_cast<size_t>(flips);
  std::vector<float> acc(R * n_cols, 0.0f), signs(R * kUserChunk);
  std::vector<double> observed(n_cols, 0.0), scale(n_cols, 0.0);
  for (size_t u = 0; u < n_users; ++u)
    for (size_t c = 0; c < n_cols; ++c) {
      observed[c] += d[u * n_cols + c];
      scale[c] += std::fabs(d[u * n_cols + c]);
    }
  for (size_t u0 = 0, chunk = 0; u0 < n_users; u0 += kUserChunk, ++chunk) {
    const size_t m = std::min(kUserChunk, n_users - u0);
    Rng rng(derive_seed(seed, 0x5160000 + chunk));
    for (size_t r = 0; r < R; ++r) {
      uint64_t bits = 0;
      for (size_t u = 0; u < m; ++u) {
        if ((u & 63) == 0) bits = rng.next_u64();
        signs[r * m + u] = (bits & 1) ? 1.0f : -1.0f;
        bits >>= 1;
      }
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(R), static_cast<int>(n_cols),
                static_cast<int>(m), 1.0f, signs.data(), static_cast<int>(m), d.data() + u0 * n_cols,
                static_cast<int>(n_cols), 1.0f, acc.data(), static_cast<int>(n_cols));
  }
  for (size_t c = 0; c < n_cols; ++c) {
    // Tolerance for float accumulation, so that exact ties (e.g. identical models) count as extreme.
    const double obs = std::fabs(observed[c]) - 1e-5 * (1.0 + scale[c]);
    int64_t extreme = 0;
    for (size_t r = 0; r < R; ++r) extreme += std::fabs(acc[r * n_cols + c]) >= obs;
    p[c] = static_cast<double>(extreme + 1) / static_cast<double>(R + 1);
  }
  return p;
}

double sign_flip_pvalue(const std::vector<double>& d, int flips, uint64_t seed) {
  const size_t n = d.size();
  if (n == 0) return kNaN;
  if (n > 20) return sign_flip_pvalues(std::vector<float>(d.begin(), d.end()), n, 1, flips, seed)[0];
  double observed = 0, scale = 0;
  for (double v : d) {
    observed += v;
    scale += std::fabs(v);
  }
  const double obs = std::fabs(observed) - 1e-9 * (1.0 + scale);  // exact ties count as extreme
  const uint64_t patterns = uint64_t{1} << n;
  uint64_t extreme = 0;
  for (uint64_t bits = 0; bits < patterns; ++bits) {  // d_i negated where bit i is set
    double t = 0;
    for (size_t i = 0; i < n; ++i) t += ((bits >> i) & 1) ? -d[i] : d[i];
    extreme += std::fabs(t) >= obs;
  }
  return static_cast<double>(extreme) / static_cast<double>(patterns);
}

std::vector<PairedResult> paired_differences(const std::vector<std::vector<double>>& a, const std::vector<double>& b,
                                             const std::vector<double>& counts, int bootstrap_samples,
                                             int permutations, double confidence, uint64_t seed) {
  const size_t U = b.size(), C = a.size();
  STARS_CHECK(counts.size() == U, "paired sizes differ");
  for (const auto& x : a) STARS_CHECK(x.size() == U, "paired sizes differ");
  std::vector<PairedResult> out(C);
  double n = 0, sb = 0;
  for (size_t u = 0; u < U; ++u) {
    n += counts[u];
    sb += b[u];
  }
  std::vector<float> d(U * C), cnt(counts.begin(), counts.end());
  for (size_t c = 0; c < C; ++c) {
    double sa = 0;
    for (size_t u = 0; u < U; ++u) {
      sa += a[c][u];
      d[u * C + c] = static_cast<float>(a[c][u] - b[u]);
    }
    out[c].a = n > 0 ? sa / n : kNaN;
    out[c].b = n > 0 ? sb / n : kNaN;
    out[c].diff = n > 0 ? (sa - sb) / n : kNaN;
  }
  if (n <= 0 || C == 0) {
    for (auto& r : out) r.lo = r.hi = r.p_value = kNaN;
    return out;
  }
  std::vector<double> lo, hi;
  bootstrap_intervals(d, U, C, cnt, 1, std::vector<int>(C, 0), bootstrap_samples, confidence,
                      derive_seed(seed, 0xB0075), lo, hi);
  const std::vector<double> p = sign_flip_pvalues(d, U, C, permutations, derive_seed(seed, 0x516E));
  for (size_t c = 0; c < C; ++c) {
    out[c].lo = lo[c];
    out[c].hi = hi[c];
    out[c].p_value = p[c];
  }
  return out;
}

PairedResult paired_difference(const std::vector<double>& a, const std::vector<double>& b,
                               const std::vector<double>& counts, int bootstrap_samples, int permutations,
                               double confidence, uint64_t seed) {
  return paired_differences({a}, b, counts, bootstrap_samples, permutations, confidence, seed)[0];
}

}  // namespace stars::eval
