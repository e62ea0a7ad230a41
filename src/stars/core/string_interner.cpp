#include "stars/core/string_interner.h"

#include <cstring>

namespace stars {

uint64_t StringInterner::hash(std::string_view s) {
  // FNV-1a over 8-byte words with a final mix: fast for short ids.
  uint64_t h = 0xcbf29ce484222325ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0x9E3779B97F4A7C15ULL;
  h ^= h >> 32;
  return h;
}

void StringInterner::rehash(size_t buckets) {
  slots_.assign(buckets, -1);
  slot_hash_.assign(buckets, 0);
  mask_ = buckets - 1;
  for (int32_t id = 0; id < size(); ++id) {
    const uint64_t h = hash(at(id));
    size_t b = h & mask_;
    while (slots_[b] != -1) b = (b + 1) & mask_;
    slots_[b] = id;
    slot_hash_[b] = h;
  }
}

int32_t StringInterner::find(std::string_view s) const {
  const uint64_t h = hash(s);
  size_t b = h & mask_;
  while (slots_[b] != -1) {
    if (slot_hash_[b] == h && at(slots_[b]) == s) return slots_[b];
    b = (b + 1) & mask_;
  }
  return -1;
}

int32_t StringInterner::intern(std::string_view s, bool* added) {
  const uint64_t h = hash(s);
  size_t b = h & mask_;
  while (slots_[b] != -1) {
    if (slot_hash_[b] == h && at(slots_[b]) == s) {
      if (added) *added = false;
      return slots_[b];
    }
    b = (b + 1) & mask_;
  }
  const int32_t id = size();
  arena_.insert(arena_.end(), s.begin(), s.end());
  offsets_.push_back(arena_.size());
  slots_[b] = id;
  slot_hash_[b] = h;
  if (added) *added = true;
  if (static_cast<size_t>(size()) * 2 > slots_.size()) rehash(slots_.size() * 2);
  return id;
}

std::vector<std::string> StringInterner::to_vector() const {
  std::vector<std::string> out(size());
  for (int32_t i = 0; i < size(); ++i) out[i] = std::string(at(i));
  return out;
}

}  // namespace stars
