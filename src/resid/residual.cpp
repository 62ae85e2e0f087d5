#include "mgdl/resid/residual.hpp"

#include <algorithm>
#include <utility>

namespace mgdl::resid {

using num::Ball;
using num::Rational;

Residual::Residual(expr::Program target) : target_(std::move(target)) {}

Residual::Residual(expr::Program target, std::vector<std::shared_ptr<const net::Correction>> corrections)
    : target_(std::move(target)), corrections_(std::move(corrections)) {}

Residual Residual::with(std::shared_ptr<const net::Correction> next) const {
  std::vector<std::shared_ptr<const net::Correction>> all = corrections_;
  all.push_back(std::move(next));
  return Residual(target_, std::move(all));
}

int Residual::dimension() const { return target_.dimension(); }

Rational Residual::correction_at(const std::vector<Rational>& x) const {
  Rational sum(0);
  for (const auto& h : corrections_) sum += h->evaluate(x);
  return sum;
}

// The sum of linear enclosures is a linear enclosure: values and ranges add,
// gradient hulls add as intervals (proofs/certification.md, C2).
net::LinearEnclosure Residual::correction_on(const net::Box& box) const {
  const int d = box.dimension();
  net::LinearEnclosure sum;
  sum.value_at_center = 0;
  sum.gradient_lo.assign(static_cast<std::size_t>(d), Rational(0));
  sum.gradient_hi.assign(static_cast<std::size_t>(d), Rational(0));
  sum.affine = true;
  sum.range_lo = 0;
  sum.range_hi = 0;
  for (const auto& h : corrections_) {
    net::LinearEnclosure e = h->enclose(box);
    sum.value_at_center += e.value_at_center;
    for (std::size_t i = 0; i < static_cast<std::size_t>(d); ++i) {
      sum.gradient_lo[i] += e.gradient_lo[i];
      sum.gradient_hi[i] += e.gradient_hi[i];
    }
    sum.affine = sum.affine && e.affine;
    sum.range_lo += e.range_lo;
    sum.range_hi += e.range_hi;
  }
  return sum;
}

std::vector<Rational> Residual::axis_breakpoints(const net::Box& box, int axis) const {
  std::vector<Rational> all;
  for (const auto& h : corrections_) {
    std::vector<Rational> b = h->axis_breakpoints(box, axis);
    all.insert(all.end(), b.begin(), b.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

ResidualEvaluator::ResidualEvaluator(const Residual& residual, slong prec)
    : residual_(&residual), f_(residual.target(), prec) {}

slong ResidualEvaluator::precision() const { return f_.precision(); }

void ResidualEvaluator::set_precision(slong prec) { f_.set_precision(prec); }

namespace {

// Ball of the exact interval [lo, hi].
Ball interval_ball(const Rational& lo, const Rational& hi, slong prec) {
  if (lo == hi) return Ball::from_rational(lo, prec);
  return Ball::from_interval(lo, hi, prec);
}

}  // namespace

// proofs/certification.md, C2. With c the box center, t = x − c ∈ [−r, r]:
//   f(x) ∈ f(c) + ∇f(c)·t + ½ tᵀ H_f(B) t                 (Taylor, Lagrange remainder)
//   h(x) ∈ h(c) + G·t, G the gradient hull of h over B     (Lipschitz mean value)
// so R(x) ∈ [f(c) − h(c)] + Σ_i (∇_i f(c) − G_i)·[−r_i, r_i]
//           + ½ Σ_i H_ii [0, r_i²] + Σ_{i<j} H_ij [−r_i r_j, r_i r_j].
// The square terms t_i² ∈ [0, r_i²] are kept one-sided (tight). The result is
// intersected with the direct enclosure f(B) − [range_lo, range_hi].
Ball ResidualEvaluator::enclose(const net::Box& box) {
  ResidualJet jet_data;
  jet(box, jet_data);
  return jet_data.range;
}

namespace {

// [−M, M] with M >= |x| for every x in the ball.
void set_symmetric(Ball& out, const Ball& magnitude) {
  arf_zero(arb_midref(out.arb()));
  arb_get_mag(arb_radref(out.arb()), magnitude.arb());
}

}  // namespace

void ResidualEvaluator::jet(const net::Box& box, ResidualJet& out) {
  const slong prec = f_.precision();
  const int d = box.dimension();
  const std::size_t du = static_cast<std::size_t>(d);
  box.to_balls(lo_, hi_, prec);
  f_.taylor2(lo_.data(), hi_.data(), taylor_);

  out.gradient.resize(du);
  out.hessian = taylor_.hessian;
  // With no corrections h = 0 (affine); the same formula then only re-derives
  // f's own Taylor form, intersected with the evaluator's range below.
  const net::LinearEnclosure h = residual_->correction_on(box);
  out.smooth = h.affine;

  Ball hc = Ball::from_rational(h.value_at_center, prec);
  arb_sub(out.value.arb(), taylor_.value.arb(), hc.arb(), prec);

  // Half-widths r_i as balls (exact for dyadic boxes at sufficient precision).
  std::vector<Ball> radius(du);
  for (std::size_t i = 0; i < du; ++i) radius[i] = Ball::from_rational((box.hi[i] - box.lo[i]) / 2, prec);

  Ball taylor_form = out.value;
  Ball term;
  Ball sym;
  for (std::size_t i = 0; i < du; ++i) {
    Ball g = interval_ball(h.gradient_lo[i], h.gradient_hi[i], prec);
    arb_sub(out.gradient[i].arb(), taylor_.gradient[i].arb(), g.arb(), prec);
    // (∇_i f(c) − G_i)·[−r_i, r_i] ⊆ [−M, M], M >= |∇_i f(c) − G_i|·r_i.
    arb_mul(term.arb(), out.gradient[i].arb(), radius[i].arb(), prec);
    set_symmetric(sym, term);
    arb_add(taylor_form.arb(), taylor_form.arb(), sym.arb(), prec);
  }
  Ball unit;  // [0, 1]
  arb_set_d(unit.arb(), 0.5);
  mag_set_d(arb_radref(unit.arb()), 0.5);
  Ball quad;
  for (std::size_t i = 0; i < du; ++i) {
    // ½ H_ii t_i², t_i² ∈ [0, r_i²] (one-sided: tight).
    arb_mul(term.arb(), radius[i].arb(), radius[i].arb(), prec);
    arb_mul(term.arb(), term.arb(), unit.arb(), prec);
    arb_mul(term.arb(), term.arb(), taylor_.hessian[i * du + i].arb(), prec);
    arb_mul_2exp_si(term.arb(), term.arb(), -1);
    arb_add(quad.arb(), quad.arb(), term.arb(), prec);
    for (std::size_t j = i + 1; j < du; ++j) {
      // ½(H_ij + H_ji) t_i t_j = H_ij t_i t_j ∈ [−1, 1]·|H_ij| r_i r_j.
      arb_mul(term.arb(), taylor_.hessian[i * du + j].arb(), radius[i].arb(), prec);
      arb_mul(term.arb(), term.arb(), radius[j].arb(), prec);
      set_symmetric(sym, term);
      arb_add(quad.arb(), quad.arb(), sym.arb(), prec);
    }
  }
  arb_add(taylor_form.arb(), taylor_form.arb(), quad.arb(), prec);

  Ball hr = interval_ball(h.range_lo, h.range_hi, prec);
  Ball direct;
  arb_sub(direct.arb(), taylor_.range.arb(), hr.arb(), prec);

  if (!arb_is_finite(taylor_form.arb())) {
    out.range = direct;
  } else if (!arb_is_finite(direct.arb())) {
    out.range = taylor_form;
  } else if (!arb_intersection(out.range.arb(), taylor_form.arb(), direct.arb(), prec)) {
    // Both contain R(B), so they must meet; if they do not, something upstream
    // is inconsistent and the honest answer is "unknown".
    out.range = Ball::indeterminate();
  }
}

Ball ResidualEvaluator::at_point(const std::vector<Rational>& x) {
  const slong prec = f_.precision();
  center_.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) center_[i] = Ball::from_rational(x[i], prec);
  Ball fx;
  f_.point(center_.data(), fx);
  if (residual_->corrections().empty()) return fx;
  Ball hx = Ball::from_rational(residual_->correction_at(x), prec);
  arb_sub(fx.arb(), fx.arb(), hx.arb(), prec);
  return fx;
}

}  // namespace mgdl::resid
