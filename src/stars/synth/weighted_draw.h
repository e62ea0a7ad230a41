// Index drawn with probability proportional to non-negative weights, by a linear scan (the generator's
// weight lists are short: personas, hours, aisles, recipes, mission kinds). Returns -1 when all are zero.
#pragma once

#include <cstddef>
#include <vector>

#include "stars/core/random.h"

namespace stars::synth {

template <class W>
int weighted_draw(const W* w, size_t n, Rng& rng) {
  double total = 0;
  for (size_t i = 0; i < n; ++i) total += w[i];
  if (!(total > 0)) return -1;
  double r = rng.uniform01() * total;
  int last = -1;
  for (size_t i = 0; i < n; ++i) {
    if (w[i] <= 0) continue;
    last = static_cast<int>(i);
    r -= w[i];
    if (r < 0) return last;
  }
  return last;  // rounding left a sliver: the last index with weight
}

template <class W, size_t N>
int weighted_draw(const W (&w)[N], Rng& rng) {
  return weighted_draw(w, N, rng);
}

template <class W>
int weighted_draw(const std::vector<W>& w, Rng& rng) {
  return weighted_draw(w.data(), w.size(), rng);
}

}  // namespace stars::synth
