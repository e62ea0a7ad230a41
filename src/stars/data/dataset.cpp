#include "stars/data/dataset.h"

#include <nlohmann/json.hpp>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"

namespace stars::data {

const char* event_type_name(EventType t) {
  switch (t) {
    case EventType::kInteraction: return "interaction";
    case EventType::kView: return "view";
    case EventType::kCart: return "cart";
    case EventType::kPurchase: return "purchase";
  }
  return "?";
}

std::optional<EventType> parse_event_type(std::string_view s) {
  const std::string t = to_lower(trim(s));
  if (t == "view" || t == "click" || t == "pageview" || t == "page_view" || t == "detail" || t == "impression_click")
    return EventType::kView;
  if (t == "cart" || t == "add_to_cart" || t == "addtocart" || t == "add-to-cart" || t == "atc" || t == "basket")
    return EventType::kCart;
  if (t == "purchase" || t == "buy" || t == "order" || t == "transaction" || t == "checkout" || t == "conversion")
    return EventType::kPurchase;
  if (t == "interaction" || t == "rating" || t == "review" || t == "" ) return EventType::kInteraction;
  return std::nullopt;
}

std::string dataset_info_to_json(const DatasetInfo& i) {
  nlohmann::json j;
  j["format"] = "stars-dataset";
  j["version"] = i.version;
  j["source"] = {{"format", i.source_format}, {"path", i.source_path}};
  j["counts"] = {{"users", i.num_users}, {"items", i.num_items}, {"events", i.num_events}, {"pages", i.num_pages}};
  j["fields"] = {{"time", i.has_time},       {"event_types", i.has_event_types}, {"sessions", i.has_sessions},
                 {"pages", i.has_pages},     {"regions", i.has_regions},         {"item_text", i.has_item_text},
                 {"categories", i.has_categories}, {"prices", i.has_prices}};
  j["time_range"] = {i.time_min, i.time_max};
  j["splits"] = {{"leave_one_out", {{"min_events", i.splits.loo_min_events}}},
                 {"temporal", {{"valid_start", i.splits.temporal_valid_start}, {"test_start", i.splits.temporal_test_start}}},
                 {"cold_item", {{"fraction", i.splits.cold_item_fraction}, {"seed", i.splits.cold_item_seed},
                                {"items", i.splits.num_cold_items}}},
                 {"cold_user", {{"fraction", i.splits.cold_user_fraction}, {"seed", i.splits.cold_user_seed},
                                {"users", i.splits.num_cold_users}}}};
  return j.dump(2);
}

DatasetInfo dataset_info_from_json(const std::string& text, const std::string& where) {
  DatasetInfo i;
  try {
    const auto j = nlohmann::json::parse(text);
    STARS_CHECK_DATA(j.value("format", "") == "stars-dataset", where << ": not a STARS dataset manifest (format field)");
    i.version = j.at("version").get<uint32_t>();
    STARS_CHECK_DATA(i.version == kDatasetVersion, where << ": dataset format version " << i.version
                                                         << ", this build reads version " << kDatasetVersion
                                                         << " (re-run stars prepare)");
    i.source_format = j.at("source").at("format").get<std::string>();
    i.source_path = j.at("source").at("path").get<std::string>();
    const auto& c = j.at("counts");
    i.num_users = c.at("users").get<int32_t>();
    i.num_items = c.at("items").get<int32_t>();
    i.num_events = c.at("events").get<int64_t>();
    i.num_pages = c.at("pages").get<int32_t>();
    const auto& f = j.at("fields");
    i.has_time = f.at("time").get<bool>();
    i.has_event_types = f.at("event_types").get<bool>();
    i.has_sessions = f.at("sessions").get<bool>();
    i.has_pages = f.at("pages").get<bool>();
    i.has_regions = f.at("regions").get<bool>();
    i.has_item_text = f.at("item_text").get<bool>();
    i.has_categories = f.at("categories").get<bool>();
    i.has_prices = f.at("prices").get<bool>();
    i.time_min = j.at("time_range").at(0).get<int64_t>();
    i.time_max = j.at("time_range").at(1).get<int64_t>();
    const auto& s = j.at("splits");
    i.splits.loo_min_events = s.at("leave_one_out").at("min_events").get<int>();
    i.splits.temporal_valid_start = s.at("temporal").at("valid_start").get<int64_t>();
    i.splits.temporal_test_start = s.at("temporal").at("test_start").get<int64_t>();
    i.splits.cold_item_fraction = s.at("cold_item").at("fraction").get<double>();
    i.splits.cold_item_seed = s.at("cold_item").at("seed").get<uint64_t>();
    i.splits.num_cold_items = s.at("cold_item").at("items").get<int32_t>();
    if (s.contains("cold_user")) {  // absent in datasets prepared before cold users: none
      i.splits.cold_user_fraction = s.at("cold_user").at("fraction").get<double>();
      i.splits.cold_user_seed = s.at("cold_user").at("seed").get<uint64_t>();
      i.splits.num_cold_users = s.at("cold_user").at("users").get<int32_t>();
    }
  } catch (const nlohmann::json::exception& e) {
    STARS_THROW(kCorrupt, where << ": malformed manifest: " << e.what());
  }
  return i;
}

namespace {
std::vector<std::string> strings_or_empty(const TableReader& r, const std::string& name) {
  return r.has_strings(name) ? r.strings(name) : std::vector<std::string>{};
}
}  // namespace

std::unique_ptr<Dataset> Dataset::open(const std::string& dir, bool verify) {
  std::unique_ptr<Dataset> ds(new Dataset());
  ds->dir_ = dir;
  const std::string manifest = path_join(dir, "manifest.json");
  if (!file_exists(manifest))
    STARS_THROW(kNotFound, dir << ": not a prepared STARS dataset (no manifest.json; run stars prepare)");
  ds->info_ = dataset_info_from_json(read_text_file(manifest), manifest);
  auto& d = *ds;
  d.events_ = TableReader(path_join(dir, "events.tbl"), "events", kDatasetVersion, verify);
  d.items_ = TableReader(path_join(dir, "items.tbl"), "items", kDatasetVersion, verify);
  d.users_ = TableReader(path_join(dir, "users.tbl"), "users", kDatasetVersion, verify);
  d.impressions_ = TableReader(path_join(dir, "impressions.tbl"), "impressions", kDatasetVersion, verify);
  d.calendar_ = TableReader(path_join(dir, "calendar.tbl"), "calendar", kDatasetVersion, verify);

  const int64_t n_ev = d.info_.num_events;
  const int32_t n_items = d.info_.num_items, n_users = d.info_.num_users;
  d.user_offsets_ = d.events_.column<uint64_t>("user_offsets");
  d.ev_item_ = d.events_.column<int32_t>("item");
  d.ev_ts_ = d.events_.column<int64_t>("ts");
  d.ev_type_ = d.events_.column<uint8_t>("type");
  d.ev_session_ = d.events_.column<int32_t>("session");
  d.ev_page_ = d.events_.column<int32_t>("page");
  d.ev_region_ = d.events_.column<int32_t>("region");
  const std::string ep = d.events_.path();
  STARS_CHECK_DATA(d.user_offsets_.size() == static_cast<size_t>(n_users) + 1 && d.user_offsets_.back() == static_cast<uint64_t>(n_ev),
                   ep << ": user_offsets do not match the manifest counts");
  for (auto* col : {&d.ev_item_, &d.ev_session_, &d.ev_page_, &d.ev_region_})
    STARS_CHECK_DATA(col->size() == static_cast<size_t>(n_ev), ep << ": an event column has the wrong length");
  STARS_CHECK_DATA(d.ev_ts_.size() == static_cast<size_t>(n_ev) && d.ev_type_.size() == static_cast<size_t>(n_ev),
                   ep << ": an event column has the wrong length");
  for (int32_t u = 0; u < n_users; ++u)
    STARS_CHECK_DATA(d.user_offsets_[u] <= d.user_offsets_[u + 1], ep << ": user_offsets decrease at user " << u);
  if (verify) {
    for (int64_t k = 0; k < n_ev; ++k) {
      STARS_CHECK_DATA(d.ev_item_[k] >= 0 && d.ev_item_[k] < n_items, ep << ": event " << k << " has item id " << d.ev_item_[k] << " out of range");
      STARS_CHECK_DATA(d.ev_type_[k] < kNumEventTypes, ep << ": event " << k << " has an unknown type");
    }
  }
  d.region_names_ = strings_or_empty(d.events_, "region_names");
  auto ctx_names = strings_or_empty(d.events_, "ctx_names");
  for (size_t f = 0; f < ctx_names.size(); ++f) {
    d.ctx_features_.push_back({ctx_names[f], d.events_.strings("ctxvocab." + std::to_string(f))});
    d.ctx_columns_.push_back(d.events_.column<int32_t>("ctx." + std::to_string(f)));
  }

  const std::string ip = d.items_.path();
  STARS_CHECK_DATA(d.items_.rows("raw_id") == static_cast<uint64_t>(n_items), ip << ": item count does not match the manifest");
  d.it_subclass_ = d.items_.column<int32_t>("subclass");
  d.it_department_ = d.items_.column<int32_t>("department");
  d.it_brand_ = d.items_.column<int32_t>("brand");
  d.it_price_ = d.items_.column<float>("price");
  d.it_in_stock_ = d.items_.column<uint8_t>("in_stock");
  d.it_cold_ = d.items_.column<uint8_t>("cold");
  d.it_first_seen_ = d.items_.column<int64_t>("first_seen");
  d.it_tag_off_ = d.items_.column<uint64_t>("tags.offsets");
  d.it_tag_val_ = d.items_.column<int32_t>("tags.values");
  d.it_region_off_ = d.items_.column<uint64_t>("regions.offsets");
  d.it_region_val_ = d.items_.column<int32_t>("regions.values");
  d.subclass_names_ = d.items_.strings("subclass_names");
  d.department_names_ = d.items_.strings("department_names");
  d.brand_names_ = d.items_.strings("brand_names");
  d.tag_names_ = d.items_.strings("tag_names");
  auto counts = d.items_.column<int64_t>("count");
  d.item_counts_.assign(counts.begin(), counts.end());
  STARS_CHECK_DATA(d.it_tag_off_.size() == static_cast<size_t>(n_items) + 1 && d.it_region_off_.size() == static_cast<size_t>(n_items) + 1,
                   ip << ": tag/region lists do not match the item count");
  if (verify) {
    for (int32_t i = 0; i < n_items; ++i) {
      STARS_CHECK_DATA(d.it_subclass_[i] >= -1 && d.it_subclass_[i] < static_cast<int32_t>(d.subclass_names_.size()), ip << ": item " << i << " has a bad subclass id");
      STARS_CHECK_DATA(d.it_brand_[i] >= 0 && d.it_brand_[i] < static_cast<int32_t>(d.brand_names_.size()), ip << ": item " << i << " has a bad brand id");
    }
    for (int32_t t : d.it_tag_val_)
      STARS_CHECK_DATA(t >= 0 && t < static_cast<int32_t>(d.tag_names_.size()), ip << ": a tag id is out of range");
  }

  d.user_numeric_names_ = strings_or_empty(d.users_, "numeric_names");
  for (size_t f = 0; f < d.user_numeric_names_.size(); ++f)
    d.user_numeric_.push_back(d.users_.column<float>("num." + std::to_string(f)));
  auto cat_names = strings_or_empty(d.users_, "categorical_names");
  for (size_t f = 0; f < cat_names.size(); ++f) {
    d.user_cat_features_.push_back({cat_names[f], d.users_.strings("catvocab." + std::to_string(f))});
    d.user_cat_.push_back(d.users_.column<int32_t>("cat." + std::to_string(f)));
  }
  d.us_cold_ = d.users_.column_or_empty<uint8_t>("cold");
  {
    const std::string up = d.users_.path();
    int64_t n_cold = 0;
    for (uint8_t c : d.us_cold_) n_cold += c != 0;
    STARS_CHECK_DATA(d.us_cold_.empty() || d.us_cold_.size() == static_cast<size_t>(n_users),
                     up << ": the cold column has " << d.us_cold_.size() << " rows for " << n_users << " users");
    STARS_CHECK_DATA(n_cold == d.info_.splits.num_cold_users,
                     up << ": " << n_cold << " users are flagged cold but the manifest says " << d.info_.splits.num_cold_users);
  }

  d.page_off_ = d.impressions_.column<uint64_t>("items.offsets");
  d.page_val_ = d.impressions_.column<int32_t>("items.values");
  STARS_CHECK_DATA(d.page_off_.size() == static_cast<size_t>(d.info_.num_pages) + 1, d.impressions_.path() << ": page count does not match the manifest");
  for (int32_t i : d.page_val_)
    STARS_CHECK_DATA(i >= 0 && i < n_items, d.impressions_.path() << ": impression item id out of range");

  d.calendar_event_names_ = d.calendar_.strings("event_names");
  auto days = d.calendar_.column<int64_t>("day");
  auto regions = d.calendar_.column<int32_t>("region");
  auto eoff = d.calendar_.column<uint64_t>("events.offsets");
  auto evals = d.calendar_.column<int32_t>("events.values");
  for (size_t r = 0; r < days.size(); ++r) {
    auto& v = d.calendar_index_[days[r] * 65536 + regions[r]];
    for (uint64_t k = eoff[r]; k < eoff[r + 1]; ++k) v.push_back(evals[k]);
  }
  return ds;
}

UserEvents Dataset::user_events(int32_t user) const {
  const uint64_t b = user_offsets_[user], e = user_offsets_[user + 1];
  const size_t n = e - b;
  return UserEvents{ev_item_.subspan(b, n),    ev_ts_.subspan(b, n),   ev_type_.subspan(b, n),
                    ev_session_.subspan(b, n), ev_page_.subspan(b, n), ev_region_.subspan(b, n)};
}

Span<const int32_t> Dataset::item_tags(int32_t i) const {
  return it_tag_val_.subspan(it_tag_off_[i], it_tag_off_[i + 1] - it_tag_off_[i]);
}

Span<const int32_t> Dataset::item_regions(int32_t i) const {
  return it_region_val_.subspan(it_region_off_[i], it_region_off_[i + 1] - it_region_off_[i]);
}

Span<const int32_t> Dataset::page_items(int32_t page) const {
  return page_val_.subspan(page_off_[page], page_off_[page + 1] - page_off_[page]);
}

std::vector<int32_t> Dataset::active_calendar_events(int64_t day, int32_t region) const {
  std::vector<int32_t> out;
  auto it = calendar_index_.find(day * 65536);
  if (it != calendar_index_.end()) out = it->second;
  if (region != 0) {
    auto jt = calendar_index_.find(day * 65536 + region);
    if (jt != calendar_index_.end()) out.insert(out.end(), jt->second.begin(), jt->second.end());
  }
  return out;
}

std::optional<int32_t> Dataset::find_item(std::string_view raw_id) const {
  std::call_once(item_map_once_, [this] {
    item_map_.reserve(info_.num_items);
    for (int32_t i = 0; i < info_.num_items; ++i) item_map_.emplace(item_raw_id(i), i);
  });
  auto it = item_map_.find(raw_id);
  return it == item_map_.end() ? std::nullopt : std::optional<int32_t>(it->second);
}

std::optional<int32_t> Dataset::find_user(std::string_view raw_id) const {
  std::call_once(user_map_once_, [this] {
    user_map_.reserve(info_.num_users);
    for (int32_t u = 0; u < info_.num_users; ++u) user_map_.emplace(user_raw_id(u), u);
  });
  auto it = user_map_.find(raw_id);
  return it == user_map_.end() ? std::nullopt : std::optional<int32_t>(it->second);
}

}  // namespace stars::data
