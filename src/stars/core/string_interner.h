// Maps strings to dense int32 ids in insertion order, with an open-addressing hash table over an arena,
// so that a lookup of an existing string allocates nothing (ingest runs at millions of rows per second).
// Each slot holds the id, the top 32 bits of the hash (which also choose the bucket, so growing the table
// reads only the old slots, almost in order) and the string's arena position: a hit reads one slot and
// the string itself. The batch calls (intern_many/find_many) prefetch slots and strings a few keys
// ahead, hiding most of the memory latency that dominates lookups in tables larger than the cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stars {

class StringInterner {
 public:
  StringInterner() { rehash(1024); }

  // Returns the id of `s`, adding it if new. `*added` (optional) tells whether it was new.
  int32_t intern(std::string_view s, bool* added = nullptr);
  // Returns the id of `s` or -1.
  int32_t find(std::string_view s) const;
  // ids[k] = intern(keys[k]) for k in order (same ids as one call per key), with prefetching.
  void intern_many(const std::string_view* keys, size_t n, int32_t* ids);
  // ids[k] = find(keys[k]), with prefetching.
  void find_many(const std::string_view* keys, size_t n, int32_t* ids) const;
  std::string_view at(int32_t id) const {
    return std::string_view(arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  int32_t size() const { return static_cast<int32_t>(offsets_.size() - 1); }
  // Makes room for `n` strings in total without rehashing.
  void reserve(size_t n);
  std::vector<std::string> to_vector() const;
  // All strings as one byte arena plus size() + 1 offsets (string i is [offsets()[i], offsets()[i + 1])):
  // the layout of a TableWriter string column, so tables can be written without copying the strings.
  const std::vector<uint64_t>& offsets() const { return offsets_; }
  const char* arena_data() const { return arena_.data(); }

  static uint64_t hash(std::string_view s);

 private:
  struct Slot {
    int32_t id;       // -1 = empty
    uint32_t tag;     // high 32 bits of the hash; the bucket is its top `bits_` bits
    uint64_t packed;  // arena offset << 24 | length (kLongString: look the length up in offsets_)
  };
  static constexpr uint64_t kLongString = 0xFFFFFF;
  bool slot_matches(const Slot& sl, uint32_t tag, std::string_view s) const;
  size_t bucket(uint32_t tag) const { return static_cast<size_t>(tag) >> shift_; }
  int32_t insert_at(size_t bucket, uint32_t tag, std::string_view s);
  void prefetch_slot(uint32_t tag) const;
  // The prefetching loop of intern_many/find_many; `on_miss(bucket, tag, key)` gives the id of an absent key.
  template <class Self, class OnMiss>
  static void lookup_many(Self& self, const std::string_view* keys, size_t n, int32_t* ids, OnMiss on_miss);
  void rehash(size_t buckets);
  std::vector<char> arena_;
  std::vector<uint64_t> offsets_{0};
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 32;  // 32 - log2(number of buckets)
};

}  // namespace stars
