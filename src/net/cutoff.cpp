#include "mgdl/net/correction.hpp"

#include <cstddef>

namespace mgdl::net {

using num::Rational;

Box Cutoff::core() const { return Box{a, b}; }

Box Cutoff::support() const {
  Box s;
  s.lo.resize(a.size());
  s.hi.resize(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    s.lo[i] = a[i] - rho[i];
    s.hi[i] = b[i] + rho[i];
  }
  return s;
}

// proofs/cutoff.md, Lemma A1: the same formula the dense realisation computes
// (two ramp ReLUs per axis, then one ReLU of 1 − Σ ramps).
Rational Cutoff::psi(const std::vector<Rational>& x) const {
  Rational ramps(0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (x[i] < a[i]) ramps += (a[i] - x[i]) / rho[i];
    if (x[i] > b[i])
      ramps += (x[i] - b[i]) / rho[i];
    if (ramps >= 1) return Rational(0);
  }
  return Rational(1) - ramps;
}

}  // namespace mgdl::net
