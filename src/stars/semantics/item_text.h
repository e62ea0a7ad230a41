// The text and metadata of one item as the semantics pipeline sees it (paper §4.1: "product text and
// metadata"), built from a prepared dataset or handed in by the server for a product added at request
// time, and the stable hash of that text which decides whether a stored vector is still valid. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stars::data {
class Dataset;
}

namespace stars::semantics {

struct ItemText {
  std::string raw_id;                 ///< the item's raw id (used by the precomputed-vectors provider)
  std::string title;
  std::string description;
  std::vector<std::string> category;  ///< path from department to leaf (the subclass)
  std::string brand;
  std::vector<std::string> tags;      ///< attribute tags given in the input (genres, attribute ids, ...)

  // True when the item has no title, description, category or brand: its text vector is all zeros.
  bool has_text() const;
};

// Hash of title, description, category path and brand (not the raw id, not the input tags): two items with
// the same hash get the same text vector from a text provider. Stable across runs and machines.
uint64_t item_text_hash(const ItemText& item);

// The hash as 16 lowercase hex digits (cache keys, JSON).
std::string hash_hex(uint64_t h);

// Reads item `item` (dense id) of a prepared dataset; the category path is split on " > ".
ItemText item_text_from_dataset(const data::Dataset& ds, int32_t item);
// Every item of the dataset, in dense id order.
std::vector<ItemText> item_texts_from_dataset(const data::Dataset& ds);

// The item as one text for an embedding or chat model: "Title: ...\nBrand: ...\nCategory: A > B\n
// Description: ..." (empty fields left out), cut to `max_bytes` at a UTF-8 boundary.
std::string item_text_for_model(const ItemText& item, size_t max_bytes);

// "Dairy > Cream > Sour Cream".
std::string category_path_string(const std::vector<std::string>& path);

}  // namespace stars::semantics
