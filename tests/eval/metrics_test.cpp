// Metric code against hand-computed cases: ranks and top lists, the interleave, per-query metrics,
// summaries with slices and coverage, bootstrap intervals and the paired test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <numeric>

#include "stars/core/error.h"
#include "stars/core/random.h"
#include "stars/eval/ranked_list.h"
#include "stars/eval/ranking_metrics.h"
#include "stars/eval/statistics.h"
#include "stars/eval/summarize.h"
#include "stars/eval/svg_chart.h"
#include "stars/eval/training_log.h"
#include "stars/core/mmap_file.h"

namespace stars::eval {
namespace {

TEST(RankedList, RankAndTopMatchRankOfTargetWithExclusionsAndTies) {
  const float s[] = {0.1f, 0.9f, 0.5f, 0.5f, 0.5f, 0.7f};
  std::vector<int32_t> top;
  EXPECT_EQ(rank_and_top(s, nullptr, 6, 2, Exclusion{}, 3, top), 2 + 1);  // 0.9, 0.7 higher; two ties -> +1
  EXPECT_EQ(top, (std::vector<int32_t>{1, 5, 2}));                         // ties broken by id
  std::vector<uint32_t> stamp(6, 0);
  stamp[1] = stamp[2] = 7;  // exclude items 1 and 2 (2 is the target: never excluded)
  EXPECT_EQ(rank_and_top(s, nullptr, 6, 2, Exclusion{stamp.data(), 7}, 6, top), 1 + 1);
  EXPECT_EQ(top, (std::vector<int32_t>{5, 2, 3, 4, 0}));
  // Agreement with rank_of_target on random rows with many ties.
  Rng rng(3);
  std::vector<float> row(500);
  std::vector<uint8_t> ex(500);
  for (int trial = 0; trial < 50; ++trial) {
    std::fill(stamp.begin(), stamp.end(), 0);
    std::vector<uint32_t> st(500, 0);
    for (size_t i = 0; i < row.size(); ++i) {
      row[i] = static_cast<float>(rng.uniform(20));
      ex[i] = rng.bernoulli(0.1);
      st[i] = ex[i] ? 1 : 0;
    }
    const int32_t t = static_cast<int32_t>(rng.uniform(500));
    ex[t] = 0;
    EXPECT_EQ(rank_and_top(row.data(), nullptr, 500, t, Exclusion{st.data(), 1}, 10, top),
              rank_of_target(row.data(), 500, t, ex.data()));
    ASSERT_EQ(top.size(), 10u);
    for (size_t k = 1; k < top.size(); ++k) EXPECT_GE(row[top[k - 1]], row[top[k]]);
  }
}

TEST(RankedList, FastCatalogPathEqualsTheExactHeap) {
  // Catalogs of >= 1024 items take the vectorised count + sampled threshold; compare with a naive sort.
  Rng rng(17);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t n = 1024 + rng.uniform(5000);
    std::vector<float> row(n);
    const bool coarse = trial % 2 == 0;  // many ties
    for (auto& v : row) v = coarse ? static_cast<float>(rng.uniform(50)) : static_cast<float>(rng.normal());
    if (trial % 5 == 0) row[rng.uniform(n)] = NAN;
    const int32_t t = static_cast<int32_t>(rng.uniform(n));
    if (std::isnan(row[t])) row[t] = 0.5f;
    std::vector<uint32_t> stamp(n, 0);
    std::vector<int32_t> excl;
    std::vector<uint8_t> ex(n, 0);
    for (size_t i = 0; i < n; ++i)
      if (static_cast<int32_t>(i) != t && rng.bernoulli(trial % 3 == 0 ? 0.02 : 0.0)) {
        stamp[i] = 9;
        ex[i] = 1;
        excl.push_back(static_cast<int32_t>(i));
      }
    const size_t depth = trial % 4 == 0 ? 500 : 50;
    std::vector<int32_t> top;
    EXPECT_EQ(rank_and_top(row.data(), nullptr, n, t, Exclusion{stamp.data(), 9, excl.data(), excl.size()}, depth, top),
              rank_of_target(row.data(), n, t, ex.data()));
    // Reference top list: eligible items by (score desc with NaN last, id asc).
    std::vector<int32_t> ref;
    for (size_t i = 0; i < n; ++i)
      if (!ex[i]) ref.push_back(static_cast<int32_t>(i));
    auto key = [&](int32_t i) { return std::isnan(row[i]) ? -INFINITY : row[i]; };
    std::stable_sort(ref.begin(), ref.end(), [&](int32_t a, int32_t b) { return key(a) > key(b); });
    ref.resize(depth);
    EXPECT_EQ(top, ref) << "trial " << trial;
  }
}

TEST(RankedList, CandidateListsAndNaN) {
  const float s[] = {0.3f, NAN, 0.8f, 0.2f, 0.9f};
  const int32_t cand[] = {0, 1, 3};
  std::vector<int32_t> top;
  EXPECT_EQ(rank_and_top(s, cand, 3, 3, Exclusion{}, 5, top), 1);  // among {0.3, NaN, 0.2}: only 0.3 is higher
  EXPECT_EQ(top, (std::vector<int32_t>{0, 3, 1}));                  // NaN counts as -inf
  EXPECT_EQ(rank_and_top(s, cand, 3, 4, Exclusion{}, 5, top), -1);  // target not a candidate
}

TEST(RankedList, InterleaveSkipsDuplicatesAndExtrapolates) {
  std::vector<uint8_t> seen(20, 0);
  std::vector<int32_t> head;
  const std::vector<int32_t> a = {1, 2, 3, 4}, b = {2, 5, 1, 6};
  // merged: 1, 2, (2 dup), 5, 3, (1 dup), 4, 6
  EXPECT_EQ(interleave_rank(a, b, 5, 9, 1, 10, head, seen), 2);
  EXPECT_EQ(head, (std::vector<int32_t>{1, 2, 5, 3, 4, 6}));
  EXPECT_EQ(interleave_rank(a, b, 6, 9, 3, 3, head, seen), 5);
  EXPECT_EQ(head, (std::vector<int32_t>{1, 2, 5}));
  // Not in the lists: enters at round min(40, 100) = 40 at 6/4 new items per round -> 60.
  EXPECT_EQ(interleave_rank(a, b, 19, 40, 100, 3, head, seen), 60);
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](uint8_t v) { return v == 0; })) << "scratch is cleared";
}

TEST(Metrics, MetricAtRankHandComputed) {
  EXPECT_DOUBLE_EQ(metric_at_rank("hit@5", 4), 1.0);
  EXPECT_DOUBLE_EQ(metric_at_rank("recall@5", 5), 0.0);
  EXPECT_DOUBLE_EQ(metric_at_rank("ndcg@10", 3), 1.0 / std::log2(5.0));
  EXPECT_DOUBLE_EQ(metric_at_rank("ndcg@10", 10), 0.0);
  EXPECT_DOUBLE_EQ(metric_at_rank("mrr", 3), 0.25);
  EXPECT_THROW(metric_at_rank("precision@5", 1), Error);
  EXPECT_THROW(metric_at_rank("ndcg@0", 1), Error);
}

TEST(Statistics, PoissonOneHasMeanAndVarianceOne) {
  PoissonOne p(11);
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const int k = p.next();
    s += k;
    s2 += double(k) * k;
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 1.0, 0.01);
  EXPECT_NEAR(var, 1.0, 0.02);
}

TEST(Statistics, BootstrapIntervalCoversTheMeanAndShrinksWithMoreUsers) {
  auto width = [](size_t U) {
    Rng rng(5);
    std::vector<float> values(U), counts(U, 1.0f);
    for (auto& v : values) v = rng.bernoulli(0.3) ? 1.0f : 0.0f;
    std::vector<double> lo, hi;
    bootstrap_intervals(values, U, 1, counts, 1, {0}, 400, 0.95, 9, lo, hi);
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / U;
    EXPECT_LT(lo[0], mean);
    EXPECT_GT(hi[0], mean);
    // Binomial standard error: the 95% interval is about 2 * 1.96 * sqrt(p(1-p)/U) wide.
    EXPECT_NEAR(hi[0] - lo[0], 2 * 1.96 * std::sqrt(mean * (1 - mean) / U), 0.25 * (hi[0] - lo[0]));
    return hi[0] - lo[0];
  };
  EXPECT_GT(width(400), 1.8 * width(2000));
}

TEST(Statistics, PairedTestSeparatesRealDifferencesFromNoise) {
  Rng rng(8);
  const size_t U = 2000;
  std::vector<double> a(U), b(U), c(U), n(U, 1.0);
  for (size_t u = 0; u < U; ++u) {
    b[u] = rng.bernoulli(0.3);
    a[u] = rng.bernoulli(0.05) ? 1.0 - b[u] : b[u];            // noise around b
    c[u] = b[u] == 1.0 ? 1.0 : (rng.bernoulli(0.15) ? 1.0 : 0.0);  // clearly better than b
  }
  const PairedResult same = paired_difference(b, b, n, 200, 500, 0.95, 1);
  EXPECT_EQ(same.diff, 0.0);
  EXPECT_DOUBLE_EQ(same.p_value, 1.0);
  const PairedResult better = paired_difference(c, b, n, 200, 500, 0.95, 1);
  EXPECT_GT(better.diff, 0.05);
  EXPECT_GT(better.lo, 0.0);
  EXPECT_LT(better.p_value, 0.01);
  const PairedResult noisy = paired_difference(a, b, n, 200, 500, 0.95, 1);
  EXPECT_LT(noisy.lo, noisy.diff);
  EXPECT_GT(noisy.hi, noisy.diff);
  EXPECT_GT(noisy.p_value, 0.001);
}

TEST(Statistics, SignFlipOverAFewValuesIsExactThenSampled) {
  EXPECT_TRUE(std::isnan(sign_flip_pvalue({}, 100, 1)));
  EXPECT_DOUBLE_EQ(sign_flip_pvalue({0.3, 0.1, 0.1}, 100, 1), 0.25) << "only +++ and --- reach |0.5|";
  EXPECT_DOUBLE_EQ(sign_flip_pvalue({-0.02, -0.01}, 100, 1), 0.5) << "two values: 0.5 at best";
  EXPECT_DOUBLE_EQ(sign_flip_pvalue({0.3, -0.6}, 100, 1), 1.0);
  std::vector<double> ten(10, -0.01);
  ten[3] = 0.002;
  EXPECT_DOUBLE_EQ(sign_flip_pvalue(ten, 100, 1), 4.0 / 1024) << "+-(all) and +-(all but the small one) of 2^10";
  // Above 20 values the patterns are sampled: p = (1 + extreme) / (flips + 1).
  const std::vector<double> same(25, 1.0);
  EXPECT_DOUBLE_EQ(sign_flip_pvalue(same, 999, 1), 1.0 / 1000) << "2 of 2^25 patterns are as extreme";
  std::vector<double> balanced(26, 1.0);
  for (size_t i = 0; i < balanced.size(); i += 2) balanced[i] = -1.0;
  EXPECT_DOUBLE_EQ(sign_flip_pvalue(balanced, 999, 1), 1.0) << "a zero sum: every pattern is as extreme";
  EXPECT_TRUE(std::isnan(sign_flip_pvalue(same, 0, 1)));
}

TEST(TrainingLog, FlattensNumbersAndSkipsBrokenLines) {
  const std::string path = std::string(::testing::TempDir()) + "/stars_eval_log_" + std::to_string(::getpid()) + ".jsonl";
  write_text_file(path, "{\"epoch\": 1, \"loss\": 2.5, \"valid\": {\"ndcg@10\": 0.1}, \"improved\": true, \"note\": \"x\"}\n"
                        "not json\n\n{\"epoch\": 2, \"loss\": 2.0}\n{\"epoch\": 3, \"lo");
  const auto recs = read_training_log(path);
  ASSERT_EQ(recs.size(), 2u) << "the cut-off last line and the broken line are skipped";
  EXPECT_DOUBLE_EQ(recs[0].at("valid.ndcg@10"), 0.1);
  EXPECT_DOUBLE_EQ(recs[0].at("improved"), 1.0);
  EXPECT_EQ(recs[0].count("note"), 0u);
  EXPECT_DOUBLE_EQ(recs[1].at("loss"), 2.0);
}

TEST(SvgChart, EscapesTextAndDrawsOneBarPerValue) {
  EXPECT_EQ(html_escape("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
  BarChart c;
  c.id = "t";
  c.title = "<script>";
  c.groups = {"g1", "g2"};
  c.series = {"s1", "s2"};
  c.values = {{BarValue{0.5, 0.4, 0.6}, BarValue{0.2}}, {BarValue{}, BarValue{0.1}}};
  const std::string svg = render_bar_chart(c);
  size_t bars = 0;
  for (size_t p = svg.find("class=\"bar\""); p != std::string::npos; p = svg.find("class=\"bar\"", p + 1)) ++bars;
  EXPECT_EQ(bars, 3u) << "a missing value draws no bar";
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("class=\"whisker\""), std::string::npos);
  LineChart l;
  l.series = {LineSeries{"loss", {1, 2, 3}, {3, 2, NAN}}};
  const std::string line = render_line_chart(l);
  EXPECT_NE(line.find("<path class=\"line\""), std::string::npos);
  size_t points = 0;
  for (size_t p = line.find("<circle"); p != std::string::npos; p = line.find("<circle", p + 1)) ++points;
  EXPECT_EQ(points, 2u) << "non-finite points are skipped";
}

}  // namespace
}  // namespace stars::eval
