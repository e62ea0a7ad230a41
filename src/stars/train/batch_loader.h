// Prepares the batches of an epoch on worker threads, in order, a few steps ahead of the consumer, so the
// network never waits for data. An epoch shuffles the windows with a permutation drawn from (seed, e),
// groups each run of `bucket` batches' worth of windows by length (so a batch is padded only to its own
// longest window), and shuffles the batch order; batch b draws its negatives from (seed, e, b). The
// result does not depend on the number of threads, and an epoch can be replayed exactly after a resume.
// In data-parallel training (world > 1) every rank draws the same batches and builds only its share of
// each: the batch's windows r, r + world, r + 2 world, ... (short and long alike under length bucketing),
// with negatives from (seed, e, b, r) for r > 0 and (seed, e, b) on rank 0. Torch-free.
#pragma once

#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <vector>

#include "stars/core/thread_pool.h"
#include "stars/model/token_batch.h"
#include "stars/train/batch_builder.h"

namespace stars::train {

class BatchLoader {
 public:
  // window_lengths: events per window (length bucketing); bucket <= 1 turns bucketing off.
  BatchLoader(const BatchBuilder& builder, std::vector<uint32_t> window_lengths, int32_t num_items, int batch_size,
              int bucket, int threads, int prefetch, uint64_t seed, int rank = 0, int world = 1);
  ~BatchLoader();

  // Starts epoch `epoch` (0-based); returns its number of batches.
  int64_t start_epoch(int epoch);
  // The next batch of the epoch, or null at its end. Rethrows a worker's exception.
  std::shared_ptr<model::TokenBatch> next();

 private:
  void submit_more();
  const BatchBuilder& builder_;
  std::vector<uint32_t> lengths_;
  size_t num_windows_;
  int batch_size_, bucket_, prefetch_;
  uint64_t seed_;
  int rank_, world_;
  int epoch_ = 0;
  int64_t num_batches_ = 0, submitted_ = 0;
  std::vector<uint32_t> perm_;
  std::vector<std::pair<size_t, size_t>> batches_;  // (offset into perm_, size) in epoch order
  std::unique_ptr<ThreadPool> pool_;
  std::vector<std::unique_ptr<model::ItemSlots>> slots_;  // one per in-flight batch slot
  struct Pending {
    std::future<void> done;
    std::shared_ptr<model::TokenBatch> batch;
  };
  std::deque<Pending> queue_;
};

}  // namespace stars::train
