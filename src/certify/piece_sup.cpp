// Lemma C2.7 (proofs/certification.md): a box cut into the simplices of Lemma
// I9 (c), each bounded by S6.1 through geom::SimplexBounder; the bound of the
// box is the largest piece bound.
#include "mgdl/certify/piece_sup.hpp"

#include <utility>

namespace mgdl::certify {

using num::Ball;
using num::Rational;

// f as geom sees it: the box jet of S6.1 (value and gradient at the box's
// midpoint, Hessian over the box) and point values.
class PieceSupBound::Target : public geom::LocalTarget {
 public:
  Target(const expr::Program& f, slong prec) : f_(f, prec), d_(f.dimension()) {}
  int dimension() const override { return d_; }
  void box_jet(const Ball* lo, const Ball* hi, geom::BoxJet& out) override {
    f_.derivatives2(lo, hi, jet_);
    out.value = jet_.value;
    out.gradient = jet_.gradient;
    out.hessian = jet_.hessian;
  }
  void point(const Ball* x, Ball& out) override { f_.point(x, out); }

 private:
  expr::BallEvaluator f_;
  int d_;
  expr::Taylor2 jet_;
};

PieceSupBound::PieceSupBound(const resid::Residual& residual, slong prec)
    : residual_(&residual),
      target_(std::make_unique<Target>(residual.target(), prec)),
      bounder_(std::make_unique<geom::SimplexBounder>(*target_, prec)) {}

PieceSupBound::~PieceSupBound() = default;

bool PieceSupBound::bound(const net::Box& box, Rational& upper, std::vector<double>& at) {
  if (residual_->dimension() < 2 || !affine_simplices(*residual_, box, kMaxCuts, kMaxPieces, pieces_))
    return false;
  const std::size_t n = static_cast<std::size_t>(residual_->dimension()) + 1;
  piece_.vertex.resize(n);
  piece_.value.resize(n);
  bool first = true;
  Rational u;
  for (const AffineSimplex& pc : pieces_) {
    if (!pc.affine) return false;
    for (std::size_t i = 0; i < n; ++i) {
      piece_.vertex[i] = pc.t.vertex[i];
      piece_.value[i] = net::value_at(pc.h, pc.t.vertex[i]);
    }
    if (!bounder_->bound(piece_, u, at_)) return false;
    if (first || u > upper) {
      upper = u;
      at = at_;
      first = false;
    }
  }
  return !first;
}

}  // namespace mgdl::certify
