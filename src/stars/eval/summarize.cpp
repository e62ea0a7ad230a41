#include "stars/eval/summarize.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "stars/core/error.h"
#include "stars/core/random.h"
#include "stars/core/strings.h"
#include "stars/core/table_file.h"
#include "stars/eval/categories.h"
#include "stars/eval/statistics.h"

namespace stars::eval {

namespace {

struct MetricSpec {
  enum Kind { kHit, kNdcg, kMrr } kind;
  int k = 0;
};

MetricSpec parse_metric(const std::string& name) {
  if (name == "mrr") return {MetricSpec::kMrr, 0};
  const auto at = name.find('@');
  int64_t k = 0;
  if (at != std::string::npos && parse_int64(std::string_view(name).substr(at + 1), &k) && k >= 1) {
    const std::string base = name.substr(0, at);
    if (base == "hit" || base == "recall") return {MetricSpec::kHit, static_cast<int>(k)};
    if (base == "ndcg") return {MetricSpec::kNdcg, static_cast<int>(k)};
  }
  STARS_THROW(kInvalidArgument, "unknown metric '" << name << "' (expected hit@K, recall@K, ndcg@K or mrr)");
}

double value_at(const MetricSpec& m, int64_t rank) {
  switch (m.kind) {
    case MetricSpec::kHit: return rank < m.k ? 1.0 : 0.0;
    case MetricSpec::kNdcg: return rank < m.k ? 1.0 / std::log2(static_cast<double>(rank) + 2.0) : 0.0;
    case MetricSpec::kMrr: return 1.0 / (static_cast<double>(rank) + 1.0);
  }
  return 0.0;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::vector<std::string> rank_metric_names(const std::vector<int>& ks) {
  std::vector<std::string> names;
  for (int k : ks) names.push_back("hit@" + std::to_string(k));
  for (int k : ks) names.push_back("ndcg@" + std::to_string(k));
  names.push_back("mrr");
  return names;
}

double metric_at_rank(const std::string& metric, int64_t rank) { return value_at(parse_metric(metric), rank); }

std::string query_set_hash(const QuerySet& qs) {
  std::vector<int32_t> buf;
  buf.reserve(qs.queries.size() * 3 + qs.candidates.size());
  for (const auto& q : qs.queries) {
    buf.push_back(q.user);
    buf.push_back(q.target);
    buf.push_back(static_cast<int32_t>(q.hist_end - q.hist_begin));
    for (uint32_t c = q.cand_begin; c < q.cand_end; ++c) buf.push_back(qs.candidates[c]);
  }
  return hex64(checksum64(buf.data(), buf.size() * sizeof(int32_t)));
}

void per_user_sums(const std::vector<int32_t>& query_users, const std::vector<int32_t>& ranks,
                   const std::string& metric, std::vector<double>& sums, std::vector<double>& counts) {
  STARS_CHECK(query_users.size() == ranks.size(), "ranks and users differ in length");
  const MetricSpec m = parse_metric(metric);
  std::unordered_map<int32_t, size_t> index;
  sums.clear();
  counts.clear();
  for (size_t q = 0; q < ranks.size(); ++q) {
    auto [it, inserted] = index.emplace(query_users[q], sums.size());
    if (inserted) {
      sums.push_back(0);
      counts.push_back(0);
    }
    sums[it->second] += value_at(m, ranks[q]);
    counts[it->second] += 1;
  }
}

RunResult summarize_run(const data::Dataset& ds, const QuerySet& qs, const std::vector<ScorerRanks>& ranks,
                        const EvalConfig& config) {
  RunResult run;
  run.protocol = protocol_name(qs.protocol);
  run.split = qs.split;
  run.label = qs.label;
  run.sampled = qs.protocol == Protocol::kSampled;
  run.exclude_history = qs.exclude_history;
  run.num_queries = static_cast<int64_t>(qs.queries.size());
  run.query_hash = query_set_hash(qs);
  const size_t n_q = qs.queries.size();

  // ---- users (dense, first-appearance order)
  std::unordered_map<int32_t, int32_t> user_index;
  std::vector<int32_t> qu(n_q);
  for (size_t q = 0; q < n_q; ++q)
    qu[q] = user_index.emplace(qs.queries[q].user, static_cast<int32_t>(user_index.size())).first->second;
  const size_t U = user_index.size();
  run.num_users = static_cast<int64_t>(U);

  // ---- coverage universe
  run.full_catalog = std::all_of(qs.queries.begin(), qs.queries.end(), [](const Query& q) { return q.full_catalog(); });
  if (run.full_catalog) {
    run.num_candidates = ds.num_items();
  } else {
    std::unordered_set<int32_t> u(qs.candidates.begin(), qs.candidates.end());
    run.num_candidates = static_cast<int64_t>(u.size());
  }

  // ---- slices: candidate-set size buckets (queries with candidates) and categories of the target
  std::vector<int> q_bucket(n_q, -1), q_cat(n_q, -1);
  if (qs.protocol == Protocol::kSession) {
    run.bucket_names = size_bucket_names(config.session.bucket_edges);
    for (size_t q = 0; q < n_q; ++q)
      q_bucket[q] = size_bucket(qs.queries[q].cand_end - qs.queries[q].cand_begin, config.session.bucket_edges);
  }
  const ItemCategories cats = item_categories(ds, config.category_level);
  std::vector<std::string> cat_names;
  if (!cats.level.empty()) {
    std::vector<int64_t> cat_count(cats.names.size(), 0);
    for (const auto& q : qs.queries)
      if (cats.of_item[q.target] >= 0) ++cat_count[cats.of_item[q.target]];
    std::vector<int32_t> order;
    for (size_t c = 0; c < cat_count.size(); ++c)
      if (cat_count[c] > 0) order.push_back(static_cast<int32_t>(c));
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return cat_count[a] > cat_count[b]; });
    if (order.size() > static_cast<size_t>(config.max_categories)) order.resize(config.max_categories);
    std::vector<int> slot(cats.names.size(), -1);
    for (size_t s = 0; s < order.size(); ++s) {
      slot[order[s]] = static_cast<int>(s);
      cat_names.push_back(cats.names[order[s]]);
    }
    for (size_t q = 0; q < n_q; ++q) {
      const int32_t c = cats.of_item[qs.queries[q].target];
      q_cat[q] = c >= 0 ? slot[c] : -1;
    }
    if (!cat_names.empty()) run.category_level = cats.level;
  }
  const size_t n_buckets = run.bucket_names.size(), n_cats = cat_names.size();

  // ---- metric columns
  const std::vector<std::string> main_metrics = rank_metric_names(config.ks);
  std::vector<std::string> slice_metrics;
  auto has_k = [&](int k) { return std::find(config.ks.begin(), config.ks.end(), k) != config.ks.end(); };
  if (has_k(5)) slice_metrics.push_back("hit@5");
  if (has_k(10)) slice_metrics.push_back("hit@10");
  if (slice_metrics.empty()) slice_metrics.push_back("hit@" + std::to_string(config.ks.front()));
  if (has_k(10)) slice_metrics.push_back("ndcg@10");
  slice_metrics.push_back("mrr");
  std::vector<MetricSpec> main_spec, slice_spec;
  for (const auto& m : main_metrics) main_spec.push_back(parse_metric(m));
  for (const auto& m : slice_metrics) slice_spec.push_back(parse_metric(m));
  const size_t n_slices = n_buckets + n_cats;
  const size_t per_strategy = main_spec.size() + n_slices * slice_spec.size();
  const size_t n_groups = 1 + n_slices;
  size_t n_strat_total = 0;
  for (const auto& r : ranks) n_strat_total += r.strategies.size();
  const size_t C = per_strategy * n_strat_total;

  std::vector<float> counts(U * n_groups, 0.0f);
  for (size_t q = 0; q < n_q; ++q) {
    counts[qu[q] * n_groups] += 1;
    if (q_bucket[q] >= 0) counts[qu[q] * n_groups + 1 + q_bucket[q]] += 1;
    if (q_cat[q] >= 0) counts[qu[q] * n_groups + 1 + n_buckets + q_cat[q]] += 1;
  }
  std::vector<int> group_of_col(C);
  std::vector<float> values(U * C, 0.0f);
  std::vector<double> sums(C, 0.0);
  std::vector<double> group_n(n_groups, 0.0);
  for (size_t q = 0; q < n_q; ++q) {
    group_n[0] += 1;
    if (q_bucket[q] >= 0) group_n[1 + q_bucket[q]] += 1;
    if (q_cat[q] >= 0) group_n[1 + n_buckets + q_cat[q]] += 1;
  }
  size_t col0 = 0;
  for (const auto& r : ranks) {
    for (const auto& s : r.strategies) {
      for (size_t m = 0; m < main_spec.size(); ++m) group_of_col[col0 + m] = 0;
      for (size_t sl = 0; sl < n_slices; ++sl)
        for (size_t m = 0; m < slice_spec.size(); ++m)
          group_of_col[col0 + main_spec.size() + sl * slice_spec.size() + m] = static_cast<int>(1 + sl);
      for (size_t q = 0; q < n_q; ++q) {
        float* row = values.data() + static_cast<size_t>(qu[q]) * C + col0;
        const int64_t rank = s.ranks[q];
        for (size_t m = 0; m < main_spec.size(); ++m) {
          const double v = value_at(main_spec[m], rank);
          row[m] += static_cast<float>(v);
          sums[col0 + m] += v;
        }
        for (int sl : {q_bucket[q], q_cat[q] >= 0 ? static_cast<int>(n_buckets) + q_cat[q] : -1}) {
          if (sl < 0) continue;
          for (size_t m = 0; m < slice_spec.size(); ++m) {
            const size_t c = main_spec.size() + sl * slice_spec.size() + m;
            const double v = value_at(slice_spec[m], rank);
            row[c] += static_cast<float>(v);
            sums[col0 + c] += v;
          }
        }
      }
      col0 += per_strategy;
    }
  }
  std::vector<double> lo, hi;
  bootstrap_intervals(values, U, C, counts, n_groups, group_of_col, config.bootstrap_samples, config.confidence,
                      derive_seed(config.seed, 0xB007), lo, hi);

  // ---- assemble
  col0 = 0;
  for (const auto& r : ranks) {
    ModelResult mr;
    mr.name = r.name;
    mr.kind = r.kind;
    mr.prepare_seconds = r.prepare_seconds;
    mr.score_seconds = r.score_seconds;
    for (const auto& s : r.strategies) {
      StrategyResult sr;
      sr.name = s.name;
      auto cell = [&](size_t c) {
        const double n = group_n[group_of_col[c]];
        return Interval{n > 0 ? sums[c] / n : std::nan(""), lo[c], hi[c]};  // NaN: an empty slice
      };
      for (size_t m = 0; m < main_spec.size(); ++m) {
        sr.metrics[main_metrics[m]] = cell(col0 + m);
        if (main_spec[m].kind == MetricSpec::kHit)
          sr.metrics["recall@" + std::to_string(main_spec[m].k)] = cell(col0 + m);
      }
      for (int k : config.ks) {
        int64_t listed = 0;
        for (int32_t p : s.best_pos) listed += p < k;
        sr.metrics["coverage@" + std::to_string(k)] =
            Interval{run.num_candidates > 0 ? static_cast<double>(listed) / run.num_candidates : 0.0};
      }
      for (size_t sl = 0; sl < n_slices; ++sl) {
        SliceResult slice;
        slice.name = sl < n_buckets ? run.bucket_names[sl] : cat_names[sl - n_buckets];
        slice.count = static_cast<int64_t>(group_n[1 + sl]);
        for (size_t m = 0; m < slice_spec.size(); ++m)
          slice.metrics[slice_metrics[m]] = cell(col0 + main_spec.size() + sl * slice_spec.size() + m);
        (sl < n_buckets ? sr.buckets : sr.categories).push_back(std::move(slice));
      }
      mr.strategies.push_back(std::move(sr));
      col0 += per_strategy;
    }
    run.models.push_back(std::move(mr));
  }

  // ---- paired comparisons against the reference
  if (!ranks.empty() && n_q > 0) {
    const ScorerRanks& ref = ranks[0];
    const StrategyRanks* rs = &ref.strategies[0];
    for (const auto& s : ref.strategies)
      if (s.name == config.reference_strategy) rs = &s;
    for (const auto& metric : config.compare_metrics) {
      parse_metric(metric);
      std::vector<double> b_sums, counts_u;
      per_user_sums(qu, rs->ranks, metric, b_sums, counts_u);
      std::vector<std::vector<double>> a_sums;
      std::vector<std::string> names;
      for (const auto& r : ranks)
        for (const auto& s : r.strategies) {
          if (&s == rs) continue;
          a_sums.emplace_back();
          per_user_sums(qu, s.ranks, metric, a_sums.back(), counts_u);
          names.push_back(r.name + "/" + s.name);
        }
      const std::vector<PairedResult> res =
          paired_differences(a_sums, b_sums, counts_u, config.bootstrap_samples, config.permutation_samples,
                             config.confidence, derive_seed(config.seed, 0xC0));
      for (size_t i = 0; i < res.size(); ++i) {
        Comparison c;
        c.a = names[i];
        c.b = ref.name + "/" + rs->name;
        c.metric = metric;
        c.a_value = res[i].a;
        c.b_value = res[i].b;
        c.diff = res[i].diff;
        c.lo = res[i].lo;
        c.hi = res[i].hi;
        c.p_value = res[i].p_value;
        run.comparisons.push_back(c);
      }
    }
  }
  return run;
}

}  // namespace stars::eval
