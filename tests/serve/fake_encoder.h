// A deterministic stand-in for the trained model behind model::Encoder (the real one needs LibTorch):
// item vectors are seeded random unit vectors; h_next is the vector of the last event's item, h_gen the
// mean over the history, so a live event visibly moves h_next; a cold user (no events) gets, when
// encodes_cold_users(), the vector of item cold_item(static features) in both, so a test can tell the
// features were used; a new item's vector is a fixed function of its text vector; the context offset
// depends on the region. Counts its calls and can log its inputs.
#pragma once

#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "stars/core/random.h"
#include "stars/model/encoder.h"

namespace stars::serve::testing {

// Every input the encoder was given, in order (shared between a test and the encoder the service loads).
struct EncoderInputLog {
  std::mutex mu;
  std::vector<model::EncoderInput> inputs;
};

struct FakeEncoderOptions {
  bool cold_users = false;               // what encodes_cold_users() answers
  std::shared_ptr<EncoderInputLog> log;  // when set, encode() appends its inputs
  std::vector<float> cold_bias;          // what cold_user_item_bias() answers
};

class FakeEncoder final : public model::Encoder {
 public:
  FakeEncoder(int dim, int32_t num_items, int text_dim = 8, uint64_t seed = 5, FakeEncoderOptions options = {})
      : dim_(dim), text_dim_(text_dim), items_(static_cast<size_t>(num_items) * dim), options_(std::move(options)) {
    Rng rng(seed);
    for (int32_t i = 0; i < num_items; ++i) {
      double norm = 0;
      float* v = items_.data() + static_cast<size_t>(i) * dim;
      for (int d = 0; d < dim; ++d) {
        v[d] = static_cast<float>(rng.normal());
        norm += static_cast<double>(v[d]) * v[d];
      }
      for (int d = 0; d < dim; ++d) v[d] /= static_cast<float>(std::sqrt(norm));
    }
  }
  int dim() const override { return dim_; }
  int32_t num_items() const override { return static_cast<int32_t>(items_.size() / dim_); }
  // The item whose vector is the cold-user vector of these static features: (7 * sum of categorical codes
  // + sum of the integer parts of the numeric values present) mod the items the encoder started with.
  static int32_t cold_item(const model::EncoderInput& in, int32_t num_items) {
    int64_t key = 0;
    for (int32_t c : in.user_categorical) key += 7 * c;
    for (float v : in.user_numeric)
      if (std::isfinite(v)) key += static_cast<int64_t>(std::floor(v));
    return static_cast<int32_t>(((key % num_items) + num_items) % num_items);
  }
  bool encodes_cold_users() const override { return options_.cold_users; }
  std::vector<float> cold_user_item_bias() const override { return options_.cold_bias; }
  void encode(const model::EncoderInput* inputs, size_t n, float* h_gen, float* h_next) const override {
    encode_calls += static_cast<int>(n);
    if (options_.log) {
      std::lock_guard<std::mutex> lock(options_.log->mu);
      options_.log->inputs.insert(options_.log->inputs.end(), inputs, inputs + n);
    }
    for (size_t b = 0; b < n; ++b) {
      float* g = h_gen + b * dim_;
      float* x = h_next + b * dim_;
      std::fill(g, g + dim_, 0.0f);
      std::fill(x, x + dim_, 0.0f);
      const auto& ev = inputs[b].events;
      if (ev.empty() && options_.cold_users) {
        const float* v = items_.data() + static_cast<size_t>(cold_item(inputs[b], initial_items_)) * dim_;
        std::memcpy(g, v, sizeof(float) * dim_);
        std::memcpy(x, v, sizeof(float) * dim_);
        continue;
      }
      for (const auto& e : ev) {
        const float* v = items_.data() + static_cast<size_t>(e.item) * dim_;
        for (int d = 0; d < dim_; ++d) g[d] += v[d] / static_cast<float>(ev.size());
      }
      if (!ev.empty()) std::memcpy(x, items_.data() + static_cast<size_t>(ev.back().item) * dim_, sizeof(float) * dim_);
    }
  }
  void item_vectors(float* out) const override { std::memcpy(out, items_.data(), items_.size() * sizeof(float)); }
  int32_t set_item_content(int32_t item, const float* text, const int32_t* tags, size_t n_tags, float* out) override {
    std::vector<float> v(dim_);
    for (int d = 0; d < dim_; ++d) v[d] = text[d % text_dim_] * (1.0f + 0.01f * static_cast<float>(n_tags));
    if (item >= num_items()) {
      item = num_items();
      items_.insert(items_.end(), v.begin(), v.end());
    } else {
      std::copy(v.begin(), v.end(), items_.begin() + static_cast<size_t>(item) * dim_);
    }
    std::copy(v.begin(), v.end(), out);
    return item;
  }
  void context_offset(const model::ServingContext& ctx, float* out) const override {
    offset_calls++;
    std::fill(out, out + dim_, 0.0f);
    out[0] = 0.001f * static_cast<float>(ctx.region + 1 + static_cast<int>(ctx.calendar_events.size()));
  }

  mutable std::atomic<int> encode_calls{0};
  mutable std::atomic<int> offset_calls{0};

 private:
  int dim_, text_dim_;
  std::vector<float> items_;
  int32_t initial_items_ = static_cast<int32_t>(items_.size() / dim_);
  FakeEncoderOptions options_;
};

}  // namespace stars::serve::testing
