// The configuration of `stars eval`: metric cut-offs, the protocols' options, interval and test settings,
// and the baselines' hyper-parameters. Plain structs with `visit()` + `validate()` (stars/core/config.h),
// saved resolved into metrics.json so that a run states exactly how its numbers were produced.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stars::eval {

// The paper's session protocol (§6.1).
struct SessionConfig {
  std::vector<int> bucket_edges = {10, 30, 100};  ///< upper bounds of candidate-set size buckets (1-10, 11-30, 31-100, 101+)
  bool include_impressions = true;                ///< add items shown on the session's pages to its candidate set
  int min_candidates = 1;                         ///< sessions with fewer unique products are skipped, >= 1

  template <class V>
  void visit(V& v) {
    v("bucket_edges", bucket_edges, "ascending upper bounds of the candidate-set size buckets; the last bucket is open");
    v("include_impressions", include_impressions, "the session's products include the items shown on its pages (false: only the products it touched)");
    v("min_candidates", min_candidates, "skip sessions with fewer unique candidate products, >= 1");
  }
  void validate() const;
};

struct PopularityConfig {
  double recent_halflife_days = 7.0;     ///< half-life of recent popularity on timed data, days > 0
  double recent_halflife_events = 3.0;   ///< half-life in events from the end of each user's training sequence (order-only data), > 0

  template <class V>
  void visit(V& v) {
    v("recent_halflife_days", recent_halflife_days, "half-life of the recency weight of an event (timed data), days > 0");
    v("recent_halflife_events", recent_halflife_events, "half-life counted in events from the end of a user's training sequence (data without time), > 0");
  }
  void validate() const;
};

struct CooccurrenceConfig {
  int window = 3;             ///< pairs of events at most this many positions apart co-occur, >= 1
  int last_items = 5;         ///< history items whose neighbours are summed, >= 1
  double decay = 0.6;         ///< weight of the t-th last history item is decay^t, in (0, 1]
  int max_neighbors = 200;    ///< neighbours kept per item, >= 1
  bool directed = false;      ///< only count b after a (sequence order) instead of both orders
  bool cosine = true;         ///< divide pair counts by sqrt(count(a) count(b))

  template <class V>
  void visit(V& v) {
    v("window", window, "events at most this many positions apart in a user's sequence co-occur, >= 1");
    v("last_items", last_items, "number of most recent history items whose neighbours are summed, >= 1");
    v("decay", decay, "weight of the t-th most recent history item is decay^t, in (0, 1]");
    v("max_neighbors", max_neighbors, "neighbours kept per item, >= 1");
    v("directed", directed, "count only pairs in sequence order (b after a)");
    v("cosine", cosine, "normalise pair weights by sqrt(count(a) * count(b))");
  }
  void validate() const;
};

// LambdaMART over candidates of the simple baselines (the paper's production baseline).
struct LambdaMartConfig {
  int candidates_cooc = 100;      ///< candidates from co-occurrence, >= 0
  int candidates_popular = 30;    ///< candidates from global popularity, >= 0
  int candidates_recent = 30;     ///< candidates from recent popularity, >= 0
  int candidates_history = 20;    ///< the user's most recent distinct history items, >= 0 (0 when history is excluded)
  int rounds = 100;               ///< boosting rounds, >= 1
  int max_depth = 6;              ///< tree depth, >= 1
  double eta = 0.1;               ///< learning rate, in (0, 1]
  double subsample = 0.8;         ///< row subsampling per tree, in (0, 1]
  double min_child_weight = 1.0;  ///< minimum hessian per leaf, >= 0
  int ndcg_at = 10;               ///< cut-off of the rank:ndcg objective's metric, >= 1
  int max_train_queries = 20000;  ///< training queries (users) sampled for fitting, >= 1
  int fit_negatives = 60;         ///< negatives kept per fitting query (seeded sample), 0 = every candidate
  int threads = 1;                ///< XGBoost (OpenMP) threads, 0 = the evaluation's thread count

  template <class V>
  void visit(V& v) {
    v("candidates_cooc", candidates_cooc, "candidates taken from the co-occurrence baseline, >= 0");
    v("candidates_popular", candidates_popular, "candidates taken from global popularity, >= 0");
    v("candidates_recent", candidates_recent, "candidates taken from recent popularity, >= 0");
    v("candidates_history", candidates_history, "the user's most recent distinct history items as candidates, >= 0");
    v("rounds", rounds, "boosting rounds, >= 1");
    v("max_depth", max_depth, "maximum tree depth, >= 1");
    v("eta", eta, "learning rate, in (0, 1]");
    v("subsample", subsample, "row subsampling per tree, in (0, 1]");
    v("min_child_weight", min_child_weight, "minimum sum of hessians in a leaf, >= 0");
    v("ndcg_at", ndcg_at, "cut-off of the NDCG the rank:ndcg objective optimises, >= 1");
    v("max_train_queries", max_train_queries, "training queries sampled for fitting, >= 1");
    v("fit_negatives", fit_negatives, "negatives kept per fitting query (seeded sample), 0 = every candidate");
    v("threads", threads, "XGBoost (OpenMP) threads, 0 = the evaluation's thread count; 1 by default because "
                          "OpenMP's spinning barriers slow boosting several-fold on shared cores");
  }
  void validate() const;
};

struct EvalConfig {
  std::vector<int> ks = {1, 5, 10, 20, 50};  ///< metric cut-offs, ascending, >= 1
  std::string split = "test";                ///< which recorded split is scored: "test" or "valid"
  std::string exclude_history = "auto";      ///< full-catalog protocols never rank the user's history items: auto | true | false
  int bootstrap_samples = 500;               ///< bootstrap resamples of users for intervals, 0 = no intervals
  int permutation_samples = 2000;            ///< sign flips of the paired randomisation test, 0 = no p-values
  double confidence = 0.95;                  ///< interval coverage, in (0.5, 1)
  uint64_t seed = 1234;                      ///< seed of every random draw of the evaluation
  int interleave_depth = 500;                ///< length of the h_gen / h_next lists merged by the round-robin interleave, >= max K
  int sampled_negatives = 100;               ///< negatives of the sampled-ranking protocol, >= 1
  int max_queries = 0;                       ///< evaluate a seeded sample of at most this many queries per protocol, 0 = all
  std::string category_level = "auto";       ///< per-category table: "auto", "department", "subclass" or a path depth "1", "2", ...
  int max_categories = 20;                   ///< categories in the per-category table (most frequent first), >= 1
  std::vector<std::string> compare_metrics = {"ndcg@10", "recall@10"};  ///< metrics of the paired comparisons
  std::string reference_strategy = "interleave";  ///< strategy of the first model that others are compared with (if it has it)
  std::string ablation_strategy = "h_next";       ///< strategy reported in the ablation table (h_next: what training validates)
  int first_popularity_events = 1;                ///< events counted per user by the first_popularity baseline (its first ones), >= 1
  SessionConfig session;
  PopularityConfig popularity;
  CooccurrenceConfig cooc;
  LambdaMartConfig lambdamart;

  template <class V>
  void visit(V& v) {
    v("ks", ks, "metric cut-offs K, ascending, >= 1");
    v("split", split, "recorded split to score: test or valid");
    v("exclude_history", exclude_history, "full-catalog protocols never rank items already in the user's history: auto (when under 1% of training events repeat an item of the user) | true | false");
    v("bootstrap_samples", bootstrap_samples, "bootstrap resamples of users for confidence intervals, 0 = none");
    v("permutation_samples", permutation_samples, "sign flips of the paired randomisation test, 0 = no p-values");
    v("confidence", confidence, "confidence level of the intervals, in (0.5, 1)");
    v("seed", seed, "seed of every random draw (sampling, bootstrap, tests)");
    v("interleave_depth", interleave_depth, "length of the h_gen and h_next lists merged by the interleave, >= the largest K");
    v("sampled_negatives", sampled_negatives, "negatives per query of the sampled-ranking protocol, >= 1");
    v("max_queries", max_queries, "evaluate a seeded sample of at most this many queries per protocol, 0 = all");
    v("category_level", category_level, "category of the per-category table: auto, department, subclass, or a path depth 1, 2, ...");
    v("max_categories", max_categories, "rows of the per-category table (most frequent categories), >= 1");
    v("compare_metrics", compare_metrics, "metrics of the paired model comparisons (e.g. ndcg@10, recall@10, mrr)");
    v("reference_strategy", reference_strategy, "strategy of the first model that every other model is compared with");
    v("ablation_strategy", ablation_strategy, "strategy reported in the ablation table: h_gen, h_next or interleave");
    v("first_popularity_events", first_popularity_events, "the first_popularity baseline counts each user's first this many training events, >= 1");
    v("session", session, "");
    v("popularity", popularity, "");
    v("cooc", cooc, "");
    v("lambdamart", lambdamart, "");
  }
  void validate() const;
  int max_k() const { return ks.empty() ? 0 : ks.back(); }
};

}  // namespace stars::eval
