// The semantic item tokens produced by `stars enrich` (paper §4.1, Figures 2-3): a frozen text vector per
// item and a multi-hot set of attribute tags from a controlled vocabulary, stored in DS/semantics/.
// This header is the contract between enrich (writer) and the model, export and serving (readers).
// Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/core/span.h"

namespace stars::semantics {

constexpr uint32_t kSemanticsVersion = 1;

struct ItemSemantics {
  int32_t num_items = 0;
  int32_t dim = 0;
  std::vector<float> text;              // (num_items, dim), row i = dense item i, L2-normalised; zeros = no text
  std::vector<uint64_t> tag_offsets;    // CSR over items: tags of item i are tag_ids[tag_offsets[i] .. tag_offsets[i+1])
  std::vector<int32_t> tag_ids;         // ids into tag_names
  std::vector<std::string> tag_names;   // the tag vocabulary (controlled vocabulary + kept input tags)
  std::vector<uint64_t> text_hash;      // per item: hash of the text that produced its vector (re-runs skip unchanged items)
  std::vector<std::string> raw_ids;     // per item: raw id (matches a re-prepared dataset's items); may be empty in old files
  std::string provider;                 // "lsa", "openai", "file"
  std::string model;                    // provider model name (e.g. "lsa-tfidf-word12-char345")
  std::string vocab_version;            // version string of the tag vocabulary

  Span<const float> vector(int32_t item) const { return Span<const float>(text.data() + static_cast<size_t>(item) * dim, dim); }
  Span<const int32_t> tags(int32_t item) const {
    return Span<const int32_t>(tag_ids.data() + tag_offsets[item], tag_offsets[item + 1] - tag_offsets[item]);
  }
};

// DS/semantics/ exists and holds a complete, readable ItemSemantics.
bool has_item_semantics(const std::string& dataset_dir);
// Reads DS/semantics/items.tbl; errors name the file and what was expected.
ItemSemantics load_item_semantics(const std::string& dataset_dir);
// Writes DS/semantics/items.tbl atomically, then DS/semantics/provenance.json (provider, model, dimension,
// vocabulary version, counts).
void save_item_semantics(const std::string& dataset_dir, const ItemSemantics& semantics);

}  // namespace stars::semantics
