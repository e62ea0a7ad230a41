#include "stars/data/tiny_world.h"

#include <algorithm>

#include "stars/core/random.h"
#include "stars/data/dataset_builder.h"

namespace stars::data {

std::string make_tiny_world(const std::string& dir, const TinyWorldOptions& o) {
  static const char* kGroups[] = {"dairy", "bakery", "produce", "snacks", "drinks", "frozen", "pantry", "baby"};
  static const char* kAdjectives[] = {"organic", "fresh", "classic", "light", "vegan", "spicy", "sweet", "crunchy"};
  DatasetBuilder b("tiny", "in-process");
  Rng rng(o.seed);
  for (int32_t g = 0; g < o.num_groups; ++g) {
    for (int32_t k = 0; k < o.items_per_group; ++k) {
      ItemRecord r;
      r.raw_id = "i" + std::to_string(g * o.items_per_group + k);
      const std::string group = kGroups[g % 8];
      r.title = std::string(kAdjectives[k % 8]) + " " + group + " item " + std::to_string(k);
      r.description = "a " + group + " product";
      r.category = {"Food", group, group + " " + std::to_string(g)};
      r.brand = "brand" + std::to_string(k % 3);
      r.price = 1.0f + static_cast<float>(k);
      r.tags = {group, kAdjectives[k % 8]};
      r.in_stock = (k % 5) != 4;
      b.add_item(r);
    }
  }
  if (o.with_user_features) b.set_user_schema({"age"}, {"region"});
  const int64_t t0 = 1700000000;
  int32_t page_counter = 0;
  for (int32_t u = 0; u < o.num_users; ++u) {
    const int32_t g = u % o.num_groups;
    const std::string raw = "u" + std::to_string(u);
    if (o.with_user_features) b.add_user(raw, {20.0f + static_cast<float>(g * 10)}, {kGroups[g % 8]});
    const int32_t user = b.user_id(raw);
    const int32_t start = static_cast<int32_t>(rng.uniform(o.items_per_group));
    for (int32_t e = 0; e < o.events_per_user; ++e) {
      EventRecord ev;
      ev.user = user;
      ev.item = o.shared_first_item && e == 0 ? 0 : g * o.items_per_group + (start + e) % o.items_per_group;
      ev.has_ts = o.with_time;
      ev.ts = t0 + u * 86400LL + (u % std::max(1, o.start_hours) + e) * 3600LL;
      ev.has_type = true;
      ev.type = e % 3 == 2 ? EventType::kPurchase : (e % 3 == 1 ? EventType::kCart : EventType::kView);
      if (o.with_pages) {
        ev.page = b.page_id("p" + std::to_string(page_counter++));
        b.add_impression(ev.page, ev.item);
        for (int s = 1; s < 4; ++s) b.add_impression(ev.page, g * o.items_per_group + (start + e + s * 2) % o.items_per_group);
      }
      ev.session = b.session_id(raw + "-" + std::to_string(e / 4));
      b.add_event(ev);
    }
  }
  if (o.with_time) b.add_calendar_day(t0 / 86400, 0, {"launch_day"});
  PrepareOptions p;
  p.cold_item_fraction = 0.1;
  p.cold_user_fraction = o.cold_user_fraction;
  return b.write(dir, p);
}

}  // namespace stars::data
