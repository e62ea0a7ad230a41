// Negatives of the candidate-slice softmax (paper §4.3): for a target item shown on a page, up to k
// same-page items (the impressions the user saw and skipped), then items of the target's subclass (distinct
// and uniform, or by popularity with replacement: train.subclass_draws), then random items (uniform or by
// popularity) up to the requested count; never the target itself. And the fixed popularity prior
// b_k = -gamma log pi_k with pi_k = (count_k + alpha) / (sum + alpha N) (eq. 1-4).
// Torch-free; sample() is const and thread-safe (the caller owns the Rng).
#pragma once

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "stars/core/random.h"
#include "stars/train/train_config.h"

namespace stars::data {
class Dataset;
}

namespace stars::train {

// The negatives shared by every target of a batch (NegativeSampler::sample_shared), indexed by item and
// by subclass, so that sample() finds the shared columns that a target's page or subclass could also have
// drawn: a shared item is one more occurrence of the same item, and every occurrence must be weighed by
// the item's total expected occurrences, or the page and subclass items count twice in the softmax's
// denominator.
class SharedIndex {
 public:
  SharedIndex(const data::Dataset& dataset, const int32_t* items, int k);
  int size() const { return static_cast<int>(items_.size()); }
  // (key, column) pairs of the shared negatives whose item / subclass is `key`.
  const std::pair<int32_t, int32_t>* item_begin(int32_t item) const;
  const std::pair<int32_t, int32_t>* item_end(int32_t item) const;
  const std::pair<int32_t, int32_t>* subclass_begin(int32_t subclass) const;
  const std::pair<int32_t, int32_t>* subclass_end(int32_t subclass) const;
  int32_t item(int32_t column) const { return items_[column]; }

 private:
  std::vector<int32_t> items_;
  std::vector<std::pair<int32_t, int32_t>> by_item_, by_subclass_;  // (item or subclass, column), sorted
};

// A shared column's log expected occurrences for one target, where it differs from the batch-wide
// tgt_shared_logq + shared_logq (the item is on the target's page or in its subclass).
struct SharedLogQ {
  int32_t column;
  float log_q;
};

class NegativeSampler {
 public:
  // `item_counts`: training events per item (popularity); items with excluded[i] != 0 are never drawn.
  NegativeSampler(const data::Dataset& dataset, const TrainConfig& config, const std::vector<int64_t>& item_counts,
                  const std::vector<uint8_t>* excluded = nullptr);

  int count() const { return n_total_; }
  // Whether hard negatives skip every item of the user's training events (else those taken on the page).
  bool skips_user_items() const { return skip_user_items_; }
  // Writes count() negatives for `target` (shown on `page`, -1 = none) to out. With `log_q`, also writes
  // for each negative the log of its expected number of occurrences among this call's draws plus
  // `shared` shared negatives (the sampled-softmax correction: every source that can draw the item
  // counts), and to *shared_log_scale log(random draws + shared), so that a shared negative c has
  // log Q = *shared_log_scale + log_share(c) unless `shared_index` is given and c is an item the page or
  // subclass sources could also draw for this target: those shared columns get their log Q (all sources
  // counted, as for `out`) in *shared_log_q (cleared first).
  // `engaged` (n_engaged items, sorted ascending) are items the user took (on that page, or anywhere in
  // the training events: train.hard_negative_skip), so neither same-page nor subclass negatives (they may
  // still come up at random).
  void sample(int32_t target, int32_t page, Rng& rng, int32_t* out, int shared = 0, float* log_q = nullptr,
              float* shared_log_scale = nullptr, const int32_t* engaged = nullptr, int n_engaged = 0,
              const SharedIndex* shared_index = nullptr, std::vector<SharedLogQ>* shared_log_q = nullptr) const;
  // log of the chance that one random draw is item c (uniform or by popularity).
  float log_share(int32_t c) const;
  // The *shared_log_scale of sample(): log(random draws + shared draws), at least log 1.
  static float shared_log_scale(double draws) { return static_cast<float>(std::log(draws > 1.0 ? draws : 1.0)); }
  // Writes min(k, drawable items) distinct random items (uniform or by popularity, as configured) to out:
  // the negatives shared by every target of a batch. Returns how many were written.
  int sample_shared(int k, Rng& rng, int32_t* out) const;

 private:
  int32_t draw_random(Rng& rng) const;
  const data::Dataset& ds_;
  int n_total_, n_page_, n_subclass_;
  bool popularity_;
  bool subclass_popularity_;                  // subclass draws by weight_, with replacement
  bool skip_user_items_;
  std::vector<int32_t> drawable_;             // items that may be drawn at random
  std::vector<double> cumulative_;            // popularity CDF over drawable_ (popularity mode)
  std::vector<float> log_share_;              // per item: log chance of one random draw, -inf = never
  std::vector<uint64_t> subclass_offsets_;    // CSR: items of each subclass
  std::vector<int32_t> subclass_items_;
  std::vector<double> weight_;                // per item: training events + 1
  std::vector<double> subclass_cumulative_;   // prefix sums of weight_ over subclass_items_ (within each subclass)
  std::vector<uint8_t> excluded_;
};

// b_k = -gamma log pi_k for every item (N).
std::vector<float> popularity_prior(const std::vector<int64_t>& item_counts, double gamma, double alpha);

}  // namespace stars::train
