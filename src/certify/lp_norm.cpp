// L^p norms by adaptive refinement of a cover (proofs/certification.md, C1, C3, C4).
//
// Each leaf B carries an exact dyadic enclosure [lo_B, hi_B] ∋ ∫_B |R|^p; the
// leaves partition Ω, so ∫_Ω |R|^p ∈ [Σ lo_B, Σ hi_B] (sums exact in Q). The
// leaf with the widest enclosure is refined first. Several exponents share one
// cover, each summing over its own leaves (a tree in the cover, so again a
// partition of Ω): the argument holds per exponent.
#include "mgdl/certify/lp_norm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>

#include "box_eval.hpp"
#include "mgdl/certify/leaf_rules.hpp"
#include "mgdl/certify/polygon.hpp"
#include "mgdl/certify/simplicial.hpp"
#include "mgdl/certify/trapezoids.hpp"
#include "mgdl/certify/tree.hpp"
#include "worker_pool.hpp"

namespace mgdl::certify {

using num::Ball;
using num::Rational;

namespace {

constexpr long kShortBits = 64;
// K<n> splits a 1D leaf with at most this many kinks (more: the leaf is split first).
constexpr std::size_t kMaxKinks = 64;
// P<n> cuts a 2D leaf into at most this many pieces (more: the leaf is split first).
constexpr std::size_t kMaxCellCuts = 4;
constexpr std::size_t kMaxLines = 6;
constexpr std::size_t kMaxPieces = 48;
// Gauss points per side in S<n> (I8(i)): its error is the band term, so n = 2
// suffices; measured 1.2x faster than n = 4 on a 2D hat run's L^1.
constexpr int kSplitPoints = 2;
// T<n> is skipped on a leaf where its remainder terms alone exceed this many times the
// leaf's tolerance (the leaf is split regardless; a steering choice, measured in
// bench/RESULTS.md).
constexpr double kSkipAbove = 64;

// One exponent's enclosure of ∫_B |R|^p on a leaf B.
struct PEnclosure {
  Rational lo, hi;  // ∫_B |R|^p ∈ [lo, hi]; hi < 0 marks "unbounded"
  Rational width;   // hi − lo (when bounded)
  double key = 0;   // num::to_double_approx(width): orders the heap (see Narrower)
  LeafRule rule;    // the evidence token of the enclosure kept
};

// A leaf of the shared cover: every exponent's enclosure on the same box.
struct Leaf {
  net::Box box;
  std::vector<PEnclosure> enc;  // one per exponent
  slong prec = 0;
  int axis = -1;
  bool queued = false;  // taken into the current batch
};

// An exponent's heap entry; it goes stale when its node is split for another exponent.
struct Entry {
  bool unbounded = false;
  double key = 0;
  Rational width;
  int node = 0;
};

// The orders G<n> tries, cheapest first: n^d nodes stay below 4096 and n <= 24
// (the checker's largest rule).
std::vector<int> gauss_orders(int d) {
  std::vector<int> out;
  for (int n = 4; n <= 24; n += 4) {
    double nodes = 1;
    for (int i = 0; i < d; ++i) nodes *= n;
    if (nodes > 4096 && !out.empty()) break;
    out.push_back(n);
  }
  return out;
}

// A width below `tolerance` (a double: it only steers) counts as accurate enough.
bool narrow_enough(const Rational& width, double tolerance) {
  return num::to_double_approx(width) <= tolerance;
}

// Max-heap on the enclosure width (unbounded first); ties: smaller node id.
// `key` is a monotone image of the width, so different keys decide without
// GMP and only equal keys compare the exact widths: the same order.
struct Narrower {
  bool operator()(const Entry& a, const Entry& b) const {
    if (a.unbounded != b.unbounded) return b.unbounded;
    if (a.key != b.key) return a.key < b.key;
    if (a.width != b.width) return a.width < b.width;
    return a.node > b.node;
  }
};

// Enclosure of ∫_B |R|^p (C3).
//  (a) always: vol·[min|R|^p, max|R|^p].
//  (b) when R is C² on B (corrections affine) and g = |R|^p is C² there
//      (R of certain sign s, or p an even integer with s = 1):
//      ∫_B g ∈ vol·g(c) + vol·½·[Σ_i H_ii(B) w_i²/12 + Σ_{i≠j} rad(H_ij(B)) w_i w_j/16·[−1,1]]
//      with H = Hessian of g over B by the chain rule:
//      g'' = p(p−1)(sR)^{p−2} R'R'ᵀ + p(sR)^{p−1} s R'',
//      R'(B) = R'(c) + R''(B)·[−r, r] (mean value on the gradient).
// The two are intersected.
// Returns true when (b) was applied (evidence token M), false for (a) alone (C).
bool leaf_integral(const resid::ResidualJet& jet, const net::Box& box, const Rational& p, bool p_integer,
                   bool p_even, slong prec, Rational& lo, Rational& hi) {
  const std::size_t d = static_cast<std::size_t>(box.dimension());
  Ball vol = Ball::from_rational(box.volume(), prec);
  if (!jet.range.is_finite()) {
    lo = 0;
    hi = -1;
    return false;
  }
  Ball absr;
  arb_abs(absr.arb(), jet.range.arb());
  Ball crude;
  pow_nonneg(crude, absr, p, p_integer, prec);
  arb_mul(crude.arb(), crude.arb(), vol.arb(), prec);

  Ball result = crude;
  const num::Truth pos = num::is_positive(jet.range);
  const num::Truth neg = num::is_negative(jet.range);
  const bool sign_known = num::certainly(pos) || num::certainly(neg);
  const bool midpoint = jet.smooth && (sign_known || p_even);
  if (midpoint) {
    const int s = num::certainly(neg) && !p_even ? -1 : 1;
    Ball sr, sv;  // s·R(B), s·R(c)
    arb_mul_si(sr.arb(), jet.range.arb(), s, prec);
    arb_mul_si(sv.arb(), jet.value.arb(), s, prec);
    std::vector<Ball> radius(d), width(d), grad(d);
    for (std::size_t i = 0; i < d; ++i) {
      width[i] = Ball::from_rational(box.width(static_cast<int>(i)), prec);
      arb_mul_2exp_si(radius[i].arb(), width[i].arb(), -1);
    }
    Ball t;
    for (std::size_t i = 0; i < d; ++i) {
      grad[i] = jet.gradient[i];
      for (std::size_t j = 0; j < d; ++j) {
        arb_mul(t.arb(), jet.hessian[i * d + j].arb(), radius[j].arb(), prec);
        arb_add_error(grad[i].arb(), t.arb());
      }
    }
    Ball gc;  // g(c) = (s·R(c))^p
    pow_nonneg(gc, sv, p, p_integer, prec);
    Ball c1, c2;  // p(p−1)(sR)^{p−2} and p(sR)^{p−1}·s over B
    Ball pb = Ball::from_rational(p, prec);
    if (p == 1) {
      arb_zero(c1.arb());
    } else if (p == 2) {
      arb_set_si(c1.arb(), 2);
    } else {
      Ball e = Ball::from_rational(p - 2, prec);
      if (p_integer)
        arb_pow_ui(c1.arb(), sr.arb(), numerator(Rational(p - 2)).convert_to<unsigned long>(), prec);
      else
        arb_pow(c1.arb(), sr.arb(), e.arb(), prec);
      Ball pp = Ball::from_rational(p * (p - 1), prec);
      arb_mul(c1.arb(), c1.arb(), pp.arb(), prec);
    }
    if (p == 1) {
      arb_one(c2.arb());
    } else {
      Ball e = Ball::from_rational(p - 1, prec);
      if (p_integer)
        arb_pow_ui(c2.arb(), sr.arb(), numerator(Rational(p - 1)).convert_to<unsigned long>(), prec);
      else
        arb_pow(c2.arb(), sr.arb(), e.arb(), prec);
      arb_mul(c2.arb(), c2.arb(), pb.arb(), prec);
    }
    arb_mul_si(c2.arb(), c2.arb(), s, prec);
    Ball rem, hij, a, b;
    for (std::size_t i = 0; i < d; ++i) {
      for (std::size_t j = 0; j < d; ++j) {
        arb_mul(a.arb(), grad[i].arb(), grad[j].arb(), prec);
        arb_mul(a.arb(), a.arb(), c1.arb(), prec);
        arb_mul(b.arb(), jet.hessian[i * d + j].arb(), c2.arb(), prec);
        arb_add(hij.arb(), a.arb(), b.arb(), prec);
        arb_mul(t.arb(), width[i].arb(), width[j].arb(), prec);
        if (i == j) {
          arb_div_ui(t.arb(), t.arb(), 12, prec);
          arb_mul(t.arb(), t.arb(), hij.arb(), prec);
          arb_add(rem.arb(), rem.arb(), t.arb(), prec);
        } else {
          // Centered off-diagonal term: with H_ij(B) ⊆ m_ij ± ρ_ij (m_ij the
          // exact ball midpoint), ∫_B m_ij t_i t_j = 0 by symmetry, so only
          // ρ_ij·∫|t_i t_j| = ρ_ij·vol·w_i w_j/16 remains (C3, third order).
          Ball rho;
          mag_set(arb_radref(rho.arb()), arb_radref(hij.arb()));
          arb_div_ui(t.arb(), t.arb(), 16, prec);
          arb_mul(t.arb(), t.arb(), rho.arb(), prec);
          arb_add_error(rem.arb(), t.arb());
        }
      }
    }
    arb_mul_2exp_si(rem.arb(), rem.arb(), -1);
    arb_add(rem.arb(), rem.arb(), gc.arb(), prec);
    arb_mul(rem.arb(), rem.arb(), vol.arb(), prec);
    if (rem.is_finite()) {
      Ball both;
      if (arb_intersection(both.arb(), rem.arb(), crude.arb(), prec)) result = both;
    }
  }
  if (!result.is_finite()) {
    lo = 0;
    hi = -1;
    return false;
  }
  lo = num::lower_rational(result);
  hi = num::upper_rational(result);
  if (lo < 0) lo = 0;
  return midpoint;
}

// [S_lo^{1/p}, S_hi^{1/p}] rounded outward to short dyadics (C4).
void pth_roots(const Rational& s_lo, const Rational& s_hi, const Rational& p, Rational& lo, Rational& hi) {
  const slong prec = 256;
  auto root = [&](const Rational& s, bool upper) -> Rational {
    if (s <= 0) return Rational(0);
    Ball x = Ball::from_rational(s, prec);
    Ball r;
    if (denominator(p) == 1) {
      arb_root_ui(r.arb(), x.arb(), numerator(p).convert_to<unsigned long>(), prec);
    } else {
      Ball e = Ball::from_rational(Rational(1) / p, prec);
      arb_pow(r.arb(), x.arb(), e.arb(), prec);
    }
    if (!r.is_finite()) return upper ? Rational(-1) : Rational(0);
    return upper ? num::round_up(num::upper_rational(r), kShortBits)
                 : num::round_down(num::lower_rational(r), kShortBits);
  };
  lo = root(s_lo, false);
  hi = root(s_hi, true);
  if (lo < 0) lo = 0;
}

// An exponent p and what the rules need to know about it.
struct Exponent {
  Rational p;
  bool integer = false, even = false, one = false;
  double p_gap = 0;  // p·gap: the relative gap of the integral, to first order
  double share = 0;  // a leaf's share of the integral's gap per unit volume (steers only)
};

}  // namespace

LpNormResult certify_lp_norm(const resid::Residual& residual, const Rational& p, const Options& options) {
  return certify_lp_norms(residual, std::vector<Rational>{p}, options).front();
}

std::vector<LpNormResult> certify_lp_norms(const resid::Residual& residual, const std::vector<Rational>& ps,
                                           const Options& options) {
  constexpr std::size_t kMaxExponents = 32;  // the bits of a node's mask
  if (ps.size() > kMaxExponents) {
    std::vector<LpNormResult> out;
    for (std::size_t i = 0; i < ps.size(); i += kMaxExponents) {
      const std::vector<Rational> part(
          ps.begin() + static_cast<std::ptrdiff_t>(i),
          ps.begin() + static_cast<std::ptrdiff_t>(std::min(ps.size(), i + kMaxExponents)));
      for (LpNormResult& r : certify_lp_norms(residual, part, options)) out.push_back(std::move(r));
    }
    return out;
  }
  const int d = residual.dimension();
  const std::size_t np = ps.size();
  const std::uint32_t all = np == kMaxExponents ? ~0U : (1U << np) - 1U;
  // Converge to half the requested gap, then widen the claim by rel_gap/5 on
  // each side (below): an independent checker whose remainder bound is the
  // plain one of C3 (not the centred refinement) still finds its enclosure
  // inside the claim, and a wider claim is still true. Resulting gap < rel_gap.
  const Rational gap = options.rel_gap / 2;
  std::vector<Exponent> ex(np);
  bool any_odd = false;  // some exponent needs R's sign (or I8(g)) on the pieces
  bool any_one = false;
  for (std::size_t k = 0; k < np; ++k) {
    ex[k].p = ps[k];
    ex[k].integer = denominator(ps[k]) == 1;
    ex[k].even = ex[k].integer && numerator(ps[k]) % 2 == 0;
    ex[k].one = ps[k] == 1;
    ex[k].p_gap = num::to_double_approx(ps[k] * gap);
    any_odd = any_odd || !ex[k].even;
    any_one = any_one || ex[k].one;
  }

  const bool high_order = options.lp_rules == LpRules::high_order;
  std::vector<std::unique_ptr<resid::ResidualEvaluator>> evs;
  std::vector<std::unique_ptr<GaussLeafRule>> gauss;
  std::vector<std::unique_ptr<SimplicialRule>> simplicial;
  for (int t = 0; t < options.threads; ++t) {
    evs.push_back(std::make_unique<resid::ResidualEvaluator>(residual, options.precision));
    if (high_order) gauss.push_back(std::make_unique<GaussLeafRule>(residual, options.precision));
    // T<n> in d = 3 only: in d = 4 (24 simplices per cell, n^4 nodes each) it cost more than it
    // gained (bench/RESULTS.md: (x1+..+x4)/4's R_1 L^2 gap after 60 s, 0.43 with it, 0.06 without).
    if (high_order && d == 3)
      simplicial.push_back(std::make_unique<SimplicialRule>(residual, options.precision));
  }
  detail::WorkerPool pool(options.threads);
  const std::vector<int> orders = gauss_orders(d);
  // T<n>: n^d nodes per simplex; n = 3 is the least with m >= 1 for p = 2 in d = 3. For
  // p = 1 a band term (O(w^{d+3}), Lemma I9) often bounds the width from n = 4 on (m = 5 in
  // d = 3), so it starts there; without one, n = 6 still pays.
  const std::vector<int> simplicial_orders{3, 4, 6}, simplicial_orders_one{4, 6};

  // Keeps [lo, hi] (by `rule`) if it is narrower than the leaf's current enclosure.
  auto keep_narrower = [](PEnclosure& cur, const Rational& lo, const Rational& hi, LeafRule rule) {
    if (cur.hi < 0 || hi - lo < cur.width) {
      cur.lo = lo;
      cur.hi = hi;
      cur.width = hi - lo;
      cur.rule = rule;
    }
  };
  auto offer = [&](PEnclosure& cur, const Ball& enc, LeafRule rule) {
    Rational lo = num::lower_rational(enc), hi = num::upper_rational(enc);
    if (lo < 0) lo = 0;
    keep_narrower(cur, lo, hi, rule);
  };
  // fn(k, exponent k) for every exponent in `mask`.
  auto each = [&](std::uint32_t mask, const auto& fn) {
    for (std::size_t k = 0; k < np; ++k)
      if ((mask >> k & 1U) != 0) fn(k, ex[k]);
  };
  // vol·(|R|(B))^p, rule (a) of C3.
  auto crude_on = [](const Exponent& e, const Ball& range, const Rational& vol, slong prec, Ball& out) {
    Ball absr;
    arb_abs(absr.arb(), range.arb());
    pow_nonneg(out, absr, e.p, e.integer, prec);
    arb_mul(out.arb(), out.arb(), Ball::from_rational(vol, prec).arb(), prec);
  };

  // The width below which an enclosure of ∫_B |R|^p on a box of volume `vol`, with lower end
  // `lo`, is narrow enough not to be refined: the leaf's share of the gap, or 1/8 of the
  // relative gap of its own integral (a double: it only steers).
  auto tolerance_of = [](const Exponent& e, const Rational& vol, const Rational& lo) {
    return std::max(e.share * num::to_double_approx(vol), e.p_gap / 8 * num::to_double_approx(lo));
  };
  // Rule `kind` (G<n>, Lemma I1, or K<n>, Lemma I5) for n = 4, 8, ...: the
  // first order narrow enough for the leaf's share (or 1/8 of the relative gap
  // of its own integral), else the narrowest while raising the order still
  // pays (width / 4 per step). `enclose(n, out)` returns 0 (or false) when the rule
  // fails, a negative value when it skipped order n (higher orders may still pay).
  auto try_orders_in = [&](const std::vector<int>& order_list, char kind, const Exponent& e,
                           const Ball& range, const net::Box& box, slong prec, PEnclosure& cur,
                           const auto& enclose) {
    const Rational vol = box.volume();
    Ball crude;
    crude_on(e, range, vol, prec, crude);
    Rational prev_width(-1);
    for (int n : order_list) {
      Ball enc;
      const int applied = static_cast<int>(enclose(n, enc));
      if (applied == 0) return;
      if (applied < 0) continue;
      Ball both;
      if (arb_intersection(both.arb(), enc.arb(), crude.arb(), prec)) enc = both;
      Rational lo = num::lower_rational(enc), hi = num::upper_rational(enc);
      if (lo < 0) lo = 0;
      const Rational width = hi - lo;
      keep_narrower(cur, lo, hi, LeafRule{kind, n});
      if (narrow_enough(width, tolerance_of(e, vol, lo))) return;
      if (prev_width >= 0 && width * 4 > prev_width) return;
      prev_width = width;
    }
  };

  auto try_orders = [&](char kind, const Exponent& e, const Ball& range, const net::Box& box, slong prec,
                        PEnclosure& cur, const auto& enclose) {
    try_orders_in(orders, kind, e, range, box, prec, cur, enclose);
  };
  // Whether exponent k's enclosure on `r` is narrow enough not to follow a split (try_orders' test).
  auto narrow_for = [&](std::size_t k, const Leaf& r) {
    const PEnclosure& c = r.enc[k];
    return c.hi >= 0 && narrow_enough(c.width, tolerance_of(ex[k], r.box.volume(), c.lo));
  };
  // T<n> (Lemma I9; the producer uses it in d = 3) on the leaf for the exponents in `mask` it serves
  // (p = 1 or even), the pieces prepared once for all of them.
  auto try_simplicial = [&](int worker, const net::Box& box, const Ball& range, slong prec,
                            std::uint32_t mask, Leaf& leaf) {
    if (simplicial.empty()) return;
    SimplicialRule& t = *simplicial[static_cast<std::size_t>(worker)];
    bool any = false, need_model = false;
    each(mask, [&](std::size_t, const Exponent& e) {
      any = any || e.one || e.even;
      need_model = need_model || e.one;
    });
    if (!any || !t.prepare(box, *evs[static_cast<std::size_t>(worker)], prec, need_model)) return;
    each(mask, [&](std::size_t k, const Exponent& e) {
      if (!e.one && !e.even) return;
      try_orders_in(e.one ? simplicial_orders_one : simplicial_orders, 'T', e, range, box, prec, leaf.enc[k],
                    [&](int n, Ball& sum) {
                      // The node sums dominate T's cost: skip an order whose remainder alone
                      // is wider than the enclosure it would have to beat, or so far above the
                      // leaf's tolerance that the leaf will be split all the same.
                      const PEnclosure& cur = leaf.enc[k];
                      const double beat = std::min(
                          cur.hi >= 0 ? num::to_double_approx(cur.width) : HUGE_VAL,
                          kSkipAbove * tolerance_of(e, box.volume(), cur.hi >= 0 ? cur.lo : Rational(0)));
                      if (!t.may_beat(n, e.p, beat)) return -1;
                      return t.enclose(n, e.p, sum) ? 1 : 0;
                    });
    });
  };
  // Lemma I8 pieces of a 2D leaf: false when there are too many or the
  // corrections cannot describe their kinks.
  struct Piece {
    Trapezoid t;
    net::AffineForm h;
    bool affine = false;
    bool has_range = false;
    Ball range;  // with has_range: ⊇ R(t), R over its bounding box
    bool has_crossing = false;
    Ball crossing;  // with has_crossing (R may change sign on t): ⊇ ∫_t |R| by I8(g)
  };
  // Lemma I8(g): ∫_t |f − h| ∈ ∫_t |A| ± e·|t| with the linear model A of f − h on
  // t's bounding box (I4(b)); ∫_t |A| exactly, t cut by the line A = 0.
  auto crossing_integral = [&](resid::ResidualEvaluator& ev, Piece& pc, resid::ResidualJet& jet) {
    const net::Box bb = pc.t.bounding_box();
    ev.jet_affine(bb, pc.h, jet);
    pc.range = jet.range;
    pc.has_range = true;
    net::AffineForm a;
    Rational e;
    if (!any_one || num::certainly(num::is_positive(jet.range)) ||
        num::certainly(num::is_negative(jet.range)) || !resid::linear_model(jet, bb, a, e))
      return;
    Polygon poly;
    for (const auto& v : pc.t.vertices()) poly.push_back(Point2{v[0], v[1]});
    const Rational abs_a = abs_integral(poly, a);
    const Rational err = e * pc.t.area();
    const Rational lo = abs_a > err ? Rational(abs_a - err) : Rational(0);
    pc.crossing =
        Ball::from_interval(num::round_down(lo, 64), num::round_up(abs_a + err, 64), options.precision);
    pc.has_crossing = true;
  };
  // Lemma I8(i) on a smooth 2D leaf: h exactly affine on it, A and e from its jet.
  auto abs_split_on_box = [&](GaussLeafRule& g, const resid::ResidualJet& jet, const net::Box& box, int n,
                              slong prec, Ball& out_ball) {
    const std::vector<std::vector<Rational>> corners{
        {box.lo[0], box.lo[1]}, {box.hi[0], box.lo[1]}, {box.hi[0], box.hi[1]}, {box.lo[0], box.hi[1]}};
    net::AffineForm h, a;
    Rational e;
    if (!residual.affine_on(box, corners, h) || !resid::linear_model(jet, box, a, e)) return false;
    const Trapezoid t{box.lo[0], box.hi[0], box.lo[1], box.lo[1], box.hi[1], box.hi[1]};
    return g.enclose_abs_split(t, a, e, h, n, prec, out_ball);
  };
  std::vector<std::vector<Piece>> pieces_of(static_cast<std::size_t>(options.threads));
  auto kink_pieces = [&](const net::Box& box, resid::ResidualEvaluator& ev, std::vector<Piece>& found) {
    found.clear();
    std::vector<Rational> cx = residual.first_axis_breakpoints(box, 0, kMaxCellCuts + 1);
    std::vector<Rational> cy = residual.first_axis_breakpoints(box, 1, kMaxCellCuts + 1);
    if (cx.size() > kMaxCellCuts || cy.size() > kMaxCellCuts) return false;
    cx.insert(cx.begin(), box.lo[0]);
    cx.push_back(box.hi[0]);
    cy.insert(cy.begin(), box.lo[1]);
    cy.push_back(box.hi[1]);
    std::vector<net::AffineForm> lines;
    std::vector<Trapezoid> traps;
    resid::ResidualJet piece_jet;
    for (std::size_t a = 0; a + 1 < cx.size(); ++a)
      for (std::size_t b = 0; b + 1 < cy.size(); ++b) {
        net::Box cell;
        cell.lo = {cx[a], cy[b]};
        cell.hi = {cx[a + 1], cy[b + 1]};
        lines.clear();
        traps.clear();
        if (!residual.oblique_kinks(cell, lines) || lines.size() > kMaxLines) return false;
        if (!trapezoids(cell, lines, kMaxPieces, traps) || found.size() + traps.size() > kMaxPieces)
          return false;
        for (Trapezoid& t : traps) {
          Piece pc;
          pc.affine = residual.affine_on(cell, t.vertices(), pc.h);
          pc.t = std::move(t);
          // R = f − h on the piece: f's Taylor form less h's exact form, with no
          // second pass through the corrections.
          // An even p needs no sign: the range waits until a piece falls back to the crude rule.
          if (pc.affine && any_odd) crossing_integral(ev, pc, piece_jet);
          found.push_back(std::move(pc));
        }
      }
    return true;
  };

  // The enclosures on `box` of the exponents in `mask`; the jet, the kinks and the
  // pieces are computed once for all of them.
  auto evaluate = [&](int worker, const net::Box& box, slong prec, std::uint32_t mask) {
    Leaf leaf;
    resid::ResidualJet jet;
    resid::ResidualEvaluator& ev = *evs[static_cast<std::size_t>(worker)];
    leaf.prec = detail::jet_with_precision(ev, box, prec, options.max_precision, jet);
    leaf.box = box;
    leaf.enc.resize(np);
    each(mask, [&](std::size_t k, const Exponent& e) {
      PEnclosure& c = leaf.enc[k];
      // The crude rule alone is token C: the checker's M would demand (b)'s hypotheses.
      if (!leaf_integral(jet, box, e.p, e.integer, e.even, leaf.prec, c.lo, c.hi)) c.rule = LeafRule{'C', 0};
      if (c.hi >= 0) c.width = c.hi - c.lo;
    });
    if (high_order && jet.range.is_finite()) {
      GaussLeafRule& g = *gauss[static_cast<std::size_t>(worker)];
      g.begin_leaf();
      const bool may_change_sign =
          !num::certainly(num::is_positive(jet.range)) && !num::certainly(num::is_negative(jet.range));
      if (jet.smooth) {
        each(mask, [&](std::size_t k, const Exponent& e) {
          PEnclosure& c = leaf.enc[k];
          try_orders('G', e, jet.range, box, leaf.prec, c,
                     [&](int n, Ball& sum) { return g.enclose(box, jet.range, n, e.p, leaf.prec, sum); });
          // Z (Lemma I4) where R may change sign (odd integer p): order 2, against the crude rule's 1.
          Ball z;
          if (e.even || !may_change_sign || !zero_crossing_rule(jet, box, e.p, leaf.prec, z)) return;
          Ball crude, both;
          crude_on(e, jet.range, box.volume(), leaf.prec, crude);
          if (arb_intersection(both.arb(), z.arb(), crude.arb(), leaf.prec)) z = both;
          offer(c, z, LeafRule{'Z', 0});
          // S<n> (Lemma I8(i); d = 2, p = 1): Z narrowed by the box cut at the model's zero line.
          Ball split;
          if (d == 2 && e.one && abs_split_on_box(g, jet, box, kSplitPoints, leaf.prec, split) &&
              arb_intersection(both.arb(), z.arb(), split.arb(), leaf.prec))
            offer(c, both, LeafRule{'S', kSplitPoints});
        });
        // F<n> (Lemma I10; p = 1) where Z is not narrow enough: an axis on which R is
        // monotone puts its sign at a face, where R often vanishes (∂Ω, dyadic planes).
        if (may_change_sign) {
          int sign = 0;
          Rational band;
          each(mask, [&](std::size_t k, const Exponent& e) {
            if (!e.one || narrow_for(k, leaf)) return;
            if (sign == 0 && !face_band(ev, jet, box, leaf.prec, sign, band)) sign = 2;  // none: skip
            if (sign == 2) return;
            try_orders('F', e, jet.range, box, leaf.prec, leaf.enc[k], [&](int n, Ball& sum) {
              return g.enclose_from_face(box, jet.range, n, sign, band, leaf.prec, sum);
            });
          });
        }
        // T<n> (Lemma I9; d = 3, p = 1) where Z is not narrow enough: the leaf's
        // Kuhn simplices cut at the model's zero, fourth order against Z's second.
        if (d == 3 && may_change_sign) {
          std::uint32_t want = 0;
          each(mask, [&](std::size_t k, const Exponent& e) {
            if (e.one && !narrow_for(k, leaf)) want |= 1U << k;
          });
          if (want != 0) try_simplicial(worker, box, jet.range, leaf.prec, want, leaf);
        }
      } else if (d == 1) {
        // K<n> (Lemma I5): h is affine between consecutive kinks; each piece by
        // G<n> where its hypotheses hold, else by the crude rule.
        const std::vector<Rational> kinks = residual.first_axis_breakpoints(box, 0, kMaxKinks + 1);
        if (!kinks.empty() && kinks.size() <= kMaxKinks) {
          std::vector<net::Box> pieces;
          std::vector<Ball> ranges;
          for (std::size_t k = 0; k <= kinks.size(); ++k) {
            net::Box piece = box;
            if (k > 0) piece.lo[0] = kinks[k - 1];
            if (k < kinks.size()) piece.hi[0] = kinks[k];
            ranges.push_back(ev.enclose(piece));
            pieces.push_back(std::move(piece));
          }
          each(mask, [&](std::size_t k, const Exponent& e) {
            try_orders('K', e, jet.range, box, leaf.prec, leaf.enc[k], [&](int n, Ball& sum) {
              arb_zero(sum.arb());
              Ball part;
              for (std::size_t q = 0; q < pieces.size(); ++q) {
                if (!g.enclose(pieces[q], ranges[q], n, e.p, leaf.prec, part))
                  crude_on(e, ranges[q], pieces[q].volume(), leaf.prec, part);
                arb_add(sum.arb(), sum.arb(), part.arb(), leaf.prec);
              }
              return arb_is_finite(sum.arb()) != 0;
            });
          });
        }
      } else if (d == 2) {
        // P<n> (Lemma I8): the cells of the axis kinks, cut into trapezoids by
        // the oblique kinks; h is affine on each (certified exactly), so each
        // piece by the trapezoid Gauss rule where its hypotheses hold, else crude.
        std::vector<Piece>& pieces = pieces_of[static_cast<std::size_t>(worker)];
        if (kink_pieces(box, ev, pieces)) {
          each(mask, [&](std::size_t k, const Exponent& e) {
            try_orders('P', e, jet.range, box, leaf.prec, leaf.enc[k], [&](int n, Ball& sum) {
              arb_zero(sum.arb());
              Ball part;
              for (Piece& pc : pieces) {
                if (!pc.affine || !g.enclose_trapezoid(pc.t, pc.h, pc.has_range ? &pc.range : nullptr, n, e.p,
                                                       leaf.prec, part)) {
                  if (!pc.has_range) {
                    const net::Box bb = pc.t.bounding_box();
                    pc.range = pc.affine ? ev.enclose_affine(bb, pc.h) : ev.enclose(bb);
                    pc.has_range = true;
                  }
                  crude_on(e, pc.range, pc.t.area(), leaf.prec, part);
                  Ball both;
                  if (e.one && pc.has_crossing &&
                      arb_intersection(both.arb(), part.arb(), pc.crossing.arb(), leaf.prec))
                    part = both;
                }
                arb_add(sum.arb(), sum.arb(), part.arb(), leaf.prec);
              }
              return arb_is_finite(sum.arb()) != 0;
            });
          });
        }
      } else {
        // T<n> (Lemma I9, d = 3): the kinks cut the leaf into simplices on which h is affine.
        try_simplicial(worker, box, jet.range, leaf.prec, mask, leaf);
      }
    }
    for (PEnclosure& c : leaf.enc)
      if (c.hi >= 0) c.key = num::to_double_approx(c.width);
    leaf.axis = detail::choose_split_axis(residual, box, options.max_level);
    return leaf;
  };

  // One cover for all exponents, each with its own tree in it: exponent k's leaves
  // are the nodes whose bit k is set in `mask_of`. A node split for k is split for
  // every exponent whose enclosure on it is not yet narrow enough (their trees
  // coincide where the corrections' kinks set the leaves); the others keep it as
  // a leaf and may split it later, from their own heap.
  CoverTree tree(net::Box::unit(d));
  std::vector<Leaf> rec;               // per node: kept while it is a leaf of some exponent
  std::vector<std::uint32_t> mask_of;  // per node
  std::vector<std::vector<Entry>> heaps(np);
  std::vector<Rational> sum_lo(np, Rational(0)), sum_hi(np, Rational(0));
  std::vector<long> unbounded(np, 0);  // leaves without a finite integral bound
  long boxes = 0;
  std::size_t frontier = 0;  // nodes that are some exponent's leaf and may be split
  auto grow = [&](std::size_t at) {
    if (rec.size() <= at) {
      rec.resize(at + 1);
      mask_of.resize(at + 1, 0);
    }
  };
  // Enters exponents `mask` of `leaf` (just evaluated) as leaves at `node`.
  auto add = [&](Leaf&& leaf, int node, std::uint32_t mask) {
    const auto at = static_cast<std::size_t>(node);
    grow(at);
    Leaf& r = rec[at];
    if (mask_of[at] == 0) {
      r.box = std::move(leaf.box);
      r.prec = leaf.prec;
      r.axis = leaf.axis;
      r.enc.resize(np);
      if (r.axis >= 0) ++frontier;
    }
    mask_of[at] |= mask;
    for (std::size_t k = 0; k < np; ++k) {
      if ((mask >> k & 1U) == 0) continue;
      PEnclosure& c = r.enc[k];
      c = std::move(leaf.enc[k]);
      sum_lo[k] += c.lo;
      if (c.hi < 0)
        ++unbounded[k];
      else
        sum_hi[k] += c.hi;
      if (r.axis < 0) continue;  // may not be split: its enclosure is final
      heaps[k].push_back(Entry{c.hi < 0, c.key, c.width, node});
      std::push_heap(heaps[k].begin(), heaps[k].end(), Narrower());
    }
  };
  // Takes exponents `mask` off `node` (split for them).
  auto remove = [&](int node, std::uint32_t mask) {
    const auto at = static_cast<std::size_t>(node);
    Leaf& r = rec[at];
    for (std::size_t k = 0; k < np; ++k) {
      if ((mask >> k & 1U) == 0) continue;
      sum_lo[k] -= r.enc[k].lo;
      if (r.enc[k].hi < 0)
        --unbounded[k];
      else
        sum_hi[k] -= r.enc[k].hi;
    }
    mask_of[at] &= ~mask;
  };
  ++boxes;
  add(evaluate(0, tree.root_box(), options.precision, all), CoverTree::root(), all);

  std::vector<Rational> lp_lo(np, Rational(0)), lp_hi(np, Rational(-1));
  std::vector<StopReason> reason(np, StopReason::box_budget);
  std::vector<char> done(np, 0);  // converged, or nothing left to split for this exponent
  auto converged = [&](std::size_t k) {
    if (unbounded[k] != 0) return false;
    pth_roots(sum_lo[k], sum_hi[k], ex[k].p, lp_lo[k], lp_hi[k]);
    return lp_hi[k] >= 0 && lp_hi[k] - lp_lo[k] <= gap * lp_hi[k];
  };
  // Heap k's top entry, dropping the stale ones (no longer k's leaf, or already taken).
  auto top = [&](std::size_t k) -> const Entry* {
    std::vector<Entry>& h = heaps[k];
    while (!h.empty()) {
      const auto at = static_cast<std::size_t>(h.front().node);
      if ((mask_of[at] >> k & 1U) != 0 && !rec[at].queued) return &h.front();
      std::pop_heap(h.begin(), h.end(), Narrower());
      h.pop_back();
    }
    return nullptr;
  };
  struct Split {
    int node;
    std::uint32_t mask;  // the exponents it is split for
  };
  std::vector<Split> batch;
  std::vector<Leaf> children;
  StopReason budget_reason = StopReason::box_budget;
  bool budget_stop = false;
  for (;;) {
    bool all_done = true;
    for (std::size_t k = 0; k < np; ++k) {
      done[k] = 0;
      if (converged(k)) {
        reason[k] = StopReason::converged;
        done[k] = 1;
      } else if (top(k) == nullptr) {
        reason[k] = StopReason::precision_cap;
        done[k] = 1;
      }
      all_done = all_done && done[k] != 0;
    }
    if (all_done) break;
    if (detail::budget_exhausted(options, boxes, frontier, budget_reason)) {
      budget_stop = true;
      break;
    }
    for (std::size_t k = 0; k < np; ++k) ex[k].share = ex[k].p_gap * num::to_double_approx(sum_lo[k]) / 4;
    // Round robin over the exponents still short of their gap, each taking its widest leaf.
    batch.clear();
    std::vector<char> open(np);
    for (std::size_t k = 0; k < np; ++k) open[k] = done[k] == 0;
    bool any_open = true;
    while (any_open && static_cast<int>(batch.size()) < options.batch_size) {
      any_open = false;
      for (std::size_t k = 0; k < np && static_cast<int>(batch.size()) < options.batch_size; ++k) {
        if (open[k] == 0) continue;
        const Entry* e = top(k);
        if (e == nullptr) {
          open[k] = 0;
          continue;
        }
        const int node = e->node;
        Leaf& r = rec[static_cast<std::size_t>(node)];
        if (!batch.empty() && r.enc[k].hi >= 0 &&
            r.enc[k].hi == r.enc[k].lo) {  // exact: splitting gains nothing
          open[k] = 0;
          continue;
        }
        std::pop_heap(heaps[k].begin(), heaps[k].end(), Narrower());
        heaps[k].pop_back();
        std::uint32_t mask = 1U << k;
        const std::uint32_t others = mask_of[static_cast<std::size_t>(node)] & ~mask;
        for (std::size_t j = 0; j < np; ++j)
          if ((others >> j & 1U) != 0 && !narrow_for(j, r)) mask |= 1U << j;
        r.queued = true;
        batch.push_back(Split{node, mask});
        any_open = true;
      }
    }
    for (const Split& b : batch) remove(b.node, b.mask);
    children.assign(batch.size() * 2, Leaf());
    pool.run(children.size(), [&](std::size_t i, int worker) {
      const Split& b = batch[i / 2];
      const Leaf& parent = rec[static_cast<std::size_t>(b.node)];
      children[i] = evaluate(worker, half_box(parent.box, parent.axis, i % 2 == 1), parent.prec, b.mask);
    });
    boxes += static_cast<long>(children.size());
    for (std::size_t k = 0; k < batch.size(); ++k) {
      const int node = batch[k].node;
      const auto at = static_cast<std::size_t>(node);
      const int lower = tree.is_leaf(node) ? tree.split(node, rec[at].axis) : tree.lower_child(node);
      add(std::move(children[2 * k]), lower, batch[k].mask);
      add(std::move(children[2 * k + 1]), lower + 1, batch[k].mask);
      rec[at].queued = false;
      if (mask_of[at] == 0) {  // a leaf of no exponent: its record goes
        --frontier;
        rec[at] = Leaf();
      }
    }
  }

  // Exponent k's tree (a '.' at each of its leaves) and rules, in pre-order.
  auto tree_of = [&](std::size_t k, std::string& t, std::string& rules, std::size_t& leaves) {
    t.clear();
    rules.clear();
    leaves = 0;
    std::vector<int> stack{CoverTree::root()};
    while (!stack.empty()) {
      const int node = stack.back();
      stack.pop_back();
      const auto at = static_cast<std::size_t>(node);
      if ((mask_of[at] >> k & 1U) != 0) {
        t += '.';
        rules += rec[at].enc[k].rule.token();
        ++leaves;
        continue;
      }
      t += static_cast<char>('a' + tree.axis(node));
      stack.push_back(tree.lower_child(node) + 1);
      stack.push_back(tree.lower_child(node));
    }
  };
  std::vector<LpNormResult> results(np);
  for (std::size_t k = 0; k < np; ++k) {
    LpNormResult& out = results[k];
    out.p = ex[k].p;
    const bool ok = converged(k);
    out.reason = ok ? StopReason::converged : budget_stop ? budget_reason : reason[k];
    if (unbounded[k] == 0) {
      // Widen by g/5 so the checker's own recomputation fits (proofs/integration.md, Lemma I7).
      const Rational slack = options.rel_gap / 5;
      if (lp_lo[k] > 0) lp_lo[k] = num::round_down(lp_lo[k] * (1 - slack), 64);
      lp_hi[k] = num::round_up(lp_hi[k] * (1 + slack), 64);
    } else {
      lp_lo[k] = 0;
      lp_hi[k] = -1;
    }
    out.integral_lower = sum_lo[k];
    out.integral_upper = unbounded[k] == 0 ? sum_hi[k] : Rational(-1);
    out.bounds = num::Enclosure{num::LowerBound(lp_lo[k]), num::UpperBound(lp_hi[k])};
    std::string rules;
    tree_of(k, out.tree, rules, out.leaves);
    if (high_order) out.rules = std::move(rules);
    out.boxes = boxes;
    std::optional<Rational> g = out.bounds.relative_gap();
    out.status = out.reason == StopReason::converged && unbounded[k] == 0 && g && *g <= options.rel_gap
                     ? Status::proven
                     : Status::not_certified;
    out.message = std::string("L^") + num::to_string(ex[k].p) +
                  (out.status == Status::proven ? " certified: " : " not certified: ") +
                  describe(out.reason) + " after " + std::to_string(out.boxes) + " boxes";
  }
  return results;
}

}  // namespace mgdl::certify
