#include "stars/serve/json_codec.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/core/time.h"
#include "stars/data/dataset.h"

namespace stars::serve {
namespace {

using json = nlohmann::json;

// A float as the shortest double that reads back as the same float (3.3f -> 3.3, not 3.299999952).
double f32(float x) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof(buf), x).ptr;
  double d = 0.0;
  std::from_chars(buf, end, d);
  return d;
}

// ---- A hand-written writer for the hot response (POST /v1/recommend): no DOM, few allocations.
void put_string(std::string& out, std::string_view v) {
  if (!is_valid_utf8(v)) {  // never write invalid JSON: let nlohmann replace the bad bytes
    out += json(std::string(v)).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  out.push_back('"');
  out += json_escape(v);
  out.push_back('"');
}
// Shortest representation that reads back exactly; null for NaN / infinity.
template <class T>
void put_number(std::string& out, T x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  char buf[32];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), x).ptr);
}
void put_key(std::string& out, const char* key) {
  out.push_back('"');
  out += key;
  out += "\":";
}
void put_strings(std::string& out, const std::vector<std::string>& v) {
  out.push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    put_string(out, v[i]);
  }
  out.push_back(']');
}

void write_response(std::string& out, const RecommendResponse& r) {
  out += "{";
  if (!r.item_id.empty()) {  // similar items
    put_key(out, "item_id"); put_string(out, r.item_id);
    out += ",";  put_key(out, "source"); put_string(out, r.source);
  } else {
    put_key(out, "user_id"); put_string(out, r.user_id);
    out += ",";  put_key(out, "strategy"); put_string(out, strategy_name(r.strategy));
    out += ",";  put_key(out, "source"); put_string(out, r.source);
    out += ",";  put_key(out, "known_user"); out += r.known_user ? "true" : "false";
    out += ",";  put_key(out, "session_events"); out += std::to_string(r.session_events);
    out += ",";  put_key(out, "context"); out += "{";
    put_key(out, "time"); out += std::to_string(r.context.time);
    out += ",";  put_key(out, "time_iso"); put_string(out, format_iso8601(r.context.time));
    out += ",";  put_key(out, "region"); put_string(out, r.context.region);
    out += ",";  put_key(out, "events"); put_strings(out, r.context.events);
    out += ",";  put_key(out, "offset_applied"); out += r.context.offset_applied ? "true" : "false";
    out += "}";
  }
  out += ",";  put_key(out, "items"); out += "[";
  for (size_t i = 0; i < r.items.size(); ++i) {
    const auto& it = r.items[i];
    out += i ? ",{" : "{";
    put_key(out, "rank"); out += std::to_string(i + 1);
    out += ",";  put_key(out, "item_id"); put_string(out, it.item_id);
    out += ",";  put_key(out, "title"); put_string(out, it.title);
    out += ",";  put_key(out, "score"); put_number(out, it.score);
    out += ",";  put_key(out, "list"); put_string(out, it.list);
    out += ",";  put_key(out, "category"); put_string(out, it.category);
    out += ",";  put_key(out, "brand"); put_string(out, it.brand);
    out += ",";  put_key(out, "price"); put_number(out, it.price);
    out += ",";  put_key(out, "in_stock"); out += it.in_stock ? "true" : "false";
    out += "}";
  }
  out += "],";  put_key(out, "warnings"); put_strings(out, r.warnings);
  out += ",";   put_key(out, "snapshot_id"); put_string(out, r.snapshot_id);
  out += ",";   put_key(out, "took_ms"); put_number(out, r.took_ms);
  out += "}";
}

// Never throws on bad UTF-8 in stored text: replaces it.
std::string dumps(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json parse_body(std::string_view body, bool allow_empty = false) {
  if (allow_empty && trim(body).empty()) return json::object();
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  STARS_CHECK_ARG(!j.is_discarded(), "the request body is not valid JSON");
  STARS_CHECK_ARG(j.is_object(), "the request body must be a JSON object, got " << j.type_name());
  return j;
}

void reject_unknown(const json& j, const std::set<std::string>& known, const std::string& where) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (known.count(it.key())) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    STARS_THROW(kInvalidArgument, "unknown field '" << (where.empty() ? "" : where + ".") << it.key()
                                                     << "'; expected one of: " << list);
  }
}

std::string name(const std::string& where, const std::string& key) { return where.empty() ? key : where + "." + key; }

std::string get_string(const json& j, const std::string& key, const std::string& where) {
  const json& v = j.at(key);
  STARS_CHECK_ARG(v.is_string(), name(where, key) << " must be a string, got " << v.type_name());
  return v.get<std::string>();
}

bool get_bool(const json& j, const std::string& key, const std::string& where) {
  const json& v = j.at(key);
  STARS_CHECK_ARG(v.is_boolean(), name(where, key) << " must be true or false, got " << v.type_name());
  return v.get<bool>();
}

int64_t get_int(const json& j, const std::string& key, const std::string& where) {
  const json& v = j.at(key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    STARS_CHECK_ARG(std::floor(d) == d && std::fabs(d) < 9e15, name(where, key) << " must be an integer, got " << d);
    return static_cast<int64_t>(d);
  }
  STARS_THROW(kInvalidArgument, name(where, key) << " must be an integer, got " << v.type_name());
}

double get_number(const json& j, const std::string& key, const std::string& where) {
  const json& v = j.at(key);
  STARS_CHECK_ARG(v.is_number(), name(where, key) << " must be a number, got " << v.type_name());
  const double d = v.get<double>();
  STARS_CHECK_ARG(std::isfinite(d), name(where, key) << " must be finite");
  return d;
}

std::vector<std::string> get_strings(const json& j, const std::string& key, const std::string& where) {
  const json& v = j.at(key);
  STARS_CHECK_ARG(v.is_array(), name(where, key) << " must be an array of strings, got " << v.type_name());
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    STARS_CHECK_ARG(v[i].is_string(), name(where, key) << "[" << i << "] must be a string, got " << v[i].type_name());
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

std::vector<float> get_floats(const json& j, const std::string& key, const std::string& where) {
  const json& v = j.at(key);
  STARS_CHECK_ARG(v.is_array(), name(where, key) << " must be an array of numbers, got " << v.type_name());
  std::vector<float> out;
  for (size_t i = 0; i < v.size(); ++i) {
    STARS_CHECK_ARG(v[i].is_number(), name(where, key) << "[" << i << "] must be a number, got " << v[i].type_name());
    const double d = v[i].get<double>();
    STARS_CHECK_ARG(std::isfinite(d), name(where, key) << "[" << i << "] must be finite");
    out.push_back(static_cast<float>(d));
  }
  return out;
}

// Times: unix seconds or an ISO-8601 string.
int64_t get_time(const json& j, const std::string& key, const std::string& where) {
  const json& v = j.at(key);
  if (v.is_string()) {
    int64_t t = 0;
    STARS_CHECK_ARG(parse_timestamp(v.get<std::string>(), &t),
                    name(where, key) << " must be unix seconds or an ISO-8601 time, got '" << v.get<std::string>() << "'");
    return t;
  }
  const int64_t t = get_int(j, key, where);
  STARS_CHECK_ARG(t >= 0 && t < 253402300800LL, name(where, key) << " must be unix seconds in [0, year 9999], got " << t);
  return t;
}

FilterSpec parse_filters(const json& j, const std::string& where) {
  STARS_CHECK_ARG(j.is_object(), where << " must be an object, got " << j.type_name());
  reject_unknown(j, {"in_stock", "region", "categories", "subclasses", "brands", "price_min", "price_max", "exclude_ids",
                     "exclude_purchased"},
                 where);
  FilterSpec f;
  if (j.contains("in_stock")) f.in_stock = get_bool(j, "in_stock", where);
  if (j.contains("region")) f.region = get_string(j, "region", where);
  if (j.contains("categories")) f.categories = get_strings(j, "categories", where);
  if (j.contains("subclasses")) f.subclasses = get_strings(j, "subclasses", where);
  if (j.contains("brands")) f.brands = get_strings(j, "brands", where);
  if (j.contains("price_min") && !j.at("price_min").is_null()) f.price_min = get_number(j, "price_min", where);
  if (j.contains("price_max") && !j.at("price_max").is_null()) f.price_max = get_number(j, "price_max", where);
  if (j.contains("exclude_ids")) f.exclude_ids = get_strings(j, "exclude_ids", where);
  return f;
}

SessionEvent parse_event(const json& j, const std::string& where) {
  STARS_CHECK_ARG(j.is_object(), where << " must be an object, got " << j.type_name());
  reject_unknown(j, {"item_id", "type", "event_type", "ts", "time", "timestamp", "region", "context"}, where);
  STARS_CHECK_ARG(j.contains("item_id"), where << ".item_id is required");
  SessionEvent e;
  e.item_id = get_string(j, "item_id", where);
  STARS_CHECK_ARG(!e.item_id.empty(), where << ".item_id is empty");
  // "event_type" and "timestamp" are accepted as in the native events file (docs/FORMATS.md).
  STARS_CHECK_ARG(!(j.contains("type") && j.contains("event_type")), where << " gives both type and event_type");
  const char* type_key = j.contains("event_type") ? "event_type" : "type";
  if (j.contains(type_key)) {
    const std::string t = get_string(j, type_key, where);
    const auto type = data::parse_event_type(t);
    STARS_CHECK_ARG(type.has_value(), where << "." << type_key << " '" << t << "' is not an event type (view, cart, purchase)");
    e.type = static_cast<uint8_t>(*type);
  }
  if (j.contains("ts")) e.ts = get_time(j, "ts", where);
  if (j.contains("time")) e.ts = get_time(j, "time", where);
  if (j.contains("timestamp")) e.ts = get_time(j, "timestamp", where);
  if (j.contains("region")) e.region = get_string(j, "region", where);
  if (j.contains("context")) {
    const json& c = j.at("context");
    STARS_CHECK_ARG(c.is_object(), where << ".context must be an object of strings");
    for (auto it = c.begin(); it != c.end(); ++it) {
      STARS_CHECK_ARG(it.value().is_string(), where << ".context." << it.key() << " must be a string");
      e.context.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  return e;
}

std::vector<SessionEvent> parse_events(const json& j, const std::string& key, const std::string& where) {
  const json& v = j.at(key);
  STARS_CHECK_ARG(v.is_array(), name(where, key) << " must be an array of events, got " << v.type_name());
  std::vector<SessionEvent> out;
  for (size_t i = 0; i < v.size(); ++i) out.push_back(parse_event(v[i], name(where, key) + "[" + std::to_string(i) + "]"));
  return out;
}

// user_features: {"age": 31, "gender": "F", "city": null}; names and which type each needs are checked by
// the service against the snapshot.
std::vector<UserFeatureValue> parse_user_features(const json& j, const std::string& where) {
  STARS_CHECK_ARG(j.is_object(), where << " must be an object of feature values, got " << j.type_name());
  std::vector<UserFeatureValue> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    UserFeatureValue f;
    f.name = it.key();
    const json& v = it.value();
    if (v.is_number()) {
      const double d = v.get<double>();
      STARS_CHECK_ARG(std::isfinite(d), name(where, it.key()) << " must be finite");
      f.value = d;
    } else if (v.is_string()) {
      f.value = v.get<std::string>();
    } else {
      STARS_CHECK_ARG(v.is_null(), name(where, it.key()) << " must be a number, a string or null, got " << v.type_name());
    }
    out.push_back(std::move(f));
  }
  return out;
}

RecommendRequest recommend_from(const json& j, const std::string& where) {
  STARS_CHECK_ARG(j.is_object(), (where.empty() ? "the request" : where) << " must be an object, got " << j.type_name());
  reject_unknown(j, {"user_id", "k", "strategy", "filters", "context", "events", "user_features"}, where);
  RecommendRequest r;
  STARS_CHECK_ARG(j.contains("user_id"), name(where, "user_id") << " is required");
  r.user_id = get_string(j, "user_id", where);
  if (j.contains("k")) {
    const int64_t k = get_int(j, "k", where);
    STARS_CHECK_ARG(k >= 1 && k <= 1000000, name(where, "k") << " must be a positive integer, got " << k);
    r.k = static_cast<int>(k);
  }
  if (j.contains("strategy")) {
    const std::string s = get_string(j, "strategy", where);
    if (s == "next") r.strategy = Strategy::kNext;
    else if (s == "gen") r.strategy = Strategy::kGen;
    else if (s == "rr" || s == "interleave") r.strategy = Strategy::kRoundRobin;
    else STARS_THROW(kInvalidArgument, name(where, "strategy") << " must be next, gen or rr, got '" << s << "'");
  }
  if (j.contains("filters")) {
    r.filters = parse_filters(j.at("filters"), name(where, "filters"));
    const json& f = j.at("filters");
    if (f.contains("exclude_purchased")) r.exclude_purchased = get_bool(f, "exclude_purchased", name(where, "filters"));
  }
  if (j.contains("context")) {
    const json& c = j.at("context");
    const std::string cw = name(where, "context");
    STARS_CHECK_ARG(c.is_object(), cw << " must be an object, got " << c.type_name());
    reject_unknown(c, {"time", "region", "events", "apply_offset"}, cw);
    if (c.contains("time") && !c.at("time").is_null()) r.context.time = get_time(c, "time", cw);
    if (c.contains("region")) r.context.region = get_string(c, "region", cw);
    if (c.contains("events")) r.context.events = get_strings(c, "events", cw);
    if (c.contains("apply_offset")) r.context.apply_offset = get_bool(c, "apply_offset", cw);
  }
  if (j.contains("events")) r.events = parse_events(j, "events", where);
  if (j.contains("user_features")) r.user_features = parse_user_features(j.at("user_features"), name(where, "user_features"));
  return r;
}

}  // namespace

RecommendRequest parse_recommend_request(std::string_view body) { return recommend_from(parse_body(body), ""); }

std::vector<RecommendRequest> parse_recommend_batch(std::string_view body) {
  const json j = parse_body(body);
  reject_unknown(j, {"requests"}, "");
  STARS_CHECK_ARG(j.contains("requests") && j.at("requests").is_array(), "requests must be an array of recommend requests");
  std::vector<RecommendRequest> out;
  const json& a = j.at("requests");
  for (size_t i = 0; i < a.size(); ++i) out.push_back(recommend_from(a[i], "requests[" + std::to_string(i) + "]"));
  return out;
}

EventsRequest parse_events_request(std::string_view body) {
  const json j = parse_body(body);
  reject_unknown(j, {"user_id", "events"}, "");
  STARS_CHECK_ARG(j.contains("user_id"), "user_id is required");
  STARS_CHECK_ARG(j.contains("events"), "events is required");
  EventsRequest r;
  r.user_id = get_string(j, "user_id", "");
  r.events = parse_events(j, "events", "");
  return r;
}

ItemPutRequest parse_item_put(std::string_view body, const std::string& item_id) {
  const json j = parse_body(body);
  reject_unknown(j, {"item_id", "title", "description", "category", "brand", "price", "tags", "in_stock", "regions",
                     "text_vector", "vector"},
                 "");
  ItemPutRequest r;
  r.item.raw_id = item_id;
  if (j.contains("item_id")) {
    const std::string id = get_string(j, "item_id", "");
    STARS_CHECK_ARG(id == item_id, "item_id '" << id << "' in the body differs from '" << item_id << "' in the path");
  }
  if (j.contains("title")) r.item.title = get_string(j, "title", "");
  if (j.contains("description")) r.description = get_string(j, "description", "");
  if (j.contains("category")) {
    const json& c = j.at("category");
    if (c.is_array()) r.item.category = join(get_strings(j, "category", ""), " > ");
    else r.item.category = get_string(j, "category", "");
  }
  if (j.contains("brand")) r.item.brand = get_string(j, "brand", "");
  if (j.contains("price")) r.item.price = static_cast<float>(get_number(j, "price", ""));
  if (j.contains("tags")) r.item.tags = get_strings(j, "tags", "");
  if (j.contains("in_stock")) r.item.in_stock = get_bool(j, "in_stock", "");
  if (j.contains("regions")) r.item.regions = get_strings(j, "regions", "");
  if (j.contains("text_vector")) r.text_vector = get_floats(j, "text_vector", "");
  if (j.contains("vector")) r.vector = get_floats(j, "vector", "");
  return r;
}

namespace {
AvailabilityUpdate availability_from(const json& j, const std::string& where, bool with_id) {
  STARS_CHECK_ARG(j.is_object(), (where.empty() ? "the request" : where) << " must be an object");
  if (with_id) reject_unknown(j, {"item_id", "in_stock", "regions", "price"}, where);
  else reject_unknown(j, {"in_stock", "regions", "price"}, where);
  AvailabilityUpdate u;
  if (with_id) {
    STARS_CHECK_ARG(j.contains("item_id"), name(where, "item_id") << " is required");
    u.item_id = get_string(j, "item_id", where);
  }
  if (j.contains("in_stock")) u.in_stock = get_bool(j, "in_stock", where);
  if (j.contains("regions")) u.regions = get_strings(j, "regions", where);
  if (j.contains("price")) u.price = static_cast<float>(get_number(j, "price", where));
  STARS_CHECK_ARG(u.in_stock || u.regions || u.price,
                  (where.empty() ? "the request" : where) << " changes nothing: give in_stock, regions or price");
  return u;
}
}  // namespace

AvailabilityUpdate parse_availability_patch(std::string_view body, const std::string& item_id) {
  AvailabilityUpdate u = availability_from(parse_body(body), "", false);
  u.item_id = item_id;
  return u;
}

std::vector<AvailabilityUpdate> parse_availability_batch(std::string_view body) {
  const json j = parse_body(body);
  reject_unknown(j, {"updates"}, "");
  STARS_CHECK_ARG(j.contains("updates") && j.at("updates").is_array(), "updates must be an array");
  std::vector<AvailabilityUpdate> out;
  const json& a = j.at("updates");
  for (size_t i = 0; i < a.size(); ++i) out.push_back(availability_from(a[i], "updates[" + std::to_string(i) + "]", true));
  return out;
}

std::string parse_reload_request(std::string_view body) {
  const json j = parse_body(body, true);
  reject_unknown(j, {"path"}, "");
  return j.contains("path") ? get_string(j, "path", "") : std::string();
}

std::string to_json(const RecommendResponse& r) {
  std::string out;
  out.reserve(512 + 256 * r.items.size());
  write_response(out, r);
  return out;
}

std::string to_json(const std::vector<RecommendResponse>& batch) {
  std::string out = "{\"responses\":[";
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i) out.push_back(',');
    write_response(out, batch[i]);
  }
  out += "]}";
  return out;
}

std::string to_json(const EventsResponse& r) {
  return dumps(json{{"user_id", r.user_id}, {"accepted", r.accepted}, {"session_events", r.session_version},
              {"known_user", r.known_user}}
      );
}

std::string to_json(const ItemPutResponse& r) {
  return dumps(json{{"item_id", r.item_id}, {"created", r.created}, {"vector_source", r.vector_source}, {"warnings", r.warnings}}
      );
}

std::string to_json(const ItemInfo& r) {
  json j{{"item_id", r.raw_id},     {"title", r.title}, {"category", r.category}, {"subclass", r.subclass},
         {"department", r.department}, {"brand", r.brand}, {"in_stock", r.in_stock}, {"regions", r.regions},
         {"tags", r.tags}};
  j["price"] = std::isfinite(r.price) ? json(f32(r.price)) : json(nullptr);
  return dumps(j);
}

std::string to_json(const UserView& r) {
  json h = json::array();
  for (const auto& e : r.history)
    h.push_back({{"item_id", e.item_id}, {"title", e.title}, {"ts", e.ts},
                 {"type", data::event_type_name(static_cast<data::EventType>(e.type))}, {"live", e.live}});
  return dumps(json{{"user_id", r.user_id}, {"known", r.known}, {"history", std::move(h)}, {"session_events", r.session_version},
              {"purchased_items", r.purchased}}
      );
}

std::string to_json(const ReloadResult& r) {
  return dumps(json{{"snapshot_id", r.snapshot_id}, {"path", r.dir}, {"seconds", r.seconds}, {"replayed_updates", r.replayed_updates}}
      );
}

std::string users_to_json(const std::vector<std::string>& users, int64_t offset) {
  return dumps(json{{"offset", offset}, {"users", users}});
}

std::string meta_to_json(const ServingState& st, const std::string& store_kind, int64_t sessions) {
  const Snapshot& s = st.snapshot();
  const auto& m = s.manifest();
  std::vector<std::string> regions(s.regions().begin() + (s.regions().empty() ? 0 : 1), s.regions().end());
  json ctx = json::array();
  for (const auto& v : s.event_context_vocabs()) ctx.push_back(v.name);
  // What a request's user_features may hold (values: the first 1000 of each vocabulary, without missing).
  json user_features = json::array();
  for (const auto& n : s.user_numeric_names()) user_features.push_back({{"name", n}, {"type", "numeric"}});
  for (const auto& v : s.user_categorical_vocabs()) {
    const size_t end = std::min<size_t>(v.values.size(), 1001);
    user_features.push_back({{"name", v.name}, {"type", "categorical"},
                             {"values", std::vector<std::string>(v.values.begin() + std::min<size_t>(1, end), v.values.begin() + end)}});
  }
  // Whether an unknown user without events is served from the user_features of the request.
  const bool cold_users = st.encodes_cold_users() && !user_features.empty();
  json j{{"snapshot_id", m.snapshot_id},
         {"snapshot_dir", s.dir()},
         {"created_at", m.created_at},
         {"created_at_iso", format_iso8601(m.created_at)},
         {"dim", m.dim},
         {"users", m.num_users},
         {"items", st.catalog().size()},
         {"snapshot_items", m.num_items},
         {"has_time", m.has_time},
         {"has_model", st.has_encoder()},
         {"cold_users_from_features", cold_users},
         {"cold_user_prior", cold_users && st.catalog().read().has_cold_user_bias()},
         {"has_text_embedder", st.embedder() != nullptr},
         {"index", st.catalog().index_kind()},
         {"store", store_kind},
         {"live_sessions", sessions},
         {"regions", regions},
         {"departments", s.departments()},
         {"subclasses", s.subclasses()},
         {"brands", std::vector<std::string>(s.brands().begin() + 1, s.brands().begin() + std::min<size_t>(s.brands().size(), 1001))},
         {"calendar_events", s.calendar_events()},
         {"event_context_features", std::move(ctx)},
         {"user_features", std::move(user_features)},
         {"loaded_at", st.loaded_at()},
         {"load_seconds", st.load_seconds()}};
  return dumps(j);
}

std::string error_json(int status, const std::string& code, const std::string& message) {
  return dumps(json{{"error", {{"status", status}, {"code", code}, {"message", message}}}});
}

std::string simple_json(const std::vector<std::pair<std::string, std::string>>& fields) {
  json j = json::object();
  for (const auto& kv : fields) j[kv.first] = kv.second;
  return dumps(j);
}

}  // namespace stars::serve
