#include "box_eval.hpp"

#include "mgdl/certify/tree.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace mgdl::certify::detail {

using num::Ball;
using num::Rational;

slong jet_with_precision(resid::ResidualEvaluator& ev, const net::Box& box, slong prec, slong max_prec,
                         resid::ResidualJet& jet) {
  for (;;) {
    ev.set_precision(prec);
    ev.jet(box, jet);
    const bool finite = jet.range.is_finite();
    const bool rounding_dominated =
        !finite || (jet.value.rad_approx() * 16.0 > jet.range.rad_approx() && jet.value.rad_approx() > 0.0);
    if (!rounding_dominated || prec * 2 > max_prec) return prec;
    prec *= 2;
  }
}

void try_witness(resid::ResidualEvaluator& ev, const std::vector<Rational>& x, Witness& best) {
  Ball v = ev.at_point(x);
  if (!v.is_finite()) return;
  Rational lo = num::lower_rational(v);
  Rational hi = num::upper_rational(v);
  Rational abs_lo(0);
  if (lo > 0) abs_lo = lo;
  else if (hi < 0) abs_lo = -hi;
  if (!best.found || abs_lo > best.abs_lower) {
    best.found = true;
    best.point = x;
    best.abs_lower = abs_lo;
    best.lower = lo;
    best.upper = hi;
  }
}

namespace {

// x snapped to a multiple of 2^-40 and clamped into [lo, hi] (lo, hi
// dyadic): an exact dyadic point. floor(x·2^40) is an integer-valued double
// for |x| < 2^12, and a double converts to a Rational exactly.
Rational snap(double x, const Rational& lo, const Rational& hi) {
  if (!std::isfinite(x) || std::fabs(x) > 4096.0) return (lo + hi) / 2;
  Rational r(std::ldexp(std::floor(std::ldexp(x, 40)), -40));
  if (r < lo) r = lo;
  if (r > hi) r = hi;
  return r;
}

// Solves H s = -g (d <= 4) by Gaussian elimination with partial pivoting;
// false when singular.
bool newton_step(std::vector<double> h, std::vector<double> g, std::vector<double>& s) {
  const std::size_t d = g.size();
  for (std::size_t k = 0; k < d; ++k) {
    std::size_t piv = k;
    for (std::size_t i = k + 1; i < d; ++i)
      if (std::fabs(h[i * d + k]) > std::fabs(h[piv * d + k])) piv = i;
    if (!(std::fabs(h[piv * d + k]) > 1e-300)) return false;
    if (piv != k) {
      for (std::size_t j = 0; j < d; ++j) std::swap(h[k * d + j], h[piv * d + j]);
      std::swap(g[k], g[piv]);
    }
    for (std::size_t i = k + 1; i < d; ++i) {
      double f = h[i * d + k] / h[k * d + k];
      for (std::size_t j = k; j < d; ++j) h[i * d + j] -= f * h[k * d + j];
      g[i] -= f * g[k];
    }
  }
  s.assign(d, 0.0);
  for (std::size_t k = d; k-- > 0;) {
    double acc = -g[k];
    for (std::size_t j = k + 1; j < d; ++j) acc -= h[k * d + j] * s[j];
    s[k] = acc / h[k * d + k];
  }
  return true;
}

}  // namespace

std::vector<double> newton_offset(const resid::ResidualJet& jet) {
  std::vector<double> s;
  if (!jet.smooth) return s;
  const std::size_t d = jet.gradient.size();
  std::vector<double> g(d), h(d * d);
  for (std::size_t i = 0; i < d; ++i) g[i] = jet.gradient[i].mid_approx();
  for (std::size_t i = 0; i < d * d; ++i) h[i] = jet.hessian[i].mid_approx();
  if (!newton_step(h, g, s)) s.clear();
  return s;
}

Witness witness_candidates(resid::ResidualEvaluator& ev, const net::Box& box, const std::vector<double>& offset) {
  Witness best;
  std::vector<Rational> c = box.center();
  try_witness(ev, c, best);
  const std::size_t d = c.size();
  if (offset.size() != d) return best;
  std::vector<Rational> x(d);
  bool moved = false;
  for (std::size_t i = 0; i < d; ++i) {
    double ci = num::to_double_approx(c[i]);
    x[i] = snap(ci + offset[i], box.lo[i], box.hi[i]);
    if (x[i] != c[i]) moved = true;
  }
  if (moved) try_witness(ev, x, best);
  return best;
}

int choose_split_axis(const resid::Residual& residual, const net::Box& box, int max_level) {
  const int d = box.dimension();
  // 2^-max_level, built once per thread and level.
  thread_local int cached_level = -1;
  thread_local Rational floor_width;
  if (cached_level != max_level) {
    floor_width = Rational(num::Integer(1), num::Integer(1) << max_level);
    cached_level = max_level;
  }
  if (d == 1) return box.hi[0] - box.lo[0] < floor_width ? -1 : 0;  // one axis: no kink query
  std::vector<Rational> width(static_cast<std::size_t>(d));
  int widest = 0;
  for (int i = 0; i < d; ++i) {
    width[static_cast<std::size_t>(i)] = box.width(i);
    if (width[static_cast<std::size_t>(i)] > width[static_cast<std::size_t>(widest)]) widest = i;
  }
  if (width[static_cast<std::size_t>(widest)] < floor_width) return -1;
  int kinked = -1;
  for (int i = 0; i < d; ++i) {
    const Rational& w = width[static_cast<std::size_t>(i)];
    if (w < floor_width || (kinked >= 0 && !(w > width[static_cast<std::size_t>(kinked)]))) continue;
    if (residual.has_axis_breakpoints(box, i)) kinked = i;
  }
  return kinked >= 0 ? kinked : widest;
}

bool stop_requested(const Options& options, StopReason& reason) {
  if (options.cancel != nullptr && options.cancel->load()) {
    reason = StopReason::cancelled;
    return true;
  }
  if (options.deadline && std::chrono::steady_clock::now() >= *options.deadline) {
    reason = StopReason::deadline;
    return true;
  }
  return false;
}

bool budget_exhausted(const Options& options, long boxes, std::size_t frontier, StopReason& reason) {
  if (stop_requested(options, reason)) return true;
  if (boxes >= options.max_boxes) {
    reason = StopReason::box_budget;
    return true;
  }
  if (static_cast<long>(frontier) >= options.max_frontier) {
    reason = StopReason::frontier_cap;
    return true;
  }
  return false;
}

BoxKinks classify_kinks(const resid::Residual& residual, const net::Box& box, int max_level) {
  if (box.dimension() != 1 || choose_split_axis(residual, box, max_level) < 0) return BoxKinks::some;
  const std::vector<Rational> kinks = residual.first_axis_breakpoints(box, 0, 2);
  if (kinks.empty()) return BoxKinks::none;
  if (kinks.size() >= 2 || kinks[0] == (box.lo[0] + box.hi[0]) / 2) return BoxKinks::split_now;
  return BoxKinks::some;
}

void prove_fact(resid::ResidualEvaluator& ev, const resid::Residual& residual, const Options& options,
                SupportFact& fact) {
  CoverTree tree(fact.root);
  struct Item {
    int node;
    net::Box box;
    slong prec;
  };
  std::vector<Item> stack{{CoverTree::root(), fact.root, options.precision}};
  Ball mu = Ball::from_rational(fact.mu, options.precision);
  fact.reason = StopReason::converged;
  resid::ResidualJet jet;
  while (!stack.empty()) {
    if (fact.boxes >= options.max_fact_boxes) {
      fact.reason = StopReason::box_budget;
      break;
    }
    if ((fact.boxes & 255) == 0 && stop_requested(options, fact.reason)) break;
    Item item = std::move(stack.back());
    stack.pop_back();
    ++fact.boxes;
    const slong prec = detail::jet_with_precision(ev, item.box, item.prec, options.max_precision, jet);
    if (jet.range.is_finite()) {
      // sign·R(B) − mu: certainly >= 0 proves the leaf; certainly < 0 refutes.
      Ball v;
      arb_mul_si(v.arb(), jet.range.arb(), fact.sign, prec);
      arb_sub(v.arb(), v.arb(), mu.arb(), prec);
      if (arb_is_nonnegative(v.arb())) continue;
      if (arb_is_negative(v.arb())) {
        fact.reason = StopReason::refuted;
        break;
      }
    }
    const int axis = detail::choose_split_axis(residual, item.box, options.max_level);
    if (axis < 0) {
      fact.reason = StopReason::precision_cap;
      break;
    }
    const int lower = tree.split(item.node, axis);
    // Upper half pushed first so the lower half is processed first.
    stack.push_back({lower + 1, half_box(item.box, axis, true), prec});
    stack.push_back({lower, half_box(item.box, axis, false), prec});
  }
  fact.status = fact.reason == StopReason::converged ? Status::proven : Status::not_certified;
  fact.tree = tree.to_string();
}

}  // namespace mgdl::certify::detail
