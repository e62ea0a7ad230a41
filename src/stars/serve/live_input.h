// The model input of a user at request time: static features and the snapshot's recent-history window
// (the same window `stars export` encoded) followed by live session events, mapped from raw ids and
// names to the codes the model knows. Used to re-encode h_gen / h_next for live sessions and for
// unknown users who send events or static features (`user_features`). Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/model/encoder.h"
#include "stars/serve/api_types.h"
#include "stars/serve/catalog.h"
#include "stars/serve/serving_state.h"
#include "stars/serve/session_store.h"

namespace stars::serve {

// Static features of a user as the model codes them (the snapshot's feature order).
struct UserFeatureCodes {
  std::vector<float> numeric;        // NaN = missing
  std::vector<int32_t> categorical;  // 0 = missing
};

// A request's `user_features` mapped onto the snapshot's user features; features not given are missing.
// An unknown name, or a string for a numeric feature / a number for a categorical one, is an
// invalid-argument error naming the field ("user_features.age must be a number, got a string"); an unknown
// categorical value becomes 0 (missing) with a warning.
UserFeatureCodes resolve_user_features(const ServingState& state, const std::vector<UserFeatureValue>& features,
                                       std::vector<std::string>* warnings);

// `dense` is the user's snapshot row or -1; an unknown user's static features are `features` (null:
// missing). Live events whose item is not in the catalog are skipped with a warning; events without a
// time get `now` (or, for data without time, the next position). The result keeps the most recent
// `history_len` events of the manifest.
model::EncoderInput build_live_input(const ServingState& state, const Catalog::ReadView& view, int32_t dense,
                                     const std::vector<SessionEvent>& live, int64_t now,
                                     std::vector<std::string>* warnings, const UserFeatureCodes* features = nullptr);

}  // namespace stars::serve
