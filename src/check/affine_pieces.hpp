// The cut of a box into simplices on which the correction h is affine (proofs/integration.md,
// Lemma I9 (c); proofs/certification.md, Lemma C2.7), shared by the rule T<n> (lp_rules.hpp) and
// the sup-norm bound on a box (piece_sup.hpp). Exact rationals only.
//
//   std::vector<AffinePiece> pieces;
//   if (affine_pieces(box, cutoffs, hats, pieces))
//     for (const AffinePiece& p : pieces) if (p.affine) { /* h = p.eta on p.simplex */ }
#pragma once

#include <cstddef>
#include <vector>

#include "cutoffs.hpp"
#include "hats.hpp"
#include "simplices.hpp"

namespace mgdl::check {

// proofs/integration.md, Lemma I8(a): on a cell where every ramp sum R_i of q is affine
// ((a_i − t)/ρ_i left of a_i, 0 on [a_i, b_i], (t − b_i)/ρ_i right of b_i),
// u = 1 − Σ_i R_i(x_i) = u[0] + Σ_i u[1 + i] x_i and ψ_q = max(u, 0) (any d; the proof of
// I8(a) is per axis). False when some a_i or b_i lies strictly inside the cell's side.
bool cell_u(const CutoffData& q, const Box& cell, std::vector<Q>& u);

// The closed support of q meets the closed box.
bool support_meets_closed(const CutoffData& q, const Box& b);

struct AffinePiece {
  Simplex simplex;
  AffineForm eta;       // h = eta on the simplex (when affine)
  bool affine = false;  // certified exactly at the vertices (I8(b), I9 (c))
};

// Caps of the decomposition: cuts strictly inside a side, pieces in all.
constexpr std::size_t affine_pieces_max_cuts = 8, affine_pieces_max_pieces = 4096;

// Lemma I9 (c), any d >= 2: the box cut at the axis kinks of h (a − ρ, a, b, b + ρ of every
// varying cutoff; the grid lines of the hat grids within one index of an active node meeting
// the box, hat_axis_kinks) into cells, in the order of the first axis fastest; each cell into
// its d! Kuhn simplices (simplices.md S3), split in turn by every oblique kink crossing the cell
// (the u_Q taking both strict signs at its corners, then hat_cell_kinks; split_by). The pieces
// tile the box. On each, h = eta is certified when every cutoff's u_Q has one sign at the
// vertices (eta = constant + Σ_{u_Q >= 0} c_Q u_Q) and hat_affine_on_simplex holds for every
// hat grid; else affine = false (eta unspecified). False (out unspecified) when more than
// affine_pieces_max_cuts cuts lie inside some side, more than affine_pieces_max_pieces pieces
// would result, or both cutoffs and hat grids are given (one kind of correction).
bool affine_pieces(const Box& box, const CutoffsOnBox& cutoffs, const std::vector<const HatGrid*>& hats,
                   std::vector<AffinePiece>& out);

}  // namespace mgdl::check
