// sup_B |R| on a box that the corrections' kinks cross, d >= 2
// (proofs/certification.md, Lemma C2.7): the box cut into simplices on which h
// is affine (Lemma I9 (c)), each bounded by the Taylor form of f with its
// quadratic part maximised exactly over the simplex (proofs/simplices.md,
// Lemma S6.1). The checker re-implements it (src/check/piece_sup.cpp).
//
//   certify::PieceSupBound b(residual, 128);
//   num::Rational u;  std::vector<double> at;
//   if (b.bound(box, u, at)) ...  // |R| <= u on box; `at` ≈ where the bound is attained
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "mgdl/certify/simplicial.hpp"
#include "mgdl/expr/program.hpp"
#include "mgdl/geom/simplex_sup.hpp"
#include "mgdl/net/box.hpp"
#include "mgdl/num/rational.hpp"
#include "mgdl/resid/residual.hpp"

namespace mgdl::certify {

// Not thread-safe: one per thread.
class PieceSupBound {
 public:
  // Caps on a box's decomposition; more and bound() refuses the box (the
  // checker's own caps are larger: 8 cuts per axis, 4096 pieces).
  static constexpr std::size_t kMaxCuts = 4;
  static constexpr std::size_t kMaxPieces = 256;

  PieceSupBound(const resid::Residual& residual, slong prec);
  ~PieceSupBound();
  PieceSupBound(const PieceSupBound&) = delete;
  PieceSupBound& operator=(const PieceSupBound&) = delete;

  // True with upper >= sup_box |R| (exact, Lemma C2.7); `at` is then
  // approximately the point where the largest piece bound's extremum lies
  // (steering only). False when the lemma does not apply: d < 2, a cap, a
  // piece on which h is not certified affine, f's jet not finite.
  bool bound(const net::Box& box, num::Rational& upper, std::vector<double>& at);

  std::size_t pieces() const { return pieces_.size(); }

 private:
  class Target;
  const resid::Residual* residual_;
  std::unique_ptr<Target> target_;
  std::unique_ptr<geom::SimplexBounder> bounder_;
  std::vector<AffineSimplex> pieces_;
  geom::AffinePiece piece_;
  std::vector<double> at_;
};

}  // namespace mgdl::certify
