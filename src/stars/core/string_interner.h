// Maps strings to dense int32 ids in insertion order, with an open-addressing hash table over an arena,
// so that a lookup of an existing string allocates nothing (ingest runs at millions of rows per second).
#pragma once

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
  std::string_view at(int32_t id) const {
    return std::string_view(arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  int32_t size() const { return static_cast<int32_t>(offsets_.size() - 1); }
  std::vector<std::string> to_vector() const;

  static uint64_t hash(std::string_view s);

 private:
  void rehash(size_t buckets);
  std::vector<char> arena_;
  std::vector<uint64_t> offsets_{0};
  std::vector<int32_t> slots_;  // -1 = empty
  std::vector<uint64_t> slot_hash_;
  size_t mask_ = 0;
};

}  // namespace stars
