// y += a * x over float arrays, written with GCC/Clang vector types so that it is vectorised at -O2
// (the project's build type), where the compiler leaves the plain loop scalar. Elementwise, with no
// reassociation: results are identical whatever the vector width, so a vector embedded at request time
// matches the one computed in batch bit for bit.
#pragma once

#include <cstring>

namespace stars::semantics::detail {

inline void axpy(float a, const float* __restrict x, float* __restrict y, int n) {
  typedef float v8 __attribute__((vector_size(32)));
  const v8 av = {a, a, a, a, a, a, a, a};
  int c = 0;
  for (; c + 8 <= n; c += 8) {
    v8 xv, yv;
    std::memcpy(&xv, x + c, sizeof(v8));
    std::memcpy(&yv, y + c, sizeof(v8));
    yv += av * xv;
    std::memcpy(y + c, &yv, sizeof(v8));
  }
  for (; c < n; ++c) y[c] += a * x[c];
}

}  // namespace stars::semantics::detail
