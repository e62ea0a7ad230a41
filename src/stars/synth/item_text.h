// Realistic product titles and descriptions built from an item's brand, flavour, product type (subclass),
// size and the attributes its text mentions, e.g. "Maple Ridge Organic Gluten-Free Sea Salt Potato Chips,
// 8 oz". Text is a pure function of the item and the seed, so it is made when items.csv is written.
#pragma once

#include <cstdint>
#include <string>

#include "stars/synth/catalog.h"
#include "stars/synth/taxonomy.h"

namespace stars::synth {

std::string item_title(const Catalog& catalog, const Taxonomy& taxonomy, int32_t item);
std::string item_description(const Catalog& catalog, const Taxonomy& taxonomy, int32_t item, uint64_t seed);
// The `tags` field: tag-channel attributes and the season ("season:christmas"), "|"-separated.
std::string item_tags(const Catalog& catalog, int32_t item);

}  // namespace stars::synth
