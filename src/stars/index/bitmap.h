// A dense bit set over item ids: the filter representation of the serving path. Filters are composed
// with word-wide AND/OR over precomputed attribute bitmaps and posting lists, then handed to the search
// kernels, so a filtered search scores only allowed items (never "retrieve k, then filter").
// Bit i lives in word i / 64 at bit i % 64; on little-endian machines this is also byte i / 8, bit i % 8,
// the layout of faiss::IDSelectorBitmap. Bits at positions >= size() are always zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace stars::index {

class Bitmap {
 public:
  Bitmap() = default;
  explicit Bitmap(size_t n, bool value = false) { resize(n, value); }

  size_t size() const { return n_; }
  size_t num_words() const { return words_.size(); }
  const uint64_t* words() const { return words_.data(); }
  uint64_t* words() { return words_.data(); }
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(words_.data()); }

  // Grows or shrinks to n bits; new bits take `value`.
  void resize(size_t n, bool value = false);
  void fill(bool value);

  bool test(size_t i) const { return i < n_ && ((words_[i >> 6] >> (i & 63)) & 1u); }
  void set(size_t i) { words_[i >> 6] |= uint64_t{1} << (i & 63); }
  void reset(size_t i) { words_[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  void assign(size_t i, bool v) { v ? set(i) : reset(i); }

  // Element-wise operations with a bitmap of the same size.
  void and_with(const Bitmap& other);
  void or_with(const Bitmap& other);
  void and_not(const Bitmap& other);

  size_t count() const;
  bool any() const;

  // Calls f(i) for every set bit in increasing order.
  template <class F>
  void for_each_set(F&& f) const {
    for (size_t w = 0; w < words_.size(); ++w) {
      uint64_t x = words_[w];
      while (x) {
        f(w * 64 + static_cast<size_t>(__builtin_ctzll(x)));
        x &= x - 1;
      }
    }
  }

  bool operator==(const Bitmap& o) const { return n_ == o.n_ && words_ == o.words_; }

 private:
  void clear_tail();
  size_t n_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace stars::index
