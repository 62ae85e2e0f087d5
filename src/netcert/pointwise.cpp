// P1 by branch and bound over dyadic boxes (proofs/networks.md).
//
// On a box B with r = R_{m−1}, s = R_m = r − h:
//  - safe (D <= 0 on B) when h ≡ 0 on B, or h >= 0 and r + s >= 0 on B, or
//    h <= 0 and r + s <= 0, or sup|s| − inf|r| <= 0 (N1, N2);
//  - violated (D > 0 on B) when inf|s| − sup|r| > 0, or h > 0 and r + s < 0,
//    or h < 0 and r + s > 0 (N1);
//  - D <= min(sup|s| − inf|r|, sup|h|) on B (N5).
// Refutations come from exact points only (N3). Doubles order the queues.
#include "pointwise.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <queue>

#include "mgdl/certify/polygon.hpp"
#include "mgdl/certify/tree.hpp"
#include "mgdl/num/bounds.hpp"

namespace mgdl::netcert::detail {
namespace {

using num::Ball;
using num::Rational;

enum class Kind { zero, safe, violated, undecided };  // zero: h ≡ 0 on the box (so D = 0)

struct Classified {
  Kind kind = Kind::undecided;
  Rational d_hi{0};  // certified: D <= d_hi on the box
};

int widest_axis(const net::Box& box) {
  int best = 0;
  for (int i = 1; i < box.dimension(); ++i)
    if (box.width(i) > box.width(best)) best = i;
  return best;
}

bool too_small(const net::Box& box, int max_level) {
  const int a = widest_axis(box);
  num::Integer scale(1);
  scale <<= static_cast<unsigned>(max_level);
  return box.width(a) * Rational(scale) < 1;
}

class Analyzer {
 public:
  // D <= |R_m| <= sup_cur on Ω: the bound of boxes without a finite enclosure.
  Analyzer(const resid::Residual& prev, const resid::Residual& cur, const net::Correction& h, slong prec,
           Rational sup_cur, bool exact)
      : cur_residual_(&cur),
        prev_(prev, prec),
        cur_(cur, prec),
        h_(&h),
        sup_cur_(std::move(sup_cur)),
        exact_(exact) {}

  // Range of h on the box: exact (C2.2) when available, else balls (N8).
  // False when no finite range is known; zero: h ≡ 0 on the box.
  bool h_range(const net::Box& box, Rational& lo, Rational& hi, bool& zero) {
    if (exact_) {
      net::LinearEnclosure e = h_->enclose(box);
      zero = e.affine && e.range_lo == 0 && e.range_hi == 0;
      lo = std::move(e.range_lo);
      hi = std::move(e.range_hi);
      return true;
    }
    net::BallEnclosure e;
    h_->enclose_balls(box, prev_.precision(), e);
    zero = e.affine && arb_is_zero(e.range.arb());
    if (!e.range.is_finite()) return false;
    lo = num::lower_rational(e.range);
    hi = num::upper_rational(e.range);
    return true;
  }

  Classified classify(const net::Box& box) {
    Classified out;
    Rational h_lo, h_hi;
    bool zero = false;
    const bool finite = h_range(box, h_lo, h_hi, zero);
    if (zero) {  // h ≡ 0 on B: D = 0 (N2)
      out.kind = Kind::zero;
      return out;
    }
    if (!finite) {
      out.d_hi = sup_cur_;
      return out;
    }
    const Rational h_abs = std::max(Rational(abs(h_lo)), Rational(abs(h_hi)));
    Ball r = prev_.enclose(box), s = cur_.enclose(box);
    if (!r.is_finite() || !s.is_finite()) {
      out.d_hi = std::min(h_abs, sup_cur_);
      return out;
    }
    const Rational sum_lo = num::lower_rational(r) + num::lower_rational(s);
    const Rational sum_hi = num::upper_rational(r) + num::upper_rational(s);
    // N1: D <= 0 iff h·(r + s) >= 0, pointwise.
    if ((h_lo >= 0 && sum_lo >= 0) || (h_hi <= 0 && sum_hi <= 0)) {
      out.kind = Kind::safe;
      return out;
    }
    Rational gap = num::abs_upper_bound(s).value() - num::abs_lower_bound(r).value();
    out.d_hi = std::min(std::min(gap, h_abs), sup_cur_);  // N5
    if (out.d_hi <= 0) {
      out.kind = Kind::safe;
      return out;
    }
    const Rational d_lo = num::abs_lower_bound(s).value() - num::abs_upper_bound(r).value();
    if (d_lo > 0 || (h_lo > 0 && sum_hi < 0) || (h_hi < 0 && sum_lo > 0)) out.kind = Kind::violated;
    return out;
  }

  // N6.2 (d = 2): on a box where h and Φ_m are affine (exact forms), V ∩ B =
  // {h > 0, g < 0} ∪ {h < 0, g > 0} with g = f − ℓ, ℓ = Φ_m − h/2 (N1: r + s = 2g).
  // With the linear model A of g (Taylor at the centre) and |g − A| <= e on B,
  // [lo, hi] ∋ |V ∩ B| from exact clipped areas. False when a form is not known.
  bool linear_measure(const net::Box& box, Rational& lo, Rational& hi) {
    if (box.dimension() != 2) return false;
    const std::vector<std::vector<Rational>> corners{
        {box.lo[0], box.lo[1]}, {box.hi[0], box.lo[1]}, {box.hi[0], box.hi[1]}, {box.lo[0], box.hi[1]}};
    net::AffineForm hf{Rational(0), {Rational(0), Rational(0)}}, phi;
    if (!h_->add_affine_on(box, corners, hf) || !cur_residual_->affine_on(box, corners, phi)) return false;
    if (hf.constant == 0 && hf.gradient[0] == 0 && hf.gradient[1] == 0) {  // h ≡ 0: D = 0 (N2)
      lo = hi = Rational(0);
      return true;
    }
    net::AffineForm ell = phi;
    ell.constant -= hf.constant / 2;
    for (std::size_t i = 0; i < 2; ++i) ell.gradient[i] -= hf.gradient[i] / 2;
    cur_.jet_affine(box, ell, jet_);
    // A with |g − A| <= e on B (proofs/integration.md, I4(b)).
    net::AffineForm a;
    Rational e;
    if (!resid::linear_model(jet_, box, a, e)) return false;
    auto shifted = [](net::AffineForm l, const Rational& by) {
      l.constant += by;
      return l;
    };
    const net::AffineForm h_pos = hf, h_neg = certify::negated(hf), minus_a = certify::negated(a);
    // Inside: {h >= 0, −A − e >= 0} ∪ {h <= 0, A − e >= 0}; outside the union
    // {h >= 0, −A + e >= 0} ∪ {h <= 0, A + e >= 0} (h = 0 has measure zero: h ≢ 0).
    lo = certify::clipped_area(box, {h_pos, shifted(minus_a, -e)}) +
         certify::clipped_area(box, {h_neg, shifted(a, -e)});
    hi = certify::clipped_area(box, {h_pos, shifted(minus_a, e)}) + certify::clipped_area(box, {h_neg, shifted(a, e)});
    // Outward to 64-bit dyadics: sums of thousands of exact areas would carry
    // ever longer denominators.
    lo = num::round_down(lo, 64);
    hi = num::round_up(hi, 64);
    return true;
  }

  // D(x) = |R_m(x)| − |R_{m−1}(x)| as a ball: f(x) a ball, Φ(x) exact (N3).
  Ball margin_at(const std::vector<Rational>& x) {
    Ball r = prev_.at_point(x);
    Ball s = cur_.at_point(x);
    const slong prec = prev_.precision();
    arb_abs(r.arb(), r.arb());
    arb_abs(s.arb(), s.arb());
    Ball d;
    arb_sub(d.arb(), s.arb(), r.arb(), prec);
    return d;
  }

 private:
  const resid::Residual* cur_residual_;
  resid::ResidualEvaluator prev_, cur_;
  resid::ResidualJet jet_;
  const net::Correction* h_;
  Rational sup_cur_;
  bool exact_;
};

bool stop_now(const certify::Options& o, std::string& why) {
  if (o.cancel != nullptr && o.cancel->load()) {
    why = "cancelled";
    return true;
  }
  if (o.deadline && std::chrono::steady_clock::now() >= *o.deadline) {
    why = "time limit reached";
    return true;
  }
  return false;
}

std::string show_point(const std::vector<Rational>& x) {
  std::string s;
  for (std::size_t i = 0; i < x.size(); ++i)
    s += (i ? ", " : "") + fmt::format("{:.6g}", num::to_double_approx(x[i]));
  return "(" + s + ")";
}

// Phase 1: breadth first (coarse witnesses first) until every leaf is safe or
// a point with a certified positive margin is found.
void prove_or_refute(Analyzer& an, int d, const Options& options, PointwiseResult& out) {
  certify::CoverTree tree(net::Box::unit(d));
  std::deque<std::pair<int, net::Box>> open;
  open.emplace_back(certify::CoverTree::root(), net::Box::unit(d));
  std::string why;
  out.correction_zero = true;
  while (!open.empty()) {
    if (stop_now(options.certify, why) || out.boxes >= options.pointwise_max_boxes) {
      if (why.empty()) why = "box budget exhausted";
      out.message = "P1 undecided: " + why;
      return;
    }
    auto [node, box] = std::move(open.front());
    open.pop_front();
    ++out.boxes;
    Classified c = an.classify(box);
    std::vector<Rational> center = box.center();
    if (c.kind == Kind::zero) continue;
    if (c.kind == Kind::safe) {
      out.correction_zero = false;
      if (out.strict_point.empty()) {  // N4: a point where D < 0 strictly
        Ball m = an.margin_at(center);
        if (m.is_finite() && num::upper_rational(m) < 0) out.strict_point = center;
      }
      continue;
    }
    Ball m = an.margin_at(center);
    if (m.is_finite() && num::lower_rational(m) > 0) {
      out.verdict = Verdict::refuted;
      out.witness = center;
      out.margin_lower = num::lower_rational(m);
      out.message = "|R_m| > |R_{m-1}| at " + show_point(center) + " (unit coordinates)";
      return;
    }
    if (too_small(box, options.certify.max_level)) {
      out.message =
          "P1 undecided near " + show_point(center) + " (unit coordinates): boxes at the finest level";
      return;
    }
    const int axis = widest_axis(box);
    const int lo = tree.split(node, axis);
    open.emplace_back(lo, certify::half_box(box, axis, false));
    open.emplace_back(lo + 1, certify::half_box(box, axis, true));
  }
  out.verdict = Verdict::proven;
  out.tree = tree.to_string();
  if (out.correction_zero) out.strict_point.clear();
}

bool gap_reached(const Rational& lower, const Rational& upper, const Rational& rel_gap) {
  return upper <= 0 || upper - lower <= rel_gap * upper;
}

// Phase 2 (refuted): best first on the upper bound of D; boxes whose bound
// is at most the best certified margin cannot hold the maximum (N5). Every
// box classified is a node of out.violation_tree; on each leaf D <= the
// returned upper bound (discarded: D <= 0 or D <= lower <= upper; kept: its
// bound <= upper), whenever the phase stops.
void violation_sup(Analyzer& an, int d, const Options& options, PointwiseResult& out) {
  struct Open {
    double key;
    long id;
    int node;
    net::Box box;
    Rational d_hi;
  };
  auto less = [](const Open& a, const Open& b) { return a.key != b.key ? a.key < b.key : a.id > b.id; };
  std::priority_queue<Open, std::vector<Open>, decltype(less)> heap(less);
  certify::CoverTree tree(net::Box::unit(d));
  Rational lower = out.margin_lower;
  long ids = 0, boxes = 0;
  auto push = [&](int node, net::Box box) {
    Classified c = an.classify(box);
    ++boxes;
    if (c.kind == Kind::zero || c.kind == Kind::safe || c.d_hi <= lower) return;
    double key = num::to_double_approx(c.d_hi);
    heap.push(Open{key, ids++, node, std::move(box), std::move(c.d_hi)});
  };
  auto finish = [&](const Rational& upper) {
    out.violation_lower = lower;
    out.violation_upper = upper;
    out.violation_tree = tree.to_string();
  };
  std::string why;
  push(certify::CoverTree::root(), net::Box::unit(d));
  while (true) {
    Rational upper = heap.empty() ? lower : std::max(lower, heap.top().d_hi);
    if (gap_reached(lower, upper, options.certify.rel_gap)) {
      out.violation_status = certify::Status::proven;
      finish(upper);
      return;
    }
    if (stop_now(options.certify, why) || boxes >= options.pointwise_max_boxes) {
      finish(upper);
      return;
    }
    Open top = heap.top();
    heap.pop();
    std::vector<Rational> center = top.box.center();
    Ball m = an.margin_at(center);
    if (m.is_finite() && num::lower_rational(m) > lower) {
      lower = num::lower_rational(m);
      out.margin_lower = lower;
      out.witness = center;
    }
    if (too_small(top.box, options.certify.max_level)) {
      heap.push(std::move(top));  // cannot refine: its bound stays
      finish(std::max(lower, heap.top().d_hi));
      return;
    }
    const int axis = widest_axis(top.box);
    const int lo = tree.split(top.node, axis);
    push(lo, certify::half_box(top.box, axis, false));
    push(lo + 1, certify::half_box(top.box, axis, true));
  }
}

// Phase 3 (refuted): measure of {D > 0}. Certainly violated boxes count below,
// safe ones not at all; undecided ones add their volume above (N6), or in 2D
// where h and Φ_m are affine, the exact area bounds of the linear model (N6.2).
// Best first: the leaf with the widest bracket is refined next. Every box
// classified or still open is a node of out.measure_tree; its leaves are
// tagged V (violated), S (safe or zero), L (the linear-model bracket) or U.
void violation_measure(Analyzer& an, int d, const Options& options, PointwiseResult& out) {
  struct Open {
    double key;  // the bracket's width, steering only
    long id;
    int node;
    net::Box box;
    Rational lo, hi;  // this leaf's share of [lower, lower + width]
  };
  auto less = [](const Open& a, const Open& b) { return a.key != b.key ? a.key < b.key : a.id > b.id; };
  std::priority_queue<Open, std::vector<Open>, decltype(less)> heap(less);
  certify::CoverTree tree(net::Box::unit(d));
  std::vector<char> tag{'U'};  // per node
  // With L leaves the checker recomputes each bracket with its own enclosures of f:
  // converge to a third of the gap and widen the claim by a third on each side
  // (without them the sums are exact: the gap itself, no widening).
  const Rational inner = options.certify.rel_gap / 3;
  Rational lower(0), width(0);
  long ids = 0, boxes = 0;
  bool linear = false;
  auto place = [&](int node, net::Box box) {
    ++boxes;
    Classified c = an.classify(box);
    tag.resize(tree.size(), 'U');
    char& t = tag[static_cast<std::size_t>(node)];
    if (c.kind != Kind::undecided) {
      t = c.kind == Kind::violated ? 'V' : 'S';
      if (c.kind == Kind::violated) lower += box.volume();
      return;
    }
    Rational lo(0), hi = box.volume();
    if (d == 2 && an.linear_measure(box, lo, hi)) {
      t = 'L';
      linear = true;
    }
    lower += lo;
    width += hi - lo;
    if (hi == lo || too_small(box, options.certify.max_level)) return;  // final
    const double key = num::to_double_approx(hi - lo);
    heap.push(Open{key, ids++, node, std::move(box), std::move(lo), std::move(hi)});
  };
  std::string why;
  place(certify::CoverTree::root(), net::Box::unit(d));
  while (!heap.empty()) {
    if (lower > 0 && gap_reached(lower, lower + width, linear ? inner : options.certify.rel_gap)) break;
    if (stop_now(options.certify, why) || boxes >= options.pointwise_max_boxes) break;
    Open top = heap.top();
    heap.pop();
    lower -= top.lo;
    width -= top.hi - top.lo;
    const int axis = widest_axis(top.box);
    const int lo = tree.split(top.node, axis);
    place(lo, certify::half_box(top.box, axis, false));
    place(lo + 1, certify::half_box(top.box, axis, true));
  }
  Rational upper = lower + width;
  if (linear) {
    const Rational slack = options.certify.rel_gap / 3 * upper;
    lower = lower > slack ? num::round_down(lower - slack, 64) : Rational(0);
    upper = num::round_up(upper + slack, 64);
  }
  if (upper > 1) upper = 1;
  out.measure_lower = lower;
  out.measure_upper = upper;
  if (lower > 0 && gap_reached(lower, upper, options.certify.rel_gap))
    out.measure_status = certify::Status::proven;
  out.measure_tree = tree.to_string();
  out.measure_leaves.clear();
  for (int leaf : tree.leaf_order()) out.measure_leaves.push_back(tag[static_cast<std::size_t>(leaf)]);
}

}  // namespace

PointwiseResult certify_pointwise(const resid::Residual& prev, const resid::Residual& cur,
                                  const net::Correction& h, const num::Rational& sup_cur,
                                  const Options& options, bool exact) {
  PointwiseResult out;
  const int d = prev.dimension();
  Analyzer an(prev, cur, h, options.certify.precision, sup_cur, exact);
  prove_or_refute(an, d, options, out);
  if (out.verdict != Verdict::proven) out.correction_zero = false;
  if (out.verdict != Verdict::refuted) return out;
  out.violation_lower = out.margin_lower;
  violation_sup(an, d, options, out);
  violation_measure(an, d, options, out);
  return out;
}

}  // namespace mgdl::netcert::detail
