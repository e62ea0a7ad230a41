// The float vector type of the CPU kernels (train/detail/softmax_rows.cpp, train/detail/gathered_dot.cpp,
// model/detail/attention_cpu.cpp): GCC/Clang vector types, as wide as the build's target allows (16 floats with
// AVX-512, 8 with AVX, else 4), so that one code path is vectorised at any -march without intrinsics, and the
// vector exp they share. Included only by those kernels' .cpp files.
#pragma once

#include <cstdint>
#include <cstring>

namespace stars::vec {

#if defined(__AVX512F__)
constexpr int kW = 16;
#elif defined(__AVX__)
constexpr int kW = 8;
#else
constexpr int kW = 4;
#endif
typedef float vf __attribute__((vector_size(kW * sizeof(float))));
typedef int32_t vi __attribute__((vector_size(kW * sizeof(int32_t))));

inline vf splat(float x) { return vf{} + x; }
inline vf load(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }

// The first k < kW values at p, padded with `pad`; and their store.
inline vf load_tail(const float* p, int64_t k, float pad) {
  float t[kW];
  for (int j = 0; j < kW; ++j) t[j] = j < k ? p[j] : pad;
  return load(t);
}
inline void store_tail(float* p, int64_t k, vf v) {
  for (int j = 0; j < k; ++j) p[j] = v[j];
}

inline float hsum(vf a) {
  float s = 0;
  for (int j = 0; j < kW; ++j) s += a[j];
  return s;
}

// max(a, x) that keeps a NaN once seen (as ATen's max and softmax do), on vectors and on one value.
inline vf vmax_nan(vf a, vf x) { return (x > a) | (x != x) ? x : a; }
inline float max_nan(float a, float x) { return (x > a) | (x != x) ? x : a; }
inline float hmax(vf a) {
  float m = a[0];
  for (int j = 1; j < kW; ++j) m = max_nan(m, a[j]);
  return m;
}

constexpr float kExpLow = -87.3f;  // exp(-87.3) ~ 1.2e-38, the smallest normal float
constexpr float kExpHigh = 88.3f;  // exp(88.3) ~ 2.2e38 < FLT_MAX

// exp over kW lanes, within 2 ulp of the exact value over [kExpLow, kExpHigh]; 0 below (-inf included), clamped
// above, NaN stays NaN. x = n ln2 + r with |r| <= ln2 / 2 (ln2 split in two for an exact n ln2), exp(r) by
// Cephes' polynomial for expf, 2^n built in the exponent bits.
inline vf vexp(vf x) {
  const vi under = x < splat(kExpLow);
  vf c = x < splat(kExpLow) ? splat(kExpLow) : x;
  c = c > splat(kExpHigh) ? splat(kExpHigh) : c;
  const vf n = (c * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest (1.5 * 2^23)
  const vf r = (c - n * 0.693359375f) + n * 2.12194440e-4f;
  vf p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const vi bits = (__builtin_convertvector(n, vi) + 127) << 23;
  vf scale;
  std::memcpy(&scale, &bits, sizeof scale);
  vf e = p * scale;
  vi out;
  std::memcpy(&out, &e, sizeof out);
  out = under ? vi{} : out;  // NaN compares false: it stays NaN
  std::memcpy(&e, &out, sizeof e);
  return e;
}

}  // namespace stars::vec
