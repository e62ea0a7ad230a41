// The live item catalog of the service: item metadata, serving vectors in a search index, and the
// attribute bitmaps and posting lists that turn a request's filters into one allow-bitmap for the
// search (in stock, region, categories, subclasses, brands, price range, excluded items). Starts as a
// copy of a snapshot's items; products added or changed through the API (PUT /v1/items, availability
// updates) are searchable at once. Readers take a shared lock through ReadView; updates take it
// exclusively (writer-preferring). Torch-free.
//
// Storage is clustered: the snapshot's items sit in "slots" ordered by department and subclass, so the
// items a category filter allows are contiguous and the exact index scans a few blocks instead of
// gathering scattered rows. Items added later take the next slot. Item ids (the snapshot's / model's
// dense ids) are what the API sees; slots, and the allow-bitmaps built over them, stay inside.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stars/core/span.h"
#include "stars/index/bitmap.h"
#include "stars/index/index_config.h"
#include "stars/index/mips_index.h"
#include "stars/serve/rw_lock.h"
#include "stars/serve/snapshot.h"

namespace stars::serve {

// Business-rule filters of a request, by name (resolved against the catalog's vocabularies).
struct FilterSpec {
  bool in_stock = true;                   // only items in stock
  std::string region;                     // only items sold in this region ("" = anywhere)
  std::vector<std::string> categories;    // any level of the category path, or a path prefix "A > B"
  std::vector<std::string> subclasses;    // leaf categories
  std::vector<std::string> brands;
  std::optional<double> price_min, price_max;
  std::vector<std::string> exclude_ids;   // raw item ids
};

// Metadata of one item as the API shows it.
struct ItemInfo {
  int32_t id = -1;
  std::string raw_id, title, category, subclass, department, brand;
  float price = 0.0f;  // NaN = unknown
  bool in_stock = true;
  std::vector<std::string> regions, tags;
};

// A create-or-update of a product; absent fields keep their value (or a default when new).
struct ItemUpsert {
  std::string raw_id;
  std::optional<std::string> title, category, brand;  // category: path "Dept > ... > Leaf"
  std::optional<float> price;
  std::optional<bool> in_stock;
  std::optional<std::vector<std::string>> regions, tags;
};

class Catalog {
 public:
  Catalog(const Snapshot& snapshot, const index::IndexConfig& index_config);

  class ReadView;
  // A shared-locked view for searches and lookups; keep it for the duration of one request.
  ReadView read() const;

  // Creates or updates an item; `vector` (dim floats) replaces its serving vector when given and must be
  // given for a new item. Returns (dense id, created).
  std::pair<int32_t, bool> upsert(const ItemUpsert& item, const float* vector);
  // The cold-user prior (model::Encoder::cold_user_item_bias) by item id; items beyond it, and items added
  // later, get `rest`. Empty: none (search_cold_user is then unavailable).
  void set_cold_user_bias(const std::vector<float>& by_item, float rest);
  // Stock / regions change (filters see it at once). Unknown region names are added.
  void set_availability(int32_t id, std::optional<bool> in_stock, const std::optional<std::vector<std::string>>& regions);

  int dim() const { return dim_; }
  int32_t size() const;
  const char* index_kind() const { return index_->kind(); }
  // Region code of a name (0 = "" or unknown). Takes the lock: never call it while holding a ReadView.
  int32_t region_code(std::string_view name) const;
  std::vector<std::string> tag_names() const;
  std::optional<int32_t> tag_code(std::string_view name) const;

 private:
  friend class ReadView;
  void index_item_attributes(int32_t slot);    // add the item in `slot` to posting lists / bitmaps
  void unindex_item_attributes(int32_t slot);  // remove it
  int32_t slot(int32_t item) const { return item < n0_ ? slot_of_[item] : item; }
  int32_t item(int32_t slot) const { return slot < n0_ ? item_at_[slot] : slot; }
  int32_t intern(std::unordered_map<std::string, int32_t>& map, std::vector<std::string>& names, const std::string& v);
  void resize_bitmaps(size_t n);

  int dim_;
  int32_t n0_ = 0;                      // snapshot items (the permuted ones); later items: slot == id
  std::vector<int32_t> slot_of_, item_at_;  // item id <-> slot, for the first n0_ items
  mutable RwLock mu_;
  std::unique_ptr<index::MipsIndex> index_;  // over slots
  // Per slot.
  std::vector<std::string> raw_id_, title_, category_;
  std::vector<int32_t> subclass_, department_, brand_;
  std::vector<float> price_, popularity_;
  std::vector<float> first_;            // users whose first event is the item (0 for items added later)
  std::vector<int32_t> first_order_;    // slots with first_ > 0: first_ descending, then slot
  std::vector<float> cold_bias_;        // the cold-user prior by slot (empty = none); added items get cold_bias_rest_
  float cold_bias_rest_ = 0.0f;
  std::vector<int32_t> cold_order_;     // slots by cold_bias_ from highest (index::ItemBias::order)
  std::vector<std::vector<int32_t>> regions_, tags_;
  std::unordered_map<std::string, int32_t> id_of_;  // raw id -> item id
  // Vocabularies (grow when updates bring new names).
  std::vector<std::string> subclass_names_, department_names_, brand_names_, region_names_, tag_names_;
  std::unordered_map<std::string, int32_t> subclass_code_, department_code_, brand_code_, region_code_, tag_code_;
  // Filter structures, over slots.
  index::Bitmap in_stock_, everywhere_;
  std::vector<index::Bitmap> sold_in_;                       // per region code: items listing that region
  std::vector<std::vector<int32_t>> by_subclass_, by_brand_;  // posting lists of slots (unsorted)
  std::unordered_map<std::string, std::vector<int32_t>> by_category_;  // every path level name and prefix
};

class Catalog::ReadView {
 public:
  ReadView(const Catalog& c) : c_(&c), lock_(c.mu_) {}

  int32_t size() const { return static_cast<int32_t>(c_->raw_id_.size()); }
  std::optional<int32_t> find(std::string_view raw_id) const;
  std::string_view raw_id(int32_t id) const { return c_->raw_id_[c_->slot(id)]; }
  std::string_view title(int32_t id) const { return c_->title_[c_->slot(id)]; }
  ItemInfo info(int32_t id) const;
  std::string_view category(int32_t id) const { return c_->category_[c_->slot(id)]; }
  std::string_view brand(int32_t id) const { return c_->brand_names_[c_->brand_[c_->slot(id)]]; }
  float price(int32_t id) const { return c_->price_[c_->slot(id)]; }
  bool in_stock(int32_t id) const { return c_->in_stock_.test(static_cast<size_t>(c_->slot(id))); }
  // Region code of a name (0 = "" or unknown). Use this, not Catalog::region_code, while holding a view:
  // the lock is not recursive.
  int32_t region_code(std::string_view name) const;
  void vector(int32_t id, float* out) const { c_->index_->get(c_->slot(id), out); }

  // The allow-bitmap of a filter (over slots), minus `exclude` (item ids). Names that match nothing are
  // reported in `warnings` (the filter then matches nothing for that name).
  index::Bitmap allow(const FilterSpec& f, Span<const int32_t> exclude, std::vector<std::string>* warnings) const;
  // The k best allowed items for a query; hits carry item ids.
  std::vector<index::Hit> search(const float* query, int k, const index::Bitmap* allow) const;
  // Whether set_cold_user_bias gave a prior.
  bool has_cold_user_bias() const { return !c_->cold_bias_.empty(); }
  // The k best allowed items by <query, item> + the item's cold-user prior: exact, walking the items from
  // the highest prior down until no later one can reach the top k (index::ExactIndex::search_walk). Hits carry item ids and the biased score. Needs has_cold_user_bias().
  std::vector<index::Hit> search_cold_user(const float* query, int k, const index::Bitmap& allow) const;
  // True if the allow-bitmap lets item `id` through.
  bool allows(const index::Bitmap& allow, int32_t id) const { return allow.test(static_cast<size_t>(c_->slot(id))); }
  // Most popular allowed items: score = log1p(overall) + log1p(in region) + sum of log1p(during each event).
  std::vector<index::Hit> popular(int k, const index::Bitmap& allow, const Snapshot& snapshot, int32_t region,
                                  const std::vector<int32_t>& events) const;
  // What new users take first: allowed items in lexicographic order of (first-event count, descending;
  // popular()'s score, descending; slot), so the items more users took first lead, and equal counts, then
  // the items nobody took first (snapshot items without a count, items added later), follow popular()'s
  // order. Hits carry popular()'s score. Without first-event counts (an older snapshot) this is popular().
  std::vector<index::Hit> new_user_popular(int k, const index::Bitmap& allow, const Snapshot& snapshot,
                                           int32_t region, const std::vector<int32_t>& events) const;

 private:
  // log1p scores of the items popular in the region or during the events, by slot (allowed slots only).
  std::unordered_map<int32_t, float> context_bonus(const index::Bitmap& allow, const Snapshot& snapshot,
                                                   int32_t region, const std::vector<int32_t>& events) const;
  // The k best allowed slots by popular()'s score; hits carry slots.
  std::vector<index::Hit> top_popular(int k, const index::Bitmap& allow,
                                      const std::unordered_map<int32_t, float>& bonus) const;

  const Catalog* c_;
  std::shared_lock<RwLock> lock_;
};

inline Catalog::ReadView Catalog::read() const { return ReadView(*this); }

}  // namespace stars::serve
