// Where the service keeps per-user state that changes while it runs: live session events (POST
// /v1/events), the vectors re-encoded from them, and (in Redis mode) the snapshot's user vectors, so that
// several replicas share one state. Two implementations: MemoryStore (in process, bounded, default) and
// RedisStore (hiredis, `--redis URL`). Events are stored by raw ids and names, not dense codes, so they
// stay meaningful across snapshot swaps and replicas. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stars::serve {

class Snapshot;

// One live event of a user, as received.
struct SessionEvent {
  std::string item_id;  // raw item id
  int64_t ts = 0;       // unix seconds (or position when the data has no time)
  uint8_t type = 1;     // data::EventType (1 = view)
  std::string region;   // region name, "" = none
  std::vector<std::pair<std::string, std::string>> context;  // event context feature -> value
};

// What the store knows about a user at the start of a request.
struct UserLookup {
  bool has_snapshot_vectors = false;  // h_gen / h_next hold the snapshot's vectors
  std::vector<float> h_gen, h_next;   // (D) each
  uint64_t session_version = 0;       // events ever appended to the live session (0 = none)
  bool has_live_vectors = false;      // live_gen / live_next were encoded at session_version
  std::vector<float> live_gen, live_next;
};

struct StoreLimits {
  int max_session_events = 200;    ///< live events kept per user (oldest dropped), in [1, 100000]
  int session_ttl_s = 86400;       ///< a session expires this long after its last event, > 0
  int64_t max_sessions = 1000000;  ///< memory store: most live sessions kept (least recently used dropped), >= 1

  template <class V>
  void visit(V& v) {
    v("max_session_events", max_session_events, "live events kept per user (oldest dropped), in [1, 100000]");
    v("session_ttl_s", session_ttl_s, "a session expires this many seconds after its last event, > 0");
    v("max_sessions", max_sessions, "memory store: most live sessions kept (least recently used dropped), >= 1");
  }
  void validate() const;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual const char* kind() const = 0;  // "memory" or "redis"

  // Makes the snapshot's user vectors available (Redis: uploads them once per snapshot id).
  virtual void attach_snapshot(const Snapshot& snapshot) = 0;
  // Everything a recommendation needs about `user` in one round trip. `dense` is the user's row in
  // `snapshot` or -1.
  virtual UserLookup lookup(const Snapshot& snapshot, std::string_view user, int32_t dense) = 0;
  // Appends events; returns the new session version.
  virtual uint64_t append(std::string_view user, const std::vector<SessionEvent>& events) = 0;
  // The live session (oldest first) and its version.
  virtual std::pair<std::vector<SessionEvent>, uint64_t> session(std::string_view user) = 0;
  // Caches vectors encoded from the session at `version` (for this snapshot).
  virtual void put_live_vectors(const Snapshot& snapshot, std::string_view user, uint64_t version,
                                const float* h_gen, const float* h_next) = 0;
  virtual void clear(std::string_view user) = 0;
  // Live sessions held (memory) or -1 when unknown (Redis).
  virtual int64_t session_count() = 0;
  // Answers (Redis: PING).
  virtual bool healthy() = 0;
};

}  // namespace stars::serve
