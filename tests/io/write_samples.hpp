// Small exact constructions for the writer tests: a two-grade cutoff network
// (dyadic weights, or with a 1/3 that binary64 cannot hold) and a hat grade.
#pragma once

#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/net/hat_correction.hpp"

namespace mgdl::io::testing {

inline net::MultigradeNetwork cutoff_network(bool inexact) {
  using num::Rational;
  const Rational a = inexact ? Rational(1, 3) : Rational(1, 4);
  std::vector<net::Cutoff> q1{{{a}, {Rational(1, 2)}, {Rational(1, 8)}, Rational(3, 8)}};
  std::vector<net::Cutoff> q2{{{Rational(5, 8)}, {Rational(3, 4)}, {Rational(1, 16)}, Rational(-2)},
                              {{Rational(1, 8)}, {Rational(1, 4)}, {Rational(1, 32)}, Rational(1, 2)}};
  net::CutoffCorrection c1(1, q1, 2), c2(1, q2, 2);
  net::MultigradeNetwork n(1);
  n.add_grade(c1.realise());
  n.add_grade(net::with_input_size(c2.realise(), n.feature_size()));
  return n;
}

inline net::MultigradeNetwork hat_network() {
  using num::Rational;
  std::vector<std::vector<Rational>> grid{
      {Rational(0), Rational(1, 4), Rational(1, 2), Rational(3, 4), Rational(1)}};
  net::HatCorrection h(1, grid, {{{1}, Rational(1, 2)}, {{2}, Rational(-3, 4)}, {{4}, Rational(1)}});
  net::MultigradeNetwork n(1);
  n.add_grade(h.realise());
  return n;
}

}  // namespace mgdl::io::testing
