// T<n>, the producer's L^p rule on simplices (proofs/integration.md, Lemma I9),
// for leaves of d >= 3 that G<n> cannot take: those that a kink of the
// corrections crosses, and for p = 1 the smooth ones where R may change sign.
// The leaf is cut at the corrections' axis kinks into cells, each cell into its
// Kuhn simplices, those split at the oblique kinks (and, for p = 1, at the zero
// of R's linear model); each piece by the Duffy-collapsed Gauss rule (Lemma S7)
// with a Taylor remainder. The checker re-implements it (src/check/lp_rules.cpp).
//
//   certify::SimplicialRule t(residual, 128);
//   if (t.prepare(box, ev, 128) && t.enclose(3, num::Rational(2), out)) ...  // out ∋ ∫_box |R|²
#pragma once

#include <utility>
#include <vector>

#include "mgdl/expr/series.hpp"
#include "mgdl/geom/simplex.hpp"
#include "mgdl/geom/simplex_lp.hpp"
#include "mgdl/net/box.hpp"
#include "mgdl/net/correction.hpp"
#include "mgdl/num/ball.hpp"
#include "mgdl/resid/residual.hpp"

namespace mgdl::certify {

// One simplex of a leaf's decomposition and h on it.
struct AffineSimplex {
  geom::MeasuredSimplex t;
  net::AffineForm h;  // h on t (exact) when affine
  bool affine = false;
};

// Lemma I9 (c), in any d >= 2: `box` cut at the corrections' axis kinks into
// cells, each cell into its d! Kuhn simplices, those split at every oblique
// kink crossing the cell; h certified affine on each piece exactly, at its
// vertices. False when the corrections cannot describe their kinks, a side
// holds more than max_cuts kinks or there would be more than max_pieces pieces.
bool affine_simplices(const resid::Residual& residual, const net::Box& box, std::size_t max_cuts,
                      std::size_t max_pieces, std::vector<AffineSimplex>& out);

// Not thread-safe: one per thread.
class SimplicialRule {
 public:
  // Caps on a leaf's decomposition (more: prepare() refuses the leaf).
  static constexpr std::size_t kMaxCuts = 8;      // axis cuts per axis
  static constexpr std::size_t kMaxPieces = 512;  // simplices after the kink splits

  SimplicialRule(const resid::Residual& residual, slong prec);

  // The pieces of `box` (Lemma I9 (c)), f's enclosure over it and, when any
  // exponent is 1, f's linear model there; false when the corrections cannot
  // describe their kinks, a cap is exceeded or f's data is not finite.
  bool prepare(const net::Box& box, resid::ResidualEvaluator& ev, slong prec, bool need_model);
  // out ∋ ∫_box |R|^p (Lemma I9 (e)) for p = 1 or an even integer, n points per
  // Duffy axis; false when the rule does not apply (m < 1, f's series not smooth
  // over the box, a non-finite result). Needs a successful prepare().
  bool enclose(int n, const num::Rational& p, num::Ball& out);
  // A heuristic (it only steers): whether enclose(n, p) could come out narrower
  // than `width`, from its remainder terms alone (they cost one series per leaf;
  // the node sums, which dominate, are skipped when this says no). True when it
  // cannot tell; false also when enclose(n, p) would fail. `width` only steers.
  bool may_beat(int n, const num::Rational& p, double width);

  std::size_t pieces() const { return pieces_.size(); }

 private:
  // Σ over the Duffy nodes of t of weight · (f − h)^power at the node, times
  // |det E| = d!·|t| (Lemma S7).
  bool node_sum(const std::vector<geom::DuffyNode>& rule, const geom::MeasuredSimplex& t,
                const net::AffineForm& h, int power, num::Ball& out);
  const std::vector<geom::DuffyNode>& nodes(int n);
  // ε of S7(c) for rule order n and exponent `power` (f's series over the leaf,
  // computed once per leaf up to the order needed); false when the rule does not apply.
  bool remainder(int n, long power, num::Ball& eps);
  // out ∋ ∫ |R|^p over refused piece i (C3.2), `vol` its volume.
  void crude_part(std::size_t i, const num::Rational& p, const num::Ball& vol, num::Ball& out) const;
  // I9 (e)'s terms on an affine piece, shared by enclose and may_beat: the remainder for an
  // even p, and the cap |T| M^p.
  void even_remainder(long power, const num::Ball& pb, const num::Ball& m_sup, const num::Ball& eps,
                      const num::Ball& vol, num::Ball& out) const;
  void piece_cap(long power, const num::Ball& m_sup, const num::Ball& vol, num::Ball& out) const;
  // ⊇ sup_t |f − h| from f(box) and h at t's vertices.
  num::Ball sup_bound(const AffineSimplex& pc) const;

  const resid::Residual* residual_;
  expr::BallEvaluator f_;
  expr::SeriesEvaluator series_;
  slong prec_;
  int d_;
  std::vector<AffineSimplex> pieces_;
  std::vector<num::Ball> crude_;  // per piece: ⊇ R over its bounding box (refused pieces)
  std::vector<num::Ball> sup_;    // per piece: sup_bound (affine pieces), once per leaf
  num::Ball f_range_;             // ⊇ f(box)
  bool have_model_ = false;
  net::AffineForm model_;  // A with |f − A| <= e_ on the box
  num::Rational e_;
  std::vector<num::Ball> base_, direction_, series_out_, x_;
  int series_order_ = -1;  // orders of series_out_ computed for this leaf (-1: none, -2: failed)
  std::vector<std::pair<int, std::vector<geom::DuffyNode>>> rules_;  // per n, at rules_prec_
  slong rules_prec_ = 0;
  num::Ball factorial_;
};

}  // namespace mgdl::certify
