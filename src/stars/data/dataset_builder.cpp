#include "stars/data/dataset_builder.h"

#include <algorithm>
#include <numeric>

#include <nlohmann/json.hpp>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/random.h"
#include "stars/core/strings.h"
#include "stars/core/time.h"

namespace stars::data {

void PrepareOptions::validate() const {
  STARS_CHECK_ARG(cold_item_fraction >= 0 && cold_item_fraction <= 0.5,
                  "cold_item_fraction must be in [0, 0.5], got " << cold_item_fraction);
  STARS_CHECK_ARG(cold_user_fraction >= 0 && cold_user_fraction <= 0.5,
                  "cold_user_fraction must be in [0, 0.5], got " << cold_user_fraction);
  STARS_CHECK_ARG(temporal_valid_quantile > 0 && temporal_valid_quantile < 1,
                  "temporal_valid_quantile must be in (0, 1), got " << temporal_valid_quantile);
  STARS_CHECK_ARG(temporal_test_quantile >= temporal_valid_quantile && temporal_test_quantile < 1,
                  "temporal_test_quantile must be in [temporal_valid_quantile, 1), got " << temporal_test_quantile);
  STARS_CHECK_ARG(loo_min_events >= 3, "loo_min_events must be >= 3, got " << loo_min_events);
}

DatasetBuilder::DatasetBuilder(std::string source_format, std::string source_path)
    : source_format_(std::move(source_format)), source_path_(std::move(source_path)) {
  regions_.intern("");
  brands_.intern("");
}

std::optional<int32_t> DatasetBuilder::item_id(std::string_view raw_id, bool create) {
  if (!create) {
    const int32_t id = items_.find(raw_id);
    return id < 0 ? std::nullopt : std::optional<int32_t>(id);
  }
  const int32_t id = items_.intern(raw_id);
  if (static_cast<size_t>(id) >= item_meta_.size()) grow_items();
  return id;
}

void DatasetBuilder::item_ids(const std::string_view* raws, size_t n, bool create, int32_t* ids) {
  if (!create) {
    items_.find_many(raws, n, ids);
    return;
  }
  items_.intern_many(raws, n, ids);
  if (item_meta_.size() < static_cast<size_t>(items_.size())) grow_items();
}

void DatasetBuilder::grow_items() {
  const size_t n = static_cast<size_t>(items_.size());
  item_meta_.resize(n, 0);
  item_title_.resize(n);
  item_desc_.resize(n);
  item_category_.resize(n);
  item_brand_.resize(n, 0);
  item_price_.resize(n, std::numeric_limits<float>::quiet_NaN());
  item_tags_.resize(n);
  item_regions_.resize(n);
  item_in_stock_.resize(n, 1);
}

std::optional<int32_t> DatasetBuilder::add_item(const ItemRecord& r) {
  const int32_t id = *item_id(r.raw_id, true);
  if (item_meta_[id]) return std::nullopt;
  item_meta_[id] = 1;
  item_title_[id] = r.title;
  item_desc_[id] = r.description;
  set_item_category(id, r.category);
  item_brand_[id] = r.brand.empty() ? 0 : brands_.intern(r.brand);
  item_price_[id] = r.price;
  add_item_tags(id, r.tags);
  item_in_stock_[id] = r.in_stock ? 1 : 0;
  for (const auto& reg : r.regions)
    if (!reg.empty()) item_regions_[id].push_back(region_code(reg));
  return id;
}

void DatasetBuilder::add_item_tags(int32_t item, const std::vector<std::string>& tags) {
  auto& t = item_tags_[item];
  for (const auto& s : tags) {
    if (s.empty()) continue;
    const int32_t id = tags_.intern(s);
    if (std::find(t.begin(), t.end(), id) == t.end()) t.push_back(id);
  }
}

void DatasetBuilder::set_item_text(int32_t item, std::string title, std::string description) {
  item_title_[item] = std::move(title);
  item_desc_[item] = std::move(description);
}

void DatasetBuilder::set_item_category(int32_t item, std::vector<std::string> path) {
  std::vector<std::string> clean;
  for (auto& p : path) {
    auto t = std::string(trim(p));
    if (!t.empty()) clean.push_back(std::move(t));
  }
  item_category_[item] = std::move(clean);
}

void DatasetBuilder::set_user_schema(std::vector<std::string> numeric_names, std::vector<std::string> cat_names) {
  user_numeric_names_ = std::move(numeric_names);
  user_cat_names_ = std::move(cat_names);
  user_cat_vocab_.assign(user_cat_names_.size(), StringInterner());
  for (auto& v : user_cat_vocab_) v.intern("");
  user_numeric_.assign(user_numeric_names_.size(), {});
  user_cat_.assign(user_cat_names_.size(), {});
}

bool DatasetBuilder::add_user(std::string_view raw_id, const std::vector<float>& numeric,
                              const std::vector<std::string>& categorical) {
  STARS_CHECK(numeric.size() == user_numeric_names_.size() && categorical.size() == user_cat_names_.size(),
              "user feature count does not match the schema");
  const int32_t u = users_.intern(raw_id);
  if (static_cast<size_t>(u) >= user_seen_.size()) user_seen_.resize(u + 1, 0);
  if (user_seen_[u]) return false;
  user_seen_[u] = 1;
  for (size_t f = 0; f < numeric.size(); ++f) {
    auto& col = user_numeric_[f];
    if (col.size() <= static_cast<size_t>(u)) col.resize(u + 1, std::numeric_limits<float>::quiet_NaN());
    col[u] = numeric[f];
  }
  for (size_t f = 0; f < categorical.size(); ++f) {
    auto& col = user_cat_[f];
    if (col.size() <= static_cast<size_t>(u)) col.resize(u + 1, 0);
    col[u] = categorical[f].empty() ? 0 : user_cat_vocab_[f].intern(categorical[f]);
  }
  return true;
}

std::optional<int32_t> DatasetBuilder::find_user(std::string_view raw_id) const {
  const int32_t id = users_.find(raw_id);
  return id < 0 ? std::nullopt : std::optional<int32_t>(id);
}

int32_t DatasetBuilder::region_code(std::string_view name) { return name.empty() ? 0 : regions_.intern(name); }

size_t DatasetBuilder::add_context_feature(const std::string& name) {
  for (size_t i = 0; i < ctx_names_.size(); ++i)
    if (ctx_names_[i] == name) return i;
  ctx_names_.push_back(name);
  ctx_vocab_.emplace_back();
  ctx_vocab_.back().intern("");
  ev_ctx_.emplace_back(ev_user_.size(), 0);
  return ctx_names_.size() - 1;
}

int32_t DatasetBuilder::context_code(size_t feature, std::string_view value) {
  return value.empty() ? 0 : ctx_vocab_[feature].intern(value);
}

void DatasetBuilder::reserve_events(size_t n) {
  ev_user_.reserve(n);
  ev_item_.reserve(n);
  ev_ts_.reserve(n);
  ev_type_.reserve(n);
  ev_session_.reserve(n);
  ev_page_.reserve(n);
  ev_region_.reserve(n);
  for (auto& c : ev_ctx_) c.reserve(n);
}

void DatasetBuilder::reserve_impressions(size_t n) { imp_items_.reserve(n); }

void DatasetBuilder::add_event(const EventRecord& e) {
  STARS_CHECK(e.user >= 0 && e.user < users_.size() && e.item >= 0 && e.item < items_.size(),
              "event with invalid dense ids user=" << e.user << " item=" << e.item);
  ev_user_.push_back(e.user);
  ev_item_.push_back(e.item);
  ev_ts_.push_back(e.ts);
  ev_type_.push_back(static_cast<uint8_t>(e.type));
  ev_session_.push_back(e.session);
  ev_page_.push_back(e.page);
  ev_region_.push_back(e.region);
  for (size_t f = 0; f < ev_ctx_.size(); ++f) ev_ctx_[f].push_back(f < e.context.size() ? e.context[f] : 0);
  any_ts_ = any_ts_ || e.has_ts;
  all_ts_ = all_ts_ && e.has_ts;
  any_type_ = any_type_ || e.has_type;
}

void DatasetBuilder::add_stats_section(const std::string& key, const std::string& json_text) {
  extra_stats_.emplace_back(key, json_text);
}

void DatasetBuilder::add_impression(int32_t page, int32_t item) {
  STARS_CHECK(page >= 0 && page < pages_.size() && item >= 0 && item < items_.size(),
              "impression with invalid dense ids page=" << page << " item=" << item);
  if (imp_run_page_.empty() || imp_run_page_.back() != page) {
    imp_run_page_.push_back(page);
    imp_run_start_.push_back(imp_items_.size());
  }
  imp_items_.push_back(item);
}

void DatasetBuilder::add_calendar_day(int64_t day, int32_t region, const std::vector<std::string>& active) {
  std::vector<int32_t> ids;
  for (const auto& a : active) ids.push_back(calendar_events_.intern(a));
  cal_day_.push_back(day);
  cal_region_.push_back(region);
  cal_events_.push_back(std::move(ids));
}

namespace {

// Stream of the cold-user draw: derived from the same seed as the cold items, independent of their draw.
constexpr uint64_t kColdUserStream = 0xC01D05E5;

// Flags round(fraction * |pool|) ids of `pool` (a seeded partial Fisher-Yates shuffle) in a vector of
// `n` flags; returns the flags and writes the number drawn to `drawn`.
std::vector<uint8_t> draw_cold(std::vector<int32_t> pool, size_t n, double fraction, Rng rng, int32_t& drawn) {
  std::vector<uint8_t> cold(n, 0);
  const size_t n_cold = static_cast<size_t>(std::llround(fraction * pool.size()));
  for (size_t k = 0; k < n_cold; ++k) {
    const size_t j = k + rng.uniform(pool.size() - k);
    std::swap(pool[k], pool[j]);
    cold[pool[k]] = 1;
  }
  drawn = static_cast<int32_t>(n_cold);
  return cold;
}

template <class T>
std::vector<T> permute(const std::vector<T>& v, const std::vector<uint32_t>& perm) {
  std::vector<T> out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = v[perm[i]];
  return out;
}

// Gathers column `v` in event order and releases `v` (write() consumes the builder's events, so that the
// peak memory holds each event column about once).
template <class T>
std::vector<T> take_permuted(std::vector<T>& v, const std::vector<uint32_t>& perm) {
  std::vector<T> out = permute(v, perm);
  std::vector<T>().swap(v);
  return out;
}

// The k-th smallest value (0-based) of v, exactly, without sorting a copy: histograms over the top bits of
// x - lo narrow [lo, hi] until few values remain, which nth_element then orders.
int64_t kth_smallest(const std::vector<int64_t>& v, size_t k, int64_t lo, int64_t hi) {
  while (true) {
    if (lo == hi) return lo;
    const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    int bits = 64 - __builtin_clzll(range);
    const int shift = bits > 16 ? bits - 16 : 0;
    std::vector<uint64_t> hist((range >> shift) + 1, 0);
    for (int64_t x : v)
      if (x >= lo && x <= hi) ++hist[(static_cast<uint64_t>(x) - static_cast<uint64_t>(lo)) >> shift];
    size_t b = 0;
    while (k >= hist[b]) k -= hist[b++];
    const int64_t new_lo = static_cast<int64_t>(static_cast<uint64_t>(lo) + (static_cast<uint64_t>(b) << shift));
    const uint64_t width = (uint64_t{1} << shift) - 1;
    const int64_t new_hi =
        static_cast<uint64_t>(hi) - static_cast<uint64_t>(new_lo) <= width ? hi : static_cast<int64_t>(static_cast<uint64_t>(new_lo) + width);
    if (hist[b] <= (1u << 20) || shift == 0) {
      std::vector<int64_t> in;
      in.reserve(hist[b]);
      for (int64_t x : v)
        if (x >= new_lo && x <= new_hi) in.push_back(x);
      std::nth_element(in.begin(), in.begin() + k, in.end());
      return in[k];
    }
    lo = new_lo;
    hi = new_hi;
  }
}

template <class T>
void add_lists(TableWriter& w, const std::string& name, const std::vector<std::vector<T>>& lists) {
  std::vector<uint64_t> off(lists.size() + 1, 0);
  std::vector<T> vals;
  for (size_t i = 0; i < lists.size(); ++i) {
    vals.insert(vals.end(), lists[i].begin(), lists[i].end());
    off[i + 1] = vals.size();
  }
  w.add_lists(name, off, vals);
}

nlohmann::json distribution(std::vector<int64_t> v) {
  nlohmann::json j = nlohmann::json::object();
  if (v.empty()) return j;
  std::sort(v.begin(), v.end());
  auto q = [&](double p) { return v[static_cast<size_t>(p * (v.size() - 1) + 0.5)]; };
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  j["min"] = v.front();
  j["p25"] = q(0.25);
  j["p50"] = q(0.5);
  j["p75"] = q(0.75);
  j["p90"] = q(0.9);
  j["p99"] = q(0.99);
  j["max"] = v.back();
  j["mean"] = std::round(mean * 100) / 100;
  return j;
}

}  // namespace

std::string DatasetBuilder::write(const std::string& dir, const PrepareOptions& opt) {
  opt.validate();
  make_directories(dir);
  const int32_t n_users = users_.size(), n_items = items_.size();
  const size_t n_ev = ev_user_.size();
  const bool has_time = any_ts_ && all_ts_;

  STARS_CHECK(n_ev < (uint64_t{1} << 32), "more than 2^32 events are not supported, got " << n_ev);
  // ---- event statistics that need the input columns (they are released while writing).
  int64_t type_counts[kNumEventTypes] = {0, 0, 0, 0};
  for (uint8_t t : ev_type_) ++type_counts[t];
  const int64_t no_session = std::count(ev_session_.begin(), ev_session_.end(), -1);
  const int64_t no_page = std::count(ev_page_.begin(), ev_page_.end(), -1);
  sessions_ = StringInterner();  // session ids are dense already; their raw names are not stored

  // ---- order events by (user, time, input order): counting sort by user, then a stable sort by time
  // within each user whose events are not already in time order (logs usually are).
  std::vector<uint64_t> user_off(n_users + 1, 0);
  for (int32_t u : ev_user_) ++user_off[u + 1];
  for (int32_t u = 0; u < n_users; ++u) user_off[u + 1] += user_off[u];
  std::vector<uint32_t> perm(n_ev);
  {
    std::vector<uint64_t> cursor(user_off.begin(), user_off.end() - 1);
    for (size_t i = 0; i < n_ev; ++i) perm[cursor[ev_user_[i]]++] = static_cast<uint32_t>(i);
  }
  std::vector<int32_t>().swap(ev_user_);
  std::vector<int64_t> s_ts = take_permuted(ev_ts_, perm);
  if (has_time) {
    std::vector<uint32_t> idx, tmp_perm;
    std::vector<int64_t> tmp_ts;
    for (int32_t u = 0; u < n_users; ++u) {
      const size_t b = user_off[u], e = user_off[u + 1];
      if (std::is_sorted(s_ts.begin() + b, s_ts.begin() + e)) continue;
      idx.resize(e - b);
      std::iota(idx.begin(), idx.end(), 0u);
      std::stable_sort(idx.begin(), idx.end(), [&](uint32_t x, uint32_t y) { return s_ts[b + x] < s_ts[b + y]; });
      tmp_perm.resize(e - b);
      tmp_ts.resize(e - b);
      for (size_t k = 0; k < idx.size(); ++k) {
        tmp_perm[k] = perm[b + idx[k]];
        tmp_ts[k] = s_ts[b + idx[k]];
      }
      std::copy(tmp_perm.begin(), tmp_perm.end(), perm.begin() + b);
      std::copy(tmp_ts.begin(), tmp_ts.end(), s_ts.begin() + b);
    }
  } else {
    for (int32_t u = 0; u < n_users; ++u)
      for (uint64_t k = user_off[u]; k < user_off[u + 1]; ++k) s_ts[k] = static_cast<int64_t>(k - user_off[u]);
  }
  std::vector<int32_t> s_item = take_permuted(ev_item_, perm);

  // ---- item counts, first-seen time, cold items.
  std::vector<int64_t> item_count(n_items, 0);
  std::vector<int64_t> first_seen(n_items, std::numeric_limits<int64_t>::max());
  for (size_t k = 0; k < n_ev; ++k) {
    ++item_count[s_item[k]];
    if (has_time) first_seen[s_item[k]] = std::min(first_seen[s_item[k]], s_ts[k]);
  }
  SplitInfo splits;
  splits.loo_min_events = opt.loo_min_events;
  splits.cold_item_fraction = opt.cold_item_fraction;
  splits.cold_item_seed = opt.seed;
  std::vector<uint8_t> cold, cold_users;
  {
    std::vector<int32_t> with_events, with_targets;
    for (int32_t i = 0; i < n_items; ++i)
      if (item_count[i] > 0) with_events.push_back(i);
    cold = draw_cold(std::move(with_events), n_items, opt.cold_item_fraction, Rng(opt.seed), splits.num_cold_items);
    // Cold users: among the users with leave-one-out targets (>= loo_min_events events).
    for (int32_t u = 0; u < n_users; ++u)
      if (user_off[u + 1] - user_off[u] >= static_cast<uint64_t>(opt.loo_min_events)) with_targets.push_back(u);
    splits.cold_user_fraction = opt.cold_user_fraction;
    splits.cold_user_seed = opt.seed;
    cold_users = draw_cold(std::move(with_targets), n_users, opt.cold_user_fraction,
                           Rng(derive_seed(opt.seed, kColdUserStream)), splits.num_cold_users);
  }
  int64_t tmin = 0, tmax = 0;
  if (n_ev > 0) {
    const auto mm = std::minmax_element(s_ts.begin(), s_ts.end());
    tmin = *mm.first;
    tmax = *mm.second;
    if (has_time) {
      splits.temporal_valid_start =
          kth_smallest(s_ts, static_cast<size_t>(opt.temporal_valid_quantile * (n_ev - 1)), tmin, tmax);
      splits.temporal_test_start =
          kth_smallest(s_ts, static_cast<size_t>(opt.temporal_test_quantile * (n_ev - 1)), tmin, tmax);
    }
  }

  // ---- taxonomy: department = first level, subclass = leaf.
  StringInterner departments, subclasses;
  std::vector<int32_t> item_dept(n_items, -1), item_sub(n_items, -1);
  std::vector<std::string> cat_path(n_items);
  for (int32_t i = 0; i < n_items; ++i) {
    const auto& c = item_category_[i];
    if (c.empty()) continue;
    item_dept[i] = departments.intern(c.front());
    item_sub[i] = subclasses.intern(c.back());
    cat_path[i] = join(c, " > ");
  }

  // ---- events.tbl (columns passed by reference: each is gathered once and released after writing)
  {
    TableWriter w("events", kDatasetVersion);
    w.add_column_ref("user_offsets", user_off.data(), user_off.size());
    w.add_column_ref("item", s_item.data(), s_item.size());
    w.add_column_ref("ts", s_ts.data(), s_ts.size());
    const std::vector<uint8_t> s_type = take_permuted(ev_type_, perm);
    const std::vector<int32_t> s_session = take_permuted(ev_session_, perm);
    const std::vector<int32_t> s_page = take_permuted(ev_page_, perm);
    const std::vector<int32_t> s_region = take_permuted(ev_region_, perm);
    w.add_column_ref("type", s_type.data(), s_type.size());
    w.add_column_ref("session", s_session.data(), s_session.size());
    w.add_column_ref("page", s_page.data(), s_page.size());
    w.add_column_ref("region", s_region.data(), s_region.size());
    w.add_strings("region_names", regions_.to_vector());
    std::vector<std::vector<int32_t>> s_ctx(ctx_names_.size());
    for (size_t f = 0; f < ctx_names_.size(); ++f) {
      s_ctx[f] = take_permuted(ev_ctx_[f], perm);
      w.add_column_ref("ctx." + std::to_string(f), s_ctx[f].data(), s_ctx[f].size());
      w.add_strings("ctxvocab." + std::to_string(f), ctx_vocab_[f].to_vector());
    }
    std::vector<uint32_t>().swap(perm);
    w.add_strings("ctx_names", ctx_names_);
    w.write(path_join(dir, "events.tbl"));
  }
  // ---- items.tbl
  {
    TableWriter w("items", kDatasetVersion);
    w.add_strings_ref("raw_id", items_.offsets(), items_.arena_data());
    w.add_strings("title", item_title_);
    w.add_strings("description", item_desc_);
    w.add_strings("category", cat_path);
    w.add_column("department", item_dept);
    w.add_column("subclass", item_sub);
    w.add_column("brand", item_brand_);
    w.add_column("price", item_price_);
    w.add_column("in_stock", item_in_stock_);
    w.add_column("cold", cold);
    w.add_column("first_seen", first_seen);
    w.add_column("count", item_count);
    add_lists(w, "tags", item_tags_);
    add_lists(w, "regions", item_regions_);
    w.add_strings("department_names", departments.to_vector());
    w.add_strings("subclass_names", subclasses.to_vector());
    w.add_strings("brand_names", brands_.to_vector());
    w.add_strings("tag_names", tags_.to_vector());
    w.write(path_join(dir, "items.tbl"));
  }
  // ---- users.tbl
  size_t users_with_features = 0;
  {
    TableWriter w("users", kDatasetVersion);
    w.add_strings_ref("raw_id", users_.offsets(), users_.arena_data());
    for (size_t u = 0; u < user_seen_.size(); ++u) users_with_features += user_seen_[u];
    for (size_t f = 0; f < user_numeric_names_.size(); ++f) {
      auto col = user_numeric_[f];
      col.resize(n_users, std::numeric_limits<float>::quiet_NaN());
      w.add_column("num." + std::to_string(f), col);
    }
    for (size_t f = 0; f < user_cat_names_.size(); ++f) {
      auto col = user_cat_[f];
      col.resize(n_users, 0);
      w.add_column("cat." + std::to_string(f), col);
      w.add_strings("catvocab." + std::to_string(f), user_cat_vocab_[f].to_vector());
    }
    w.add_column("cold", cold_users);
    w.add_strings("numeric_names", user_numeric_names_);
    w.add_strings("categorical_names", user_cat_names_);
    w.write(path_join(dir, "users.tbl"));
  }
  // ---- impressions.tbl: runs grouped by page (a stable counting sort, so file order within a page).
  // When every page is one run and runs come in page order (files written page by page), the items are
  // already in CSR order and are written as they are.
  {
    const size_t n_pages = static_cast<size_t>(pages_.size()), n_runs = imp_run_page_.size();
    imp_run_start_.push_back(imp_items_.size());
    std::vector<uint64_t> off(n_pages + 1, 0);
    for (size_t r = 0; r < n_runs; ++r) off[imp_run_page_[r] + 1] += imp_run_start_[r + 1] - imp_run_start_[r];
    for (size_t p = 0; p < n_pages; ++p) off[p + 1] += off[p];
    bool in_order = true;
    for (size_t r = 1; r < n_runs && in_order; ++r) in_order = imp_run_page_[r] > imp_run_page_[r - 1];
    std::vector<int32_t> values;
    if (in_order) {
      values.swap(imp_items_);
    } else {
      values.resize(imp_items_.size());
      std::vector<uint64_t> cursor(off.begin(), off.end() - 1);
      for (size_t r = 0; r < n_runs; ++r)
        for (uint64_t k = imp_run_start_[r]; k < imp_run_start_[r + 1]; ++k) values[cursor[imp_run_page_[r]]++] = imp_items_[k];
    }
    std::vector<int32_t>().swap(imp_items_);
    std::vector<int32_t>().swap(imp_run_page_);
    std::vector<uint64_t>().swap(imp_run_start_);
    TableWriter w("impressions", kDatasetVersion);
    w.add_strings_ref("raw_id", pages_.offsets(), pages_.arena_data());
    w.add_column_ref("items.offsets", off.data(), off.size());
    w.add_column_ref("items.values", values.data(), values.size());
    w.write(path_join(dir, "impressions.tbl"));
  }
  // ---- calendar.tbl
  {
    TableWriter w("calendar", kDatasetVersion);
    w.add_column("day", cal_day_);
    w.add_column("region", cal_region_);
    add_lists(w, "events", cal_events_);
    w.add_strings("event_names", calendar_events_.to_vector());
    w.write(path_join(dir, "calendar.tbl"));
  }

  // ---- statistics
  DatasetInfo info;
  info.source_format = source_format_;
  info.source_path = source_path_;
  info.num_users = n_users;
  info.num_items = n_items;
  info.num_pages = pages_.size();
  info.num_events = static_cast<int64_t>(n_ev);
  info.has_time = has_time;
  info.has_event_types = any_type_;
  info.has_sessions = no_session < static_cast<int64_t>(n_ev);
  info.has_pages = no_page < static_cast<int64_t>(n_ev) || pages_.size() > 0;
  info.has_regions = regions_.size() > 1;
  info.has_item_text = std::any_of(item_title_.begin(), item_title_.end(), [](const std::string& s) { return !s.empty(); });
  info.has_categories = subclasses.size() > 0;
  info.has_prices = std::any_of(item_price_.begin(), item_price_.end(), [](float p) { return !std::isnan(p); });
  info.time_min = tmin;
  info.time_max = tmax;
  info.splits = splits;

  nlohmann::json st;
  st["users"] = n_users;
  st["items"] = n_items;
  st["events"] = n_ev;
  st["pages"] = pages_.size();
  nlohmann::json by_type = nlohmann::json::object();
  for (int t = 0; t < kNumEventTypes; ++t)
    if (type_counts[t] > 0) by_type[event_type_name(static_cast<EventType>(t))] = type_counts[t];
  st["events_by_type"] = by_type;
  std::vector<int64_t> seq_len(n_users);
  for (int32_t u = 0; u < n_users; ++u) seq_len[u] = static_cast<int64_t>(user_off[u + 1] - user_off[u]);
  st["sequence_length"] = distribution(seq_len);
  st["users_without_events"] = std::count(seq_len.begin(), seq_len.end(), 0);
  st["item_popularity"] = distribution(item_count);
  st["items_without_events"] = std::count(item_count.begin(), item_count.end(), 0);
  {
    std::vector<int64_t> sorted = item_count;
    std::sort(sorted.rbegin(), sorted.rend());
    const size_t top = std::max<size_t>(1, sorted.size() / 100);
    const double top_sum = std::accumulate(sorted.begin(), sorted.begin() + std::min(top, sorted.size()), 0.0);
    st["top1pct_items_event_share"] = n_ev ? std::round(top_sum / n_ev * 1e4) / 1e4 : 0.0;
  }
  nlohmann::json tj;
  tj["has_time"] = has_time;
  if (has_time && n_ev > 0) {
    tj["min"] = format_iso8601(tmin);
    tj["max"] = format_iso8601(tmax);
    tj["days"] = (tmax - tmin) / 86400 + 1;
  }
  st["time"] = tj;
  nlohmann::json miss;
  miss["item_title"] = std::count_if(item_title_.begin(), item_title_.end(), [](const std::string& s) { return s.empty(); });
  miss["item_category"] = std::count(item_sub.begin(), item_sub.end(), -1);
  miss["item_brand"] = std::count(item_brand_.begin(), item_brand_.end(), 0);
  miss["item_price"] = std::count_if(item_price_.begin(), item_price_.end(), [](float p) { return std::isnan(p); });
  miss["item_tags"] = std::count_if(item_tags_.begin(), item_tags_.end(), [](const auto& t) { return t.empty(); });
  miss["event_time"] = has_time ? 0 : static_cast<int64_t>(n_ev);
  miss["event_type"] = any_type_ ? 0 : static_cast<int64_t>(n_ev);
  miss["event_session"] = no_session;
  miss["event_page"] = no_page;
  miss["user_features"] = n_users - static_cast<int64_t>(users_with_features);
  st["missing"] = miss;
  st["departments"] = departments.size();
  st["subclasses"] = subclasses.size();
  st["brands"] = brands_.size() - 1;
  st["tags"] = tags_.size();
  st["regions"] = regions_.size() - 1;
  st["calendar_days"] = cal_day_.size();
  st["calendar_events"] = calendar_events_.size();
  st["user_features"] = {{"numeric", user_numeric_names_}, {"categorical", user_cat_names_}};
  {
    int64_t loo_users = 0;
    for (auto l : seq_len) loo_users += l >= opt.loo_min_events;
    int64_t t_valid = 0, t_test = 0;
    if (has_time)
      for (auto t : s_ts) {
        t_valid += t >= splits.temporal_valid_start && t < splits.temporal_test_start;
        t_test += t >= splits.temporal_test_start;
      }
    st["splits"] = {{"leave_one_out", {{"min_events", opt.loo_min_events}, {"users_with_targets", loo_users}}},
                    {"temporal", {{"available", has_time},
                                  {"valid_start", has_time ? format_iso8601(splits.temporal_valid_start) : ""},
                                  {"test_start", has_time ? format_iso8601(splits.temporal_test_start) : ""},
                                  {"valid_events", t_valid},
                                  {"test_events", t_test}}},
                    {"cold_item", {{"fraction", opt.cold_item_fraction}, {"seed", opt.seed}, {"items", splits.num_cold_items}}},
                    {"cold_user", {{"fraction", opt.cold_user_fraction}, {"seed", opt.seed}, {"users", splits.num_cold_users}}}};
  }
  for (const auto& [key, text] : extra_stats_) st[key] = nlohmann::json::parse(text);
  const std::string stats = st.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  write_text_file(path_join(dir, "stats.json"), stats + "\n");
  write_text_file(path_join(dir, "manifest.json"), dataset_info_to_json(info) + "\n");
  return stats;
}

}  // namespace stars::data
