// `stars`: the one command-line program. Dispatches to a subcommand and maps errors to exit codes
// (2: invalid argument, 3: not found, 4: corrupt input, 1: anything else).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "stars/cli/commands.h"
#include "stars/core/error.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int, char**);
};

const Command kCommands[] = {
    {"synth", "generate a synthetic grocery world (native CSV files) with known structure", stars::cli::run_synth},
    {"prepare", "read raw data (native CSV/JSONL, RecBole, sequences, MovieLens) into a prepared dataset", stars::cli::run_prepare},
    {"stats", "print the statistics of a prepared dataset", stars::cli::run_stats},
    {"enrich", "compute item text embeddings and attribute tags (semantic item tokens)", stars::cli::run_enrich},
    {"train", "train the STARS transformer", stars::cli::run_train},
    {"eval", "evaluate models and baselines; write metrics.json and report.html", stars::cli::run_eval},
    {"export", "write a serving snapshot of user and item vectors", stars::cli::run_export},
    {"serve", "serve recommendations over HTTP/JSON", stars::cli::run_serve},
};

void print_usage() {
  std::printf("usage: stars <command> [options]\n\nSTARS: semantic tokens with augmented representations for recommendation.\n\ncommands:\n");
  for (const auto& c : kCommands) std::printf("  %-9s %s\n", c.name, c.summary);
  std::printf("\nRun 'stars <command> --help' for the options of a command.\n");
}

// OpenBLAS 0.3.21 (Debian 12) does not recognise some virtualised Xeons (cpuid name "Intel Xeon
// Processor") and falls back to its Prescott SSE3 kernels: a 512x512 sgemm ran at 11 GFLOPS instead of
// 59 with the SkylakeX kernels (measured here through python3-torch). It reads OPENBLAS_CORETYPE only
// when the library is loaded, before main, so for the commands that do dense linear algebra we set it
// and re-execute once. STARS_KEEP_BLAS_CORE=1 or an explicit OPENBLAS_CORETYPE disables this.
void select_openblas_kernels(const char* command, char** argv) {
  static const char* kHeavy[] = {"train", "eval", "enrich", "export", "serve"};
  bool heavy = false;
  for (const char* h : kHeavy) heavy = heavy || std::strcmp(command, h) == 0;
  if (!heavy || std::getenv("OPENBLAS_CORETYPE") != nullptr || std::getenv("STARS_KEEP_BLAS_CORE") != nullptr) return;
  __builtin_cpu_init();
  const char* core = __builtin_cpu_supports("avx512f") ? "SkylakeX" : __builtin_cpu_supports("avx2") ? "Haswell" : nullptr;
  if (core == nullptr) return;
  setenv("OPENBLAS_CORETYPE", core, 1);
  execv("/proc/self/exe", argv);  // returns only on failure: continue with the default kernels
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("stars 0.1.0\n");
    return 0;
  }
  for (const auto& c : kCommands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    select_openblas_kernels(c.name, argv);
    try {
      return c.run(argc, argv);
    } catch (const stars::Error& e) {
      std::fprintf(stderr, "stars %s: error: %s\n", c.name, e.what());
      return stars::exit_status(e.code());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "stars %s: internal error: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "stars: unknown command '%s'\n\n", argv[1]);
  print_usage();
  return 2;
}
