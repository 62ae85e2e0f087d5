#include "worker_pool.hpp"

#include <flint/flint.h>

namespace mgdl::certify::detail {

WorkerPool::WorkerPool(int threads) : threads_(threads < 1 ? 1 : threads) {
  // flint_cleanup frees the worker's thread-local Arb/FLINT caches (e.g. the
  // cached value of pi) before the thread exits; otherwise they leak.
  for (int w = 1; w < threads_; ++w)
    pool_.emplace_back([this, w] {
      work(w);
      flint_cleanup();
    });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto& t : pool_) t.join();
}

void WorkerPool::drain(int worker) {
  for (;;) {
    std::size_t i;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (next_ >= count_) return;
      i = next_++;
    }
    try {
      (*task_)(i, worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (++finished_ == count_) done_.notify_all();
    }
  }
}

void WorkerPool::work(int worker) {
  unsigned long seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    drain(worker);
  }
}

void WorkerPool::run(std::size_t n, const std::function<void(std::size_t, int)>& task) {
  if (n == 0) return;
  if (threads_ == 1 || n == 1) {
    for (std::size_t i = 0; i < n; ++i) task(i, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    count_ = n;
    next_ = 0;
    finished_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  start_.notify_all();
  drain(0);
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return finished_ == count_; });
  task_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

}  // namespace mgdl::certify::detail
