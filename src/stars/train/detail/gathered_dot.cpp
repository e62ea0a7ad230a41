// Row-wise dot products against gathered rows (see gathered_dot.h). Built at -O3 (train/CMakeLists.txt); the dot
// product keeps kW partial sums in core/vec.h's vector type, so that it is vectorised without reassociation flags.
#include "stars/train/detail/gathered_dot.h"

#include <cstring>

#include "stars/core/vec.h"

namespace stars::train::detail {
namespace {

using namespace ::stars::vec;

inline float dot(const float* a, const float* b, int64_t S) {
  vf acc{};
  int64_t k = 0;
  for (; k + kW <= S; k += kW) acc += load(a + k) * load(b + k);
  float s = 0;
  for (int j = 0; j < kW; ++j) s += acc[j];
  for (; k < S; ++k) s += a[k] * b[k];
  return s;
}

// y += a * x over S floats.
inline void axpy(float a, const float* __restrict x, float* __restrict y, int64_t S) {
  for (int64_t k = 0; k < S; ++k) y[k] += a * x[k];
}

}  // namespace

void gathered_dot(const float* h, const float* items, const int64_t* cands, int64_t C, int64_t S, int64_t r0, int64_t r1,
                  float* z) {
  for (int64_t i = r0; i < r1; ++i)
    for (int64_t c = 0; c < C; ++c) z[i * C + c] = dot(h + i * S, items + cands[i * C + c] * S, S);
}

void gathered_dot_grad_rows(const float* g, const float* items, const int64_t* cands, int64_t C, int64_t S, int64_t r0,
                            int64_t r1, float* gh) {
  for (int64_t i = r0; i < r1; ++i) {
    float* out = gh + i * S;
    std::memset(out, 0, static_cast<size_t>(S) * sizeof(float));
    for (int64_t c = 0; c < C; ++c) axpy(g[i * C + c], items + cands[i * C + c] * S, out, S);
  }
}

void gathered_dot_grad_items(const float* g, const float* h, const int64_t* cands, int64_t rows, int64_t C, int64_t S,
                             float* g_items) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t c = 0; c < C; ++c) axpy(g[i * C + c], h + i * S, g_items + cands[i * C + c] * S, S);
}

}  // namespace stars::train::detail
