// Deterministic, fast random numbers (SplitMix64 seeding + xoshiro256**). The state is a plain struct so
// that samplers can checkpoint and restore it exactly.
#pragma once

#include <cmath>
#include <cstdint>

namespace stars {

constexpr uint64_t kSplitMix64Step = 0x9E3779B97F4A7C15ULL;  // what each splitmix64 call adds to its state

inline uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += kSplitMix64Step);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Output number k + 1 of splitmix64 started from state s (k = 0: its first call), without the k calls before
// it: what counter-based streams draw in parallel.
inline uint64_t splitmix64_at(uint64_t s, uint64_t k) {
  uint64_t x = s + k * kSplitMix64Step;
  return splitmix64(x);
}

// Mixes a seed with a stream id (e.g. worker index, epoch) into an independent seed.
inline uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
  return splitmix64(x);
}

class Rng {
 public:
  explicit Rng(uint64_t seed = 42) { reseed(seed); }
  void reseed(uint64_t seed) {
    uint64_t x = seed;
    for (auto& v : s_) v = splitmix64(x);
  }
  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform integer in [0, n) (Lemire's multiply-shift; n > 0).
  uint64_t uniform(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next_u64()) * n) >> 64); }
  // Uniform double in [0, 1).
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  bool bernoulli(double p) { return uniform01() < p; }
  double normal() {
    double u1 = uniform01(), u2 = uniform01();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Exposed for checkpointing.
  const uint64_t* state() const { return s_; }
  void set_state(const uint64_t s[4]) {
    for (int i = 0; i < 4; ++i) s_[i] = s[i];
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace stars
