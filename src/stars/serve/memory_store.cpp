#include "stars/serve/memory_store.h"

#include <ctime>
#include <functional>

#include "stars/core/error.h"
#include "stars/serve/snapshot.h"

namespace stars::serve {
namespace {
int64_t now_s() { return static_cast<int64_t>(std::time(nullptr)); }
}  // namespace

MemoryStore::MemoryStore(StoreLimits limits) : limits_(limits) {}

MemoryStore::Shard& MemoryStore::shard(std::string_view user) {
  return shards_[std::hash<std::string_view>()(user) % kShards];
}

bool MemoryStore::expired(const Entry& e, int64_t now) const { return now - e.touched > limits_.session_ttl_s; }

UserLookup MemoryStore::lookup(const Snapshot& snapshot, std::string_view user, int32_t dense) {
  UserLookup out;
  const int D = snapshot.dim();
  if (dense >= 0) {
    out.has_snapshot_vectors = true;
    out.h_gen.assign(snapshot.h_gen(dense), snapshot.h_gen(dense) + D);
    out.h_next.assign(snapshot.h_next(dense), snapshot.h_next(dense) + D);
  }
  Shard& s = shard(user);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(std::string(user));
  if (it == s.map.end() || expired(it->second, now_s())) return out;
  const Entry& e = it->second;
  out.session_version = e.version;
  if (e.live_version == e.version && e.live_snapshot == snapshot.manifest().snapshot_id &&
      e.live_gen.size() == static_cast<size_t>(D)) {
    out.has_live_vectors = true;
    out.live_gen = e.live_gen;
    out.live_next = e.live_next;
  }
  return out;
}

uint64_t MemoryStore::append(std::string_view user, const std::vector<SessionEvent>& events) {
  const int64_t now = now_s();
  const int64_t per_shard_cap = std::max<int64_t>(1, limits_.max_sessions / kShards);
  Shard& s = shard(user);
  std::lock_guard<std::mutex> lock(s.mu);
  auto [it, inserted] = s.map.try_emplace(std::string(user));
  Entry& e = it->second;
  if (inserted) {
    s.lru.push_front(it->first);
    e.lru = s.lru.begin();
  } else {
    s.lru.splice(s.lru.begin(), s.lru, e.lru);
    if (expired(e, now)) {
      e.events.clear();  // an expired session starts over; its version keeps counting
      e.live_gen.clear();
    }
  }
  e.touched = now;
  e.events.insert(e.events.end(), events.begin(), events.end());
  if (e.events.size() > static_cast<size_t>(limits_.max_session_events))
    e.events.erase(e.events.begin(), e.events.end() - limits_.max_session_events);
  e.version += events.size();
  const uint64_t version = e.version;
  while (static_cast<int64_t>(s.map.size()) > per_shard_cap) {
    s.map.erase(s.lru.back());
    s.lru.pop_back();
  }
  return version;
}

std::pair<std::vector<SessionEvent>, uint64_t> MemoryStore::session(std::string_view user) {
  Shard& s = shard(user);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(std::string(user));
  if (it == s.map.end() || expired(it->second, now_s())) return {{}, 0};
  return {it->second.events, it->second.version};
}

void MemoryStore::put_live_vectors(const Snapshot& snapshot, std::string_view user, uint64_t version,
                                   const float* h_gen, const float* h_next) {
  const int D = snapshot.dim();
  Shard& s = shard(user);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(std::string(user));
  if (it == s.map.end() || it->second.version != version) return;  // the session moved on meanwhile
  Entry& e = it->second;
  e.live_snapshot = snapshot.manifest().snapshot_id;
  e.live_version = version;
  e.live_gen.assign(h_gen, h_gen + D);
  e.live_next.assign(h_next, h_next + D);
}

void MemoryStore::clear(std::string_view user) {
  Shard& s = shard(user);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(std::string(user));
  if (it == s.map.end()) return;
  s.lru.erase(it->second.lru);
  s.map.erase(it);
}

int64_t MemoryStore::session_count() {
  int64_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += static_cast<int64_t>(s.map.size());
  }
  return n;
}

}  // namespace stars::serve
