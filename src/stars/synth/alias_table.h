// Walker's alias method: after O(n) set-up, draws an index with probability proportional to its weight in
// O(1) (used to sample popular items of a subclass for every page).
#pragma once

#include <cstdint>
#include <vector>

#include "stars/core/random.h"

namespace stars::synth {

class AliasTable {
 public:
  AliasTable() = default;
  // Weights must be non-negative with a positive sum.
  explicit AliasTable(const std::vector<double>& weights);
  size_t size() const { return prob_.size(); }
  size_t draw(Rng& rng) const {
    const size_t k = rng.uniform(prob_.size());
    return rng.uniform01() < prob_[k] ? k : static_cast<size_t>(alias_[k]);
  }

 private:
  std::vector<double> prob_;
  std::vector<uint32_t> alias_;
};

}  // namespace stars::synth
