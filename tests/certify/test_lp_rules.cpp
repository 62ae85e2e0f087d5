// The producer's high-order L^p rules: Arb series along an axis (proofs/integration.md,
// I6) against closed forms, certified Gauss–Legendre rules (I2), and G<n> (I1, I3):
// enclosures contain closed-form integrals in d = 1..4 and their widths fall at the
// rule's order (a second-order rule fails these tests); L^p runs with the rule; P<n>
// (I8) on 2D residuals with oblique cutoff kinks against exact references.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "ball_helpers.hpp"
#include "interpolant.hpp"
#include "mgdl/certify/dense_correction.hpp"
#include "mgdl/certify/gauss_legendre.hpp"
#include "mgdl/certify/leaf_rules.hpp"
#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/certify/tree.hpp"
#include "mgdl/expr/series.hpp"
#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/net/hat_correction.hpp"

using mgdl::num::Ball;
using mgdl::num::Rational;
namespace certify = mgdl::certify;
namespace expr = mgdl::expr;
namespace net = mgdl::net;
namespace resid = mgdl::resid;
using namespace mgdl::test;

namespace {

// ∫_a^b e^{2x} sin²(3x) dx = [e^{2x}/4 − e^{2x}(2 cos 6x + 6 sin 6x)/80]_a^b.
Ball exp_sin_squared(const Rational& a, const Rational& b) {
  auto anti = [](const Rational& x) {
    Ball e, c, s, t, u;
    arb_mul_2exp_si(t.arb(), q(x).arb(), 1);
    arb_exp(e.arb(), t.arb(), kRefPrec);
    arb_mul_ui(t.arb(), q(x).arb(), 6, kRefPrec);
    arb_sin_cos(s.arb(), c.arb(), t.arb(), kRefPrec);
    arb_mul_2exp_si(c.arb(), c.arb(), 1);
    arb_mul_ui(s.arb(), s.arb(), 6, kRefPrec);
    arb_add(u.arb(), c.arb(), s.arb(), kRefPrec);
    arb_div_ui(u.arb(), u.arb(), 80, kRefPrec);
    arb_mul_2exp_si(t.arb(), e.arb(), -2);
    arb_mul(u.arb(), u.arb(), e.arb(), kRefPrec);
    arb_sub(t.arb(), t.arb(), u.arb(), kRefPrec);
    return t;
  };
  Ball out;
  arb_sub(out.arb(), anti(b).arb(), anti(a).arb(), kRefPrec);
  return out;
}

// ∫_a^b e^{kx} dx for rational k > 0.
Ball exp_integral(const Rational& k, const Rational& a, const Rational& b) {
  Ball ea, eb, out;
  arb_mul(ea.arb(), q(k).arb(), q(a).arb(), kRefPrec);
  arb_mul(eb.arb(), q(k).arb(), q(b).arb(), kRefPrec);
  arb_exp(ea.arb(), ea.arb(), kRefPrec);
  arb_exp(eb.arb(), eb.arb(), kRefPrec);
  arb_sub(out.arb(), eb.arb(), ea.arb(), kRefPrec);
  arb_div(out.arb(), out.arb(), q(k).arb(), kRefPrec);
  return out;
}

std::string var(int i, int d) {
  return d == 1 ? "x" : "x" + std::to_string(i + 1);
}

net::Box cube(int d, const Rational& lo, const Rational& hi) {
  net::Box b = net::Box::unit(d);
  for (int i = 0; i < d; ++i) {
    b.lo[static_cast<std::size_t>(i)] = lo;
    b.hi[static_cast<std::size_t>(i)] = hi;
  }
  return b;
}

// G<n> on `box` for R = target (no corrections).
Ball gauss(const resid::Residual& r, const net::Box& box, int n, const Rational& p) {
  resid::ResidualEvaluator ev(r, kPrec);
  Ball range = ev.enclose(box);
  certify::GaussLeafRule g(r, kPrec);
  Ball out;
  REQUIRE(g.enclose(box, range, n, p, kPrec, out));
  return out;
}

}  // namespace

TEST_CASE("series along an axis match closed forms, at points and over boxes (I6)") {
  // f = exp(2x)·sin(y) along x at (c, y0): a_k = 2^k e^{2c} sin(y0) / k!.
  expr::Program prog = compile("exp(2*x)*sin(y) + y^3", 2);
  expr::SeriesEvaluator se(prog, kPrec);
  std::vector<Ball> base{Ball::from_rational(Rational(1, 3), kPrec),
                         Ball::from_rational(Rational(1, 5), kPrec)};
  std::vector<Ball> a;
  REQUIRE(se.evaluate(base.data(), 0, 12, a));
  Ball ref, s, fact;
  arb_sin(s.arb(), q(Rational(1, 5)).arb(), kRefPrec);
  for (int k = 0; k <= 12; ++k) {
    arb_mul_2exp_si(ref.arb(), q(Rational(2, 3)).arb(), 0);
    arb_exp(ref.arb(), ref.arb(), kRefPrec);
    arb_mul(ref.arb(), ref.arb(), s.arb(), kRefPrec);
    arb_mul_2exp_si(ref.arb(), ref.arb(), k);
    arb_fac_ui(fact.arb(), static_cast<ulong>(k), kRefPrec);
    arb_div(ref.arb(), ref.arb(), fact.arb(), kRefPrec);
    if (k == 0) {
      Ball y3;
      arb_pow_ui(y3.arb(), q(Rational(1, 5)).arb(), 3, kRefPrec);
      arb_add(ref.arb(), ref.arb(), y3.arb(), kRefPrec);
    }
    CHECK(contains(a[static_cast<std::size_t>(k)], ref));
    CHECK(width(a[static_cast<std::size_t>(k)]) < 1e-30);
  }
  // Along y: y^3 gives a_3 = 1 + (−cos y0 / 6)·e^{2c}, a_4 = sin y0 e^{2c}/24, exact polynomial part.
  REQUIRE(se.evaluate(base.data(), 1, 5, a));
  Ball c3;
  arb_cos(c3.arb(), q(Rational(1, 5)).arb(), kRefPrec);
  Ball e;
  arb_exp(e.arb(), q(Rational(2, 3)).arb(), kRefPrec);
  arb_mul(c3.arb(), c3.arb(), e.arb(), kRefPrec);
  arb_div_si(c3.arb(), c3.arb(), -6, kRefPrec);
  arb_add_ui(c3.arb(), c3.arb(), 1, kRefPrec);
  CHECK(contains(a[3], c3));
  // Over a box: the coefficient at every point lies inside; the centre's is a witness.
  std::vector<Ball> box{Ball::from_interval(Rational(1, 4), Rational(1, 2), kPrec),
                        Ball::from_interval(Rational(0), Rational(1, 8), kPrec)};
  REQUIRE(se.evaluate(box.data(), 0, 6, a));
  std::vector<Ball> at;
  for (const Rational& x : {Rational(1, 4), Rational(3, 8), Rational(1, 2)}) {
    std::vector<Ball> pt{Ball::from_rational(x, kPrec), Ball::from_rational(Rational(1, 16), kPrec)};
    REQUIRE(se.evaluate(pt.data(), 0, 6, at));
    for (int k = 0; k <= 6; ++k)
      CHECK(arb_contains(a[static_cast<std::size_t>(k)].arb(), at[static_cast<std::size_t>(k)].arb()));
  }
  // Kinks and singular points are refused.
  expr::Program kink = compile("abs(x - 1/3)", 1);
  expr::SeriesEvaluator sk(kink, kPrec);
  std::vector<Ball> across{Ball::from_interval(Rational(0), Rational(1, 2), kPrec)};
  CHECK_FALSE(sk.evaluate(across.data(), 0, 4, a));
  std::vector<Ball> beside{Ball::from_interval(Rational(1, 2), Rational(1), kPrec)};
  CHECK(sk.evaluate(beside.data(), 0, 4, a));
  expr::Program lg = compile("log(x)", 1);
  expr::SeriesEvaluator sl(lg, kPrec);
  CHECK_FALSE(sl.evaluate(across.data(), 0, 4, a));  // x reaches 0
  // tanh, atan, sqrt, powers: a_1 = derivative at the point.
  expr::Program mix = compile("tanh(x) + atan(x) + sqrt(x) + x^(-2) + x^(3/2)", 1);
  expr::SeriesEvaluator sm(mix, kPrec);
  std::vector<Ball> half{Ball::from_rational(Rational(1, 2), kPrec)};
  REQUIRE(sm.evaluate(half.data(), 0, 3, a));
  // d/dx at 1/2: sech²(1/2) + 1/(1 + 1/4) + 1/(2 sqrt(1/2)) − 2/(1/8) + (3/2) sqrt(1/2).
  Ball t, acc, h = q(Rational(1, 2));
  arb_sech(t.arb(), h.arb(), kRefPrec);
  arb_sqr(acc.arb(), t.arb(), kRefPrec);
  arb_add(acc.arb(), acc.arb(), q(Rational(4, 5)).arb(), kRefPrec);
  arb_sqrt(t.arb(), h.arb(), kRefPrec);
  Ball u;
  arb_mul_2exp_si(u.arb(), t.arb(), 1);
  arb_inv(u.arb(), u.arb(), kRefPrec);
  arb_add(acc.arb(), acc.arb(), u.arb(), kRefPrec);
  arb_sub_ui(acc.arb(), acc.arb(), 16, kRefPrec);
  arb_mul(u.arb(), t.arb(), q(Rational(3, 2)).arb(), kRefPrec);
  arb_add(acc.arb(), acc.arb(), u.arb(), kRefPrec);
  CHECK(contains(a[1], acc));
}

TEST_CASE("Gauss-Legendre nodes and weights: exact to degree 2n-1, kappa at degree 2n (I2)") {
  for (int n : {1, 4, 8, 13, 24}) {
    certify::GaussLegendre g = certify::gauss_legendre(n, kPrec);
    for (int k = 0; k <= 2 * n; k += 2) {
      Ball sum, t;
      for (int j = 0; j < n; ++j) {
        arb_pow_ui(t.arb(), g.nodes[static_cast<std::size_t>(j)].arb(), static_cast<ulong>(k), kPrec);
        arb_addmul(sum.arb(), t.arb(), g.weights[static_cast<std::size_t>(j)].arb(), kPrec);
      }
      // ∫_{-1}^{1} x^k = 2/(k+1); at k = 2n the error is 2^{2n+1} κ_n (q^{(2n)}/(2n)! = 1).
      Rational exact(2, k + 1);
      if (k == 2 * n) {
        Rational two_pow(1);
        for (int i = 0; i < 2 * n + 1; ++i) two_pow *= 2;
        exact -= two_pow * g.kappa;
      }
      Ball ref = Ball::from_rational(exact, kRefPrec);
      CHECK(contains(sum, ref));
      CHECK(width(sum) < 1e-30);
    }
  }
  CHECK(certify::gauss_kappa(1) == Rational(1, 12));  // midpoint: w^3 f''/24 = w^3 κ_1 f''/2!
}

TEST_CASE("G<n> contains closed-form integrals in d = 1..4 (I1)") {
  for (int d = 1; d <= 4; ++d) {
    std::string f, g;
    for (int i = 0; i < d; ++i) {
      f += (i ? "*" : "") + std::string("exp(") + var(i, d) + ")*sin(3*" + var(i, d) + ")";
      g += (i ? "+" : "") + var(i, d);
    }
    const net::Box box = cube(d, Rational(1, 4), Rational(1, 2));
    Ball ref2, ref1, ref32;
    arb_one(ref2.arb());
    arb_one(ref1.arb());
    arb_one(ref32.arb());
    for (int i = 0; i < d; ++i) {
      arb_mul(ref2.arb(), ref2.arb(), exp_sin_squared(Rational(1, 4), Rational(1, 2)).arb(), kRefPrec);
      arb_mul(ref1.arb(), ref1.arb(), exp_integral(Rational(1), Rational(1, 4), Rational(1, 2)).arb(),
              kRefPrec);
      arb_mul(ref32.arb(), ref32.arb(), exp_integral(Rational(3, 2), Rational(1, 4), Rational(1, 2)).arb(),
              kRefPrec);
    }
    resid::Residual r2(compile(f, d));
    Ball e2 = gauss(r2, box, d <= 2 ? 8 : 4, Rational(2));
    CHECK(contains(e2, ref2));
    resid::Residual r1(compile("exp(" + g + ")", d));
    Ball e1 = gauss(r1, box, 6, Rational(1));
    CHECK(contains(e1, ref1));
    Ball e32 = gauss(r1, box, 6, Rational(3, 2));
    CHECK(contains(e32, ref32));
    // Negative residual, p = 1: ∫|−e^g| by the sign s = −1.
    resid::Residual rn(compile("-exp(" + g + ")", d));
    CHECK(contains(gauss(rn, box, 6, Rational(1)), ref1));
    CHECK(width(e1) < 1e-9);
  }
}

TEST_CASE("G<n> widths fall at order 2n+2 as the box halves (I1, I3)") {
  // 1D, n = 4: width ~ w^{2n+1} · (width of T ~ w) → ratio ~ 2^{10} per halving.
  // A second-order rule (midpoint + Hessian) gives ratio ~ 2^4 and fails.
  resid::Residual r(compile("exp(x)*sin(3*x)", 1));
  double prev = 0;
  for (int k = 2; k <= 5; ++k) {
    Rational w(1, 1 << k);
    net::Box box = cube(1, Rational(1, 4), Rational(1, 4) + w);
    Ball e = gauss(r, box, 4, Rational(2));
    CHECK(contains(e, exp_sin_squared(Rational(1, 4), Rational(1, 4) + w)));
    const double wd = width(e);
    if (prev > 0) CHECK(prev / wd > 256.0);
    prev = wd;
  }
  // 2D, n = 3: ratio ~ 2^{2n+1+2} = 2^9 (vol ¼, w^6 and T's width ½).
  resid::Residual r2(compile("exp(x1)*sin(3*x1)*exp(x2)*sin(3*x2)", 2));
  prev = 0;
  for (int k = 2; k <= 4; ++k) {
    Rational w(1, 1 << k);
    Ball e = gauss(r2, cube(2, Rational(1, 4), Rational(1, 4) + w), 3, Rational(2));
    const double wd = width(e);
    if (prev > 0) CHECK(prev / wd > 128.0);
    prev = wd;
  }
}

TEST_CASE("L^p with G<n>: x*y*z in one box, references inside, legacy agrees") {
  certify::Options o;
  o.rel_gap = Rational(1, 1000000);
  resid::Residual r(compile("x1*x2*x3", 3));
  certify::LpNormResult l2 = certify::certify_lp_norm(r, Rational(2), o);
  REQUIRE(l2.status == certify::Status::proven);
  CHECK(l2.boxes <= 8);
  CHECK(l2.rules.size() == 2 * l2.leaves);  // "G4"... one token per leaf
  // ‖xyz‖_2 = 1/√27 on [0,1]^3.
  Ball ref;
  arb_set_ui(ref.arb(), 27);
  arb_rsqrt(ref.arb(), ref.arb(), kRefPrec);
  Ball enc = Ball::from_interval(l2.bounds.lower.value(), l2.bounds.upper.value(), kRefPrec);
  CHECK(contains(enc, ref));
  // p = 3 (odd, positive residual) and the legacy rule on a 1D target.
  resid::Residual r1(compile("exp(x)", 1));
  o.rel_gap = Rational(1, 1000000000);
  certify::LpNormResult g3 = certify::certify_lp_norm(r1, Rational(3), o);
  o.lp_rules = certify::LpRules::legacy;
  certify::LpNormResult m3 = certify::certify_lp_norm(r1, Rational(3), o);
  REQUIRE(g3.status == certify::Status::proven);
  REQUIRE(m3.status == certify::Status::proven);
  CHECK(m3.rules.empty());
  CHECK(g3.boxes * 100 < m3.boxes);
  // ‖e^x‖_3 = ((e^3 − 1)/3)^{1/3}.
  Ball e3;
  arb_set_ui(e3.arb(), 3);
  arb_exp(e3.arb(), e3.arb(), kRefPrec);
  arb_sub_ui(e3.arb(), e3.arb(), 1, kRefPrec);
  arb_div_ui(e3.arb(), e3.arb(), 3, kRefPrec);
  arb_root_ui(e3.arb(), e3.arb(), 3, kRefPrec);
  for (const auto* res : {&g3, &m3})
    CHECK(contains(Ball::from_interval(res->bounds.lower.value(), res->bounds.upper.value(), kRefPrec), e3));
}

TEST_CASE("K<n>: L^2 of sin(32πx) minus its interpolant on 64 knots, closed form (I5)") {
  // Each piece is a copy of e(x) = sin(ωx) − 64x on [0, 1/64] (ω = 32π), so
  // ‖e‖_2² = 64 ∫_0^{1/64} e² = 5/6 − 8/π².
  std::vector<Rational> y;
  for (int k = 0; k <= 64; ++k) y.push_back(Rational(k % 4 == 1 ? 1 : (k % 4 == 3 ? -1 : 0)));
  auto h = std::make_shared<certify::DenseCorrection>(1, interpolant_block(y));
  resid::Residual r = resid::Residual(compile("sin(32*pi*x)", 1)).with(h);
  certify::Options o;
  o.rel_gap = Rational(1, 1000000000);
  certify::LpNormResult l2 = certify::certify_lp_norm(r, Rational(2), o);
  INFO(l2.message);
  REQUIRE(l2.status == certify::Status::proven);
  CHECK(l2.rules.find('K') != std::string::npos);
  CHECK(l2.boxes < 400);  // the midpoint rule needs millions of boxes at this gap
  Ball ref, pi2;
  arb_const_pi(pi2.arb(), kRefPrec);
  arb_sqr(pi2.arb(), pi2.arb(), kRefPrec);
  arb_ui_div(pi2.arb(), 8, pi2.arb(), kRefPrec);
  arb_set(ref.arb(), q(Rational(5, 6)).arb());
  arb_sub(ref.arb(), ref.arb(), pi2.arb(), kRefPrec);
  arb_sqrt(ref.arb(), ref.arb(), kRefPrec);
  CHECK(contains(Ball::from_interval(l2.bounds.lower.value(), l2.bounds.upper.value(), kRefPrec), ref));
}

namespace {

// A bump c·φ with ∫φ = m1, ∫φ² = m2 (φ >= 0, c > 0): ‖2 − cφ‖_2 = (4 − 4c m1 + c² m2)^{1/2} and
// ‖exp(x + y) − cφ‖_1 = (e − 1)² − c m1 when exp > cφ; both by Rule P to 1e-9, inside those
// closed forms, with few boxes.
void check_bump_norms(const std::shared_ptr<const net::Correction>& h, const Rational& c, const Rational& m1,
                      const Rational& m2, long max_boxes_l2, long max_boxes_l1) {
  certify::Options o;
  o.rel_gap = Rational(1, 1000000000);
  {
    resid::Residual r = resid::Residual(compile("2 + 0*x*y", 2)).with(h);
    certify::LpNormResult l2 = certify::certify_lp_norm(r, Rational(2), o);
    INFO(l2.message);
    REQUIRE(l2.status == certify::Status::proven);
    CHECK(l2.rules.find('P') != std::string::npos);
    CHECK(l2.rules.find('C') == std::string::npos);
    CHECK(l2.boxes < max_boxes_l2);  // exact on every piece; the crude rule needs millions here
    Ball ref = q(Rational(4) - 4 * c * m1 + c * c * m2);
    arb_sqrt(ref.arb(), ref.arb(), kRefPrec);
    CHECK(contains(Ball::from_interval(l2.bounds.lower.value(), l2.bounds.upper.value(), kRefPrec), ref));
  }
  {
    resid::Residual r = resid::Residual(compile("exp(x+y)", 2)).with(h);
    certify::LpNormResult l1 = certify::certify_lp_norm(r, Rational(1), o);
    INFO(l1.message);
    REQUIRE(l1.status == certify::Status::proven);
    CHECK(l1.rules.find('P') != std::string::npos);
    CHECK(l1.boxes < max_boxes_l1);
    Ball ref;
    arb_const_e(ref.arb(), kRefPrec);
    arb_sub_ui(ref.arb(), ref.arb(), 1, kRefPrec);
    arb_sqr(ref.arb(), ref.arb(), kRefPrec);
    arb_sub(ref.arb(), ref.arb(), q(c * m1).arb(), kRefPrec);
    CHECK(contains(Ball::from_interval(l1.bounds.lower.value(), l1.bounds.upper.value(), kRefPrec), ref));
  }
}

// c·ψ with core [1/4, 1/2] × [1/4, 5/8], margins 1/8, 3/16.
std::shared_ptr<net::CutoffCorrection> bump_cutoff(const Rational& c) {
  net::Cutoff cut;
  cut.a = {Rational(1, 4), Rational(1, 4)};
  cut.b = {Rational(1, 2), Rational(5, 8)};
  cut.rho = {Rational(1, 8), Rational(3, 16)};
  cut.coefficient = c;
  return std::make_shared<net::CutoffCorrection>(2, std::vector<net::Cutoff>{cut}, 1);
}

}  // namespace

TEST_CASE("P<n>: 2D L^p across a cutoff's oblique kinks, exact references, few boxes (I8)") {
  // ψ with core [1/4, 1/2] × [1/4, 5/8], margins 1/8, 3/16: ∫ψ = 13/64, ∫ψ² = 21/128
  // (core, four side ramps, four corner triangles cut off by the oblique kinks).
  const Rational c(1, 2);
  auto h = bump_cutoff(c);
  // The pieces of the cell [1/8, 1/4] × [1/16, 1/4] (one corner): two, areas summing to the cell's.
  net::Box cell;
  cell.lo = {Rational(1, 8), Rational(1, 16)};
  cell.hi = {Rational(1, 4), Rational(1, 4)};
  std::vector<net::AffineForm> lines;
  REQUIRE(h->oblique_kinks(cell, lines));
  REQUIRE(lines.size() == 1);
  std::vector<certify::Trapezoid> pieces;
  REQUIRE(certify::trapezoids(cell, lines, 16, pieces));
  CHECK(pieces.size() >= 2);
  Rational area(0);
  for (const auto& t : pieces) area += t.area();
  CHECK(area == cell.volume());
  check_bump_norms(h, c, Rational(13, 64), Rational(21, 128), 100, 400);
}

TEST_CASE("P<n> with hat grids: Kuhn diagonals on a non-uniform grid, exact references, few boxes (I8(h))") {
  // One hat at z = (1/2, 1/2) on the grid {0, 1/4, 1/2, 5/8, 1}²: six Kuhn triangles around z (both
  // triangles of the cells below-left and above-right of z, one of each other cell), areas
  // 1/32, 1/32, 1/128, 1/128, 1/64, 1/64; ∫φ = Σ area/3 = 7/192, ∫φ² = Σ area/6 = 7/384.
  const std::vector<Rational> axis{Rational(0), Rational(1, 4), Rational(1, 2), Rational(5, 8), Rational(1)};
  const Rational c(1, 2);
  auto h = std::make_shared<net::HatCorrection>(2, std::vector<std::vector<Rational>>{axis, axis},
                                                std::vector<net::HatNode>{{{2, 2}, c}});
  check_bump_norms(h, c, Rational(7, 192), Rational(7, 384), 100, 400);
}

namespace {
// h = relu(1/2 − relu(x + y − 1)) on [0,1]²: a first-layer kink x + y = 1 and a
// second-layer kink x + y = 3/2, as a dense network (one grade).
std::shared_ptr<certify::DenseCorrection> two_layer_net() {
  net::GradeBlock b;
  net::AffineLayer l1;
  l1.inputs = 2;
  l1.outputs = 1;
  l1.weights = {{0, 0, Rational(1)}, {0, 1, Rational(1)}};
  l1.bias = {Rational(-1)};
  net::AffineLayer l2;
  l2.inputs = 1;
  l2.outputs = 1;
  l2.weights = {{0, 0, Rational(-1)}};
  l2.bias = {Rational(1, 2)};
  b.layers = {l1, l2};
  b.readout.inputs = 1;
  b.readout.outputs = 1;
  b.readout.weights = {{0, 0, Rational(1)}};
  b.readout.bias = {Rational(0)};
  b.readout.activation = net::Activation::identity;
  return std::make_shared<certify::DenseCorrection>(2, b);
}
}  // namespace

TEST_CASE("P<n> with a ReLU network: lines of affine ReLU inputs, exact affinity on polygons (I8(f))") {
  auto h = two_layer_net();
  net::Box cell;
  // On [1/2, 1]²: x + y − 1 >= 0, so the second layer's input is affine and its zero line crosses.
  cell.lo = {Rational(1, 2), Rational(1, 2)};
  cell.hi = {Rational(1), Rational(1)};
  std::vector<net::AffineForm> lines;
  REQUIRE(h->oblique_kinks(cell, lines));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].constant == Rational(3, 2));  // 1/2 − (x + y − 1) = 3/2 − x − y
  CHECK(lines[0].gradient == std::vector<Rational>{Rational(-1), Rational(-1)});
  // On [0, 1]² the second layer's input bends at x + y = 1 inside: no line describes its kink.
  net::Box unit = net::Box::unit(2);
  lines.clear();
  CHECK_FALSE(h->oblique_kinks(unit, lines));
  CHECK(lines.empty());
  // Affinity: below x + y = 3/2 on the cell, h = 3/2 − x − y; a triangle across the line is refused.
  net::AffineForm a;
  a.constant = 0;
  a.gradient.assign(2, Rational(0));
  REQUIRE(h->add_affine_on(
      cell, {{Rational(1, 2), Rational(1, 2)}, {Rational(1), Rational(1, 2)}, {Rational(1, 2), Rational(1)}},
      a));
  CHECK(a.constant == Rational(3, 2));
  CHECK(a.gradient == std::vector<Rational>{Rational(-1), Rational(-1)});
  net::AffineForm b = a;
  CHECK_FALSE(h->add_affine_on(
      cell, {{Rational(1, 2), Rational(1, 2)}, {Rational(1), Rational(1)}, {Rational(1, 2), Rational(1)}},
      b));
  // Whole-domain norms of R = 2 − h: ∫R² = 527/192, ∫|R| = 79/48 (the density of x + y − 1).
  certify::Options o;
  o.rel_gap = Rational(1, 1000000000);
  resid::Residual r = resid::Residual(compile("2 + 0*x*y", 2)).with(h);
  for (const auto& [p, ref] :
       {std::pair{Rational(2), Rational(527, 192)}, std::pair{Rational(1), Rational(79, 48)}}) {
    certify::LpNormResult l = certify::certify_lp_norm(r, p, o);
    INFO(l.message);
    REQUIRE(l.status == certify::Status::proven);
    CHECK(l.rules.find('P') != std::string::npos);
    CHECK(l.boxes < 2000);  // the crude rule along two kink lines would need ~1e9 here
    Ball norm_p;            // ‖R‖_p^p
    arb_pow(norm_p.arb(), Ball::from_interval(l.bounds.lower.value(), l.bounds.upper.value(), kRefPrec).arb(),
            q(p).arb(), kRefPrec);
    CHECK(contains(norm_p, q(ref)));
  }
}

TEST_CASE("Z in the producer: L^1 across a zero line is exact for an affine residual (I4)") {
  // ∫_{[0,1]²} |x + y − 3/4| = 25/64 (the density of x + y is s on [0,1], 2 − s on [1,2]).
  resid::Residual r(compile("x + y - 3/4", 2));
  certify::Options o;
  o.rel_gap = Rational(1, 1000000000);
  certify::LpNormResult l1 = certify::certify_lp_norm(r, Rational(1), o);
  INFO(l1.message);
  REQUIRE(l1.status == certify::Status::proven);
  CHECK(l1.rules.find('Z') != std::string::npos);
  CHECK(l1.boxes < 16);  // Z is exact for an affine R (e = 0): no refinement along the line
  CHECK(contains(Ball::from_interval(l1.bounds.lower.value(), l1.bounds.upper.value(), kRefPrec),
                 q(Rational(25, 64))));
  // A curved zero set (x² + y² = 1/2): the Lagrange error is second order, still far fewer boxes
  // than the crude rule's first order; ∫|g| = ∫g + 2∫_{g<0}(−g) with g = x² + y² − 1/2:
  // ∫g = 1/6, and on the quarter disc ρ <= 1/√2 (inside Ω) ∫(1/2 − ρ²) = (π/2)(1/8 − 1/16) = π/32,
  // so ∫|g| = 1/6 + π/16.
  resid::Residual c(compile("x^2 + y^2 - 1/2", 2));
  o.rel_gap = Rational(1, 1000000);
  certify::LpNormResult c1 = certify::certify_lp_norm(c, Rational(1), o);
  REQUIRE(c1.status == certify::Status::proven);
  CHECK(c1.rules.find('S') != std::string::npos);  // Z narrowed by the cut (I8(i))
  Ball ref;
  arb_const_pi(ref.arb(), kRefPrec);
  arb_div_ui(ref.arb(), ref.arb(), 16, kRefPrec);
  arb_add(ref.arb(), ref.arb(), q(Rational(1, 6)).arb(), kRefPrec);
  CHECK(contains(Ball::from_interval(c1.bounds.lower.value(), c1.bounds.upper.value(), kRefPrec), ref));
}

TEST_CASE("S<n> in the producer: a curved zero line across a box, exact reference, fifth order (I8(i))") {
  // R = x − 3/10 + (y − 1/2)² on the square of side w centred at (3/10, 1/2): ∫|R| = w³/4 + w⁵/80
  // (for each y the zero x = 3/10 − u², u = y − 1/2, is inside and ∫|R| dx = w²/4 + u⁴).
  resid::Residual r(compile("x - 3/10 + (y - 1/2)^2", 2));
  resid::ResidualEvaluator ev(r, kPrec);
  certify::GaussLeafRule g(r, kPrec);
  const net::AffineForm zero{Rational(0), {Rational(0), Rational(0)}};
  // The square of half-width h: its jet, linear model (A, e) and the square as a trapezoid.
  struct Square {
    net::Box box;
    resid::ResidualJet jet;
    net::AffineForm a;
    Rational e;
    certify::Trapezoid t;
  };
  auto square = [&](const Rational& h) {
    Square sq;
    sq.box.lo = {Rational(3, 10) - h, Rational(1, 2) - h};
    sq.box.hi = {Rational(3, 10) + h, Rational(1, 2) + h};
    ev.jet(sq.box, sq.jet);
    REQUIRE(resid::linear_model(sq.jet, sq.box, sq.a, sq.e));
    sq.t = certify::Trapezoid{sq.box.lo[0], sq.box.hi[0], sq.box.lo[1],
                              sq.box.lo[1], sq.box.hi[1], sq.box.hi[1]};
    return sq;
  };
  double prev = 0;
  for (int level = 0; level < 4; ++level) {
    CAPTURE(level);
    const Rational h(1, 20 << level), w = 2 * h;
    const Square sq = square(h);
    Ball s, z;
    REQUIRE(g.enclose_abs_split(sq.t, sq.a, sq.e, zero, 2, kPrec, s));
    REQUIRE(certify::zero_crossing_rule(sq.jet, sq.box, Rational(1), kPrec, z));
    const Ball ref = q(w * w * w / 4 + w * w * w * w * w / 80);
    CHECK(contains(s, ref));
    CHECK(contains(z, ref));
    CHECK(width(s) * 16 < width(z));
    if (level > 0) CHECK(prev / width(s) >= 24);  // ≈ 2^5 per halving; Z (I4) gives ≈ 2^4
    prev = width(s);
  }
  // A planted error: the same cut without the band term 2∫(e − sA)⁺ misses the reference
  // (the sides' signed integrals alone are below ∫|R|), so the band is what makes it sound.
  const Square sq = square(Rational(1, 20));
  Ball no_band;
  REQUIRE(g.enclose_abs_split(sq.t, sq.a, Rational(0), zero, 2, kPrec, no_band));
  CHECK(arb_lt(no_band.arb(), q(Rational(2001, 8000000)).arb()));
}

TEST_CASE("P<n>'s trapezoid rule: closed form on a sloped trapezoid, width order 2n+2 as it halves (I8(d))") {
  // T = {1/4 <= x <= 1/2, x <= y <= 3/4}, g = e^{x+y} (h = 0, p = 1):
  // ∫_T g = e^{3/4}(e^{1/2} − e^{1/4}) − (e − e^{1/2})/2.
  resid::Residual r(compile("exp(x+y)", 2));
  certify::GaussLeafRule g(r, kPrec);
  net::AffineForm zero{Rational(0), {Rational(0), Rational(0)}};
  const Ball positive = Ball::from_interval(Rational(1), Rational(4), kPrec);
  certify::Trapezoid t{Rational(1, 4), Rational(1, 2), Rational(1, 4),
                       Rational(1, 2), Rational(3, 4), Rational(3, 4)};
  auto e = [](const Rational& v) {
    Ball out = q(v);
    arb_exp(out.arb(), out.arb(), kRefPrec);
    return out;
  };
  Ball ref, t2;
  arb_sub(ref.arb(), e(Rational(1, 2)).arb(), e(Rational(1, 4)).arb(), kRefPrec);
  arb_mul(ref.arb(), ref.arb(), e(Rational(3, 4)).arb(), kRefPrec);
  arb_sub(t2.arb(), e(Rational(1)).arb(), e(Rational(1, 2)).arb(), kRefPrec);
  arb_mul_2exp_si(t2.arb(), t2.arb(), -1);
  arb_sub(ref.arb(), ref.arb(), t2.arb(), kRefPrec);
  for (int n : {2, 3}) {
    CAPTURE(n);
    Ball whole, half;
    REQUIRE(g.enclose_trapezoid(t, zero, &positive, n, Rational(1), kPrec, whole));
    CHECK(contains(whole, ref));
    // T halved about its corner (1/4, 1/4): each remainder term is vol·O(size^{2n}).
    certify::Trapezoid s{Rational(1, 4), Rational(3, 8), Rational(1, 4),
                         Rational(3, 8), Rational(1, 2), Rational(1, 2)};
    REQUIRE(g.enclose_trapezoid(s, zero, &positive, n, Rational(1), kPrec, half));
    const double ratio = width(whole) / width(half);
    CHECK(ratio > std::ldexp(1.0, 2 * n + 1));  // ≈ 2^{2n+2}; a second-order rule gives ≈ 2^4
  }
}

TEST_CASE("several exponents on one cover: exact references, a tree and rules per exponent") {
  // f = 2 less the cutoff bump c·ψ of the P<n> test: ‖·‖_1 = 2 − c·13/64 (f > cψ),
  // ‖·‖_2 = (4 − 4c·13/64 + c²·21/128)^{1/2}, ‖·‖_3 from ∫ψ³ is not needed: p = 3 is
  // checked against the p = 3 run alone.
  const Rational c(1, 2);
  auto h = bump_cutoff(c);
  resid::Residual r = resid::Residual(compile("2 + 0*x*y", 2)).with(h);
  certify::Options o;
  o.rel_gap = Rational(1, 1000000000);
  const std::vector<certify::LpNormResult> all =
      certify::certify_lp_norms(r, {Rational(2), Rational(1), Rational(3)}, o);
  REQUIRE(all.size() == 3);
  const Ball l1 = q(Rational(2) - c * Rational(13, 64));
  Ball l2 = q(Rational(4) - 4 * c * Rational(13, 64) + c * c * Rational(21, 128));
  arb_sqrt(l2.arb(), l2.arb(), kRefPrec);
  const certify::LpNormResult l3 = certify::certify_lp_norm(r, Rational(3), o);
  REQUIRE(l3.status == certify::Status::proven);
  for (const certify::LpNormResult& l : all) {
    INFO(l.message);
    CHECK(l.status == certify::Status::proven);
    CHECK(!l.tree.empty());  // each exponent its own tree: a prefix of the shared cover
    CHECK(l.boxes == all[0].boxes);
    CHECK(l.rules.size() >= l.leaves);  // a token per leaf, G<n>, P<n> with digits
    CHECK(certify::CoverTree::leaves(l.tree, net::Box::unit(2)).size() == l.leaves);
    CHECK(*l.bounds.relative_gap() <= o.rel_gap);
  }
  CHECK(all[0].p == 2);
  CHECK(all[1].p == 1);
  CHECK(
      contains(Ball::from_interval(all[0].bounds.lower.value(), all[0].bounds.upper.value(), kRefPrec), l2));
  CHECK(
      contains(Ball::from_interval(all[1].bounds.lower.value(), all[1].bounds.upper.value(), kRefPrec), l1));
  // p = 3 alone and on the shared cover: two enclosures of one number.
  CHECK(all[2].bounds.lower.value() <= l3.bounds.upper.value());
  CHECK(l3.bounds.lower.value() <= all[2].bounds.upper.value());
  // A single exponent through the joint engine is the single-exponent engine.
  const certify::LpNormResult one = certify::certify_lp_norms(r, {Rational(3)}, o).front();
  CHECK(one.tree == l3.tree);
  CHECK(one.rules == l3.rules);
  CHECK(one.bounds.lower.value() == l3.bounds.lower.value());
  CHECK(one.bounds.upper.value() == l3.bounds.upper.value());
}

TEST_CASE("the Gauss rules' kept values: a second exponent on a piece gives what a fresh rule gives") {
  resid::Residual r(compile("exp(x + y) - 1/2", 2));
  const net::AffineForm h{Rational(1, 3), {Rational(1, 5), Rational(-1, 7)}};
  const certify::Trapezoid t{Rational(1, 8), Rational(3, 8), Rational(1, 16),
                             Rational(1, 8), Rational(1, 2), Rational(5, 8)};
  // R = exp(x + y) − 1/2 − h > 0 on t's bounding box.
  const Ball range = Ball::from_interval(Rational(1, 4), Rational(4), kPrec);
  certify::GaussLeafRule shared(r, kPrec);
  shared.begin_leaf();
  for (const Rational& p : {Rational(2), Rational(1), Rational(3, 2), Rational(2)}) {
    CAPTURE(mgdl::num::to_string(p));
    certify::GaussLeafRule fresh(r, kPrec);
    Ball a, b;
    REQUIRE(shared.enclose_trapezoid(t, h, &range, 4, p, kPrec, a));
    REQUIRE(fresh.enclose_trapezoid(t, h, &range, 4, p, kPrec, b));
    CHECK(arb_equal(a.arb(), b.arb()) != 0);
  }
  // The box rule G<n> keeps its values alike.
  net::Box box;
  box.lo = {Rational(1, 8), Rational(1, 16)};
  box.hi = {Rational(3, 8), Rational(5, 16)};
  const Ball box_range = Ball::from_interval(Rational(1, 2), Rational(3), kPrec);
  for (const Rational& p : {Rational(1), Rational(2), Rational(1)}) {
    CAPTURE(mgdl::num::to_string(p));
    certify::GaussLeafRule fresh(r, kPrec);
    Ball a, b;
    REQUIRE(shared.enclose(box, box_range, 8, p, kPrec, a));
    REQUIRE(fresh.enclose(box, box_range, 8, p, kPrec, b));
    CHECK(arb_equal(a.arb(), b.arb()) != 0);
  }
  // A different piece on the same leaf is not confused with the first.
  const certify::Trapezoid u{Rational(1, 8), Rational(3, 8), Rational(1, 16),
                             Rational(1, 8), Rational(1, 2), Rational(9, 16)};
  certify::GaussLeafRule fresh(r, kPrec);
  Ball a, b;
  REQUIRE(shared.enclose_trapezoid(u, h, &range, 4, Rational(2), kPrec, a));
  REQUIRE(fresh.enclose_trapezoid(u, h, &range, 4, Rational(2), kPrec, b));
  CHECK(arb_equal(a.arb(), b.arb()) != 0);
}

TEST_CASE("several exponents on one cover, with sign changes: closed forms, and out of budget") {
  // r = sin(6x)cos(7y): ‖r‖_1 = (3 + cos 6)(4 + sin 7)/42, ‖r‖_2² = (1/2 − sin 12/24)(1/2 + sin 14/28).
  resid::Residual r(compile("sin(6*x)*cos(7*y)", 2));
  Ball l1, l2, t, u;
  arb_set_ui(t.arb(), 6);
  arb_cos(t.arb(), t.arb(), kRefPrec);
  arb_add_ui(t.arb(), t.arb(), 3, kRefPrec);
  arb_set_ui(u.arb(), 7);
  arb_sin(u.arb(), u.arb(), kRefPrec);
  arb_add_ui(u.arb(), u.arb(), 4, kRefPrec);
  arb_mul(l1.arb(), t.arb(), u.arb(), kRefPrec);
  arb_div_ui(l1.arb(), l1.arb(), 42, kRefPrec);
  arb_set_ui(t.arb(), 12);
  arb_sin(t.arb(), t.arb(), kRefPrec);
  arb_div_si(t.arb(), t.arb(), -24, kRefPrec);
  arb_add(t.arb(), t.arb(), q(Rational(1, 2)).arb(), kRefPrec);
  arb_set_ui(u.arb(), 14);
  arb_sin(u.arb(), u.arb(), kRefPrec);
  arb_div_ui(u.arb(), u.arb(), 28, kRefPrec);
  arb_add(u.arb(), u.arb(), q(Rational(1, 2)).arb(), kRefPrec);
  arb_mul(l2.arb(), t.arb(), u.arb(), kRefPrec);
  arb_sqrt(l2.arb(), l2.arb(), kRefPrec);
  certify::Options o;
  const std::vector<certify::LpNormResult> all = certify::certify_lp_norms(r, {Rational(1), Rational(2)}, o);
  REQUIRE(all.size() == 2);
  for (const certify::LpNormResult& l : all) {
    INFO(l.message);
    CHECK(l.status == certify::Status::proven);
    CHECK(*l.bounds.relative_gap() <= o.rel_gap);
  }
  CHECK(
      contains(Ball::from_interval(all[0].bounds.lower.value(), all[0].bounds.upper.value(), kRefPrec), l1));
  CHECK(
      contains(Ball::from_interval(all[1].bounds.lower.value(), all[1].bounds.upper.value(), kRefPrec), l2));
  // L^1 refines where r changes sign; L^2 does not follow it there.
  CHECK(all[1].leaves < all[0].leaves);
  // Out of budget: neither is proven, both still enclose their norms.
  REQUIRE(all[0].boxes >= 8);
  certify::Options tight = o;
  tight.max_boxes = all[0].boxes / 4;
  const std::vector<certify::LpNormResult> cut =
      certify::certify_lp_norms(r, {Rational(1), Rational(2)}, tight);
  CHECK(cut[0].status == certify::Status::not_certified);
  CHECK(cut[0].reason == certify::StopReason::box_budget);
  CHECK(
      contains(Ball::from_interval(cut[0].bounds.lower.value(), cut[0].bounds.upper.value(), kRefPrec), l1));
  CHECK(
      contains(Ball::from_interval(cut[1].bounds.lower.value(), cut[1].bounds.upper.value(), kRefPrec), l2));
}

TEST_CASE("F<n> in the producer: the sign from a face where R vanishes, exact reference (I10)") {
  // R = (x − 1/2)(2 + y) + (x − 1/2)³ on [1/2, 1/2 + w] × [3/10, 3/10 + w]: R >= 0, R = 0 on x = 1/2,
  // no range test certifies its sign; ∫|R| = (2 + ȳ)·w·w²/2 + w·w⁴/4.
  resid::Residual r(compile("(x - 1/2)*(2 + y) + (x - 1/2)^3", 2));
  resid::ResidualEvaluator ev(r, kPrec);
  certify::GaussLeafRule g(r, kPrec);
  for (int level = 0; level < 3; ++level) {
    CAPTURE(level);
    const Rational w(1, 8 << level);
    net::Box box;
    box.lo = {Rational(1, 2), Rational(3, 10)};
    box.hi = {Rational(1, 2) + w, Rational(3, 10) + w};
    resid::ResidualJet jet;
    ev.jet(box, jet);
    REQUIRE(jet.smooth);
    CHECK_FALSE(mgdl::num::certainly(mgdl::num::is_positive(jet.range)));  // G alone cannot
    int sign = 0;
    Rational band;
    REQUIRE(certify::face_band(ev, jet, box, kPrec, sign, band));
    CHECK(sign == 1);
    CHECK(band < Rational(1, 1000000) * w * w * w);  // R's excursion at x = 1/2: rounding only
    Ball f;
    REQUIRE(g.enclose_from_face(box, jet.range, 3, sign, band, kPrec, f));
    const Rational ybar = Rational(3, 10) + w / 2;
    const Ball ref = q((2 + ybar) * w * w * w / 2 + w * w * w * w * w / 4);
    CHECK(contains(f, ref));
    Ball z;
    REQUIRE(certify::zero_crossing_rule(jet, box, Rational(1), kPrec, z));
    CHECK(width(f) * 1000 < width(z));
  }
  // A box reaching left of the zero: the band (R's excursion on the left face) is what keeps
  // the enclosure valid; without it the signed integral alone misses ∫|R|.
  {
    net::Box box;
    box.lo = {Rational(7, 16), Rational(3, 10)};
    box.hi = {Rational(5, 8), Rational(2, 5)};
    resid::ResidualJet jet;
    ev.jet(box, jet);
    int sign = 0;
    Rational band;
    REQUIRE(certify::face_band(ev, jet, box, kPrec, sign, band));
    CHECK(sign == 1);
    Ball f, no_band;
    REQUIRE(g.enclose(box, jet.range, 3, Rational(1), kPrec, no_band, sign));
    REQUIRE(g.enclose_from_face(box, jet.range, 3, sign, band, kPrec, f));
    // ∫|R| with t = x − 1/2 ∈ [−1/16, 1/8]: (2 + ȳ)·w_y·(t1² + t0²)/2 + w_y·(t1⁴ + t0⁴)/4.
    const Rational t0(1, 16), t1(1, 8), wy(1, 10), ybar(7, 20);
    const Ball ref =
        q((2 + ybar) * wy * (t1 * t1 + t0 * t0) / 2 + wy * (t1 * t1 * t1 * t1 + t0 * t0 * t0 * t0) / 4);
    CHECK(contains(f, ref));
    CHECK_FALSE(contains(no_band, ref));
  }
  // A bowl with a mixed term: on a box around its centre no axis is monotone and ∂_xy R =
  // 2(x − 1/2) takes both signs, so neither (a) nor (b) applies.
  resid::Residual bowl(compile("(x - 1/2)^2 + (y - 1/2)^2 + (x - 1/2)^2*(y - 1/2) - 1/100", 2));
  resid::ResidualEvaluator bev(bowl, kPrec);
  net::Box box;
  box.lo = {Rational(3, 8), Rational(3, 8)};
  box.hi = {Rational(5, 8), Rational(5, 8)};
  resid::ResidualJet jet;
  bev.jet(box, jet);
  int sign = 0;
  Rational band;
  CHECK_FALSE(certify::face_band(bev, jet, box, kPrec, sign, band));
  // The signed rule is for p = 1 only.
  Ball out;
  CHECK_FALSE(g.enclose(box, jet.range, 3, Rational(2), kPrec, out, 1));
}

TEST_CASE("F<n>'s band is twice the excursion: R = x² − 16/25 on the unit square, exact (I10)") {
  // R increases in x; R⁻ <= ν = 16/25 (the face x = 0) and μ = 9/25 bounds R⁺ (x = 1). R⁻ stays
  // near ν on most of the square, so ∫|R| = ∫R + 2∫R⁻ exceeds ∫R + vol·ν: a band of vol·ν would
  // miss it. ∫R = −23/75, ∫|R| = 1/3 − 16/25 + (4/3)(4/5)³ = 47/125.
  resid::Residual r(compile("x^2 + 0*y - 16/25", 2));
  resid::ResidualEvaluator ev(r, kPrec);
  certify::GaussLeafRule g(r, kPrec);
  const net::Box box = net::Box::unit(2);
  resid::ResidualJet jet;
  ev.jet(box, jet);
  REQUIRE(jet.smooth);
  const Ball ref = q(Rational(47, 125));
  Ball plus, minus;
  REQUIRE(g.enclose_from_face(box, jet.range, 3, 1, Rational(16, 25), kPrec, plus));
  CHECK(contains(plus, ref));
  CHECK(contains(plus, q(Rational(-23, 75) + 2 * Rational(16, 25))));  // the band's far end is reached
  CHECK_FALSE(contains(plus, q(Rational(-23, 75) + 2 * Rational(16, 25) + Rational(1, 100))));
  REQUIRE(g.enclose_from_face(box, jet.range, 3, -1, Rational(9, 25), kPrec, minus));
  CHECK(contains(minus, ref));
  // face_band certifies x monotone and keeps the smaller band, μ = 9/25 with s = −1.
  int sign = 0;
  Rational band;
  REQUIRE(certify::face_band(ev, jet, box, kPrec, sign, band));
  CHECK(sign == -1);
  CHECK(band >= Rational(9, 25));
  CHECK(band < Rational(9, 25) + Rational(1, 1000000));
  CHECK_FALSE(g.enclose_from_face(box, jet.range, 3, 1, Rational(-1), kPrec, plus));  // no negative band
}

TEST_CASE("F<n> over two axes: a leaf at the corner of two zero lines, closed form (I10 (b))") {
  // R = sin(2πx) sin(2πy) on [1/2, 1/2 + w]²: R = 0 on two faces, R >= 0 inside, and the
  // partial derivatives vanish on the other zero line; ∂_xy R = 4π² cos cos > 0 there.
  // ∫|R| = ((1 − cos 2πw)/(2π))².
  resid::Residual r(compile("sin(2*pi*x)*sin(2*pi*y)", 2));
  resid::ResidualEvaluator ev(r, kPrec);
  certify::GaussLeafRule g(r, kPrec);
  for (int level = 0; level < 3; ++level) {
    CAPTURE(level);
    const Rational w(1, 16 << level);
    net::Box box;
    box.lo = {Rational(1, 2), Rational(1, 2)};
    box.hi = {Rational(1, 2) + w, Rational(1, 2) + w};
    resid::ResidualJet jet;
    ev.jet(box, jet);
    int sign = 0;
    Rational band;
    REQUIRE(certify::face_band(ev, jet, box, kPrec, sign, band));
    CHECK(band < Rational(1, 1000000) * w * w * w * w);
    Ball f;
    REQUIRE(g.enclose_from_face(box, jet.range, 4, sign, band, kPrec, f));
    Ball ref, c, pi;
    arb_const_pi(pi.arb(), kRefPrec);
    arb_mul(c.arb(), pi.arb(), q(2 * w).arb(), kRefPrec);
    arb_cos(c.arb(), c.arb(), kRefPrec);
    arb_sub_ui(c.arb(), c.arb(), 1, kRefPrec);
    arb_mul_2exp_si(pi.arb(), pi.arb(), 1);
    arb_div(ref.arb(), c.arb(), pi.arb(), kRefPrec);
    arb_sqr(ref.arb(), ref.arb(), kRefPrec);
    CHECK(contains(f, ref));
    Ball z;
    REQUIRE(certify::zero_crossing_rule(jet, box, Rational(1), kPrec, z));
    CHECK(width(f) * 1000 < width(z));
  }
}
