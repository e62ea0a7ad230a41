#include "stars/train/batch_loader.h"

#include <algorithm>
#include <numeric>

#include "stars/core/random.h"

namespace stars::train {

BatchLoader::BatchLoader(const BatchBuilder& builder, std::vector<uint32_t> window_lengths, int32_t num_items, int batch_size,
                         int bucket, int threads, int prefetch, uint64_t seed, int rank, int world)
    : builder_(builder), lengths_(std::move(window_lengths)), num_windows_(lengths_.size()), batch_size_(batch_size),
      bucket_(bucket), prefetch_(prefetch), seed_(seed), rank_(rank), world_(world) {
  pool_ = std::make_unique<ThreadPool>(threads);
  // Each in-flight batch has its own scratch (a batch index modulo prefetch + 1 never overlaps).
  for (int i = 0; i <= prefetch_; ++i) slots_.push_back(std::make_unique<model::ItemSlots>(num_items));
}

BatchLoader::~BatchLoader() {
  for (auto& p : queue_)
    if (p.done.valid()) p.done.wait();
}

int64_t BatchLoader::start_epoch(int epoch) {
  for (auto& p : queue_)
    if (p.done.valid()) p.done.wait();
  queue_.clear();
  epoch_ = epoch;
  perm_.resize(num_windows_);
  std::iota(perm_.begin(), perm_.end(), 0u);
  Rng rng(derive_seed(seed_, 1000003ull * static_cast<uint64_t>(epoch) + 17));
  for (size_t i = perm_.size(); i > 1; --i) std::swap(perm_[i - 1], perm_[rng.uniform(i)]);
  batches_.clear();
  const size_t B = static_cast<size_t>(batch_size_);
  const size_t chunk = B * static_cast<size_t>(std::max(1, bucket_));
  for (size_t c = 0; c < num_windows_; c += chunk) {
    const size_t e = std::min(num_windows_, c + chunk);
    if (bucket_ > 1)
      std::stable_sort(perm_.begin() + c, perm_.begin() + e, [this](uint32_t a, uint32_t b) { return lengths_[a] < lengths_[b]; });
    for (size_t s = c; s < e; s += B) batches_.emplace_back(s, std::min(B, e - s));
  }
  if (bucket_ > 1)
    for (size_t i = batches_.size(); i > 1; --i) std::swap(batches_[i - 1], batches_[rng.uniform(i)]);
  num_batches_ = static_cast<int64_t>(batches_.size());
  submitted_ = 0;
  submit_more();
  return num_batches_;
}

void BatchLoader::submit_more() {
  while (submitted_ < num_batches_ && static_cast<int>(queue_.size()) < prefetch_) {
    const int64_t b = submitted_++;
    auto batch = std::make_shared<model::TokenBatch>();
    uint64_t seed = derive_seed(derive_seed(seed_, static_cast<uint64_t>(epoch_) + 1), static_cast<uint64_t>(b));
    model::ItemSlots* slots = slots_[static_cast<size_t>(b) % slots_.size()].get();
    const uint32_t* ids = perm_.data() + batches_[b].first;
    size_t n = batches_[b].second;
    std::shared_ptr<std::vector<uint32_t>> share;
    if (world_ > 1) {
      // This rank's share: every world-th window of the batch from its rank on, so that with length bucketing
      // every rank gets short and long windows alike.
      share = std::make_shared<std::vector<uint32_t>>();
      for (size_t i = static_cast<size_t>(rank_); i < n; i += static_cast<size_t>(world_)) share->push_back(ids[i]);
      ids = share->data();
      n = share->size();
      if (rank_ > 0) seed = derive_seed(seed, static_cast<uint64_t>(rank_));
    }
    Pending p;
    p.batch = batch;
    p.done = pool_->submit([this, ids, n, seed, batch, slots, share] { builder_.build_train(ids, n, seed, batch.get(), slots); });
    queue_.push_back(std::move(p));
  }
}

std::shared_ptr<model::TokenBatch> BatchLoader::next() {
  if (queue_.empty()) return nullptr;
  Pending p = std::move(queue_.front());
  queue_.pop_front();
  p.done.get();
  submit_more();
  return p.batch;
}

}  // namespace stars::train
