#include "stars/index/bitmap.h"

#include "stars/core/error.h"

namespace stars::index {

void Bitmap::resize(size_t n, bool value) {
  const size_t old_n = n_;
  words_.resize((n + 63) / 64, value ? ~uint64_t{0} : 0);
  n_ = n;
  if (value && n > old_n) {
    // Bits between old_n and the end of its last word were zero (tail invariant): set them.
    for (size_t i = old_n; i < n && (i & 63) != 0; ++i) set(i);
  }
  clear_tail();
}

void Bitmap::fill(bool value) {
  for (auto& w : words_) w = value ? ~uint64_t{0} : 0;
  clear_tail();
}

void Bitmap::clear_tail() {
  if (n_ % 64 != 0 && !words_.empty()) words_.back() &= (uint64_t{1} << (n_ % 64)) - 1;
}

void Bitmap::and_with(const Bitmap& other) {
  STARS_CHECK(other.n_ == n_, "bitmap sizes differ: " << n_ << " vs " << other.n_);
  for (size_t w = 0; w < words_.size(); ++w) words_[w] &= other.words_[w];
}

void Bitmap::or_with(const Bitmap& other) {
  STARS_CHECK(other.n_ == n_, "bitmap sizes differ: " << n_ << " vs " << other.n_);
  for (size_t w = 0; w < words_.size(); ++w) words_[w] |= other.words_[w];
}

void Bitmap::and_not(const Bitmap& other) {
  STARS_CHECK(other.n_ == n_, "bitmap sizes differ: " << n_ << " vs " << other.n_);
  for (size_t w = 0; w < words_.size(); ++w) words_[w] &= ~other.words_[w];
}

size_t Bitmap::count() const {
  size_t c = 0;
  for (uint64_t w : words_) c += static_cast<size_t>(__builtin_popcountll(w));
  return c;
}

bool Bitmap::any() const {
  for (uint64_t w : words_)
    if (w) return true;
  return false;
}

}  // namespace stars::index
