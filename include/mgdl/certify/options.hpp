// Budgets and targets of a certification run. The object validates itself.
//
//   certify::Options opt;                 // rel_gap 1/10^6, 128 bits, 1 thread
//   opt.threads = 2;
//   opt.rel_gap = num::Rational(1, 1000000000);
//   opt.validate();                        // throws std::invalid_argument
#pragma once

#include <arb.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "mgdl/num/rational.hpp"

namespace mgdl::certify {

// The L^p leaf rules: `legacy` = midpoint with a Hessian remainder (C3) on
// every leaf; `high_order` adds G<n> where the corrections are affine
// (proofs/integration.md, I1) and writes the per-leaf `rules` evidence.
enum class LpRules { legacy, high_order };

struct Options {
  // Target relative gap (U − L)/U of every enclosure; 1e-12 <= rel_gap < 1.
  num::Rational rel_gap{1, 1000000};
  // Starting working precision; raised Ziv-style (doubling) on a box only when
  // its enclosure is dominated by rounding, never beyond max_precision.
  slong precision = 128;
  slong max_precision = 1024;
  // Boxes evaluated per run (sup-norm, L^p) before giving up: "not certified".
  long max_boxes = 20000000;
  // Boxes evaluated per support fact (balanced facts).
  long max_fact_boxes = 200000;
  // Memory cap: open boxes kept at once; above it the run stops, not certified.
  long max_frontier = 4000000;
  // No box is split below width 2^-max_level along any axis.
  int max_level = 110;
  // Worker threads (>= 1). Results do not depend on it.
  int threads = 1;
  // Boxes refined per deterministic batch. Results depend on it (not on threads).
  int batch_size = 32;
  // At the deadline a run stops and reports "not certified" with its best bounds.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Set to true (e.g. from a SIGINT handler) to stop like a deadline.
  const std::atomic<bool>* cancel = nullptr;
  LpRules lp_rules = LpRules::high_order;

  // Empty when valid, else a one-line description of the first problem.
  std::string problem() const;
  // Throws std::invalid_argument(problem()) when invalid.
  void validate() const;
};

}  // namespace mgdl::certify
