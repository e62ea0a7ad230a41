// Scores a trained STARS model (or its ID-only / ablation variants) through the torch-free
// model::Encoder interface: each query's history is encoded into h_gen and h_next (paper §4.3, dual
// pooling) and every item is scored by inner product with its serving vector (pure MIPS, batched as
// one matrix product per block). Two lists, h_gen and h_next; the harness adds their interleave.
// For the cold-item protocol, cold items get their content-path vector (text + tags, Δ = 0) from
// Encoder::set_item_content, as a never-seen item would in serving. The request's context offset o_t
// (time of the target, its region and calendar events) is added to both user vectors, as in serving.
// For the cold-user protocol (empty histories) the encoder gets the user's static features without events;
// a model that does not encode cold users (Encoder::encodes_cold_users() false) would return vectors
// without information there, so its cold-user queries are ranked by training popularity instead (both
// lists; a warning says so), and the model scores exactly like the popularity baseline. Torch-free: the
// model module implements the Encoder; this file only calls it.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "stars/data/dataset.h"
#include "stars/eval/scorer.h"
#include "stars/model/encoder.h"
#include "stars/semantics/item_semantics.h"

namespace stars::eval {

// Builds the encoder input of a query: static user features and the history events with their context;
// the request time ("now") is the target's time. At most `max_events` most recent events are kept (the
// encoder truncates to its own length anyway).
model::EncoderInput encoder_input(const data::Dataset& ds, const Query& q, size_t max_events = 1024);
// The request context of a query (paper §4.4): the target's time, the region of the target event and the
// calendar events active that day.
model::ServingContext request_context(const data::Dataset& ds, const Query& q);

class EncoderScorer : public Scorer {
 public:
  // `semantics` (may be null) enables content-path vectors of cold items in the cold protocol.
  EncoderScorer(const data::Dataset& ds, model::Encoder& encoder, std::string name,
                const semantics::ItemSemantics* semantics, int threads);
  std::string name() const override { return name_; }
  std::string kind() const override { return "encoder"; }
  std::vector<std::string> lists() const override { return {"h_gen", "h_next"}; }
  void prepare(const QuerySet& qs) override;
  void score(const QuerySet& qs, size_t first, size_t n, float* const* out) const override;
  // Items whose vector came from the content path in the last prepare() (cold protocol).
  int64_t content_path_items() const { return content_items_; }
  double encode_seconds() const { return encode_seconds_; }

 private:
  const data::Dataset& ds_;
  model::Encoder& encoder_;
  std::string name_;
  const semantics::ItemSemantics* semantics_;
  int threads_;
  int dim_ = 0;
  std::vector<float> base_items_;  // (num_items, dim) as trained
  std::vector<float> cold_bias_;   // (num_items) the cold-user prior added for inputs without events, or empty
  std::vector<float> items_;       // vectors used by the current protocol
  int64_t content_items_ = 0;
  std::vector<float> popularity_;  // (num_items) when the current protocol's queries rank by popularity, else empty
  mutable double encode_seconds_ = 0;
  mutable bool use_context_ = true;  // off after the model reported it has no context offset
  mutable std::unordered_map<int64_t, std::vector<float>> context_cache_;  // (day, hour, region) -> o_t
};

}  // namespace stars::eval
