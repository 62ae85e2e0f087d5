// Certified Gauss–Legendre nodes and weights (proofs/integration.md, Lemma I2).
#include "mgdl/certify/gauss_legendre.hpp"

#include <arb_hypgeom.h>

namespace mgdl::certify {

GaussLegendre gauss_legendre(int n, slong prec) {
  GaussLegendre g;
  g.n = n;
  g.nodes.resize(static_cast<std::size_t>(n));
  g.weights.resize(static_cast<std::size_t>(n));
  // Arb isolates the k-th root rigorously and encloses its weight 2/((1−x²) P_n'(x)²).
  for (int k = 0; k < n; ++k)
    arb_hypgeom_legendre_p_ui_root(g.nodes[static_cast<std::size_t>(k)].arb(),
                                   g.weights[static_cast<std::size_t>(k)].arb(), static_cast<ulong>(n),
                                   static_cast<ulong>(k), prec);
  g.kappa = gauss_kappa(n);
  return g;
}

num::Rational gauss_kappa(int n) {
  num::Rational fn(1), f2n(1);
  for (int k = 1; k <= 2 * n; ++k) {
    f2n *= k;
    if (k <= n) fn *= k;
  }
  return fn * fn * fn * fn / ((2 * n + 1) * f2n * f2n);
}

}  // namespace mgdl::certify
