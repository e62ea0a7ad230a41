// Prometheus text-format metrics of the service: per endpoint (method + route pattern, so the label set is
// bounded) request counts by status code and a latency histogram, the latency of live re-encodings, and
// gauges supplied at scrape time (snapshot, catalog size, sessions, reloads). Recording is lock-free.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stars::serve {

class LatencyHistogram {
 public:
  // Upper bounds in seconds (Prometheus `le`), shared by every histogram of the service.
  static const std::vector<double>& bounds();
  LatencyHistogram();
  void observe(double seconds);
  // Appends `<name>_bucket{<labels>,le=...}`, `_sum`, `_count` lines.
  void render(const std::string& name, const std::string& labels, std::string* out) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // one per bound (non-cumulative), plus +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_ns_{0};
};

struct Gauge {
  std::string name, help;
  double value = 0.0;
  std::string labels;  // e.g. snapshot_id="abc" (without braces), may be empty
};

class Metrics {
 public:
  // One entry per endpoint: {"POST", "/v1/recommend"}, ...
  explicit Metrics(std::vector<std::pair<std::string, std::string>> endpoints);
  // Index of an endpoint, or -1.
  int endpoint(const std::string& method, const std::string& route) const;
  void observe(int endpoint, int status, double seconds);
  void observe_encode(double seconds) { encode_.observe(seconds); }
  std::string render(const std::vector<Gauge>& gauges) const;

 private:
  static constexpr int kCodes = 14;
  static int code_slot(int status);
  struct Endpoint {
    std::string method, route;
    LatencyHistogram latency;
    std::array<std::atomic<uint64_t>, kCodes> by_code{};
  };
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  LatencyHistogram encode_;
};

}  // namespace stars::serve
