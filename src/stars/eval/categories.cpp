#include "stars/eval/categories.h"

#include <unordered_map>

#include "stars/core/error.h"
#include "stars/core/strings.h"

namespace stars::eval {

namespace {

// Level `depth` (0-based) of every item's category path ("A > B > C"); items with a shorter path get
// their leaf, so every categorised item has a value.
ItemCategories path_level(const data::Dataset& ds, int depth) {
  ItemCategories out;
  out.level = depth == 0 ? "department" : "level " + std::to_string(depth + 1);
  out.of_item.assign(ds.num_items(), -1);
  std::unordered_map<std::string, int32_t> index;
  for (int32_t i = 0; i < ds.num_items(); ++i) {
    const std::string_view path = ds.item_category(i);
    if (path.empty()) continue;
    const auto parts = split(path, '>');
    std::string name(trim(parts[std::min<size_t>(depth, parts.size() - 1)]));
    auto [it, inserted] = index.emplace(name, static_cast<int32_t>(out.names.size()));
    if (inserted) out.names.push_back(name);
    out.of_item[i] = it->second;
  }
  return out;
}

ItemCategories from_ids(const data::Dataset& ds, bool subclass) {
  ItemCategories out;
  out.level = subclass ? "subclass" : "department";
  out.names = subclass ? ds.subclass_names() : ds.department_names();
  out.of_item.assign(ds.num_items(), -1);
  for (int32_t i = 0; i < ds.num_items(); ++i) out.of_item[i] = subclass ? ds.item_subclass(i) : ds.item_department(i);
  return out;
}

}  // namespace

ItemCategories item_categories(const data::Dataset& ds, const std::string& level) {
  if (!ds.info().has_categories) return ItemCategories{"", std::vector<int32_t>(ds.num_items(), -1), {}};
  if (level == "department") return from_ids(ds, false);
  if (level == "subclass") return from_ids(ds, true);
  if (level == "auto") {
    if (ds.department_names().size() >= 3) return from_ids(ds, false);
    for (int depth = 1; depth < 12; ++depth) {
      ItemCategories c = path_level(ds, depth);
      if (c.names.size() >= 3) return c;
    }
    return from_ids(ds, true);
  }
  int64_t d = 0;
  STARS_CHECK_ARG(parse_int64(level, &d) && d >= 1 && d <= 64,
                  "category_level must be auto, department, subclass or a path depth 1..64, got '" << level << "'");
  return path_level(ds, static_cast<int>(d - 1));
}

}  // namespace stars::eval
