// ResidualEvaluator: enclosures contain high-precision point values, radii
// shrink like the box, and the jet is smooth exactly where the corrections are
// affine (proofs/certification.md, C2).
#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/resid/residual.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <memory>
#include <random>

using mgdl::num::Ball;
using mgdl::num::Rational;
namespace net = mgdl::net;
namespace expr = mgdl::expr;
namespace resid = mgdl::resid;

namespace {

expr::Program compile(const char* text, int d) {
  return expr::Program::compile(expr::Expression::parse(text), expr::Domain::unit(d));
}

Rational r(long p, long q = 1) { return Rational(p, q); }

// Two cutoffs in 2D with overlapping supports, coefficients of both signs.
std::shared_ptr<const net::Correction> two_cutoffs_2d() {
  std::vector<net::Cutoff> cs(2);
  cs[0].a = {r(1, 4), r(1, 4)};
  cs[0].b = {r(1, 2), r(1, 2)};
  cs[0].rho = {r(1, 16), r(1, 16)};
  cs[0].coefficient = r(3, 10);
  cs[1].a = {r(1, 2), r(1, 8)};
  cs[1].b = {r(3, 4), r(3, 8)};
  cs[1].rho = {r(1, 32), r(1, 16)};
  cs[1].coefficient = r(-1, 7);
  int kappa = net::overlap_number(2, cs);
  return std::make_shared<net::CutoffCorrection>(2, cs, kappa);
}

std::shared_ptr<const net::Correction> one_cutoff_1d() {
  std::vector<net::Cutoff> cs(1);
  cs[0].a = {r(3, 8)};
  cs[0].b = {r(5, 8)};
  cs[0].rho = {r(1, 8)};
  cs[0].coefficient = r(1, 3);
  return std::make_shared<net::CutoffCorrection>(1, cs, 1);
}

// A random dyadic box inside [0,1]^d of width 2^-level per axis.
net::Box random_box(std::mt19937_64& rng, int d, int level) {
  net::Box b;
  long n = 1L << level;
  for (int i = 0; i < d; ++i) {
    long k = static_cast<long>(rng() % static_cast<unsigned long>(n));
    b.lo.push_back(Rational(k, n));
    b.hi.push_back(Rational(k + 1, n));
  }
  return b;
}

std::vector<Rational> random_point_in(std::mt19937_64& rng, const net::Box& b) {
  std::vector<Rational> x;
  for (int i = 0; i < b.dimension(); ++i) {
    long q = 1 + static_cast<long>(rng() % 1000);
    long p = static_cast<long>(rng() % static_cast<unsigned long>(q + 1));
    x.push_back(b.lo[i] + (b.hi[i] - b.lo[i]) * Rational(p, q));
  }
  return x;
}

}  // namespace

TEST_CASE("enclose contains the residual at random rational points (2D, two cutoffs)") {
  const unsigned seed = 20261129;
  std::printf("test_resid seed %u\n", seed);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  expr::Program f = compile("sin(3*x)*exp(y) + x*y", 2);
  resid::Residual r0(f);
  resid::Residual r1 = r0.with(two_cutoffs_2d());
  resid::ResidualEvaluator ev(r1, 128);
  for (int trial = 0; trial < 300; ++trial) {
    int level = static_cast<int>(rng() % 8);
    net::Box box = random_box(rng, 2, level);
    Ball enc = ev.enclose(box);
    REQUIRE(enc.is_finite());
    for (int k = 0; k < 5; ++k) {
      std::vector<Rational> x = random_point_in(rng, box);
      // Independent reference: f at 512 bits minus the exact correction.
      Ball ref = expr::evaluate_point(f, x, 512);
      Ball h = Ball::from_rational(r1.correction_at(x), 512);
      arb_sub(ref.arb(), ref.arb(), h.arb(), 512);
      CHECK(arb_contains(enc.arb(), ref.arb()));
      Ball p = ev.at_point(x);
      CHECK(arb_contains(p.arb(), ref.arb()));
      CHECK(p.rad_approx() < 1e-30);
    }
  }
}

TEST_CASE("enclose contains point values in 1D and its radius shrinks linearly") {
  expr::Program f = compile("exp(x)*cos(5*x)", 1);
  resid::Residual r1 = resid::Residual(f).with(one_cutoff_1d());
  resid::ResidualEvaluator ev(r1, 128);
  std::mt19937_64 rng(7);
  INFO("seed 7");
  for (int level = 2; level <= 20; ++level) {
    for (int t = 0; t < 20; ++t) {
      net::Box box = random_box(rng, 1, level);
      Ball enc = ev.enclose(box);
      std::vector<Rational> x = random_point_in(rng, box);
      Ball ref = expr::evaluate_point(f, x, 512);
      Ball h = Ball::from_rational(r1.correction_at(x), 512);
      arb_sub(ref.arb(), ref.arb(), h.arb(), 512);
      CHECK(arb_contains(enc.arb(), ref.arb()));
      // |R'| <= |f'| + |h'| <= e*(1 + 5) + (1/3)*8 < 19 on [0,1], so the
      // enclosure radius is at most 19 * w/2 plus a second-order term; allow 2x.
      double w = 1.0 / static_cast<double>(1L << level);
      CHECK(enc.rad_approx() <= 19.0 * w + 1e-30);
    }
  }
}

TEST_CASE("jet is smooth exactly where the corrections are affine") {
  expr::Program f = compile("x^2", 1);
  resid::Residual r1 = resid::Residual(f).with(one_cutoff_1d());
  resid::ResidualEvaluator ev(r1, 128);
  resid::ResidualJet jet;
  net::Box inside{{r(3, 8)}, {r(1, 2)}};  // in the core: h = 1/3
  ev.jet(inside, jet);
  CHECK(jet.smooth);
  // R(c) = (7/16)^2 − 1/3 exactly representable? 49/256 − 1/3 is not dyadic: contained.
  Ball ref = Ball::from_rational(r(49, 256) - r(1, 3), 256);
  CHECK(arb_contains(jet.value.arb(), ref.arb()));
  // ∇R(c) = 2c = 7/8 (h is constant there).
  CHECK(arb_contains(jet.gradient[0].arb(), Ball::from_rational(r(7, 8), 64).arb()));
  net::Box across{{r(1, 4)}, {r(1, 2)}};  // contains the kink at 3/8
  ev.jet(across, jet);
  CHECK_FALSE(jet.smooth);
  net::Box outside{{r(0)}, {r(1, 8)}};  // h = 0
  ev.jet(outside, jet);
  CHECK(jet.smooth);
  CHECK(r1.axis_breakpoints(net::Box{{r(0)}, {r(1)}}, 0).size() == 4);
}

TEST_CASE("enclose with no corrections equals f's enclosure and is tight at small width") {
  expr::Program f = compile("sin(32*pi*x)", 1);
  resid::Residual r0(f);
  resid::ResidualEvaluator ev(r0, 128);
  net::Box box{{r(1, 64)}, {r(1, 64) + r(1, 1 << 20)}};
  Ball enc = ev.enclose(box);
  // |f'| <= 32π < 101, so the radius is below 101 * 2^-21 (+ tiny).
  CHECK(enc.rad_approx() < 101.0 / static_cast<double>(1 << 21));
  Ball p = ev.at_point({r(1, 64)});  // sin(π/2) = 1
  CHECK(arb_contains(enc.arb(), Ball::from_rational(r(1), 64).arb()));
  CHECK(arb_contains(p.arb(), Ball::from_rational(r(1), 64).arb()));
}

// C2.6: the 1D quadratic range contains a + b t + ½ H t² for every corner of
// the data and every sampled t, is never wider than the term-by-term form of
// C2, and at a concave maximum (b = 0, H < 0) its upper end is a⁺ exactly.
TEST_CASE("quadratic_range contains the quadratic and is never wider than C2's form (C2.6)") {
  const std::uint64_t seed = 2611290;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const slong prec = 128;
  auto interval = [prec](const Rational& lo, const Rational& hi) {
    return lo == hi ? Ball::from_rational(lo, prec) : Ball::from_interval(lo, hi, prec);
  };
  auto pick = [&rng](long span) { return Rational(static_cast<long>(rng() % (2 * span + 1)) - span, 64); };
  for (int trial = 0; trial < 400; ++trial) {
    Rational a0 = pick(64), a1 = a0 + Rational(static_cast<long>(rng() % 3), 256);
    Rational b0 = pick(128), b1 = b0 + Rational(static_cast<long>(rng() % 4), 64);
    Rational h0 = pick(256), h1 = h0 + Rational(static_cast<long>(rng() % 5), 32);
    if (trial % 4 == 0) b0 = b1 = 0;
    const Rational rad(1 + static_cast<long>(rng() % 64), 32);
    Ball out;
    resid::quadratic_range(out, interval(a0, a1), interval(b0, b1), interval(h0, h1), Ball::from_rational(rad, prec),
                           prec);
    REQUIRE(out.is_finite());
    const Rational lo = mgdl::num::lower_rational(out), hi = mgdl::num::upper_rational(out);
    for (int k = 0; k <= 200; ++k) {
      const Rational t = -rad + Rational(2 * k, 200) * rad;
      for (const Rational& a : {a0, a1})
        for (const Rational& b : {b0, b1})
          for (const Rational& h : {h0, h1}) {
            const Rational q = a + b * t + h * t * t / 2;
            CHECK(q >= lo);
            CHECK(q <= hi);
          }
    }
    // C2's form: a + |b| r [−1, 1] + ½ H [0, r²], from the exact data (the
    // balls are wider by their 30-bit radius rounding: hence the 1e-7).
    const Rational bmax = abs(b0) > abs(b1) ? abs(b0) : abs(b1);
    const Rational c2_hi = a1 + bmax * rad + (h1 > 0 ? Rational(h1 * rad * rad / 2) : Rational(0));
    const Rational c2_lo = a0 - bmax * rad + (h0 < 0 ? Rational(h0 * rad * rad / 2) : Rational(0));
    CHECK(hi <= c2_hi + Rational(1, 10000000));
    CHECK(lo >= c2_lo - Rational(1, 10000000));
    // Concave with b = 0: the upper end is a⁺, up to the rounding of the
    // result's own radius (a 30-bit mag).
    if (b0 == 0 && b1 == 0 && h1 < 0) {
      CHECK(hi >= a1);
      CHECK(hi - a1 <= (hi - lo) / 100000000);
    }
  }
}
