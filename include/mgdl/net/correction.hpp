// The structured (sparse) form of one grade's correction h_m, used for fast
// evaluation; each kind also builds the dense GradeBlock that realises it
// exactly (cutoffs: proofs/cutoff.md, Lemma A5).
#pragma once

#include "mgdl/net/box.hpp"
#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace mgdl::net {

// Enclosure of a Lipschitz piecewise-linear function on a box B with center c:
// value at c (exact), and a hull of its (generalised) gradient over B, so that
// h(x) ∈ value + gradient·(x − c) for x ∈ B (proofs/certification.md, C2).
// `affine` is true when h is exactly affine on B (then gradient is exact).
struct LinearEnclosure {
  num::Rational value_at_center;
  std::vector<num::Rational> gradient_lo, gradient_hi;
  bool affine = true;
  num::Rational range_lo, range_hi;  // exact range of h over B when affine, else a certified hull
};

// The ball form of a LinearEnclosure, for the branch-and-bound hot path:
// each ball contains the corresponding exact quantity of some valid
// LinearEnclosure on the box (value at the center, gradient hull component,
// range), so C2 holds with them unchanged.
struct BallEnclosure {
  num::Ball value_at_center;
  std::vector<num::Ball> gradient;
  bool affine = true;
  num::Ball range;
};

// An exact affine function l(x) = constant + Σ_i gradient_i x_i (Ω coordinates).
struct AffineForm {
  num::Rational constant;
  std::vector<num::Rational> gradient;
};

// l(x) exactly.
num::Rational value_at(const AffineForm& l, const std::vector<num::Rational>& x);
// Whether l takes both strict signs on the box (its extremes are at corners).
bool changes_sign_on(const AffineForm& l, const Box& box);
// The arguments of add_affine_on are well formed: a d-dimensional cell and a
// non-empty list of d-dimensional vertices inside it.
bool polygon_in_cell(const Box& cell, const std::vector<std::vector<num::Rational>>& vertices, std::size_t d);

class Correction {
 public:
  virtual ~Correction() = default;
  virtual int dimension() const = 0;
  virtual std::string scheme() const = 0;  // "cutoff" or "hat"
  // h(x) exactly.
  virtual num::Rational evaluate(const std::vector<num::Rational>& x) const = 0;
  // Enclosure of h on the box (see LinearEnclosure).
  virtual LinearEnclosure enclose(const Box& box) const = 0;
  // h(x) as a ball at `prec` bits (default: the exact value, rounded).
  virtual num::Ball evaluate_ball(const std::vector<num::Rational>& x, slong prec) const;
  // enclose() as balls (default: the exact enclosure, rounded outward).
  virtual void enclose_balls(const Box& box, slong prec, BallEnclosure& out) const;
  // Coordinates along `axis` where h has a kink hyperplane x_axis = t crossing
  // the open box (sorted, unique). Subdividing there makes h affine on the
  // pieces in 1D; in d >= 2 cutoffs also have oblique kinks (then `affine` is false).
  virtual std::vector<num::Rational> axis_breakpoints(const Box& box, int axis) const = 0;
  // The smallest min(limit, all) of axis_breakpoints(box, axis), sorted. A
  // correction overrides it when it can stop early (the branch and bound asks
  // only "none, one (where?), or several").
  virtual std::vector<num::Rational> first_axis_breakpoints(const Box& box, int axis, std::size_t limit) const;
  // Whether axis_breakpoints(box, axis) is not empty (overridden to stop at
  // the first kink found).
  virtual bool has_axis_breakpoints(const Box& box, int axis) const;
  // Oblique kinks (proofs/integration.md, Lemma I8). `cell` is a box with no
  // axis breakpoint of h in the open interior. Appends affine functions whose
  // zero lines are the other kinks of h crossing the open cell; false when the
  // kind cannot describe them (then `out` is unusable).
  virtual bool oblique_kinks(const Box& cell, std::vector<AffineForm>& out) const;
  // h on the convex polygon `vertices` ⊆ cell, certified exactly: out += the
  // affine function equal to h there; false when affinity is not proven.
  virtual bool add_affine_on(const Box& cell, const std::vector<std::vector<num::Rational>>& vertices,
                             AffineForm& out) const;
  // The support: h = 0 outside the union of these boxes.
  virtual std::vector<Box> support_boxes() const = 0;
  // Number of cutoff/hat units with nonzero coefficient.
  virtual std::size_t active_units() const = 0;
  // Dense exact realisation (fixed width; see the scheme's lemma).
  virtual GradeBlock realise() const = 0;
  // True when h is identically zero.
  bool trivial() const { return active_units() == 0; }
};

// One cutoff unit (SPEC section 4): core Q = Π[a_i, b_i], margins rho_i > 0,
// ψ_Q(x) = σ(1 − Σ_i [σ((a_i − x_i)/rho_i) + σ((x_i − b_i)/rho_i)]).
struct Cutoff {
  std::vector<num::Rational> a, b, rho;
  num::Rational coefficient;  // c_Q (nonzero for stored units)

  Box core() const;
  Box support() const;  // closure of S(Q) = Π[a_i − rho_i, b_i + rho_i]
  // ψ_Q(x) exactly (proofs/cutoff.md, Lemma A1).
  num::Rational psi(const std::vector<num::Rational>& x) const;
};

}  // namespace mgdl::net
