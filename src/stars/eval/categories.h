// The category an item belongs to for per-category tables (paper Table 2): its department, its subclass
// (the leaf), or a level of its category path; "auto" takes the shallowest level with at least three
// distinct values (Amazon Beauty's department is "Beauty" for every item, so its level 2 is used). Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/data/dataset.h"

namespace stars::eval {

struct ItemCategories {
  std::string level;               // "department", "subclass", "level N"; "" = the dataset has no categories
  std::vector<int32_t> of_item;    // per item: index into names, -1 = none
  std::vector<std::string> names;
};

// level: "auto", "department", "subclass" or a 1-based path depth ("1" = department). Throws
// kInvalidArgument for anything else.
ItemCategories item_categories(const data::Dataset& ds, const std::string& level);

}  // namespace stars::eval
