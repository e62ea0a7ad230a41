// The in-process SessionStore: user vectors straight from the memory-mapped snapshot, live sessions in a
// sharded hash map (a mutex per shard), bounded in events per user, sessions kept and time to live.
#pragma once

#include <list>
#include <mutex>
#include <unordered_map>

#include "stars/serve/session_store.h"

namespace stars::serve {

class MemoryStore final : public SessionStore {
 public:
  explicit MemoryStore(StoreLimits limits);
  const char* kind() const override { return "memory"; }
  void attach_snapshot(const Snapshot&) override {}
  UserLookup lookup(const Snapshot& snapshot, std::string_view user, int32_t dense) override;
  uint64_t append(std::string_view user, const std::vector<SessionEvent>& events) override;
  std::pair<std::vector<SessionEvent>, uint64_t> session(std::string_view user) override;
  void put_live_vectors(const Snapshot& snapshot, std::string_view user, uint64_t version, const float* h_gen,
                        const float* h_next) override;
  void clear(std::string_view user) override;
  int64_t session_count() override;
  bool healthy() override { return true; }

 private:
  struct Entry {
    std::vector<SessionEvent> events;
    uint64_t version = 0;
    int64_t touched = 0;  // unix seconds of the last append
    std::string live_snapshot;
    uint64_t live_version = 0;
    std::vector<float> live_gen, live_next;
    std::list<std::string>::iterator lru;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry> map;
    std::list<std::string> lru;  // front = most recently appended
  };
  static constexpr int kShards = 64;
  Shard& shard(std::string_view user);
  bool expired(const Entry& e, int64_t now) const;

  StoreLimits limits_;
  Shard shards_[kShards];
};

}  // namespace stars::serve
