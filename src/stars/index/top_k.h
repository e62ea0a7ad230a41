// Keeps the k best (item, score) pairs of a search. Order: higher score first, then lower item id, so
// that every search path (SIMD scan, gather, brute force, FAISS re-ranking) agrees on ties.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace stars::index {

struct Hit {
  int32_t id = -1;
  float score = 0.0f;
};

// True if a ranks before b.
inline bool hit_before(const Hit& a, const Hit& b) { return a.score > b.score || (a.score == b.score && a.id < b.id); }

class TopK {
 public:
  explicit TopK(int k) : k_(k) { heap_.reserve(static_cast<size_t>(std::max(k, 0))); }

  // Scores strictly below this cannot enter (scores equal to it may, by id).
  float threshold() const {
    if (k_ <= 0) return std::numeric_limits<float>::infinity();
    return static_cast<int>(heap_.size()) < k_ ? -std::numeric_limits<float>::infinity() : heap_.front().score;
  }
  void push(int32_t id, float score) {
    if (k_ <= 0) return;
    const Hit h{id, score};
    if (static_cast<int>(heap_.size()) < k_) {
      heap_.push_back(h);
      std::push_heap(heap_.begin(), heap_.end(), hit_before);  // front = worst kept
    } else if (hit_before(h, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), hit_before);
      heap_.back() = h;
      std::push_heap(heap_.begin(), heap_.end(), hit_before);
    }
  }
  // The kept hits, best first; leaves the collector empty.
  std::vector<Hit> take_sorted() {
    std::sort(heap_.begin(), heap_.end(), hit_before);
    return std::move(heap_);
  }
  int size() const { return static_cast<int>(heap_.size()); }

 private:
  int k_;
  std::vector<Hit> heap_;
};

}  // namespace stars::index
