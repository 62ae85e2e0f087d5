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

void Residual::correction_on(const net::Box& box, slong prec, net::BallEnclosure& out) const {
  const auto du = static_cast<std::size_t>(box.dimension());
  out.gradient.resize(du);
  if (corrections_.size() == 1) {
    corrections_.front()->enclose_balls(box, prec, out);
    return;
  }
  arb_zero(out.value_at_center.arb());
  for (auto& g : out.gradient) arb_zero(g.arb());
  arb_zero(out.range.arb());
  out.affine = true;
  net::BallEnclosure e;
  for (const auto& h : corrections_) {
    h->enclose_balls(box, prec, e);
    arb_add(out.value_at_center.arb(), out.value_at_center.arb(), e.value_at_center.arb(), prec);
    for (std::size_t i = 0; i < du; ++i) arb_add(out.gradient[i].arb(), out.gradient[i].arb(), e.gradient[i].arb(), prec);
    out.affine = out.affine && e.affine;
    arb_add(out.range.arb(), out.range.arb(), e.range.arb(), prec);
  }
}

Ball Residual::correction_at(const std::vector<Rational>& x, slong prec) const {
  Ball sum;
  for (const auto& h : corrections_) {
    Ball v = h->evaluate_ball(x, prec);
    arb_add(sum.arb(), sum.arb(), v.arb(), prec);
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

// The first `limit` of a union are among the first `limit` of each part.
std::vector<Rational> Residual::first_axis_breakpoints(const net::Box& box, int axis, std::size_t limit) const {
  if (corrections_.size() == 1) return corrections_.front()->first_axis_breakpoints(box, axis, limit);
  std::vector<Rational> all;
  for (const auto& h : corrections_) {
    std::vector<Rational> b = h->first_axis_breakpoints(box, axis, limit);
    all.insert(all.end(), b.begin(), b.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (all.size() > limit) all.resize(limit);
  return all;
}

bool Residual::oblique_kinks(const net::Box& cell, std::vector<net::AffineForm>& out) const {
  for (const auto& h : corrections_)
    if (!h->trivial() && !h->oblique_kinks(cell, out)) return false;
  return true;
}

bool Residual::affine_on(const net::Box& cell, const std::vector<std::vector<Rational>>& vertices,
                         net::AffineForm& out) const {
  out.constant = 0;
  out.gradient.assign(static_cast<std::size_t>(dimension()), Rational(0));
  for (const auto& h : corrections_)
    if (!h->trivial() && !h->add_affine_on(cell, vertices, out)) return false;
  return true;
}

bool Residual::has_axis_breakpoints(const net::Box& box, int axis) const {
  for (const auto& h : corrections_)
    if (h->has_axis_breakpoints(box, axis)) return true;
  return false;
}

ResidualEvaluator::ResidualEvaluator(const Residual& residual, slong prec)
    : residual_(&residual), f_(residual.target(), prec) {}

slong ResidualEvaluator::precision() const { return f_.precision(); }

void ResidualEvaluator::set_precision(slong prec) { f_.set_precision(prec); }

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

namespace {

struct Arf {
  arf_t v;
  Arf() { arf_init(v); }
  ~Arf() { arf_clear(v); }
  Arf(const Arf&) = delete;
  Arf& operator=(const Arf&) = delete;
};

// out >= max_{t ∈ [0, r]} (β t + ½ η t²) for exact β, η and r >= 0
// (proofs/certification.md, C2.6): convex (η >= 0): the larger end value;
// concave: 0 when β <= 0, else min(β r, β²/(2|η|)) (the vertex value bounds
// the maximum wherever the vertex lies).
void parabola_max(arf_t out, const arf_t beta, const arf_t eta, const arf_t r, slong prec) {
  Ball b, e, rr, v, w;
  arb_set_arf(b.arb(), beta);
  arb_set_arf(e.arb(), eta);
  arb_set_arf(rr.arb(), r);
  if (arf_sgn(eta) >= 0) {
    arb_mul(v.arb(), e.arb(), rr.arb(), prec);
    arb_mul_2exp_si(v.arb(), v.arb(), -1);
    arb_add(v.arb(), v.arb(), b.arb(), prec);
    arb_mul(v.arb(), v.arb(), rr.arb(), prec);  // (β + ½ η r) r
    arb_get_ubound_arf(out, v.arb(), prec);
    if (arf_sgn(out) < 0) arf_zero(out);
    return;
  }
  if (arf_sgn(beta) <= 0) {
    arf_zero(out);
    return;
  }
  arb_mul(v.arb(), b.arb(), rr.arb(), prec);
  arb_get_ubound_arf(out, v.arb(), prec);
  arb_mul(w.arb(), b.arb(), b.arb(), prec);
  arb_div(w.arb(), w.arb(), e.arb(), prec);
  arb_mul_2exp_si(w.arb(), w.arb(), -1);
  arb_neg(w.arb(), w.arb());  // β²/(2|η|)
  Arf vertex;
  arb_get_ubound_arf(vertex.v, w.arb(), prec);
  if (arf_cmp(vertex.v, out) < 0) arf_set(out, vertex.v);
}

}  // namespace

// Never wider than C2's term-by-term form, and much tighter near a maximum
// of |R| (the linear term gives way to the vertex value).
void quadratic_range(Ball& out, const Ball& a, const Ball& g, const Ball& hs, const Ball& radius, slong prec) {
  Arf a_lo, a_hi, b_lo, b_hi, h_lo, h_hi, r, neg, m1, m2, up, low;
  arb_get_lbound_arf(a_lo.v, a.arb(), prec);
  arb_get_ubound_arf(a_hi.v, a.arb(), prec);
  arb_get_lbound_arf(b_lo.v, g.arb(), prec);
  arb_get_ubound_arf(b_hi.v, g.arb(), prec);
  arb_get_lbound_arf(h_lo.v, hs.arb(), prec);
  arb_get_ubound_arf(h_hi.v, hs.arb(), prec);
  arb_get_ubound_arf(r.v, radius.arb(), prec);
  // Upper: t >= 0 takes b = b_hi, t <= 0 (t = −s) takes b = b_lo; both H = H_hi.
  parabola_max(m1.v, b_hi.v, h_hi.v, r.v, prec);
  arf_neg(neg.v, b_lo.v);
  parabola_max(m2.v, neg.v, h_hi.v, r.v, prec);
  if (arf_cmp(m2.v, m1.v) > 0) arf_set(m1.v, m2.v);
  arf_add(up.v, a_hi.v, m1.v, prec, ARF_RND_CEIL);
  // Lower: the same for −q (b → −b, H → −H_lo).
  Arf neg_h;
  arf_neg(neg_h.v, h_lo.v);
  parabola_max(m1.v, neg.v, neg_h.v, r.v, prec);
  parabola_max(m2.v, b_hi.v, neg_h.v, r.v, prec);
  if (arf_cmp(m2.v, m1.v) > 0) arf_set(m1.v, m2.v);
  arf_sub(low.v, a_lo.v, m1.v, prec, ARF_RND_FLOOR);
  arb_set_interval_arf(out.arb(), low.v, up.v, prec);
}

void ResidualEvaluator::jet(const net::Box& box, ResidualJet& out) {
  // With no corrections h = 0 (affine); the same formula then only re-derives
  // f's own Taylor form, intersected with the evaluator's range below.
  residual_->correction_on(box, f_.precision(), h_);
  jet_with(box, h_, out);
}

bool linear_model(const ResidualJet& jet, const net::Box& box, net::AffineForm& a, Rational& e) {
  const std::size_t d = static_cast<std::size_t>(box.dimension());
  if (!jet.value.is_finite() || jet.gradient.size() != d || jet.hessian.size() != d * d) return false;
  for (const Ball& b : jet.gradient)
    if (!b.is_finite()) return false;
  for (const Ball& b : jet.hessian)
    if (!b.is_finite()) return false;
  const std::vector<Rational> c = box.center();
  const Rational vlo = num::lower_rational(jet.value), vhi = num::upper_rational(jet.value);
  a.constant = (vlo + vhi) / 2;
  a.gradient.assign(d, Rational(0));
  e = (vhi - vlo) / 2;
  for (std::size_t i = 0; i < d; ++i) {
    const Rational glo = num::lower_rational(jet.gradient[i]), ghi = num::upper_rational(jet.gradient[i]);
    const Rational ri = box.width(static_cast<int>(i)) / 2;
    a.gradient[i] = (glo + ghi) / 2;
    a.constant -= a.gradient[i] * c[i];
    e += (ghi - glo) / 2 * ri;
    for (std::size_t j = 0; j < d; ++j)
      e += num::abs_upper_rational(jet.hessian[i * d + j]) * ri * (box.width(static_cast<int>(j)) / 2) / 2;
  }
  return true;
}

Ball ResidualEvaluator::enclose_affine(const net::Box& box, const net::AffineForm& form) {
  ResidualJet out;
  jet_affine(box, form, out);
  return out.range;
}

void ResidualEvaluator::jet_affine(const net::Box& box, const net::AffineForm& form, ResidualJet& out) {
  // ℓ's exact value at the centre, gradient and range over the box (corners, separable).
  const slong prec = f_.precision();
  const std::size_t du = static_cast<std::size_t>(box.dimension());
  const std::vector<Rational> c = box.center();
  Rational v = form.constant, lo = form.constant, hi = form.constant;
  h_.gradient.resize(du);
  for (std::size_t i = 0; i < du; ++i) {
    const Rational& g = form.gradient[i];
    v += g * c[i];
    const Rational a = g * box.lo[i], b = g * box.hi[i];
    lo += a < b ? a : b;
    hi += a < b ? b : a;
    h_.gradient[i] = Ball::from_rational(g, prec);
  }
  h_.value_at_center = Ball::from_rational(v, prec);
  h_.range = Ball::from_interval(lo, hi, prec);
  h_.affine = true;
  jet_with(box, h_, out);
}

void ResidualEvaluator::jet_with(const net::Box& box, const net::BallEnclosure& h, ResidualJet& out) {
  const slong prec = f_.precision();
  const int d = box.dimension();
  const std::size_t du = static_cast<std::size_t>(d);
  box.to_balls(lo_, hi_, prec);
  f_.taylor2(lo_.data(), hi_.data(), taylor_);

  out.gradient.resize(du);
  out.hessian = taylor_.hessian;
  out.smooth = h.affine;

  arb_sub(out.value.arb(), taylor_.value.arb(), h.value_at_center.arb(), prec);

  // Half-widths r_i as balls (exact for dyadic boxes at sufficient precision).
  std::vector<Ball> radius(du);
  for (std::size_t i = 0; i < du; ++i) {
    arb_sub(radius[i].arb(), hi_[i].arb(), lo_[i].arb(), prec);
    arb_mul_2exp_si(radius[i].arb(), radius[i].arb(), -1);
  }

  Ball taylor_form = out.value;
  Ball term;
  Ball sym;
  for (std::size_t i = 0; i < du; ++i) {
    arb_sub(out.gradient[i].arb(), taylor_.gradient[i].arb(), h.gradient[i].arb(), prec);
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
  if (du == 1 && arb_is_finite(taylor_form.arb()))
    quadratic_range(taylor_form, out.value, out.gradient[0], taylor_.hessian[0], radius[0], prec);

  Ball direct;
  arb_sub(direct.arb(), taylor_.range.arb(), h.range.arb(), prec);

  if (!arb_is_finite(taylor_form.arb())) {
    out.range = direct;
  } else if (!arb_is_finite(direct.arb())) {
    out.range = taylor_form;
  } else if (arb_contains(direct.arb(), taylor_form.arb())) {
    out.range = std::move(taylor_form);  // the usual case on small boxes; cheaper than intersecting
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
  Ball hx = residual_->correction_at(x, prec);
  arb_sub(fx.arb(), fx.arb(), hx.arb(), prec);
  return fx;
}

}  // namespace mgdl::resid
