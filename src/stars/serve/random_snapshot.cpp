#include "stars/serve/random_snapshot.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <string>

#include "stars/core/error.h"
#include "stars/core/random.h"

namespace stars::serve {

SnapshotData make_random_snapshot(const RandomSnapshotOptions& o) {
  STARS_CHECK_ARG(o.users >= 1 && o.items >= 1 && o.dim >= 1, "random snapshot needs users, items and dim >= 1");
  STARS_CHECK_ARG(o.departments >= 1 && o.subclasses_per_department >= 1 && o.brands >= 1 && o.regions >= 1,
                  "random snapshot needs at least one department, subclass, brand and region");
  Rng rng(o.seed);
  SnapshotData d;
  auto& m = d.manifest;
  m.dim = o.dim;
  m.num_users = o.users;
  m.num_items = o.items;
  m.history_len = o.history_len;
  m.has_time = true;
  m.created_at = static_cast<int64_t>(std::time(nullptr));
  m.source_dataset = "random";
  m.config_json = "{\"users\": " + std::to_string(o.users) + ", \"items\": " + std::to_string(o.items) +
                  ", \"dim\": " + std::to_string(o.dim) + ", \"seed\": " + std::to_string(o.seed) + "}";
  for (int k = 0; k < o.departments; ++k) {
    d.departments.push_back("d" + std::to_string(k));
    for (int j = 0; j < o.subclasses_per_department; ++j) d.subclasses.push_back("d" + std::to_string(k) + "s" + std::to_string(j));
  }
  d.brands.push_back("");
  for (int k = 0; k < o.brands; ++k) d.brands.push_back("b" + std::to_string(k));
  d.regions.push_back("");
  for (int k = 0; k < o.regions; ++k) d.regions.push_back("r" + std::to_string(k));
  d.tags = {"organic", "vegan", "local"};
  d.calendar_events = {"promo"};

  const float scale = 1.0f / std::sqrt(static_cast<float>(o.dim));
  d.item_vectors.resize(static_cast<size_t>(o.items) * o.dim);
  for (auto& x : d.item_vectors) x = static_cast<float>(rng.normal()) * scale;
  for (int32_t i = 0; i < o.items; ++i) {
    const int dept = static_cast<int>(rng.uniform(o.departments));
    const int sub = static_cast<int>(rng.uniform(o.subclasses_per_department));
    d.item_raw_id.push_back("i" + std::to_string(i));
    d.item_title.push_back("item " + std::to_string(i) + " of d" + std::to_string(dept) + "s" + std::to_string(sub));
    d.item_category.push_back("d" + std::to_string(dept) + " > d" + std::to_string(dept) + "s" + std::to_string(sub));
    d.item_department.push_back(dept);
    d.item_subclass.push_back(dept * o.subclasses_per_department + sub);
    d.item_brand.push_back(1 + static_cast<int32_t>(rng.uniform(o.brands)));
    d.item_price.push_back(static_cast<float>(std::round((0.5 + 20.0 * rng.uniform01()) * 100.0) / 100.0));
    d.item_in_stock.push_back(rng.bernoulli(o.in_stock_fraction) ? 1 : 0);
    if (rng.bernoulli(o.regional_fraction)) {
      const int n = 1 + static_cast<int>(rng.uniform(3));
      std::vector<int32_t> r;
      for (int j = 0; j < n; ++j) r.push_back(1 + static_cast<int32_t>(rng.uniform(o.regions)));
      std::sort(r.begin(), r.end());
      r.erase(std::unique(r.begin(), r.end()), r.end());
      d.item_region_ids.insert(d.item_region_ids.end(), r.begin(), r.end());
    }
    d.item_region_offsets.push_back(d.item_region_ids.size());
    if (rng.bernoulli(0.2)) d.item_tag_ids.push_back(static_cast<int32_t>(rng.uniform(3)));
    d.item_tag_offsets.push_back(d.item_tag_ids.size());
    d.item_popularity.push_back(static_cast<float>(std::floor(std::exp(4.0 * rng.uniform01()))));
  }
  d.user_h_gen.resize(static_cast<size_t>(o.users) * o.dim);
  d.user_h_next.resize(d.user_h_gen.size());
  for (auto& x : d.user_h_gen) x = static_cast<float>(rng.normal()) * scale;
  for (auto& x : d.user_h_next) x = static_cast<float>(rng.normal()) * scale;
  const int64_t t0 = m.created_at - 30 * 86400;
  d.item_first_popularity.assign(static_cast<size_t>(o.items), 0.0f);
  for (int32_t u = 0; u < o.users; ++u) {
    d.user_raw_id.push_back("u" + std::to_string(u));
    const int n = static_cast<int>(rng.uniform(static_cast<uint64_t>(o.history_len) + 1));
    std::vector<int32_t> bought;
    for (int j = 0; j < n; ++j) {
      const int32_t item = static_cast<int32_t>(rng.uniform(o.items));
      d.hist_item.push_back(item);
      if (j == 0) d.item_first_popularity[item] += 1.0f;  // the history is the user's whole history here
      d.hist_ts.push_back(t0 + j * 3600);
      const uint8_t type = rng.bernoulli(0.3) ? 3 : 1;
      d.hist_type.push_back(type);
      d.hist_region.push_back(0);
      if (type == 3) bought.push_back(item);
    }
    d.hist_offsets.push_back(d.hist_item.size());
    std::sort(bought.begin(), bought.end());
    bought.erase(std::unique(bought.begin(), bought.end()), bought.end());
    d.purchased_items.insert(d.purchased_items.end(), bought.begin(), bought.end());
    d.purchased_offsets.push_back(d.purchased_items.size());
  }
  return d;
}

}  // namespace stars::serve
