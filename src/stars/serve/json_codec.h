// JSON <-> API structs (api_types.h) for the HTTP layer, strictly: unknown fields, wrong types and
// out-of-range values are Error(kInvalidArgument) whose message names the field ("filters.brands[2]
// must be a string") so every bad request gets a 4xx saying what was wrong. The only serve file that
// includes nlohmann/json. Torch-free.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stars/serve/api_types.h"
#include "stars/serve/recommend_service.h"

namespace stars::serve {

RecommendRequest parse_recommend_request(std::string_view body);
std::vector<RecommendRequest> parse_recommend_batch(std::string_view body);
EventsRequest parse_events_request(std::string_view body);
// PUT /v1/items/{id}: `item_id` comes from the path (a body "item_id" must match it).
ItemPutRequest parse_item_put(std::string_view body, const std::string& item_id);
// PATCH /v1/items/{id}: stock / regions / price of one item.
AvailabilityUpdate parse_availability_patch(std::string_view body, const std::string& item_id);
// POST /v1/availability: {"updates": [{"item_id", "in_stock", "regions", "price"}, ...]}.
std::vector<AvailabilityUpdate> parse_availability_batch(std::string_view body);
// POST /v1/admin/reload: {"path": "..."} (optional; empty body allowed).
std::string parse_reload_request(std::string_view body);

std::string to_json(const RecommendResponse& r);
std::string to_json(const std::vector<RecommendResponse>& batch);
std::string to_json(const EventsResponse& r);
std::string to_json(const ItemPutResponse& r);
std::string to_json(const ItemInfo& r);
std::string to_json(const UserView& r);
std::string to_json(const ReloadResult& r);
std::string users_to_json(const std::vector<std::string>& users, int64_t offset);
// GET /v1/meta: what the snapshot holds (vocabularies for filters, counts, capabilities).
std::string meta_to_json(const ServingState& state, const std::string& store_kind, int64_t sessions);
// {"error": {"status": 400, "code": "invalid_argument", "message": "..."}}
std::string error_json(int status, const std::string& code, const std::string& message);
// A flat JSON object of string values, e.g. {"status": "ok"}.
std::string simple_json(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace stars::serve
