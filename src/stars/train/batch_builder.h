// Builds TokenBatches from the prepared dataset, torch-free, so that worker threads can prepare the next
// batches while the network trains on the current one: training rows from windows (every slot's next
// event is its target, with its candidate slice [target, negatives...]), and evaluation rows from held-out
// queries (the target after the last slot).
#pragma once

#include <cstdint>
#include <vector>

#include "stars/model/token_batch.h"
#include "stars/train/negative_sampler.h"
#include "stars/train/training_data.h"

namespace stars::data {
class Dataset;
struct UserEvents;
}

namespace stars::train {

class BatchBuilder {
 public:
  // `sampler` may be null (full softmax without extra negatives). With `all_items`, batches reference the
  // whole catalog (uniq empty, local ids = global ids) as the full softmax needs. With `exclude_history`,
  // training batches list for each target the distinct items of its user's earlier training events
  // (hist_tgt, hist_item: with `all_items` only, for the full softmax's mask) and the candidate and shared
  // columns holding one (hist_cand, hist_shared), so that the loss does not rank them, as the ranking of
  // held-out queries does not; an item equal to the target is never listed. With
  // `logq_correction`, they also carry each negative's log expected occurrences (cand_logq,
  // tgt_shared_logq, shared_logq; NegativeSampler::sample).
  BatchBuilder(const data::Dataset& dataset, const TrainingData& data, const model::BatchFeaturizer& featurizer,
               const NegativeSampler* sampler, int max_len, bool all_items, int shared_negatives = 0,
               bool exclude_history = false, bool logq_correction = false);

  // A training batch from windows()[ids[0..n)] with T = its longest window's inputs (<= max_len); negatives
  // are drawn from `seed` alone (deterministic). Without `all_items`, uniq ascends.
  void build_train(const uint32_t* window_ids, size_t n, uint64_t seed, model::TokenBatch* out,
                   model::ItemSlots* slots) const;
  // Rows for held-out queries: history in the slots, the query target as the target of the last slot
  // (no candidates; the caller ranks the whole catalog). uniq is left empty (global ids). T = the longest
  // history of the batch, at most max_len.
  void build_eval(const EvalQuery* queries, size_t n, model::TokenBatch* out) const;
  // Users (flag per user, 1 = out) whose rows carry no first target: the cold-user loss leaves them out
  // (train.cold_user_holdout). The vector must outlive the builder; nullptr = none.
  void set_cold_user_holdout(const std::vector<uint8_t>* holdout) { cold_holdout_ = holdout; }
  // An upper bound of the (hist_tgt, hist_item) pairs of any training batch of `batch_size` windows: the
  // sum over the batch_size windows with the most targets x earlier events. 0 unless the batches carry pairs
  // (`exclude_history` with `all_items`). The pairs grow with targets x history length.
  int64_t max_history_pairs(int batch_size) const;

 private:
  void fill_user(model::TokenBatch* b, int32_t row, int32_t user, std::vector<float>* num, std::vector<int32_t>* cat) const;
  model::EventView event_view(const data::UserEvents& ue, int64_t user_begin, int64_t e, std::vector<int32_t>* ctx) const;
  const data::Dataset& ds_;
  const TrainingData& data_;
  const model::BatchFeaturizer& featurizer_;
  const NegativeSampler* sampler_;
  int T_;
  bool all_items_;
  int shared_;
  bool exclude_history_;
  bool logq_;
  const std::vector<uint8_t>* cold_holdout_ = nullptr;
};

}  // namespace stars::train
