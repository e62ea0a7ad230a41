#include "stars/eval/text_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "stars/core/error.h"
#include "stars/core/random.h"
#include "stars/core/strings.h"
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

// A difference with its sign: "+0.0120", "-3.1" (digits 1).
std::string signed_num(double v, int digits = 4) { return (v > 0 ? "+" : "") + num(v, digits); }

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
    o << "  " << pad(c.a + " - " + c.b, 46) << c.metric << " diff " << signed_num(c.diff) << " ["
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
            << pad(signed_num(diff), 11) << pad(interval, 20) << p << "\n";
        }
      }
    }
  }
  if (matched == 0) o << "\nno (protocol, split, model, strategy, metric) is present in both files\n";
  return o.str();
}

std::string format_pooled(const std::vector<std::string>& names, const std::vector<std::vector<RunRanks>>& ranks,
                          const std::string& reference, const std::vector<std::string>& metrics,
                          const EvalConfig& config) {
  STARS_CHECK_ARG(ranks.size() >= 2 && names.size() == ranks.size(), "pooling needs at least two evaluations");
  const size_t n_eval = ranks.size();
  std::ostringstream o;
  o << "pooled over " << n_eval << " evaluations of the same queries: " << join(names, ", ") << "\n";
  size_t shared_runs = 0, pooled_runs = 0;
  std::set<std::string> known;  // model/strategy of shared runs without the reference, for the error
  for (const RunRanks& run : ranks[0]) {
    // The same run in every evaluation: same protocol, split, query hash and query users.
    std::vector<const RunRanks*> same{&run};
    for (size_t e = 1; e < n_eval; ++e)
      for (const RunRanks& r : ranks[e])
        if (r.protocol == run.protocol && r.split == run.split && r.query_hash == run.query_hash && r.users == run.users)
          same.push_back(&r);
    const std::string label = run.protocol + " (" + run.split + ")";
    if (same.size() != n_eval) {
      o << "\n" << label << ": not in every evaluation with the same queries, skipped\n";
      continue;
    }
    ++shared_runs;
    const auto in_all = [&](const std::string& key) {
      for (const RunRanks* r : same)
        if (r->ranks.count(key) == 0) return false;
      return true;
    };
    if (!in_all(reference)) {
      for (const auto& kv : run.ranks) known.insert(kv.first);
      o << "\n" << label << ": " << reference << " is not in every evaluation's run, skipped\n";
      continue;
    }
    ++pooled_runs;
    std::vector<std::string> keys{reference};  // model/strategy in every evaluation, the reference first
    for (const auto& kv : run.ranks)
      if (kv.first != reference && in_all(kv.first)) keys.push_back(kv.first);
    o << "\n" << label << "  [" << run.users.size() << " queries, pooled over " << n_eval << "]\n";
    o << "  " << pad("model/strategy", 30) << pad("metric", 11) << pad("pooled", 10) << pad("- " + reference, 12)
      << pad("relative", 10) << pad("interval", 20) << "p\n";
    for (const std::string& m : metrics) {
      // Per user: the metric sum over the user's queries, averaged over the evaluations.
      // Per evaluation: the metric itself, for the comparison over evaluations (training seeds).
      std::vector<std::vector<double>> avg(keys.size()), per_eval(keys.size());
      std::vector<double> counts;
      for (size_t k = 0; k < keys.size(); ++k)
        for (const RunRanks* r : same) {
          std::vector<double> sums, cnt;
          per_user_sums(r->users, r->ranks.at(keys[k]), m, sums, cnt);
          if (avg[k].empty()) avg[k].assign(sums.size(), 0.0);
          double sum = 0, n = 0;
          for (size_t u = 0; u < sums.size(); ++u) {
            avg[k][u] += sums[u] / static_cast<double>(n_eval);
            sum += sums[u];
            n += cnt[u];
          }
          per_eval[k].push_back(n > 0 ? sum / n : 0.0);
          counts = cnt;
        }
      const std::vector<std::vector<double>> others(avg.begin() + 1, avg.end());
      const std::vector<PairedResult> pr =
          paired_differences(others, avg[0], counts, config.bootstrap_samples, config.permutation_samples,
                             config.confidence, derive_seed(config.seed, 0xB001));
      double total = 0, ref = 0;
      for (size_t u = 0; u < counts.size(); ++u) {
        total += counts[u];
        ref += avg[0][u];
      }
      ref /= std::max(total, 1.0);
      o << "  " << pad(keys[0], 30) << pad(m, 11) << pad(num(ref), 10) << "\n";
      for (size_t k = 0; k < pr.size(); ++k) {
        const PairedResult& p = pr[k];
        const std::string rel = ref > 0 ? signed_num(100.0 * p.diff / ref, 1) + "%" : "-";
        o << "  " << pad(keys[k + 1], 30) << pad(m, 11) << pad(num(p.a), 10) << pad(signed_num(p.diff), 12)
          << pad(rel, 10) << pad("[" + num(p.lo) + "," + num(p.hi) + "]", 20) << num(p.p_value, 4) << "\n";
        // The same comparison with evaluations as the units: does it hold from seed to seed?
        std::vector<double> d(n_eval);
        int lower = 0, higher = 0;
        o << "    per evaluation:";
        for (size_t e = 0; e < n_eval; ++e) {
          d[e] = per_eval[k + 1][e] - per_eval[0][e];
          lower += d[e] < 0;
          higher += d[e] > 0;
          const double base = per_eval[0][e];
          o << " " << (base > 0 ? signed_num(100.0 * d[e] / base, 1) + "%" : signed_num(d[e]));
        }
        o << "; lower in " << lower << ", higher in " << higher << " of " << n_eval << "; sign-flip over evaluations p "
          << num(sign_flip_pvalue(d, config.permutation_samples, derive_seed(config.seed, 0xB002)), 4) << "\n";
      }
    }
  }
  STARS_CHECK_ARG(shared_runs > 0, "pooling: no protocol run has the same queries in every evaluation");
  STARS_CHECK_ARG(pooled_runs > 0, "pooling: reference '" << reference << "' is not in every evaluation of any shared run "
                                                            << "(model/strategy there: "
                                                            << join(std::vector<std::string>(known.begin(), known.end()), ", ") << ")");
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
      o << signed_num(d, 1) << "%";
    }
    o << "\n";
  }
  return o.str();
}

}  // namespace stars::eval
