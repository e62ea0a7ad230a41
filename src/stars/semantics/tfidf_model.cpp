#include "stars/semantics/tfidf_model.h"

#include <algorithm>
#include <cmath>

#include "stars/core/error.h"
#include "stars/core/thread_pool.h"
#include "stars/semantics/detail/key_counter.h"

namespace stars::semantics {

TfidfModel::TfidfModel(std::vector<uint64_t> keys, std::vector<float> idf, const LsaConfig& config)
    : config_(config), keys_(std::move(keys)), idf_(std::move(idf)) {
  STARS_CHECK_DATA(keys_.size() == idf_.size(), "tf-idf model: " << keys_.size() << " keys but " << idf_.size() << " idf values");
  build_index();
}

TfidfModel TfidfModel::fit(size_t n_items, const FeatureFn& features, const LsaConfig& config, int threads) {
  threads = std::max(1, threads);
  // Document frequencies: one counter per worker over a contiguous range of items, then merged.
  std::vector<detail::KeyCounter> counters(threads);
  parallel_for(static_cast<size_t>(threads), threads, [&](size_t wb, size_t we) {
    std::vector<FeatureCount> f;
    for (size_t w = wb; w < we; ++w) {
      const size_t begin = n_items * w / threads, end = n_items * (w + 1) / threads;
      for (size_t i = begin; i < end; ++i) {
        features(i, static_cast<int>(w), &f);
        for (const auto& fc : f) counters[w].add(fc.key);
      }
    }
  });
  for (int w = 1; w < threads; ++w) counters[0].merge(counters[w]);

  std::vector<std::pair<uint64_t, uint32_t>> kept;
  const double max_df = config.max_df * static_cast<double>(n_items);
  counters[0].for_each([&](uint64_t key, uint32_t df) {
    if (df >= static_cast<uint32_t>(config.min_df) && df <= max_df) kept.emplace_back(key, df);
  });
  // Columns in order of falling document frequency: the rows of the dense factors that sparse products
  // touch most often sit together in memory.
  auto by_df = [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; };
  std::sort(kept.begin(), kept.end(), by_df);
  if (kept.size() > static_cast<size_t>(config.max_features)) kept.resize(config.max_features);
  std::vector<uint64_t> keys(kept.size());
  std::vector<float> idf(kept.size());
  const double n = static_cast<double>(n_items);
  for (size_t i = 0; i < kept.size(); ++i) {
    keys[i] = kept[i].first;
    idf[i] = static_cast<float>(std::log((1.0 + n) / (1.0 + kept[i].second)) + 1.0);
  }
  return TfidfModel(std::move(keys), std::move(idf), config);
}

void TfidfModel::build_index() {
  size_t buckets = 16;
  while (buckets < keys_.size() * 2) buckets <<= 1;
  slots_.assign(buckets, -1);
  mask_ = buckets - 1;
  for (size_t c = 0; c < keys_.size(); ++c) {
    size_t b = static_cast<size_t>((keys_[c] * 0x9E3779B97F4A7C15ULL) >> 20) & mask_;
    while (slots_[b] != -1) {
      STARS_CHECK_DATA(keys_[slots_[b]] != keys_[c], "tf-idf model: feature key " << keys_[c] << " appears twice");
      b = (b + 1) & mask_;
    }
    slots_[b] = static_cast<int32_t>(c);
  }
}

int32_t TfidfModel::column(uint64_t key) const {
  size_t b = static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> 20) & mask_;
  while (slots_[b] != -1) {
    if (keys_[slots_[b]] == key) return slots_[b];
    b = (b + 1) & mask_;
  }
  return -1;
}

void TfidfModel::transform(const FeatureCount* features, size_t n_features, std::vector<int32_t>* cols,
                           std::vector<float>* vals) const {
  cols->clear();
  vals->clear();
  double block_ss[kNumFeatureBlocks] = {0, 0, 0, 0, 0};
  for (size_t k = 0; k < n_features; ++k) {
    const FeatureCount& f = features[k];
    const int32_t c = column(f.key);
    if (c < 0) continue;
    const double tf = config_.sublinear_tf ? 1.0 + std::log(static_cast<double>(f.count)) : f.count;
    const double v = tf * idf_[c];
    cols->push_back(c);
    vals->push_back(static_cast<float>(v));
    block_ss[feature_block(f.key)] += v * v;
  }
  const double weights[kNumFeatureBlocks] = {config_.weight_title, config_.weight_chars, config_.weight_description,
                                             config_.weight_category, config_.weight_brand};
  double scale[kNumFeatureBlocks];
  double total_ss = 0;
  for (int b = 0; b < kNumFeatureBlocks; ++b) {
    scale[b] = block_ss[b] > 0 ? weights[b] / std::sqrt(block_ss[b]) : 0.0;
    if (block_ss[b] > 0) total_ss += weights[b] * weights[b];
  }
  if (total_ss <= 0) {
    cols->clear();
    vals->clear();
    return;
  }
  const double norm = 1.0 / std::sqrt(total_ss);
  for (size_t i = 0; i < cols->size(); ++i)
    (*vals)[i] = static_cast<float>((*vals)[i] * scale[feature_block(keys_[(*cols)[i]])] * norm);
}

}  // namespace stars::semantics
