// Accumulates users, items, events, impressions and calendar rows from any reader, then sorts events,
// computes splits and statistics, and writes a prepared dataset directory (see dataset.h).
// Readers call it row by row; ids are interned without allocating for known strings. Torch-free.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stars/core/string_interner.h"
#include "stars/data/dataset.h"

namespace stars::data {

struct PrepareOptions {
  double cold_item_fraction = 0.05;     ///< share of items (with events) flagged cold, in [0, 0.5]
  double cold_user_fraction = 0.0;      ///< share of users with >= loo_min_events events flagged cold, in [0, 0.5]
  uint64_t seed = 42;                   ///< seed of the cold-item and cold-user draws (independent streams)
  double temporal_valid_quantile = 0.90;  ///< events at or after this time quantile are validation/test
  double temporal_test_quantile = 0.95;   ///< events at or after this time quantile are test
  int loo_min_events = 3;               ///< users with fewer events are training-only in leave-one-out

  template <class V>
  void visit(V& v) {
    v("cold_item_fraction", cold_item_fraction, "share of items with events flagged cold, in [0, 0.5]");
    v("cold_user_fraction", cold_user_fraction, "share of users with at least loo_min_events events flagged cold (held out of training for the cold_user protocol), in [0, 0.5]");
    v("seed", seed, "seed of the cold-item and cold-user draws (independent draws)");
    v("temporal_valid_quantile", temporal_valid_quantile, "time quantile where the temporal validation period starts, in (0, 1)");
    v("temporal_test_quantile", temporal_test_quantile, "time quantile where the temporal test period starts, in (0, 1)");
    v("loo_min_events", loo_min_events, "minimum events for a user to get leave-one-out validation/test targets, >= 3");
  }
  void validate() const;
};

struct ItemRecord {
  std::string raw_id;
  std::string title;
  std::string description;
  std::vector<std::string> category;  // path from department to leaf (the subclass)
  std::string brand;
  float price = std::numeric_limits<float>::quiet_NaN();
  std::vector<std::string> tags;
  bool in_stock = true;
  std::vector<std::string> regions;   // empty = sold everywhere
};

struct EventRecord {
  int32_t user = -1;
  int32_t item = -1;
  int64_t ts = 0;
  bool has_ts = false;
  EventType type = EventType::kInteraction;
  bool has_type = false;
  int32_t session = -1;
  int32_t page = -1;
  int32_t region = 0;
  std::vector<int32_t> context;  // one code per event context feature (0 = missing), may be shorter
};

class DatasetBuilder {
 public:
  DatasetBuilder(std::string source_format, std::string source_path);

  // ---- items. add_item returns nullopt if the raw id was already added with metadata (a duplicate).
  std::optional<int32_t> add_item(const ItemRecord& item);
  // Finds an item by raw id; creates a bare item when `create` is set. nullopt if absent and not created.
  std::optional<int32_t> item_id(std::string_view raw_id, bool create);
  // Adds tags to an existing item (tags from a separate file); duplicates are merged.
  void add_item_tags(int32_t item, const std::vector<std::string>& tags);
  void set_item_text(int32_t item, std::string title, std::string description);
  void set_item_category(int32_t item, std::vector<std::string> path);
  int32_t num_items() const { return items_.size(); }
  // Batch form of item_id: ids[k] for raws[k] (-1 when absent and not created); same ids as one call per
  // key in order, but faster on large catalogs (prefetched lookups).
  void item_ids(const std::string_view* raws, size_t n, bool create, int32_t* ids);
  bool item_has_metadata(int32_t item) const { return item_meta_[item]; }
  const std::string& item_title(int32_t item) const { return item_title_[item]; }

  // ---- users. The schema is set once; add_user returns false for a duplicate raw id.
  void set_user_schema(std::vector<std::string> numeric_names, std::vector<std::string> categorical_names);
  bool add_user(std::string_view raw_id, const std::vector<float>& numeric, const std::vector<std::string>& categorical);
  int32_t user_id(std::string_view raw_id) { return users_.intern(raw_id); }
  void user_ids(const std::string_view* raws, size_t n, int32_t* ids) { users_.intern_many(raws, n, ids); }
  std::optional<int32_t> find_user(std::string_view raw_id) const;
  int32_t num_users() const { return users_.size(); }

  // ---- events
  int32_t session_id(std::string_view raw) { return sessions_.intern(raw); }
  int32_t page_id(std::string_view raw) { return pages_.intern(raw); }
  // Batch forms of session_id / page_id (same ids as one call per key in order).
  void session_ids(const std::string_view* raws, size_t n, int32_t* ids) { sessions_.intern_many(raws, n, ids); }
  void page_ids(const std::string_view* raws, size_t n, int32_t* ids) { pages_.intern_many(raws, n, ids); }
  int32_t region_code(std::string_view name);  // "" -> 0
  // Declares an extra categorical context column of events; returns its index.
  size_t add_context_feature(const std::string& name);
  int32_t context_code(size_t feature, std::string_view value);  // "" -> 0
  void add_event(const EventRecord& e);
  int64_t num_events() const { return static_cast<int64_t>(ev_user_.size()); }
  void reserve_events(size_t n);        // room for n events in total (avoids growth copies)
  void reserve_impressions(size_t n);   // room for n impressions in total

  // ---- impressions and calendar
  void add_impression(int32_t page, int32_t item);
  void add_calendar_day(int64_t day, int32_t region, const std::vector<std::string>& active_events);

  // Adds a JSON object (text) under `key` to stats.json (e.g. the ingest report of `stars prepare`).
  void add_stats_section(const std::string& key, const std::string& json_text);

  // Sorts, computes splits and statistics and writes `dir` (created if needed). Files are written to
  // temporary names and renamed, manifest.json last, so an interrupted run never leaves a readable half.
  // Returns the statistics JSON (also written to DIR/stats.json). Call it once: it consumes the events
  // (each event column is released as it is written, which keeps the peak memory near one copy).
  std::string write(const std::string& dir, const PrepareOptions& options);

 private:
  void grow_items();  // extends the per-item metadata to items_.size()
  std::string source_format_, source_path_;
  std::vector<std::pair<std::string, std::string>> extra_stats_;
  StringInterner items_, users_, sessions_, pages_, regions_, brands_, tags_;
  std::vector<uint8_t> item_meta_;
  std::vector<std::string> item_title_, item_desc_;
  std::vector<std::vector<std::string>> item_category_;
  std::vector<int32_t> item_brand_;
  std::vector<float> item_price_;
  std::vector<std::vector<int32_t>> item_tags_, item_regions_;
  std::vector<uint8_t> item_in_stock_;

  std::vector<std::string> user_numeric_names_, user_cat_names_;
  std::vector<StringInterner> user_cat_vocab_;
  std::vector<std::vector<float>> user_numeric_;     // [feature][user]
  std::vector<std::vector<int32_t>> user_cat_;       // [feature][user]
  std::vector<uint8_t> user_seen_;

  std::vector<std::string> ctx_names_;
  std::vector<StringInterner> ctx_vocab_;

  std::vector<int32_t> ev_user_, ev_item_, ev_session_, ev_page_, ev_region_;
  std::vector<int64_t> ev_ts_;
  std::vector<uint8_t> ev_type_;
  std::vector<std::vector<int32_t>> ev_ctx_;  // [feature][event]
  bool any_ts_ = false, all_ts_ = true, any_type_ = false;

  // Impressions as runs of consecutive rows of one page (files list a page's items together): run r holds
  // imp_items_[imp_run_start_[r], imp_run_start_[r + 1]) for page imp_run_page_[r].
  std::vector<int32_t> imp_run_page_;
  std::vector<uint64_t> imp_run_start_;
  std::vector<int32_t> imp_items_;
  StringInterner calendar_events_;
  std::vector<int64_t> cal_day_;
  std::vector<int32_t> cal_region_;
  std::vector<std::vector<int32_t>> cal_events_;
};

}  // namespace stars::data
