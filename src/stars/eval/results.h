// The results of `stars eval` as plain structs: what metrics.json holds (schema in docs/EVAL.md) and what
// the HTML report draws. Metric keys: "hit@K", "recall@K" (= hit@K: one target per query), "ndcg@K",
// "mrr", "coverage@K" (share of the candidate universe that appears in some top-K list; no interval).
// Torch-free.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace stars::eval {

constexpr int kMetricsSchemaVersion = 1;

struct Interval {
  double value = 0;
  double lo = std::numeric_limits<double>::quiet_NaN();  // lower bound of the confidence interval
  double hi = std::numeric_limits<double>::quiet_NaN();
  bool has_interval() const { return !std::isnan(lo) && !std::isnan(hi); }
};

// A slice of the queries: a candidate-set size bucket or a category of the target.
struct SliceResult {
  std::string name;
  int64_t count = 0;
  std::map<std::string, Interval> metrics;
};

struct StrategyResult {
  std::string name;  // "h_gen", "h_next", "interleave" (encoders) or "score" (baselines)
  std::map<std::string, Interval> metrics;
  std::vector<SliceResult> buckets;     // candidate-set size buckets (session protocol)
  std::vector<SliceResult> categories;  // per category of the target
};

struct ModelResult {
  std::string name;         // "stars", "sasrec-id", "popularity", ...
  std::string kind;         // "encoder", "popularity", "recent-popularity", "first_popularity", "cooccurrence",
                            // "lambdamart"
  std::string source;       // model directory (encoders) or "baseline"
  std::string model_hash;   // hash of the model directory's files (encoders), of the baseline config otherwise
  std::string config_hash;  // hash of the model's config.json (encoders), of the baseline config otherwise
  std::vector<StrategyResult> strategies;
  double prepare_seconds = 0, score_seconds = 0;
  std::map<std::string, double> info;  // e.g. lambdamart fitting statistics, content-path item count

  const StrategyResult* strategy(const std::string& s) const {
    for (const auto& x : strategies)
      if (x.name == s) return &x;
    return nullptr;
  }
};

// A paired comparison of two (model, strategy) pairs on the same queries: diff = a - b.
struct Comparison {
  std::string a, b;  // "model/strategy"
  std::string metric;
  double a_value = 0, b_value = 0, diff = 0;
  double lo = std::numeric_limits<double>::quiet_NaN(), hi = std::numeric_limits<double>::quiet_NaN();
  double p_value = std::numeric_limits<double>::quiet_NaN();
};

struct RunResult {
  std::string protocol;  // "loo", "temporal", "cold", "cold_user", "session", "sampled"
  std::string split;     // "test" or "valid"
  std::string label;     // human description, always says "SAMPLED" for the sampled protocol
  bool sampled = false;
  bool full_catalog = true;
  bool exclude_history = false;
  int64_t num_queries = 0, num_users = 0;
  int64_t num_candidates = 0;        // the coverage universe: catalog size or distinct candidates
  std::string query_hash;            // hash of the (user, target, candidates) list: equal hashes = same queries
  std::string category_level;        // what the categories slice by ("department", "level 2", ...), "" = none
  std::vector<std::string> bucket_names;
  std::vector<ModelResult> models;
  std::vector<Comparison> comparisons;
  double seconds = 0;

  const ModelResult* model(const std::string& name) const {
    for (const auto& m : models)
      if (m.name == name) return &m;
    return nullptr;
  }
};

struct AblationRow {
  std::string variant;      // "full", "no-text", ...
  std::string description;  // what was switched off
  std::string settings;     // the training overrides that produced it
  std::string model_dir;
  std::map<std::string, Interval> metrics;  // of the variant's best strategy on the ablation protocol
  std::string strategy;
};

struct TrainingCurve {
  std::string model;
  std::string path;
  std::vector<std::map<std::string, double>> records;  // numeric fields of each JSONL line, in order
};

struct DatasetSummary {
  std::string dir, source_format, source_path, fingerprint;
  int64_t num_users = 0, num_items = 0, num_events = 0;
  bool has_time = false, has_event_types = false, has_categories = false;
  int32_t num_cold_items = 0;
  int32_t num_cold_users = 0;
};

struct EvalResults {
  int schema_version = kMetricsSchemaVersion;
  std::string created;        // ISO-8601 UTC
  std::string stars_version;
  std::string command;        // the command line
  DatasetSummary dataset;
  std::string config_json;    // resolved EvalConfig
  std::string config_hash;
  int threads = 1;
  std::vector<RunResult> runs;
  std::string ablation_protocol;  // "" = no ablation table
  std::vector<AblationRow> ablations;
  std::vector<TrainingCurve> training_curves;
  std::map<std::string, double> timing;  // seconds: "total", "<protocol>/<model>", ...
};

// Names of the per-query metrics for cut-offs ks: hit@K..., ndcg@K..., mrr (recall@K mirrors hit@K).
std::vector<std::string> rank_metric_names(const std::vector<int>& ks);

}  // namespace stars::eval
