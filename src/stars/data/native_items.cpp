// Native items file: item_id [, title, description, category, brand, price, tags, in_stock, regions, ...].
// Columns other than these become attribute tags `column=value` (kept for filtering).
#include <cmath>

#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/data/native_reader.h"
#include "stars/data/value_parsing.h"

namespace stars::data {

void read_native_items(const std::string& path, IngestContext& cx) {
  ItemRecord item;
  for_each_native_row(path, "items", {"item_id"}, cx, [&](const TabularReader& reader, const TabularRow& row) {
    const auto& cols = reader.columns();
    item = ItemRecord();
    bool ok = true;
    for (size_t c = 0; c < cols.size() && ok; ++c) {
      const std::string& name = cols[c];
      const std::string_view v = row.values[c];
      if (name == "item_id") {
        item.raw_id = std::string(v);
      } else if (name == "title") {
        item.title = std::string(trim(v));
      } else if (name == "description") {
        item.description = std::string(trim(v));
      } else if (name == "category") {
        item.category = split_list(v, '>');
      } else if (name == "brand") {
        item.brand = std::string(trim(v));
      } else if (name == "price") {
        double price;
        if (trim(v).empty()) {
          item.price = std::nanf("");
        } else if (parse_double(v, &price)) {
          item.price = static_cast<float>(price);
        } else {
          cx.errors.report(RowError::kBadNumber, path, row.line, "price " + show_value(v) + " is not a number");
          ok = false;
        }
      } else if (name == "tags") {
        for (auto& t : split_list(v, '|')) item.tags.push_back(std::move(t));
      } else if (name == "in_stock") {
        if (!parse_bool(v, true, &item.in_stock)) {
          cx.errors.report(RowError::kBadValue, path, row.line,
                           "in_stock " + show_value(v) + " is not 1/0, true/false or yes/no");
          ok = false;
        }
      } else if (name == "regions") {
        item.regions = split_list(v, '|');
      } else if (!name.empty() && !trim(v).empty()) {
        item.tags.push_back(name + "=" + std::string(trim(v)));  // attribute kept for filtering
      }
    }
    if (!ok) return false;
    if (item.raw_id.empty()) {
      cx.errors.report(RowError::kEmptyId, path, row.line, "empty or missing item_id");
      return false;
    }
    if (!cx.builder.add_item(item)) {
      cx.errors.report(RowError::kDuplicateId, path, row.line, "item_id " + show_value(item.raw_id) + " appears twice");
      return false;
    }
    return true;
  });
  cx.errors.end_file(path);
}

}  // namespace stars::data
