#include "stars/eval/text_report.h"

#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "stars/core/random.h"
#include "stars/eval/statistics.h"
#include "stars/eval/summarize.h"

namespace stars::eval {

namespace {

std::string num(double v, int digits = 4) {
  if (!std::isfinite(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::string with_ci(const Interval& v) {
  std::string s = num(v.value);
  if (v.has_interval()) s += " [" + num(v.lo) + "," + num(v.hi) + "]";
  return s;
}

std::string pad(const std::string& s, size_t w) { return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' '); }

const Interval* find_metric(const StrategyResult& s, const std::string& m) {
  const auto it = s.metrics.find(m);
  return it == s.metrics.end() ? nullptr : &it->second;
}

}  // namespace

std::string format_run_table(const RunResult& run) {
  std::ostringstream o;
  o << run.label << ": " << run.num_queries << " queries, " << run.num_users << " users\n";
  std::vector<std::string> cols;
  for (const char* m : {"recall@10", "ndcg@10", "recall@20", "ndcg@20", "mrr"}) {
    bool any = false;
    for (const auto& mr : run.models)
      for (const auto& s : mr.strategies) any |= find_metric(s, m) != nullptr;
    if (any) cols.push_back(m);
  }
  o << "  " << pad("model/strategy", 30);
  for (const auto& c : cols) o << pad(c, c == "mrr" ? 26 : 26);
  o << "seconds\n";
  for (const auto& mr : run.models)
    for (const auto& s : mr.strategies) {
      o << "  " << pad(mr.name + "/" + s.name, 30);
      for (const auto& c : cols) {
        const Interval* v = find_metric(s, c);
        o << pad(v ? with_ci(*v) : "-", 26);
      }
      o << num(mr.prepare_seconds + mr.score_seconds, 2) << "\n";
    }
  for (const auto& c : run.comparisons) {
    if (c.metric != run.comparisons.front().metric) continue;
    o << "  " << pad(c.a + " - " + c.b, 46) << c.metric << " diff " << (c.diff > 0 ? "+" : "") << num(c.diff) << " ["
      << num(c.lo) << "," << num(c.hi) << "] p=" << num(c.p_value, 4) << "\n";
  }
  return o.str();
}

std::string format_comparison(const EvalResults& a, const EvalResults& b, const std::vector<RunRanks>* ranks_a,
                              const std::vector<RunRanks>* ranks_b, const std::vector<std::string>& metrics,
                              const EvalConfig& config) {
  std::ostringstream o;
  o << "A: " << a.dataset.dir << " (" << a.created << ", config " << a.config_hash << ")\n";
  o << "B: " << b.dataset.dir << " (" << b.created << ", config " << b.config_hash << ")\n";
  if (a.dataset.fingerprint != b.dataset.fingerprint)
    o << "note: the datasets differ (fingerprints " << a.dataset.fingerprint << " vs " << b.dataset.fingerprint
      << "); differences are not paired\n";
  size_t matched = 0;
  for (const auto& ra : a.runs) {
    const RunResult* rb = nullptr;
    for (const auto& r : b.runs)
      if (r.protocol == ra.protocol && r.split == ra.split) rb = &r;
    if (!rb) continue;
    const RunRanks *ka = nullptr, *kb = nullptr;
    if (ranks_a && ranks_b && ra.query_hash == rb->query_hash) {
      for (const auto& k : *ranks_a)
        if (k.protocol == ra.protocol && k.split == ra.split && k.query_hash == ra.query_hash) ka = &k;
      for (const auto& k : *ranks_b)
        if (k.protocol == rb->protocol && k.split == rb->split && k.query_hash == rb->query_hash) kb = &k;
    }
    const bool paired = ka && kb && ka->users == kb->users;
    o << "\n" << ra.label << "  [" << (paired ? "paired on the same " + std::to_string(ra.num_queries) + " queries" : "unpaired")
      << "]\n";
    o << "  " << pad("model/strategy", 30) << pad("metric", 11) << pad("A", 26) << pad("B", 26) << pad("B - A", 11)
      << pad("interval", 20) << "p\n";
    for (const auto& ma : ra.models) {
      const ModelResult* mb = rb->model(ma.name);
      if (!mb) continue;
      for (const auto& sa : ma.strategies) {
        const StrategyResult* sb = mb->strategy(sa.name);
        if (!sb) continue;
        for (const auto& m : metrics) {
          const Interval* va = find_metric(sa, m);
          const Interval* vb = find_metric(*sb, m);
          if (!va || !vb) continue;
          ++matched;
          const std::string key = ma.name + "/" + sa.name;
          std::string interval = "-", p = "-";
          double diff = vb->value - va->value;
          if (paired && ka->ranks.count(key) && kb->ranks.count(key)) {
            std::vector<double> sa_u, sb_u, cnt;
            per_user_sums(ka->users, ka->ranks.at(key), m, sa_u, cnt);
            per_user_sums(kb->users, kb->ranks.at(key), m, sb_u, cnt);
            const PairedResult pr = paired_difference(sb_u, sa_u, cnt, config.bootstrap_samples,
                                                      config.permutation_samples, config.confidence,
                                                      derive_seed(config.seed, 0xC0));
            diff = pr.diff;
            interval = "[" + num(pr.lo) + "," + num(pr.hi) + "]";
            p = num(pr.p_value, 4);
          }
          o << "  " << pad(key, 30) << pad(m, 11) << pad(with_ci(*va), 26) << pad(with_ci(*vb), 26)
            << pad((diff > 0 ? "+" : "") + num(diff), 11) << pad(interval, 20) << p << "\n";
        }
      }
    }
  }
  if (matched == 0) o << "\nno (protocol, split, model, strategy, metric) is present in both files\n";
  return o.str();
}

std::string format_ablation_table(const EvalResults& r) {
  std::ostringstream o;
  if (r.ablations.empty()) return "";
  o << "Ablations (" << r.ablation_protocol << "), paper Table 3:\n";
  o << "  " << pad("variant", 22) << pad("Recall@10", 28) << pad("NDCG@10", 28) << "vs full\n";
  double full = std::nan("");
  for (const auto& a : r.ablations)
    if (a.variant == "full" && a.metrics.count("recall@10")) full = a.metrics.at("recall@10").value;
  for (const auto& a : r.ablations) {
    auto get = [&](const char* k) { return a.metrics.count(k) ? with_ci(a.metrics.at(k)) : std::string("-"); };
    o << "  " << pad(a.variant, 22) << pad(get("recall@10"), 28) << pad(get("ndcg@10"), 28);
    if (a.variant != "full" && std::isfinite(full) && full > 0 && a.metrics.count("recall@10")) {
      const double d = 100.0 * (a.metrics.at("recall@10").value / full - 1.0);
      o << (d > 0 ? "+" : "") << num(d, 1) << "%";
    }
    o << "\n";
  }
  return o.str();
}

}  // namespace stars::eval
