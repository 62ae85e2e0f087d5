// The checker's side of proofs/certification.md, Lemma C2.7: sup_B |R| <= max_j U_j on a box B
// cut into simplices T_j on which the correction h is an exact affine η_j (affine_pieces.hpp),
// U_j the bound of proofs/simplices.md, Lemma S6.1 (jets of f over the bounding box B_j of T_j,
// expanded about its midpoint, with a 64-bit rational at the midpoint of each Hessian
// enclosure), taken as Lemma S5 with rational a, b, H and the exact candidates of Lemma S4.
// MPFI with outward rounding and exact rationals only; cutoff and hat corrections only (the
// analyser it owns subtracts no dense network), d >= 2.
//
//   PieceSupBounder ps(target, 128, hats);
//   if (ps.at_most(box, cutoffs, u)) { /* sup_box |R| <= u, certified */ }
//   mpfr_t m; mpfr_init2(m, 64);
//   if (ps.bound(box, cutoffs, m)) { /* sup_box |R| <= m */ }
#pragma once

#include <vector>

#include "affine_pieces.hpp"
#include "analysis.hpp"

namespace mgdl::check {

// Lemma S4 exactly: lo = min_T q and hi = max_T q for q(x) = a + b·(x − c) + ½ (x − c)ᵀ H (x − c)
// (a, b, H, c exact, H symmetric row-major d×d). Candidates: the vertices, and for every face
// F_S, |S| >= 2, with G = E_Sᵀ H E_S invertible, the stationary point t* = −G⁻¹β,
// β = E_Sᵀ(b + H(v_{s0} − c)), when t* >= 0 and Σ t* <= 1, of value q(v_{s0}) + ½ βᵀt*. False
// on malformed input.
bool quadratic_range_exact(const Simplex& s, const Q& a, const std::vector<Q>& b, const std::vector<Q>& H,
                           const std::vector<Q>& c, Q& lo, Q& hi);

// The range of the family a ∈ `a`, b_k ∈ `b[k]` (intervals; H, c exact) over the simplex:
// out ⊇ [min_T q, max_T q] for every member. The exact range of the member with rationals â, b̂
// at the midpoints (S4, quadratic_range_exact), widened by e = sup|a − â| + Σ_k sup|b_k − b̂_k|·
// max_i |v_{i,k} − c_k| >= |q − q̂| on T (S5's first two terms). This replaces S6 (i): with the
// interval solve, a face whose exact G is nearly singular (a rank-one Hessian of exp(linear),
// rounded) gets t = t0 + K b with |K| ~ 1/det G, so the tiny radius of b spreads t over the
// face and the candidate's enclosure is useless; q̂'s exact t* is simply far outside. False
// when an input is not finite.
bool quadratic_range_on_simplex(const Simplex& s, const I& a, const std::vector<I>& b,
                                const std::vector<Q>& H, const std::vector<Q>& c, I& out);

class PieceSupBounder {
 public:
  PieceSupBounder(const Target& target, mpfr_prec_t prec, std::vector<const HatGrid*> hats);

  // Lemma C2.7 on the box (d >= 2): true only when every piece is affine, f is C² on every
  // piece's bounding box and U_j <= u is certified for every piece (stops at the first failure).
  // A box with |R| > u certainly at a corner is refused first, without the pieces (cheap: a
  // planted bound costs 2^d point values, not the decomposition).
  bool at_most(const Box& box, const CutoffsOnBox& cutoffs, const Q& u);
  // out >= max_j U_j >= sup_box |R| (rounded up); false when the lemma does not apply.
  bool bound(const Box& box, const CutoffsOnBox& cutoffs, mpfr_ptr out);
  // The number of pieces of the last call.
  std::size_t pieces() const { return pieces_.size(); }

 private:
  // U_j on one piece: range ⊇ [m, M] for the S6.1 family (quadratic_range_on_simplex), eps = ε
  // exactly (its Hessian term).
  bool piece_range(const AffinePiece& p, I& range, Q& eps);
  bool run(const Box& box, const CutoffsOnBox& cutoffs, const Q* u, mpfr_ptr out);
  // |R| > u certainly at some corner of the box (R = f − h with h exact there).
  bool refuted(const Box& box, const CutoffsOnBox& cutoffs, const Q& u);

  mpfr_prec_t prec_;
  int d_;
  ResidualAnalyzer an_;
  JetEvaluator points_;
  std::vector<const HatGrid*> hats_;
  std::vector<AffinePiece> pieces_;
  std::vector<I> b_, t_;
  std::vector<Q> h_;
  I range_;
};

}  // namespace mgdl::check
