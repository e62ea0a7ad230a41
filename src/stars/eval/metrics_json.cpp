#include "stars/eval/metrics_json.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"

namespace stars::eval {

namespace {

using nlohmann::json;
constexpr const char* kSchemaName = "stars-eval-metrics";

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double get_num(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nan("");
  return j.at(key).get<double>();
}

json interval_json(const Interval& v) { return json{{"value", num(v.value)}, {"lo", num(v.lo)}, {"hi", num(v.hi)}}; }
Interval interval_from(const json& j) { return Interval{get_num(j, "value"), get_num(j, "lo"), get_num(j, "hi")}; }

json metrics_json(const std::map<std::string, Interval>& m) {
  json o = json::object();
  for (const auto& [k, v] : m) o[k] = interval_json(v);
  return o;
}
std::map<std::string, Interval> metrics_from(const json& j) {
  std::map<std::string, Interval> m;
  for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = interval_from(it.value());
  return m;
}

json slices_json(const std::vector<SliceResult>& v) {
  json a = json::array();
  for (const auto& s : v) a.push_back({{"name", s.name}, {"count", s.count}, {"metrics", metrics_json(s.metrics)}});
  return a;
}
std::vector<SliceResult> slices_from(const json& j) {
  std::vector<SliceResult> v;
  for (const auto& s : j) v.push_back({s.at("name").get<std::string>(), s.at("count").get<int64_t>(), metrics_from(s.at("metrics"))});
  return v;
}

json doubles_json(const std::map<std::string, double>& m) {
  json o = json::object();
  for (const auto& [k, v] : m) o[k] = num(v);
  return o;
}
std::map<std::string, double> doubles_from(const json& j) {
  std::map<std::string, double> m;
  for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = it.value().is_null() ? std::nan("") : it.value().get<double>();
  return m;
}

}  // namespace

std::string results_to_json(const EvalResults& r) {
  json j;
  j["schema"] = kSchemaName;
  j["schema_version"] = r.schema_version;
  j["created"] = r.created;
  j["stars_version"] = r.stars_version;
  j["command"] = r.command;
  const auto& d = r.dataset;
  j["dataset"] = {{"dir", d.dir},
                  {"source_format", d.source_format},
                  {"source_path", d.source_path},
                  {"fingerprint", d.fingerprint},
                  {"num_users", d.num_users},
                  {"num_items", d.num_items},
                  {"num_events", d.num_events},
                  {"has_time", d.has_time},
                  {"has_event_types", d.has_event_types},
                  {"has_categories", d.has_categories},
                  {"num_cold_items", d.num_cold_items},
                  {"num_cold_users", d.num_cold_users}};
  j["config"] = r.config_json.empty() ? json::object() : json::parse(r.config_json);
  j["config_hash"] = r.config_hash;
  j["threads"] = r.threads;
  j["timing"] = doubles_json(r.timing);
  json runs = json::array();
  for (const auto& run : r.runs) {
    json jr;
    jr["protocol"] = run.protocol;
    jr["split"] = run.split;
    jr["label"] = run.label;
    jr["sampled"] = run.sampled;
    jr["full_catalog"] = run.full_catalog;
    jr["exclude_history"] = run.exclude_history;
    jr["num_queries"] = run.num_queries;
    jr["num_users"] = run.num_users;
    jr["num_candidates"] = run.num_candidates;
    jr["query_hash"] = run.query_hash;
    jr["category_level"] = run.category_level;
    jr["bucket_names"] = run.bucket_names;
    jr["seconds"] = num(run.seconds);
    json models = json::array();
    for (const auto& m : run.models) {
      json jm = {{"name", m.name},
                 {"kind", m.kind},
                 {"source", m.source},
                 {"model_hash", m.model_hash},
                 {"config_hash", m.config_hash},
                 {"prepare_seconds", num(m.prepare_seconds)},
                 {"score_seconds", num(m.score_seconds)},
                 {"info", doubles_json(m.info)}};
      json strategies = json::array();
      for (const auto& s : m.strategies)
        strategies.push_back({{"name", s.name},
                              {"metrics", metrics_json(s.metrics)},
                              {"buckets", slices_json(s.buckets)},
                              {"categories", slices_json(s.categories)}});
      jm["strategies"] = strategies;
      models.push_back(jm);
    }
    jr["models"] = models;
    json comps = json::array();
    for (const auto& c : run.comparisons)
      comps.push_back({{"a", c.a},
                       {"b", c.b},
                       {"metric", c.metric},
                       {"a_value", num(c.a_value)},
                       {"b_value", num(c.b_value)},
                       {"diff", num(c.diff)},
                       {"lo", num(c.lo)},
                       {"hi", num(c.hi)},
                       {"p_value", num(c.p_value)}});
    jr["comparisons"] = comps;
    runs.push_back(jr);
  }
  j["runs"] = runs;
  if (!r.ablation_protocol.empty()) {
    json rows = json::array();
    for (const auto& a : r.ablations)
      rows.push_back({{"variant", a.variant},
                      {"description", a.description},
                      {"settings", a.settings},
                      {"model_dir", a.model_dir},
                      {"strategy", a.strategy},
                      {"metrics", metrics_json(a.metrics)}});
    j["ablation"] = {{"protocol", r.ablation_protocol}, {"rows", rows}};
  }
  json curves = json::array();
  for (const auto& c : r.training_curves) {
    json recs = json::array();
    for (const auto& rec : c.records) recs.push_back(doubles_json(rec));
    curves.push_back({{"model", c.model}, {"path", c.path}, {"records", recs}});
  }
  j["training_curves"] = curves;
  return j.dump(2) + "\n";
}

EvalResults results_from_json(const std::string& text, const std::string& where) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    STARS_THROW(kCorrupt, where << ": invalid JSON: " << e.what());
  }
  STARS_CHECK_DATA(j.is_object() && j.value("schema", "") == kSchemaName,
                   where << ": not a STARS metrics file (expected \"schema\": \"" << kSchemaName << "\")");
  const int version = j.value("schema_version", 0);
  STARS_CHECK_DATA(version >= 1 && version <= kMetricsSchemaVersion,
                   where << ": metrics schema version " << version << " is not supported (this build reads 1.."
                         << kMetricsSchemaVersion << ")");
  EvalResults r;
  try {
    r.schema_version = version;
    r.created = j.value("created", "");
    r.stars_version = j.value("stars_version", "");
    r.command = j.value("command", "");
    const json& d = j.at("dataset");
    r.dataset.dir = d.value("dir", "");
    r.dataset.source_format = d.value("source_format", "");
    r.dataset.source_path = d.value("source_path", "");
    r.dataset.fingerprint = d.value("fingerprint", "");
    r.dataset.num_users = d.value("num_users", int64_t{0});
    r.dataset.num_items = d.value("num_items", int64_t{0});
    r.dataset.num_events = d.value("num_events", int64_t{0});
    r.dataset.has_time = d.value("has_time", false);
    r.dataset.has_event_types = d.value("has_event_types", false);
    r.dataset.has_categories = d.value("has_categories", false);
    r.dataset.num_cold_items = d.value("num_cold_items", 0);
    r.dataset.num_cold_users = d.value("num_cold_users", 0);  // absent before cold users
    r.config_json = j.at("config").dump(2);
    r.config_hash = j.value("config_hash", "");
    r.threads = j.value("threads", 1);
    if (j.contains("timing")) r.timing = doubles_from(j.at("timing"));
    for (const auto& jr : j.at("runs")) {
      RunResult run;
      run.protocol = jr.at("protocol").get<std::string>();
      run.split = jr.at("split").get<std::string>();
      run.label = jr.value("label", "");
      run.sampled = jr.value("sampled", false);
      run.full_catalog = jr.value("full_catalog", true);
      run.exclude_history = jr.value("exclude_history", false);
      run.num_queries = jr.value("num_queries", int64_t{0});
      run.num_users = jr.value("num_users", int64_t{0});
      run.num_candidates = jr.value("num_candidates", int64_t{0});
      run.query_hash = jr.value("query_hash", "");
      run.category_level = jr.value("category_level", "");
      run.bucket_names = jr.value("bucket_names", std::vector<std::string>{});
      run.seconds = get_num(jr, "seconds");
      for (const auto& jm : jr.at("models")) {
        ModelResult m;
        m.name = jm.at("name").get<std::string>();
        m.kind = jm.value("kind", "");
        m.source = jm.value("source", "");
        m.model_hash = jm.value("model_hash", "");
        m.config_hash = jm.value("config_hash", "");
        m.prepare_seconds = get_num(jm, "prepare_seconds");
        m.score_seconds = get_num(jm, "score_seconds");
        if (jm.contains("info")) m.info = doubles_from(jm.at("info"));
        for (const auto& js : jm.at("strategies")) {
          StrategyResult s;
          s.name = js.at("name").get<std::string>();
          s.metrics = metrics_from(js.at("metrics"));
          if (js.contains("buckets")) s.buckets = slices_from(js.at("buckets"));
          if (js.contains("categories")) s.categories = slices_from(js.at("categories"));
          m.strategies.push_back(std::move(s));
        }
        run.models.push_back(std::move(m));
      }
      if (jr.contains("comparisons"))
        for (const auto& jc : jr.at("comparisons")) {
          Comparison c;
          c.a = jc.at("a").get<std::string>();
          c.b = jc.at("b").get<std::string>();
          c.metric = jc.at("metric").get<std::string>();
          c.a_value = get_num(jc, "a_value");
          c.b_value = get_num(jc, "b_value");
          c.diff = get_num(jc, "diff");
          c.lo = get_num(jc, "lo");
          c.hi = get_num(jc, "hi");
          c.p_value = get_num(jc, "p_value");
          run.comparisons.push_back(c);
        }
      r.runs.push_back(std::move(run));
    }
    if (j.contains("ablation")) {
      r.ablation_protocol = j.at("ablation").value("protocol", "");
      for (const auto& ja : j.at("ablation").at("rows")) {
        AblationRow a;
        a.variant = ja.at("variant").get<std::string>();
        a.description = ja.value("description", "");
        a.settings = ja.value("settings", "");
        a.model_dir = ja.value("model_dir", "");
        a.strategy = ja.value("strategy", "");
        a.metrics = metrics_from(ja.at("metrics"));
        r.ablations.push_back(std::move(a));
      }
    }
    if (j.contains("training_curves"))
      for (const auto& jc : j.at("training_curves")) {
        TrainingCurve c;
        c.model = jc.value("model", "");
        c.path = jc.value("path", "");
        for (const auto& rec : jc.at("records")) c.records.push_back(doubles_from(rec));
        r.training_curves.push_back(std::move(c));
      }
  } catch (const json::exception& e) {
    STARS_THROW(kCorrupt, where << ": malformed metrics file: " << e.what());
  }
  return r;
}

void write_metrics_json(const std::string& path, const EvalResults& results) {
  write_text_file(path, results_to_json(results));
}

EvalResults read_metrics_json(const std::string& path) {
  const std::string file = is_directory(path) ? path_join(path, "metrics.json") : path;
  return results_from_json(read_text_file(file), file);
}

}  // namespace stars::eval
