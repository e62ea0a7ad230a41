// Walker/Vose alias tables (see alias_table.h).
#include "stars/synth/alias_table.h"

#include "stars/core/error.h"

namespace stars::synth {

AliasTable::AliasTable(const std::vector<double>& weights) {
  const size_t n = weights.size();
  STARS_CHECK(n > 0, "alias table over no weights");
  double total = 0;
  for (double w : weights) {
    STARS_CHECK(w >= 0, "negative weight " << w);
    total += w;
  }
  STARS_CHECK(total > 0, "alias table weights sum to zero");
  prob_.resize(n);
  alias_.resize(n);
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back(), l = large.back();
    small.pop_back();
    prob_[s] = scaled[s];
    alias_[s] = l;
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (uint32_t i : large) {
    prob_[i] = 1.0;
    alias_[i] = i;
  }
  for (uint32_t i : small) {  // only rounding leftovers
    prob_[i] = 1.0;
    alias_[i] = i;
  }
}

}  // namespace stars::synth
