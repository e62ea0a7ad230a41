#include "stars/train/batch_loader.h"

#include <algorithm>
#include <numeric>

#include "stars/core/random.h"

namespace stars::train {

BatchLoader::BatchLoader(const BatchBuilder& builder, size_t num_windows, int32_t num_items, int batch_size, int threads,
                         int prefetch, uint64_t seed)
    : builder_(builder), num_windows_(num_windows), batch_size_(batch_size), prefetch_(prefetch), seed_(seed) {
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
  num_batches_ = static_cast<int64_t>((num_windows_ + batch_size_ - 1) / batch_size_);
  submitted_ = 0;
  submit_more();
  return num_batches_;
}

void BatchLoader::submit_more() {
  while (submitted_ < num_batches_ && static_cast<int>(queue_.size()) < prefetch_) {
    const int64_t b = submitted_++;
    auto batch = std::make_shared<model::TokenBatch>();
    const size_t begin = static_cast<size_t>(b) * batch_size_;
    const size_t n = std::min<size_t>(batch_size_, num_windows_ - begin);
    const uint64_t seed = derive_seed(derive_seed(seed_, static_cast<uint64_t>(epoch_) + 1), static_cast<uint64_t>(b));
    model::ItemSlots* slots = slots_[static_cast<size_t>(b) % slots_.size()].get();
    const uint32_t* ids = perm_.data() + begin;
    Pending p;
    p.batch = batch;
    p.done = pool_->submit([this, ids, n, seed, batch, slots] { builder_.build_train(ids, n, seed, batch.get(), slots); });
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
