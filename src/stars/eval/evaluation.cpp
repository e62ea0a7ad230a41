#include "stars/eval/evaluation.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/core/table_file.h"
#include "stars/core/time.h"
#include "stars/eval/cooccurrence.h"
#include "stars/eval/encoder_scorer.h"
#include "stars/eval/first_popularity.h"
#include "stars/eval/harness.h"
#include "stars/eval/lambdamart.h"
#include "stars/eval/mips.h"
#include "stars/eval/popularity.h"
#include "stars/eval/summarize.h"
#include "stars/eval/training_log.h"

namespace stars::eval {

namespace {

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string text_hash(const std::string& s) { return hex64(checksum64(s.data(), s.size())); }

std::string now_iso() { return format_iso8601(static_cast<int64_t>(std::time(nullptr))); }

std::unique_ptr<Scorer> make_baseline(const data::Dataset& ds, const std::string& name, const EvalConfig& config,
                                      int threads) {
  if (name == "popularity") return std::make_unique<PopularityScorer>(ds, false, config.popularity, threads);
  if (name == "recent-popularity") return std::make_unique<PopularityScorer>(ds, true, config.popularity, threads);
  if (name == "cooccurrence") return std::make_unique<CooccurrenceScorer>(ds, config.cooc, threads);
  if (name == "first_popularity") return std::make_unique<FirstPopularityScorer>(ds, config, threads);
  if (name == "lambdamart") return std::make_unique<LambdaMartScorer>(ds, config, threads);
  STARS_THROW(kInvalidArgument, "unknown baseline '" << name << "' (known: " << join(baseline_names(), ", ") << ")");
}

std::string baseline_config_json(const std::string& name, const EvalConfig& config) {
  if (name == "popularity") return "{}";
  if (name == "recent-popularity") return config_to_json(config.popularity).dump(-1);
  if (name == "cooccurrence") return config_to_json(config.cooc).dump(-1);
  if (name == "first_popularity") {
    JsonObject j;
    j.set("first_popularity_events", config.first_popularity_events);
    return j.dump(-1);
  }
  JsonObject j;
  j.set_object("cooc", config_to_json(config.cooc));
  j.set_object("popularity", config_to_json(config.popularity));
  j.set_object("lambdamart", config_to_json(config.lambdamart));
  return j.dump(-1);
}

}  // namespace

const std::vector<std::string>& default_baseline_names() {
  static const std::vector<std::string> names = {"popularity", "recent-popularity", "cooccurrence", "lambdamart"};
  return names;
}

const std::vector<std::string>& baseline_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = default_baseline_names();
    n.push_back("first_popularity");
    return n;
  }();
  return names;
}

std::string dataset_fingerprint(const data::Dataset& ds) {
  uint64_t h = 0;
  const std::string manifest = path_join(ds.dir(), "manifest.json");
  if (file_exists(manifest)) {
    const std::string m = read_text_file(manifest);
    h = checksum64(m.data(), m.size());
  }
  const auto items = ds.event_items();
  const auto ts = ds.event_times();
  h = checksum64(items.data(), items.size() * sizeof(int32_t), h);
  h = checksum64(ts.data(), ts.size() * sizeof(int64_t), h);
  std::vector<uint8_t> cold(ds.num_items());
  for (int32_t i = 0; i < ds.num_items(); ++i) cold[i] = ds.item_is_cold(i);
  h = checksum64(cold.data(), cold.size(), h);
  if (ds.info().splits.num_cold_users > 0) {  // (datasets without cold users keep their fingerprint)
    std::vector<uint8_t> cold_users(ds.num_users());
    for (int32_t u = 0; u < ds.num_users(); ++u) cold_users[u] = ds.user_is_cold(u);
    h = checksum64(cold_users.data(), cold_users.size(), h);
  }
  return hex64(h);
}

std::string model_dir_hash(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n == "." || n == ".." || ends_with(n, ".jsonl") || ends_with(n, ".log")) continue;
      struct stat st;
      if (stat(path_join(dir, n).c_str(), &st) == 0 && S_ISREG(st.st_mode)) names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  uint64_t h = 0;
  for (const auto& n : names) {
    h = checksum64(n.data(), n.size(), h);
    MmapFile f(path_join(dir, n));
    if (f.size() > 0) h = checksum64(f.data(), f.size(), h);
  }
  return hex64(h);
}

std::vector<Protocol> model_protocols(const std::string& dir) {
  std::string split = "loo";
  bool cold_items = false, cold_users = false;
  const std::string path = path_join(dir, "config.json");
  if (file_exists(path)) {
    const JsonObject j = JsonObject::parse(read_text_file(path), path);
    if (j.has("train")) {
      JsonObject t;
      j.get_object("train", t, path);
      if (t.has("split")) t.get("split", split, path + ".train");
      if (t.has("exclude_cold_items")) t.get("exclude_cold_items", cold_items, path + ".train");
      if (t.has("exclude_cold_users")) t.get("exclude_cold_users", cold_users, path + ".train");
    }
  }
  if (split == "temporal") return {Protocol::kTemporal, Protocol::kSession};
  std::vector<Protocol> out = {Protocol::kLeaveOneOut, Protocol::kSampled};
  if (cold_items) out.push_back(Protocol::kColdItem);
  if (cold_users) out.push_back(Protocol::kColdUser);
  return out;
}

std::string model_config_hash(const std::string& dir) {
  for (const char* n : {"config.json", "model_config.json", "train_config.json"}) {
    const std::string p = path_join(dir, n);
    if (file_exists(p)) return text_hash(read_text_file(p));
  }
  return "";
}

DatasetSummary summarize_dataset(const data::Dataset& ds) {
  DatasetSummary d;
  const auto& info = ds.info();
  d.dir = ds.dir();
  d.source_format = info.source_format;
  d.source_path = info.source_path;
  d.fingerprint = dataset_fingerprint(ds);
  d.num_users = ds.num_users();
  d.num_items = ds.num_items();
  d.num_events = ds.num_events();
  d.has_time = info.has_time;
  d.has_event_types = info.has_event_types;
  d.has_categories = info.has_categories;
  d.num_cold_items = info.splits.num_cold_items;
  d.num_cold_users = info.splits.num_cold_users;
  return d;
}

EvalOutput run_evaluation(const data::Dataset& ds, const EvalRequest& req) {
  req.config.validate();
  STARS_CHECK_ARG(req.threads >= 1, "threads must be >= 1, got " << req.threads);
  Timer total;
  set_blas_threads(req.threads);
  EvalOutput out;
  EvalResults& res = out.results;
  res.created = now_iso();
  res.stars_version = "0.1.0";
  res.command = req.command;
  res.dataset = summarize_dataset(ds);
  res.config_json = config_to_json(req.config).dump(2);
  res.config_hash = text_hash(config_to_json(req.config).dump(-1));
  res.threads = req.threads;

  // Scorers of the models, one per model directory (an Encoder is reused across protocols).
  std::vector<std::unique_ptr<EncoderScorer>> model_scorers;
  for (const auto& m : req.models) {
    STARS_CHECK_ARG(m.encoder != nullptr, "model " << m.name << " (" << m.dir << ") was not loaded");
    model_scorers.push_back(std::make_unique<EncoderScorer>(ds, *m.encoder, m.name, req.semantics, req.threads));
  }

  // The cold protocol runs last: it gives cold items their content-path vectors inside the encoders
  // (Encoder::set_item_content), which must not leak into the other protocols' scores.
  std::vector<Protocol> protocols = req.protocols;
  std::stable_partition(protocols.begin(), protocols.end(), [](Protocol p) { return p != Protocol::kColdItem; });
  for (Protocol p : protocols) {
    if (auto why = protocol_unavailable(ds, p)) {
      STARS_WARN("skipping protocol " << protocol_name(p) << ": " << *why);
      continue;
    }
    Timer run_timer;
    const QuerySet qs = build_queries(ds, p, req.config);
    if (qs.queries.empty()) {
      STARS_WARN("skipping protocol " << protocol_name(p) << ": it has no queries on this dataset");
      continue;
    }
    STARS_INFO("protocol " << protocol_name(p) << " (" << qs.split << "): " << qs.queries.size() << " queries");
    {
      std::vector<std::string> names = req.baselines;
      for (const auto& m : req.models)
        if (std::find(m.protocols.begin(), m.protocols.end(), p) != m.protocols.end()) names.push_back(m.name);
      std::sort(names.begin(), names.end());
      const auto dup = std::adjacent_find(names.begin(), names.end());
      STARS_CHECK_ARG(dup == names.end(), "two models named '" << (dup == names.end() ? "" : *dup) << "' are evaluated on protocol "
                                              << protocol_name(p) << "; give them different names");
    }
    std::vector<ScorerRanks> ranks;
    std::vector<std::string> sources, model_hashes, config_hashes;
    std::vector<std::map<std::string, double>> infos;
    for (size_t i = 0; i < req.models.size(); ++i) {
      const auto& m = req.models[i];
      if (std::find(m.protocols.begin(), m.protocols.end(), p) == m.protocols.end()) continue;
      EncoderScorer& sc = *model_scorers[i];
      const double enc0 = sc.encode_seconds();
      ranks.push_back(rank_queries(ds, qs, sc, req.config, req.threads));
      sources.push_back(m.dir);
      model_hashes.push_back(model_dir_hash(m.dir));
      config_hashes.push_back(model_config_hash(m.dir));
      infos.push_back({{"encode_seconds", sc.encode_seconds() - enc0},
                       {"content_path_items", static_cast<double>(sc.content_path_items())}});
    }
    for (const auto& b : req.baselines) {
      auto sc = make_baseline(ds, b, req.config, req.threads);
      ranks.push_back(rank_queries(ds, qs, *sc, req.config, req.threads));
      sources.push_back("baseline");
      const std::string cfg = baseline_config_json(b, req.config);
      model_hashes.push_back(text_hash(b + cfg));
      config_hashes.push_back(text_hash(cfg));
      std::map<std::string, double> info;
      if (const auto* lm = dynamic_cast<const LambdaMartScorer*>(sc.get())) {
        const auto& fi = lm->fit_info();
        info = {{"fit_queries", static_cast<double>(fi.fit_queries)},
                {"fit_queries_used", static_cast<double>(fi.fit_queries_used)},
                {"fit_rows", static_cast<double>(fi.fit_rows)},
                {"mean_candidates", fi.mean_candidates},
                {"fit_candidate_recall", fi.candidate_recall},
                {"fit_seconds", fi.seconds},
                {"fit_features_seconds", fi.features_seconds},
                {"fit_boosting_seconds", fi.train_seconds}};
        for (const auto& [f, g] : fi.feature_gain) info["gain." + f] = g;
      }
      infos.push_back(info);
    }
    RunResult run = summarize_run(ds, qs, ranks, req.config);
    for (size_t i = 0; i < run.models.size(); ++i) {
      run.models[i].source = sources[i];
      run.models[i].model_hash = model_hashes[i];
      run.models[i].config_hash = config_hashes[i];
      run.models[i].info = infos[i];
      res.timing[run.protocol + "/" + run.models[i].name] = ranks[i].prepare_seconds + ranks[i].score_seconds;
    }
    run.seconds = run_timer.seconds();
    res.timing[run.protocol] = run.seconds;
    // Ranks for paired comparisons across evaluations.
    RunRanks rr;
    rr.protocol = run.protocol;
    rr.split = run.split;
    rr.query_hash = run.query_hash;
    for (const auto& q : qs.queries) rr.users.push_back(q.user);
    for (const auto& r : ranks)
      for (const auto& s : r.strategies) rr.ranks[r.name + "/" + s.name] = s.ranks;
    out.ranks.push_back(std::move(rr));
    res.runs.push_back(std::move(run));
  }

  // Training curves of every model directory.
  std::vector<std::string> seen;
  for (const auto& m : req.models) {
    if (std::find(seen.begin(), seen.end(), m.dir) != seen.end()) continue;
    seen.push_back(m.dir);
    const std::string log = find_training_log(m.dir);
    if (log.empty()) continue;
    TrainingCurve c;
    c.model = m.name;
    c.path = log;
    c.records = read_training_log(log);
    res.training_curves.push_back(std::move(c));
  }
  res.timing["total"] = total.seconds();
  return out;
}

}  // namespace stars::eval
