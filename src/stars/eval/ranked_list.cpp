#include "stars/eval/ranked_list.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stars::eval {

namespace {

struct Entry {
  float score;
  int32_t item;
};
// a ranks after b: lower score, or equal score and larger id.
inline bool worse(const Entry& a, const Entry& b) { return a.score < b.score || (a.score == b.score && a.item > b.item); }
// std heap with this comparator keeps the worst entry on top (a min-heap by rank order).
struct BetterFirst {
  bool operator()(const Entry& a, const Entry& b) const { return worse(b, a); }
};
inline float clean(float s) { return std::isnan(s) ? -std::numeric_limits<float>::infinity() : s; }

}  // namespace

int64_t rank_and_top(const float* scores, const int32_t* items, size_t n, int32_t target, const Exclusion& ex,
                     size_t depth, std::vector<int32_t>& top) {
  top.clear();
  bool target_found = items == nullptr;
  const float t = clean(scores[target]);
  int64_t higher = 0, ties = 0;
  std::vector<Entry> heap;
  heap.reserve(depth + 1);
  for (size_t j = 0; j < n; ++j) {
    const int32_t i = items ? items[j] : static_cast<int32_t>(j);
    if (i == target) {
      target_found = true;
    } else if (ex.excluded(i)) {
      continue;
    }
    const float s = clean(scores[i]);
    if (i != target) {
      higher += s > t;
      ties += s == t;
    }
    if (depth == 0) continue;
    const Entry e{s, i};
    if (heap.size() < depth) {
      heap.push_back(e);
      std::push_heap(heap.begin(), heap.end(), BetterFirst());
    } else if (worse(heap.front(), e)) {
      std::pop_heap(heap.begin(), heap.end(), BetterFirst());
      heap.back() = e;
      std::push_heap(heap.begin(), heap.end(), BetterFirst());
    }
  }
  std::sort(heap.begin(), heap.end(), [](const Entry& a, const Entry& b) { return worse(b, a); });
  top.reserve(heap.size());
  for (const auto& e : heap) top.push_back(e.item);
  if (!target_found) return -1;
  return higher + ties / 2;
}

int64_t interleave_rank(const std::vector<int32_t>& a, const std::vector<int32_t>& b, int32_t target, int64_t rank_a,
                        int64_t rank_b, size_t head_len, std::vector<int32_t>& head, std::vector<uint8_t>& seen) {
  head.clear();
  int64_t pos = 0, found = -1;
  const size_t rounds = std::max(a.size(), b.size());
  std::vector<int32_t> touched;
  touched.reserve(2 * rounds);
  size_t done_rounds = 0;
  for (size_t j = 0; j < rounds; ++j) {
    for (const auto* list : {&a, &b}) {
      if (j >= list->size()) continue;
      const int32_t it = (*list)[j];
      if (seen[it]) continue;
      seen[it] = 1;
      touched.push_back(it);
      if (head.size() < head_len) head.push_back(it);
      if (it == target && found < 0) found = pos;
      ++pos;
    }
    done_rounds = j + 1;
    if (found >= 0 && head.size() >= head_len) break;
  }
  for (int32_t it : touched) seen[it] = 0;
  if (found >= 0) return found;
  // Not within the lists: the target enters at round min(rank_a, rank_b); extrapolate new items per round.
  const int64_t round = std::max<int64_t>(std::min(rank_a, rank_b), static_cast<int64_t>(done_rounds));
  const double per_round = done_rounds ? static_cast<double>(pos) / static_cast<double>(done_rounds) : 1.0;
  return std::max<int64_t>(pos, static_cast<int64_t>(std::llround(per_round * static_cast<double>(round))));
}

}  // namespace stars::eval
