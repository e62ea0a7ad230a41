// Which events train the model and which are held out (paper §5 protocols): per user, the training events
// cut into windows of at most max_len + 1 events (every event after the first is a target once), and the
// validation and test queries (a user, the end of the history it may read, the target event).
// Leave-one-out: the last event of a user with >= loo_min_events events is the test target, the one before
// it the validation target. Temporal: events before the validation start train; a user's first event in
// the validation (test) period is its validation (test) target. With train.exclude_cold_users, cold users
// (data::Dataset::user_is_cold) have no training event and no validation or test query. Torch-free.
#pragma once

#include <cstdint>
#include <vector>

#include "stars/train/train_config.h"

namespace stars::data {
class Dataset;
}

namespace stars::train {

// A run of training events: train_events[begin, end) (at least 2 events), all from `user`.
struct Window {
  int32_t user = 0;
  uint32_t begin = 0, end = 0;
};

// A held-out prediction: the history is the user's events [user_begin, history_end) (absolute event
// indices; the encoder keeps the most recent max_len), the target is event `target`.
struct EvalQuery {
  int32_t user = 0;
  int64_t history_end = 0;
  int64_t target = 0;
};

class TrainingData {
 public:
  TrainingData(const data::Dataset& dataset, const TrainConfig& config, int max_len);

  const std::vector<int64_t>& train_events() const { return train_events_; }  // absolute event indices
  // The user's training events are train_events()[user_begin(u), user_begin(u + 1)).
  uint32_t user_begin(int32_t user) const { return user_begin_[user]; }
  // data::repeat_rate over the training events: what train.exclude_history=auto decides on.
  double repeat_rate(const data::Dataset& dataset) const;
  const std::vector<Window>& windows() const { return windows_; }
  const std::vector<EvalQuery>& valid() const { return valid_; }
  const std::vector<EvalQuery>& test() const { return test_; }
  int64_t num_train_targets() const { return num_targets_; }
  // Training-event count per item (for the popularity prior).
  const std::vector<int64_t>& item_train_counts() const { return item_counts_; }

 private:
  std::vector<int64_t> train_events_;
  std::vector<uint32_t> user_begin_;  // (users + 1) offsets into train_events_
  std::vector<Window> windows_;
  std::vector<EvalQuery> valid_, test_;
  std::vector<int64_t> item_counts_;
  int64_t num_targets_ = 0;
};

}  // namespace stars::train
