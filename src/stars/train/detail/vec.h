// The float vector type of the training module's CPU kernels (softmax_rows.cpp, gathered_dot.cpp): GCC/Clang
// vector types, as wide as the build's target allows (16 floats with AVX-512, 8 with AVX, else 4), so that one
// code path is vectorised at any -march without intrinsics. Included only by those kernels' .cpp files.
#pragma once

#include <cstdint>
#include <cstring>

namespace stars::train::detail {

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

}  // namespace stars::train::detail
