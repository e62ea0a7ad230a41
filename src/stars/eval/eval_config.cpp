#include "stars/eval/eval_config.h"

#include "stars/core/error.h"
#include "stars/data/history_stats.h"

namespace stars::eval {

void SessionConfig::validate() const {
  for (size_t i = 0; i < bucket_edges.size(); ++i) {
    STARS_CHECK_ARG(bucket_edges[i] >= 1, "session.bucket_edges must be >= 1, got " << bucket_edges[i]);
    STARS_CHECK_ARG(i == 0 || bucket_edges[i] > bucket_edges[i - 1],
                    "session.bucket_edges must be strictly ascending, got " << bucket_edges[i - 1] << " then "
                                                                             << bucket_edges[i]);
  }
  STARS_CHECK_ARG(min_candidates >= 1, "session.min_candidates must be >= 1, got " << min_candidates);
}

void PopularityConfig::validate() const {
  STARS_CHECK_ARG(recent_halflife_days > 0, "popularity.recent_halflife_days must be > 0, got " << recent_halflife_days);
  STARS_CHECK_ARG(recent_halflife_events > 0,
                  "popularity.recent_halflife_events must be > 0, got " << recent_halflife_events);
}

void CooccurrenceConfig::validate() const {
  STARS_CHECK_ARG(window >= 1, "cooc.window must be >= 1, got " << window);
  STARS_CHECK_ARG(last_items >= 1, "cooc.last_items must be >= 1, got " << last_items);
  STARS_CHECK_ARG(decay > 0 && decay <= 1, "cooc.decay must be in (0, 1], got " << decay);
  STARS_CHECK_ARG(max_neighbors >= 1, "cooc.max_neighbors must be >= 1, got " << max_neighbors);
}

void LambdaMartConfig::validate() const {
  STARS_CHECK_ARG(candidates_cooc >= 0 && candidates_popular >= 0 && candidates_recent >= 0 && candidates_history >= 0,
                  "lambdamart.candidates_* must be >= 0");
  STARS_CHECK_ARG(candidates_cooc + candidates_popular + candidates_recent + candidates_history >= 1,
                  "lambdamart needs at least one candidate source (all candidates_* are 0)");
  STARS_CHECK_ARG(rounds >= 1, "lambdamart.rounds must be >= 1, got " << rounds);
  STARS_CHECK_ARG(max_depth >= 1, "lambdamart.max_depth must be >= 1, got " << max_depth);
  STARS_CHECK_ARG(eta > 0 && eta <= 1, "lambdamart.eta must be in (0, 1], got " << eta);
  STARS_CHECK_ARG(subsample > 0 && subsample <= 1, "lambdamart.subsample must be in (0, 1], got " << subsample);
  STARS_CHECK_ARG(min_child_weight >= 0, "lambdamart.min_child_weight must be >= 0, got " << min_child_weight);
  STARS_CHECK_ARG(ndcg_at >= 1, "lambdamart.ndcg_at must be >= 1, got " << ndcg_at);
  STARS_CHECK_ARG(max_train_queries >= 1, "lambdamart.max_train_queries must be >= 1, got " << max_train_queries);
  STARS_CHECK_ARG(threads >= 0, "lambdamart.threads must be >= 0, got " << threads);
  STARS_CHECK_ARG(fit_negatives >= 0, "lambdamart.fit_negatives must be >= 0, got " << fit_negatives);
}

void EvalConfig::validate() const {
  data::check_exclude_history(exclude_history, "exclude_history");
  STARS_CHECK_ARG(!ks.empty(), "ks must list at least one cut-off");
  for (size_t i = 0; i < ks.size(); ++i) {
    STARS_CHECK_ARG(ks[i] >= 1, "ks must be >= 1, got " << ks[i]);
    STARS_CHECK_ARG(i == 0 || ks[i] > ks[i - 1], "ks must be strictly ascending, got " << ks[i - 1] << " then " << ks[i]);
  }
  STARS_CHECK_ARG(split == "test" || split == "valid", "split must be test or valid, got '" << split << "'");
  STARS_CHECK_ARG(bootstrap_samples >= 0, "bootstrap_samples must be >= 0, got " << bootstrap_samples);
  STARS_CHECK_ARG(bootstrap_samples == 0 || bootstrap_samples >= 20,
                  "bootstrap_samples must be 0 (off) or >= 20 for a meaningful interval, got " << bootstrap_samples);
  STARS_CHECK_ARG(permutation_samples >= 0, "permutation_samples must be >= 0, got " << permutation_samples);
  STARS_CHECK_ARG(confidence > 0.5 && confidence < 1, "confidence must be in (0.5, 1), got " << confidence);
  STARS_CHECK_ARG(interleave_depth >= max_k(),
                  "interleave_depth must be >= the largest K (" << max_k() << "), got " << interleave_depth);
  STARS_CHECK_ARG(sampled_negatives >= 1, "sampled_negatives must be >= 1, got " << sampled_negatives);
  STARS_CHECK_ARG(max_queries >= 0, "max_queries must be >= 0, got " << max_queries);
  STARS_CHECK_ARG(max_categories >= 1, "max_categories must be >= 1, got " << max_categories);
  STARS_CHECK_ARG(first_popularity_events >= 1,
                  "first_popularity_events must be >= 1, got " << first_popularity_events);
  session.validate();
  popularity.validate();
  cooc.validate();
  lambdamart.validate();
}

}  // namespace stars::eval
