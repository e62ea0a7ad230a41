#include "stars/serve/metrics.h"

#include <cmath>
#include <cstdio>

namespace stars::serve {
namespace {
constexpr int kStatusCodes[] = {200, 201, 204, 400, 401, 404, 405, 409, 413, 415, 429, 500, 503};

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}
}  // namespace

const std::vector<double>& LatencyHistogram::bounds() {
  static const std::vector<double> b = {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01,
                                        0.025,  0.05,    0.1,    0.25,  0.5,   1.0,   2.5};
  return b;
}

LatencyHistogram::LatencyHistogram() : buckets_(new std::atomic<uint64_t>[bounds().size() + 1]) {
  for (size_t i = 0; i <= bounds().size(); ++i) buckets_[i].store(0);
}

void LatencyHistogram::observe(double seconds) {
  const auto& b = bounds();
  size_t i = 0;
  while (i < b.size() && seconds > b[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e9), std::memory_order_relaxed);
}

void LatencyHistogram::render(const std::string& name, const std::string& labels, std::string* out) const {
  const auto& b = bounds();
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cum = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    cum += buckets_[i].load(std::memory_order_relaxed);
    *out += name + "_bucket{" + labels + sep + "le=\"" + fmt(b[i]) + "\"} " + std::to_string(cum) + "\n";
  }
  cum += buckets_[b.size()].load(std::memory_order_relaxed);
  *out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(cum) + "\n";
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  *out += name + "_sum" + braces + " " + fmt(sum_ns_.load(std::memory_order_relaxed) * 1e-9) + "\n";
  *out += name + "_count" + braces + " " + std::to_string(cum) + "\n";
}

Metrics::Metrics(std::vector<std::pair<std::string, std::string>> endpoints) {
  for (auto& e : endpoints) {
    auto ep = std::make_unique<Endpoint>();
    ep->method = e.first;
    ep->route = e.second;
    for (auto& c : ep->by_code) c.store(0);
    endpoints_.push_back(std::move(ep));
  }
}

int Metrics::endpoint(const std::string& method, const std::string& route) const {
  for (size_t i = 0; i < endpoints_.size(); ++i)
    if (endpoints_[i]->method == method && endpoints_[i]->route == route) return static_cast<int>(i);
  return -1;
}

int Metrics::code_slot(int status) {
  for (int i = 0; i < static_cast<int>(sizeof(kStatusCodes) / sizeof(int)); ++i)
    if (kStatusCodes[i] == status) return i;
  return kCodes - 1;  // "other"
}

void Metrics::observe(int endpoint, int status, double seconds) {
  if (endpoint < 0 || endpoint >= static_cast<int>(endpoints_.size())) return;
  Endpoint& e = *endpoints_[endpoint];
  e.by_code[code_slot(status)].fetch_add(1, std::memory_order_relaxed);
  e.latency.observe(seconds);
}

std::string Metrics::render(const std::vector<Gauge>& gauges) const {
  std::string out;
  out += "# HELP stars_http_requests_total HTTP requests by endpoint and status code.\n";
  out += "# TYPE stars_http_requests_total counter\n";
  for (const auto& e : endpoints_)
    for (int c = 0; c < kCodes; ++c) {
      const uint64_t v = e->by_code[c].load(std::memory_order_relaxed);
      if (v == 0) continue;
      const std::string code = c < kCodes - 1 ? std::to_string(kStatusCodes[c]) : "other";
      out += "stars_http_requests_total{method=\"" + e->method + "\",route=\"" + e->route + "\",code=\"" + code +
             "\"} " + std::to_string(v) + "\n";
    }
  out += "# HELP stars_http_request_duration_seconds Time from request parsed to response ready, by endpoint.\n";
  out += "# TYPE stars_http_request_duration_seconds histogram\n";
  for (const auto& e : endpoints_)
    e->latency.render("stars_http_request_duration_seconds",
                      "method=\"" + e->method + "\",route=\"" + e->route + "\"", &out);
  out += "# HELP stars_live_encode_duration_seconds Encoding a user with the model at request time (history plus live "
         "events, or a new user's user_features).\n";
  out += "# TYPE stars_live_encode_duration_seconds histogram\n";
  encode_.render("stars_live_encode_duration_seconds", "", &out);
  std::string last;
  for (const auto& g : gauges) {
    if (g.name != last) {
      out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n";
      last = g.name;
    }
    out += g.name + (g.labels.empty() ? "" : "{" + g.labels + "}") + " " + fmt(g.value) + "\n";
  }
  return out;
}

}  // namespace stars::serve
