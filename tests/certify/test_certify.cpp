// Certification engine: sup-norm and L^p enclosures contain independent
// high-precision references with the requested gap; planted false bounds are
// refused; results do not depend on the thread count.
#include "interpolant.hpp"
#include "mgdl/certify/dense_correction.hpp"
#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/certify/options.hpp"
#include "mgdl/certify/sup_norm.hpp"
#include "mgdl/certify/tree.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <memory>
#include <random>

using mgdl::num::Ball;
using mgdl::num::Rational;
namespace certify = mgdl::certify;
namespace expr = mgdl::expr;
namespace net = mgdl::net;
namespace resid = mgdl::resid;

namespace {

constexpr slong kRefPrec = 512;

expr::Program compile(const char* text, int d) {
  return expr::Program::compile(expr::Expression::parse(text), expr::Domain::unit(d));
}

// L <= ref and ref <= U (the reference ball lies inside [L, U]) and (U−L)/U <= gap.
void check_contains(const mgdl::num::Enclosure& e, const Ball& ref, const Rational& gap) {
  Ball lo = Ball::from_rational(e.lower.value(), kRefPrec);
  Ball hi = Ball::from_rational(e.upper.value(), kRefPrec);
  Ball d1, d2;
  arb_sub(d1.arb(), ref.arb(), lo.arb(), kRefPrec);
  arb_sub(d2.arb(), hi.arb(), ref.arb(), kRefPrec);
  CHECK(arb_is_nonnegative(d1.arb()));
  CHECK(arb_is_nonnegative(d2.arb()));
  REQUIRE(e.relative_gap().has_value());
  CHECK(*e.relative_gap() <= gap);
}

// Exact interpolation data of sin(ω x), ω = 32π, on k/N: sin rounded down to 40 bits.
std::vector<Rational> sine_knots(int n) {
  std::vector<Rational> y;
  for (int k = 0; k <= n; ++k) {
    Ball x = Ball::from_rational(Rational(32 * k, n), 256);
    Ball s;
    arb_sin_pi(s.arb(), x.arb(), 256);
    y.push_back(mgdl::num::round_down(mgdl::num::lower_rational(s), 40));
  }
  return y;
}

// Independent reference for max_x |sin(ωx) − I(x)|: on each piece the max of
// |R| is at an end point or at a critical point ω cos(ωx) = s_k, i.e.
// ωx = ±acos(s_k/ω) + 2πj; all evaluated in Arb at 512 bits.
Ball interpolant_sup_reference(const std::vector<Rational>& y) {
  const int n = static_cast<int>(y.size()) - 1;
  const slong p = kRefPrec;
  Ball omega, pi;
  arb_const_pi(pi.arb(), p);
  arb_mul_ui(omega.arb(), pi.arb(), 32, p);
  Ball best;
  arb_zero(best.arb());
  double best_mid = 0;
  for (int k = 0; k < n; ++k) {
    Rational xk(k, n);
    Rational slope = Rational(n) * (y[static_cast<std::size_t>(k) + 1] - y[static_cast<std::size_t>(k)]);
    Ball s = Ball::from_rational(slope, p);
    auto consider = [&](const Ball& x) {
      Ball r, t, lin;
      arb_mul(t.arb(), omega.arb(), x.arb(), p);
      arb_sin(r.arb(), t.arb(), p);
      Ball xkb = Ball::from_rational(xk, p);
      arb_sub(lin.arb(), x.arb(), xkb.arb(), p);
      arb_mul(lin.arb(), lin.arb(), s.arb(), p);
      Ball yk = Ball::from_rational(y[static_cast<std::size_t>(k)], p);
      arb_add(lin.arb(), lin.arb(), yk.arb(), p);
      arb_sub(r.arb(), r.arb(), lin.arb(), p);
      arb_abs(r.arb(), r.arb());
      if (r.mid_approx() > best_mid) {
        best_mid = r.mid_approx();
        best = r;
      }
    };
    consider(Ball::from_rational(xk, p));
    Ball a;
    arb_div(a.arb(), s.arb(), omega.arb(), p);
    arb_acos(a.arb(), a.arb(), p);
    const int j0 = 16 * k / n;  // ω x_k / 2π = 16 k / N
    for (int j = j0 - 1; j <= j0 + 2; ++j) {
      for (int sign : {-1, 1}) {
        Ball t, x;
        arb_mul_si(t.arb(), a.arb(), sign, p);
        Ball twopij;
        arb_mul_si(twopij.arb(), pi.arb(), 2 * j, p);
        arb_add(t.arb(), t.arb(), twopij.arb(), p);
        arb_div(x.arb(), t.arb(), omega.arb(), p);
        double xm = x.mid_approx();
        if (xm >= static_cast<double>(k) / n && xm <= static_cast<double>(k + 1) / n) consider(x);
      }
    }
  }
  return best;
}

}  // namespace

TEST_CASE("cover trees print in pre-order and parse back to their leaves") {
  certify::CoverTree t(net::Box::unit(2));
  int lo = t.split(0, 0);
  t.split(lo + 1, 1);
  CHECK(t.to_string() == "a.b..");
  auto leaves = certify::CoverTree::leaves("a.b..", net::Box::unit(2));
  REQUIRE(leaves.size() == 3);
  CHECK(leaves[0].hi[0] == Rational(1, 2));
  CHECK(leaves[1].lo[0] == Rational(1, 2));
  CHECK(leaves[1].hi[1] == Rational(1, 2));
  CHECK(leaves[2].lo[1] == Rational(1, 2));
  CHECK_THROWS_WITH(certify::CoverTree::leaves("a.", net::Box::unit(1)), "cover tree ends early at position 2");
  CHECK_THROWS_WITH(certify::CoverTree::leaves("b..", net::Box::unit(1)), "cover tree has bad symbol 'b' at position 0");
  CHECK_THROWS_WITH(certify::CoverTree::leaves("...", net::Box::unit(1)), "cover tree has trailing symbols at position 1");
}

TEST_CASE("options validate themselves") {
  certify::Options o;
  CHECK(o.problem().empty());
  CHECK(o.rel_gap == Rational(1, 1000000));
  o.rel_gap = Rational(1, 10000000000000LL);
  CHECK_THROWS_WITH(o.validate(), "rel_gap must be at least 1e-12");
  o = certify::Options();
  o.max_precision = 2048;
  CHECK(o.problem() == "max_precision must be at most 1024 bits");
  o = certify::Options();
  o.threads = 0;
  CHECK(o.problem() == "threads must be in [1, 256]");
}

TEST_CASE("sup-norm of sin(2πx)cos(2πy) is 1 (2D, no corrections)") {
  resid::Residual r(compile("sin(2*pi*x)*cos(2*pi*y)", 2));
  certify::Options o;
  certify::SupNormResult s = certify::certify_sup_norm(r, o);
  INFO(s.message);
  CHECK(s.status == certify::Status::proven);
  check_contains(s.bounds, Ball::from_rational(Rational(1), 64), o.rel_gap);
  // The tree covers Ω and parses back; the witness is a point of Ω.
  CHECK(certify::CoverTree::leaves(s.tree, net::Box::unit(2)).size() == s.leaves);
  CHECK(net::Box::unit(2).contains(s.witness));
}

TEST_CASE("sup-norm of sin(32πx) minus its interpolant on 64 knots: closed form") {
  // Knot values sin(πk/2) ∈ {0, ±1} are exact; on [0, 1/64] the error is
  // sin(ωx) − 64x, maximal at cos(ωx) = 2/π: sup = sqrt(1 − 4/π²) − (2/π)·acos(2/π).
  std::vector<Rational> y;
  for (int k = 0; k <= 64; ++k) y.push_back(Rational(k % 4 == 1 ? 1 : (k % 4 == 3 ? -1 : 0)));
  auto h = std::make_shared<certify::DenseCorrection>(1, interpolant_block(y));
  resid::Residual r = resid::Residual(compile("sin(32*pi*x)", 1)).with(h);
  certify::Options o;
  certify::SupNormResult s = certify::certify_sup_norm(r, o);
  INFO(s.message);
  CHECK(s.status == certify::Status::proven);
  Ball pi, t, ref, a;
  arb_const_pi(pi.arb(), kRefPrec);
  arb_ui_div(t.arb(), 2, pi.arb(), kRefPrec);  // 2/π
  arb_acos(a.arb(), t.arb(), kRefPrec);
  arb_mul(a.arb(), a.arb(), t.arb(), kRefPrec);
  arb_mul(ref.arb(), t.arb(), t.arb(), kRefPrec);
  arb_sub_ui(ref.arb(), ref.arb(), 1, kRefPrec);
  arb_neg(ref.arb(), ref.arb());
  arb_sqrt(ref.arb(), ref.arb(), kRefPrec);
  arb_sub(ref.arb(), ref.arb(), a.arb(), kRefPrec);
  check_contains(s.bounds, ref, o.rel_gap);
  // The independent per-piece reference agrees with the closed form.
  Ball ref2 = interpolant_sup_reference(y);
  CHECK(arb_overlaps(ref.arb(), ref2.arb()));
}

TEST_CASE("sup-norm of sin(32πx) minus its interpolant on 256 knots (rational knot values)") {
  std::vector<Rational> y = sine_knots(256);
  auto h = std::make_shared<certify::DenseCorrection>(1, interpolant_block(y));
  resid::Residual r = resid::Residual(compile("sin(32*pi*x)", 1)).with(h);
  certify::Options o;
  certify::SupNormResult s = certify::certify_sup_norm(r, o);
  INFO(s.message);
  CHECK(s.status == certify::Status::proven);
  check_contains(s.bounds, interpolant_sup_reference(y), o.rel_gap);
}

TEST_CASE("L^p norms of sin(2πx): L^2 = 1/sqrt(2), L^1 = 2/π; 2D L^2 = 1/2") {
  certify::Options o;
  resid::Residual r(compile("sin(2*pi*x)", 1));
  certify::LpNormResult l2 = certify::certify_lp_norm(r, Rational(2), o);
  INFO(l2.message);
  CHECK(l2.status == certify::Status::proven);
  Ball ref;
  arb_set_ui(ref.arb(), 2);
  arb_rsqrt(ref.arb(), ref.arb(), kRefPrec);
  check_contains(l2.bounds, ref, o.rel_gap);
  CHECK(certify::CoverTree::leaves(l2.tree, net::Box::unit(1)).size() == l2.leaves);

  certify::LpNormResult l1 = certify::certify_lp_norm(r, Rational(1), o);
  INFO(l1.message);
  CHECK(l1.status == certify::Status::proven);
  arb_const_pi(ref.arb(), kRefPrec);
  arb_ui_div(ref.arb(), 2, ref.arb(), kRefPrec);
  check_contains(l1.bounds, ref, o.rel_gap);

  // 2D at gap 1e-5: the midpoint rule with a Hessian remainder converges at
  // third order, so 1e-6 needs ~3.5e5 leaves here (43 s); 1e-5 keeps the test short.
  resid::Residual r2(compile("sin(2*pi*x)*cos(2*pi*y)", 2));
  certify::Options o2;
  o2.rel_gap = Rational(1, 100000);
  certify::LpNormResult l22 = certify::certify_lp_norm(r2, Rational(2), o2);
  INFO(l22.message);
  CHECK(l22.status == certify::Status::proven);
  check_contains(l22.bounds, Ball::from_rational(Rational(1, 2), 64), o2.rel_gap);
}

TEST_CASE("L^3/2 of x: (2/5)^(2/3), a non-integer p") {
  certify::Options o;
  resid::Residual r(compile("x", 1));
  certify::LpNormResult l = certify::certify_lp_norm(r, Rational(3, 2), o);
  INFO(l.message);
  CHECK(l.status == certify::Status::proven);
  // ∫ x^{3/2} = 2/5, so ‖x‖_{3/2} = (2/5)^{2/3}.
  Ball ref = Ball::from_rational(Rational(2, 5), kRefPrec);
  Ball e = Ball::from_rational(Rational(2, 3), kRefPrec);
  arb_pow(ref.arb(), ref.arb(), e.arb(), kRefPrec);
  check_contains(l.bounds, ref, o.rel_gap);
}

TEST_CASE("planted error: a bound below the true sup is refused, a true one proven") {
  resid::Residual r(compile("sin(2*pi*x)", 1));
  certify::Options o;
  certify::BoundCheck bad = certify::verify_upper(r, Rational(999999, 1000000), o);
  CHECK(bad.status == certify::Status::not_certified);
  CHECK(bad.reason == certify::StopReason::refuted);
  REQUIRE(bad.counterexample.size() == 1);
  // The counterexample really exceeds the bound (checked at 512 bits).
  Ball v = expr::evaluate_point(r.target(), bad.counterexample, kRefPrec);
  arb_abs(v.arb(), v.arb());
  CHECK(arb_gt(v.arb(), Ball::from_rational(Rational(999999, 1000000), kRefPrec).arb()));
  certify::BoundCheck good = certify::verify_upper(r, Rational(1000001, 1000000), o);
  CHECK(good.status == certify::Status::proven);
  CHECK(!good.tree.empty());
  // Exactly the sup: 1 is attained at x = 1/4, a box center — still provable.
  certify::BoundCheck tight = certify::verify_upper(r, Rational(1), o);
  CHECK(tight.status != certify::Status::proven);  // enclosures cannot touch 1 from above
}

TEST_CASE("thread count does not change results") {
  std::vector<Rational> y = sine_knots(64);
  auto h = std::make_shared<certify::DenseCorrection>(1, interpolant_block(y));
  resid::Residual r = resid::Residual(compile("sin(32*pi*x)", 1)).with(h);
  certify::Options o1, o2;
  o2.threads = 2;
  certify::SupNormResult a = certify::certify_sup_norm(r, o1);
  certify::SupNormResult b = certify::certify_sup_norm(r, o2);
  CHECK(a.tree == b.tree);
  CHECK(a.bounds.lower.value() == b.bounds.lower.value());
  CHECK(a.bounds.upper.value() == b.bounds.upper.value());
  CHECK(a.witness == b.witness);
  CHECK(a.boxes == b.boxes);
  o1.rel_gap = o2.rel_gap = Rational(1, 10000);
  certify::LpNormResult la = certify::certify_lp_norm(r, Rational(2), o1);
  certify::LpNormResult lb = certify::certify_lp_norm(r, Rational(2), o2);
  CHECK(la.status == certify::Status::proven);
  CHECK(la.tree == lb.tree);
  CHECK(la.integral_lower == lb.integral_lower);
  CHECK(la.integral_upper == lb.integral_upper);
  // Determinism: the same run twice gives the same bytes.
  certify::Options o3;
  o3.threads = 2;
  certify::SupNormResult c = certify::certify_sup_norm(r, o3);
  CHECK(c.tree == b.tree);
}

TEST_CASE("dense adapter: exact values, enclosures contain them, kinks are found") {
  const unsigned seed = 4242;
  std::printf("test_certify seed %u\n", seed);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  // Interpolant of sin(2πx) on 8 knots, values rounded to 30 bits.
  std::vector<Rational> y;
  for (int k = 0; k <= 8; ++k) {
    Ball s = Ball::from_rational(Rational(2 * k, 8), 128);
    arb_sin_pi(s.arb(), s.arb(), 128);
    y.push_back(mgdl::num::round_down(mgdl::num::lower_rational(s), 30));
  }
  certify::DenseCorrection h(1, interpolant_block(y));
  for (int k = 0; k <= 8; ++k) CHECK(h.evaluate({Rational(k, 8)}) == y[static_cast<std::size_t>(k)]);
  auto kinks = h.axis_breakpoints(net::Box::unit(1), 0);
  CHECK(kinks.size() == 7);
  for (int t = 0; t < 200; ++t) {
    long a = static_cast<long>(rng() % 1000), b = static_cast<long>(rng() % 1000);
    if (a == b) continue;
    net::Box box{{Rational(std::min(a, b), 1000)}, {Rational(std::max(a, b), 1000)}};
    net::LinearEnclosure e = h.enclose(box);
    std::vector<Rational> c = box.center();
    CHECK(e.value_at_center == h.evaluate(c));
    for (int k = 0; k < 5; ++k) {
      Rational x = box.lo[0] + box.width(0) * Rational(static_cast<long>(rng() % 101), 100);
      Rational v = h.evaluate({x});
      CHECK(v >= e.range_lo);
      CHECK(v <= e.range_hi);
      Rational dx = x - c[0];
      Rational g1 = dx >= 0 ? e.gradient_lo[0] : e.gradient_hi[0];
      Rational g2 = dx >= 0 ? e.gradient_hi[0] : e.gradient_lo[0];
      CHECK(v >= e.value_at_center + g1 * dx);
      CHECK(v <= e.value_at_center + g2 * dx);
    }
    CHECK(e.affine == h.axis_breakpoints(box, 0).empty());
  }
}
