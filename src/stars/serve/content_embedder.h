// How the service turns a new product's text into the model's content inputs (paper §4.1): a frozen text
// vector and attribute tags. The fitted embedder and tagger of `stars enrich` are copied into the
// snapshot (semantics/); the command line supplies a loader for them so that this module stays free of
// the provider code. Torch-free.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "stars/model/encoder.h"

namespace stars::serve {

struct NewItemText {
  std::string raw_id, title, description, brand;
  std::vector<std::string> category;  // path from department to leaf
  std::vector<std::string> tags;      // tags given by the caller
};

struct ItemContent {
  std::vector<float> text_vector;  // semantics dimension, L2-normalised
  std::vector<std::string> tags;   // tag names (the tagger's vocabulary + given tags)
};

class ContentEmbedder {
 public:
  virtual ~ContentEmbedder() = default;
  virtual int dim() const = 0;
  virtual ItemContent embed(const NewItemText& item) = 0;
};

// Loads the embedder stored in a snapshot's semantics/ directory.
using ContentEmbedderLoader = std::function<std::unique_ptr<ContentEmbedder>(const std::string& semantics_dir)>;
// Loads the encoder stored in a snapshot's model/ directory.
using EncoderLoader = std::function<std::unique_ptr<model::Encoder>(const std::string& model_dir)>;

}  // namespace stars::serve
