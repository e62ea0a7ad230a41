// `stars eval`: evaluate trained models and the baselines on a prepared dataset and write metrics.json,
// ranks.tbl and report.html (stars/eval/evaluation.h); `stars eval --compare A B` compares two
// evaluations (paired when they scored the same queries); `stars eval --report METRICS` re-renders a
// report. Models are loaded here through model::load_encoder (the eval module itself stays torch-free).
#include <climits>
#include <cstdio>
#include <cstdlib>
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
#include "stars/eval/eval_config.h"
#include "stars/eval/evaluation.h"
#include "stars/eval/metrics_json.h"
#include "stars/eval/rank_file.h"
#include "stars/eval/report_html.h"
#include "stars/eval/text_report.h"
#include "stars/model/encoder.h"
#include "stars/semantics/item_semantics.h"

namespace stars::cli {

namespace {

using eval::Protocol;

const char* kEpilog = R"(Models: --model [NAME=]DIR[@PROTOCOLS]. NAME defaults to the directory name. PROTOCOLS (joined by +)
are the protocols the model's training data is valid for; by default they are read from DIR/config.json:
a model trained with split=loo serves loo and sampled, with split=temporal temporal and session, and one
trained with exclude_cold_items=true also serves cold. Give one NAME several directories to have it in
every protocol, e.g. --model stars=M --model stars=M_cold@cold.

Protocols: loo (leave-one-out, full catalog; the default), temporal, cold, session (paper §6.1), sampled
(100 sampled negatives, labelled; only for old papers). "auto" = loo, plus cold when the dataset has
cold items, plus temporal and session when it has timestamps (and purchases).

Baselines: popularity, recent-popularity, cooccurrence, lambdamart ("all" or "none").

Examples:
  stars eval --data DS --model stars=MODEL --model sasrec-id=SASREC --out EVAL
  stars eval --data DS --protocols loo,sampled --set exclude_history=true
  stars eval --compare EVAL_A EVAL_B
  stars eval --report EVAL/metrics.json --out EVAL/report.html)";

std::vector<Protocol> parse_protocols(const std::string& text) {
  std::vector<Protocol> out;
  for (auto part : split(text, text.find('+') != std::string::npos ? '+' : ',')) {
    const std::string name(trim(part));
    if (name.empty()) continue;
    const auto p = eval::parse_protocol(name);
    STARS_CHECK_ARG(p.has_value(), "unknown protocol '" << name << "' (known: loo, temporal, cold, session, sampled, auto)");
    out.push_back(*p);
  }
  return out;
}

std::vector<Protocol> auto_protocols(const data::Dataset& ds) {
  std::vector<Protocol> out;
  for (Protocol p : {Protocol::kLeaveOneOut, Protocol::kColdItem, Protocol::kTemporal, Protocol::kSession})
    if (!eval::protocol_unavailable(ds, p)) out.push_back(p);
  return out;
}

// The protocols a model directory's training data is valid for, from config.json's "train" section.
std::vector<Protocol> model_protocols(const std::string& dir) {
  std::string split = "loo";
  bool cold = false;
  const std::string path = path_join(dir, "config.json");
  if (file_exists(path)) {
    const JsonObject j = JsonObject::parse(read_text_file(path), path);
    if (j.has("train")) {
      JsonObject t;
      j.get_object("train", t, path);
      if (t.has("split")) t.get("split", split, path + ".train");
      if (t.has("exclude_cold_items")) t.get("exclude_cold_items", cold, path + ".train");
    }
  }
  std::vector<Protocol> out;
  if (split == "temporal") {
    out = {Protocol::kTemporal, Protocol::kSession};
  } else {
    out = {Protocol::kLeaveOneOut, Protocol::kSampled};
    if (cold) out.push_back(Protocol::kColdItem);
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
  m.protocols = protocols.empty() ? model_protocols(m.dir) : parse_protocols(protocols);
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
    const std::string dir = is_directory(p) ? p : p.substr(0, p.find_last_of('/') == std::string::npos ? 0 : p.find_last_of('/'));
    const std::string file = path_join(dir.empty() ? "." : dir, "ranks.tbl");
    if (!file_exists(file)) return std::nullopt;
    return eval::read_rank_file(file);
  };
  const auto ra = ranks_of(a_path), rb = ranks_of(b_path);
  std::fputs(eval::format_comparison(a, b, ra ? &*ra : nullptr, rb ? &*rb : nullptr, config.compare_metrics, config).c_str(),
             stdout);
  return 0;
}

}  // namespace

int run_eval(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[2], "--compare") == 0) return run_compare(argc, argv);

  std::string data_dir, out_dir, protocols_text = "auto", baselines_text = "all", config_file, report_from;
  std::vector<std::string> model_texts, sets;
  int threads = default_num_threads();
  bool no_report = false, quiet = false;
  ArgParser args("eval", "Evaluate models and baselines on a prepared dataset: metrics.json, ranks.tbl and report.html.");
  args.add("data", &data_dir, "prepared dataset directory");
  args.add_multi("model", &model_texts, "[NAME=]DIR[@PROTOCOLS] of a model trained by `stars train`");
  args.add("protocols", &protocols_text, "comma-separated protocols or auto");
  args.add("baselines", &baselines_text, "comma-separated baselines, all or none");
  args.add("out", &out_dir, "output directory (default: DS/eval)");
  args.add("config", &config_file, "JSON file with evaluation settings (see docs/EVAL.md)");
  args.add_multi("set", &sets, "override a setting: key=value (e.g. split=valid, lambdamart.rounds=50)");
  args.add("threads", &threads, "worker threads");
  args.add("report", &report_from, "re-render the HTML report of an existing metrics.json (to --out FILE)");
  args.add_flag("no-report", &no_report, "do not write report.html");
  args.add_flag("quiet", &quiet, "print only the report path");
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
  req.config = load_config(config_file, sets);
  req.threads = threads;
  req.command = command_line(argc, argv);
  const auto ds = data::Dataset::open(data_dir);
  req.protocols = protocols_text == "auto" ? auto_protocols(*ds) : parse_protocols(protocols_text);
  if (baselines_text == "all") req.baselines = eval::baseline_names();
  else if (baselines_text != "none")
    for (auto b : split(baselines_text, ',')) req.baselines.emplace_back(trim(b));

  // Models: load each directory once.
  std::vector<std::unique_ptr<model::Encoder>> encoders;
  for (const auto& t : model_texts) {
    eval::ModelSpec m = parse_model_spec(t);
#ifdef STARS_WITH_MODEL
    try {
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

  if (out_dir.empty()) out_dir = path_join(ds->dir(), "eval");
  make_directories(out_dir);
  if (quiet) set_log_level(LogLevel::kWarn);
  const eval::EvalOutput out = eval::run_evaluation(*ds, req);
  const std::string metrics_path = path_join(out_dir, "metrics.json");
  eval::write_metrics_json(metrics_path, out.results);
  eval::write_rank_file(path_join(out_dir, "ranks.tbl"), out.ranks);
  if (!quiet) {
    for (const auto& run : out.results.runs) std::printf("\n%s", eval::format_run_table(run).c_str());
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
