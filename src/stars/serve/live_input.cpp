#include "stars/serve/live_input.h"

#include <algorithm>
#include <limits>

namespace stars::serve {

model::EncoderInput build_live_input(const ServingState& state, const Catalog::ReadView& view, int32_t dense,
                                     const std::vector<SessionEvent>& live, int64_t now,
                                     std::vector<std::string>* warnings) {
  const Snapshot& snap = state.snapshot();
  const size_t n_ctx = snap.event_context_vocabs().size();
  const int32_t n_regions = static_cast<int32_t>(snap.regions().size());
  model::EncoderInput in;
  int64_t last_ts = 0;
  if (dense >= 0) {
    for (float v : snap.user_numeric(dense)) in.user_numeric.push_back(v);
    for (int32_t v : snap.user_categorical(dense)) in.user_categorical.push_back(v);
    const auto h = snap.history(dense);
    for (size_t j = 0; j < h.size(); ++j) {
      model::HistoryEvent e;
      e.item = h.items[j];
      e.ts = h.ts[j];
      e.type = h.types[j];
      e.region = h.regions[j];
      e.context.assign(h.context.begin() + j * n_ctx, h.context.begin() + (j + 1) * n_ctx);
      last_ts = e.ts;
      in.events.push_back(std::move(e));
    }
  } else {
    // Unknown user: static features are missing.
    in.user_numeric.assign(snap.user_numeric_names().size(), std::numeric_limits<float>::quiet_NaN());
    in.user_categorical.assign(snap.user_categorical_vocabs().size(), 0);
  }
  for (const auto& ev : live) {
    const auto item = view.find(ev.item_id);
    if (!item) {
      if (warnings) warnings->push_back("event item '" + ev.item_id + "' is not in the catalog; skipped");
      continue;
    }
    model::HistoryEvent e;
    e.item = *item;
    if (snap.manifest().has_time) e.ts = ev.ts > 0 ? ev.ts : now;
    else e.ts = last_ts + 1;  // positions
    last_ts = e.ts;
    e.type = ev.type;
    const int32_t r = ev.region.empty() ? 0 : view.region_code(ev.region);
    e.region = r < n_regions ? r : 0;  // regions added after training are unknown to the model
    e.context.assign(n_ctx, 0);
    for (const auto& kv : ev.context) {
      const int f = state.event_context_feature(kv.first);
      if (f >= 0) e.context[f] = state.event_context_code(static_cast<size_t>(f), kv.second);
    }
    in.events.push_back(std::move(e));
  }
  const size_t keep = static_cast<size_t>(std::max(1, snap.manifest().history_len));
  if (in.events.size() > keep) in.events.erase(in.events.begin(), in.events.end() - keep);
  return in;
}

}  // namespace stars::serve
