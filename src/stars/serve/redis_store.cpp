#include "stars/serve/redis_store.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cstring>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/strings.h"
#include "stars/serve/snapshot.h"

namespace stars::serve {

RedisAddress parse_redis_url(const std::string& url) {
  RedisAddress a;
  std::string_view s = url;
  if (starts_with(s, "redis://")) s.remove_prefix(8);
  STARS_CHECK_ARG(!s.empty(), "empty Redis URL");
  const auto at = s.rfind('@');
  if (at != std::string_view::npos) {
    auto cred = s.substr(0, at);
    const auto colon = cred.find(':');
    a.password = std::string(colon == std::string_view::npos ? cred : cred.substr(colon + 1));
    s.remove_prefix(at + 1);
  }
  const auto slash = s.find('/');
  if (slash != std::string_view::npos) {
    int64_t db = 0;
    STARS_CHECK_ARG(parse_int64(s.substr(slash + 1), &db) && db >= 0 && db < 1024,
                    "Redis URL '" << url << "': database must be a number in [0, 1024)");
    a.db = static_cast<int>(db);
    s = s.substr(0, slash);
  }
  const auto colon = s.rfind(':');
  if (colon != std::string_view::npos) {
    int64_t port = 0;
    STARS_CHECK_ARG(parse_int64(s.substr(colon + 1), &port) && port > 0 && port < 65536,
                    "Redis URL '" << url << "': port must be in [1, 65535]");
    a.port = static_cast<int>(port);
    s = s.substr(0, colon);
  }
  if (!s.empty()) a.host = std::string(s);
  return a;
}

// ---- event encoding: u16-length-prefixed strings, little-endian integers
namespace {

void put_str(std::string& out, std::string_view s) {
  const uint16_t n = static_cast<uint16_t>(std::min<size_t>(s.size(), 65535));
  out.append(reinterpret_cast<const char*>(&n), 2);
  out.append(s.data(), n);
}
bool get_str(std::string_view& in, std::string* s) {
  if (in.size() < 2) return false;
  uint16_t n;
  std::memcpy(&n, in.data(), 2);
  if (in.size() < 2u + n) return false;
  s->assign(in.data() + 2, n);
  in.remove_prefix(2u + n);
  return true;
}
template <class T>
bool get_pod(std::string_view& in, T* v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

}  // namespace

std::string encode_session_event(const SessionEvent& e) {
  std::string out;
  put_str(out, e.item_id);
  out.append(reinterpret_cast<const char*>(&e.ts), 8);
  out.push_back(static_cast<char>(e.type));
  put_str(out, e.region);
  const uint8_t n = static_cast<uint8_t>(std::min<size_t>(e.context.size(), 255));
  out.push_back(static_cast<char>(n));
  for (size_t i = 0; i < n; ++i) {
    put_str(out, e.context[i].first);
    put_str(out, e.context[i].second);
  }
  return out;
}

bool decode_session_event(std::string_view in, SessionEvent* e) {
  uint8_t n = 0;
  if (!get_str(in, &e->item_id) || !get_pod(in, &e->ts) || !get_pod(in, &e->type) || !get_str(in, &e->region) ||
      !get_pod(in, &n))
    return false;
  e->context.resize(n);
  for (auto& kv : e->context)
    if (!get_str(in, &kv.first) || !get_str(in, &kv.second)) return false;
  return in.empty();
}

// ---- connections
class RedisStore::Connection {
 public:
  Connection(const RedisAddress& a, int timeout_ms) {
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ctx_ = redisConnectWithTimeout(a.host.c_str(), a.port, tv);
    if (!ctx_ || ctx_->err) {
      const std::string why = ctx_ ? ctx_->errstr : "out of memory";
      if (ctx_) redisFree(ctx_);
      ctx_ = nullptr;
      STARS_THROW(kUnavailable, "cannot connect to Redis at " << a.host << ":" << a.port << ": " << why);
    }
    redisSetTimeout(ctx_, tv);
    if (!a.password.empty()) check(command({"AUTH", a.password}), "AUTH");
    if (a.db != 0) check(command({"SELECT", std::to_string(a.db)}), "SELECT");
  }
  ~Connection() {
    if (ctx_) redisFree(ctx_);
  }
  bool broken() const { return !ctx_ || ctx_->err; }

  using Reply = std::unique_ptr<redisReply, void (*)(void*)>;
  void append(const std::vector<std::string_view>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data()) != REDIS_OK)
      STARS_THROW(kUnavailable, "Redis: " << ctx_->errstr);
  }
  Reply reply() {
    void* r = nullptr;
    if (redisGetReply(ctx_, &r) != REDIS_OK || !r)
      STARS_THROW(kUnavailable, "Redis: " << (ctx_->err ? ctx_->errstr : "no reply"));
    return Reply(static_cast<redisReply*>(r), freeReplyObject);
  }
  Reply command(const std::vector<std::string_view>& args) {
    append(args);
    return reply();
  }
  static const redisReply* check(const Reply& r, const char* what) {
    if (r->type == REDIS_REPLY_ERROR) STARS_THROW(kUnavailable, "Redis " << what << ": " << std::string(r->str, r->len));
    return r.get();
  }

 private:
  redisContext* ctx_ = nullptr;
};

RedisStore::RedisStore(const std::string& url, StoreLimits limits, std::string prefix, int timeout_ms)
    : address_(parse_redis_url(url)), limits_(limits), prefix_(std::move(prefix)), timeout_ms_(timeout_ms) {
  auto c = acquire();  // fail fast when Redis does not answer
  Connection::check(c->command({"PING"}), "PING");
  release(std::move(c));
}

RedisStore::~RedisStore() = default;

std::unique_ptr<RedisStore::Connection> RedisStore::acquire() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      auto c = std::move(pool_.back());
      pool_.pop_back();
      return c;
    }
  }
  return std::make_unique<Connection>(address_, timeout_ms_);
}

void RedisStore::release(std::unique_ptr<Connection> c) {
  if (!c || c->broken()) return;
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (pool_.size() < 64) pool_.push_back(std::move(c));
}


void RedisStore::attach_snapshot(const Snapshot& snapshot) {
  const std::string id = snapshot.manifest().snapshot_id;
  const std::string users = prefix_ + ":users:" + id;
  const std::string ready = users + ":ready";
  auto c = acquire();
  auto r = c->command({"EXISTS", ready});
  Connection::check(r, "EXISTS");
  if (r->integer == 0) {
    Timer t;
    const int D = snapshot.dim();
    std::vector<float> blob(2 * static_cast<size_t>(D));
    const int32_t n = snapshot.num_users();
    constexpr int32_t kChunk = 512;
    for (int32_t u0 = 0; u0 < n; u0 += kChunk) {
      const int32_t u1 = std::min(n, u0 + kChunk);
      std::vector<std::string> blobs;
      blobs.reserve(u1 - u0);
      std::vector<std::string_view> args{"HSET", users};
      for (int32_t u = u0; u < u1; ++u) {
        std::memcpy(blob.data(), snapshot.h_gen(u), sizeof(float) * D);
        std::memcpy(blob.data() + D, snapshot.h_next(u), sizeof(float) * D);
        blobs.emplace_back(reinterpret_cast<const char*>(blob.data()), blob.size() * sizeof(float));
      }
      for (int32_t u = u0; u < u1; ++u) {
        args.push_back(snapshot.user_raw_id(u));
        args.push_back(blobs[u - u0]);
      }
      Connection::check(c->command(args), "HSET");
    }
    Connection::check(c->command({"SET", ready, "1"}), "SET");
    STARS_INFO("redis: uploaded " << format_count(n) << " user vectors of snapshot " << id << " in " << t.seconds() << " s");
  }
  // The previous snapshot's users stay readable for an hour (other replicas may still serve it).
  if (!attached_snapshot_.empty() && attached_snapshot_ != id) {
    const std::string old = prefix_ + ":users:" + attached_snapshot_;
    Connection::check(c->command({"EXPIRE", old, "3600"}), "EXPIRE");
    Connection::check(c->command({"EXPIRE", old + ":ready", "3600"}), "EXPIRE");
  }
  attached_snapshot_ = id;
  release(std::move(c));
}

UserLookup RedisStore::lookup(const Snapshot& snapshot, std::string_view user, int32_t dense) {
  const int D = snapshot.dim();
  const std::string& id = snapshot.manifest().snapshot_id;
  const std::string u(user);
  auto c = acquire();
  c->append({"HGET", prefix_ + ":users:" + id, u});
  c->append({"GET", prefix_ + ":sver:" + u});
  c->append({"GET", prefix_ + ":live:" + id + ":" + u});
  auto vec = c->reply();
  auto ver = c->reply();
  auto live = c->reply();
  release(std::move(c));
  Connection::check(vec, "HGET");
  Connection::check(ver, "GET");
  Connection::check(live, "GET");
  UserLookup out;
  const size_t bytes = 2 * sizeof(float) * D;
  if (vec->type == REDIS_REPLY_STRING && vec->len == bytes) {
    out.has_snapshot_vectors = true;
    const float* f = reinterpret_cast<const float*>(vec->str);
    out.h_gen.assign(f, f + D);
    out.h_next.assign(f + D, f + 2 * D);
  } else if (dense >= 0 && vec->type == REDIS_REPLY_NIL) {
    // Not uploaded (yet): the local mapping holds the same vectors.
    out.has_snapshot_vectors = true;
    out.h_gen.assign(snapshot.h_gen(dense), snapshot.h_gen(dense) + D);
    out.h_next.assign(snapshot.h_next(dense), snapshot.h_next(dense) + D);
  }
  if (ver->type == REDIS_REPLY_STRING) {
    int64_t v = 0;
    if (parse_int64(std::string_view(ver->str, ver->len), &v) && v > 0) out.session_version = static_cast<uint64_t>(v);
  }
  if (out.session_version > 0 && live->type == REDIS_REPLY_STRING && live->len == 8 + bytes) {
    uint64_t v;
    std::memcpy(&v, live->str, 8);
    if (v == out.session_version) {
      out.has_live_vectors = true;
      const float* f = reinterpret_cast<const float*>(live->str + 8);
      out.live_gen.assign(f, f + D);
      out.live_next.assign(f + D, f + 2 * D);
    }
  }
  return out;
}

uint64_t RedisStore::append(std::string_view user, const std::vector<SessionEvent>& events) {
  if (events.empty()) return session(user).second;
  const std::string u(user), sess = prefix_ + ":sess:" + u, sver = prefix_ + ":sver:" + u;
  const std::string ttl = std::to_string(limits_.session_ttl_s), trim = std::to_string(-limits_.max_session_events);
  std::vector<std::string> encoded;
  for (const auto& e : events) encoded.push_back(encode_session_event(e));
  std::vector<std::string_view> push{"RPUSH", sess};
  for (const auto& e : encoded) push.push_back(e);
  const std::string n = std::to_string(events.size());
  auto c = acquire();
  c->append({"MULTI"});
  c->append(push);
  c->append({"LTRIM", sess, trim, "-1"});
  c->append({"INCRBY", sver, n});
  c->append({"EXPIRE", sess, ttl});
  c->append({"EXPIRE", sver, ttl});
  c->append({"EXEC"});
  for (int i = 0; i < 6; ++i) Connection::check(c->reply(), "MULTI");
  auto exec = c->reply();
  release(std::move(c));
  Connection::check(exec, "EXEC");
  STARS_CHECK(exec->type == REDIS_REPLY_ARRAY && exec->elements == 5 && exec->element[2]->type == REDIS_REPLY_INTEGER,
              "unexpected Redis EXEC reply");
  return static_cast<uint64_t>(exec->element[2]->integer);
}

std::pair<std::vector<SessionEvent>, uint64_t> RedisStore::session(std::string_view user) {
  const std::string u(user);
  auto c = acquire();
  c->append({"LRANGE", prefix_ + ":sess:" + u, "0", "-1"});
  c->append({"GET", prefix_ + ":sver:" + u});
  auto list = c->reply();
  auto ver = c->reply();
  release(std::move(c));
  Connection::check(list, "LRANGE");
  Connection::check(ver, "GET");
  std::pair<std::vector<SessionEvent>, uint64_t> out{{}, 0};
  if (ver->type == REDIS_REPLY_STRING) {
    int64_t v = 0;
    if (parse_int64(std::string_view(ver->str, ver->len), &v) && v > 0) out.second = static_cast<uint64_t>(v);
  }
  if (list->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < list->elements; ++i) {
      SessionEvent e;
      const auto* el = list->element[i];
      if (el->type == REDIS_REPLY_STRING && decode_session_event(std::string_view(el->str, el->len), &e))
        out.first.push_back(std::move(e));
      else
        STARS_WARN("redis: skipping an undecodable session event of user '" << u << "'");
    }
  }
  return out;
}

void RedisStore::put_live_vectors(const Snapshot& snapshot, std::string_view user, uint64_t version,
                                  const float* h_gen, const float* h_next) {
  const int D = snapshot.dim();
  std::string blob(8 + 2 * sizeof(float) * D, '\0');
  std::memcpy(&blob[0], &version, 8);
  std::memcpy(&blob[8], h_gen, sizeof(float) * D);
  std::memcpy(&blob[8 + sizeof(float) * D], h_next, sizeof(float) * D);
  auto c = acquire();
  auto r = c->command({"SET", prefix_ + ":live:" + snapshot.manifest().snapshot_id + ":" + std::string(user), blob, "EX",
                       std::to_string(limits_.session_ttl_s)});
  release(std::move(c));
  Connection::check(r, "SET");
}

void RedisStore::clear(std::string_view user) {
  const std::string u(user);
  auto c = acquire();
  auto r = c->command({"DEL", prefix_ + ":sess:" + u, prefix_ + ":sver:" + u});
  release(std::move(c));
  Connection::check(r, "DEL");
}

bool RedisStore::healthy() {
  try {
    auto c = acquire();
    auto r = c->command({"PING"});
    const bool ok = r->type == REDIS_REPLY_STATUS;
    release(std::move(c));
    return ok;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace stars::serve
