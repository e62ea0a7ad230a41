// The shared SessionStore (`stars serve --redis redis://host:port[/db]`): user vectors of each snapshot
// and live session events live in Redis (hiredis 0.14), so several replicas serve the same users and
// sessions. Keys (prefix default "stars"):
//   <p>:users:<snapshot_id>         hash  raw user id -> h_gen ++ h_next (2 D float32)
//   <p>:users:<snapshot_id>:ready   "1" once a replica finished uploading that snapshot's users
//   <p>:sess:<user>                 list  length-prefixed binary events (oldest first, trimmed)
//   <p>:sver:<user>                 integer: events ever appended (the session version)
//   <p>:live:<snapshot_id>:<user>   version (u64) ++ re-encoded h_gen ++ h_next
// Session keys expire `session_ttl_s` after the last event. A request needs one round trip (pipelined).
// Connections come from a small pool; a broken connection is dropped and reopened on the next use;
// Redis failures surface as Error(kUnavailable) -> HTTP 503.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stars/serve/session_store.h"

struct redisContext;

namespace stars::serve {

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;
};
// Parses redis://[:password@]host[:port][/db] (also "host:port"). Throws Error(kInvalidArgument).
RedisAddress parse_redis_url(const std::string& url);

class RedisStore final : public SessionStore {
 public:
  RedisStore(const std::string& url, StoreLimits limits, std::string prefix = "stars", int timeout_ms = 500);
  ~RedisStore() override;
  const char* kind() const override { return "redis"; }
  void attach_snapshot(const Snapshot& snapshot) override;
  UserLookup lookup(const Snapshot& snapshot, std::string_view user, int32_t dense) override;
  uint64_t append(std::string_view user, const std::vector<SessionEvent>& events) override;
  std::pair<std::vector<SessionEvent>, uint64_t> session(std::string_view user) override;
  void put_live_vectors(const Snapshot& snapshot, std::string_view user, uint64_t version, const float* h_gen,
                        const float* h_next) override;
  void clear(std::string_view user) override;
  int64_t session_count() override { return -1; }
  bool healthy() override;

 private:
  class Connection;
  std::unique_ptr<Connection> acquire();
  void release(std::unique_ptr<Connection> c);

  RedisAddress address_;
  StoreLimits limits_;
  std::string prefix_;
  int timeout_ms_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> pool_;
  std::string attached_snapshot_;
};

// Binary form of a session event in Redis (exposed for tests).
std::string encode_session_event(const SessionEvent& e);
bool decode_session_event(std::string_view bytes, SessionEvent* out);

}  // namespace stars::serve
