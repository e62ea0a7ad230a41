// The requests and responses of the HTTP/JSON API as plain structs (docs/openapi.yaml is their
// contract). json_codec.cpp converts them from/to JSON; recommend_service.cpp implements them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "stars/serve/catalog.h"
#include "stars/serve/session_store.h"

namespace stars::serve {

enum class Strategy { kNext, kGen, kRoundRobin };
const char* strategy_name(Strategy s);

// Request-time context (paper §4.4).
struct ContextSpec {
  std::optional<int64_t> time;                     // unix seconds; default now
  std::string region;                              // "" = none
  std::optional<std::vector<std::string>> events;  // active calendar events/promotions; default: from the calendar
  bool apply_offset = true;                        // add the context offset to the user vector
};

// One static user feature sent with a request (`user_features`): a number for a numeric feature, a string
// for a categorical one, null (monostate) for missing. The service checks names and types against the
// snapshot's user features (live_input.h, resolve_user_features).
struct UserFeatureValue {
  std::string name;
  std::variant<std::monostate, double, std::string> value;
};

struct RecommendRequest {
  std::string user_id;
  int k = 10;
  Strategy strategy = Strategy::kNext;
  FilterSpec filters;
  // Leave out the user's purchases (every interacted item when the data has no event types); unset = the
  // snapshot's default (SnapshotManifest::exclude_seen: what the model was trained for).
  std::optional<bool> exclude_purchased;
  ContextSpec context;
  std::vector<SessionEvent> events;  // recent events sent with the request (not stored)
  // Static features of a user unknown to the snapshot (a known user's come from the snapshot); empty = none.
  std::vector<UserFeatureValue> user_features;
};

struct RecommendedItem {
  std::string item_id, title, list;  // list: "next", "gen", "popular", "similar"
  float score = 0.0f;
  std::string category, brand;
  float price = 0.0f;
  bool in_stock = true;
};

struct AppliedContext {
  int64_t time = 0;
  std::string region;
  std::vector<std::string> events;
  bool offset_applied = false;
};

struct RecommendResponse {
  std::string user_id;
  std::string item_id;  // set for similar items (then the user fields and context are left out)
  Strategy strategy = Strategy::kNext;
  // Where the user vector came from: "snapshot" (daily export), "live_session" (re-encoded with live
  // events), "request_events" (unknown user, encoded from events in the request or session),
  // "user_features" (unknown user without events: the model's cold-user vector of the request's
  // user_features), "new_user_popularity" (unknown user without a usable vector: what new users take
  // first, then popular within context and filters; serve setting popularity.new_users), "popularity"
  // (no usable history: popular within context and filters).
  std::string source;
  bool known_user = false;
  uint64_t session_events = 0;
  AppliedContext context;
  std::vector<RecommendedItem> items;
  std::vector<std::string> warnings;
  std::string snapshot_id;
  double took_ms = 0.0;
};

struct EventsRequest {
  std::string user_id;
  std::vector<SessionEvent> events;
};

struct EventsResponse {
  std::string user_id;
  uint64_t session_version = 0;
  size_t accepted = 0;
  bool known_user = false;
};

// PUT /v1/items/{id}
struct ItemPutRequest {
  ItemUpsert item;
  std::string description;
  std::optional<std::vector<float>> text_vector;  // semantics dimension; else embedded from the text
  std::optional<std::vector<float>> vector;       // serving vector (dim) given directly
};

struct ItemPutResponse {
  std::string item_id;
  bool created = false;
  std::string vector_source;  // "text" (model content path, Δ = 0), "given", "unchanged"
  std::vector<std::string> warnings;
};

struct AvailabilityUpdate {
  std::string item_id;
  std::optional<bool> in_stock;
  std::optional<std::vector<std::string>> regions;
  std::optional<float> price;
};

struct SimilarRequest {
  std::string item_id;
  int k = 10;
  FilterSpec filters;
};

}  // namespace stars::serve
