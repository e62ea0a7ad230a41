// A fixed pool of worker threads and a blocking parallel_for over an index range.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <future>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace stars {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()); }
  // Queues a task; the future carries its result or exception.
  std::future<void> submit(std::function<void()> task);

 private:
  void loop();
  std::vector<std::thread> workers_;
  std::queue<std::packaged_task<void()>> tasks_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// Runs fn(begin, end) over [0, n) split into chunks across `n_threads` threads (the caller's thread
// included). Rethrows the first exception after all chunks finished.
void parallel_for(size_t n, int n_threads, const std::function<void(size_t begin, size_t end)>& fn,
                  size_t min_chunk = 1);

// Number of threads to use by default: STARS_THREADS if set, else the hardware concurrency.
int default_num_threads();

}  // namespace stars
