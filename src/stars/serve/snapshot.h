// Reads a serving snapshot directory written by SnapshotWriter: manifest.json plus memory-mapped STARS
// tables (magic, version and checksums checked at open; every id and code checked to be in range so a
// corrupt or mismatched file is an error naming the file, never a crash later). User vectors and
// histories stay in the mapping; the service copies only what it mutates (item metadata, vectors).
// Torch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stars/core/span.h"
#include "stars/core/table_file.h"
#include "stars/serve/snapshot_data.h"

namespace stars::serve {

struct UserHistoryView {
  Span<const int32_t> items;
  Span<const int64_t> ts;
  Span<const uint8_t> types;
  Span<const int32_t> regions;
  Span<const int32_t> context;  // (events, F) row-major
  size_t size() const { return items.size(); }
};

class Snapshot {
 public:
  // Opens and checks a snapshot directory. `verify` also checks every column checksum.
  static std::shared_ptr<const Snapshot> open(const std::string& dir, bool verify = true);

  const std::string& dir() const { return dir_; }
  const SnapshotManifest& manifest() const { return manifest_; }
  int dim() const { return manifest_.dim; }
  int32_t num_users() const { return manifest_.num_users; }
  int32_t num_items() const { return manifest_.num_items; }
  // model/ and semantics/ directories inside the snapshot ("" when absent).
  std::string model_dir() const;
  std::string semantics_dir() const;

  // ---- items
  std::string_view item_raw_id(int32_t i) const { return items_.string_at("raw_id", i); }
  std::string_view item_title(int32_t i) const { return items_.string_at("title", i); }
  std::string_view item_category(int32_t i) const { return items_.string_at("category", i); }
  Span<const int32_t> item_subclass() const { return item_subclass_; }
  Span<const int32_t> item_department() const { return item_department_; }
  Span<const int32_t> item_brand() const { return item_brand_; }
  Span<const float> item_price() const { return item_price_; }
  Span<const uint8_t> item_in_stock() const { return item_in_stock_; }
  Span<const int32_t> item_regions(int32_t i) const;
  Span<const int32_t> item_tags(int32_t i) const;
  Span<const float> item_vectors() const { return item_vectors_; }  // (N, D)
  Span<const float> item_popularity() const { return item_popularity_; }
  // Per item, the users whose first event it is (what new users take first); empty for snapshots written
  // before the column existed (every item counts 0 then).
  Span<const float> item_first_popularity() const { return item_first_popularity_; }
  bool has_first_popularity() const { return items_.has("first_popularity"); }

  // ---- users
  std::string_view user_raw_id(int32_t u) const { return users_.string_at("raw_id", u); }
  std::optional<int32_t> find_user(std::string_view raw_id) const;
  const float* h_gen(int32_t u) const { return h_gen_.data() + static_cast<size_t>(u) * dim(); }
  const float* h_next(int32_t u) const { return h_next_.data() + static_cast<size_t>(u) * dim(); }
  UserHistoryView history(int32_t u) const;
  Span<const int32_t> purchased(int32_t u) const;
  Span<const float> user_numeric(int32_t u) const;
  Span<const int32_t> user_categorical(int32_t u) const;

  // ---- vocabularies
  const std::vector<std::string>& subclasses() const { return subclasses_; }
  const std::vector<std::string>& departments() const { return departments_; }
  const std::vector<std::string>& brands() const { return brands_; }
  const std::vector<std::string>& regions() const { return regions_; }
  const std::vector<std::string>& tags() const { return tags_; }
  const std::vector<std::string>& calendar_events() const { return calendar_events_; }
  const std::vector<std::string>& user_numeric_names() const { return user_numeric_names_; }
  const std::vector<NamedVocab>& user_categorical_vocabs() const { return user_categorical_; }
  const std::vector<NamedVocab>& event_context_vocabs() const { return event_context_; }

  // ---- context
  // Calendar events active on `day` everywhere and (when region > 0) in `region`, sorted, distinct.
  std::vector<int32_t> active_calendar_events(int64_t day, int32_t region) const;
  // Popularity of items in a region / during a calendar event: (item ids, scores); empty when unknown.
  std::pair<Span<const int32_t>, Span<const float>> region_popularity(int32_t region) const;
  std::pair<Span<const int32_t>, Span<const float>> event_popularity(int32_t event) const;

 private:
  Snapshot() = default;
  void check_contents() const;

  std::string dir_;
  SnapshotManifest manifest_;
  TableReader items_, users_, vocab_, context_;
  Span<const int32_t> item_subclass_, item_department_, item_brand_;
  Span<const float> item_price_, item_vectors_, item_popularity_, item_first_popularity_;
  Span<const uint8_t> item_in_stock_;
  Span<const uint64_t> item_region_off_, item_tag_off_;
  Span<const int32_t> item_region_val_, item_tag_val_;
  Span<const float> h_gen_, h_next_, user_numeric_;
  Span<const int32_t> user_categorical_codes_;
  Span<const uint64_t> hist_off_, purchased_off_;
  Span<const int32_t> hist_item_, hist_region_, hist_context_, purchased_val_;
  Span<const int64_t> hist_ts_;
  Span<const uint8_t> hist_type_;
  Span<const int64_t> cal_day_;
  Span<const int32_t> cal_region_, cal_val_;
  Span<const uint64_t> cal_off_;
  Span<const uint64_t> region_pop_off_, event_pop_off_;
  Span<const int32_t> region_pop_item_, event_pop_item_;
  Span<const float> region_pop_score_, event_pop_score_;
  std::vector<std::string> subclasses_, departments_, brands_, regions_, tags_, calendar_events_, user_numeric_names_;
  std::vector<NamedVocab> user_categorical_, event_context_;
  std::unordered_map<std::string_view, int32_t> user_index_;
  std::unordered_map<int64_t, std::vector<int32_t>> calendar_index_;  // key: day * 65536 + region
};

}  // namespace stars::serve
