// Everything one snapshot serves from, loaded together and swapped atomically as one unit: the
// memory-mapped snapshot, the live catalog (metadata, filters, search index), the model encoder from
// the snapshot's model/ directory (live sessions, cold users, context offsets, new items) and the
// content embedder from semantics/. Requests hold a shared_ptr to the state they started with, so a swap
// never pulls anything from under a running request. Torch-free (the encoder comes through its interface).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stars/index/index_config.h"
#include "stars/model/encoder.h"
#include "stars/serve/catalog.h"
#include "stars/serve/content_embedder.h"
#include "stars/serve/rw_lock.h"
#include "stars/serve/snapshot.h"

namespace stars::serve {

struct StateOptions {
  index::IndexConfig index;
  int context_quantum_s = 3600;  // request times are rounded down to this for the context-offset cache
  bool verify_checksums = true;
};

class ServingState {
 public:
  static std::shared_ptr<ServingState> load(const std::string& dir, const StateOptions& options,
                                            const EncoderLoader& encoder_loader,
                                            const ContentEmbedderLoader& embedder_loader);

  const Snapshot& snapshot() const { return *snapshot_; }
  const std::shared_ptr<const Snapshot>& snapshot_ptr() const { return snapshot_; }
  Catalog& catalog() { return *catalog_; }
  const Catalog& catalog() const { return *catalog_; }
  bool has_encoder() const { return encoder_ != nullptr; }
  // Whether the encoder gives a user without events a trained vector from static features alone
  // (model::Encoder::encodes_cold_users); false without an encoder.
  bool encodes_cold_users() const { return encoder_ && encoder_->encodes_cold_users(); }
  ContentEmbedder* embedder() const { return embedder_.get(); }
  int64_t loaded_at() const { return loaded_at_; }
  double load_seconds() const { return load_seconds_; }

  // h_gen, h_next (dim each) of one input. Needs has_encoder().
  void encode(const model::EncoderInput& input, float* h_gen, float* h_next) const;
  // Context offset o_t for a request context (cached per quantised time, region and events). False (and
  // zeros) without an encoder.
  bool context_offset(const model::ServingContext& ctx, float* out) const;
  // The model's serving vector of an item from content alone (Δ = 0). `item` = its catalog id.
  void item_content_vector(int32_t item, const std::vector<float>& text_vector, const std::vector<int32_t>& tags,
                           float* out);
  // Event context code of feature f for `value` (0 = missing/unknown).
  int32_t event_context_code(size_t feature, const std::string& value) const;
  // Index of the event context feature called `name`, or -1.
  int event_context_feature(const std::string& name) const;
  // Code of `value` in categorical user feature f (0 = missing/unknown).
  int32_t user_categorical_code(size_t feature, const std::string& value) const;

 private:
  ServingState() = default;
  std::shared_ptr<const Snapshot> snapshot_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<model::Encoder> encoder_;
  std::unique_ptr<ContentEmbedder> embedder_;
  mutable RwLock encoder_mu_;  // encode/context_offset shared, set_item_content exclusive
  int context_quantum_s_ = 3600;
  mutable std::mutex offset_mu_;
  mutable std::unordered_map<std::string, std::vector<float>> offset_cache_;
  std::vector<std::unordered_map<std::string, int32_t>> event_context_codes_;
  std::vector<std::unordered_map<std::string, int32_t>> user_categorical_codes_;
  int64_t loaded_at_ = 0;
  double load_seconds_ = 0.0;
};

}  // namespace stars::serve
