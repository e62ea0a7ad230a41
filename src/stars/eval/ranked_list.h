// One pass over a score row: the target's rank (as rank_of_target: strictly higher scores plus half the
// ties) and the top-`depth` list (score descending, ties by item id), skipping excluded items; and the
// round-robin interleave of two ranked lists with duplicates skipped (STARS serves h_gen and h_next
// merged this way). Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace stars::eval {

// Excluded items of one query: item i is excluded when stamp[i] == value (value 0 = nothing excluded);
// `items` lists the same items once each (the fast full-catalog path walks the list).
struct Exclusion {
  const uint32_t* stamp = nullptr;
  uint32_t value = 0;
  const int32_t* items = nullptr;
  size_t n_items = 0;
  bool excluded(int32_t item) const { return stamp != nullptr && value != 0 && stamp[item] == value; }
};

// Ranks `target` among items [0, n_items) (items == nullptr) or among items[0, n) (a candidate list,
// scores indexed by item id). Fills `top` with the best min(depth, eligible) items. NaN scores count as
// -infinity. The target itself is never excluded. Returns the target's 0-based rank, or -1 when the
// target is not among the candidates.
int64_t rank_and_top(const float* scores, const int32_t* items, size_t n, int32_t target, const Exclusion& ex,
                     size_t depth, std::vector<int32_t>& top);

// Round-robin interleave of lists a and b (a first, duplicates skipped). Returns the target's 0-based
// position in the merged list; `head` receives its first `head_len` items. When the target is in neither
// list, its position is extrapolated from rank_a / rank_b (its ranks in the full lists) at the observed
// rate of new items per round, which only affects MRR (every K is within the lists).
// `seen` is scratch of size >= num_items, all zero on entry and on return.
int64_t interleave_rank(const std::vector<int32_t>& a, const std::vector<int32_t>& b, int32_t target, int64_t rank_a,
                        int64_t rank_b, size_t head_len, std::vector<int32_t>& head, std::vector<uint8_t>& seen);

}  // namespace stars::eval
