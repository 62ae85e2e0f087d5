#include "mgdl/net/correction.hpp"

namespace mgdl::net {

using num::Ball;

num::Rational value_at(const AffineForm& l, const std::vector<num::Rational>& x) {
  num::Rational v = l.constant;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (l.gradient[i] != 0) v += l.gradient[i] * x[i];
  return v;
}

bool changes_sign_on(const AffineForm& l, const Box& box) {
  num::Rational lmax = l.constant, lmin = l.constant;
  for (std::size_t i = 0; i < box.lo.size(); ++i) {
    const num::Rational a = l.gradient[i] * box.lo[i], b = l.gradient[i] * box.hi[i];
    lmax += a > b ? a : b;
    lmin += a > b ? b : a;
  }
  return lmax > 0 && lmin < 0;
}

bool polygon_in_cell(const Box& cell, const std::vector<std::vector<num::Rational>>& vertices, std::size_t d) {
  if (cell.lo.size() != d || cell.hi.size() != d || vertices.empty()) return false;
  for (const auto& v : vertices) {
    if (v.size() != d) return false;
    for (std::size_t i = 0; i < d; ++i)
      if (v[i] < cell.lo[i] || v[i] > cell.hi[i]) return false;
  }
  return true;
}

Ball Correction::evaluate_ball(const std::vector<num::Rational>& x, slong prec) const {
  return Ball::from_rational(evaluate(x), prec);
}

void Correction::enclose_balls(const Box& box, slong prec, BallEnclosure& out) const {
  const LinearEnclosure e = enclose(box);
  auto interval = [prec](const num::Rational& lo, const num::Rational& hi) {
    return lo == hi ? Ball::from_rational(lo, prec) : Ball::from_interval(lo, hi, prec);
  };
  out.value_at_center = Ball::from_rational(e.value_at_center, prec);
  out.gradient.resize(e.gradient_lo.size());
  for (std::size_t i = 0; i < e.gradient_lo.size(); ++i) out.gradient[i] = interval(e.gradient_lo[i], e.gradient_hi[i]);
  out.affine = e.affine;
  out.range = interval(e.range_lo, e.range_hi);
}

std::vector<num::Rational> Correction::first_axis_breakpoints(const Box& box, int axis, std::size_t limit) const {
  std::vector<num::Rational> all = axis_breakpoints(box, axis);
  if (all.size() > limit) all.resize(limit);
  return all;
}

bool Correction::has_axis_breakpoints(const Box& box, int axis) const {
  return !first_axis_breakpoints(box, axis, 1).empty();
}

bool Correction::oblique_kinks(const Box&, std::vector<AffineForm>&) const {
  return false;
}

bool Correction::add_affine_on(const Box&, const std::vector<std::vector<num::Rational>>&,
                               AffineForm&) const {
  return false;
}

}  // namespace mgdl::net
