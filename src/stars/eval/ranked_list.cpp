#include "stars/eval/ranked_list.h"

#include <algorithm>
#include <cmath>
#include <functional>
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

namespace {

int64_t rank_and_top_heap(const float* scores, const int32_t* items, size_t n, int32_t target, const Exclusion& ex,
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

// Counts scores strictly above and equal to t (NaN counts as neither); written to vectorise.
__attribute__((optimize("O3"))) void count_above(const float* s, size_t n, float t, int64_t* higher, int64_t* ties) {
  int64_t h = 0, e = 0;
  constexpr size_t kChunk = 1 << 15;  // int32 lane counters cannot overflow within a chunk
  for (size_t b = 0; b < n; b += kChunk) {
    const size_t end = std::min(n, b + kChunk);
    int32_t hc = 0, ec = 0;
    for (size_t i = b; i < end; ++i) {
      hc += s[i] > t;
      ec += s[i] == t;
    }
    h += hc;
    e += ec;
  }
  *higher = h;
  *ties = e;
}

// Appends every item scoring >= tau (NaN never does).
__attribute__((optimize("O3"))) void collect_at_least(const float* s, size_t n, float tau, std::vector<Entry>& out) {
  for (size_t i = 0; i < n; ++i)
    if (s[i] >= tau) out.push_back(Entry{s[i], static_cast<int32_t>(i)});
}

}  // namespace

int64_t rank_and_top(const float* scores, const int32_t* items, size_t n, int32_t target, const Exclusion& ex,
                     size_t depth, std::vector<int32_t>& top) {
  const float t = clean(scores[target]);
  const size_t n_excluded = ex.value != 0 ? ex.n_items : 0;
  // Candidate lists, a -inf/NaN target and small catalogs take the exact one-pass heap.
  if (items != nullptr || t == -std::numeric_limits<float>::infinity() || n < 1024 ||
      (n_excluded > 0 && ex.items == nullptr))
    return rank_and_top_heap(scores, items, n, target, ex, depth, top);
  // ---- rank: one vectorised pass over the catalog, then undo the excluded items and the target.
  int64_t higher = 0, ties = 0;
  count_above(scores, n, t, &higher, &ties);
  --ties;  // the target itself
  for (size_t k = 0; k < n_excluded; ++k) {
    const int32_t e = ex.items[k];
    if (e == target) continue;
    const float s = scores[e];
    higher -= s > t;
    ties -= s == t;
  }
  const int64_t rank = higher + ties / 2;
  top.clear();
  if (depth == 0) return rank;
  // ---- top list: a threshold from a strided sample, then only the items above it are sorted.
  const size_t need = depth + n_excluded;
  const size_t m = std::min<size_t>(n, 1024), stride = n / m;
  float sample[1024];
  for (size_t j = 0; j < m; ++j) sample[j] = clean(scores[j * stride]);
  const size_t k = std::min(m - 1, need * m * 3 / (2 * n) + 12);  // about 1.5 times the needed share, plus slack
  std::nth_element(sample, sample + k, sample + m, std::greater<float>());
  const float tau = sample[k];
  std::vector<Entry> buf;
  buf.reserve(2 * need + 64);
  collect_at_least(scores, n, tau, buf);
  size_t eligible = 0;
  for (const auto& e : buf) eligible += e.item == target || !ex.excluded(e.item);
  if (eligible < depth && eligible < n - n_excluded) {
    // The sample overestimated the threshold: fall back to the exact heap (rare).
    rank_and_top_heap(scores, nullptr, n, target, ex, depth, top);
    return rank;
  }
  const auto better = [](const Entry& a, const Entry& b) { return worse(b, a); };
  if (buf.size() > need) std::nth_element(buf.begin(), buf.begin() + need, buf.end(), better);
  const auto mid = buf.begin() + std::min(need, buf.size());
  std::sort(buf.begin(), mid, better);
  for (auto it = buf.begin(); it != mid; ++it) {
    const Entry& e = *it;
    if (top.size() >= depth) break;
    if (e.item != target && ex.excluded(e.item)) continue;
    top.push_back(e.item);
  }
  return rank;
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
