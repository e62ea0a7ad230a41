// `stars eval`: evaluate trained models and the baselines on a prepared dataset and write metrics.json,
// ranks.tbl and report.html (stars/eval/evaluation.h); `stars eval --compare A B` compares two
// evaluations (paired when they scored the same queries); `stars eval --report METRICS` re-renders a
// report. Models are loaded here through model::load_encoder (the eval module itself stays torch-free).
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
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
#include "stars/data/dataset.h"
#include "stars/eval/ablation.h"
#include "stars/eval/eval_config.h"
#include "stars/eval/evaluation.h"
#include "stars/eval/metrics_json.h"
#include "stars/eval/rank_file.h"
#include "stars/eval/report_html.h"
#include "stars/eval/text_report.h"
#include "stars/model/encoder.h"
#include "stars/semantics/item_semantics.h"
#ifdef STARS_WITH_MODEL
#include "stars/model/model_dir.h"
#include "stars/train/train_config.h"
#endif

namespace stars::cli {

namespace {

using eval::Protocol;

const char* kEpilog = R"(Models: --model [NAME=]DIR[@PROTOCOLS]. NAME defaults to the directory name. PROTOCOLS (joined by +)
are the protocols the model's training data is valid for; by default they are read from DIR/config.json:
a model trained with split=loo serves loo and sampled, with split=temporal temporal and session, and one
trained with exclude_cold_items=true also serves cold, with exclude_cold_users=true cold_user. Give one
NAME several directories to have it in every protocol, e.g. --model stars=M --model stars=M_cold@cold.

Protocols: loo (leave-one-out, full catalog; the default), temporal, cold, cold_user (each cold user's
first event from its static features alone, empty history), session (paper §6.1), sampled (100 sampled
negatives, labelled; only for old papers). "auto" = loo, plus cold / cold_user when the dataset has cold
items / cold users, plus temporal and session when it has timestamps (and purchases).

History: full-catalog rankings leave out the items already in the user's history when under 1% of the
training events repeat an item of the same user (review data such as Amazon or MovieLens, where a user
never comes back to an item), and keep them otherwise (groceries); --set exclude_history=true|false
decides it instead of that rule (exclude_history=auto).

Baselines: popularity, recent-popularity, cooccurrence, lambdamart (these four by default), first_popularity
(popularity over each training user's first --set first_popularity_events=K events, default 1: what new
users take first, the reference of cold_user), "all" (all five) or "none".

Ablations (paper Table 3): --ablations trains one model per variant with `stars train --preset P
--ablate VARIANT` into OUT/ablations/VARIANT (reusing a finished one trained with the same arguments),
scores them all on the same queries (default protocol loo, no baselines) and prints the table; the
full model is the reference of the paired tests. --variants all = full + every switch of stars train.

Pooling: --pool EVAL_1 EVAL_2 ... averages each user's metrics over evaluations of the same queries (e.g.
ablation runs with different train.seed) and tests every model/strategy against --reference (default
full/h_next) with the paired bootstrap and sign-flip test; small test sets need several seeds.

Examples:
  stars eval --data DS --model stars=MODEL --model sasrec-id=SASREC --out EVAL
  stars eval --data DS --protocols loo,sampled --set exclude_history=true
  stars eval --ablations --data DS --out ABL --preset cpu --epochs 20
  stars eval --compare EVAL_A EVAL_B
  stars eval --pool EVAL_1 EVAL_2 [...] [--reference full/h_next]
  stars eval --report EVAL/metrics.json --out EVAL/report.html)";

std::vector<Protocol> parse_protocols(const std::string& text) {
  std::vector<Protocol> out;
  for (auto part : split(text, text.find('+') != std::string::npos ? '+' : ',')) {
    const std::string name(trim(part));
    if (name.empty()) continue;
    const auto p = eval::parse_protocol(name);
    STARS_CHECK_ARG(p.has_value(),
                    "unknown protocol '" << name << "' (known: loo, temporal, cold, cold_user, session, sampled, auto)");
    out.push_back(*p);
  }
  return out;
}

std::string base_name(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const auto slash = dir.rfind('/');
  return slash == std::string::npos ? dir : dir.substr(slash + 1);
}

eval::ModelSpec parse_model_spec(const std::string& text) {
  eval::ModelSpec m;
  std::string rest = text;
  std::string protocols;
  const auto at = rest.rfind('@');
  if (at != std::string::npos) {
    protocols = rest.substr(at + 1);
    rest = rest.substr(0, at);
  }
  const auto eq = rest.find('=');
  if (eq != std::string::npos) {
    m.name = rest.substr(0, eq);
    m.dir = rest.substr(eq + 1);
  } else {
    m.dir = rest;
    m.name = base_name(rest);
  }
  STARS_CHECK_ARG(!m.name.empty() && !m.dir.empty(), "--model expects [NAME=]DIR[@PROTOCOLS], got '" << text << "'");
  STARS_CHECK_ARG(is_directory(m.dir), "--model " << text << ": '" << m.dir << "' is not a model directory");
  m.protocols = protocols.empty() ? eval::model_protocols(m.dir) : parse_protocols(protocols);
  return m;
}

eval::EvalConfig load_config(const std::string& file, const std::vector<std::string>& sets) {
  eval::EvalConfig c;
  if (!file.empty()) config_from_json(JsonObject::parse(read_text_file(file), file), c, file);
  for (const auto& s : sets) config_apply_set(c, s);
  c.validate();
  return c;
}

std::string absolute(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : path;
}

std::string command_line(int argc, char** argv) {
  std::string s = "stars";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.find_first_of(" \t'\"") != std::string::npos) a = "'" + a + "'";
    s += " " + a;
  }
  return s;
}

struct AblationOptions {
  std::vector<std::string> variants;
  std::string preset = "cpu";
  std::vector<std::string> train_sets;
  int epochs = 0;
  bool retrain = false;
};

// Trains (or reuses) one model per variant in OUT/ablations/VARIANT through `stars train` in this process.
std::vector<std::pair<std::string, std::string>> train_ablations(const std::string& data_dir, const std::string& out_dir,
                                                                  const AblationOptions& o, int threads,
                                                                  std::vector<eval::ModelSpec>* models) {
  std::vector<std::pair<std::string, std::string>> settings;
  for (const auto& v : o.variants) {
    const std::string dir = path_join(path_join(out_dir, "ablations"), v);
    std::vector<std::string> a = {"stars", "train", "--data", data_dir, "--out", dir, "--preset", o.preset, "--quiet"};
    if (v != "full") a.insert(a.end(), {"--ablate", v});
    for (const auto& s : o.train_sets) a.insert(a.end(), {"--set", s});
    if (o.epochs > 0) a.insert(a.end(), {"--epochs", std::to_string(o.epochs)});
    a.insert(a.end(), {"--threads", std::to_string(threads)});
    std::string record;
    for (size_t i = 2; i < a.size(); ++i) record += (i > 2 ? " " : "") + a[i];
    const std::string marker = path_join(dir, "ablation_args.txt");
    const bool done = file_exists(path_join(dir, "weights.tbl")) && file_exists(marker) &&
                      read_text_file(marker) == record + "\n";
    if (!done || o.retrain) {
      std::printf("training ablation %-18s -> %s\n", v.c_str(), dir.c_str());
      std::fflush(stdout);
      std::vector<char*> argv;
      for (auto& x : a) argv.push_back(x.data());
      argv.push_back(nullptr);
      Timer t;
      const int rc = run_train(static_cast<int>(a.size()), argv.data());
      STARS_CHECK_ARG(rc == 0, "training ablation " << v << " failed with exit code " << rc);
      write_text_file(marker, record + "\n");
      std::printf("trained ablation %s in %.1f s\n", v.c_str(), t.seconds());
    } else {
      std::printf("reusing ablation %-18s (%s)\n", v.c_str(), dir.c_str());
    }
    eval::ModelSpec m;
    m.name = v;
    m.dir = dir;
    m.protocols = eval::model_protocols(dir);
    models->push_back(m);
    settings.emplace_back(v, "stars train " + record.substr(record.find("--preset")));
  }
  return settings;
}

// The ranks.tbl of an evaluation given as its directory or its metrics.json.
std::string rank_file_beside(const std::string& p) {
  const std::string dir = is_directory(p) ? p : p.substr(0, p.find_last_of('/') == std::string::npos ? 0 : p.find_last_of('/'));
  return path_join(dir.empty() ? "." : dir, "ranks.tbl");
}

int run_compare(int argc, char** argv) {
  STARS_CHECK_ARG(argc >= 5, "usage: stars eval --compare A B [--set key=value ...] (A, B: metrics.json files or eval directories)");
  const std::string a_path = argv[3], b_path = argv[4];
  std::string config_file;
  std::vector<std::string> sets;
  ArgParser args("eval --compare A B", "Compare two evaluations; paired tests when both scored the same queries.");
  args.add("config", &config_file, "JSON file with evaluation settings (metrics, bootstrap samples)");
  args.add_multi("set", &sets, "override a setting: key=value (e.g. compare_metrics=ndcg@10,mrr)");
  if (!args.parse(argc, argv, 5)) return 0;
  const eval::EvalConfig config = load_config(config_file, sets);
  const eval::EvalResults a = eval::read_metrics_json(a_path), b = eval::read_metrics_json(b_path);
  auto ranks_of = [](const std::string& p) -> std::optional<std::vector<eval::RunRanks>> {
    const std::string file = rank_file_beside(p);
    if (!file_exists(file)) return std::nullopt;
    return eval::read_rank_file(file);
  };
  const auto ra = ranks_of(a_path), rb = ranks_of(b_path);
  std::fputs(eval::format_comparison(a, b, ra ? &*ra : nullptr, rb ? &*rb : nullptr, config.compare_metrics, config).c_str(),
             stdout);
  return 0;
}

// `stars eval --pool A B [C ...]`: the evaluations (directories or metrics.json paths) come first, options after.
int run_pool(int argc, char** argv) {
  int first_option = 3;
  while (first_option < argc && std::strncmp(argv[first_option], "--", 2) != 0) ++first_option;
  std::vector<std::string> paths(argv + 3, argv + first_option);
  STARS_CHECK_ARG(paths.size() >= 2, "usage: stars eval --pool A B [C ...] [--reference MODEL/STRATEGY] [--set key=value ...] "
                                     "(A, B, ...: eval directories or metrics.json files with ranks.tbl beside them)");
  std::string config_file, reference = "full/h_next";
  std::vector<std::string> sets;
  ArgParser args("eval --pool A B [C ...]",
                 "Pool evaluations of the same queries (e.g. one ablation run per seed): per-user metrics averaged over "
                 "them, every model/strategy against the reference by a paired test.");
  args.add("reference", &reference, "model/strategy the others are compared with");
  args.add("config", &config_file, "JSON file with evaluation settings (metrics, bootstrap samples)");
  args.add_multi("set", &sets, "override a setting: key=value (e.g. compare_metrics=recall@10,mrr)");
  if (!args.parse(argc, argv, first_option)) return 0;
  const eval::EvalConfig config = load_config(config_file, sets);
  std::vector<std::vector<eval::RunRanks>> ranks;
  for (const std::string& p : paths) {
    const std::string file = rank_file_beside(p);
    STARS_CHECK_ARG(file_exists(file), "stars eval --pool: " << p << " has no ranks.tbl beside it (" << file << ")");
    ranks.push_back(eval::read_rank_file(file));
  }
  std::fputs(eval::format_pooled(paths, ranks, reference, config.compare_metrics, config).c_str(), stdout);
  return 0;
}

}  // namespace

int run_eval(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[2], "--compare") == 0) return run_compare(argc, argv);
  if (argc >= 3 && std::strcmp(argv[2], "--pool") == 0) return run_pool(argc, argv);

  std::string data_dir, out_dir, protocols_text = "auto", baselines_text = "default", config_file, report_from;
  std::vector<std::string> model_texts, sets;
  int threads = default_num_threads();
  bool no_report = false, quiet = false, ablations = false, exclude_history = false;
  std::string split_text;
  AblationOptions abl;
  std::string variants_text;
  ArgParser args("eval", "Evaluate models and baselines on a prepared dataset: metrics.json, ranks.tbl and report.html.");
  args.add("data", &data_dir, "prepared dataset directory");
  args.add_multi("model", &model_texts, "[NAME=]DIR[@PROTOCOLS] of a model trained by `stars train`");
  args.add("protocols", &protocols_text, "comma-separated protocols or auto");
  args.add("baselines", &baselines_text, "comma-separated baselines, default, all or none");
  args.add("out", &out_dir, "output directory (default: DS/eval)");
  args.add("config", &config_file, "JSON file with evaluation settings (see docs/EVAL.md)");
  args.add_multi("set", &sets, "override a setting: key=value (e.g. split=valid, lambdamart.rounds=50)");
  args.add("split", &split_text, "shortcut for --set split=test|valid");
  args.add_flag("exclude-history", &exclude_history, "shortcut for --set exclude_history=true");
  args.add("threads", &threads, "worker threads");
  args.add("report", &report_from, "re-render the HTML report of an existing metrics.json (to --out FILE)");
  args.add_flag("no-report", &no_report, "do not write report.html");
  args.add_flag("quiet", &quiet, "print only the report path");
  args.add_flag("ablations", &ablations, "train and score the ablation variants (paper Table 3)");
  args.add("variants", &variants_text, "ablation variants, comma-separated, or all (default: full,no-text,no-tags,"
                                       "no-context,no-user,uniform-negatives,no-page-negatives,id-only)");
  args.add("preset", &abl.preset, "stars train preset of the ablation models");
  args.add_multi("train-set", &abl.train_sets, "stars train override for every ablation model: key=value");
  args.add("epochs", &abl.epochs, "training epochs of the ablation models (0 = the preset's)");
  args.add_flag("retrain", &abl.retrain, "train ablation models again even when finished ones exist");
  args.set_epilog(kEpilog);
  if (!args.parse(argc, argv)) return 0;
  STARS_CHECK_ARG(threads >= 1, "--threads must be >= 1, got " << threads);

  if (!report_from.empty()) {
    const eval::EvalResults r = eval::read_metrics_json(report_from);
    const std::string path = out_dir.empty() ? path_join(is_directory(report_from) ? report_from : ".", "report.html") : out_dir;
    eval::write_report_html(path, r);
    std::printf("report: %s\n", path.c_str());
    return 0;
  }
  STARS_CHECK_ARG(!data_dir.empty(), "stars eval: missing required option --data (see --help)");

  eval::EvalRequest req;
  if (!split_text.empty()) sets.push_back("split=" + split_text);
  if (exclude_history) sets.push_back("exclude_history=true");
  req.config = load_config(config_file, sets);
  req.threads = threads;
  req.command = command_line(argc, argv);
  const auto ds = data::Dataset::open(data_dir);
  if (ablations) {
    // Ablations default to the leave-one-out protocol without baselines.
    if (!args.given("protocols")) protocols_text = "loo";
    if (!args.given("baselines")) baselines_text = "none";
  }
  req.protocols = protocols_text == "auto" ? eval::auto_protocols(*ds) : parse_protocols(protocols_text);
  if (baselines_text == "default") req.baselines = eval::default_baseline_names();
  else if (baselines_text == "all") req.baselines = eval::baseline_names();
  else if (baselines_text != "none")
    for (auto b : split(baselines_text, ',')) req.baselines.emplace_back(trim(b));
  if (out_dir.empty()) out_dir = path_join(ds->dir(), ablations ? "ablations" : "eval");
  make_directories(out_dir);

  // Models: the ablation variants (trained here), then every --model; each directory is loaded once.
  std::vector<eval::ModelSpec> specs;
  std::vector<std::pair<std::string, std::string>> ablation_settings;
  if (ablations) {
    if (variants_text.empty() || variants_text == "default") {
      abl.variants = eval::default_ablation_variants();
    } else if (variants_text == "all") {
      abl.variants = {"full"};
#ifdef STARS_WITH_MODEL
      for (const auto& v : train::ablation_names()) abl.variants.push_back(v);
#endif
    } else {
      for (auto v : split(variants_text, ',')) abl.variants.emplace_back(trim(v));
    }
    // The full model first: it is the reference of the paired comparisons.
    std::stable_partition(abl.variants.begin(), abl.variants.end(), [](const std::string& v) { return v == "full"; });
    ablation_settings = train_ablations(ds->dir(), out_dir, abl, threads, &specs);
    req.config.reference_strategy = req.config.ablation_strategy;  // compare every variant with full's table strategy
  }
  for (const auto& t : model_texts) specs.push_back(parse_model_spec(t));
  std::vector<std::unique_ptr<model::Encoder>> encoders;
  for (eval::ModelSpec m : specs) {
#ifdef STARS_WITH_MODEL
    try {
      model::check_model_items(m.dir, *ds);
      encoders.push_back(model::load_encoder(m.dir, threads));
    } catch (const Error& e) {
      throw e.with_context("loading model " + m.name + " from " + m.dir);
    }
#else
    STARS_THROW(kUnavailable, "this build of stars has no model module; cannot load " << m.dir);
#endif
    m.encoder = encoders.back().get();
    req.models.push_back(m);
  }
  // Semantics give cold items their content-path vectors.
  std::unique_ptr<semantics::ItemSemantics> sem;
  if (semantics::has_item_semantics(ds->dir())) {
    sem = std::make_unique<semantics::ItemSemantics>(semantics::load_item_semantics(ds->dir()));
    req.semantics = sem.get();
  }

  if (quiet) set_log_level(LogLevel::kWarn);
  eval::EvalOutput out = eval::run_evaluation(*ds, req);
  if (ablations && !out.results.runs.empty())
    eval::fill_ablation_rows(out.results, out.results.runs.front().protocol, req.config.ablation_strategy,
                             ablation_settings);
  const std::string metrics_path = path_join(out_dir, "metrics.json");
  eval::write_metrics_json(metrics_path, out.results);
  eval::write_rank_file(path_join(out_dir, "ranks.tbl"), out.ranks);
  if (!quiet) {
    for (const auto& run : out.results.runs) std::printf("\n%s", eval::format_run_table(run).c_str());
    if (ablations) std::printf("\n%s", eval::format_ablation_table(out.results).c_str());
    std::printf("\nevaluated in %.2f s with %d threads\nmetrics: %s\n", out.results.timing.at("total"), threads,
                absolute(metrics_path).c_str());
  }
  if (!no_report) {
    const std::string report = path_join(out_dir, "report.html");
    eval::write_report_html(report, out.results);
    std::printf("report: %s\n", absolute(report).c_str());
  }
  return 0;
}

}  // namespace stars::cli
