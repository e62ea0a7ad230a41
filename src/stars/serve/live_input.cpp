#include "stars/serve/live_input.h"

#include <algorithm>
#include <limits>
#include <variant>

#include "stars/core/error.h"

namespace stars::serve {

UserFeatureCodes resolve_user_features(const ServingState& state, const std::vector<UserFeatureValue>& features,
                                       std::vector<std::string>* warnings) {
  const Snapshot& snap = state.snapshot();
  const auto& numeric = snap.user_numeric_names();
  const auto& categorical = snap.user_categorical_vocabs();
  UserFeatureCodes codes;
  codes.numeric.assign(numeric.size(), std::numeric_limits<float>::quiet_NaN());
  codes.categorical.assign(categorical.size(), 0);
  for (const auto& f : features) {
    const std::string field = "user_features." + f.name;
    const auto num = std::find(numeric.begin(), numeric.end(), f.name);
    const auto cat = std::find_if(categorical.begin(), categorical.end(), [&](const NamedVocab& v) { return v.name == f.name; });
    if (num == numeric.end() && cat == categorical.end()) {
      std::string known;
      for (const auto& n : numeric) known += (known.empty() ? "" : ", ") + n;
      for (const auto& v : categorical) known += (known.empty() ? "" : ", ") + v.name;
      STARS_THROW(kInvalidArgument, "unknown field '" << field << "'; "
                                        << (known.empty() ? "this snapshot has no user features" : "expected one of: " + known));
    }
    if (std::holds_alternative<std::monostate>(f.value)) continue;  // null: missing
    if (num != numeric.end()) {
      const double* v = std::get_if<double>(&f.value);
      STARS_CHECK_ARG(v, field << " must be a number, got a string");
      codes.numeric[num - numeric.begin()] = static_cast<float>(*v);
    } else {
      const std::string* v = std::get_if<std::string>(&f.value);
      STARS_CHECK_ARG(v, field << " must be a string, got a number");
      const size_t c = static_cast<size_t>(cat - categorical.begin());
      codes.categorical[c] = state.user_categorical_code(c, *v);
      if (codes.categorical[c] == 0 && !v->empty() && warnings)
        warnings->push_back(field + ": unknown value '" + *v + "'; taken as missing");
    }
  }
  return codes;
}

model::EncoderInput build_live_input(const ServingState& state, const Catalog::ReadView& view, int32_t dense,
                                     const std::vector<SessionEvent>& live, int64_t now,
                                     std::vector<std::string>* warnings, const UserFeatureCodes* features) {
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
  } else if (features) {  // unknown user: the static features sent with the request
    in.user_numeric = features->numeric;
    in.user_categorical = features->categorical;
  } else {  // unknown user: static features are missing
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
