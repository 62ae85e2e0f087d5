// The leaves of a cover (a validated pre-order bisection tree over a box), cut
// into parts that are walked independently, and the checker's own thread pool
// for walking them. The parts depend on the tree alone, never on the number of
// threads, and their results are combined in leaf order, so every sum and every
// line the checker prints is the same whatever --threads is.
#pragma once

#include <mpfr.h>

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cutoffs.hpp"

namespace mgdl::check {

// [0,1]^d, the root of every cover of a certificate.
Box unit_box(int d);

// A subtree: its box, the cutoffs meeting it, its code tree[begin, end) and
// the index of its first leaf in the whole tree.
struct CoverPart {
  Box box;
  CutoffsOnBox cutoffs;
  std::size_t begin = 0, end = 0;
  std::size_t first_leaf = 0;
};

using LeafVisitor = std::function<void(std::size_t, const Box&, const CutoffsOnBox&)>;

// The number of parts the checker cuts each cover into: a constant, so that
// the parts (and the order of every sum) never depend on the thread count.
constexpr std::size_t kCoverParts = 128;

// The tree over `root` as subtrees, in leaf order, each with a code of at most
// max(1, tree.size() / parts) characters or a single leaf (so at most about
// 2·parts·depth of them). `tree` must have passed validate_tree.
std::vector<CoverPart> split_cover(const std::string& tree, const Box& root, const CutoffIndex& index,
                                   std::size_t parts);

// Visits the leaves of one part in order, with their global indices and the
// cutoffs whose support meets each leaf's interior. The root's cutoffs come
// from the index (O(log n) per cutoff met, not a scan of all n); each split
// keeps those of its parent that meet the half, and folds those that are ≡ 1
// on it into a constant.
void walk_part(const std::string& tree, const CoverPart& part, const LeafVisitor& leaf);

// All leaves of the tree, in order (one part).
void walk_tree(const std::string& tree, const Box& root, const CutoffIndex& index, const LeafVisitor& leaf);

// threads <= 0: the machine's cores.
int thread_count(int threads);

// One T per worker of for_each_task, made by `make` on that worker's first use
// (a worker that gets no task makes none). Each worker touches only its own.
template <class T>
class PerWorker {
 public:
  PerWorker(int threads, std::function<std::unique_ptr<T>()> make)
      : make_(std::move(make)), items_(static_cast<std::size_t>(threads < 1 ? 1 : threads)) {}
  T& at(std::size_t worker) {
    std::unique_ptr<T>& item = items_[worker];
    if (!item) item = make_();
    return *item;
  }

 private:
  std::function<std::unique_ptr<T>()> make_;
  std::vector<std::unique_ptr<T>> items_;
};

// Runs work(task, worker) for task = 0..tasks−1 on up to `threads` threads
// (worker < threads, one worker's tasks run one after another). The first
// exception thrown by a task is rethrown here once every thread has stopped.
template <class Work>
void for_each_task(std::size_t tasks, int threads, Work&& work) {
  const std::size_t n_threads =
      std::min<std::size_t>(static_cast<std::size_t>(threads < 1 ? 1 : threads), tasks);
  if (n_threads <= 1) {
    for (std::size_t t = 0; t < tasks; ++t) work(t, std::size_t{0});
    return;
  }
  std::mutex mutex;
  std::size_t next = 0;
  std::exception_ptr error;
  auto run = [&](std::size_t worker) {
    for (;;) {
      std::size_t t;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next >= tasks || error) return;
        t = next++;
      }
      try {
        work(t, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < n_threads; ++w)
    pool.emplace_back([&run, w] {
      run(w);
      // MPFR's constant caches (π for sin and cos, ...) are per thread: freed
      // here, or every thread that ends would leak them.
      mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
    });
  run(0);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace mgdl::check
