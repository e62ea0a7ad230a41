// Forward + backward time of the full-catalog softmax loss as `stars train` computes it on CPU (the chunked
// softmax of train/full_softmax.cpp) against the one logit matrix and at::cross_entropy_loss, at a chosen
// shape and for each thread count, in one run:
//
//   bench_softmax [--rows 832] [--items 12101] [--dim 64] [--threads 1,2] [--reps 15] [--chunks 0,...]
//
// Rows are the targets of a step (beauty's cpu preset: ~830), items the catalog. Prints the best and median ms
// of each configuration; `chunk` 0 is the default chunk size. It times the operation alone, with fresh tensors
// each time: inside `stars train`, with the rest of a step around it, the ranking of chunk sizes can differ
// (docs/MODEL.md, "Speed": 1,260-item chunks were faster here and slower in training), so a change to the
// default is measured with bench_train.sh.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/train/full_softmax.h"

int main(int argc, char** argv) {
  using namespace stars;
  try {
    int64_t rows = 832, items = 12101, dim = 64, reps = 15;
    std::string threads_text = "1,2", chunks_text = "0";
    ArgParser p("bench_softmax", "time the chunked full softmax against the logit matrix");
    p.add("rows", &rows, "targets per step");
    p.add("items", &items, "catalog size");
    p.add("dim", &dim, "vector width");
    p.add("reps", &reps, "timed repetitions per configuration");
    p.add("threads", &threads_text, "thread counts, comma-separated");
    p.add("chunks", &chunks_text, "chunk sizes in items, comma-separated (0 = the default)");
    if (!p.parse(argc, argv, 1)) return 0;
    std::vector<int> threads, chunks;
    parse_field_value("--threads", threads_text, threads);
    parse_field_value("--chunks", chunks_text, chunks);
    STARS_CHECK_ARG(reps >= 1 && rows >= 1 && items >= 1 && dim >= 1, "--reps, --rows, --items and --dim must be >= 1");
    for (int t : threads) STARS_CHECK_ARG(t >= 1, "--threads: counts >= 1 expected, got '" << threads_text << "'");
    for (int c : chunks) STARS_CHECK_ARG(c >= 0, "--chunks: sizes >= 0 expected, got '" << chunks_text << "'");

    torch::manual_seed(1);
    const at::Tensor H0 = torch::randn({rows, dim}) * 0.3, E0 = torch::randn({items, dim}) * 0.3;
    const at::Tensor prior = -0.5 * torch::rand({items}).clamp_min(1e-6).log();
    const at::Tensor target = torch::randint(0, items, {rows}, torch::kLong);
    std::printf("rows %lld, items %lld, dim %lld, %lld reps; ms per forward + backward\n", (long long)rows,
                (long long)items, (long long)dim, (long long)reps);
    for (int t : threads) {
      at::set_num_threads(t);
      std::vector<int64_t> configs(chunks.begin(), chunks.end());
      configs.push_back(-1);  // the logit matrix
      for (int64_t chunk : configs) {
        std::vector<double> ms;
        float loss = 0;
        for (int64_t r = 0; r < reps + 2; ++r) {  // two warm-up runs
          at::Tensor H = H0.clone().requires_grad_(true), E = E0.clone().requires_grad_(true);
          const auto start = std::chrono::steady_clock::now();
          at::Tensor l;
          if (chunk >= 0) {
            l = train::chunked_full_softmax_loss(H, E, prior, target, at::Tensor(), at::Tensor(), chunk);
          } else {
            l = at::cross_entropy_loss(at::mm(H, E.t()) + prior, target);
          }
          l.backward();
          const double t_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
          if (r >= 2) ms.push_back(t_ms);
          loss = l.item<float>();
        }
        std::sort(ms.begin(), ms.end());
        std::printf("threads %d  %-22s best %8.2f  median %8.2f  (loss %.5f)\n", t,
                    chunk < 0 ? "logit matrix" : ("chunked, chunk " + std::to_string(chunk)).c_str(), ms.front(),
                    ms[ms.size() / 2], loss);
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_softmax: %s\n", e.what());
    return 1;
  }
}
