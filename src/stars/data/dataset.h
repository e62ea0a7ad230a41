// The prepared STARS dataset: a directory of memory-mapped STARS table files plus manifest.json.
//
//   DS/manifest.json     format + version, source, counts, which fields are present, splits, feature schema
//   DS/events.tbl        events sorted by (user, time, input order), CSR by user (`user_offsets`)
//   DS/items.tbl         item table: raw ids, text, taxonomy (subclass = leaf of the category path), brand,
//                        price, tags, stock, regions, cold-item flag
//   DS/users.tbl         user raw ids and static features (numeric f32 with NaN = missing; categorical codes),
//                        cold-user flag (absent in datasets prepared before it: no cold users)
//   DS/impressions.tbl   items shown on each page (same-page negatives)
//   DS/calendar.tbl      per day (and region) the active named events/holidays/promotions
//   DS/stats.json        statistics printed by `stars prepare`
//
// Dense ids are 0-based int32. Code 0 of every categorical vocabulary (brand, region, user categorical
// features, context columns) means "missing"; real values start at 1. Subclass and department are -1
// when an item has no category. Torch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stars/core/span.h"
#include "stars/core/table_file.h"

namespace stars::data {

constexpr uint32_t kDatasetVersion = 1;

// Engagement type of an event. kInteraction is used when the source has no types (ratings, reviews).
enum class EventType : uint8_t { kInteraction = 0, kView = 1, kCart = 2, kPurchase = 3 };
constexpr int kNumEventTypes = 4;
const char* event_type_name(EventType t);
// Maps "view", "click", "cart", "add_to_cart", "purchase", "buy", "order", "interaction", ... (case-insensitive).
std::optional<EventType> parse_event_type(std::string_view s);

// The splits recorded at prepare time. Leave-one-out is positional: for a user with n >= loo_min_events
// events, event n-1 is the test target and event n-2 the validation target; users with fewer events
// only train. The temporal split trains on ts < valid_start, validates on [valid_start, test_start),
// tests on ts >= test_start. Cold items are a seeded fraction of items flagged in items.tbl (`cold`):
// a model trained for the cold-item protocol never sees their events. Cold users are a seeded fraction of
// the users with >= loo_min_events events (an independent draw with the same seed), flagged in users.tbl
// (`cold`): a model trained for the cold-user protocol never sees their events and ranks their first event
// from static features alone. Datasets prepared before cold users existed have none.
struct SplitInfo {
  int loo_min_events = 3;
  int64_t temporal_valid_start = 0;
  int64_t temporal_test_start = 0;
  double cold_item_fraction = 0.0;
  uint64_t cold_item_seed = 0;
  int32_t num_cold_items = 0;
  double cold_user_fraction = 0.0;
  uint64_t cold_user_seed = 0;
  int32_t num_cold_users = 0;
};

struct DatasetInfo {
  uint32_t version = kDatasetVersion;
  std::string source_format;   // "native", "recbole", "sequences", "movielens", "synth"
  std::string source_path;
  int32_t num_users = 0, num_items = 0, num_pages = 0;
  int64_t num_events = 0;
  bool has_time = false;        // real timestamps; otherwise ts holds the within-user order 0, 1, 2, ...
  bool has_event_types = false;
  bool has_sessions = false;
  bool has_pages = false;
  bool has_regions = false;
  bool has_item_text = false;
  bool has_categories = false;
  bool has_prices = false;
  int64_t time_min = 0, time_max = 0;
  SplitInfo splits;
};

struct UserEvents {
  Span<const int32_t> items;
  Span<const int64_t> ts;
  Span<const uint8_t> types;
  Span<const int32_t> sessions;  // -1 = none
  Span<const int32_t> pages;     // -1 = none
  Span<const int32_t> regions;   // 0 = none
  size_t size() const { return items.size(); }
};

// A categorical feature: name + vocabulary (index 0 is the missing value "").
struct CategoricalFeature {
  std::string name;
  std::vector<std::string> vocab;
};

class Dataset {
 public:
  // Opens a prepared dataset directory; checks the manifest version and every file's header and checksum.
  static std::unique_ptr<Dataset> open(const std::string& dir, bool verify = true);

  const std::string& dir() const { return dir_; }
  const DatasetInfo& info() const { return info_; }
  int32_t num_users() const { return info_.num_users; }
  int32_t num_items() const { return info_.num_items; }
  int64_t num_events() const { return info_.num_events; }

  // ---- events (CSR by user, time-ordered)
  UserEvents user_events(int32_t user) const;
  Span<const uint64_t> user_offsets() const { return user_offsets_; }
  Span<const int32_t> event_items() const { return ev_item_; }
  Span<const int64_t> event_times() const { return ev_ts_; }
  Span<const uint8_t> event_types() const { return ev_type_; }
  // Extra context columns of events (categorical codes per event) and their vocabularies.
  const std::vector<CategoricalFeature>& event_context_features() const { return ctx_features_; }
  Span<const int32_t> event_context(size_t feature) const { return ctx_columns_[feature]; }
  const std::vector<std::string>& region_names() const { return region_names_; }

  // ---- items
  std::string_view item_raw_id(int32_t i) const { return items_.string_at("raw_id", i); }
  std::string_view item_title(int32_t i) const { return items_.string_at("title", i); }
  std::string_view item_description(int32_t i) const { return items_.string_at("description", i); }
  std::string_view item_category(int32_t i) const { return items_.string_at("category", i); }  // full path
  int32_t item_subclass(int32_t i) const { return it_subclass_[i]; }       // -1 = none
  int32_t item_department(int32_t i) const { return it_department_[i]; }   // top level of the path, -1 = none
  int32_t item_brand(int32_t i) const { return it_brand_[i]; }             // 0 = none
  float item_price(int32_t i) const { return it_price_[i]; }               // NaN = unknown
  bool item_in_stock(int32_t i) const { return it_in_stock_[i] != 0; }
  bool item_is_cold(int32_t i) const { return it_cold_[i] != 0; }
  int64_t item_first_seen(int32_t i) const { return it_first_seen_[i]; }   // INT64_MAX if never seen
  Span<const int32_t> item_tags(int32_t i) const;     // ids into tag_names()
  Span<const int32_t> item_regions(int32_t i) const;  // region codes where sold; empty = everywhere
  Span<const int32_t> item_subclasses() const { return it_subclass_; }
  const std::vector<std::string>& subclass_names() const { return subclass_names_; }
  const std::vector<std::string>& department_names() const { return department_names_; }
  const std::vector<std::string>& brand_names() const { return brand_names_; }
  const std::vector<std::string>& tag_names() const { return tag_names_; }
  // Per-item number of events in the whole dataset.
  const std::vector<int64_t>& item_counts() const { return item_counts_; }

  // ---- users
  std::string_view user_raw_id(int32_t u) const { return users_.string_at("raw_id", u); }
  const std::vector<std::string>& user_numeric_names() const { return user_numeric_names_; }
  Span<const float> user_numeric(size_t feature) const { return user_numeric_[feature]; }  // NaN = missing
  const std::vector<CategoricalFeature>& user_categorical_features() const { return user_cat_features_; }
  Span<const int32_t> user_categorical(size_t feature) const { return user_cat_[feature]; }
  bool user_is_cold(int32_t u) const { return !us_cold_.empty() && us_cold_[u] != 0; }

  // ---- impressions
  int32_t num_pages() const { return info_.num_pages; }
  Span<const int32_t> page_items(int32_t page) const;
  std::string_view page_raw_id(int32_t page) const { return impressions_.string_at("raw_id", page); }

  // ---- calendar
  const std::vector<std::string>& calendar_event_names() const { return calendar_event_names_; }
  // Ids of calendar events active on `day` (days since epoch) in `region` (0 = region-independent rows only).
  std::vector<int32_t> active_calendar_events(int64_t day, int32_t region) const;

  // ---- id lookup (hash maps built on first use; thread-safe after the first call returns)
  std::optional<int32_t> find_item(std::string_view raw_id) const;
  std::optional<int32_t> find_user(std::string_view raw_id) const;

 private:
  Dataset() = default;
  std::string dir_;
  DatasetInfo info_;
  TableReader events_, items_, users_, impressions_, calendar_;
  Span<const uint64_t> user_offsets_;
  Span<const int32_t> ev_item_, ev_session_, ev_page_, ev_region_;
  Span<const int64_t> ev_ts_;
  Span<const uint8_t> ev_type_;
  std::vector<CategoricalFeature> ctx_features_;
  std::vector<Span<const int32_t>> ctx_columns_;
  std::vector<std::string> region_names_;
  Span<const int32_t> it_subclass_, it_department_, it_brand_;
  Span<const float> it_price_;
  Span<const uint8_t> it_in_stock_, it_cold_;
  Span<const int64_t> it_first_seen_;
  Span<const uint64_t> it_tag_off_, it_region_off_;
  Span<const int32_t> it_tag_val_, it_region_val_;
  std::vector<std::string> subclass_names_, department_names_, brand_names_, tag_names_;
  std::vector<int64_t> item_counts_;
  std::vector<std::string> user_numeric_names_;
  std::vector<Span<const float>> user_numeric_;
  std::vector<CategoricalFeature> user_cat_features_;
  std::vector<Span<const int32_t>> user_cat_;
  Span<const uint8_t> us_cold_;  // empty when users.tbl has no `cold` column (older datasets)
  Span<const uint64_t> page_off_;
  Span<const int32_t> page_val_;
  std::vector<std::string> calendar_event_names_;
  std::unordered_map<int64_t, std::vector<int32_t>> calendar_index_;  // key: day * 65536 + region
  mutable std::once_flag item_map_once_, user_map_once_;
  mutable std::unordered_map<std::string_view, int32_t> item_map_, user_map_;
};

std::string dataset_info_to_json(const DatasetInfo& info);
DatasetInfo dataset_info_from_json(const std::string& text, const std::string& where);

}  // namespace stars::data
