#include "stars/eval/encoder_scorer.h"

#include <algorithm>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/time.h"
#include "stars/eval/mips.h"
#include "stars/eval/popularity.h"

namespace stars::eval {

model::EncoderInput encoder_input(const data::Dataset& ds, const Query& q, size_t max_events) {
  model::EncoderInput in;
  for (size_t f = 0; f < ds.user_numeric_names().size(); ++f) in.user_numeric.push_back(ds.user_numeric(f)[q.user]);
  for (size_t f = 0; f < ds.user_categorical_features().size(); ++f)
    in.user_categorical.push_back(ds.user_categorical(f)[q.user]);
  const auto ev = ds.user_events(q.user);
  const uint64_t base = ds.user_offsets()[q.user];
  const uint64_t begin = std::max<uint64_t>(q.hist_begin, q.hist_end > max_events ? q.hist_end - max_events : 0);
  const size_t n_ctx = ds.event_context_features().size();
  in.events.reserve(q.hist_end - begin);
  for (uint64_t k = begin; k < q.hist_end; ++k) {
    const size_t j = k - base;
    model::HistoryEvent e;
    e.item = ev.items[j];
    e.ts = ev.ts[j];
    e.type = ev.types.empty() ? 0 : ev.types[j];
    e.region = ev.regions.empty() ? 0 : ev.regions[j];
    if (n_ctx) {
      e.context.resize(n_ctx);
      for (size_t f = 0; f < n_ctx; ++f) e.context[f] = ds.event_context(f)[k];
    }
    in.events.push_back(std::move(e));
  }
  // The request time is when the target happened (a recommender knows the clock when it is asked; it does
  // not know what the user will do): recency features count up to it, as in training and serving.
  in.now = q.ts;
  return in;
}

model::ServingContext request_context(const data::Dataset& ds, const Query& q) {
  model::ServingContext ctx;
  ctx.ts = q.ts;
  const uint64_t base = ds.user_offsets()[q.user];
  const auto ev = ds.user_events(q.user);
  const uint64_t k = q.hist_end;  // the target event (session protocol: the session's first event)
  if (!ev.regions.empty() && k - base < ev.regions.size()) ctx.region = ev.regions[k - base];
  if (ds.info().has_time) ctx.calendar_events = ds.active_calendar_events(day_of(q.ts), ctx.region);
  return ctx;
}

EncoderScorer::EncoderScorer(const data::Dataset& ds, model::Encoder& encoder, std::string name,
                             const semantics::ItemSemantics* semantics, int threads)
    : ds_(ds), encoder_(encoder), name_(std::move(name)), semantics_(semantics), threads_(threads) {
  STARS_CHECK_ARG(encoder_.num_items() >= ds_.num_items(),
                  "model " << name_ << " knows " << encoder_.num_items() << " items but the dataset has "
                           << ds_.num_items() << ": was it trained on this dataset?");
  dim_ = encoder_.dim();
  STARS_CHECK_ARG(dim_ > 0, "model " << name_ << " reports serving dimension " << dim_);
  std::vector<float> all(static_cast<size_t>(encoder_.num_items()) * dim_);
  encoder_.item_vectors(all.data());
  base_items_.assign(all.begin(), all.begin() + static_cast<size_t>(ds_.num_items()) * dim_);
  if (encoder_.encodes_cold_users()) {
    cold_bias_ = encoder_.cold_user_item_bias();
    if (!cold_bias_.empty()) cold_bias_.resize(static_cast<size_t>(ds_.num_items()));
  }
}

void EncoderScorer::prepare(const QuerySet& qs) {
  items_ = base_items_;
  content_items_ = 0;
  popularity_.clear();
  if (qs.protocol == Protocol::kColdUser && !encoder_.encodes_cold_users()) {
    STARS_WARN("eval " << name_ << ": the model does not encode cold users (Encoder::encodes_cold_users() is false: "
                          "no cold-user training); its cold_user queries are ranked by training popularity");
    popularity_ = item_popularity(ds_, qs.train_mask);
  }
  if (qs.protocol != Protocol::kColdItem) return;
  if (semantics_ == nullptr || semantics_->num_items != ds_.num_items()) {
    STARS_WARN("eval " << name_ << ": no item semantics for this dataset; cold items keep their trained vectors");
    return;
  }
  std::vector<float> v(dim_);
  try {
    for (int32_t i = 0; i < ds_.num_items(); ++i) {
      if (!ds_.item_is_cold(i)) continue;
      const auto tags = semantics_->tags(i);
      encoder_.set_item_content(i, semantics_->vector(i).data(), tags.data(), tags.size(), v.data());
      std::copy(v.begin(), v.end(), items_.begin() + static_cast<size_t>(i) * dim_);
      ++content_items_;
    }
  } catch (const std::exception& e) {  // stars::Error, or a LibTorch error of a model without content features
    const std::string what = e.what();
    STARS_WARN("eval " << name_ << ": the model has no content path for new items ("
                       << what.substr(0, what.find('\n')) << "); cold items keep their trained vectors");
    items_ = base_items_;
    content_items_ = 0;
  }
}

void EncoderScorer::score(const QuerySet& qs, size_t first, size_t n, float* const* out) const {
  const size_t n_items = static_cast<size_t>(ds_.num_items());
  if (!popularity_.empty()) {  // cold-user queries of a model without cold-user vectors (see prepare)
    for (size_t r = 0; r < n; ++r)
      for (size_t l = 0; l < 2; ++l) std::copy(popularity_.begin(), popularity_.end(), out[l] + r * n_items);
    return;
  }
  Timer timer;
  std::vector<model::EncoderInput> inputs(n);
  for (size_t r = 0; r < n; ++r) inputs[r] = encoder_input(ds_, qs.queries[first + r]);
  std::vector<float> h_gen(n * dim_), h_next(n * dim_);
  encoder_.encode(inputs.data(), n, h_gen.data(), h_next.data());
  // Context offset o_t of the request (paper §4.4), added to both user vectors as serving does.
  if (use_context_) {
    for (size_t r = 0; r < n; ++r) {
      const model::ServingContext ctx = request_context(ds_, qs.queries[first + r]);
      const int64_t key = ds_.info().has_time ? (day_of(ctx.ts) * 24 + hour_of_day(ctx.ts)) * 65536 + ctx.region
                                              : ctx.region;
      auto it = context_cache_.find(key);
      if (it == context_cache_.end()) {
        std::vector<float> o(dim_, 0.0f);
        try {
          encoder_.context_offset(ctx, o.data());
        } catch (const std::exception& e) {
          STARS_WARN("eval " << name_ << ": no context offset (" << e.what() << "); user vectors are used as encoded");
          use_context_ = false;
          break;
        }
        it = context_cache_.emplace(key, std::move(o)).first;
      }
      for (int j = 0; j < dim_; ++j) {
        h_gen[r * dim_ + j] += it->second[j];
        h_next[r * dim_ + j] += it->second[j];
      }
    }
  }
  encode_seconds_ += timer.seconds();
  inner_product_scores(h_gen.data(), n, items_.data(), n_items, dim_, out[0]);
  inner_product_scores(h_next.data(), n, items_.data(), n_items, dim_, out[1]);
  // Cold users (inputs without events) are ranked with the model's cold-user prior, as in training.
  if (!cold_bias_.empty())
    for (size_t r = 0; r < n; ++r)
      if (inputs[r].events.empty())
        for (size_t l = 0; l < 2; ++l) {
          float* row = out[l] + r * n_items;
          for (size_t i = 0; i < n_items; ++i) row[i] += cold_bias_[i];
        }
}

}  // namespace stars::eval
