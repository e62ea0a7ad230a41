// Random vectors and a double-precision brute-force reference shared by the index tests.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stars/core/random.h"
#include "stars/index/bitmap.h"
#include "stars/index/top_k.h"

namespace stars::index::testing {

inline std::vector<float> random_vectors(int32_t n, int dim, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(static_cast<size_t>(n) * dim);
  for (auto& x : v) x = static_cast<float>(rng.normal());
  return v;
}

// Top-k by a scalar double-precision loop over the allowed items, plus bias[i] when given; ties by lower id.
inline std::vector<Hit> brute_force(const std::vector<float>& items, int dim, const float* q, int k,
                                    const Bitmap* allow, const float* bias = nullptr) {
  const int32_t n = static_cast<int32_t>(items.size() / dim);
  std::vector<std::pair<double, int32_t>> all;
  for (int32_t i = 0; i < n; ++i) {
    if (allow && !allow->test(i)) continue;
    double s = bias ? bias[i] : 0.0;
    for (int d = 0; d < dim; ++d) s += static_cast<double>(items[static_cast<size_t>(i) * dim + d]) * q[d];
    all.push_back({s, i});
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  std::vector<Hit> out;
  for (int i = 0; i < k && i < static_cast<int>(all.size()); ++i) out.push_back({all[i].second, static_cast<float>(all[i].first)});
  return out;
}

}  // namespace stars::index::testing
