// An open-addressing hash map from 64-bit feature keys to counts: the document-frequency table of the
// LSA fit, much faster and smaller than std::unordered_map for millions of keys. Torch-free.
#pragma once

#include <cstdint>
#include <vector>

namespace stars::semantics::detail {

class KeyCounter {
 public:
  KeyCounter() { rehash(1 << 12); }

  void add(uint64_t key, uint32_t n = 1) {
    size_t b = slot(key);
    while (used_[b]) {
      if (keys_[b] == key) {
        counts_[b] += n;
        return;
      }
      b = (b + 1) & mask_;
    }
    used_[b] = 1;
    keys_[b] = key;
    counts_[b] = n;
    if (++size_ * 2 > keys_.size()) rehash(keys_.size() * 2);
  }
  void merge(const KeyCounter& other) {
    for (size_t b = 0; b < other.keys_.size(); ++b)
      if (other.used_[b]) add(other.keys_[b], other.counts_[b]);
  }
  size_t size() const { return size_; }
  template <class F>
  void for_each(F&& f) const {
    for (size_t b = 0; b < keys_.size(); ++b)
      if (used_[b]) f(keys_[b], counts_[b]);
  }

 private:
  size_t slot(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> 20) & mask_; }
  void rehash(size_t buckets) {
    std::vector<uint64_t> old_keys;
    std::vector<uint32_t> old_counts;
    std::vector<uint8_t> old_used;
    old_keys.swap(keys_);
    old_counts.swap(counts_);
    old_used.swap(used_);
    keys_.assign(buckets, 0);
    counts_.assign(buckets, 0);
    used_.assign(buckets, 0);
    mask_ = buckets - 1;
    size_ = 0;
    for (size_t b = 0; b < old_keys.size(); ++b)
      if (old_used[b]) add(old_keys[b], old_counts[b]);
  }
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> counts_;
  std::vector<uint8_t> used_;
  size_t mask_ = 0, size_ = 0;
};

}  // namespace stars::semantics::detail
