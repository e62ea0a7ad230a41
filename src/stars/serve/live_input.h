// The model input of a user at request time: static features and the snapshot's recent-history window
// (the same window `stars export` encoded) followed by live session events, mapped from raw ids and
// names to the codes the model knows. Used to re-encode h_gen / h_next for live sessions and for
// unknown users who send events. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/model/encoder.h"
#include "stars/serve/catalog.h"
#include "stars/serve/serving_state.h"
#include "stars/serve/session_store.h"

namespace stars::serve {

// `dense` is the user's snapshot row or -1. Live events whose item is not in the catalog are skipped
// with a warning; events without a time get `now` (or, for data without time, the next position).
// The result keeps the most recent `history_len` events of the manifest.
model::EncoderInput build_live_input(const ServingState& state, const Catalog::ReadView& view, int32_t dense,
                                     const std::vector<SessionEvent>& live, int64_t now,
                                     std::vector<std::string>* warnings);

}  // namespace stars::serve
