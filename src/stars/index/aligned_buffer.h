// A growable float buffer whose storage is 64-byte aligned (one cache line, one AVX-512 register), for the
// item matrices the search kernels stream through.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

namespace stars::index {

class AlignedFloats {
 public:
  AlignedFloats() = default;
  ~AlignedFloats() { std::free(data_); }
  AlignedFloats(const AlignedFloats& o) { *this = o; }
  AlignedFloats& operator=(const AlignedFloats& o) {
    if (this != &o) {
      resize(0);
      reserve(o.size_);
      if (o.size_) std::memcpy(data_, o.data_, o.size_ * sizeof(float));
      size_ = o.size_;
    }
    return *this;
  }
  AlignedFloats(AlignedFloats&& o) noexcept : data_(o.data_), size_(o.size_), capacity_(o.capacity_) {
    o.data_ = nullptr;
    o.size_ = o.capacity_ = 0;
  }
  AlignedFloats& operator=(AlignedFloats&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(capacity_, o.capacity_);
    return *this;
  }

  float* data() { return data_; }
  const float* data() const { return data_; }
  size_t size() const { return size_; }

  void reserve(size_t n) {
    if (n <= capacity_) return;
    const size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
    auto* p = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!p) throw std::bad_alloc();
    if (size_) std::memcpy(p, data_, size_ * sizeof(float));
    std::free(data_);
    data_ = p;
    capacity_ = bytes / sizeof(float);
  }
  // Grows (new elements are zero) or shrinks. Growth is geometric so appends are amortised O(1).
  void resize(size_t n) {
    if (n > capacity_) reserve(n > 2 * capacity_ ? n : 2 * capacity_);
    if (n > size_) std::memset(data_ + size_, 0, (n - size_) * sizeof(float));
    size_ = n;
  }

 private:
  float* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace stars::index
