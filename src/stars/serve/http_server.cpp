#include "stars/serve/http_server.h"

#include <httplib.h>
#include <omp.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/serve/json_codec.h"

namespace stars::serve {

void HttpOptions::validate() const {
  STARS_CHECK_ARG(!host.empty(), "http.host is empty");
  STARS_CHECK_ARG(port >= 0 && port <= 65535, "http.port must be in [0, 65535], got " << port);
  STARS_CHECK_ARG(threads >= 1 && threads <= 4096, "http.threads must be in [1, 4096], got " << threads);
  STARS_CHECK_ARG(max_body_bytes >= 1024 && max_body_bytes <= (int64_t{1} << 30),
                  "http.max_body_bytes must be in [1024, 1073741824], got " << max_body_bytes);
  STARS_CHECK_ARG(read_timeout_ms >= 1 && write_timeout_ms >= 1, "http timeouts must be >= 1 ms");
  STARS_CHECK_ARG(keep_alive_timeout_s >= 1, "http.keep_alive_timeout_s must be >= 1, got " << keep_alive_timeout_s);
}

struct HttpServer::Impl {
  httplib::Server server;
};

HttpServer::HttpServer(Router& router, HttpOptions options)
    : impl_(std::make_unique<Impl>()), router_(router), options_(std::move(options)) {
  options_.validate();
  auto& s = impl_->server;
  const int threads = options_.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  s.set_read_timeout(options_.read_timeout_ms / 1000, (options_.read_timeout_ms % 1000) * 1000);
  s.set_write_timeout(options_.write_timeout_ms / 1000, (options_.write_timeout_ms % 1000) * 1000);
  s.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  s.set_keep_alive_max_count(100000);
  s.set_payload_max_length(static_cast<size_t>(options_.max_body_bytes));
  s.set_tcp_nodelay(true);

  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    // Parallelism comes from concurrent requests: an OpenMP team inside one request (LibTorch or BLAS in a
    // live re-encoding, FAISS) would only spin against the other request threads on a small machine.
    static thread_local const bool one_openmp_thread = (omp_set_num_threads(1), true);
    (void)one_openmp_thread;
    HttpRequest r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& kv : req.params) r.query[kv.first] = kv.second;
    for (const auto& kv : req.headers) {
      std::string k = kv.first;
      std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
      r.headers[k] = kv.second;
    }
    r.body = req.body;
    HttpResponse out = router_.handle(r);
    res.status = out.status;
    for (const auto& h : out.headers) res.set_header(h.first.c_str(), h.second);
    res.set_content(std::move(out.body), out.content_type.c_str());
  };
  s.Get(".*", handler);
  s.Post(".*", handler);
  s.Put(".*", handler);
  s.Patch(".*", handler);
  s.Delete(".*", handler);
  s.Options(".*", handler);
  // Errors httplib produces itself (oversized body, malformed request line, ...) get a JSON body too.
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string msg = "bad request";
    if (res.status == 413) msg = "the request body is too large";
    else if (res.status == 414) msg = "the request URI is too long";
    else if (res.status == 404) msg = "not found";
    res.set_content(error_json(res.status, res.status == 413 ? "payload_too_large" : "bad_request", msg),
                    "application/json");
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string msg = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      msg = e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(error_json(500, "internal", msg), "application/json");
  });
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
  auto& s = impl_->server;
  if (options_.port == 0) {
    port_ = s.bind_to_any_port(options_.host.c_str());
  } else {
    port_ = s.bind_to_port(options_.host.c_str(), options_.port) ? options_.port : -1;
  }
  if (port_ < 0) STARS_THROW(kUnavailable, "cannot listen on " << options_.host << ":" << options_.port << " (in use?)");
  return port_;
}

void HttpServer::run() {
  STARS_CHECK(port_ >= 0, "HttpServer::run before bind");
  impl_->server.listen_after_bind();
}

void HttpServer::start() {
  if (port_ < 0) bind();
  thread_ = std::thread([this] { run(); });
  for (int i = 0; i < 5000 && !impl_->server.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void HttpServer::stop() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace stars::serve
