// Standard normal draws that use both values of each Box-Muller pair (half the logarithms and cosines of
// Rng::normal, which keeps one): simulating a user draws about a hundred normals.
#pragma once

#include <cmath>

#include "stars/core/random.h"

namespace stars::synth {

class Gaussian {
 public:
  explicit Gaussian(Rng& rng) : rng_(rng) {}
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = rng_.uniform01();
    const double u2 = rng_.uniform01();
    if (u1 < 1e-300) u1 = 1e-300;
    const double r = std::sqrt(-2.0 * std::log(u1)), a = 6.283185307179586 * u2;
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

 private:
  Rng& rng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace stars::synth
