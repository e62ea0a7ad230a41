// `stars serve --snapshot SNAP`: the HTTP/JSON recommendation service (serve/ module) with the model's
// encoder (live sessions, context offsets, new items) loaded from the snapshot. SIGHUP reloads the
// snapshot directory and swaps it in atomically; SIGINT/SIGTERM stop the service after in-flight requests.
// Signals go through a self-pipe: libraries (OpenBLAS, OpenMP) start threads before main, so blocking
// signals for sigwait cannot cover every thread, but a handler runs in whichever thread gets the signal.
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "stars/cli/commands.h"
#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/model/encoder.h"
#include "stars/serve/blas_threads.h"
#include "stars/serve/http_server.h"
#include "stars/serve/memory_store.h"
#include "stars/serve/redis_store.h"
#include "stars/serve/routes.h"
#include "stars/serve/semantic_content_embedder.h"
#include "stars/serve/serve_config.h"

namespace stars::cli {
namespace {

int g_signal_pipe[2] = {-1, -1};

extern "C" void on_signal(int sig) {
  const unsigned char b = static_cast<unsigned char>(sig);
  const int saved = errno;
  [[maybe_unused]] ssize_t n = write(g_signal_pipe[1], &b, 1);  // async-signal-safe
  errno = saved;
}

void install_signal_handlers() {
  if (pipe(g_signal_pipe) != 0) STARS_THROW(kIo, "cannot create the signal pipe");
  fcntl(g_signal_pipe[1], F_SETFL, O_NONBLOCK);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGHUP, SIGINT, SIGTERM}) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client closing early must not kill the service
}

// Blocks until a signal arrives; returns it (or -1 when the pipe is closed).
int next_signal() {
  unsigned char b = 0;
  while (true) {
    const ssize_t n = read(g_signal_pipe[0], &b, 1);
    if (n == 1) return b;
    if (n < 0 && errno == EINTR) continue;
    return -1;
  }
}

}  // namespace

int run_serve(int argc, char** argv) {
  std::string snapshot, redis_url, api_key, config_file;
  std::vector<std::string> sets;
  serve::ServeConfig cfg;
  std::string host = cfg.http.host;
  int port = cfg.http.port, threads = cfg.http.threads;
  ArgParser p("serve", "serve recommendations over HTTP/JSON from a snapshot");
  p.add("snapshot", &snapshot, "snapshot directory (stars export --out)", true);
  p.add("host", &host, "address to bind (0.0.0.0 exposes the service; set --api-key then)");
  p.add("port", &port, "TCP port, 0 = any free port (printed)");
  p.add("threads", &threads, "HTTP worker threads");
  p.add("redis", &redis_url, "keep user vectors and live sessions in Redis (redis://host:port/db) to share them across replicas");
  p.add("api-key", &api_key, "require this key (X-API-Key or Authorization: Bearer) on write endpoints; default $STARS_API_KEY");
  p.add("config", &config_file, "JSON file with service settings (see --set keys below)");
  p.add_multi("set", &sets, "override a setting: key=value (e.g. index.kind=hnsw)");
  p.set_epilog("settings (--set key=value):\n" + config_help(cfg) +
               "\nendpoints: see docs/openapi.yaml or GET /openapi.yaml; explorer page at GET /\n"
               "signals: SIGHUP reloads the snapshot directory; SIGINT/SIGTERM stop.\n"
               "example:\n  stars serve --snapshot snap --port 8080\n"
               "  curl -s localhost:8080/v1/recommend -d '{\"user_id\": \"u1\", \"k\": 5}'\n");
  if (!p.parse(argc, argv)) return 0;
  if (!config_file.empty()) config_from_json(JsonObject::parse(read_text_file(config_file), config_file), cfg, config_file);
  for (const auto& s : sets) config_apply_set(cfg, s);
  if (p.given("host")) cfg.http.host = host;
  if (p.given("port")) cfg.http.port = port;
  if (p.given("threads")) cfg.http.threads = threads;
  cfg.validate();
  if (api_key.empty())
    if (const char* k = std::getenv("STARS_API_KEY")) api_key = k;
  if (cfg.http.host != "127.0.0.1" && cfg.http.host != "localhost" && api_key.empty())
    STARS_WARN("serving on " << cfg.http.host << " without --api-key: anyone who can reach it may change the catalog");

  install_signal_handlers();
  // Many request threads: cap glibc's per-thread malloc arenas so freed memory is reused, not scattered.
  mallopt(M_ARENA_MAX, 4);
  serve::limit_blas_threads(1);  // one request per thread; BLAS must not fan out and spin

  std::unique_ptr<serve::SessionStore> store;
  if (!redis_url.empty()) store = std::make_unique<serve::RedisStore>(redis_url, cfg.sessions, cfg.redis_prefix, cfg.redis_timeout_ms);
  else store = std::make_unique<serve::MemoryStore>(cfg.sessions);
  serve::EncoderLoader encoder_loader;
#ifdef STARS_WITH_MODEL
  const int encoder_threads = cfg.encoder_threads;
  encoder_loader = [encoder_threads](const std::string& dir) { return model::load_encoder(dir, encoder_threads); };
#endif
  serve::StateOptions state;
  state.index = cfg.index;
  state.context_quantum_s = cfg.context_quantum_s;
  state.verify_checksums = cfg.verify_checksums;
  serve::RecommendService service(state, cfg.limits, std::move(store), encoder_loader,
                                 serve::load_semantic_content_embedder, cfg.popularity);
  service.load(snapshot);
  serve::Router router(service, api_key);
  serve::HttpServer server(router, cfg.http);
  const int bound = server.bind();
  STARS_INFO("configuration: " << config_to_json(cfg).dump(-1));
  std::printf("stars serve: listening on http://%s:%d (snapshot %s, store %s%s)\n", cfg.http.host.c_str(), bound,
              service.state()->snapshot().manifest().snapshot_id.c_str(), service.store().kind(),
              api_key.empty() ? "" : ", API key required for writes");
  std::fflush(stdout);

  std::thread signal_thread([&] {
    while (true) {
      const int sig = next_signal();
      if (sig == SIGHUP) {
        try {
          service.reload();
        } catch (const Error& e) {
          STARS_WARN("reload failed, still serving the previous snapshot: " << e.what());
        }
        continue;
      }
      if (sig > 0) STARS_INFO("signal " << sig << ": stopping");
      server.stop();
      return;
    }
  });
  server.run();
  server.stop();
  on_signal(0);  // wakes the signal thread if the server stopped on its own
  signal_thread.join();
  return 0;
}

}  // namespace stars::cli
