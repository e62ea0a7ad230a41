// The JSON codec: requests parse into the API structs; every malformed request is an invalid-argument
// error naming the offending field.
#include "stars/serve/json_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <variant>

#include "stars/core/error.h"
#include "error_of.h"

namespace stars::serve {
namespace {

using testing::error_of;

TEST(JsonCodec, ParsesAFullRecommendRequest) {
  const auto r = parse_recommend_request(R"({
    "user_id": "u1", "k": 7, "strategy": "rr",
    "filters": {"in_stock": false, "region": "north", "categories": ["Dairy"], "subclasses": ["Milk"],
                "brands": ["Acme"], "price_min": 1, "price_max": 9.5, "exclude_ids": ["i1"], "exclude_purchased": true},
    "context": {"time": "2024-03-01T08:30:00Z", "region": "north", "events": ["easter"], "apply_offset": false},
    "events": [{"item_id": "i9", "type": "add_to_cart", "ts": 1700000000, "context": {"device": "ios"}}]})");
  EXPECT_EQ(r.user_id, "u1");
  EXPECT_EQ(r.k, 7);
  EXPECT_EQ(r.strategy, Strategy::kRoundRobin);
  EXPECT_FALSE(r.filters.in_stock);
  EXPECT_EQ(r.filters.region, "north");
  EXPECT_EQ(r.filters.brands, std::vector<std::string>{"Acme"});
  EXPECT_DOUBLE_EQ(*r.filters.price_max, 9.5);
  EXPECT_EQ(r.exclude_purchased, std::optional<bool>(true));
  EXPECT_EQ(*r.context.time, 1709281800);
  EXPECT_FALSE(r.context.apply_offset);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].type, 2);  // cart
  EXPECT_EQ(r.events[0].context[0].second, "ios");
  const auto alias = parse_events_request(R"({"user_id": "u", "events": [{"item_id": "i", "event_type": "purchase", "timestamp": "2024-03-01"}]})");
  EXPECT_EQ(alias.events[0].type, 3);
  EXPECT_EQ(alias.events[0].ts, 1709251200);
  const auto d = parse_recommend_request(R"({"user_id": "u2"})");
  EXPECT_EQ(d.k, 10);
  EXPECT_TRUE(d.filters.in_stock);
  EXPECT_EQ(d.strategy, Strategy::kNext);
}

TEST(JsonCodec, BadRequestsNameTheField) {
  EXPECT_NE(error_of([] { parse_recommend_request("{"); }).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request("[1]"); }).find("JSON object"), std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"k": 3})"); }).find("user_id is required"), std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": 3})"); }).find("user_id must be a string"), std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "k": "ten"})"); }).find("k must be an integer"), std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "k": 2.5})"); }).find("k must be an integer"), std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "strategy": "best"})"); }).find("strategy must be next, gen or rr"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "filter": {}})"); }).find("unknown field 'filter'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "filters": {"brands": ["a", 2]}})"); })
                .find("filters.brands[1] must be a string"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "filters": {"colour": "red"}})"); })
                .find("unknown field 'filters.colour'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "context": {"time": "yesterday"}})"); })
                .find("context.time must be unix seconds or an ISO-8601 time"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "events": [{"type": "view"}]})"); })
                .find("events[0].item_id is required"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "events": [{"item_id": "i", "type": "stare"}]})"); })
                .find("events[0].type 'stare'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_events_request(R"({"user_id": "u"})"); }).find("events is required"), std::string::npos);
  EXPECT_NE(error_of([] { parse_item_put(R"({"item_id": "b"})", "a"); }).find("differs"), std::string::npos);
  EXPECT_NE(error_of([] { parse_item_put(R"({"vector": [1, "x"]})", "a"); }).find("vector[1] must be a number"), std::string::npos);
  EXPECT_NE(error_of([] { parse_availability_patch("{}", "a"); }).find("changes nothing"), std::string::npos);
  EXPECT_NE(error_of([] { parse_availability_batch(R"({"updates": [{"in_stock": true}]})"); }).find("updates[0].item_id is required"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_batch(R"({"requests": [{"user_id": "a"}, {"k": 1}]})"); })
                .find("requests[1].user_id is required"),
            std::string::npos);
}

TEST(JsonCodec, UserFeaturesKeepTheirJsonType) {
  const auto r = parse_recommend_request(R"({"user_id": "new", "user_features": {"age": 31, "gender": "F", "city": null}})");
  ASSERT_EQ(r.user_features.size(), 3u);
  std::map<std::string, std::variant<std::monostate, double, std::string>> by_name;
  for (const auto& f : r.user_features) by_name[f.name] = f.value;
  EXPECT_EQ(std::get<double>(by_name.at("age")), 31.0);
  EXPECT_EQ(std::get<std::string>(by_name.at("gender")), "F");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(by_name.at("city")));
  EXPECT_TRUE(parse_recommend_request(R"({"user_id": "new"})").user_features.empty());
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "user_features": {"age": true}})"); })
                .find("user_features.age must be a number, a string or null, got boolean"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "user_features": {"tags": ["a"]}})"); })
                .find("user_features.tags must be a number, a string or null, got array"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_request(R"({"user_id": "u", "user_features": [31]})"); })
                .find("user_features must be an object"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_recommend_batch(R"({"requests": [{"user_id": "a"}, {"user_id": "b", "user_features": {"x": {}}}]})"); })
                .find("requests[1].user_features.x must be a number"),
            std::string::npos);
}

TEST(JsonCodec, ItemPutAndReload) {
  const auto p = parse_item_put(R"({"title": "Milk", "category": ["Dairy", "Milk"], "price": 1.5, "regions": ["n"],
                                    "text_vector": [0.1, 0.2]})",
                                "m1");
  EXPECT_EQ(p.item.raw_id, "m1");
  EXPECT_EQ(*p.item.category, "Dairy > Milk");
  EXPECT_EQ(p.text_vector->size(), 2u);
  EXPECT_EQ(parse_reload_request(""), "");
  EXPECT_EQ(parse_reload_request(R"({"path": "/x"})"), "/x");
}

TEST(JsonCodec, ErrorsAndResponsesAreJson) {
  EXPECT_EQ(error_json(400, "invalid_argument", "k must be \"positive\""),
            R"({"error":{"code":"invalid_argument","message":"k must be \"positive\"","status":400}})");
  RecommendResponse r;
  r.user_id = "u";
  r.source = "snapshot";
  RecommendedItem it;
  it.item_id = "i";
  it.title = "bad \xff utf8";
  it.price = std::nanf("");
  r.items.push_back(it);
  const std::string j = to_json(r);
  EXPECT_NE(j.find("\"price\":null"), std::string::npos);
  EXPECT_NE(j.find("\"rank\":1"), std::string::npos);
}

}  // namespace
}  // namespace stars::serve
