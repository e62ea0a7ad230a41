// A real HTTP round trip on 127.0.0.1 (ephemeral port) for every endpoint, including bad requests, the
// API key, body limits and metrics.
#include <httplib.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stars/serve/http_server.h"
#include "stars/serve/routes.h"
#include "test_world.h"

namespace stars::serve {
namespace {

using json = nlohmann::json;
using testing::TempDir;

class HttpTest : public ::testing::Test {
 protected:
  void start(const std::string& api_key = "", testing::FakeEncoderOptions encoder = {}) {
    dir_ = testing::make_tiny_snapshot(tmp_);
    auto ds = data::Dataset::open(tmp_ / "ds");
    svc_ = testing::make_service(dir_, ds->num_items(), nullptr, std::move(encoder));
    router_ = std::make_unique<Router>(*svc_, api_key);
    HttpOptions o;
    o.port = 0;
    o.threads = 8;
    o.max_body_bytes = 64 * 1024;
    server_ = std::make_unique<HttpServer>(*router_, o);
    port_ = server_->bind();
    server_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_tcp_nodelay(true);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  // Sends a request; returns (status, parsed JSON or null).
  std::pair<int, json> call(const std::string& method, const std::string& path, const std::string& body = "",
                            httplib::Headers headers = {}) {
    httplib::Result r(nullptr, httplib::Error::Unknown);
    if (method == "GET") r = client_->Get(path.c_str(), headers);
    else if (method == "POST") r = client_->Post(path.c_str(), headers, body, "application/json");
    else if (method == "PUT") r = client_->Put(path.c_str(), headers, body, "application/json");
    else if (method == "PATCH") r = client_->Patch(path.c_str(), headers, body, "application/json");
    else if (method == "DELETE") r = client_->Delete(path.c_str(), headers);
    EXPECT_TRUE(r) << method << " " << path << " failed: " << httplib::to_string(r.error());
    if (!r) return {0, nullptr};
    last_body_ = r->body;
    last_type_ = r->get_header_value("Content-Type");
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  static std::string message(const json& j) { return j.is_object() && j.contains("error") ? j["error"]["message"].get<std::string>() : ""; }

  TempDir tmp_;
  std::string dir_;
  std::unique_ptr<RecommendService> svc_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
  std::string last_body_, last_type_;
};

TEST_F(HttpTest, EveryEndpointRoundTrip) {
  start();
  EXPECT_EQ(call("GET", "/healthz").first, 200);
  auto [rs, ready] = call("GET", "/readyz");
  EXPECT_EQ(rs, 200);
  EXPECT_EQ(ready["status"], "ready");
  EXPECT_EQ(call("GET", "/").first, 200);
  EXPECT_NE(last_body_.find("STARS serving explorer"), std::string::npos);
  EXPECT_NE(last_type_.find("text/html"), std::string::npos);
  call("GET", "/openapi.yaml");
  EXPECT_NE(last_body_.find("openapi: 3"), std::string::npos);
  auto [ms, meta] = call("GET", "/v1/meta");
  EXPECT_EQ(ms, 200);
  EXPECT_EQ(meta["dim"], testing::kDim);
  EXPECT_EQ(meta["has_model"], true);
  EXPECT_EQ(meta["store"], "memory");

  auto [s1, rec] = call("POST", "/v1/recommend", R"({"user_id": "u1", "k": 4, "strategy": "rr", "filters": {"in_stock": false}})");
  ASSERT_EQ(s1, 200) << last_body_;
  EXPECT_EQ(rec["items"].size(), 4u);
  EXPECT_EQ(rec["source"], "snapshot");
  EXPECT_EQ(rec["items"][0]["rank"], 1);
  EXPECT_FALSE(rec["items"][0]["title"].get<std::string>().empty());

  auto [s2, batch] = call("POST", "/v1/recommend/batch", R"({"requests": [{"user_id": "u1"}, {"user_id": "newbie", "k": 3}]})");
  ASSERT_EQ(s2, 200) << last_body_;
  EXPECT_EQ(batch["responses"].size(), 2u);
  EXPECT_EQ(batch["responses"][1]["source"], "new_user_popularity");

  auto [s3, ev] = call("POST", "/v1/events", R"({"user_id": "u1", "events": [{"item_id": "i20", "type": "view"}]})");
  ASSERT_EQ(s3, 200) << last_body_;
  EXPECT_EQ(ev["session_events"], 1);
  auto [s4, rec2] = call("POST", "/v1/recommend", R"({"user_id": "u1", "k": 4, "filters": {"in_stock": false}})");
  EXPECT_EQ(s4, 200);
  EXPECT_EQ(rec2["source"], "live_session");
  EXPECT_EQ(rec2["items"][0]["item_id"], "i20");

  auto [s5, users] = call("GET", "/v1/users?limit=3&offset=2");
  EXPECT_EQ(s5, 200);
  EXPECT_EQ(users["users"].size(), 3u);
  auto [s6, user] = call("GET", "/v1/users/u1");
  EXPECT_EQ(s6, 200);
  EXPECT_EQ(user["known"], true);
  EXPECT_EQ(user["history"].back()["live"], true);
  EXPECT_EQ(call("DELETE", "/v1/users/u1/session").first, 200);
  EXPECT_EQ(call("GET", "/v1/users/u1").second["session_events"], 0);

  auto [s7, item] = call("GET", "/v1/items/i3");
  EXPECT_EQ(s7, 200);
  EXPECT_EQ(item["item_id"], "i3");
  auto [s8, put] = call("PUT", "/v1/items/new-9", R"({"title": "New thing", "category": "Food > new", "price": 2.5,
                                                     "text_vector": [1, 0, 0, 0, 0, 0, 0, 0]})");
  EXPECT_EQ(s8, 201) << last_body_;
  EXPECT_EQ(put["created"], true);
  EXPECT_EQ(call("PUT", "/v1/items/new-9", R"({"price": 3.0})").first, 200);
  EXPECT_EQ(call("GET", "/v1/items/new-9").second["price"], 3.0);
  auto [s9, patched] = call("PATCH", "/v1/items/new-9", R"({"in_stock": false, "regions": ["north"]})");
  EXPECT_EQ(s9, 200) << last_body_;
  EXPECT_EQ(patched["in_stock"], false);
  EXPECT_EQ(patched["regions"][0], "north");
  auto [s10, sim] = call("GET", "/v1/items/i3/similar?k=3&in_stock=true");
  EXPECT_EQ(s10, 200) << last_body_;
  EXPECT_EQ(sim["items"].size(), 3u);
  EXPECT_EQ(sim["item_id"], "i3");
  EXPECT_FALSE(sim.contains("context"));
  EXPECT_EQ(call("POST", "/v1/availability", R"({"updates": [{"item_id": "i3", "in_stock": true}, {"item_id": "i4", "price": 9.5}]})").first, 200);
  EXPECT_EQ(call("GET", "/v1/items/i4").second["price"], 9.5);
  auto [s11, rl] = call("POST", "/v1/admin/reload", "");
  EXPECT_EQ(s11, 200) << last_body_;
  EXPECT_EQ(rl["replayed_updates"].get<int>(), 3);  // new-9, i3, i4
  EXPECT_EQ(call("GET", "/v1/items/new-9").first, 200);

  EXPECT_EQ(call("GET", "/metrics").first, 200);
  EXPECT_NE(last_type_.find("text/plain"), std::string::npos);
  EXPECT_NE(last_body_.find("stars_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/recommend\",le=\"0.001\"}"),
            std::string::npos);
  EXPECT_NE(last_body_.find("stars_http_requests_total{method=\"POST\",route=\"/v1/recommend\",code=\"200\"} 2"), std::string::npos);
  EXPECT_NE(last_body_.find("stars_live_encode_duration_seconds_count 1"), std::string::npos);
  EXPECT_NE(last_body_.find("stars_snapshot_reloads 2"), std::string::npos);
}

TEST_F(HttpTest, BadRequestsGet4xxJsonSayingWhatWasWrong) {
  start();
  auto check = [&](const std::string& method, const std::string& path, const std::string& body, int status,
                   const std::string& needle) {
    auto [s, j] = call(method, path, body);
    EXPECT_EQ(s, status) << method << " " << path << ": " << last_body_;
    EXPECT_NE(message(j).find(needle), std::string::npos) << method << " " << path << ": " << last_body_;
    EXPECT_EQ(j["error"]["status"], status);
    EXPECT_NE(message(j).back(), ']') << "internal condition text leaked: " << message(j);
  };
  check("POST", "/v1/recommend", "{oops", 400, "not valid JSON");
  check("POST", "/v1/recommend", R"({"user_id": "u1", "k": 0})", 400, "k must be a positive integer");
  check("POST", "/v1/recommend", R"({"user_id": "u1", "k": 5000})", 400, "k must be in [1, 1000], got 5000");
  check("POST", "/v1/recommend", R"({"user_id": "u1", "colour": 1})", 400, "unknown field 'colour'");
  check("POST", "/v1/recommend", R"({"user_id": "u1", "filters": {"price_min": 9, "price_max": 1}})", 400, "price_min");
  check("POST", "/v1/recommend/batch", R"({"requests": []})", 400, "requests is empty");
  check("POST", "/v1/events", R"({"user_id": "u1", "events": [{"item_id": "zzz"}]})", 400, "events[0].item_id 'zzz'");
  check("POST", "/v1/events", R"({"user_id": "u1", "events": []})", 400, "events is empty");
  check("GET", "/v1/users?limit=0", "", 400, "limit must be in [1, 1000]");
  check("GET", "/v1/users?limit=abc", "", 400, "limit must be an integer");
  check("GET", "/v1/items/nope", "", 404, "item 'nope' is not in the catalog");
  check("GET", "/v1/items/nope/similar", "", 404, "item 'nope'");
  check("GET", "/v1/items/i1/similar?k=abc", "", 400, "k must be an integer");
  check("GET", "/v1/items/i1/similar?colour=red", "", 400, "unknown query parameter 'colour'");
  check("PUT", "/v1/items/brand-new", R"({"title": "no vector"})", 400, "text embedder");
  check("PUT", "/v1/items/i1", R"({"vector": [1, 2]})", 400, "vector has 2 values");
  check("PATCH", "/v1/items/i1", "{}", 400, "changes nothing");
  check("PATCH", "/v1/items/ghost", R"({"in_stock": true})", 404, "ghost");
  check("POST", "/v1/availability", R"({"updates": [{"item_id": "ghost", "in_stock": true}]})", 404, "ghost");
  check("POST", "/v1/admin/reload", R"({"path": "/no/such/snapshot"})", 404, "not a snapshot");
  check("GET", "/v2/anything", "", 404, "no endpoint /v2/anything");
  check("GET", "/v1/recommend", "", 405, "GET is not allowed on /v1/recommend; use POST");
  check("DELETE", "/v1/items/i1", "", 405, "use GET, PUT, PATCH");
  // Oversized body: rejected before parsing.
  const std::string big = R"({"user_id": "u1", "filters": {"exclude_ids": [")" + std::string(100000, 'x') + R"("]}})";
  auto [s, j] = call("POST", "/v1/recommend", big);
  EXPECT_EQ(s, 413);
  EXPECT_EQ(j["error"]["status"], 413);
  // Still serving.
  EXPECT_EQ(call("POST", "/v1/recommend", R"({"user_id": "u1"})").first, 200);
  // Bad requests are counted by status.
  call("GET", "/metrics");
  EXPECT_NE(last_body_.find("route=\"/v1/recommend\",code=\"400\"} 5"), std::string::npos) << last_body_.substr(0, 3000);
}

TEST_F(HttpTest, ColdUserFromUserFeatures) {
  start("", {/*cold_users=*/true, nullptr, {}});
  // GET /v1/meta says what a client may send.
  auto [ms, meta] = call("GET", "/v1/meta");
  ASSERT_EQ(ms, 200);
  EXPECT_EQ(meta["cold_users_from_features"], true);
  EXPECT_EQ(meta["cold_user_prior"], false);  // this model has none (service_test covers one that has)
  ASSERT_EQ(meta["user_features"].size(), 2u);
  EXPECT_EQ(meta["user_features"][0], json({{"name", "age"}, {"type", "numeric"}}));
  EXPECT_EQ(meta["user_features"][1]["name"], "region");
  EXPECT_EQ(meta["user_features"][1]["type"], "categorical");
  EXPECT_EQ(meta["user_features"][1]["values"], json({"dairy", "bakery", "produce", "snacks"}));

  auto [s1, rec] = call("POST", "/v1/recommend",
                        R"({"user_id": "walk-in", "k": 3, "filters": {"in_stock": false}, "user_features": {"age": 31, "region": "moon"}})");
  ASSERT_EQ(s1, 200) << last_body_;
  EXPECT_EQ(rec["source"], "user_features");
  EXPECT_EQ(rec["known_user"], false);
  EXPECT_EQ(rec["items"].size(), 3u);
  ASSERT_EQ(rec["warnings"].size(), 1u);
  EXPECT_NE(rec["warnings"][0].get<std::string>().find("user_features.region: unknown value 'moon'"), std::string::npos);

  auto [s2, batch] = call("POST", "/v1/recommend/batch",
                          R"({"requests": [{"user_id": "a", "user_features": {"age": 20}}, {"user_id": "b"}]})");
  ASSERT_EQ(s2, 200) << last_body_;
  EXPECT_EQ(batch["responses"][0]["source"], "user_features");
  EXPECT_EQ(batch["responses"][1]["source"], "new_user_popularity");

  auto bad = [&](const std::string& body, const std::string& needle) {
    auto [s, j] = call("POST", body.find("requests") != std::string::npos ? "/v1/recommend/batch" : "/v1/recommend", body);
    EXPECT_EQ(s, 400) << body << ": " << last_body_;
    EXPECT_NE(message(j).find(needle), std::string::npos) << body << ": " << last_body_;
  };
  bad(R"({"user_id": "x", "user_features": {"height": 180}})", "unknown field 'user_features.height'; expected one of: age, region");
  bad(R"({"user_id": "x", "user_features": {"age": "old"}})", "user_features.age must be a number, got a string");
  bad(R"({"user_id": "x", "user_features": {"region": 2}})", "user_features.region must be a string, got a number");
  bad(R"({"user_id": "x", "user_features": {"age": false}})", "user_features.age must be a number, a string or null");
  bad(R"({"requests": [{"user_id": "a"}, {"user_id": "b", "user_features": {"age": "old"}}]})",
      "requests[1]: user_features.age must be a number");
  std::string many = R"({"user_id": "x", "user_features": {)";
  for (int i = 0; i <= svc_->limits().max_user_features; ++i) many += (i ? ", " : "") + std::string("\"f") + std::to_string(i) + "\": 1";
  bad(many + "}}", "user_features holds 257 features, at most 256 are allowed");
}

TEST_F(HttpTest, MetaSaysWhenColdUsersAreNotServedFromFeatures) {
  start();
  auto [ms, meta] = call("GET", "/v1/meta");
  ASSERT_EQ(ms, 200);
  EXPECT_EQ(meta["cold_users_from_features"], false);
  EXPECT_EQ(meta["cold_user_prior"], false);
  EXPECT_EQ(meta["user_features"].size(), 2u);
}

TEST(OpenApi, DocumentsEveryRoute) {
  const std::string& yaml = openapi_yaml();
  ASSERT_NE(yaml.find("openapi: 3"), std::string::npos);
  for (const auto& [method, route] : Router::endpoints()) {
    if (route == "unmatched") continue;
    std::string path = route;
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"/users/{}", "/users/{user_id}"}, {"/items/{}", "/items/{item_id}"}}) {
      const auto pos = path.find(from);
      if (pos != std::string::npos) path.replace(pos, from.size(), to);
    }
    std::string lower = method;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = yaml.find("\n  " + path + ":\n");
    ASSERT_NE(at, std::string::npos) << path << " is not in docs/openapi.yaml";
    const auto next = yaml.find("\n  /", at + 3);
    EXPECT_NE(yaml.substr(at, next - at).find("\n    " + lower + ":"), std::string::npos) << method << " " << path;
  }
}

TEST_F(HttpTest, ApiKeyGuardsWriteEndpoints) {
  start("s3cret");
  const std::string ev = R"({"user_id": "u1", "events": [{"item_id": "i2"}]})";
  auto [s1, j1] = call("POST", "/v1/events", ev);
  EXPECT_EQ(s1, 401);
  EXPECT_NE(message(j1).find("API key"), std::string::npos);
  EXPECT_EQ(call("POST", "/v1/events", ev, {{"X-API-Key", "wrong"}}).first, 401);
  EXPECT_EQ(call("POST", "/v1/events", ev, {{"X-API-Key", "s3cret"}}).first, 200);
  EXPECT_EQ(call("POST", "/v1/events", ev, {{"Authorization", "Bearer s3cret"}}).first, 200);
  EXPECT_EQ(call("PUT", "/v1/items/i1", R"({"price": 1})").first, 401);
  EXPECT_EQ(call("POST", "/v1/admin/reload", "").first, 401);
  EXPECT_EQ(call("DELETE", "/v1/users/u1/session").first, 401);
  // Reads stay open.
  EXPECT_EQ(call("POST", "/v1/recommend", R"({"user_id": "u1"})").first, 200);
  EXPECT_EQ(call("GET", "/v1/items/i1").first, 200);
}

}  // namespace
}  // namespace stars::serve
