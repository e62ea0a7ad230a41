#include "stars/semantics/vector_cache.h"

#include <unistd.h>

#include <cstring>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/table_file.h"

namespace stars::semantics {
namespace {

constexpr char kMagic[8] = {'S', 'T', 'A', 'R', 'S', 'V', 'E', 'C'};
constexpr size_t kHeaderSize = 64;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t dim;
  uint64_t key_hash;
  uint8_t pad[kHeaderSize - 24];
};
static_assert(sizeof(Header) == kHeaderSize, "vector cache header must be 64 bytes");

uint64_t record_checksum(uint64_t hash, const float* v, int dim) {
  return checksum64(v, static_cast<size_t>(dim) * sizeof(float), hash ^ 0x5645435245434fULL);
}

}  // namespace

VectorCache::VectorCache(std::string path, const std::string& key, int dim)
    : path_(std::move(path)), key_hash_(checksum64(key.data(), key.size())), dim_(dim) {
  STARS_CHECK_ARG(dim > 0, "vector cache " << path_ << ": dimension must be positive, got " << dim);
  const size_t rec = sizeof(uint64_t) * 2 + static_cast<size_t>(dim) * sizeof(float);
  size_t good_bytes = 0;
  bool fresh = true;
  if (file_exists(path_)) {
    MmapFile f(path_);
    Header h{};
    if (f.size() >= kHeaderSize) std::memcpy(&h, f.data(), kHeaderSize);
    if (f.size() >= kHeaderSize && std::memcmp(h.magic, kMagic, 8) == 0 && h.version == kVectorCacheVersion &&
        h.dim == static_cast<uint32_t>(dim) && h.key_hash == key_hash_) {
      fresh = false;
      good_bytes = kHeaderSize;
      for (size_t off = kHeaderSize; off + rec <= f.size(); off += rec) {
        uint64_t th, cs;
        std::memcpy(&th, f.data() + off, 8);
        const float* v = reinterpret_cast<const float*>(f.data() + off + 8);
        std::memcpy(&cs, f.data() + off + 8 + static_cast<size_t>(dim) * sizeof(float), 8);
        if (cs != record_checksum(th, v, dim)) break;
        if (row_of_.emplace(th, values_.size() / dim).second) values_.insert(values_.end(), v, v + dim);
        good_bytes = off + rec;
      }
      dropped_ = (f.size() - good_bytes + rec - 1) / rec;
      if (dropped_) STARS_WARN(path_ << ": dropped a torn or corrupt tail of the cache (" << f.size() - good_bytes << " bytes)");
    } else {
      STARS_INFO(path_ << ": cache was made for another model or dimension; starting a new one");
    }
  }
  if (fresh) {
    make_directories(path_.substr(0, path_.find_last_of('/') == std::string::npos ? 0 : path_.find_last_of('/')));
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) STARS_THROW(kIo, "cannot create vector cache " << path_);
    Header h{};
    std::memcpy(h.magic, kMagic, 8);
    h.version = kVectorCacheVersion;
    h.dim = static_cast<uint32_t>(dim);
    h.key_hash = key_hash_;
    if (std::fwrite(&h, kHeaderSize, 1, file_) != 1 || std::fflush(file_) != 0)
      STARS_THROW(kIo, "cannot write vector cache " << path_);
  } else {
    if (::truncate(path_.c_str(), static_cast<off_t>(good_bytes)) != 0) STARS_THROW(kIo, "cannot truncate vector cache " << path_);
    file_ = std::fopen(path_.c_str(), "ab");
    if (!file_) STARS_THROW(kIo, "cannot open vector cache " << path_ << " for appending");
  }
}

VectorCache::~VectorCache() {
  if (file_) std::fclose(file_);
}

const float* VectorCache::find(uint64_t text_hash) const {
  auto it = row_of_.find(text_hash);
  return it == row_of_.end() ? nullptr : values_.data() + it->second * dim_;
}

void VectorCache::append(const std::vector<uint64_t>& hashes, const float* vectors) {
  for (size_t i = 0; i < hashes.size(); ++i) {
    const float* v = vectors + i * dim_;
    const uint64_t cs = record_checksum(hashes[i], v, dim_);
    if (std::fwrite(&hashes[i], 8, 1, file_) != 1 || std::fwrite(v, sizeof(float), dim_, file_) != static_cast<size_t>(dim_) ||
        std::fwrite(&cs, 8, 1, file_) != 1)
      STARS_THROW(kIo, "cannot append to vector cache " << path_);
    if (row_of_.emplace(hashes[i], values_.size() / dim_).second) values_.insert(values_.end(), v, v + dim_);
  }
  if (std::fflush(file_) != 0) STARS_THROW(kIo, "cannot flush vector cache " << path_);
}

}  // namespace stars::semantics
