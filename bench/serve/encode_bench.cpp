// Cost of live re-encoding with a trained model (the live-session path of `stars serve`): encodes users
// of a snapshot with their history window plus one live event, one user per call and in batches, on one
// LibTorch thread, and prints milliseconds per user.
//   bench_serve_encode --snapshot SNAP [--users 200] [--threads 1]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/model/encoder.h"
#include "stars/serve/blas_threads.h"
#include "stars/serve/live_input.h"
#include "stars/serve/serving_state.h"

int main(int argc, char** argv) {
  std::string snapshot;
  int users = 200, threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--snapshot") snapshot = argv[i + 1];
    else if (a == "--users") users = std::atoi(argv[i + 1]);
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
  }
  if (snapshot.empty()) {
    std::fprintf(stderr, "usage: bench_serve_encode --snapshot SNAP [--users N] [--threads T]\n");
    return 2;
  }
  try {
    using namespace stars;
    if (std::getenv("STARS_BLAS_FANOUT") == nullptr) serve::limit_blas_threads(1);
    auto state = serve::ServingState::load(
        snapshot, {}, [threads](const std::string& dir) { return model::load_encoder(dir, threads); }, nullptr);
    const auto& snap = state->snapshot();
    users = std::min(users, snap.num_users());
    std::vector<model::EncoderInput> inputs;
    {
      auto view = state->catalog().read();
      for (int32_t u = 0; u < users; ++u) {
        serve::SessionEvent e;
        e.item_id = std::string(snap.item_raw_id(u % snap.num_items()));
        inputs.push_back(serve::build_live_input(*state, view, u, {e}, 0, nullptr));
      }
    }
    size_t events = 0;
    for (const auto& in : inputs) events += in.events.size();
    std::printf("snapshot %s: %d users, mean %.1f events in the window, dim %d, %d LibTorch thread(s)\n",
                snap.manifest().snapshot_id.c_str(), users, static_cast<double>(events) / users, snap.dim(), threads);
    std::vector<float> g(static_cast<size_t>(users) * snap.dim()), n(g.size());
    state->encode(inputs[0], g.data(), n.data());  // warm up
    for (int batch : {1, 4, 16, 64}) {
      Timer t;
      std::vector<model::EncoderInput> b;
      for (int32_t u0 = 0; u0 < users; u0 += batch) {
        const int32_t u1 = std::min(users, u0 + batch);
        b.assign(inputs.begin() + u0, inputs.begin() + u1);
        // ServingState::encode takes one input; batches go straight to a fresh encoder call below.
        if (batch == 1) state->encode(b[0], g.data(), n.data());
        else {
          static auto enc = model::load_encoder(snap.model_dir(), threads);
          enc->encode(b.data(), b.size(), g.data(), n.data());
        }
      }
      std::printf("batch %3d: %.3f ms per user\n", batch, t.seconds() * 1e3 / users);
    }
  } catch (const stars::Error& e) {
    std::fprintf(stderr, "bench_serve_encode: %s\n", e.what());
    return 1;
  }
  return 0;
}
