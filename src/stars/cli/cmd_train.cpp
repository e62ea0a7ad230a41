// `stars train`: trains the STARS model on a prepared dataset (paper §4) and writes a model directory
// (config.json, features.tbl, weights.tbl, checkpoint.tbl, train_log.jsonl, metrics.json).
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
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

// The command line of a rank that `--nproc` starts: this one without --nproc, --threads and --dist-addr
// (both the "--opt value" and "--opt=value" forms), plus the group's size, the threads, its rank and the
// shared store file.
std::vector<std::string> rank_command(int argc, char** argv, int world, int threads, int rank, const std::string& store) {
  std::vector<std::string> out;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    bool dropped = false;
    for (const char* opt : {"--nproc", "--threads", "--dist-addr"}) {
      if (a == opt) {
        dropped = true;
        ++i;  // and its value
      } else if (a.rfind(std::string(opt) + "=", 0) == 0) {
        dropped = true;
      }
      if (dropped) break;
    }
    if (!dropped) out.push_back(a);
  }
  out.insert(out.end(), {"--set", "train.world_size=" + std::to_string(world), "--threads", std::to_string(threads), "--rank",
                         std::to_string(rank), "--dist-addr", "file:" + store});
  return out;
}

// Ranks 1..world-1 of a `--nproc` run as child processes (this process is rank 0). They end with this
// process (PR_SET_PDEATHSIG). A watcher thread notices a rank that fails while rank 0 is still training
// (at start-up rank 0 would otherwise wait for it until train.dist_timeout): it names the rank, stops the
// others, removes `store_file` and ends this process with the rank's exit code (1 for a signal).
class ChildRanks {
 public:
  ChildRanks(const std::vector<std::vector<std::string>>& commands, std::string store_file) : store_file_(std::move(store_file)) {
    const pid_t parent = getpid();
    for (size_t c = 0; c < commands.size(); ++c) {
      std::vector<char*> args;  // built before fork: the child only calls async-signal-safe functions
      for (const auto& a : commands[c]) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      const pid_t pid = fork();
      if (pid < 0) {
        stop_all();
        STARS_THROW(kIo, "--nproc: could not start rank " << c + 1 << " (fork failed)");
      }
      if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        execv("/proc/self/exe", args.data());
        _exit(127);
      }
      pids_.push_back(pid);
      status_.push_back(-1);
    }
    watcher_ = std::thread([this] { watch(); });
  }
  ~ChildRanks() {
    if (watcher_.joinable()) finish(0.0);
  }

  // Stops watching, waits up to `grace_s` seconds (< 0: as long as it takes) for the ranks to end, stops
  // those still running, and returns "" when every rank ended with exit code 0, otherwise what became of
  // the first that did not (ranks stopped here do not count).
  std::string finish(double grace_s) {
    watching_ = false;
    if (watcher_.joinable()) watcher_.join();
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < pids_.size(); ++i) {
      while (status_[i] == -1) {
        const bool late = grace_s >= 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > grace_s;
        int st = 0;
        if (late) {
          kill(pids_[i], SIGTERM);
          waitpid(pids_[i], &st, 0);
          status_[i] = 0;  // stopped here
          break;
        }
        if (waitpid(pids_[i], &st, WNOHANG) == pids_[i]) status_[i] = st;
        else std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    for (size_t i = 0; i < pids_.size(); ++i)
      if (!ended_well(status_[i])) return describe(i, status_[i]);
    return "";
  }

  // After finish(): the exit code of the first rank that ended with one other than 0, or 0 (signals and
  // ranks stopped here do not count).
  int first_exit_code() const {
    for (int st : status_)
      if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) != 0) return WEXITSTATUS(st);
    return 0;
  }

 private:
  static bool ended_well(int st) { return WIFEXITED(st) && WEXITSTATUS(st) == 0; }
  static std::string describe(size_t i, int st) {
    return "rank " + std::to_string(i + 1) + (WIFEXITED(st) ? " exited with code " + std::to_string(WEXITSTATUS(st))
                                                            : " was killed by signal " + std::to_string(WTERMSIG(st)));
  }
  void stop_all() {
    for (size_t i = 0; i < pids_.size(); ++i)
      if (status_[i] == -1) kill(pids_[i], SIGTERM);
  }
  void watch() {
    while (watching_) {
      for (size_t i = 0; i < pids_.size() && watching_; ++i) {
        int st = 0;
        if (status_[i] != -1 || waitpid(pids_[i], &st, WNOHANG) != pids_[i]) continue;
        status_[i] = st;
        if (ended_well(st)) continue;  // done with its share, rank 0 still busy
        std::fprintf(stderr, "stars train: error: data-parallel training: %s (its own error, if it printed one, is above); "
                     "stopping the other ranks\n", describe(i, st).c_str());
        stop_all();
        unlink(store_file_.c_str());
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);  // its exit code: 3 for a missing input, as one process gives
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::string store_file_;
  std::vector<pid_t> pids_;
  std::vector<int> status_;  // waitpid status, -1 while running; written by the watcher until finish() joins it
  std::atomic<bool> watching_{true};
  std::thread watcher_;
};

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
  p.add("dist-addr", &dist_addr, "with --rank: HOST:PORT where rank 0 serves the data-parallel rendezvous (default 127.0.0.1:29500), or file:PATH, a file that ranks on one machine share; or env:// alone: RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT from the environment, as cluster launchers set them");
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
  STARS_CHECK_ARG(nproc == 0 || rank == -1,
                  "--nproc starts every rank of the group on this machine; --rank starts one by hand: give one of them");
  STARS_CHECK_ARG(nproc == 0 || dist_addr.empty(), "--dist-addr goes with --rank; --nproc finds its own rendezvous");
  if (nproc > 0) cfg.train.world_size = nproc;
  // --dist-addr env://: the rank, the group's size and rank 0's address from the environment, as cluster
  // launchers set them (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT).
  if (dist_addr == "env://") {
    STARS_CHECK_ARG(rank == -1, "--dist-addr env:// takes the rank from RANK: leave --rank out");
    const auto env_int = [](const char* name, int64_t lo, int64_t hi) {
      const char* v = std::getenv(name);
      int64_t x = 0;
      STARS_CHECK_ARG(v && parse_int64(v, &x) && x >= lo && x <= hi,
                      "--dist-addr env://: the environment variable " << name << (v ? std::string(" is ") + v : std::string(" is not set"))
                          << "; expected an integer in [" << lo << ", " << hi << "]");
      return x;
    };
    const int64_t size = env_int("WORLD_SIZE", 1, 65536);
    rank = static_cast<int>(env_int("RANK", 0, size - 1));
    STARS_CHECK_ARG(cfg.train.world_size == 1 || cfg.train.world_size == size,
                    "train.world_size=" << cfg.train.world_size << " but the environment's WORLD_SIZE is " << size);
    cfg.train.world_size = static_cast<int>(size);
    const char* addr = std::getenv("MASTER_ADDR");
    const char* port_text = std::getenv("MASTER_PORT");
    dist_addr = std::string(addr && *addr ? addr : "127.0.0.1") + ":" + (port_text && *port_text ? port_text : "29500");
  }
  const int world = cfg.train.world_size;
  STARS_CHECK_ARG(rank >= -1 && rank < world, "--rank " << rank << " is outside the data-parallel group of train.world_size=" << world);
  STARS_CHECK_ARG(world == 1 || nproc > 0 || rank >= 0,
                  "train.world_size=" << world << ": start the processes with --nproc " << world << ", or start each with --rank R (and --dist-addr HOST:PORT of rank 0)");
  // Each local process gets its share of the cores unless --threads says otherwise.
  if (nproc > 1 && cfg.train.threads == 0) cfg.train.threads = std::max(1, default_num_threads() / nproc);
  std::string host = "127.0.0.1", store_file;
  int port = 29500;
  if (dist_addr.rfind("file:", 0) == 0) {
    store_file = dist_addr.substr(5);
    STARS_CHECK_ARG(!store_file.empty(), "--dist-addr file:PATH: the path is empty");
  } else if (!dist_addr.empty()) {
    const size_t colon = dist_addr.rfind(':');
    STARS_CHECK_ARG(colon != std::string::npos && colon > 0, "--dist-addr " << dist_addr << ": expected HOST:PORT or file:PATH");
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
  if (quiet) {
    cfg.train.progress = false;
    // The other ranks log errors only: rank 0 prints the warnings, which all ranks share.
    set_log_level(rank > 0 ? LogLevel::kError : LogLevel::kWarn);
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
  req.dist_store_file = store_file;
  req.dist_host = host;
  req.dist_port = port;
  train::TrainSummary s;
  if (world > 1 && rank < 0) {  // --nproc: this process is rank 0 and starts the others
    // The ranks meet through a fresh file (nothing listens on the network but each rank on 127.0.0.1).
    const std::string dir = std::filesystem::temp_directory_path().string();
    req.dist_store_file = dir + "/stars-train-" + std::to_string(getpid()) + "-" +
                          std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".store";
    std::vector<std::vector<std::string>> commands;
    for (int r = 1; r < world; ++r) commands.push_back(rank_command(argc, argv, world, cfg.train.threads, r, req.dist_store_file));
    STARS_INFO("data-parallel training: " << world << " processes, " << cfg.train.threads << " threads each");
    ChildRanks ranks(commands, req.dist_store_file);
    try {
      s = train::run_training(req);
    } catch (const Error& e) {
      // The other ranks fail at their next collective; give them a moment, then say what became of them.
      const std::string others = ranks.finish(3.0);
      std::filesystem::remove(req.dist_store_file);
      if (others.empty()) throw;
      // Rank 0 failing to reach the others is the effect when another rank stopped with its own error
      // (a checkpoint of another configuration): the run ends with that rank's exit code, as it does when
      // the watcher sees the rank end first.
      ErrorCode cause = e.code();
      if (cause == ErrorCode::kUnavailable)
        for (ErrorCode c : {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kCorrupt})
          if (exit_status(c) == ranks.first_exit_code()) cause = c;
      throw Error(cause, std::string(e.what()) + " [" + others + "]");
    }
    const std::string failed = ranks.finish(cfg.train.dist_timeout);
    std::filesystem::remove(req.dist_store_file);
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
