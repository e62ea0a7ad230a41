// Time of one encoder block's attention on CPU as the model computes it (attention_cpu: one kernel per (sequence,
// head) pair, model/detail/attention_cpu.h) against the written ATen ops (masked_attention: batched products,
// mask, softmax, dropout), at a chosen shape, with and without a backward, for each thread count, in one run:
//
//   bench_attention [--rows 128] [--slots 50] [--heads 2] [--head-dim 32] [--dropout 0.3] [--threads 1,2] [--reps 15]
//
// The mask is the STARS mask ([USER], slots, [USER*]; L = slots + 2) with 10% of the slots padding. Training
// batches of beauty's cpu preset are shorter than max_len (bucketed by length), so the share of attention in a
// step is smaller than full-length rows suggest. Prints the best and median ms of each configuration.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/model/compute_threads.h"
#include "stars/model/stars_net.h"

int main(int argc, char** argv) {
  using namespace stars;
  try {
    int64_t rows = 128, slots = 50, heads = 2, head_dim = 32, reps = 15;
    double dropout = 0.3;
    std::string threads_text = "1,2";
    ArgParser p("bench_attention", "time the CPU attention kernel against the written ATen ops");
    p.add("rows", &rows, "sequences per batch");
    p.add("slots", &slots, "history slots per sequence (L = slots + 2)");
    p.add("heads", &heads, "attention heads");
    p.add("head-dim", &head_dim, "width per head");
    p.add("dropout", &dropout, "attention dropout in the timed training passes");
    p.add("reps", &reps, "timed repetitions per configuration");
    p.add("threads", &threads_text, "thread counts, comma-separated");
    if (!p.parse(argc, argv, 1)) return 0;
    STARS_CHECK_ARG(rows >= 1 && slots >= 1 && heads >= 1 && head_dim >= 1 && reps >= 1,
                    "--rows, --slots, --heads, --head-dim and --reps must be >= 1");
    STARS_CHECK_ARG(dropout >= 0.0 && dropout < 1.0, "--dropout must be in [0, 1), got " << dropout);
    std::vector<int> threads;
    parse_field_value("--threads", threads_text, threads);
    for (int t : threads) STARS_CHECK_ARG(t >= 1, "--threads: counts >= 1 expected, got '" << threads_text << "'");

    torch::manual_seed(1);
    const int64_t L = slots + 2, D = heads * head_dim;
    const at::Tensor allowed = model::stars_attention_mask(torch::rand({rows, slots}).gt(0.1), true);
    const at::Tensor y0 = torch::randn({rows, L, 3 * D}), w = torch::randn({rows, L, D});
    std::printf("rows %lld, L %lld, heads %lld x %lld, dropout %.2f, %lld reps; ms per call\n", (long long)rows, (long long)L,
                (long long)heads, (long long)head_dim, dropout, (long long)reps);
    for (int t : threads) {
      model::set_compute_threads(t);
      for (const bool train : {false, true}) {
        double best[2] = {0, 0}, median[2] = {0, 0};
        for (int kernel = 1; kernel >= 0; --kernel) {
          std::vector<double> ms;
          model::DropoutSource source;
          source.reseed(7);
          for (int64_t r = 0; r < reps + 2; ++r) {  // two warm-up runs
            at::Tensor y = train ? y0.clone().requires_grad_(true) : y0;
            torch::AutoGradMode grad(train);
            const auto start = std::chrono::steady_clock::now();
            at::Tensor o;
            if (kernel) {
              o = model::attention_cpu(y, heads, allowed, dropout, train, &source);
            } else {
              const at::Tensor yh = y.view({rows, L, 3, heads, head_dim}).permute({2, 0, 3, 1, 4});
              o = model::masked_attention(yh[0], yh[1], yh[2], allowed, dropout, train, &source).transpose(1, 2).reshape({rows, L, D});
            }
            if (train) (o * w).sum().backward();
            const double t_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            if (r >= 2) ms.push_back(t_ms);
          }
          std::sort(ms.begin(), ms.end());
          best[kernel] = ms.front();
          median[kernel] = ms[ms.size() / 2];
        }
        std::printf("threads %d  %-18s kernel best %8.2f median %8.2f | written ops best %8.2f median %8.2f | %.2fx\n", t,
                    train ? "forward + backward" : "forward (no grad)", best[1], median[1], best[0], median[0], median[0] / median[1]);
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_attention: %s\n", e.what());
    return 1;
  }
}
