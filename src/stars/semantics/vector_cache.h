// An append-only cache of text vectors keyed by the hash of the item text, so an interrupted
// `stars enrich` resumes without asking the embedding service again, and a re-run pays only for items
// whose text changed. Every batch of finished vectors is appended and flushed at once.
//
// Not a STARS table file, because those are written whole; this one grows while the run goes on:
//   header (64 bytes)  magic "STARSVEC", format version (u32), dim (u32), key hash (u64: provider, model,
//                      dimension and text format), zero padding
//   records            text hash (u64), dim floats, checksum (u64) of the hash and the floats
// Opening reads every complete record whose checksum holds and cuts off a torn tail (a crash during a
// write). A cache made for another key or dimension is started afresh. Torch-free.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

namespace stars::semantics {

constexpr uint32_t kVectorCacheVersion = 1;

class VectorCache {
 public:
  // Opens (or creates) the cache at `path` for vectors of dimension `dim` made under `key`.
  VectorCache(std::string path, const std::string& key, int dim);
  ~VectorCache();
  VectorCache(const VectorCache&) = delete;
  VectorCache& operator=(const VectorCache&) = delete;

  // The cached vector of a text hash, or nullptr.
  const float* find(uint64_t text_hash) const;
  // Appends vectors (rows of dim floats) and flushes them to the file.
  void append(const std::vector<uint64_t>& text_hashes, const float* vectors);
  size_t size() const { return row_of_.size(); }
  // Records dropped when opening (torn or corrupt tail).
  size_t dropped() const { return dropped_; }
  int dim() const { return dim_; }

 private:
  std::string path_;
  uint64_t key_hash_;
  int dim_;
  std::vector<float> values_;
  std::unordered_map<uint64_t, size_t> row_of_;
  size_t dropped_ = 0;
  std::FILE* file_ = nullptr;
};

}  // namespace stars::semantics
