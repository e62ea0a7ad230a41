// `stars train`: trains the STARS model on a prepared dataset (paper §4) and writes a model directory
// (config.json, features.tbl, weights.tbl, checkpoint.tbl, train_log.jsonl, metrics.json).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "stars/cli/commands.h"
#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/core/thread_pool.h"
#include "stars/train/train_config.h"
#include "stars/train/trainer.h"

namespace stars::cli {

namespace {

// A TCP port of 127.0.0.1 that is free now (the OS picks it).
int free_local_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  STARS_CHECK(fd >= 0, "socket() failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(fd);
  if (!ok) STARS_THROW(kIo, "--nproc: could not find a free TCP port on 127.0.0.1 for the rendezvous; give one with --dist-addr");
  return ntohs(a.sin_port);
}

// Starts ranks 1..world-1 of `stars train` as child processes: the same command line plus --rank and
// --dist-addr. They end with this process (PR_SET_PDEATHSIG).
std::vector<pid_t> start_ranks(int argc, char** argv, int world, const std::string& addr) {
  std::vector<pid_t> kids;
  const pid_t parent = getpid();
  for (int r = 1; r < world; ++r) {
    std::vector<std::string> args(argv, argv + argc);
    args.insert(args.end(), {"--rank", std::to_string(r), "--dist-addr", addr});
    const pid_t pid = fork();
    if (pid < 0) {
      for (pid_t k : kids) kill(k, SIGTERM);
      STARS_THROW(kIo, "--nproc: could not start rank " << r << " (fork failed)");
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);
      std::vector<char*> cargs;
      for (auto& a : args) cargs.push_back(a.data());
      cargs.push_back(nullptr);
      execv("/proc/self/exe", cargs.data());
      std::fprintf(stderr, "stars train: could not start rank %d (execv failed)\n", r);
      _exit(127);
    }
    kids.push_back(pid);
  }
  return kids;
}

// Waits for the child ranks; "" when all ended well, otherwise what went wrong with the first that did not.
std::string wait_ranks(const std::vector<pid_t>& kids) {
  std::string failed;
  for (size_t i = 0; i < kids.size(); ++i) {
    int status = 0;
    if (waitpid(kids[i], &status, 0) < 0) continue;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok || !failed.empty()) continue;
    failed = "rank " + std::to_string(i + 1) + (WIFEXITED(status) ? " exited with code " + std::to_string(WEXITSTATUS(status))
                                                                  : " was killed by signal " + std::to_string(WTERMSIG(status)));
  }
  return failed;
}

}  // namespace

int run_train(int argc, char** argv) {
  std::string data, out, preset = "cpu", config_file, device, init_from;
  std::vector<std::string> sets, ablations;
  bool resume = false, quiet = false, print_config = false;
  std::string dist_addr;
  int epochs = 0, threads = 0, stop_after = 0, nproc = 0, rank = -1;
  ArgParser p("train", "train the STARS transformer on a prepared dataset");
  p.add("data", &data, "prepared dataset directory (enriched with stars enrich for text and tags)", true);
  p.add("out", &out, "model directory to write", true);
  p.add("preset", &preset, "starting configuration: cpu (default), paper (GPU sizes), sasrec (ID-only baseline), tiny");
  p.add("config", &config_file, "JSON file {\"model\": {...}, \"train\": {...}} applied over the preset");
  p.add_multi("set", &sets, "override one key, e.g. --set train.lr=0.002 --set model.d_model=128");
  p.add_multi("ablate", &ablations, "switch a mechanism off, after --config and --set: " + join(train::ablation_names(), ", "));
  p.add("epochs", &epochs, "shortcut for --set train.epochs=N");
  p.add("threads", &threads, "shortcut for --set train.threads=N (torch intra-op threads)");
  p.add("device", &device, "shortcut for --set train.device=cpu|cuda|auto");
  p.add("init-from", &init_from, "shortcut for --set train.init_from=DIR: warm start from a model trained on earlier data");
  p.add("nproc", &nproc, "data-parallel training in N processes on this machine (sets train.world_size=N; each runs --threads, by default its share of the cores)");
  p.add("rank", &rank, "run one process of a data-parallel group started by hand (e.g. on several machines): its rank, 0..train.world_size-1");
  p.add("dist-addr", &dist_addr, "HOST:PORT where rank 0 serves the data-parallel rendezvous (default 127.0.0.1 and, with --nproc, a free port; 29500 with --rank)");
  p.add("stop-after-epochs", &stop_after, "end this invocation after N epochs (continue later with --resume)");
  p.add_flag("resume", &resume, "continue the run in --out from its last checkpoint (same configuration)");
  p.add_flag("print-config", &print_config, "print the resolved configuration and exit");
  p.add_flag("quiet", &quiet, "no progress bar or per-epoch lines");
  p.set_epilog("Configuration keys (defaults of the cpu preset):\n" + config_help(train::stars_preset("cpu")));
  if (!p.parse(argc, argv)) return 0;

  train::StarsConfig cfg = train::stars_preset(preset);
  if (!config_file.empty()) {
    try {
      config_from_json(JsonObject::parse(read_text_file(config_file), config_file), cfg, config_file);
    } catch (const Error& e) {
      throw e.with_context("reading --config " + config_file);
    }
  }
  for (const auto& s : sets) config_apply_set(cfg, s);
  // Ablations last, so that a --set of the same key (train.subclass_negatives=4) cannot undo one.
  for (const auto& a : ablations) train::apply_ablation(&cfg, a);
  if (epochs > 0) cfg.train.epochs = epochs;
  if (threads > 0) cfg.train.threads = threads;
  if (!device.empty()) cfg.train.device = device;
  if (!init_from.empty()) cfg.train.init_from = init_from;
  STARS_CHECK_ARG(nproc >= 0, "--nproc must be >= 1, got " << nproc);
  if (nproc > 0) cfg.train.world_size = nproc;
  const int world = cfg.train.world_size;
  STARS_CHECK_ARG(rank >= -1 && rank < world, "--rank " << rank << " is outside the data-parallel group of train.world_size=" << world);
  STARS_CHECK_ARG(world == 1 || nproc > 0 || rank >= 0,
                  "train.world_size=" << world << ": start the processes with --nproc " << world << ", or start each with --rank R (and --dist-addr HOST:PORT of rank 0)");
  // Each local process gets its share of the cores unless --threads says otherwise.
  if (nproc > 1 && cfg.train.threads == 0) cfg.train.threads = std::max(1, default_num_threads() / nproc);
  std::string host = "127.0.0.1";
  int port = 0;
  if (!dist_addr.empty()) {
    const size_t colon = dist_addr.rfind(':');
    STARS_CHECK_ARG(colon != std::string::npos && colon > 0, "--dist-addr " << dist_addr << ": expected HOST:PORT");
    host = dist_addr.substr(0, colon);
    int64_t v = 0;
    STARS_CHECK_ARG(parse_int64(dist_addr.substr(colon + 1), &v) && v > 0 && v < 65536,
                    "--dist-addr " << dist_addr << ": the port must be a number in [1, 65535]");
    port = static_cast<int>(v);
  }
  if (rank > 0) {  // the other ranks train quietly: rank 0 reports
    quiet = true;
    print_config = false;
  }
  for (const auto& a : ablations) {
    // Under the full softmax the negative sources only reach the logistic loss (eq. 5) and the slice
    // softmax, and logQ nothing.
    const bool sources = a == "uniform-negatives" || a == "no-page-negatives" || a == "no-hard-negatives";
    const bool slice_losses = cfg.train.logistic_weight > 0 || cfg.train.slice_weight > 0;
    if (cfg.train.loss == "full" && (a == "no-logq" || (sources && !slice_losses)))
      STARS_WARN("--ablate " << a << " changes nothing with train.loss=full"
                 << (sources ? " and train.logistic_weight=train.slice_weight=0 (no sampled negatives)" : "")
                 << "; add --set train.loss=sampled to compare negative sources");
  }
  if (quiet) {
    cfg.train.progress = false;
    set_log_level(LogLevel::kWarn);
  }
  cfg.validate();
  if (print_config) {
    std::printf("%s\n", config_to_json(cfg).dump(2).c_str());
    return 0;
  }
  train::TrainRequest req;
  req.data_dir = data;
  req.out_dir = out;
  req.config = cfg;
  req.resume = resume;
  req.stop_after_epochs = stop_after;
  req.rank = std::max(0, rank);
  req.dist_host = host;
  req.dist_port = port > 0 ? port : 29500;
  train::TrainSummary s;
  if (world > 1 && rank < 0) {  // --nproc: this process is rank 0 and starts the others
    if (port == 0) req.dist_port = free_local_port();
    const std::vector<pid_t> kids = start_ranks(argc, argv, world, host + ":" + std::to_string(req.dist_port));
    STARS_INFO("data-parallel training: " << world << " processes, " << cfg.train.threads << " threads each, rendezvous at "
                                          << host << ":" << req.dist_port);
    try {
      s = train::run_training(req);
    } catch (...) {
      for (pid_t k : kids) kill(k, SIGTERM);
      wait_ranks(kids);
      throw;
    }
    const std::string failed = wait_ranks(kids);
    if (!failed.empty()) STARS_THROW(kUnavailable, "data-parallel training: " << failed << " (its error is printed above)");
  } else {
    try {
      s = train::run_training(req);
    } catch (const Error& e) {
      if (world > 1) throw e.with_context("rank " + std::to_string(req.rank));
      throw;
    }
  }
  if (rank > 0) return 0;
  if (s.stop_reason == "paused") {
    std::printf("paused after epoch %d; continue with --resume\n", s.epochs_run);
    return 0;
  }
  std::printf("best epoch %d of %d (%s): valid NDCG@10 %.4f; test NDCG@10 %.4f Recall@10 %.4f; %.0f tokens/s\n",
              s.best_epoch, s.epochs_run, s.stop_reason.c_str(), s.best_valid_ndcg10, s.test.count("ndcg@10") ? s.test.at("ndcg@10") : 0.0,
              s.test.count("recall@10") ? s.test.at("recall@10") : 0.0, s.tokens_per_second);
  return 0;
}

}  // namespace stars::cli
