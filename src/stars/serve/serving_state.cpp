#include "stars/serve/serving_state.h"

#include <algorithm>
#include <ctime>
#include <shared_mutex>

#include "stars/core/error.h"
#include "stars/core/log.h"

namespace stars::serve {

std::shared_ptr<ServingState> ServingState::load(const std::string& dir, const StateOptions& options,
                                                 const EncoderLoader& encoder_loader,
                                                 const ContentEmbedderLoader& embedder_loader) {
  Timer t;
  std::shared_ptr<ServingState> s(new ServingState());
  s->context_quantum_s_ = std::max(1, options.context_quantum_s);
  s->snapshot_ = Snapshot::open(dir, options.verify_checksums);
  const Snapshot& snap = *s->snapshot_;
  s->catalog_ = std::make_unique<Catalog>(snap, options.index);
  if (snap.manifest().has_model) {
    if (!encoder_loader) {
      STARS_WARN("snapshot " << dir << " has a model but this build cannot load it: live sessions, context offsets "
                                       "and new items from text are off");
    } else {
      try {
        s->encoder_ = encoder_loader(snap.model_dir());
      } catch (const Error& e) {
        throw e.with_context("loading the model of snapshot " + dir);
      }
      STARS_CHECK_DATA(s->encoder_->dim() == snap.dim(), dir << ": the model's dimension " << s->encoder_->dim()
                                                             << " differs from the snapshot's " << snap.dim());
      STARS_CHECK_DATA(s->encoder_->num_items() >= snap.num_items(),
                       dir << ": the model knows " << s->encoder_->num_items() << " items, the snapshot has "
                           << snap.num_items());
      if (s->encoder_->encodes_cold_users()) {
        // The catalog ranks cold users with the model's prior (Catalog::set_cold_user_bias). Items added after
        // training get its smallest value: no training user took them first.
        const std::vector<float> prior = s->encoder_->cold_user_item_bias();
        if (!prior.empty()) s->catalog_->set_cold_user_bias(prior, *std::min_element(prior.begin(), prior.end()));
      }
    }
  }
  if (snap.manifest().has_semantics && embedder_loader) {
    try {
      s->embedder_ = embedder_loader(snap.semantics_dir());
    } catch (const Error& e) {
      // The service still works; new items then need a text_vector.
      STARS_WARN("snapshot " << dir << ": text embedder not available (" << e.what()
                             << "); PUT /v1/items needs 'text_vector'");
    }
  }
  auto codes = [](const NamedVocab& v) {
    std::unordered_map<std::string, int32_t> m;
    for (size_t i = 1; i < v.values.size(); ++i) m.emplace(v.values[i], static_cast<int32_t>(i));
    return m;
  };
  for (const auto& v : snap.event_context_vocabs()) s->event_context_codes_.push_back(codes(v));
  for (const auto& v : snap.user_categorical_vocabs()) s->user_categorical_codes_.push_back(codes(v));
  s->loaded_at_ = static_cast<int64_t>(std::time(nullptr));
  s->load_seconds_ = t.seconds();
  return s;
}

void ServingState::encode(const model::EncoderInput& input, float* h_gen, float* h_next) const {
  STARS_CHECK(encoder_, "encode() without an encoder");
  std::shared_lock<RwLock> lock(encoder_mu_);
  encoder_->encode(&input, 1, h_gen, h_next);
}

bool ServingState::context_offset(const model::ServingContext& ctx, float* out) const {
  const int D = snapshot_->dim();
  if (!encoder_) {
    std::fill(out, out + D, 0.0f);
    return false;
  }
  model::ServingContext q = ctx;
  q.ts = ctx.ts - ((ctx.ts % context_quantum_s_) + context_quantum_s_) % context_quantum_s_;
  std::string key = std::to_string(q.ts) + "|" + std::to_string(q.region);
  for (int32_t e : q.calendar_events) key += "|" + std::to_string(e);
  {
    std::lock_guard<std::mutex> lock(offset_mu_);
    auto it = offset_cache_.find(key);
    if (it != offset_cache_.end()) {
      std::copy(it->second.begin(), it->second.end(), out);
      return true;
    }
  }
  std::vector<float> v(D);
  {
    std::shared_lock<RwLock> lock(encoder_mu_);
    encoder_->context_offset(q, v.data());
  }
  std::copy(v.begin(), v.end(), out);
  std::lock_guard<std::mutex> lock(offset_mu_);
  if (offset_cache_.size() >= 4096) offset_cache_.clear();  // bounded: contexts repeat within minutes
  offset_cache_.emplace(std::move(key), std::move(v));
  return true;
}

void ServingState::item_content_vector(int32_t item, const std::vector<float>& text_vector,
                                       const std::vector<int32_t>& tags, float* out) {
  STARS_CHECK(encoder_, "item_content_vector() without an encoder");
  std::unique_lock<RwLock> lock(encoder_mu_);
  const int32_t id = encoder_->set_item_content(item, text_vector.data(), tags.data(), tags.size(), out);
  STARS_CHECK(id == item, "the encoder gave item id " << id << " to catalog item " << item);
}

namespace {
// The code of `value` in vocabulary `feature` of `codes`; 0 (missing) when either is unknown.
int32_t code_of(const std::vector<std::unordered_map<std::string, int32_t>>& codes, size_t feature, const std::string& value) {
  if (feature >= codes.size()) return 0;
  auto it = codes[feature].find(value);
  return it == codes[feature].end() ? 0 : it->second;
}
}  // namespace

int32_t ServingState::event_context_code(size_t feature, const std::string& value) const {
  return code_of(event_context_codes_, feature, value);
}

int32_t ServingState::user_categorical_code(size_t feature, const std::string& value) const {
  return code_of(user_categorical_codes_, feature, value);
}

int ServingState::event_context_feature(const std::string& name) const {
  const auto& v = snapshot_->event_context_vocabs();
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace stars::serve
