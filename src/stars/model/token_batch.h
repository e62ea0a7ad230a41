// A batch of user histories as flat integer/float arrays, built by torch-free code (training workers, the
// encoder) and turned into tensors by the network. Dimension letters: B rows, T item slots (= max_len),
// N_t target positions, C candidates per target, U distinct items referenced, F context columns.
//
// Slots are right-aligned: slot T-1 holds the most recent event and pad slots (valid = 0) come first, so the
// position of an event counted from the most recent one is T-1-t whatever the padding.
#pragma once

#include <cstdint>
#include <vector>

#include "stars/model/calendar_index.h"
#include "stars/model/feature_schema.h"
#include "stars/model/model_config.h"

namespace stars::model {

struct TokenBatch {
  int32_t B = 0, T = 0;
  // ---- item slots, (B, T) row-major
  std::vector<int64_t> item_local;    // index into `uniq` (pads: 0)
  std::vector<uint8_t> valid;         // 1 = real event
  std::vector<int64_t> type;          // engagement type
  std::vector<int64_t> hour, dow, week, region, recency;  // time/context features (0 when absent)
  std::vector<int64_t> context;       // (F, B*T) extra event context codes
  std::vector<int64_t> cal_ids, cal_offsets;  // calendar bag per slot: offsets (B*T) into cal_ids
  std::vector<int64_t> slot_day;      // (B*T) day of each event, -1 = pad or no time (input of finish())
  // ---- static user features
  std::vector<float> user_num;        // (B, 2 * numeric features): standardised value, missing flag
  std::vector<int64_t> user_cat;      // (B, categorical features)
  // ---- items referenced by the batch
  std::vector<int64_t> uniq;          // (U) global item ids (ascending in training batches: ItemSlots::sort)
  // ---- training targets (empty for inference)
  int64_t n_targets = 0;              // N_t
  int32_t n_cands = 0;                // C, column 0 = the target
  std::vector<int64_t> tgt_slot;      // (N_t) flat slot b*T+t whose output predicts the target
  std::vector<int64_t> tgt_item;      // (N_t) global id of the target
  std::vector<int64_t> cands;         // (N_t, C) indices into `uniq`
  std::vector<int64_t> shared;        // (K) negatives shared by every target of the batch, indices into `uniq`
  std::vector<int64_t> shared_item;   // (K) their global ids (to mask a shared negative equal to a target)
  std::vector<int64_t> tgt_hour, tgt_dow, tgt_week, tgt_region;  // (N_t) context of the target event
  std::vector<int64_t> tgt_cal_ids, tgt_cal_offsets;             // calendar bag per target
  std::vector<int64_t> row_last_target;  // (B) index into N_t of the target after the row's last slot, -1 none
  std::vector<int64_t> row_first_target; // (B) index into N_t of the row's first target when the row starts at
                                         // its user's first training event (the cold-user loss), -1 otherwise
  // ---- history exclusion (train.exclude_history): items the loss must not rank for a target
  std::vector<int64_t> hist_tgt, hist_item;  // (H) target index, global id of an earlier item of its user
  std::vector<int64_t> hist_cand;            // flat indices into cands (N_t, C) holding such an item
  std::vector<int64_t> hist_shared;          // flat indices into (N_t, K) of shared negatives holding one
  // ---- sampled-softmax correction (train.logq_correction): log expected occurrences of each negative
  std::vector<float> cand_logq;        // (N_t, C), column 0 (the target) = 0
  std::vector<float> tgt_shared_logq;  // (N_t) log(random + shared draws) of each target's sampling
  std::vector<float> shared_logq;      // (K) log chance of one random draw being that shared negative
  // (P) where a shared negative is also on the target's page or in its subclass: target index, shared
  // column, its log expected occurrences for that target (replaces tgt_shared_logq + shared_logq there)
  std::vector<int64_t> pair_logq_tgt, pair_logq_col;
  std::vector<float> pair_logq;
};

// One event as the featurizer sees it.
struct EventView {
  int32_t item = -1;
  int64_t ts = 0;
  uint8_t type = 0;
  int32_t region = 0;
  const int32_t* context = nullptr;  // F codes, or null
  int n_context = 0;
};

// Time parts the model embeds: hour 0..23, day of week 0..6, week of year 0..52.
struct TimeParts {
  int hour = 0, dow = 0, week = 0;
};
TimeParts time_parts(int64_t ts);
// 0 = no gap (or unknown), then 1 + floor(log2(1 + minutes)), capped at n_buckets - 1.
int recency_bucket(int64_t seconds, int n_buckets);

// Fills TokenBatch rows from events. The caller maps global item ids to `uniq` through ItemSlots.
class BatchFeaturizer {
 public:
  BatchFeaturizer(const ModelConfig& config, const FeatureSchema& schema, const CalendarIndex* calendar);

  // Sizes every per-slot array for B rows of T slots (all pads) and clears targets.
  void begin(TokenBatch* batch, int32_t B, int32_t T) const;
  // Static user features of row r (numeric: NaN = missing; categorical codes; either may be null).
  void set_user(TokenBatch* batch, int32_t r, const float* numeric, const int32_t* categorical) const;
  // Event features of slot (r, t); `now` is the reference time of its recency: the time of the next event, or
  // the request time for the last slot. Does not set item_local.
  void set_slot(TokenBatch* batch, int32_t r, int32_t t, const EventView& e, int64_t now) const;
  // Builds the per-slot calendar bags from the slots set so far; call once after the last set_slot.
  void finish(TokenBatch* batch) const;
  // Context of a target event (time parts, region, calendar bag) appended to the tgt_* arrays.
  void add_target_context(TokenBatch* batch, int64_t ts, int32_t region) const;

  bool uses_time() const { return time_; }
  bool uses_calendar() const { return calendar_on_; }

 private:
  ModelConfig config_;
  FeatureSchema schema_;
  const CalendarIndex* calendar_;
  bool time_ = false, calendar_on_ = false;
};

// Maps global item ids to dense local indices into TokenBatch::uniq (per-thread scratch, O(N) once).
class ItemSlots {
 public:
  explicit ItemSlots(int32_t num_items) : local_(num_items, -1) {}
  void reset(TokenBatch* batch);            // starts a new batch's uniq list
  int64_t local(TokenBatch* batch, int32_t item);  // adds the item on first use
  // Renumbers the batch's items so that uniq ascends (item_local, cands and shared follow): a gather of
  // table rows by uniq then reads memory in order, and its sparse gradient lists rows as coalesced.
  void sort(TokenBatch* batch);
  void clear(const TokenBatch& batch);      // forgets the batch's items (call before reuse)
  void grow(int32_t num_items) {
    if (num_items > static_cast<int32_t>(local_.size())) local_.resize(num_items, -1);
  }

 private:
  std::vector<int64_t> local_;
  std::vector<int64_t> rank_;  // sort's scratch: old local index -> new
};

}  // namespace stars::model
