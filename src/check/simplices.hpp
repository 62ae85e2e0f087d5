// Exact simplex geometry over Q for the checker's rule T<n> (proofs/simplices.md, Lemmas S1,
// S3; proofs/integration.md, Lemma I9 (a), (b)): volumes by an exact determinant, the Kuhn
// simplices of a cell, the split of simplices by an affine form along their edges, and the
// exact integral of the positive part of an affine form over a simplex. GMP only.
//
//   std::vector<Simplex> s = kuhn_simplices(cell);    // d! simplices tiling the cell
//   if (!split_by(s, form, 4096)) { /* too many pieces */ }
//   Q v = simplex_volume(s[0]);                       // |det E| / d!
//   Q b = positive_part_integral(s[0], form);         // ∫_T form₊, exact
#pragma once

#include <cstddef>
#include <vector>

#include "cutoffs.hpp"

namespace mgdl::check {

// An affine form a[0] + Σ_i a[1 + i] x_i (d + 1 exact coefficients).
using AffineForm = std::vector<Q>;

Q affine_at(const AffineForm& a, const std::vector<Q>& x);

// conv(v[0], .., v[d]) in R^d, rational vertices, kept non-degenerate by the operations below.
struct Simplex {
  std::vector<std::vector<Q>> v;
};

// det E, E = (v_1 − v_0, .., v_d − v_0), exactly (Gaussian elimination over Q).
Q simplex_det(const Simplex& s);
// |det E| / d! (Lemma S1).
Q simplex_volume(const Simplex& s);

// Lemma S3: the d! Kuhn simplices of the cell (l_k < u_k), permutations π in lexicographic
// order, v_0 = l, v_j = v_{j−1} + (u − l)_{π(j−1)} e_{π(j−1)}.
std::vector<Simplex> kuhn_simplices(const Box& cell);

// +1 when a >= 0 at every vertex, −1 when a <= 0 at every vertex (and not all zero), 0 when
// a takes both strict signs.
int sign_on(const Simplex& s, const AffineForm& a);

// Lemma I9 (b): splits every simplex of `pieces` by a, along the first edge (v_i, v_j), i < j
// in lexicographic order, with a(v_i), a(v_j) of strict opposite signs, at the exact point of
// a = 0 (children: v_j replaced, then v_i replaced; I9 (a)), until no such edge is left. The
// pieces tile the union of the input and a has one sign on each. False (pieces unspecified)
// when more than max_pieces would result.
bool split_by(std::vector<Simplex>& pieces, const AffineForm& a, std::size_t max_pieces);

// ∫_T a₊ exactly: T split by a (I9 (b)); on a piece with a >= 0 at every vertex, |piece| times
// the mean of a at its d + 1 vertices (the mean of an affine function over a simplex).
Q positive_part_integral(const Simplex& s, const AffineForm& a);

// The bounding box of the vertices.
Box bounding_box(const Simplex& s);

}  // namespace mgdl::check
