// bench_eval_speed --data DS [--threads N] [--dim D]: how long full-catalog leave-one-out evaluation takes
// on a prepared dataset, split into its parts. A synthetic two-list encoder (random item vectors of width
// D; h_gen = mean of the history's vectors, h_next = the last item's) stands in for a trained model, so
// the numbers measure the harness (encoder input building, sgemm scoring, ranks, top lists, interleave)
// and the summary (metrics, bootstrap intervals, paired tests), not the network. Prints wall and CPU seconds.
#include <sys/resource.h>

#include <cstdio>
#include <vector>

#include "stars/core/args.h"
#include "stars/core/log.h"
#include "stars/core/random.h"
#include "stars/core/thread_pool.h"
#include "stars/data/dataset.h"
#include "stars/eval/encoder_scorer.h"
#include "stars/eval/harness.h"
#include "stars/eval/mips.h"
#include "stars/eval/popularity.h"
#include "stars/eval/summarize.h"

namespace {

double cpu_seconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

class SyntheticEncoder : public stars::model::Encoder {
 public:
  SyntheticEncoder(int32_t n, int d) : n_(n), d_(d), items_(static_cast<size_t>(n) * d) {
    stars::Rng rng(1);
    for (auto& v : items_) v = static_cast<float>(rng.normal());
  }
  int dim() const override { return d_; }
  int32_t num_items() const override { return n_; }
  void encode(const stars::model::EncoderInput* in, size_t n, float* g, float* x) const override {
    for (size_t r = 0; r < n; ++r) {
      std::fill(g + r * d_, g + (r + 1) * d_, 0.0f);
      std::fill(x + r * d_, x + (r + 1) * d_, 0.0f);
      const auto& ev = in[r].events;
      for (const auto& e : ev)
        for (int j = 0; j < d_; ++j) g[r * d_ + j] += items_[static_cast<size_t>(e.item) * d_ + j] / ev.size();
      if (!ev.empty())
        for (int j = 0; j < d_; ++j) x[r * d_ + j] = items_[static_cast<size_t>(ev.back().item) * d_ + j];
    }
  }
  void item_vectors(float* out) const override { std::copy(items_.begin(), items_.end(), out); }
  int32_t set_item_content(int32_t item, const float*, const int32_t*, size_t, float* out) override {
    std::copy(items_.begin() + static_cast<size_t>(item) * d_, items_.begin() + static_cast<size_t>(item + 1) * d_, out);
    return item;
  }
  void context_offset(const stars::model::ServingContext&, float* out) const override { std::fill(out, out + d_, 0.0f); }

 private:
  int32_t n_;
  int d_;
  std::vector<float> items_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace stars;
  std::string data;
  int threads = default_num_threads(), dim = 64;
  ArgParser args("bench_eval_speed", "Time full-catalog leave-one-out evaluation on a prepared dataset.");
  args.add("data", &data, "prepared dataset directory", true);
  args.add("threads", &threads, "worker threads");
  args.add("dim", &dim, "width of the synthetic encoder's vectors");
  try {
    if (!args.parse(argc, argv, 1)) return 0;
    set_log_level(LogLevel::kWarn);
    eval::set_blas_threads(threads);
    const auto ds = data::Dataset::open(data);
    eval::EvalConfig config;
    Timer t;
    double c0 = cpu_seconds();
    const eval::QuerySet qs = eval::build_queries(*ds, eval::Protocol::kLeaveOneOut, config);
    std::printf("dataset %s: %d users, %d items; %zu queries; %d threads\n", data.c_str(), ds->num_users(),
                ds->num_items(), qs.queries.size(), threads);
    std::printf("%-34s %8.3f s wall %8.3f s cpu\n", "build queries", t.seconds(), cpu_seconds() - c0);

    SyntheticEncoder enc(ds->num_items(), dim);
    eval::EncoderScorer sc(*ds, enc, "synthetic", nullptr, threads);
    t.reset();
    c0 = cpu_seconds();
    const eval::ScorerRanks r_enc = eval::rank_queries(*ds, qs, sc, config, threads);
    const double w_enc = t.seconds(), c_enc = cpu_seconds() - c0;
    std::printf("%-34s %8.3f s wall %8.3f s cpu  (%.0f queries/s; encoder %.3f s)\n",
                ("two-list MIPS d=" + std::to_string(dim) + " + interleave").c_str(), w_enc, c_enc,
                qs.queries.size() / w_enc, sc.encode_seconds());

    eval::PopularityScorer pop(*ds, false, config.popularity, threads);
    t.reset();
    c0 = cpu_seconds();
    const eval::ScorerRanks r_pop = eval::rank_queries(*ds, qs, pop, config, threads);
    std::printf("%-34s %8.3f s wall %8.3f s cpu\n", "popularity (one list)", t.seconds(), cpu_seconds() - c0);

    t.reset();
    c0 = cpu_seconds();
    const eval::RunResult run = eval::summarize_run(*ds, qs, {r_enc, r_pop}, config);
    std::printf("%-34s %8.3f s wall %8.3f s cpu  (%d bootstrap samples, %d sign flips, %zu comparisons)\n",
                "summary: metrics, intervals, tests", t.seconds(), cpu_seconds() - c0, config.bootstrap_samples,
                config.permutation_samples, run.comparisons.size());
    std::printf("check: synthetic h_next recall@10 %.4f, popularity recall@10 %.4f\n",
                run.models[0].strategy("h_next")->metrics.at("recall@10").value,
                run.models[1].strategies[0].metrics.at("recall@10").value);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_eval_speed: %s\n", e.what());
    return 1;
  }
  return 0;
}
