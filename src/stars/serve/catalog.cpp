#include "stars/serve/catalog.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <unordered_map>

#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/index/top_k.h"

namespace stars::serve {
namespace {

// "Dairy > Cream > Sour Cream" -> {"Dairy", "Cream", "Sour Cream"}.
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  for (auto part : split(path, '>')) {
    auto t = trim(part);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

// Keys under which an item with this category path is found: each level's name and each path prefix.
std::vector<std::string> category_keys(std::string_view path) {
  const auto levels = split_path(path);
  std::vector<std::string> keys;
  std::string prefix;
  for (size_t i = 0; i < levels.size(); ++i) {
    keys.push_back(levels[i]);
    prefix = i == 0 ? levels[0] : prefix + " > " + levels[i];
    if (i > 0) keys.push_back(prefix);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

void erase_value(std::vector<int32_t>& v, int32_t x) {
  auto it = std::find(v.begin(), v.end(), x);
  if (it != v.end()) {
    *it = v.back();
    v.pop_back();
  }
}

std::string normalize_path(std::string_view path) { return join(split_path(path), " > "); }

}  // namespace

Catalog::Catalog(const Snapshot& s, const index::IndexConfig& index_config) : dim_(s.dim()), n0_(s.num_items()) {
  const int32_t n = s.num_items();
  subclass_names_ = s.subclasses();
  department_names_ = s.departments();
  brand_names_ = s.brands();
  region_names_ = s.regions();
  tag_names_ = s.tags();
  for (size_t i = 0; i < subclass_names_.size(); ++i) subclass_code_.emplace(subclass_names_[i], static_cast<int32_t>(i));
  for (size_t i = 0; i < department_names_.size(); ++i) department_code_.emplace(department_names_[i], static_cast<int32_t>(i));
  for (size_t i = 0; i < brand_names_.size(); ++i) brand_code_.emplace(brand_names_[i], static_cast<int32_t>(i));
  for (size_t i = 0; i < region_names_.size(); ++i) region_code_.emplace(region_names_[i], static_cast<int32_t>(i));
  for (size_t i = 0; i < tag_names_.size(); ++i) tag_code_.emplace(tag_names_[i], static_cast<int32_t>(i));

  // Slots: items grouped by department, then subclass (stable), so category filters allow contiguous runs.
  item_at_.resize(n);
  for (int32_t i = 0; i < n; ++i) item_at_[i] = i;
  const auto dept = s.item_department(), sub = s.item_subclass();
  std::stable_sort(item_at_.begin(), item_at_.end(), [&](int32_t a, int32_t b) {
    return dept[a] != dept[b] ? dept[a] < dept[b] : sub[a] < sub[b];
  });
  slot_of_.resize(n);
  for (int32_t p = 0; p < n; ++p) slot_of_[item_at_[p]] = p;

  raw_id_.reserve(n);
  std::vector<float> vectors(static_cast<size_t>(n) * dim_);
  for (int32_t p = 0; p < n; ++p) {
    const int32_t i = item_at_[p];
    raw_id_.emplace_back(s.item_raw_id(i));
    title_.emplace_back(s.item_title(i));
    category_.emplace_back(s.item_category(i));
    const auto r = s.item_regions(i), t = s.item_tags(i);
    regions_.emplace_back(r.begin(), r.end());
    tags_.emplace_back(t.begin(), t.end());
    subclass_.push_back(sub[i]);
    department_.push_back(dept[i]);
    brand_.push_back(s.item_brand()[i]);
    price_.push_back(s.item_price()[i]);
    popularity_.push_back(std::log1p(std::max(0.0f, s.item_popularity()[i])));
    first_.push_back(s.has_first_popularity() ? s.item_first_popularity()[i] : 0.0f);
    if (first_.back() > 0) first_order_.push_back(p);
    std::copy(s.item_vectors().data() + static_cast<size_t>(i) * dim_,
              s.item_vectors().data() + static_cast<size_t>(i + 1) * dim_, vectors.begin() + static_cast<size_t>(p) * dim_);
    id_of_.emplace(raw_id_.back(), i);
  }
  std::stable_sort(first_order_.begin(), first_order_.end(), [&](int32_t a, int32_t b) { return first_[a] > first_[b]; });
  by_subclass_.resize(subclass_names_.size());
  by_brand_.resize(brand_names_.size());
  sold_in_.resize(region_names_.size());
  resize_bitmaps(n);
  for (int32_t p = 0; p < n; ++p) {
    if (s.item_in_stock()[item_at_[p]]) in_stock_.set(p);
    index_item_attributes(p);
  }
  index_ = index::make_index(index_config, dim_, vectors.data(), n);
}

void Catalog::resize_bitmaps(size_t n) {
  in_stock_.resize(n);
  everywhere_.resize(n);
  for (auto& b : sold_in_) b.resize(n);
}

int32_t Catalog::intern(std::unordered_map<std::string, int32_t>& map, std::vector<std::string>& names,
                        const std::string& v) {
  auto it = map.find(v);
  if (it != map.end()) return it->second;
  const int32_t code = static_cast<int32_t>(names.size());
  names.push_back(v);
  map.emplace(v, code);
  return code;
}

void Catalog::index_item_attributes(int32_t id) {
  if (subclass_[id] >= 0) by_subclass_[subclass_[id]].push_back(id);
  by_brand_[brand_[id]].push_back(id);
  for (const auto& key : category_keys(category_[id])) by_category_[key].push_back(id);
  if (regions_[id].empty()) everywhere_.set(id);
  for (int32_t r : regions_[id]) sold_in_[r].set(id);
}

void Catalog::unindex_item_attributes(int32_t id) {
  if (subclass_[id] >= 0) erase_value(by_subclass_[subclass_[id]], id);
  erase_value(by_brand_[brand_[id]], id);
  for (const auto& key : category_keys(category_[id])) {
    auto it = by_category_.find(key);
    if (it != by_category_.end()) erase_value(it->second, id);
  }
  everywhere_.reset(id);
  for (int32_t r : regions_[id]) sold_in_[r].reset(id);
}

int32_t Catalog::size() const {
  std::shared_lock<RwLock> lock(mu_);
  return static_cast<int32_t>(raw_id_.size());
}

int32_t Catalog::region_code(std::string_view name) const {
  std::shared_lock<RwLock> lock(mu_);
  auto it = region_code_.find(std::string(name));
  return it == region_code_.end() ? 0 : it->second;
}

std::vector<std::string> Catalog::tag_names() const {
  std::shared_lock<RwLock> lock(mu_);
  return tag_names_;
}

std::optional<int32_t> Catalog::tag_code(std::string_view name) const {
  std::shared_lock<RwLock> lock(mu_);
  auto it = tag_code_.find(std::string(name));
  if (it == tag_code_.end()) return std::nullopt;
  return it->second;
}

std::pair<int32_t, bool> Catalog::upsert(const ItemUpsert& item, const float* vector) {
  STARS_CHECK_ARG(!item.raw_id.empty(), "item id is empty");
  std::unique_lock<RwLock> lock(mu_);
  auto found = id_of_.find(item.raw_id);
  const bool created = found == id_of_.end();
  STARS_CHECK_ARG(!created || vector, "a new item needs a vector");
  int32_t id, p;
  if (created) {
    id = p = static_cast<int32_t>(raw_id_.size());  // new items: slot == id
    raw_id_.push_back(item.raw_id);
    title_.emplace_back();
    category_.emplace_back();
    subclass_.push_back(-1);
    department_.push_back(-1);
    brand_.push_back(0);
    price_.push_back(std::nanf(""));
    popularity_.push_back(0.0f);
    first_.push_back(0.0f);  // nobody took it first: it follows the counted items
    if (!cold_bias_.empty()) {
      // After every slot with a prior >= rest (rest is usually the lowest: an append).
      cold_bias_.push_back(cold_bias_rest_);
      const auto at = std::partition_point(cold_order_.begin(), cold_order_.end(),
                                           [&](int32_t s) { return cold_bias_[static_cast<size_t>(s)] >= cold_bias_rest_; });
      cold_order_.insert(at, p);
    }
    regions_.emplace_back();
    tags_.emplace_back();
    id_of_.emplace(item.raw_id, id);
    resize_bitmaps(raw_id_.size());
    in_stock_.set(p);
  } else {
    id = found->second;
    p = slot(id);
    unindex_item_attributes(p);
  }
  if (item.title) title_[p] = *item.title;
  if (item.category) {
    category_[p] = normalize_path(*item.category);
    const auto levels = split_path(*item.category);
    if (levels.empty()) {
      subclass_[p] = department_[p] = -1;
    } else {
      subclass_[p] = intern(subclass_code_, subclass_names_, levels.back());
      department_[p] = intern(department_code_, department_names_, levels.front());
      if (by_subclass_.size() < subclass_names_.size()) by_subclass_.resize(subclass_names_.size());
    }
  }
  if (item.brand) {
    brand_[p] = item.brand->empty() ? 0 : intern(brand_code_, brand_names_, *item.brand);
    if (by_brand_.size() < brand_names_.size()) by_brand_.resize(brand_names_.size());
  }
  if (item.price) price_[p] = *item.price;
  if (item.in_stock) in_stock_.assign(p, *item.in_stock);
  if (item.regions) {
    std::vector<int32_t> codes;
    for (const auto& r : *item.regions) {
      if (r.empty()) continue;
      codes.push_back(intern(region_code_, region_names_, r));
    }
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    while (sold_in_.size() < region_names_.size()) sold_in_.emplace_back(raw_id_.size());
    regions_[p] = std::move(codes);
  }
  if (item.tags) {
    std::vector<int32_t> codes;
    for (const auto& t : *item.tags) codes.push_back(intern(tag_code_, tag_names_, t));
    tags_[p] = std::move(codes);
  }
  index_item_attributes(p);
  if (vector) index_->set(p, vector);
  return {id, created};
}

void Catalog::set_cold_user_bias(const std::vector<float>& by_item, float rest) {
  std::unique_lock<RwLock> lock(mu_);
  STARS_CHECK_ARG(std::isfinite(rest), "cold-user prior for added items is not finite");
  // Built aside and swapped in, so that a bad value leaves the catalog as it was.
  std::vector<float> bias;
  std::vector<int32_t> order;
  if (!by_item.empty()) {
    bias.resize(raw_id_.size());
    for (size_t p = 0; p < bias.size(); ++p) {
      const size_t id = static_cast<size_t>(item(static_cast<int32_t>(p)));
      bias[p] = id < by_item.size() ? by_item[id] : rest;
      STARS_CHECK_ARG(std::isfinite(bias[p]), "cold-user prior of item " << id << " is not finite");
    }
    order.resize(bias.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return bias[static_cast<size_t>(a)] > bias[static_cast<size_t>(b)]; });
  }
  cold_bias_rest_ = rest;
  cold_bias_.swap(bias);
  cold_order_.swap(order);
}

void Catalog::set_availability(int32_t id, std::optional<bool> in_stock,
                               const std::optional<std::vector<std::string>>& regions) {
  ItemUpsert u;
  {
    std::shared_lock<RwLock> lock(mu_);
    STARS_CHECK_ARG(id >= 0 && id < static_cast<int32_t>(raw_id_.size()), "item " << id << " does not exist");
    u.raw_id = raw_id_[slot(id)];
  }
  u.in_stock = in_stock;
  u.regions = regions;
  upsert(u, nullptr);
}

std::optional<int32_t> Catalog::ReadView::find(std::string_view raw_id) const {
  auto it = c_->id_of_.find(std::string(raw_id));
  if (it == c_->id_of_.end()) return std::nullopt;
  return it->second;
}

int32_t Catalog::ReadView::region_code(std::string_view name) const {
  auto it = c_->region_code_.find(std::string(name));
  return it == c_->region_code_.end() ? 0 : it->second;
}

ItemInfo Catalog::ReadView::info(int32_t id) const {
  const Catalog& c = *c_;
  const int32_t p = c.slot(id);
  ItemInfo out;
  out.id = id;
  out.raw_id = c.raw_id_[p];
  out.title = c.title_[p];
  out.category = c.category_[p];
  if (c.subclass_[p] >= 0) out.subclass = c.subclass_names_[c.subclass_[p]];
  if (c.department_[p] >= 0) out.department = c.department_names_[c.department_[p]];
  out.brand = c.brand_names_[c.brand_[p]];
  out.price = c.price_[p];
  out.in_stock = c.in_stock_.test(static_cast<size_t>(p));
  for (int32_t r : c.regions_[p]) out.regions.push_back(c.region_names_[r]);
  for (int32_t t : c.tags_[p]) out.tags.push_back(c.tag_names_[t]);
  return out;
}

std::vector<index::Hit> Catalog::ReadView::search(const float* query, int k, const index::Bitmap* allow) const {
  auto hits = c_->index_->search(query, k, allow);
  for (auto& h : hits) h.id = c_->item(h.id);
  return hits;
}

std::vector<index::Hit> Catalog::ReadView::search_cold_user(const float* query, int k, const index::Bitmap& allow) const {
  STARS_CHECK(has_cold_user_bias(), "search_cold_user without a cold-user prior");
  STARS_CHECK(c_->cold_bias_.size() == static_cast<size_t>(c_->index_->size()) && c_->cold_order_.size() == c_->cold_bias_.size(),
              "cold-user prior for " << c_->cold_bias_.size() << " items in an order of " << c_->cold_order_.size()
                                     << ", index of " << c_->index_->size());
  auto hits = c_->index_->search_biased(query, {c_->cold_bias_.data(), c_->cold_order_.data()}, k, &allow);
  for (auto& h : hits) h.id = c_->item(h.id);
  return hits;
}

index::Bitmap Catalog::ReadView::allow(const FilterSpec& f, Span<const int32_t> exclude,
                                       std::vector<std::string>* warnings) const {
  const Catalog& c = *c_;
  const size_t n = c.raw_id_.size();
  index::Bitmap out = f.in_stock ? c.in_stock_ : index::Bitmap(n, true);
  auto warn = [&](const std::string& w) {
    if (warnings) warnings->push_back(w);
  };
  if (!f.region.empty()) {
    auto it = c.region_code_.find(f.region);
    if (it == c.region_code_.end() || it->second == 0) {
      warn("unknown region '" + f.region + "': only items sold everywhere are kept");
      out.and_with(c.everywhere_);
    } else {
      index::Bitmap avail = c.everywhere_;
      avail.or_with(c.sold_in_[it->second]);
      out.and_with(avail);
    }
  }
  // Categories, subclasses and brands: an item must match one of the listed values of each given field.
  auto restrict_to = [&](const std::vector<std::string>& names, const char* what, auto&& postings_of) {
    if (names.empty()) return;
    index::Bitmap any(n);
    for (const auto& name : names) {
      const std::vector<int32_t>* list = postings_of(name);
      if (!list) {
        warn(std::string("unknown ") + what + " '" + name + "'");
        continue;
      }
      for (int32_t i : *list) any.set(i);
    }
    out.and_with(any);
  };
  restrict_to(f.categories, "category", [&](const std::string& name) -> const std::vector<int32_t>* {
    auto it = c.by_category_.find(normalize_path(name));
    return it == c.by_category_.end() ? nullptr : &it->second;
  });
  restrict_to(f.subclasses, "subclass", [&](const std::string& name) -> const std::vector<int32_t>* {
    auto it = c.subclass_code_.find(name);
    return it == c.subclass_code_.end() ? nullptr : &c.by_subclass_[it->second];
  });
  restrict_to(f.brands, "brand", [&](const std::string& name) -> const std::vector<int32_t>* {
    auto it = c.brand_code_.find(name);
    return it == c.brand_code_.end() || it->second == 0 ? nullptr : &c.by_brand_[it->second];
  });
  if (f.price_min || f.price_max) {
    const double lo = f.price_min.value_or(-INFINITY), hi = f.price_max.value_or(INFINITY);
    uint64_t* words = out.words();
    out.for_each_set([&](size_t i) {
      const float p = c.price_[i];
      if (!(p >= lo && p <= hi)) words[i >> 6] &= ~(uint64_t{1} << (i & 63));  // unknown prices are excluded
    });
  }
  for (const auto& raw : f.exclude_ids) {
    auto it = c.id_of_.find(raw);
    if (it != c.id_of_.end()) out.reset(c.slot(it->second));
  }
  for (int32_t i : exclude)
    if (i >= 0 && static_cast<size_t>(i) < n) out.reset(c.slot(i));
  return out;
}

std::unordered_map<int32_t, float> Catalog::ReadView::context_bonus(const index::Bitmap& allow, const Snapshot& snapshot,
                                                                  int32_t region,
                                                                  const std::vector<int32_t>& events) const {
  const Catalog& c = *c_;
  std::unordered_map<int32_t, float> bonus;
  auto add = [&](std::pair<Span<const int32_t>, Span<const float>> pop) {
    for (size_t j = 0; j < pop.first.size(); ++j) {
      const int32_t p = c.slot(pop.first[j]);  // snapshot item ids
      if (allow.test(static_cast<size_t>(p))) bonus[p] += std::log1p(std::max(0.0f, pop.second[j]));
    }
  };
  if (region > 0) add(snapshot.region_popularity(region));
  for (int32_t e : events) add(snapshot.event_popularity(e));
  return bonus;
}

std::vector<index::Hit> Catalog::ReadView::top_popular(int k, const index::Bitmap& allow,
                                                       const std::unordered_map<int32_t, float>& bonus) const {
  const Catalog& c = *c_;
  // The (few) items with a context bonus first, then a threshold scan of the rest.
  index::TopK top(k);
  index::Bitmap rest = allow;
  for (const auto& kv : bonus) {
    if (!allow.test(static_cast<size_t>(kv.first))) continue;
    rest.reset(kv.first);
    top.push(kv.first, c.popularity_[kv.first] + kv.second);
  }
  rest.for_each_set([&](size_t p) {
    const float s = c.popularity_[p];
    if (s >= top.threshold()) top.push(static_cast<int32_t>(p), s);
  });
  return top.take_sorted();  // ties by slot
}

std::vector<index::Hit> Catalog::ReadView::popular(int k, const index::Bitmap& allow, const Snapshot& snapshot,
                                                   int32_t region, const std::vector<int32_t>& events) const {
  auto hits = top_popular(k, allow, context_bonus(allow, snapshot, region, events));
  for (auto& h : hits) h.id = c_->item(h.id);
  return hits;
}

std::vector<index::Hit> Catalog::ReadView::new_user_popular(int k, const index::Bitmap& allow, const Snapshot& snapshot,
                                                            int32_t region, const std::vector<int32_t>& events) const {
  const Catalog& c = *c_;
  const auto bonus = context_bonus(allow, snapshot, region, events);
  auto score = [&](int32_t p) {
    auto it = bonus.find(p);
    return c.popularity_[p] + (it == bonus.end() ? 0.0f : it->second);
  };
  // Counted items, one group of equal counts at a time (a group is ordered whole, then cut at k).
  const auto& order = c.first_order_;
  std::vector<index::Hit> hits;
  for (size_t b = 0, e = 0; b < order.size() && static_cast<int>(hits.size()) < k; b = e) {
    const size_t group = hits.size();
    for (e = b; e < order.size() && c.first_[order[e]] == c.first_[order[b]]; ++e)
      if (allow.test(static_cast<size_t>(order[e]))) hits.push_back({order[e], score(order[e])});
    std::sort(hits.begin() + static_cast<std::ptrdiff_t>(group), hits.end(), index::hit_before);
  }
  if (static_cast<int>(hits.size()) > k) hits.resize(static_cast<size_t>(k));
  // Then the items nobody took first, by popularity within context.
  if (static_cast<int>(hits.size()) < k) {
    index::Bitmap rest = allow;
    for (int32_t p : order) rest.reset(p);
    for (const auto& h : top_popular(k - static_cast<int>(hits.size()), rest, bonus)) hits.push_back(h);
  }
  for (auto& h : hits) h.id = c.item(h.id);
  return hits;
}

}  // namespace stars::serve
