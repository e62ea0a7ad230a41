// What the model knows about each item besides its id (paper §4.1): the frozen text vector e_text and the
// multi-hot attribute tags t. They come from DS/semantics (written by `stars enrich`) when present; without
// semantics the text part is absent (text_dim = 0) and the tags fall back to the dataset's own item tags.
// Growable, so that the encoder can add items after training. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/core/span.h"

namespace stars::data {
class Dataset;
}

namespace stars::model {

struct ItemContent {
  int32_t num_items = 0;
  int text_dim = 0;                     // 0 = no text vectors
  std::vector<float> text;              // (num_items, text_dim)
  std::vector<uint64_t> tag_offsets{0}; // CSR: tags of item i = tag_ids[tag_offsets[i] .. tag_offsets[i+1])
  std::vector<int32_t> tag_ids;
  std::vector<std::string> tag_names;   // vocabulary of tag ids
  std::string source;                   // "semantics", "dataset" or "none"
  std::string text_model;               // what made the text vectors, "provider:model" (e.g. an LSA fit's name); "" = unknown

  int32_t num_tags() const { return static_cast<int32_t>(tag_names.size()); }
  bool has_text() const { return text_dim > 0; }
  bool has_tags() const { return !tag_names.empty() && !tag_ids.empty(); }
  Span<const float> text_of(int32_t item) const {
    return Span<const float>(text.data() + static_cast<size_t>(item) * text_dim, text_dim);
  }
  Span<const int32_t> tags_of(int32_t item) const {
    return Span<const int32_t>(tag_ids.data() + tag_offsets[item], tag_offsets[item + 1] - tag_offsets[item]);
  }
  // Appends one item (text may be null when text_dim = 0). Tag ids must be < num_tags().
  void append(const float* text_vector, const int32_t* tags, size_t n_tags);
  // Checks sizes and id ranges; errors name `where`.
  void check(const std::string& where) const;
};

// Reads DS/semantics when present (checking it matches the dataset's item count), else the dataset's tags.
ItemContent load_item_content(const data::Dataset& dataset);

}  // namespace stars::model
