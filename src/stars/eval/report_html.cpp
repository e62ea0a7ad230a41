#include "stars/eval/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "stars/core/mmap_file.h"
#include "stars/eval/svg_chart.h"

namespace stars::eval {

namespace {

const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1180px;color:#1d1d1f;background:#fafafa;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 6px;border-bottom:2px solid #4e79a7;padding-bottom:4px}
h3{font-size:15px;margin:20px 0 6px}.sub{color:#555;font-size:13px}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0;background:#fff}
th,td{border:1px solid #ddd;padding:4px 7px;text-align:right;white-space:nowrap}th{background:#f0f3f7}
td.l,th.l{text-align:left}.ci{color:#777;font-size:10.5px;display:block}.best{font-weight:700;background:#eef6ee}
.warn{background:#fff3cd;border:1px solid #e0c36a;padding:6px 10px;font-size:13px;margin:6px 0}
.chart{display:block;margin:10px 0;border:1px solid #e5e5e5}.charts{display:flex;flex-wrap:wrap;gap:10px}
svg text.ct{font-size:14px;font-weight:600;fill:#222}svg text.ca{font-size:11px;fill:#444}
svg text.cx{font-size:11px;fill:#333}svg text.cl{font-size:11.5px;fill:#333}
.wrap{white-space:normal;word-break:break-all;max-width:1040px}.pos{color:#1a7f37}.neg{color:#b42318}code{background:#eef;padding:1px 4px}
)";

std::string f4(double v) {
  if (!std::isfinite(v)) return "–";
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  return b;
}
std::string f2(double v) {
  if (!std::isfinite(v)) return "–";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}
std::string pval(double p) {
  if (!std::isfinite(p)) return "–";
  char b[32];
  std::snprintf(b, sizeof b, p < 0.001 ? "%.1e" : "%.3f", p);
  return b;
}

std::string cell(const Interval& v, bool best) {
  std::string s = std::string("<td") + (best ? " class=\"best\"" : "") + ">" + f4(v.value);
  if (v.has_interval()) s += "<span class=\"ci\">[" + f4(v.lo) + ", " + f4(v.hi) + "]</span>";
  return s + "</td>";
}

BarValue bar(const Interval* v) {
  if (!v) return BarValue{};
  return BarValue{v->value, v->lo, v->hi};
}

const Interval* metric(const StrategyResult& s, const std::string& m) {
  const auto it = s.metrics.find(m);
  return it == s.metrics.end() ? nullptr : &it->second;
}

// The strategy a model is represented by in per-slice charts: interleave for encoders, else the first.
const StrategyResult& main_strategy(const ModelResult& m) {
  for (const auto& s : m.strategies)
    if (s.name == "interleave") return s;
  return m.strategies.front();
}

std::string row_name(const ModelResult& m, const StrategyResult& s) {
  return m.strategies.size() > 1 ? m.name + " · " + s.name : m.name;
}

// The K used in headline charts: 10 if computed, else the largest K <= 10, else the smallest.
int headline_k(const RunResult& run) {
  std::set<int> ks;
  for (const auto& m : run.models)
    for (const auto& s : m.strategies)
      for (const auto& [name, v] : s.metrics)
        if (name.rfind("ndcg@", 0) == 0) ks.insert(std::stoi(name.substr(5)));
  if (ks.empty()) return 10;
  if (ks.count(10)) return 10;
  int best = *ks.begin();
  for (int k : ks)
    if (k <= 10) best = k;
  return best;
}

std::vector<int> run_ks(const RunResult& run) {
  std::set<int> ks;
  for (const auto& m : run.models)
    for (const auto& s : m.strategies)
      for (const auto& [name, v] : s.metrics)
        if (name.rfind("ndcg@", 0) == 0) ks.insert(std::stoi(name.substr(5)));
  return {ks.begin(), ks.end()};
}

void metrics_table(std::ostringstream& o, const RunResult& run) {
  // The table shows K in {5, 10, 20} (every K is in metrics.json) to stay readable.
  std::vector<int> ks;
  for (int k : run_ks(run))
    if (k == 5 || k == 10 || k == 20) ks.push_back(k);
  if (ks.empty()) ks = run_ks(run);
  if (ks.size() > 3) ks.resize(3);
  std::vector<std::string> cols;
  for (int k : ks) cols.push_back("recall@" + std::to_string(k));
  for (int k : ks) cols.push_back("ndcg@" + std::to_string(k));
  cols.push_back("mrr");
  const std::vector<int> all_ks = run_ks(run);
  const int ck = std::count(all_ks.begin(), all_ks.end(), 10) ? 10 : (all_ks.empty() ? 10 : all_ks.back());
  cols.push_back("coverage@" + std::to_string(ck));
  std::vector<double> best(cols.size(), -1);
  for (const auto& m : run.models)
    for (const auto& s : m.strategies)
      for (size_t c = 0; c < cols.size(); ++c)
        if (const Interval* v = metric(s, cols[c])) best[c] = std::max(best[c], v->value);
  o << "<table class=\"metrics\"><tr><th class=\"l\">model</th><th class=\"l\">strategy</th>";
  for (const auto& c : cols) {
    std::string h = c;
    if (h.rfind("recall", 0) == 0) h = "Recall" + h.substr(6);
    else if (h.rfind("ndcg", 0) == 0) h = "NDCG" + h.substr(4);
    else if (h == "mrr") h = "MRR";
    else h = "Coverage" + h.substr(8);
    o << "<th>" << h << "</th>";
  }
  o << "</tr>";
  for (const auto& m : run.models)
    for (const auto& s : m.strategies) {
      o << "<tr><td class=\"l\">" << html_escape(m.name) << "</td><td class=\"l\">" << html_escape(s.name) << "</td>";
      for (size_t c = 0; c < cols.size(); ++c) {
        const Interval* v = metric(s, cols[c]);
        if (!v) {
          o << "<td>–</td>";
          continue;
        }
        o << cell(*v, v->value >= best[c] - 1e-12 && best[c] > 0);
      }
      o << "</tr>";
    }
  o << "</table>";
}

void headline_chart(std::ostringstream& o, const RunResult& run, const std::string& id) {
  // The session protocol reports Hit@5 as the paper does; the others NDCG and Recall at 10.
  const std::vector<int> ks = run_ks(run);
  const bool session = run.protocol == "session" && std::count(ks.begin(), ks.end(), 5);
  const int k = session ? 5 : headline_k(run);
  const std::string recall_name = (session ? "Hit@" : "Recall@") + std::to_string(k);
  BarChart c;
  c.id = id;
  c.title = "NDCG@" + std::to_string(k) + " and " + recall_name + " (" + run.protocol + ", " + run.split +
            ") with confidence intervals";
  c.y_label = "metric";
  c.series = {"NDCG@" + std::to_string(k), recall_name};
  for (const auto& m : run.models)
    for (const auto& s : m.strategies) {
      c.groups.push_back(row_name(m, s));
      c.values.push_back({bar(metric(s, "ndcg@" + std::to_string(k))), bar(metric(s, "recall@" + std::to_string(k)))});
    }
  c.width = std::max(880, static_cast<int>(c.groups.size()) * 70 + 80);
  o << render_bar_chart(c);
}

void comparisons_table(std::ostringstream& o, const RunResult& run) {
  if (run.comparisons.empty()) return;
  o << "<h3>Paired comparisons with " << html_escape(run.comparisons.front().b)
    << " (same queries; bootstrap interval of the difference over users, sign-flip randomisation p-value)</h3>";
  o << "<table><tr><th class=\"l\">model</th><th class=\"l\">metric</th><th>model</th><th>reference</th><th>difference</th>"
       "<th>interval</th><th>p</th></tr>";
  for (const auto& c : run.comparisons) {
    const bool sig = std::isfinite(c.lo) && std::isfinite(c.hi) && (c.lo > 0 || c.hi < 0);
    o << "<tr><td class=\"l\">" << html_escape(c.a) << "</td><td class=\"l\">" << html_escape(c.metric) << "</td><td>"
      << f4(c.a_value) << "</td><td>" << f4(c.b_value) << "</td><td class=\"" << (sig ? (c.diff > 0 ? "pos" : "neg") : "")
      << "\">" << (c.diff > 0 ? "+" : "") << f4(c.diff) << "</td><td>[" << f4(c.lo) << ", " << f4(c.hi) << "]</td><td>"
      << pval(c.p_value) << "</td></tr>";
  }
  o << "</table>";
}

std::string first_slice_metric(const RunResult& run, bool buckets) {
  for (const auto& m : run.models)
    for (const auto& s : m.strategies) {
      const auto& v = buckets ? s.buckets : s.categories;
      if (!v.empty() && !v.front().metrics.empty()) {
        return v.front().metrics.count("hit@5") ? "hit@5" : v.front().metrics.begin()->first;
      }
    }
  return "hit@5";
}

void buckets_section(std::ostringstream& o, const RunResult& run, const std::string& id) {
  if (run.bucket_names.empty() || run.models.empty()) return;
  const std::string m = first_slice_metric(run, true);
  std::string M = m;
  if (M.rfind("hit", 0) == 0) M = "Hit" + M.substr(3);
  o << "<h3>" << M << " by candidate-set size (paper Figure 5)</h3>";
  BarChart c;
  c.id = id;
  c.title = M + " by the number of unique products in the session";
  c.y_label = M;
  for (const auto& mr : run.models) c.series.push_back(mr.name);
  for (size_t b = 0; b < run.bucket_names.size(); ++b) {
    const auto& first = main_strategy(run.models.front());
    c.groups.push_back(run.bucket_names[b] + (b < first.buckets.size() ? " (n=" + std::to_string(first.buckets[b].count) + ")" : ""));
    std::vector<BarValue> row;
    for (const auto& mr : run.models) {
      const auto& s = main_strategy(mr);
      row.push_back(b < s.buckets.size() && s.buckets[b].metrics.count(m) ? bar(&s.buckets[b].metrics.at(m)) : BarValue{});
    }
    c.values.push_back(row);
  }
  o << render_bar_chart(c);
}

void slice_table(std::ostringstream& o, const RunResult& run, bool buckets) {
  const std::string m = first_slice_metric(run, buckets);
  const auto& first = main_strategy(run.models.front());
  const auto& rows = buckets ? first.buckets : first.categories;
  if (rows.empty()) return;
  o << "<table><tr><th class=\"l\">" << (buckets ? "candidates" : html_escape(run.category_level)) << "</th><th>queries</th>";
  for (const auto& mr : run.models) o << "<th>" << html_escape(mr.name) << "</th>";
  o << "</tr>";
  for (size_t r = 0; r < rows.size(); ++r) {
    double best = -1;
    for (const auto& mr : run.models) {
      const auto& v = buckets ? main_strategy(mr).buckets : main_strategy(mr).categories;
      if (r < v.size() && v[r].metrics.count(m)) best = std::max(best, v[r].metrics.at(m).value);
    }
    o << "<tr><td class=\"l\">" << html_escape(rows[r].name) << "</td><td>" << rows[r].count << "</td>";
    for (const auto& mr : run.models) {
      const auto& v = buckets ? main_strategy(mr).buckets : main_strategy(mr).categories;
      if (r < v.size() && v[r].metrics.count(m)) o << cell(v[r].metrics.at(m), v[r].metrics.at(m).value >= best - 1e-12 && best > 0);
      else o << "<td>–</td>";
    }
    o << "</tr>";
  }
  o << "</table><p class=\"sub\">" << html_escape(m) << " of each model's main strategy (interleave for STARS models).</p>";
}

void cold_section(std::ostringstream& o, const EvalResults& r) {
  const RunResult* cold = nullptr;
  for (const auto& run : r.runs)
    if (run.protocol == "cold") cold = &run;
  if (!cold) return;
  std::vector<int> ks = run_ks(*cold);
  int k = 20;
  if (!std::count(ks.begin(), ks.end(), 20) && !ks.empty()) k = ks.back();
  const std::string key = "recall@" + std::to_string(k);
  o << "<h2 id=\"cold\">Cold-item slice</h2><p class=\"sub\">" << cold->num_queries
    << " test targets that are cold items: no model or baseline saw any of their events in training; STARS scores them through "
       "the content path (text vector and tags, no learned offset). Full-catalog ranking.</p>";
  BarChart c;
  c.id = "cold-recall";
  c.title = "Recall@" + std::to_string(k) + " on never-seen target items";
  c.y_label = "Recall@" + std::to_string(k);
  c.series = {"Recall@" + std::to_string(k)};
  for (const auto& m : cold->models)
    for (const auto& s : m.strategies) {
      c.groups.push_back(row_name(m, s));
      c.values.push_back({bar(metric(s, key))});
    }
  c.width = std::max(880, static_cast<int>(c.groups.size()) * 70 + 100);
  o << render_bar_chart(c);
}

void ablation_section(std::ostringstream& o, const EvalResults& r) {
  if (r.ablations.empty()) return;
  o << "<h2 id=\"ablations\">Ablations (paper Table 3)</h2><p class=\"sub\">Each variant trained with one mechanism "
       "switched off, evaluated on the " << html_escape(r.ablation_protocol) << " protocol.</p>";
  BarChart c;
  c.id = "ablations";
  c.title = "Recall@10 and NDCG@10 per variant";
  c.y_label = "metric";
  c.series = {"Recall@10", "NDCG@10"};
  const AblationRow* full = nullptr;
  for (const auto& a : r.ablations)
    if (a.variant == "full") full = &a;
  for (const auto& a : r.ablations) {
    c.groups.push_back(a.variant);
    auto get = [&](const char* k) { const auto it = a.metrics.find(k); return it == a.metrics.end() ? BarValue{} : BarValue{it->second.value, it->second.lo, it->second.hi}; };
    c.values.push_back({get("recall@10"), get("ndcg@10")});
  }
  o << render_bar_chart(c);
  o << "<table><tr><th class=\"l\">variant</th><th class=\"l\">switched off</th><th class=\"l\">strategy</th><th>Recall@10</th>"
       "<th>NDCG@10</th><th>MRR</th><th>Δ Recall@10 vs full</th></tr>";
  for (const auto& a : r.ablations) {
    auto v = [&](const char* k) { const auto it = a.metrics.find(k); return it == a.metrics.end() ? Interval{std::nan("")} : it->second; };
    o << "<tr><td class=\"l\">" << html_escape(a.variant) << "</td><td class=\"l\">" << html_escape(a.description)
      << "</td><td class=\"l\">" << html_escape(a.strategy) << "</td>" << cell(v("recall@10"), false) << cell(v("ndcg@10"), false)
      << cell(v("mrr"), false);
    if (full && full != &a && full->metrics.count("recall@10") && full->metrics.at("recall@10").value > 0) {
      const double d = 100.0 * (v("recall@10").value / full->metrics.at("recall@10").value - 1.0);
      o << "<td class=\"" << (d < 0 ? "neg" : "pos") << "\">" << (d > 0 ? "+" : "") << f2(d) << "%</td>";
    } else {
      o << "<td>–</td>";
    }
    o << "</tr>";
  }
  o << "</table>";
}

void curves_section(std::ostringstream& o, const EvalResults& r) {
  bool any = false;
  for (const auto& c : r.training_curves) any |= !c.records.empty();
  if (!any) return;
  o << "<h2 id=\"training\">Training curves</h2>";
  for (const auto& curve : r.training_curves) {
    if (curve.records.empty()) continue;
    o << "<h3>" << html_escape(curve.model) << " <span class=\"sub\">" << html_escape(curve.path) << "</span></h3><div class=\"charts\">";
    std::string xkey;
    for (const char* k : {"epoch", "step", "iteration"})
      if (curve.records.front().count(k)) {
        xkey = k;
        break;
      }
    std::set<std::string> keys;
    for (const auto& rec : curve.records)
      for (const auto& [k, v] : rec) keys.insert(k);
    // What a reader looks for first: the losses and the validation metric training stops on, then the
    // schedule and speed; timing breakdowns are left out.
    const std::vector<std::string> preferred = {"loss", "loss_main", "valid.ndcg@10", "valid.recall@10",
                                                "lr", "tokens_per_second"};
    auto rank_key = [&](const std::string& k) {
      const auto it = std::find(preferred.begin(), preferred.end(), k);
      if (it != preferred.end()) return static_cast<int>(it - preferred.begin());
      return k.rfind("valid.", 0) == 0 ? 100 : 200;
    };
    std::vector<std::string> fields;
    for (const auto& k : keys) {
      if (k == xkey || k == "time" || k == "timestamp" || k == "epoch" || k == "step") continue;
      if (k.find("seconds") != std::string::npos || k.rfind("phase", 0) == 0) continue;
      std::vector<double> vals;
      for (const auto& rec : curve.records)
        if (rec.count(k) && std::isfinite(rec.at(k))) vals.push_back(rec.at(k));
      if (vals.size() < 1) continue;
      if (vals.size() > 1 && *std::max_element(vals.begin(), vals.end()) == *std::min_element(vals.begin(), vals.end())) continue;
      fields.push_back(k);
    }
    std::stable_sort(fields.begin(), fields.end(), [&](const std::string& a, const std::string& b) { return rank_key(a) < rank_key(b); });
    if (fields.size() > 6) fields.resize(6);
    size_t idx = 0;
    for (const auto& f : fields) {
      LineChart c;
      c.id = "curve-" + curve.model + "-" + f;
      c.title = f;
      c.x_label = xkey.empty() ? "record" : xkey;
      LineSeries s;
      s.name = f;
      for (size_t i = 0; i < curve.records.size(); ++i) {
        const auto& rec = curve.records[i];
        if (!rec.count(f)) continue;
        s.x.push_back(xkey.empty() || !rec.count(xkey) ? static_cast<double>(i + 1) : rec.at(xkey));
        s.y.push_back(rec.at(f));
      }
      c.series.push_back(s);
      (void)idx;
      o << render_line_chart(c);
      ++idx;
    }
    o << "</div>";
  }
}

}  // namespace

std::string render_report_html(const EvalResults& r) {
  std::ostringstream o;
  o << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>STARS evaluation: "
    << html_escape(r.dataset.dir) << "</title><style>" << kStyle << "</style></head><body>";
  o << "<h1>STARS evaluation</h1><p class=\"sub\">" << html_escape(r.dataset.dir) << " · " << r.dataset.num_users << " users · "
    << r.dataset.num_items << " items · " << r.dataset.num_events << " events · created " << html_escape(r.created) << " · stars "
    << html_escape(r.stars_version) << "</p>";
  o << "<table><tr><th class=\"l\">dataset</th><td class=\"l wrap\">" << html_escape(r.dataset.source_format) << " from "
    << html_escape(r.dataset.source_path) << " (fingerprint " << html_escape(r.dataset.fingerprint) << ")</td></tr>"
    << "<tr><th class=\"l\">command</th><td class=\"l wrap\"><code>" << html_escape(r.command) << "</code></td></tr>"
    << "<tr><th class=\"l\">config hash</th><td class=\"l\">" << html_escape(r.config_hash) << "</td></tr>"
    << "<tr><th class=\"l\">threads</th><td class=\"l\">" << r.threads << "</td></tr>";
  if (r.timing.count("total"))
    o << "<tr><th class=\"l\">total time</th><td class=\"l\">" << f2(r.timing.at("total")) << " s</td></tr>";
  o << "</table>";
  o << "<p class=\"sub\">Intervals: " << "percentile bootstrap over users. Recall@K equals Hit@K (one target per query). "
    << "Coverage@K: share of the candidate universe appearing in some top-K list.</p>";
  // Contents
  o << "<p class=\"sub\">Sections: ";
  for (size_t i = 0; i < r.runs.size(); ++i)
    o << "<a href=\"#run" << i << "\">" << html_escape(r.runs[i].protocol) << " (" << html_escape(r.runs[i].split) << ")</a> · ";
  bool has_cold = false, has_curves = false;
  for (const auto& run : r.runs) has_cold |= run.protocol == "cold";
  for (const auto& c : r.training_curves) has_curves |= !c.records.empty();
  if (has_cold) o << "<a href=\"#cold\">cold items</a> · ";
  if (!r.ablations.empty()) o << "<a href=\"#ablations\">ablations</a> · ";
  if (has_curves) o << "<a href=\"#training\">training</a>";
  o << "</p>";
  for (size_t i = 0; i < r.runs.size(); ++i) {
    const RunResult& run = r.runs[i];
    o << "<h2 id=\"run" << i << "\">" << html_escape(run.label) << "</h2>";
    if (run.sampled)
      o << "<div class=\"warn\">SAMPLED protocol: the target is ranked among a few sampled negatives. These numbers are "
           "several times higher than full-catalog ranking and are shown only for comparison with older papers.</div>";
    o << "<p class=\"sub\">" << run.num_queries << " queries from " << run.num_users << " users · "
      << (run.full_catalog ? "full catalog of " : "candidate universe of ") << run.num_candidates << " items"
      << (run.exclude_history ? " · history items excluded" : "") << " · query hash " << html_escape(run.query_hash) << " · "
      << f2(run.seconds) << " s</p>";
    metrics_table(o, run);
    headline_chart(o, run, "headline-" + run.protocol);
    comparisons_table(o, run);
    if (!run.bucket_names.empty()) {
      buckets_section(o, run, "buckets-" + run.protocol);
      slice_table(o, run, true);
    }
    if (!run.category_level.empty() && !run.models.empty() && !main_strategy(run.models.front()).categories.empty()) {
      o << "<h3>Per category of the target (" << html_escape(run.category_level) << ", paper Table 2)</h3>";
      slice_table(o, run, false);
    }
    // Scoring time per model.
    o << "<p class=\"sub\">Time per model (fit / score, s): ";
    for (const auto& m : run.models) o << html_escape(m.name) << " " << f2(m.prepare_seconds) << " / " << f2(m.score_seconds) << " · ";
    o << "</p>";
  }
  cold_section(o, r);
  ablation_section(o, r);
  curves_section(o, r);
  o << "</body></html>\n";
  return o.str();
}

void write_report_html(const std::string& path, const EvalResults& results) {
  write_text_file(path, render_report_html(results));
}

}  // namespace stars::eval
