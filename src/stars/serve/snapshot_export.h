// `stars export` without the torch part: batch inference over every user of a prepared dataset through
// the model::Encoder interface (h_gen, h_next; paper §4.3), item serving vectors, item metadata for
// filtering, each user's recent history and static features (for live re-encoding in the service),
// purchases, the calendar and popularity within context (region, calendar event) for users without
// history. Users are encoded in batches on `threads` threads with a progress bar. Torch-free: the
// caller loads the encoder (model module) and passes it in.
#pragma once

#include <cstdint>
#include <string>

#include "stars/data/dataset.h"
#include "stars/model/encoder.h"
#include "stars/serve/snapshot_data.h"

namespace stars::serve {

struct ExportConfig {
  int threads = 0;                        ///< encoding threads, 0 = all cores
  int batch_size = 256;                   ///< users per encoder call, in [1, 65536]
  int history_len = 200;                  ///< most recent events per user kept for encoding and live sessions, in [1, 100000]
  double popularity_half_life_days = 14;  ///< recency weight of events in popularity, > 0
  bool npy = true;                        ///< also write .npy copies of the matrices

  template <class V>
  void visit(V& v) {
    v("threads", threads, "encoding threads, 0 = all cores");
    v("batch_size", batch_size, "users per encoder call, in [1, 65536]");
    v("history_len", history_len, "most recent events per user kept for encoding and live sessions, in [1, 100000]");
    v("popularity_half_life_days", popularity_half_life_days, "recency half-life of events in item popularity, days, > 0");
    v("npy", npy, "also write .npy copies of the user and item matrices");
  }
  void validate() const;
};

// The model input of one user of a snapshot: static features + the last `history_len` events.
// Shared by export and the live-session path so both see exactly the same window.
struct UserFeatures {
  std::vector<float> numeric;
  std::vector<int32_t> categorical;
};

// Builds every array of a snapshot. The encoder must cover the dataset's items and have the serving
// dimension. `item_tags` (CSR over items) and `tag_names` come from the item semantics when the
// dataset has them (the tags the model was trained with), else from the dataset's own tags.
SnapshotData build_snapshot_data(const data::Dataset& ds, const model::Encoder& encoder, const ExportConfig& config);

}  // namespace stars::serve
