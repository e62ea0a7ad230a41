// Helpers shared by the evaluation tests: temporary directories, tiny prepared datasets, a quick
// configuration, baseline-only evaluations and two
// torch-free stand-ins for a trained model (model::Encoder): an oracle that knows the tiny world's
// cyclic order, and a random-vector encoder for comparing the batched scorer with a naive reference.
#pragma once

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "stars/core/random.h"
#include "stars/data/dataset.h"
#include "stars/data/tiny_world.h"
#include "stars/eval/evaluation.h"
#include "stars/eval/results.h"
#include "stars/model/encoder.h"

namespace stars::eval::testing {

// Unique to this process: test programs of several checkouts may run at once.
inline std::string temp_dir(const std::string& name) {
  const std::string d = std::string(::testing::TempDir()) + "/stars_eval_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// The run of `protocol` in results (null when it did not run).
inline const RunResult* find_run(const EvalResults& r, const std::string& protocol) {
  for (const auto& run : r.runs)
    if (run.protocol == protocol) return &run;
  return nullptr;
}

// Fewer resamples and boosting rounds than the defaults: quick, still meaningful on the tiny world.
inline EvalConfig fast_config() {
  EvalConfig c;
  c.bootstrap_samples = 50;
  c.permutation_samples = 100;
  c.lambdamart.rounds = 20;
  return c;
}

// run_evaluation of `baselines` (no model) on `protocols`; the run of `protocol` is then find_run's.
inline EvalOutput evaluate_baselines(const data::Dataset& ds, const EvalConfig& config, std::vector<Protocol> protocols,
                                     std::vector<std::string> baselines, int threads = 2) {
  EvalRequest req;
  req.config = config;
  req.protocols = std::move(protocols);
  req.baselines = std::move(baselines);
  req.threads = threads;
  return run_evaluation(ds, req);
}

inline std::unique_ptr<data::Dataset> tiny_dataset(const std::string& name, data::TinyWorldOptions o = {}) {
  const std::string dir = temp_dir(name) + "/ds";
  data::make_tiny_world(dir, o);
  return data::Dataset::open(dir);
}

// Item vectors are one-hot; h_next is the one-hot of the item that follows the last history item in the
// tiny world's cyclic order (so it ranks every leave-one-out target first); h_gen is the one-hot of the
// last item itself (so it ranks the target low).
// Cold users: after set_cold_users(table), encodes_cold_users() is true and an input without events gets,
// as both vectors, the one-hot of the item its first static numeric feature (the tiny world's "age") maps
// to in the table; without a table (or for an unknown value) such an input gets zero vectors.
class OracleEncoder : public model::Encoder {
 public:
  OracleEncoder(int32_t n_items, int32_t items_per_group) : n_(n_items), per_group_(items_per_group) {}
  void set_cold_users(std::map<float, int32_t> item_of_feature) { cold_ = std::move(item_of_feature); }
  void set_cold_user_bias(std::vector<float> bias) { bias_ = std::move(bias); }
  bool encodes_cold_users() const override { return !cold_.empty(); }
  std::vector<float> cold_user_item_bias() const override { return bias_; }
  int dim() const override { return n_; }
  int32_t num_items() const override { return n_; }
  void encode(const model::EncoderInput* in, size_t n, float* h_gen, float* h_next) const override {
    std::fill(h_gen, h_gen + n * n_, 0.0f);
    std::fill(h_next, h_next + n * n_, 0.0f);
    for (size_t r = 0; r < n; ++r) {
      if (in[r].events.empty()) {
        const auto it = in[r].user_numeric.empty() ? cold_.end() : cold_.find(in[r].user_numeric[0]);
        if (it != cold_.end()) h_gen[r * n_ + it->second] = h_next[r * n_ + it->second] = 1.0f;
        continue;
      }
      const int32_t last = in[r].events.back().item;
      const int32_t g = last / per_group_, k = last % per_group_;
      h_next[r * n_ + g * per_group_ + (k + 1) % per_group_] = 1.0f;
      h_gen[r * n_ + last] = 1.0f;
    }
  }
  void item_vectors(float* out) const override {
    std::fill(out, out + static_cast<size_t>(n_) * n_, 0.0f);
    for (int32_t i = 0; i < n_; ++i) out[static_cast<size_t>(i) * n_ + i] = 1.0f;
  }
  int32_t set_item_content(int32_t item, const float*, const int32_t*, size_t, float* out) override {
    std::fill(out, out + n_, 0.0f);
    out[item] = 1.0f;
    return item;
  }
  void context_offset(const model::ServingContext&, float* out) const override { std::fill(out, out + n_, 0.0f); }

 private:
  int32_t n_, per_group_;
  std::map<float, int32_t> cold_;
  std::vector<float> bias_;
};

// Random item vectors; h_gen = mean of the history's item vectors, h_next = the last item's vector
// plus a user-independent drift.
class RandomEncoder : public model::Encoder {
 public:
  RandomEncoder(int32_t n_items, int dim, uint64_t seed) : n_(n_items), d_(dim), items_(static_cast<size_t>(n_items) * dim) {
    Rng rng(seed);
    for (auto& v : items_) v = static_cast<float>(rng.normal());
  }
  int dim() const override { return d_; }
  int32_t num_items() const override { return n_; }
  void encode(const model::EncoderInput* in, size_t n, float* h_gen, float* h_next) const override {
    for (size_t r = 0; r < n; ++r) {
      float* g = h_gen + r * d_;
      float* x = h_next + r * d_;
      std::fill(g, g + d_, 0.0f);
      for (int j = 0; j < d_; ++j) x[j] = 0.1f * static_cast<float>(j % 3);
      for (const auto& e : in[r].events)
        for (int j = 0; j < d_; ++j) g[j] += items_[static_cast<size_t>(e.item) * d_ + j] / in[r].events.size();
      if (!in[r].events.empty())
        for (int j = 0; j < d_; ++j) x[j] += items_[static_cast<size_t>(in[r].events.back().item) * d_ + j];
    }
  }
  void item_vectors(float* out) const override { std::copy(items_.begin(), items_.end(), out); }
  int32_t set_item_content(int32_t, const float*, const int32_t*, size_t, float*) override {
    STARS_THROW(kUnavailable, "random encoder has no content path");
  }
  void context_offset(const model::ServingContext&, float* out) const override { std::fill(out, out + d_, 0.0f); }
  const std::vector<float>& items() const { return items_; }

 private:
  int32_t n_;
  int d_;
  std::vector<float> items_;
};

}  // namespace stars::eval::testing
