// Enclosure properties of the ball evaluator, for every function of the
// language: containment of a 4x-precision reference on random boxes of widths
// 1e-12 .. 1, Taylor-form containment, radius limits (an infinite ball fails).
#include "mgdl/expr/program.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace mgdl::expr;
using mgdl::num::Ball;
using mgdl::num::Rational;

namespace {

struct Case {
  const char* text;
  double lipschitz;  // bound on |∇f|_1 over [0,1]^d; 0: only Hölder-1/2 (sqrt at 0)
};

// Every function of the language appears at least once, on [0,1]^d.
const Case cases[] = {
    {"sin(32*pi*x)", 101},
    {"exp(-x^2)*cos(20*y)", 23},
    {"cos(3*x*y) - x", 8},
    {"tan(x)", 3.5},
    {"exp(2*x - 1)", 5.5},
    {"log(1 + x)", 1},
    {"log(x + 1e-3)", 1000},
    {"sqrt(x)", 0},
    {"sqrt(0.5 + x*y)", 1.5},
    {"abs(x - 0.5)", 1},
    {"min(x, y)", 1},
    {"max(x, 1 - y)", 1},
    {"relu(x - y)", 2},
    {"x^3 - 2*x", 5},  // ball arithmetic adds the terms: 3x^2 + 2
    {"(1 + x)^-2", 2},
    {"pow(1 + x, y)", 2.2},
    {"x^(1/3)", 0},
    {"tanh(5*x - 2)", 5},
    {"atan(3*x - 1)", 3},
    {"sinh(2*x)", 8},
    {"cosh(x - y)", 2.4},
    {"1/(2 + sin(10*x))", 10},
    {"e^x + pi*z*y", 7},
    {"x1*x2 - x3*x4 + 0.25", 4},
};

Rational dyadic(double v) {
  // Exact value of a double (dyadic): mantissa / 2^53 scaling.
  int exponent = 0;
  const double m = std::frexp(v, &exponent);
  const auto mantissa = static_cast<long long>(std::ldexp(m, 53));
  Rational r(mantissa);
  const int shift = exponent - 53;
  if (shift >= 0) return r * Rational(mgdl::num::Integer(1) << shift);
  return r / Rational(mgdl::num::Integer(1) << -shift);
}

struct RandomBox {
  std::vector<Rational> lo, hi;
  double width;
};

RandomBox random_box(std::mt19937_64& rng, int d) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  RandomBox b;
  b.width = std::pow(10.0, -12.0 * unit(rng));
  for (int i = 0; i < d; ++i) {
    const Rational w = dyadic(b.width);
    const Rational lo = dyadic((1.0 - b.width) * unit(rng));
    b.lo.push_back(lo);
    b.hi.push_back(lo + w);
  }
  return b;
}

std::vector<Rational> random_point(std::mt19937_64& rng, const RandomBox& b) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Rational> p;
  for (std::size_t i = 0; i < b.lo.size(); ++i) p.push_back(b.lo[i] + (b.hi[i] - b.lo[i]) * dyadic(unit(rng)));
  return p;
}

// value + g·δ + ½ δᵀHδ at δ = p - c: the Taylor form's value at one point.
Ball taylor_at(const Taylor2& jet, const std::vector<Ball>& center, const std::vector<Rational>& p, slong prec) {
  const std::size_t d = p.size();
  std::vector<Ball> delta(d);
  Ball t = jet.value;
  for (std::size_t i = 0; i < d; ++i) {
    Ball pi = Ball::from_rational(p[i], prec);
    arb_sub(delta[i].arb(), pi.arb(), center[i].arb(), prec);
    arb_addmul(t.arb(), jet.gradient[i].arb(), delta[i].arb(), prec);
  }
  Ball q;
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) {
      Ball term;
      arb_mul(term.arb(), delta[i].arb(), delta[j].arb(), prec);
      arb_addmul(q.arb(), jet.hessian[i * d + j].arb(), term.arb(), prec);
    }
  arb_mul_2exp_si(q.arb(), q.arb(), -1);
  arb_add(t.arb(), t.arb(), q.arb(), prec);
  return t;
}

}  // namespace

TEST_CASE("range and Taylor form contain a 4x-precision reference, for every function") {
  const std::uint64_t seed = 20240601;
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  for (slong prec : {64, 128}) {
    for (const Case& c : cases) {
      INFO("target ", std::string(c.text), " at ", prec, " bits");
      const Expression e = Expression::parse(c.text);
      const int d = e.dimension();
      const Program prog = Program::compile(e, Domain::unit(d));
      BallEvaluator ev(prog, prec);
      Taylor2 jet;
      for (int trial = 0; trial < 60; ++trial) {
        const RandomBox box = random_box(rng, d);
        std::vector<Ball> lo, hi, center;
        for (int i = 0; i < d; ++i) {
          lo.push_back(Ball::from_rational(box.lo[static_cast<std::size_t>(i)], prec));
          hi.push_back(Ball::from_rational(box.hi[static_cast<std::size_t>(i)], prec));
          Ball m;
          arb_add(m.arb(), lo.back().arb(), hi.back().arb(), prec);
          arb_mul_2exp_si(m.arb(), m.arb(), -1);
          center.push_back(m);
        }
        Ball range;
        ev.range(lo.data(), hi.data(), range);
        ev.taylor2(lo.data(), hi.data(), jet);
        INFO("box width ", box.width, " lo[0] ", mgdl::num::to_string(box.lo[0]));
        REQUIRE(range.is_finite());
        REQUIRE(jet.range.is_finite());
        // Radius limits: C·w + 2^-(prec-10) for Lipschitz targets, sqrt-like otherwise.
        const double eps = std::ldexp(1.0, -static_cast<int>(prec) + 10);
        const double limit = c.lipschitz > 0 ? c.lipschitz * box.width + eps : 2.0 * std::sqrt(box.width) + eps;
        CHECK(range.rad_approx() <= limit);
        CHECK(jet.range.rad_approx() <= range.rad_approx() * (1 + 1e-9) + eps);
        for (int k = 0; k < 4; ++k) {
          const std::vector<Rational> p = random_point(rng, box);
          const Ball ref = evaluate_point(prog, p, 4 * prec);
          REQUIRE(ref.is_finite());
          CHECK(arb_contains(range.arb(), ref.arb()));
          CHECK(arb_contains(jet.range.arb(), ref.arb()));
          const Ball form = taylor_at(jet, center, p, prec);
          if (form.is_finite()) CHECK(arb_contains(form.arb(), ref.arb()));
          // Point evaluation at working precision also contains it.
          std::vector<Ball> x;
          for (const auto& r : p) x.push_back(Ball::from_rational(r, prec));
          Ball at;
          ev.point(x.data(), at);
          CHECK(arb_overlaps(at.arb(), ref.arb()));
        }
      }
    }
  }
}

// Ball arithmetic is already first-order tight when each variable occurs once
// (sin(32*pi*x), exp(-x^2)*cos(20*y)): there the Taylor form can only match it.
// It wins where a variable occurs repeatedly (the dependency problem).
TEST_CASE("Taylor form is never wider, and tighter under repeated variables, on small boxes") {
  const std::uint64_t seed = 7;
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const std::pair<const char*, double> targets[] = {
      {"sin(32*pi*x)", 1.0},
      {"exp(-x^2)*cos(20*y)", 1.0},
      {"x^3 - 2*x", 0.8},
      {"sin(32*pi*x)*cos(32*pi*x)", 0.8},
      {"exp(-x^2)*cos(20*y) - x*y", 0.95},
  };
  for (const auto& [text, ratio] : targets) {
    INFO(std::string(text));
    const Expression e = Expression::parse(text);
    const Program prog = Program::compile(e, Domain::unit(e.dimension()));
    BallEvaluator ev(prog, 128);
    Taylor2 jet;
    double direct_sum = 0, taylor_sum = 0;
    for (int trial = 0; trial < 200; ++trial) {
      std::vector<Ball> lo, hi;
      for (int i = 0; i < e.dimension(); ++i) {
        const Rational a = dyadic(unit(rng) * 0.999);
        lo.push_back(Ball::from_rational(a, 128));
        hi.push_back(Ball::from_rational(a + Rational(1, 1 << 14), 128));
      }
      Ball range;
      ev.range(lo.data(), hi.data(), range);
      ev.taylor2(lo.data(), hi.data(), jet);
      CHECK(jet.range.rad_approx() <= range.rad_approx());
      direct_sum += range.rad_approx();
      taylor_sum += jet.range.rad_approx();
    }
    INFO("direct ", direct_sum, " taylor ", taylor_sum);
    CHECK(taylor_sum <= ratio * direct_sum);
  }
}

TEST_CASE("kinks and domain edges: hulls, indeterminate Hessians, never a crash") {
  const Expression e = Expression::parse("abs(x - 0.5) + sqrt(x)");
  const Program prog = Program::compile(e, Domain::unit(1));
  BallEvaluator ev(prog, 64);
  Taylor2 jet;
  const Ball lo = Ball::from_rational(Rational(1, 4), 64);
  const Ball hi = Ball::from_rational(Rational(3, 4), 64);
  ev.taylor2(&lo, &hi, jet);
  CHECK(jet.range.is_finite());
  CHECK_FALSE(jet.hessian[0].is_finite());  // the kink of abs is inside
  const Ball zero = Ball::from_rational(Rational(0), 64);
  ev.taylor2(&zero, &hi, jet);
  CHECK(jet.range.is_finite());             // sqrt is fine on [0, 3/4] ...
  CHECK_FALSE(jet.hessian[0].is_finite());  // ... but not differentiable at 0
  // Outside the domain: indeterminate, not a crash.
  const Program bad = Program::compile(Expression::parse("log(x - 2) + 1/(x - x)"), Domain::unit(1));
  BallEvaluator ev_bad(bad, 64);
  Ball out;
  ev_bad.range(&lo, &hi, out);
  CHECK_FALSE(out.is_finite());
  ev_bad.taylor2(&lo, &hi, jet);
  CHECK_FALSE(jet.range.is_finite());
  CHECK_FALSE(evaluate_point(bad, {Rational(1, 2)}, 64).is_finite());
}

TEST_CASE("set_precision re-converts constants") {
  const Program prog = Program::compile(Expression::parse("pi*x + 1/3"), Domain::unit(1));
  BallEvaluator ev(prog, 32);
  const Ball one = Ball::from_rational(Rational(1), 32);
  Ball out;
  ev.point(&one, out);
  const double coarse = out.rad_approx();
  ev.set_precision(200);
  CHECK(ev.precision() == 200);
  const Ball one_fine = Ball::from_rational(Rational(1), 200);
  ev.point(&one_fine, out);
  CHECK(out.rad_approx() < coarse * 1e-40);
  CHECK(out.rad_approx() > 0);
}

TEST_CASE("evaluate_point reaches the requested accuracy") {
  const Program prog = Program::compile(Expression::parse("exp(-x^2)*cos(20*y)"), Domain::unit(2));
  for (slong prec : {53, 200, 1000}) {
    const Ball v = evaluate_point(prog, {Rational(1, 3), Rational(2, 7)}, prec);
    REQUIRE(v.is_finite());
    CHECK(mag_cmp_2exp_si(arb_radref(v.arb()), -prec + 4) <= 0);
  }
}

TEST_CASE("the domain's affine map is composed exactly") {
  const Expression e = Expression::parse("x^2 + y");
  Domain box{{Rational(-1), Rational(2)}, {Rational(3), Rational(5, 2)}};
  const Program prog = Program::compile(e, box);
  // t = (1/2, 1) is x = 1, y = 5/2.
  const Ball v = evaluate_point(prog, {Rational(1, 2), Rational(1)}, 64);
  CHECK(arb_contains_si(v.arb(), 0) == 0);
  Ball expected = Ball::from_rational(Rational(7, 2), 64);
  CHECK(arb_contains(v.arb(), expected.arb()));
  CHECK(evaluate_exact(prog, {Rational(1, 2), Rational(1)}) == Rational(7, 2));
}
