// The resolved configuration of `stars serve`: transport, search index, request limits, session store
// and context cache, each a struct with visit() + validate(); `--config FILE` (JSON) and `--set k=v`
// override the defaults, and the service prints the resolved JSON at start.
#pragma once

#include <string>

#include "stars/index/index_config.h"
#include "stars/serve/http_server.h"
#include "stars/serve/recommend_service.h"
#include "stars/serve/session_store.h"

namespace stars::serve {

struct ServeConfig {
  HttpOptions http;
  index::IndexConfig index;
  ServiceLimits limits;
  StoreLimits sessions;
  PopularityOptions popularity;
  int context_quantum_s = 3600;   ///< request times are rounded down to this for the context-offset cache, in [1, 3600]
  bool verify_checksums = true;   ///< check every column checksum when loading a snapshot
  std::string redis_prefix = "stars";  ///< key prefix in Redis
  int redis_timeout_ms = 500;     ///< Redis connect and command timeout, ms, >= 1
  int encoder_threads = 1;        ///< LibTorch threads of the live-session encoder, >= 1

  template <class V>
  void visit(V& v) {
    v("http", http, "HTTP transport");
    v("index", index, "search index over item vectors");
    v("limits", limits, "request size limits");
    v("sessions", sessions, "live sessions");
    v("popularity", popularity, "popularity for users without a usable vector");
    v("context_quantum_s", context_quantum_s, "request times are rounded down to this for the context-offset cache, seconds, in [1, 3600] (the model's time features are hour, day of week and week, so 3600 loses nothing)");
    v("verify_checksums", verify_checksums, "check every column checksum when loading a snapshot");
    v("redis_prefix", redis_prefix, "key prefix in Redis");
    v("redis_timeout_ms", redis_timeout_ms, "Redis connect and command timeout in ms, >= 1");
    v("encoder_threads", encoder_threads, "LibTorch threads of the live-session encoder, >= 1");
  }
  void validate() const;
};

}  // namespace stars::serve
