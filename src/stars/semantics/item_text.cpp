#include "stars/semantics/item_text.h"

#include <cstdio>

#include "stars/core/strings.h"
#include "stars/core/table_file.h"
#include "stars/data/dataset.h"
#include "stars/semantics/text_tokens.h"

namespace stars::semantics {

bool ItemText::has_text() const {
  if (!trim(title).empty() || !trim(description).empty() || !trim(brand).empty()) return true;
  for (const auto& c : category)
    if (!trim(c).empty()) return true;
  return false;
}

uint64_t item_text_hash(const ItemText& item) {
  // Fields joined with separators that cannot occur in UTF-8 text, so ("ab","c") and ("a","bc") differ.
  std::string s;
  s.reserve(item.title.size() + item.description.size() + item.brand.size() + 64);
  s += "t\x1f";
  s += item.title;
  s += "\x1e" "d\x1f";
  s += item.description;
  s += "\x1e" "c\x1f";
  for (const auto& c : item.category) {
    s += c;
    s += '\x1d';
  }
  s += "\x1e" "b\x1f";
  s += item.brand;
  return checksum64(s.data(), s.size(), 0x53454d414e544943ULL);
}

std::string hash_hex(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string item_text_for_model(const ItemText& item, size_t max_bytes) {
  std::string s;
  auto field = [&](const char* name, std::string_view value) {
    value = trim(value);
    if (value.empty()) return;
    if (!s.empty()) s += '\n';
    s += name;
    s += ": ";
    s += value;
  };
  field("Title", item.title);
  field("Brand", item.brand);
  field("Category", category_path_string(item.category));
  field("Description", item.description);
  return truncate_utf8(s, max_bytes);
}

std::string category_path_string(const std::vector<std::string>& path) { return join(path, " > "); }

ItemText item_text_from_dataset(const data::Dataset& ds, int32_t item) {
  ItemText t;
  t.raw_id = std::string(ds.item_raw_id(item));
  t.title = std::string(ds.item_title(item));
  t.description = std::string(ds.item_description(item));
  const std::string_view cat = ds.item_category(item);
  size_t start = 0;
  while (start < cat.size()) {
    size_t end = cat.find(" > ", start);
    if (end == std::string_view::npos) end = cat.size();
    const std::string_view level = trim(cat.substr(start, end - start));
    if (!level.empty()) t.category.emplace_back(level);
    start = end + 3;
  }
  const int32_t brand = ds.item_brand(item);
  if (brand > 0 && brand < static_cast<int32_t>(ds.brand_names().size())) t.brand = ds.brand_names()[brand];
  for (int32_t tag : ds.item_tags(item)) t.tags.push_back(ds.tag_names()[tag]);
  return t;
}

std::vector<ItemText> item_texts_from_dataset(const data::Dataset& ds) {
  std::vector<ItemText> out(ds.num_items());
  for (int32_t i = 0; i < ds.num_items(); ++i) out[i] = item_text_from_dataset(ds, i);
  return out;
}

}  // namespace stars::semantics
