// The interface every evaluated recommender implements, so that STARS, the ID-only model and the
// baselines run in one harness on the same queries: dense scores over the catalog, one row per query and
// one matrix per ranked list (STARS has two lists, h_gen and h_next; baselines have one). Torch-free.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "stars/eval/protocols.h"

namespace stars::eval {

class Scorer {
 public:
  virtual ~Scorer() = default;
  // Display name ("stars", "popularity", ...) and family ("encoder", "popularity", "recent-popularity",
  // "first_popularity", "cooccurrence", "lambdamart").
  virtual std::string name() const = 0;
  virtual std::string kind() const = 0;
  // The ranked lists this scorer produces; with two lists the harness adds their round-robin interleave.
  virtual std::vector<std::string> lists() const { return {"score"}; }
  // Called once per query set before score(): fitted baselines learn from qs.train_mask here.
  virtual void prepare(const QuerySet& qs) {}
  // Scores queries qs.queries[first, first + n): out[l] is a row-major (n, num_items) matrix for list l.
  // Every entry of a full-catalog query's row must be written; for a query with candidates only the
  // candidate entries are read. Higher is better; NaN counts as -infinity. May use threads internally.
  virtual void score(const QuerySet& qs, size_t first, size_t n, float* const* out) const = 0;
};

}  // namespace stars::eval
