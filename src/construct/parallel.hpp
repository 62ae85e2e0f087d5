// Internal: the worker pool and the wall clock shared by Construction A
// (cutoff_scheme.cpp) and Construction B (hat_scheme.cpp).
#pragma once

#include <flint/flint.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

namespace mgdl::construct::detail {

// Runs fn(worker, i) for i in [0, n) on `threads` workers; each i runs exactly
// once and results are stored by i, so the outcome does not depend on timing.
template <class Fn>
void parallel_for(std::size_t n, int threads, Fn&& fn) {
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  if (workers == 1 || n < 2) {
    for (std::size_t i = 0; i < n; ++i) fn(0, i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  const std::size_t used = std::min(workers, n);
  for (std::size_t w = 0; w < used; ++w) {
    pool.emplace_back([&, w] {
      for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(w, i);
      flint_cleanup();  // the worker's thread-local Arb/FLINT caches would leak otherwise
    });
  }
  for (auto& t : pool) t.join();
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace mgdl::construct::detail
