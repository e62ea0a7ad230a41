// The Redis session store (skipped when no Redis answers on 127.0.0.1:6379; scripts/test.sh and .ci/run
// start one): URL parsing, event encoding, sessions, user vectors, and two service replicas sharing one
// user's live session.
#include "stars/serve/redis_store.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <unistd.h>

#include "stars/core/error.h"
#include "test_world.h"

namespace stars::serve {
namespace {

using testing::TempDir;

bool redis_answers() {
  timeval tv{0, 200000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", 6379, tv);
  const bool ok = c && !c->err;
  if (c) redisFree(c);
  return ok;
}

// Deletes the keys under a test prefix.
void drop_prefix(const std::string& prefix) {
  timeval tv{1, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", 6379, tv);
  if (!c || c->err) return;
  auto* r = static_cast<redisReply*>(redisCommand(c, "KEYS %s:*", prefix.c_str()));
  if (r && r->type == REDIS_REPLY_ARRAY)
    for (size_t i = 0; i < r->elements; ++i) freeReplyObject(redisCommand(c, "DEL %b", r->element[i]->str, r->element[i]->len));
  if (r) freeReplyObject(r);
  redisFree(c);
}

TEST(RedisUrl, Parses) {
  auto a = parse_redis_url("redis://127.0.0.1:6380/2");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 6380);
  EXPECT_EQ(a.db, 2);
  a = parse_redis_url("redis://:pw@cache");
  EXPECT_EQ(a.password, "pw");
  EXPECT_EQ(a.host, "cache");
  EXPECT_EQ(a.port, 6379);
  a = parse_redis_url("localhost:7000");
  EXPECT_EQ(a.port, 7000);
  EXPECT_THROW(parse_redis_url("redis://h:99999"), Error);
  EXPECT_THROW(parse_redis_url("redis://h/x"), Error);
  EXPECT_THROW(parse_redis_url(""), Error);
}

TEST(RedisEvents, EncodeDecodeRoundTrip) {
  SessionEvent e;
  e.item_id = "item with spaces";
  e.ts = 1700000123;
  e.type = 3;
  e.region = "north";
  e.context = {{"device", "ios"}, {"promo", ""}};
  SessionEvent back;
  ASSERT_TRUE(decode_session_event(encode_session_event(e), &back));
  EXPECT_EQ(back.item_id, e.item_id);
  EXPECT_EQ(back.ts, e.ts);
  EXPECT_EQ(back.type, 3);
  EXPECT_EQ(back.region, "north");
  EXPECT_EQ(back.context, e.context);
  EXPECT_FALSE(decode_session_event(encode_session_event(e).substr(0, 5), &back));
  EXPECT_FALSE(decode_session_event(encode_session_event(e) + "x", &back));
}

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!redis_answers()) GTEST_SKIP() << "no Redis on 127.0.0.1:6379";
    prefix_ = "stars_test_" + std::to_string(getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override {
    if (!prefix_.empty()) drop_prefix(prefix_);
  }
  std::unique_ptr<RedisStore> store(StoreLimits limits = {}) {
    return std::make_unique<RedisStore>("redis://127.0.0.1:6379", limits, prefix_);
  }
  std::string prefix_;
  TempDir tmp_;
};

TEST_F(RedisTest, SessionsAreAppendedTrimmedAndVersioned) {
  StoreLimits limits;
  limits.max_session_events = 3;
  auto s = store(limits);
  EXPECT_TRUE(s->healthy());
  EXPECT_EQ(s->session("alice").second, 0u);
  std::vector<SessionEvent> ev(2);
  ev[0].item_id = "a";
  ev[1].item_id = "b";
  EXPECT_EQ(s->append("alice", ev), 2u);
  ev[0].item_id = "c";
  ev[1].item_id = "d";
  EXPECT_EQ(s->append("alice", ev), 4u);
  auto [events, version] = s->session("alice");
  EXPECT_EQ(version, 4u);
  ASSERT_EQ(events.size(), 3u);  // trimmed to the newest 3
  EXPECT_EQ(events[0].item_id, "b");
  EXPECT_EQ(events[2].item_id, "d");
  s->clear("alice");
  EXPECT_EQ(s->session("alice").second, 0u);
}

TEST_F(RedisTest, UserVectorsAndLiveVectorsComeFromRedis) {
  const std::string dir = testing::make_tiny_snapshot(tmp_);
  auto snap = Snapshot::open(dir);
  auto s = store();
  s->attach_snapshot(*snap);
  s->attach_snapshot(*snap);  // already uploaded: no second upload
  const int32_t u = *snap->find_user("u7");
  // Ask with dense = -1: the vectors must come from Redis, not the local mapping.
  auto look = s->lookup(*snap, "u7", -1);
  ASSERT_TRUE(look.has_snapshot_vectors);
  for (int d = 0; d < snap->dim(); ++d) EXPECT_EQ(look.h_next[d], snap->h_next(u)[d]);
  EXPECT_FALSE(s->lookup(*snap, "nobody", -1).has_snapshot_vectors);
  std::vector<SessionEvent> ev(1);
  ev[0].item_id = "i1";
  const uint64_t v = s->append("u7", ev);
  std::vector<float> g(snap->dim(), 1.0f), n(snap->dim(), 2.0f);
  s->put_live_vectors(*snap, "u7", v, g.data(), n.data());
  look = s->lookup(*snap, "u7", u);
  EXPECT_EQ(look.session_version, v);
  ASSERT_TRUE(look.has_live_vectors);
  EXPECT_EQ(look.live_next[0], 2.0f);
  s->append("u7", ev);  // the session moved on: the cached vectors are stale
  EXPECT_FALSE(s->lookup(*snap, "u7", u).has_live_vectors);
}

TEST_F(RedisTest, TwoReplicasShareLiveSessions) {
  const std::string dir = testing::make_tiny_snapshot(tmp_);
  auto ds = data::Dataset::open(tmp_ / "ds");
  auto a = testing::make_service(dir, ds->num_items(), store());
  auto b = testing::make_service(dir, ds->num_items(), store());
  RecommendRequest r;
  r.user_id = "u3";
  r.k = 3;
  r.filters.in_stock = false;
  EXPECT_EQ(b->recommend(r).source, "snapshot");
  EventsRequest ev;
  ev.user_id = "u3";
  ev.events.resize(1);
  ev.events[0].item_id = "i25";
  a->record_events(ev);  // replica A records ...
  const auto resp = b->recommend(r);  // ... replica B sees it
  EXPECT_EQ(resp.source, "live_session");
  EXPECT_EQ(resp.items[0].item_id, "i25");
  EXPECT_EQ(a->recommend(r).items[0].item_id, "i25");
}

TEST(RedisDown, ConnectionFailureIsUnavailable) {
  try {
    RedisStore s("redis://127.0.0.1:1", StoreLimits{}, "x", 100);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  }
}

}  // namespace
}  // namespace stars::serve
