// A fixed set of worker threads running index-addressed tasks. Each task
// writes its own result slot, so the merged outcome does not depend on which
// thread ran which task (deterministic for any thread count).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mgdl::certify::detail {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int threads() const { return threads_; }
  // Runs task(i, worker) for every i in [0, n), worker in [0, threads());
  // returns when all are done; rethrows the first exception a task threw.
  void run(std::size_t n, const std::function<void(std::size_t, int)>& task);

 private:
  void work(int worker);
  void drain(int worker);

  int threads_;
  std::vector<std::thread> pool_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(std::size_t, int)>* task_ = nullptr;
  std::size_t count_ = 0, next_ = 0, finished_ = 0;
  unsigned long generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace mgdl::certify::detail
