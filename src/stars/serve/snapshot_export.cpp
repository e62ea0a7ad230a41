#include "stars/serve/snapshot_export.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <ctime>
#include <iterator>
#include <map>
#include <mutex>
#include <unordered_map>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/strings.h"
#include "stars/core/thread_pool.h"
#include "stars/core/time.h"
#include "stars/semantics/item_semantics.h"

namespace stars::serve {

void ExportConfig::validate() const {
  STARS_CHECK_ARG(threads >= 0, "export.threads must be >= 0, got " << threads);
  STARS_CHECK_ARG(batch_size >= 1 && batch_size <= 65536, "export.batch_size must be in [1, 65536], got " << batch_size);
  STARS_CHECK_ARG(history_len >= 1 && history_len <= 100000, "export.history_len must be in [1, 100000], got " << history_len);
  STARS_CHECK_ARG(popularity_half_life_days > 0, "export.popularity_half_life_days must be > 0, got " << popularity_half_life_days);
}

namespace {

// Encoder input of dataset user u: static features and the last `history_len` events.
model::EncoderInput dataset_user_input(const data::Dataset& ds, int32_t u, int history_len) {
  model::EncoderInput in;
  for (size_t f = 0; f < ds.user_numeric_names().size(); ++f) in.user_numeric.push_back(ds.user_numeric(f)[u]);
  for (size_t f = 0; f < ds.user_categorical_features().size(); ++f) in.user_categorical.push_back(ds.user_categorical(f)[u]);
  const auto ev = ds.user_events(u);
  const size_t first = ev.size() > static_cast<size_t>(history_len) ? ev.size() - history_len : 0;
  const uint64_t base = ds.user_offsets()[u];
  const size_t n_ctx = ds.event_context_features().size();
  for (size_t j = first; j < ev.size(); ++j) {
    model::HistoryEvent h;
    h.item = ev.items[j];
    h.ts = ev.ts[j];
    h.type = ev.types[j];
    h.region = ev.regions.empty() ? 0 : ev.regions[j];
    for (size_t f = 0; f < n_ctx; ++f) h.context.push_back(ds.event_context(f)[base + j]);
    in.events.push_back(std::move(h));
  }
  return in;
}

// Sparse (item -> score) accumulators flattened into a CSR sorted by item.
void to_csr(const std::vector<std::unordered_map<int32_t, float>>& rows, std::vector<uint64_t>& off,
            std::vector<int32_t>& items, std::vector<float>& scores) {
  off.assign(1, 0);
  items.clear();
  scores.clear();
  for (const auto& row : rows) {
    std::vector<std::pair<int32_t, float>> v(row.begin(), row.end());
    std::sort(v.begin(), v.end());
    for (const auto& kv : v) {
      items.push_back(kv.first);
      scores.push_back(kv.second);
    }
    off.push_back(items.size());
  }
}

}  // namespace

SnapshotData build_snapshot_data(const data::Dataset& ds, const model::Encoder& encoder, const ExportConfig& config) {
  config.validate();
  const int D = encoder.dim();
  const int32_t n_items = ds.num_items(), n_users = ds.num_users();
  STARS_CHECK_ARG(encoder.num_items() >= n_items, "the model knows " << encoder.num_items() << " items but the dataset has "
                                                                     << n_items << " (was it trained on this dataset?)");
  STARS_CHECK_ARG(D > 0 && D <= 4096, "encoder dimension must be in [1, 4096], got " << D);
  SnapshotData d;
  auto& m = d.manifest;
  m.dim = D;
  m.num_items = n_items;
  m.num_users = n_users;
  m.history_len = config.history_len;
  m.has_time = ds.info().has_time;
  m.created_at = static_cast<int64_t>(std::time(nullptr));
  m.source_dataset = ds.dir();
  m.config_json = config_to_json(config).dump(-1);

  // ---- vocabularies
  d.subclasses = ds.subclass_names();
  d.departments = ds.department_names();
  d.brands = ds.brand_names();
  if (d.brands.empty()) d.brands.push_back("");
  d.regions = ds.region_names();
  if (d.regions.empty()) d.regions.push_back("");
  STARS_CHECK_DATA(d.regions[0].empty() && d.brands[0].empty(), ds.dir() << ": region/brand code 0 must be the missing value");
  d.calendar_events = ds.calendar_event_names();
  d.user_numeric_names = ds.user_numeric_names();
  for (const auto& f : ds.user_categorical_features()) d.user_categorical_vocabs.push_back({f.name, f.vocab});
  for (const auto& f : ds.event_context_features()) d.event_context.push_back({f.name, f.vocab});

  // ---- items: metadata, tags, vectors
  const bool has_semantics = semantics::has_item_semantics(ds.dir());
  semantics::ItemSemantics sem;
  if (has_semantics) {
    sem = semantics::load_item_semantics(ds.dir());
    STARS_CHECK_DATA(sem.num_items == n_items, ds.dir() << "/semantics covers " << sem.num_items << " items, the dataset has " << n_items);
    d.tags = sem.tag_names;
  } else {
    d.tags = ds.tag_names();
  }
  d.item_raw_id.reserve(n_items);
  for (int32_t i = 0; i < n_items; ++i) {
    d.item_raw_id.emplace_back(ds.item_raw_id(i));
    d.item_title.emplace_back(ds.item_title(i));
    d.item_category.emplace_back(ds.item_category(i));
    d.item_subclass.push_back(ds.item_subclass(i));
    d.item_department.push_back(ds.item_department(i));
    d.item_brand.push_back(ds.item_brand(i));
    d.item_price.push_back(ds.item_price(i));
    d.item_in_stock.push_back(ds.item_in_stock(i) ? 1 : 0);
    for (int32_t r : ds.item_regions(i)) d.item_region_ids.push_back(r);
    d.item_region_offsets.push_back(d.item_region_ids.size());
    if (has_semantics) {
      for (int32_t t : sem.tags(i)) d.item_tag_ids.push_back(t);
    } else {
      for (int32_t t : ds.item_tags(i)) d.item_tag_ids.push_back(t);
    }
    d.item_tag_offsets.push_back(d.item_tag_ids.size());
  }
  std::vector<float> all_items(static_cast<size_t>(encoder.num_items()) * D);
  encoder.item_vectors(all_items.data());
  d.item_vectors.assign(all_items.begin(), all_items.begin() + static_cast<size_t>(n_items) * D);

  // ---- users: identity, history window, purchases, static features
  const size_t n_ctx = d.event_context.size();
  d.user_raw_id.reserve(n_users);
  d.user_numeric.reserve(static_cast<size_t>(n_users) * d.user_numeric_names.size());
  for (int32_t u = 0; u < n_users; ++u) {
    d.user_raw_id.emplace_back(ds.user_raw_id(u));
    const auto ev = ds.user_events(u);
    const size_t first = ev.size() > static_cast<size_t>(config.history_len) ? ev.size() - config.history_len : 0;
    const uint64_t base = ds.user_offsets()[u];
    for (size_t j = first; j < ev.size(); ++j) {
      d.hist_item.push_back(ev.items[j]);
      d.hist_ts.push_back(ev.ts[j]);
      d.hist_type.push_back(ev.types[j]);
      d.hist_region.push_back(ev.regions.empty() ? 0 : ev.regions[j]);
      for (size_t f = 0; f < n_ctx; ++f) d.hist_context.push_back(ds.event_context(f)[base + j]);
    }
    d.hist_offsets.push_back(d.hist_item.size());
    std::vector<int32_t> bought;
    for (size_t j = 0; j < ev.size(); ++j)
      if (!ds.info().has_event_types || ev.types[j] == static_cast<uint8_t>(data::EventType::kPurchase))
        bought.push_back(ev.items[j]);
    std::sort(bought.begin(), bought.end());
    bought.erase(std::unique(bought.begin(), bought.end()), bought.end());
    d.purchased_items.insert(d.purchased_items.end(), bought.begin(), bought.end());
    d.purchased_offsets.push_back(d.purchased_items.size());
    for (size_t f = 0; f < d.user_numeric_names.size(); ++f) d.user_numeric.push_back(ds.user_numeric(f)[u]);
    for (size_t f = 0; f < d.user_categorical_vocabs.size(); ++f) d.user_categorical.push_back(ds.user_categorical(f)[u]);
  }

  // ---- batch inference over all users
  d.user_h_gen.assign(static_cast<size_t>(n_users) * D, 0.0f);
  d.user_h_next.assign(static_cast<size_t>(n_users) * D, 0.0f);
  const int threads = config.threads > 0 ? config.threads : default_num_threads();
  const int32_t batch = config.batch_size;
  const int32_t n_batches = (n_users + batch - 1) / batch;
  Progress progress("encoding users", static_cast<uint64_t>(n_users), "users");
  std::mutex progress_mu;
  Timer timer;
  parallel_for(static_cast<size_t>(n_batches), threads, [&](size_t b0, size_t b1) {
    std::vector<model::EncoderInput> inputs;
    for (size_t b = b0; b < b1; ++b) {
      const int32_t u0 = static_cast<int32_t>(b) * batch, u1 = std::min(n_users, u0 + batch);
      inputs.clear();
      for (int32_t u = u0; u < u1; ++u) inputs.push_back(dataset_user_input(ds, u, config.history_len));
      encoder.encode(inputs.data(), inputs.size(), d.user_h_gen.data() + static_cast<size_t>(u0) * D,
                     d.user_h_next.data() + static_cast<size_t>(u0) * D);
      std::lock_guard<std::mutex> lock(progress_mu);
      progress.add(static_cast<uint64_t>(u1 - u0));
    }
  });
  const double secs = timer.seconds();
  m.export_seconds = secs;
  m.users_per_second = secs > 0 ? n_users / secs : 0.0;
  progress.finish(format_count(static_cast<uint64_t>(m.users_per_second)) + " users/s");
  for (size_t i = 0; i < d.user_h_gen.size(); ++i)
    STARS_CHECK(std::isfinite(d.user_h_gen[i]) && std::isfinite(d.user_h_next[i]),
                "the encoder produced a non-finite user vector (user " << i / D << ")");

  // ---- calendar
  std::map<std::pair<int64_t, int32_t>, std::vector<int32_t>> cal;
  if (!d.calendar_events.empty() && ds.info().has_time) {
    const int64_t day0 = day_of(ds.info().time_min), day1 = day_of(ds.info().time_max) + 366;
    for (int64_t day = day0; day <= day1; ++day)
      for (int32_t r = 0; r < static_cast<int32_t>(d.regions.size()); ++r) {
        auto ev = ds.active_calendar_events(day, r);
        std::sort(ev.begin(), ev.end());
        ev.erase(std::unique(ev.begin(), ev.end()), ev.end());
        if (r > 0) {  // keep only the region-specific rows beyond the everywhere rows
          auto everywhere = ds.active_calendar_events(day, 0);
          std::sort(everywhere.begin(), everywhere.end());
          std::vector<int32_t> only;
          std::set_difference(ev.begin(), ev.end(), everywhere.begin(), everywhere.end(), std::back_inserter(only));
          ev = std::move(only);
        }
        if (!ev.empty()) cal[{day, r}] = std::move(ev);
      }
  }
  for (auto& kv : cal) {
    d.cal_day.push_back(kv.first.first);
    d.cal_region.push_back(kv.first.second);
    d.cal_events.insert(d.cal_events.end(), kv.second.begin(), kv.second.end());
    d.cal_offsets.push_back(d.cal_events.size());
  }

  // ---- popularity within context: recency-weighted counts overall, per region, per calendar event; and
  // per item the users whose first event (the dataset's per-user order: time order) it is
  d.item_popularity.assign(n_items, 0.0f);
  d.item_first_popularity.assign(n_items, 0.0f);
  std::vector<std::unordered_map<int32_t, float>> by_region(d.regions.size()), by_event(d.calendar_events.size());
  const double half_life = config.popularity_half_life_days * 86400.0;
  const int64_t t_max = ds.info().time_max;
  std::unordered_map<int64_t, std::vector<int32_t>> day_events;  // (day, region) -> active events
  for (int32_t u = 0; u < n_users; ++u) {
    const auto ev = ds.user_events(u);
    if (ev.size() > 0) d.item_first_popularity[ev.items[0]] += 1.0f;  // what new users take first
    for (size_t j = 0; j < ev.size(); ++j) {
      const float w = ds.info().has_time ? static_cast<float>(std::exp2(-(t_max - ev.ts[j]) / half_life)) : 1.0f;
      const int32_t item = ev.items[j];
      d.item_popularity[item] += w;
      const int32_t r = ev.regions.empty() ? 0 : ev.regions[j];
      if (r > 0 && static_cast<size_t>(r) < by_region.size()) by_region[r][item] += w;
      if (!by_event.empty() && ds.info().has_time) {
        const int64_t key = day_of(ev.ts[j]) * 65536 + r;
        auto it = day_events.find(key);
        if (it == day_events.end()) it = day_events.emplace(key, ds.active_calendar_events(day_of(ev.ts[j]), r)).first;
        for (int32_t e : it->second)
          if (e >= 0 && static_cast<size_t>(e) < by_event.size()) by_event[e][item] += w;
      }
    }
  }
  to_csr(by_region, d.region_pop_offsets, d.region_pop_item, d.region_pop_score);
  to_csr(by_event, d.event_pop_offsets, d.event_pop_item, d.event_pop_score);
  return d;
}

}  // namespace stars::serve
