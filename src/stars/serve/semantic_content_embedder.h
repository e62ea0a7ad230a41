// The ContentEmbedder of snapshots exported from an enriched dataset: the fitted text embedder and
// tagger of `stars enrich` (semantics::SemanticEncoder) loaded from the snapshot's semantics/ copy.
// Torch-free.
#pragma once

#include <memory>
#include <string>

#include "stars/serve/content_embedder.h"

namespace stars::serve {

// Loads SNAP/semantics (throws Error naming the file when something is missing or malformed).
std::unique_ptr<ContentEmbedder> load_semantic_content_embedder(const std::string& semantics_dir);

}  // namespace stars::serve
