#include "stars/model/item_content.h"

#include "stars/core/error.h"
#include "stars/data/dataset.h"
#include "stars/semantics/item_semantics.h"

namespace stars::model {

void ItemContent::append(const float* text_vector, const int32_t* tags, size_t n_tags) {
  if (text_dim > 0) {
    STARS_CHECK_ARG(text_vector != nullptr, "item content: a text vector of size " << text_dim << " is required");
    text.insert(text.end(), text_vector, text_vector + text_dim);
  }
  for (size_t i = 0; i < n_tags; ++i)
    STARS_CHECK_ARG(tags[i] >= 0 && tags[i] < num_tags(), "item content: tag id " << tags[i] << " outside the vocabulary of "
                                                                                   << num_tags() << " tags");
  tag_ids.insert(tag_ids.end(), tags, tags + n_tags);
  tag_offsets.push_back(tag_ids.size());
  ++num_items;
}

void ItemContent::check(const std::string& where) const {
  STARS_CHECK_DATA(text.size() == static_cast<size_t>(num_items) * text_dim,
                   where << ": text matrix has " << text.size() << " values, expected " << num_items << " x " << text_dim);
  STARS_CHECK_DATA(tag_offsets.size() == static_cast<size_t>(num_items) + 1,
                   where << ": " << tag_offsets.size() << " tag offsets for " << num_items << " items");
  STARS_CHECK_DATA(tag_offsets.back() == tag_ids.size(), where << ": tag offsets do not end at the tag count");
  for (size_t i = 1; i < tag_offsets.size(); ++i)
    STARS_CHECK_DATA(tag_offsets[i - 1] <= tag_offsets[i], where << ": tag offsets decrease at item " << i - 1);
  for (int32_t t : tag_ids) STARS_CHECK_DATA(t >= 0 && t < num_tags(), where << ": tag id " << t << " out of range");
}

ItemContent load_item_content(const data::Dataset& ds) {
  ItemContent c;
  c.num_items = ds.num_items();
  if (semantics::has_item_semantics(ds.dir())) {
    semantics::ItemSemantics s = semantics::load_item_semantics(ds.dir());
    STARS_CHECK_DATA(s.num_items == ds.num_items(), ds.dir() << "/semantics: " << s.num_items << " items, the dataset has "
                                                             << ds.num_items() << " (re-run stars enrich)");
    c.text_dim = s.dim;
    c.text = std::move(s.text);
    c.tag_offsets = std::move(s.tag_offsets);
    c.tag_ids = std::move(s.tag_ids);
    c.tag_names = std::move(s.tag_names);
    c.source = "semantics";
    if (!s.provider.empty() || !s.model.empty()) c.text_model = s.provider + ":" + s.model;
    // An all-zero text matrix carries nothing: switch the text part off.
    bool any = false;
    for (float v : c.text)
      if (v != 0.0f) { any = true; break; }
    if (!any) {
      c.text_dim = 0;
      c.text.clear();
      c.text_model.clear();
    }
  } else {
    // The dataset's own tags, then its taxonomy and brand as tags "department:X", "subclass:X", "brand:X".
    c.tag_names = ds.tag_names();
    const int32_t dept0 = c.num_tags();
    for (const auto& n : ds.department_names()) c.tag_names.push_back("department:" + n);
    const int32_t sub0 = c.num_tags();
    for (const auto& n : ds.subclass_names()) c.tag_names.push_back("subclass:" + n);
    const int32_t brand0 = c.num_tags() - 1;  // brand code 0 = none
    for (size_t b = 1; b < ds.brand_names().size(); ++b) c.tag_names.push_back("brand:" + ds.brand_names()[b]);
    c.tag_offsets.assign(1, 0);
    for (int32_t i = 0; i < ds.num_items(); ++i) {
      auto t = ds.item_tags(i);
      c.tag_ids.insert(c.tag_ids.end(), t.begin(), t.end());
      if (ds.item_department(i) >= 0) c.tag_ids.push_back(dept0 + ds.item_department(i));
      if (ds.item_subclass(i) >= 0) c.tag_ids.push_back(sub0 + ds.item_subclass(i));
      if (ds.item_brand(i) > 0) c.tag_ids.push_back(brand0 + ds.item_brand(i));
      c.tag_offsets.push_back(c.tag_ids.size());
    }
    c.source = c.tag_ids.empty() ? "none" : "dataset";
  }
  c.check(ds.dir() + " item content");
  return c;
}

}  // namespace stars::model
