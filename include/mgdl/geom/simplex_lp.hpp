// Certified ∫ |f − ℓ|^p (p = 1, 2) over a union of simplices, ℓ affine on
// each (proofs/simplices.md, Lemmas S7, S8), d <= 8.
//
//   geom::LpOptions o;  o.p = 2;  o.nodes = 7;  o.rel_tol = Rational(1, 10000000);
//   geom::LpResult r = geom::integrate_lp(target, pieces, o);
//   // r.proven: r.lower <= ∫ |r|^p <= r.upper, (upper − lower) <= rel_tol · upper
//
// On each piece a Duffy-collapsed n^d Gauss–Legendre rule (exact for degree
// 2n − d) with the remainder of Lemma S7 from a series of f along segments
// (LocalTarget::line_series) and Lemma S6.1's sup bound; p = 1 also needs a
// sign certificate (Lemma S8). Pieces whose enclosure is widest are bisected
// (Lemma S2) until the sum meets rel_tol.
#pragma once

#include <cstddef>
#include <vector>

#include "mgdl/geom/simplex_sup.hpp"
#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::geom {

struct LpOptions {
  int p = 2;      // 1 or 2
  int nodes = 7;  // Gauss–Legendre points per Duffy axis, n >= 1
  num::Rational rel_tol{1, 10000000};
  std::size_t max_pieces = 20000000;  // live pieces
  slong prec = 64;
  bool curved_cut = true;  // p = 1, d = 2: Lemma S8 (v) where it beats (iv)
};

struct LpResult {
  bool proven = false;               // all pieces finite and the tolerance met
  num::Rational lower{0}, upper{0};  // lower <= ∫ |r|^p <= upper (valid when all_finite)
  bool all_finite = false;
  long evaluations = 0;  // pieces integrated
  std::size_t leaves = 0;
};

// Lemma S7's rule on the standard simplex Δ: for every multi-index k ∈ {1..n}^d
// the point t = φ(u^{(k)}) ∈ Δ and the weight Π_j ω_{k_j} J(u^{(k)}) (Gauss–Legendre
// on [0, 1], Arb's enclosures). Q_T(g) = |det E| Σ weight · g(v_0 + E t).
struct DuffyNode {
  std::vector<num::Ball> t;
  num::Ball weight;
};
std::vector<DuffyNode> duffy_nodes(int dimension, int nodes, slong prec);

LpResult integrate_lp(LocalTarget& target, const std::vector<AffinePiece>& pieces, const LpOptions& options);

// One piece, no refinement (Lemma S7 for p = 2, S8 for p = 1): lower and upper
// endpoints of an enclosure of ∫_T |r|^p; false when some enclosure is not finite.
bool piece_lp(LocalTarget& target, const AffinePiece& piece, int p, int nodes, slong prec,
              num::Rational& lower, num::Rational& upper, bool curved_cut = true);

}  // namespace mgdl::geom
