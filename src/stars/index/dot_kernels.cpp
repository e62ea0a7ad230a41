#include "stars/index/dot_kernels.h"

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

// GCC 12's AVX-512 headers fill "don't care" lanes with self-initialised values and warn about it inside
// their own inline functions (-Wuninitialized); nothing here reads such lanes.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace stars::index {

#if defined(__AVX512F__)

const char* simd_level() { return "avx512"; }


float dot_row(const float* a, const float* b, int stride) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  int d = 0;
  for (; d + 32 <= stride; d += 32) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + d), _mm512_loadu_ps(b + d), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + d + 16), _mm512_loadu_ps(b + d + 16), acc1);
  }
  for (; d < stride; d += 16) acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + d), _mm512_loadu_ps(b + d), acc0);
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

void dot_block(const float* q, const float* block, int stride, float* out) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps(), acc2 = _mm512_setzero_ps(),
         acc3 = _mm512_setzero_ps();
  for (int d = 0; d < stride; d += 4) {  // stride is a multiple of 16
    const float* p = block + static_cast<size_t>(d) * kBlockRows;
    acc0 = _mm512_fmadd_ps(_mm512_set1_ps(q[d]), _mm512_loadu_ps(p), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_set1_ps(q[d + 1]), _mm512_loadu_ps(p + 16), acc1);
    acc2 = _mm512_fmadd_ps(_mm512_set1_ps(q[d + 2]), _mm512_loadu_ps(p + 32), acc2);
    acc3 = _mm512_fmadd_ps(_mm512_set1_ps(q[d + 3]), _mm512_loadu_ps(p + 48), acc3);
  }
  _mm512_storeu_ps(out, _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

unsigned mask_at_least(const float* scores, float threshold) {
  return _mm512_cmp_ps_mask(_mm512_loadu_ps(scores), _mm512_set1_ps(threshold), _CMP_GE_OQ);
}

#elif defined(__AVX2__) && defined(__FMA__)

const char* simd_level() { return "avx2"; }

float dot_row(const float* a, const float* b, int stride) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  for (int d = 0; d < stride; d += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 8), _mm256_loadu_ps(b + d + 8), acc1);
  }
  __m256 s = _mm256_add_ps(acc0, acc1);
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
  return _mm_cvtss_f32(lo);
}

void dot_block(const float* q, const float* block, int stride, float* out) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
  for (int d = 0; d < stride; d += 2) {
    const float* p = block + static_cast<size_t>(d) * kBlockRows;
    const __m256 q0 = _mm256_set1_ps(q[d]), q1 = _mm256_set1_ps(q[d + 1]);
    a0 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(p), a0);
    a1 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(p + 8), a1);
    b0 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(p + 16), b0);
    b1 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(p + 24), b1);
  }
  _mm256_storeu_ps(out, _mm256_add_ps(a0, b0));
  _mm256_storeu_ps(out + 8, _mm256_add_ps(a1, b1));
}

unsigned mask_at_least(const float* scores, float threshold) {
  const __m256 t = _mm256_set1_ps(threshold);
  const unsigned lo = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(scores), t, _CMP_GE_OQ)));
  const unsigned hi =
      static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(scores + 8), t, _CMP_GE_OQ)));
  return lo | (hi << 8);
}

#else

const char* simd_level() { return "scalar"; }

float dot_row(const float* a, const float* b, int stride) {
  float acc[4] = {0, 0, 0, 0};
  for (int d = 0; d < stride; d += 4)
    for (int j = 0; j < 4; ++j) acc[j] += a[d + j] * b[d + j];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

void dot_block(const float* q, const float* block, int stride, float* out) {
  for (int l = 0; l < kBlockRows; ++l) out[l] = 0.0f;
  for (int d = 0; d < stride; ++d) {
    const float* p = block + static_cast<size_t>(d) * kBlockRows;
    for (int l = 0; l < kBlockRows; ++l) out[l] += q[d] * p[l];
  }
}

unsigned mask_at_least(const float* scores, float threshold) {
  unsigned m = 0;
  for (int l = 0; l < kBlockRows; ++l) m |= static_cast<unsigned>(scores[l] >= threshold) << l;
  return m;
}

#endif

}  // namespace stars::index
