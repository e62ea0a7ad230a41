#include "stars/serve/routes.h"

#include <chrono>

#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/serve/json_codec.h"
#include "stars/serve/web_page.h"

namespace stars::serve {
namespace {

struct Route {
  const char* method;
  const char* pattern;  // segments; "{}" matches one segment
  bool write;           // needs the API key
};

// The order gives the route numbers used in Router::dispatch.
const Route kRoutes[] = {
    {"GET", "/", false},                             // 0  web page
    {"GET", "/healthz", false},                      // 1
    {"GET", "/readyz", false},                       // 2
    {"GET", "/metrics", false},                      // 3
    {"GET", "/openapi.yaml", false},                 // 4
    {"GET", "/v1/meta", false},                      // 5
    {"POST", "/v1/recommend", false},                // 6
    {"POST", "/v1/recommend/batch", false},          // 7
    {"POST", "/v1/events", true},                    // 8
    {"GET", "/v1/users", false},                     // 9
    {"GET", "/v1/users/{}", false},                  // 10
    {"DELETE", "/v1/users/{}/session", true},        // 11
    {"GET", "/v1/items/{}", false},                  // 12
    {"PUT", "/v1/items/{}", true},                   // 13
    {"PATCH", "/v1/items/{}", true},                 // 14
    {"GET", "/v1/items/{}/similar", false},          // 15
    {"POST", "/v1/availability", true},              // 16
    {"POST", "/v1/admin/reload", true},              // 17
};
constexpr int kNumRoutes = sizeof(kRoutes) / sizeof(kRoutes[0]);

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  for (auto s : split(path, '/'))
    if (!s.empty()) out.emplace_back(s);
  return out;
}

// True if `path` matches `pattern`; fills the {} parameters.
bool match(const char* pattern, const std::vector<std::string>& path, std::vector<std::string>* params) {
  const auto pat = segments(pattern);
  if (pat.size() != path.size()) return false;
  params->clear();
  for (size_t i = 0; i < pat.size(); ++i) {
    if (pat[i] == "{}") params->push_back(path[i]);
    else if (pat[i] != path[i]) return false;
  }
  return true;
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse error_response(int status, const std::string& code, const std::string& message) {
  return json_response(status, error_json(status, code, message));
}

// The message of an error for an API client: STARS_CHECK_ARG appends the failed condition in brackets
// (" [k >= 1 && k <= max_k]"), which helps in logs but not a client; drop it.
std::string user_message(const Error& e) {
  std::string m = e.what();
  const auto open = m.rfind(" [");
  if (open != std::string::npos && !m.empty() && m.back() == ']') {
    const std::string inside = m.substr(open + 2, m.size() - open - 3);
    // A condition has an operator or is one identifier; a range in prose ("in [1, 1000]") has neither.
    if (inside.find_first_of("=<>!&|(_.") != std::string::npos || inside.find(' ') == std::string::npos) m.erase(open);
  }
  return m;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

const std::string* query_value(const HttpRequest& r, const char* key) {
  auto it = r.query.find(key);
  return it == r.query.end() ? nullptr : &it->second;
}

int64_t query_int(const HttpRequest& r, const char* key, int64_t fallback) {
  const std::string* v = query_value(r, key);
  if (!v) return fallback;
  int64_t x = 0;
  STARS_CHECK_ARG(parse_int64(*v, &x), "query parameter " << key << " must be an integer, got '" << *v << "'");
  return x;
}

std::vector<std::string> query_list(const HttpRequest& r, const char* key) {
  std::vector<std::string> out;
  if (const std::string* v = query_value(r, key))
    for (auto s : split(*v, ','))
      if (!trim(s).empty()) out.emplace_back(trim(s));
  return out;
}

// Filters of GET /v1/items/{id}/similar from the query string.
FilterSpec query_filters(const HttpRequest& r) {
  static const char* kKnown[] = {"k", "in_stock", "region", "categories", "subclasses", "brands", "price_min",
                                 "price_max", "exclude_ids"};
  for (const auto& kv : r.query) {
    bool ok = false;
    for (const char* k : kKnown) ok = ok || kv.first == k;
    STARS_CHECK_ARG(ok, "unknown query parameter '" << kv.first << "'");
  }
  FilterSpec f;
  if (const std::string* v = query_value(r, "in_stock")) {
    STARS_CHECK_ARG(*v == "true" || *v == "false" || *v == "1" || *v == "0",
                    "query parameter in_stock must be true or false, got '" << *v << "'");
    f.in_stock = *v == "true" || *v == "1";
  } else {
    f.in_stock = false;  // similar items: all items unless asked
  }
  if (const std::string* v = query_value(r, "region")) f.region = *v;
  f.categories = query_list(r, "categories");
  f.subclasses = query_list(r, "subclasses");
  f.brands = query_list(r, "brands");
  f.exclude_ids = query_list(r, "exclude_ids");
  for (const char* key : {"price_min", "price_max"})
    if (const std::string* v = query_value(r, key)) {
      double x = 0;
      STARS_CHECK_ARG(parse_double(*v, &x), "query parameter " << key << " must be a number, got '" << *v << "'");
      (std::string(key) == "price_min" ? f.price_min : f.price_max) = x;
    }
  return f;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Router::endpoints() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : kRoutes) out.emplace_back(r.method, r.pattern);
  out.emplace_back("ANY", "unmatched");
  return out;
}

Router::Router(RecommendService& service, std::string api_key)
    : service_(service), api_key_(std::move(api_key)), metrics_(endpoints()) {
  service_.on_encode = [this](double s) { metrics_.observe_encode(s); };
}

bool Router::authorised(const HttpRequest& r) const {
  if (api_key_.empty()) return true;
  auto it = r.headers.find("x-api-key");
  if (it != r.headers.end() && constant_time_equal(it->second, api_key_)) return true;
  it = r.headers.find("authorization");
  return it != r.headers.end() && constant_time_equal(it->second, "Bearer " + api_key_);
}

HttpResponse Router::handle(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  const auto path = segments(request.path);
  std::vector<std::string> params;
  int route = -1;
  std::string allowed;
  for (int i = 0; i < kNumRoutes; ++i) {
    std::vector<std::string> p;
    if (!match(kRoutes[i].pattern, path, &p)) continue;
    if (request.method == kRoutes[i].method || (request.method == "HEAD" && std::string(kRoutes[i].method) == "GET")) {
      route = i;
      params = std::move(p);
      break;
    }
    allowed += (allowed.empty() ? "" : ", ") + std::string(kRoutes[i].method);
  }
  HttpResponse resp;
  if (route < 0) {
    if (!allowed.empty()) {
      resp = error_response(405, "method_not_allowed",
                            request.method + " is not allowed on " + request.path + "; use " + allowed);
      resp.headers.emplace_back("Allow", allowed);
    } else {
      resp = error_response(404, "not_found", "no endpoint " + request.path + " (see GET /openapi.yaml)");
    }
  } else if (kRoutes[route].write && !authorised(request)) {
    resp = error_response(401, "unauthorized", "this endpoint needs the API key (header 'X-API-Key: KEY' or 'Authorization: Bearer KEY')");
    resp.headers.emplace_back("WWW-Authenticate", "Bearer");
  } else {
    try {
      resp = dispatch(route, request, params);
    } catch (const Error& e) {
      switch (e.code()) {
        case ErrorCode::kInvalidArgument: resp = error_response(400, "invalid_argument", user_message(e)); break;
        case ErrorCode::kNotFound: resp = error_response(404, "not_found", user_message(e)); break;
        case ErrorCode::kUnavailable: resp = error_response(503, "unavailable", user_message(e)); break;
        case ErrorCode::kCorrupt: resp = error_response(422, "corrupt", user_message(e)); break;
        default: resp = error_response(500, "internal", user_message(e)); break;
      }
    } catch (const std::exception& e) {
      resp = error_response(500, "internal", e.what());
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.observe(route >= 0 ? route : kNumRoutes, resp.status, secs);
  return resp;
}

std::string Router::metrics_text() {
  std::vector<Gauge> g;
  auto st = service_.state();
  g.push_back({"stars_ready", "1 when a snapshot is loaded.", st ? 1.0 : 0.0, ""});
  if (st) {
    const auto& m = st->snapshot().manifest();
    g.push_back({"stars_snapshot_info", "The snapshot being served (value 1).", 1.0, "snapshot_id=\"" + m.snapshot_id + "\""});
    g.push_back({"stars_snapshot_created_seconds", "Export time of the served snapshot (unix seconds).",
                 static_cast<double>(m.created_at), ""});
    g.push_back({"stars_snapshot_users", "Users in the served snapshot.", static_cast<double>(m.num_users), ""});
    g.push_back({"stars_catalog_items", "Items in the live catalog (snapshot + added).", static_cast<double>(st->catalog().size()), ""});
  }
  g.push_back({"stars_live_sessions", "Live sessions held in process (-1: kept in Redis).",
               static_cast<double>(service_.store().session_count()), ""});
  g.push_back({"stars_snapshot_reloads", "Snapshot loads that succeeded.", static_cast<double>(service_.reloads.load()), ""});
  g.push_back({"stars_snapshot_reload_failures", "Snapshot loads that failed (the old snapshot kept serving).",
               static_cast<double>(service_.reload_failures.load()), ""});
  return metrics_.render(g);
}

HttpResponse Router::dispatch(int route, const HttpRequest& req, const std::vector<std::string>& p) {
  switch (route) {
    case 0: {
      HttpResponse r;
      r.content_type = "text/html; charset=utf-8";
      r.body = web_page_html();
      return r;
    }
    case 1: return json_response(200, simple_json({{"status", "ok"}}));
    case 2: {
      if (!service_.ready()) return error_response(503, "unavailable", "no snapshot loaded yet");
      if (!service_.store().healthy()) return error_response(503, "unavailable", std::string("the ") + service_.store().kind() + " store does not answer");
      return json_response(200, simple_json({{"status", "ready"}, {"snapshot_id", service_.state()->snapshot().manifest().snapshot_id}}));
    }
    case 3: {
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = metrics_text();
      return r;
    }
    case 4: {
      HttpResponse r;
      r.content_type = "application/yaml";
      r.body = openapi_yaml();
      return r;
    }
    case 5: {
      auto st = service_.state();
      if (!st) STARS_THROW(kUnavailable, "no snapshot loaded yet");
      return json_response(200, meta_to_json(*st, service_.store().kind(), service_.store().session_count()));
    }
    case 6: return json_response(200, to_json(service_.recommend(parse_recommend_request(req.body))));
    case 7: {
      const auto batch = parse_recommend_batch(req.body);
      STARS_CHECK_ARG(!batch.empty(), "requests is empty");
      STARS_CHECK_ARG(batch.size() <= static_cast<size_t>(service_.limits().max_batch),
                      "requests holds " << batch.size() << " requests, at most " << service_.limits().max_batch << " are allowed");
      std::vector<RecommendResponse> out;
      for (size_t i = 0; i < batch.size(); ++i) {
        try {
          out.push_back(service_.recommend(batch[i]));
        } catch (const Error& e) {
          throw e.with_context("requests[" + std::to_string(i) + "]");
        }
      }
      return json_response(200, to_json(out));
    }
    case 8: return json_response(200, to_json(service_.record_events(parse_events_request(req.body))));
    case 9: {
      const int64_t offset = query_int(req, "offset", 0), limit = query_int(req, "limit", 20);
      return json_response(200, users_to_json(service_.users(offset, limit), offset));
    }
    case 10: return json_response(200, to_json(service_.user(p[0])));
    case 11: {
      service_.store().clear(p[0]);
      return json_response(200, simple_json({{"user_id", p[0]}, {"session", "cleared"}}));
    }
    case 12: return json_response(200, to_json(service_.item(p[0])));
    case 13: {
      const auto r = service_.put_item(parse_item_put(req.body, p[0]));
      return json_response(r.created ? 201 : 200, to_json(r));
    }
    case 14: {
      service_.update_availability({parse_availability_patch(req.body, p[0])});
      return json_response(200, to_json(service_.item(p[0])));
    }
    case 15: {
      SimilarRequest s;
      s.item_id = p[0];
      s.k = static_cast<int>(std::max<int64_t>(std::min<int64_t>(query_int(req, "k", 10), 1 << 30), -1));
      s.filters = query_filters(req);
      return json_response(200, to_json(service_.similar(s)));
    }
    case 16: {
      const auto updates = parse_availability_batch(req.body);
      service_.update_availability(updates);
      return json_response(200, simple_json({{"updated", std::to_string(updates.size())}}));
    }
    case 17: return json_response(200, to_json(service_.reload(parse_reload_request(req.body))));
  }
  STARS_THROW(kInternal, "route " << route << " has no handler");
}

}  // namespace stars::serve
