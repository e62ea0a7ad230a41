// Inner-product kernels of the exact search, specialised at compile time for the host (-march=native):
// AVX-512, AVX2+FMA, or portable scalar code. Two layouts:
//   row-major rows (N, S)            : one dot product per candidate (sparse filters: gather path)
//   blocks of kBlockRows items (S, 16): 16 scores per pass without horizontal sums (dense scans)
// S is the padded dimension (a multiple of kBlockRows; padding is zero in items and query).
#pragma once

#include <cstddef>

namespace stars::index {

constexpr int kBlockRows = 16;

// "avx512", "avx2" or "scalar": the kernels this binary was compiled with.
const char* simd_level();

// <a, b> over `stride` floats (stride a multiple of kBlockRows).
float dot_row(const float* a, const float* b, int stride);

// out[l] = <q, item l of the block> for the kBlockRows items of a block laid out as [stride][kBlockRows].
void dot_block(const float* q, const float* block, int stride, float* out);

// Bit l of the result is set when out[l] >= threshold (l < kBlockRows).
unsigned mask_at_least(const float* scores, float threshold);

}  // namespace stars::index
