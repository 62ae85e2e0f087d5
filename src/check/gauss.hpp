// Certified Gauss–Legendre nodes and weights (MPFI), and the exact constants of
// the G and Z rules (proofs/integration.md, Lemmas I1, I2, I4). Independent of the producer (which uses Arb's
// arb_hypgeom_legendre_p_ui_root).
//
//   GaussRule g;
//   if (gauss_legendre(8, 128, g)) { /* g.nodes[j] ∋ ξ_j, g.weights[j] ∋ ω_j, ascending */ }
//   Q k = gauss_kappa(8);          // (8!)^4 / (17 (16!)^2), exact
//   Q r = inverse_rising(p, 2);    // Γ(p+1)/Γ(p+3) = 1/((p+1)(p+2)), exact for rational p
#pragma once

#include <vector>

#include "exact.hpp"

namespace mgdl::check {

struct GaussRule {
  int n = 0;
  std::vector<I> nodes;    // ascending, disjoint, inside (−1, 1)
  std::vector<I> weights;  // ω_j > 0, Σ ω_j = 2
};

constexpr int gauss_max_points = 24;

// The n roots of the Legendre polynomial P_n (1 <= n <= gauss_max_points) and
// their weights 2/((1 − ξ²) P_n'(ξ)²), at precision prec. Every root lies in its
// node interval, each interval holds exactly one root (interval Newton). False
// when a certification step fails (not expected for prec >= 53). Never throws.
bool gauss_legendre(int n, mpfr_prec_t prec, GaussRule& out);

// κ_n = (n!)^4 / ((2n+1) ((2n)!)^2), the 1D Gauss error constant on [l, u]:
// ∫ g − (w/2) Σ ω_j g(c + ξ_j w/2) = κ_n w^{2n+1} g^{(2n)}(ζ)/(2n)!.
Q gauss_kappa(int n);

// Γ(p+1)/Γ(p+m+1) = 1/Π_{j=1..m}(p+j), exact for rational p > −1, m >= 0.
Q inverse_rising(const Q& p, int m);

}  // namespace mgdl::check
