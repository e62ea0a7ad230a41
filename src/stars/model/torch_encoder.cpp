// load_encoder: the torch-free Encoder interface (encoder.h) implemented with the trained StarsNet on CPU.
// Item serving vectors are computed once at load and cached; items added later get content-only vectors
// (Δ = 0). Serving scores are plain inner products (h + o_ctx) · e_k: the popularity prior b_k is a training
// device only, so nothing needs folding into the vectors and dim() = d_model.
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/model/compute_threads.h"
#include "stars/model/encoder.h"
#include "stars/model/stars_net.h"

namespace stars::model {

namespace {

class TorchEncoder final : public Encoder {
 public:
  TorchEncoder(const std::string& dir, int threads) : files_(load_model_files(dir)) {
    if (threads > 0) set_compute_threads(threads);
    net_ = std::make_unique<StarsNet>(files_.config, files_.schema, files_.content, 0);
    net_->load_state(files_.weights);
    net_->set_training(false);
    featurizer_ = std::make_unique<BatchFeaturizer>(net_->config(), files_.schema, &files_.calendar);
    torch::NoGradGuard ng;
    table_ = net_->all_item_vectors().contiguous().clone();
    num_items_ = static_cast<int32_t>(table_.size(0));
    // Models written before the cold-user loss existed record no weight (and have no head): no cold-user vectors.
    const JsonObject train = JsonObject::parse(files_.train_config_json, model_config_path(dir) + " (train)");
    double cold_weight = 0.0;
    if (train.has("cold_user_weight")) train.get("cold_user_weight", cold_weight, model_config_path(dir) + ".train");
    cold_users_ = net_->trains_cold_users(cold_weight);
    const at::Tensor prior = net_->cold_user_prior();
    if (cold_users_ && prior.defined()) {
      const at::Tensor p = prior.to(torch::kCPU).contiguous();
      cold_bias_.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    }
  }

  std::vector<float> cold_user_item_bias() const override { return cold_bias_; }

  bool encodes_cold_users() const override { return cold_users_; }

  int dim() const override { return net_->serving_dim(); }
  int32_t num_items() const override {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return num_items_;
  }

  void encode(const EncoderInput* inputs, size_t n, float* h_gen, float* h_next) const override {
    if (n == 0) return;
    const int32_t max_len = net_->config().max_len;
    const int S = dim();
    torch::NoGradGuard ng;
    std::shared_lock<std::shared_mutex> lock(mu_);
    const size_t chunk = 512;
    for (size_t s0 = 0; s0 < n; s0 += chunk) {
      const size_t m = std::min(chunk, n - s0);
      int32_t T = 1;  // the chunk's longest history, at most max_len
      for (size_t r = 0; r < m; ++r) T = std::max<int32_t>(T, static_cast<int32_t>(std::min<size_t>(inputs[s0 + r].events.size(), max_len)));
      TokenBatch b;
      featurizer_->begin(&b, static_cast<int32_t>(m), T);
      for (size_t r = 0; r < m; ++r) {
        const EncoderInput& in = inputs[s0 + r];
        const auto& fs = files_.schema;
        STARS_CHECK_ARG(in.user_numeric.empty() || static_cast<int>(in.user_numeric.size()) == fs.num_user_numeric(),
                        "encode: " << in.user_numeric.size() << " numeric user features, the model has " << fs.num_user_numeric());
        STARS_CHECK_ARG(in.user_categorical.empty() || static_cast<int>(in.user_categorical.size()) == fs.num_user_categorical(),
                        "encode: " << in.user_categorical.size() << " categorical user features, the model has "
                                   << fs.num_user_categorical());
        featurizer_->set_user(&b, static_cast<int32_t>(r), in.user_numeric.empty() ? nullptr : in.user_numeric.data(),
                              in.user_categorical.empty() ? nullptr : in.user_categorical.data());
        const size_t ne = in.events.size(), take = std::min<size_t>(ne, T);
        const int64_t now = in.now != 0 ? in.now : (ne ? in.events.back().ts : 0);
        for (size_t j = 0; j < take; ++j) {
          const HistoryEvent& e = in.events[ne - take + j];
          STARS_CHECK_ARG(e.item >= 0 && e.item < num_items_, "encode: item id " << e.item << " outside [0, " << num_items_ << ")");
          const int32_t t = T - static_cast<int32_t>(take) + static_cast<int32_t>(j);
          EventView v{e.item, e.ts, e.type, e.region, e.context.empty() ? nullptr : e.context.data(), static_cast<int>(e.context.size())};
          // Recency: to the next event, or to the request time for the last one (as in training).
          featurizer_->set_slot(&b, static_cast<int32_t>(r), t, v, j + 1 < take ? in.events[ne - take + j + 1].ts : now);
          b.item_local[r * T + t] = e.item;  // uniq empty: local ids are global ids into the cached table
        }
      }
      featurizer_->finish(&b);
      const BatchTensors bt = net_->make_tensors(b);
      const NetOutputs o = net_->forward(bt, &table_);
      // Inputs without events (cold users): both vectors from the static features alone.
      std::vector<int64_t> no_events;
      if (cold_users_)
        for (size_t r = 0; r < m; ++r)
          if (inputs[s0 + r].events.empty()) no_events.push_back(static_cast<int64_t>(r));
      const auto [g, nx] = final_user_vectors(o, no_events);
      const at::Tensor hn = nx.contiguous(), hg = g.contiguous();  // (m, S)
      std::memcpy(h_next + s0 * S, hn.data_ptr<float>(), m * S * sizeof(float));
      std::memcpy(h_gen + s0 * S, hg.data_ptr<float>(), m * S * sizeof(float));
    }
  }

  void item_vectors(float* out) const override {
    std::shared_lock<std::shared_mutex> lock(mu_);
    std::memcpy(out, table_.data_ptr<float>(), static_cast<size_t>(table_.numel()) * sizeof(float));
  }

  int32_t set_item_content(int32_t item, const float* text_vector, const int32_t* tags, size_t n_tags, float* out) override {
    torch::NoGradGuard ng;
    const auto& c = files_.content;
    at::Tensor text, tag_mat;
    if (net_->config().use_text) {
      STARS_CHECK_ARG(text_vector != nullptr, "set_item_content: the model needs a text vector of size " << c.text_dim);
      text = torch::from_blob(const_cast<float*>(text_vector), {1, c.text_dim}, torch::kFloat32).clone();
    }
    if (net_->config().use_tags) {
      const int slots = net_->tag_slots();
      std::vector<int64_t> m(slots, files_.schema.num_tags);
      for (size_t i = 0; i < n_tags; ++i) {
        STARS_CHECK_ARG(tags[i] >= 0 && tags[i] < files_.schema.num_tags,
                        "set_item_content: tag id " << tags[i] << " outside the model's vocabulary of " << files_.schema.num_tags);
        if (static_cast<int>(i) < slots) m[i] = tags[i];
      }
      tag_mat = torch::from_blob(m.data(), {1, slots}, torch::kInt64).clone();
    }
    const at::Tensor v = net_->content_item_vectors(text, tag_mat).contiguous();  // (1, S)
    std::unique_lock<std::shared_mutex> lock(mu_);
    int32_t id = item;
    if (item < 0 || item >= num_items_) {
      id = num_items_;
      table_ = at::cat({table_, v}, 0).contiguous();
      ++num_items_;
    } else {
      table_[item].copy_(v[0]);
    }
    std::memcpy(out, v.data_ptr<float>(), static_cast<size_t>(dim()) * sizeof(float));
    return id;
  }

  void context_offset(const ServingContext& ctx, float* out) const override {
    torch::NoGradGuard ng;
    const TimeParts p = files_.schema.has_time ? time_parts(ctx.ts) : TimeParts{};
    const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
    const int32_t region = (ctx.region > 0 && ctx.region < files_.schema.num_regions) ? ctx.region : 0;
    std::vector<int64_t> cal;
    for (int32_t e : ctx.calendar_events)
      if (e >= 0 && e < files_.schema.num_calendar_events) cal.push_back(e);
    const at::Tensor cal_ids = torch::tensor(cal, i64);
    const at::Tensor o = net_->context_offset(torch::full({1}, p.hour, i64), torch::full({1}, p.dow, i64),
                                              torch::full({1}, p.week, i64), torch::full({1}, region, i64), cal_ids,
                                              torch::zeros({1}, i64))
                             .contiguous();
    std::memcpy(out, o.data_ptr<float>(), static_cast<size_t>(dim()) * sizeof(float));
  }

 private:
  ModelFiles files_;
  std::unique_ptr<StarsNet> net_;
  std::unique_ptr<BatchFeaturizer> featurizer_;
  bool cold_users_ = false;
  std::vector<float> cold_bias_;  // the model's cold-user prior over its trained items, or empty
  mutable std::shared_mutex mu_;
  at::Tensor table_;  // (num_items_, S) cached item serving vectors
  int32_t num_items_ = 0;
};

}  // namespace

std::unique_ptr<Encoder> load_encoder(const std::string& model_dir, int threads) {
  try {
    return std::make_unique<TorchEncoder>(model_dir, threads);
  } catch (const Error& e) {
    throw e.with_context("loading model " + model_dir);
  }
}

}  // namespace stars::model
