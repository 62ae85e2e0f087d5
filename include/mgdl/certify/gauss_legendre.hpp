// Certified Gauss–Legendre rules on [−1, 1] (proofs/integration.md, Lemma I2):
// nodes and weights as Arb balls (arb_hypgeom_legendre_p_ui_root), and the
// exact error constant κ_n of Lemma I1.
//
//   certify::GaussLegendre g = certify::gauss_legendre(8, 128);
//   // ∫_{−1}^{1} q = Σ_j g.weights[j]·q(g.nodes[j]) for every polynomial q of degree <= 15
#pragma once

#include <vector>

#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::certify {

struct GaussLegendre {
  int n = 0;
  std::vector<num::Ball> nodes, weights;  // the n roots of P_n and their weights (sum 2)
  num::Rational kappa;                    // gauss_kappa(n)
};

// Precondition: 1 <= n <= 64.
GaussLegendre gauss_legendre(int n, slong prec);

// κ_n = (n!)^4 / ((2n+1)·((2n)!)^2): on [l, u] of width w,
// ∫ q − w/2·Σ_j ω_j q(node_j) = w^{2n+1}·κ_n·q^{(2n)}(ζ)/(2n)! for some ζ ∈ [l, u].
num::Rational gauss_kappa(int n);

}  // namespace mgdl::certify
