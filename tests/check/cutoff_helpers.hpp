// Test helper shared by the checker's tests: a finished cutoff from its parameters.
#pragma once

#include <utility>
#include <vector>

#include "cutoffs.hpp"

namespace mgdl::check {

inline CutoffData cutoff(std::vector<Q> a, std::vector<Q> b, std::vector<Q> rho, Q c) {
  CutoffData q;
  q.a = std::move(a);
  q.b = std::move(b);
  q.rho = std::move(rho);
  finish_cutoff(q);
  q.c = std::move(c);
  return q;
}

}  // namespace mgdl::check
