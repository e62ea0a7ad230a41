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
  // Buckets are the top bits of the 32-bit tag, so the old slots hold everything needed to place each
  // string, and reading them in order writes the new table almost in order.
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(buckets, Slot{-1, 0, 0});
  mask_ = buckets - 1;
  int bits = 0;
  while ((size_t{1} << bits) < buckets) ++bits;
  shift_ = 32 - bits;
  for (const Slot& sl : old) {
    if (sl.id == -1) continue;
    size_t b = bucket(sl.tag);
    while (slots_[b].id != -1) b = (b + 1) & mask_;
    slots_[b] = sl;
  }
}

void StringInterner::reserve(size_t n) {
  size_t buckets = slots_.size();
  while (n * 10 > buckets * 7) buckets *= 2;
  if (buckets != slots_.size()) rehash(buckets);
}

namespace {

// Equality of two byte ranges of length n, inlined for the short ids that dominate ingest.
inline bool same_bytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    uint64_t x, y;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a + n - 8, 8);  // the (overlapping) last word
    std::memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace

inline bool StringInterner::slot_matches(const Slot& sl, uint32_t tag, std::string_view s) const {
  if (sl.tag != tag) return false;
  const uint64_t len = sl.packed & kLongString;
  const uint64_t off = sl.packed >> 24;
  if (len != kLongString) return len == s.size() && same_bytes(arena_.data() + off, s.data(), len);
  return at(sl.id) == s;
}

inline void StringInterner::prefetch_slot(uint32_t tag) const { __builtin_prefetch(&slots_[bucket(tag)]); }

int32_t StringInterner::insert_at(size_t b, uint32_t tag, std::string_view s) {
  const int32_t id = size();
  const uint64_t off = arena_.size();
  arena_.insert(arena_.end(), s.begin(), s.end());
  offsets_.push_back(arena_.size());
  slots_[b] = Slot{id, tag, (off << 24) | (s.size() < kLongString ? s.size() : kLongString)};
  // Grow at a load of 0.7: linear probing with 16-byte slots (4 per cache line) stays short there, and the
  // table costs about 31 bytes per string on average instead of 43 at a maximum load of 0.5.
  if (static_cast<size_t>(size()) * 10 > slots_.size() * 7) rehash(slots_.size() * 2);
  return id;
}

int32_t StringInterner::find(std::string_view s) const {
  const uint32_t tag = static_cast<uint32_t>(hash(s) >> 32);
  size_t b = bucket(tag);
  while (slots_[b].id != -1) {
    if (slot_matches(slots_[b], tag, s)) return slots_[b].id;
    b = (b + 1) & mask_;
  }
  return -1;
}

int32_t StringInterner::intern(std::string_view s, bool* added) {
  const uint32_t tag = static_cast<uint32_t>(hash(s) >> 32);
  size_t b = bucket(tag);
  while (slots_[b].id != -1) {
    if (slot_matches(slots_[b], tag, s)) {
      if (added) *added = false;
      return slots_[b].id;
    }
    b = (b + 1) & mask_;
  }
  if (added) *added = true;
  return insert_at(b, tag, s);
}

namespace {
constexpr size_t kSlotAhead = 16;   // keys between prefetching a slot and using it
constexpr size_t kBlock = 256;      // hashes computed per block
}  // namespace

template <class Self, class OnMiss>
void StringInterner::lookup_many(Self& self, const std::string_view* keys, size_t n, int32_t* ids, OnMiss on_miss) {
  uint32_t tags[kBlock];
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t m = n - start < kBlock ? n - start : kBlock;
    for (size_t k = 0; k < m; ++k) tags[k] = static_cast<uint32_t>(hash(keys[start + k]) >> 32);
    for (size_t k = 0; k < m && k < kSlotAhead; ++k) self.prefetch_slot(tags[k]);
    for (size_t k = 0; k < m; ++k) {
      if (k + kSlotAhead < m) self.prefetch_slot(tags[k + kSlotAhead]);
      // Prefetch the candidate string of a key a few steps ahead (its slot should be cached by now).
      if (k + kSlotAhead / 2 < m) {
        const Slot& sl = self.slots_[self.bucket(tags[k + kSlotAhead / 2])];
        if (sl.id != -1) __builtin_prefetch(self.arena_.data() + (sl.packed >> 24));
      }
      const std::string_view s = keys[start + k];
      const uint32_t tag = tags[k];
      size_t b = self.bucket(tag);
      int32_t id = -1;
      while (self.slots_[b].id != -1) {
        if (self.slot_matches(self.slots_[b], tag, s)) {
          id = self.slots_[b].id;
          break;
        }
        b = (b + 1) & self.mask_;
      }
      ids[start + k] = id >= 0 ? id : on_miss(b, tag, s);
    }
  }
}

void StringInterner::intern_many(const std::string_view* keys, size_t n, int32_t* ids) {
  lookup_many(*this, keys, n, ids, [this](size_t b, uint32_t tag, std::string_view s) { return insert_at(b, tag, s); });
}

void StringInterner::find_many(const std::string_view* keys, size_t n, int32_t* ids) const {
  lookup_many(*this, keys, n, ids, [](size_t, uint32_t, std::string_view) { return int32_t{-1}; });
}

std::vector<std::string> StringInterner::to_vector() const {
  std::vector<std::string> out(size());
  for (int32_t i = 0; i < size(); ++i) out[i] = std::string(at(i));
  return out;
}

}  // namespace stars
