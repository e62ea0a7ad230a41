// The HTTP transport of `stars serve` (cpp-httplib 0.11): a fixed pool of worker threads (each request
// runs on one; searches run concurrently across requests), keep-alive with TCP_NODELAY, read/write and
// idle timeouts, a bounded request body (413 with a JSON error), and every request handed to the Router.
// Binds 127.0.0.1 by default; port 0 picks a free port.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "stars/serve/routes.h"

namespace stars::serve {

struct HttpOptions {
  std::string host = "127.0.0.1";  ///< address to bind; 0.0.0.0 exposes the service beyond this machine
  int port = 8080;                 ///< TCP port, 0 = any free port
  int threads = 64;                ///< worker threads (one per open keep-alive connection), in [1, 4096]
  int64_t max_body_bytes = 1 << 20;  ///< largest request body, bytes, in [1024, 1 << 30]
  int read_timeout_ms = 5000;      ///< a client must send its request within this, ms, >= 1
  int write_timeout_ms = 5000;     ///< sending a response may take this long, ms, >= 1
  int keep_alive_timeout_s = 5;    ///< idle keep-alive connections close after this, s, >= 1

  template <class V>
  void visit(V& v) {
    v("host", host, "address to bind; 0.0.0.0 exposes the service beyond this machine");
    v("port", port, "TCP port, 0 = any free port");
    v("threads", threads, "worker threads (one per open keep-alive connection), in [1, 4096]");
    v("max_body_bytes", max_body_bytes, "largest request body in bytes, in [1024, 1073741824]");
    v("read_timeout_ms", read_timeout_ms, "a client must send its request within this many ms, >= 1");
    v("write_timeout_ms", write_timeout_ms, "sending a response may take this many ms, >= 1");
    v("keep_alive_timeout_s", keep_alive_timeout_s, "idle keep-alive connections close after this many seconds, >= 1");
  }
  void validate() const;
};

class HttpServer {
 public:
  HttpServer(Router& router, HttpOptions options);
  ~HttpServer();
  // Binds the socket; returns the port (useful with port 0). Throws Error(kUnavailable) if it cannot.
  int bind();
  // Serves until stop() (blocking). bind() must have succeeded.
  void run();
  // Runs in a background thread (tests).
  void start();
  void stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Router& router_;
  HttpOptions options_;
  int port_ = -1;
  std::thread thread_;
};

}  // namespace stars::serve
