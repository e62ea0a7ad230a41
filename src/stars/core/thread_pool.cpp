#include "stars/core/thread_pool.h"

#include <algorithm>
#include <cstdlib>
#include <exception>

namespace stars {

ThreadPool::ThreadPool(int n_threads) {
  for (int i = 0; i < std::max(1, n_threads); ++i) workers_.emplace_back([this] { loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

std::future<void> ThreadPool::submit(std::function<void()> task) {
  std::packaged_task<void()> pt(std::move(task));
  auto fut = pt.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push(std::move(pt));
  }
  cv_.notify_one();
  return fut;
}

void ThreadPool::loop() {
  while (true) {
    std::packaged_task<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
      if (stop_ && tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop();
    }
    task();
  }
}

void parallel_for(size_t n, int n_threads, const std::function<void(size_t, size_t)>& fn, size_t min_chunk) {
  if (n == 0) return;
  const size_t max_threads = std::max<size_t>(1, (n + min_chunk - 1) / std::max<size_t>(1, min_chunk));
  const size_t t = std::min<size_t>(std::max(1, n_threads), max_threads);
  if (t == 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(t);
  const size_t chunk = (n + t - 1) / t;
  for (size_t i = 1; i < t; ++i) {
    threads.emplace_back([&, i] {
      try {
        const size_t b = i * chunk, e = std::min(n, b + chunk);
        if (b < e) fn(b, e);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  try {
    fn(0, std::min(n, chunk));
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& th : threads) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

int default_num_threads() {
  if (const char* s = std::getenv("STARS_THREADS")) {
    const int v = std::atoi(s);
    if (v > 0) return v;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace stars
