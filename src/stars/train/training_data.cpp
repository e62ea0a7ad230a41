#include "stars/train/training_data.h"

#include "stars/core/error.h"
#include "stars/data/dataset.h"
#include "stars/data/history_stats.h"

namespace stars::train {

TrainingData::TrainingData(const data::Dataset& ds, const TrainConfig& cfg, int max_len) {
  STARS_CHECK_ARG(max_len >= 1, "max_len must be >= 1");
  const auto offsets = ds.user_offsets();
  const auto items = ds.event_items();
  const auto ts = ds.event_times();
  const int loo_min = ds.info().splits.loo_min_events;
  const int64_t valid_start = ds.info().splits.temporal_valid_start, test_start = ds.info().splits.temporal_test_start;
  const bool temporal = cfg.split == "temporal";
  if (temporal)
    STARS_CHECK_ARG(ds.info().has_time, "train.split=temporal needs timestamps; " << ds.dir() << " has event order only");
  item_counts_.assign(ds.num_items(), 0);
  const size_t window_span = static_cast<size_t>(max_len) + 1;
  user_begin_.reserve(static_cast<size_t>(ds.num_users()) + 1);

  for (int32_t u = 0; u < ds.num_users(); ++u) {
    if (cfg.exclude_cold_users && ds.user_is_cold(u)) {  // no training event, no validation or test query
      user_begin_.push_back(static_cast<uint32_t>(train_events_.size()));
      continue;
    }
    const int64_t b = static_cast<int64_t>(offsets[u]), e = static_cast<int64_t>(offsets[u + 1]);
    const int64_t n = e - b;
    int64_t train_end = e;  // absolute end of the events usable for training
    if (!temporal) {
      if (n >= loo_min) {
        train_end = e - 2;
        valid_.push_back({u, e - 2, e - 2});
        test_.push_back({u, e - 1, e - 1});
      }
    } else {
      int64_t k = b;
      while (k < e && ts[k] < valid_start) ++k;
      train_end = k;
      if (k < e && ts[k] < test_start && k > b) valid_.push_back({u, k, k});
      int64_t j = k;
      while (j < e && ts[j] < test_start) ++j;
      if (j < e && j > b) test_.push_back({u, j, j});
    }
    const size_t first = train_events_.size();
    user_begin_.push_back(static_cast<uint32_t>(first));
    for (int64_t x = b; x < train_end; ++x) {
      if (cfg.exclude_cold_items && ds.item_is_cold(items[x])) continue;
      train_events_.push_back(x);
      ++item_counts_[items[x]];
    }
    const size_t m = train_events_.size() - first;
    if (m < 2) continue;
    // Windows from the most recent backwards; consecutive windows share one event, so every event but the
    // first is a target exactly once ("all"), or only the most recent window is used ("last").
    size_t end = m;
    while (end >= 2) {
      const size_t begin = end > window_span ? end - window_span : 0;
      windows_.push_back({u, static_cast<uint32_t>(first + begin), static_cast<uint32_t>(first + end)});
      num_targets_ += static_cast<int64_t>(end - begin - 1);
      if (cfg.windows == "last" || begin == 0) break;
      end = begin + 1;
    }
  }
  user_begin_.push_back(static_cast<uint32_t>(train_events_.size()));
  STARS_CHECK_ARG(!windows_.empty(), ds.dir() << ": no user has two training events; nothing to train on");
  STARS_CHECK_ARG(train_events_.size() < (1ull << 32), "too many training events for 32-bit windows");
}

double TrainingData::repeat_rate(const data::Dataset& ds) const {
  std::vector<uint8_t> mask(static_cast<size_t>(ds.num_events()), 0);
  for (int64_t e : train_events_) mask[static_cast<size_t>(e)] = 1;
  return data::repeat_rate(ds, mask);
}

}  // namespace stars::train
