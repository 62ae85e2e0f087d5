// The residual R_m = f − Σ_{k<=m} h_k of a multigrade run, evaluated through
// the structured corrections (never by running a deep network per point).
//
//   Residual r0(program);                       // R_0 = f
//   Residual r1 = r0.with(h1);                  // R_1 = f − h_1
//   ResidualEvaluator ev(r1, 128);              // one per thread
//   Ball range = ev.enclose(box);               // ⊇ R_1(box)
#pragma once

#include "mgdl/expr/program.hpp"
#include "mgdl/net/box.hpp"
#include "mgdl/net/correction.hpp"
#include "mgdl/num/ball.hpp"

#include <memory>
#include <vector>

namespace mgdl::resid {

class Residual {
 public:
  explicit Residual(expr::Program target);
  Residual(expr::Program target, std::vector<std::shared_ptr<const net::Correction>> corrections);
  // R_{m+1} = R_m − next.
  Residual with(std::shared_ptr<const net::Correction> next) const;

  int dimension() const;
  int grades() const { return static_cast<int>(corrections_.size()); }
  const expr::Program& target() const { return target_; }
  const std::vector<std::shared_ptr<const net::Correction>>& corrections() const { return corrections_; }

  // Σ_k h_k(x) exactly.
  num::Rational correction_at(const std::vector<num::Rational>& x) const;
  // Sum of the corrections' enclosures on the box (proofs/certification.md, C2).
  net::LinearEnclosure correction_on(const net::Box& box) const;
  // The same as balls at `prec` bits (the branch-and-bound hot path).
  void correction_on(const net::Box& box, slong prec, net::BallEnclosure& out) const;
  // Σ_k h_k(x) as a ball at `prec` bits.
  num::Ball correction_at(const std::vector<num::Rational>& x, slong prec) const;
  // Union of all corrections' axis breakpoints inside the open box.
  std::vector<num::Rational> axis_breakpoints(const net::Box& box, int axis) const;
  // The smallest min(limit, all) of those, sorted.
  std::vector<num::Rational> first_axis_breakpoints(const net::Box& box, int axis, std::size_t limit) const;
  // All corrections' oblique kinks in a cell (net::Correction::oblique_kinks).
  bool oblique_kinks(const net::Box& cell, std::vector<net::AffineForm>& out) const;
  // Σ_k h_k as one affine form on a convex polygon ⊆ cell, certified; false if not.
  bool affine_on(const net::Box& cell, const std::vector<std::vector<num::Rational>>& vertices,
                 net::AffineForm& out) const;
  // Whether some correction has a kink line of `axis` inside the open box.
  bool has_axis_breakpoints(const net::Box& box, int axis) const;

 private:
  expr::Program target_;
  std::vector<std::shared_ptr<const net::Correction>> corrections_;
};

// Order-2 data of R on a box, valid when `smooth` (the corrections are affine
// on the box, so R inherits f's Taylor form; proofs/certification.md, C2).
struct ResidualJet {
  bool smooth = false;
  num::Ball value;                    // R(c), c the box center
  std::vector<num::Ball> gradient;    // ∇R(c)
  std::vector<num::Ball> hessian;     // Hessian of R over the box (= f's)
  num::Ball range;                    // ⊇ R(box)
};

// proofs/integration.md, Lemma I4(b): from the jet of r on the box (f smooth, the
// corrections affine there), the affine A = a0 + b·(x − c), a0 and b the midpoints
// of r(c) and ∇r(c), written as an absolute form, and e >= sup_box |r − A|:
// e = |r(c) − a0| + Σ |∂_i r(c) − b_i| r_i + ½ Σ_{i,j} sup|∂_ij f| r_i r_j.
// False when the jet is not finite.
bool linear_model(const ResidualJet& jet, const net::Box& box, net::AffineForm& a, num::Rational& e);

// d = 1 (proofs/certification.md, C2.6): a ball containing a + b t + ½ H t²
// for all t ∈ [−r, r], a ∈ a_ball, b ∈ b_ball, H ∈ h_ball (r = the largest
// value of r_ball), each side bounded by its own parabola.
void quadratic_range(num::Ball& out, const num::Ball& a_ball, const num::Ball& b_ball, const num::Ball& h_ball,
                     const num::Ball& r_ball, slong prec);

// Evaluates one Residual in ball arithmetic. Not thread-safe: one per thread.
class ResidualEvaluator {
 public:
  ResidualEvaluator(const Residual& residual, slong prec);
  slong precision() const;
  void set_precision(slong prec);

  // ⊇ R(box): Taylor form of f minus the corrections' linear enclosure,
  // intersected with the direct range (C2).
  num::Ball enclose(const net::Box& box);
  // Order-2 data (see ResidualJet).
  void jet(const net::Box& box, ResidualJet& out);
  // ⊇ (f − ℓ)(box) for the exact affine ℓ: R's range over any part of the box
  // on which the corrections sum to ℓ (proofs/integration.md, Lemma I8(f)).
  num::Ball enclose_affine(const net::Box& box, const net::AffineForm& form);
  // The order-2 data of f − ℓ on the box (value and gradient at the centre,
  // Hessian over the box), for the same exact affine ℓ.
  void jet_affine(const net::Box& box, const net::AffineForm& form, ResidualJet& out);
  // R at a rational point: ball of f(x) at the working precision minus the exact Σ h_k(x).
  num::Ball at_point(const std::vector<num::Rational>& x);

 private:
  void jet_with(const net::Box& box, const net::BallEnclosure& h, ResidualJet& out);
  const Residual* residual_;
  expr::BallEvaluator f_;
  std::vector<num::Ball> lo_, hi_, center_;
  expr::Taylor2 taylor_;
  net::BallEnclosure h_;
};

}  // namespace mgdl::resid
