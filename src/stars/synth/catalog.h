// The item catalog of a synthetic world: brands (tier, home region, attribute specialities) and items
// (subclass, brand, flavour, size, dietary attributes, which of them the text and the tags mention, price,
// popularity, launch day, regions where sold) and the end-of-timeline stock per region. Item text is made
// from these fields when written (item_text.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/synth/alias_table.h"
#include "stars/synth/synth_config.h"
#include "stars/synth/taxonomy.h"

namespace stars::synth {

struct Brand {
  std::string name;
  int tier = 0;             // -1 value, 0 standard, +1 premium
  int home_region = -1;     // -1 = sold everywhere; else a regional brand
  uint32_t lean = 0;        // attributes the brand specialises in
  std::vector<int> departments;
};

struct Item {
  int32_t subclass = 0;
  int32_t brand = 0;
  int16_t flavour = -1;          // index into the aisle's flavours, -1 = none
  int8_t size = 0;               // index into the aisle's sizes
  int8_t season = -1;            // seasonal product or flavour, -1 = all year
  int8_t flavour_family = -1;    // family of the flavour, -1 = none
  uint32_t attributes = 0;       // true attributes (bit = index into kAttributes)
  uint32_t text_attributes = 0;  // those its title/description mention
  uint32_t tag_attributes = 0;   // those its `tags` list
  float price = 0;
  float log_price_rel = 0;       // log(price) - mean log price of its subclass
  float popularity = 0;          // latent appeal (log scale)
  int32_t launch_day = 0;        // first day it exists (> 0 for cold-start items)
  uint32_t region_mask = 0;      // bit r = sold in region r
};

class Catalog {
 public:
  static Catalog build(const SynthConfig& config, const Taxonomy& taxonomy);

  std::vector<Brand> brands;
  std::vector<Item> items;
  std::vector<std::vector<int32_t>> subclass_items;        // items of each subclass
  std::vector<AliasTable> subclass_sampler;                // draws a position in subclass_items by exp(popularity)
  std::vector<std::vector<int32_t>> department_brands;     // brands selling in each department
  std::vector<uint32_t> stock;                             // items x regions, units at the end of the timeline
  int regions = 1;

  // Items are stored grouped by subclass (pages read one subclass's items from one stretch of memory);
  // their raw ids are a seeded permutation, so an id says nothing about the subclass.
  std::vector<int32_t> external_id;                        // raw id number of each item
  std::vector<int32_t> by_external_id;                     // item of each raw id number
  std::string item_id(int32_t item) const { return "i" + std::to_string(external_id[item]); }
  bool sold_in(int32_t item, int region) const { return (items[item].region_mask >> region) & 1u; }
  bool in_stock(int32_t item) const;
};

}  // namespace stars::synth
