// The one narrow, torch-free interface through which export and the online service use a trained STARS
// model (paper §4.1-4.4): encode user histories into h_gen / h_next, give item serving vectors (also for
// items added after training, from their text vector and tags with Δ = 0), and the context offset
// o_t = W_ctx [e_time(t); e_ctx(t)] that shifts a user vector at request time.
// Implemented with LibTorch inside the model module (load_encoder); callers never include torch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stars::model {

// One past event of a user, as the model sees it.
struct HistoryEvent {
  int32_t item = -1;        // dense item id (may be an item added with add_item)
  int64_t ts = 0;           // unix seconds (or ordinal position when the data has no time)
  uint8_t type = 0;         // data::EventType
  int32_t region = 0;       // region code, 0 = none
  std::vector<int32_t> context;  // event context codes (dataset order), may be empty
};

struct EncoderInput {
  std::vector<float> user_numeric;        // static numeric features (dataset order), NaN = missing; may be empty
  std::vector<int32_t> user_categorical;  // static categorical codes (dataset order), 0 = missing; may be empty
  std::vector<HistoryEvent> events;       // oldest first; the encoder keeps the most recent max_len
  int64_t now = 0;                        // request time: recency of the last event (earlier events: gap to the next); 0 = time of the last event
};

// The request-time context of paper §4.4.
struct ServingContext {
  int64_t ts = 0;                       // unix seconds: hour, day of week, time of year
  int32_t region = 0;                   // region code, 0 = none
  std::vector<int32_t> calendar_events; // active calendar event/promotion ids (dataset vocabulary)
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  // Serving dimension of h_gen, h_next and item vectors.
  virtual int dim() const = 0;
  virtual int32_t num_items() const = 0;
  // Encodes n inputs: writes h_gen (n, dim) and h_next (n, dim). Thread-safe. An input without events is a
  // cold user: when encodes_cold_users(), both vectors are the cold-user vector of its static features
  // (the model's cold-user head over the [USER] token); otherwise its vectors carry no information.
  virtual void encode(const EncoderInput* inputs, size_t n, float* h_gen, float* h_next) const = 0;
  // Whether an input without events gets a trained vector from its static features alone: the model has the
  // [USER] token and was trained with the cold-user loss (train.cold_user_weight > 0).
  virtual bool encodes_cold_users() const { return false; }
  // With encodes_cold_users(): a fixed score per trained item that ranking adds to the cold-user vector's
  // inner products (the log share of users whose first event is the item, train.cold_user_prior), over the
  // trained items only (the service gives items added later its smallest value). Empty when the model has none.
  virtual std::vector<float> cold_user_item_bias() const { return {}; }
  // Serving vectors of items [0, num_items()): (num_items, dim).
  virtual void item_vectors(float* out) const = 0;
  // Adds (or replaces, when item < num_items()) an item from its content alone: text vector (size of the
  // semantics dimension) and tag ids; Δ = 0. Returns its dense id; writes its serving vector to `out` (dim).
  virtual int32_t set_item_content(int32_t item, const float* text_vector, const int32_t* tags, size_t n_tags,
                                   float* out) = 0;
  // Context offset o_t (dim) to add to a user vector at request time.
  virtual void context_offset(const ServingContext& ctx, float* out) const = 0;
};

// Loads a trained model directory written by `stars train` for inference on CPU with `threads` threads.
std::unique_ptr<Encoder> load_encoder(const std::string& model_dir, int threads = 1);

}  // namespace stars::model
