// The HTTP API as a table of routes over RecommendService, independent of the transport: a request
// (method, decoded path, query, headers, body) goes in, a response (status, content type, body) comes
// out, and nothing throws. Errors map to statuses in one place (invalid argument 400, unauthorised 401,
// not found 404, wrong method 405, unavailable 503, corrupt snapshot 422, bug 500), each with a JSON
// body saying what was wrong. Write endpoints need the API key when one is configured.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "stars/serve/metrics.h"
#include "stars/serve/recommend_service.h"

namespace stars::serve {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded, without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class Router {
 public:
  // `api_key` empty = write endpoints are open (the service binds 127.0.0.1 by default).
  Router(RecommendService& service, std::string api_key);

  HttpResponse handle(const HttpRequest& request);
  Metrics& metrics() { return metrics_; }
  // Every (method, route pattern) the router serves.
  static std::vector<std::pair<std::string, std::string>> endpoints();

 private:
  HttpResponse dispatch(int route, const HttpRequest& request, const std::vector<std::string>& params);
  bool authorised(const HttpRequest& request) const;
  std::string metrics_text();

  RecommendService& service_;
  std::string api_key_;
  Metrics metrics_;
};

// The OpenAPI 3 description of this API (docs/openapi.yaml, compiled in).
const std::string& openapi_yaml();

}  // namespace stars::serve
