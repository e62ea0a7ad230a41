// Writes the load-benchmark world of bench/serve_load.sh as a serving snapshot without a model: random
// 64-dimensional user and item vectors, 10 departments (a one-department filter keeps 10% of items),
// brands, regions, prices, short histories.
//   bench_serve_world --out DIR [--users 100000] [--items 50000] [--dim 64] [--seed 1] [--force]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/serve/random_snapshot.h"
#include "stars/serve/snapshot_writer.h"

int main(int argc, char** argv) {
  stars::serve::RandomSnapshotOptions o;
  o.users = 100000;
  o.items = 50000;
  o.dim = 64;
  std::string out;
  bool force = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--out") out = next();
    else if (a == "--users") o.users = std::atoi(next().c_str());
    else if (a == "--items") o.items = std::atoi(next().c_str());
    else if (a == "--dim") o.dim = std::atoi(next().c_str());
    else if (a == "--seed") o.seed = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--force") force = true;
    else {
      std::fprintf(stderr, "usage: bench_serve_world --out DIR [--users N] [--items N] [--dim D] [--seed S] [--force]\n");
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "--out is required\n");
    return 2;
  }
  try {
    stars::Timer t;
    auto data = stars::serve::make_random_snapshot(o);
    stars::serve::SnapshotWriteOptions w;
    w.overwrite = force;
    w.write_npy = false;
    stars::serve::write_snapshot(out, data, w);
    std::printf("world: %d users, %d items, dim %d -> %s (%.1f s)\n", o.users, o.items, o.dim, out.c_str(), t.seconds());
  } catch (const stars::Error& e) {
    std::fprintf(stderr, "bench_serve_world: %s\n", e.what());
    return 1;
  }
  return 0;
}
