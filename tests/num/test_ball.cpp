#include "mgdl/num/bounds.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace mgdl::num;

TEST_CASE("a rational's ball contains it exactly and is tight") {
  std::mt19937_64 rng(11);
  INFO("seed 11");
  for (int i = 0; i < 500; ++i) {
    Rational r(static_cast<long>(rng() % 2000001) - 1000000, static_cast<long>(rng() % 99999) + 1);
    Ball b = Ball::from_rational(r, 64);
    Rational lo = lower_rational(b);
    Rational hi = upper_rational(b);
    CHECK(lo <= r);
    CHECK(r <= hi);
    CHECK(hi - lo <= abs(r) / Rational(Integer(1) << 60) + Rational(0));
  }
}

TEST_CASE("ball endpoints become directed bounds") {
  Ball x = Ball::from_rational(Rational(1, 3), 53);
  arb_sin(x.arb(), x.arb(), 53);
  LowerBound lo = lower_bound(x);
  UpperBound hi = upper_bound(x);
  // sin(1/3) = 0.32719469679615224417...; both bounds bracket it.
  CHECK(lo.value() < Rational(327194696796153, 1000000000000000));
  CHECK(hi.value() > Rational(327194696796152, 1000000000000000));
  CHECK(hi.value() - lo.value() < Rational(1, Integer(1) << 50));
  CHECK(lo.shortened(10).value() <= lo.value());
  CHECK(hi.shortened(10).value() >= hi.value());
}

TEST_CASE("three-valued sign tests never guess") {
  CHECK(is_positive(Ball::from_rational(Rational(1, 7), 64)) == Truth::certainly_true);
  CHECK(is_positive(Ball::from_rational(Rational(-1, 7), 64)) == Truth::certainly_false);
  Ball straddle = Ball::from_interval(Rational(-1, 7), Rational(1, 7), 64);
  CHECK(is_positive(straddle) == Truth::unknown);
  CHECK(is_negative(straddle) == Truth::unknown);
  CHECK(contains_zero(straddle) == Truth::unknown);
  CHECK(abs_lower_bound(straddle).value() == 0);
  CHECK(abs_upper_bound(straddle).value() >= Rational(1, 7));
  CHECK(negate(Truth::unknown) == Truth::unknown);
  CHECK(both(Truth::certainly_true, Truth::unknown) == Truth::unknown);
}

TEST_CASE("an indeterminate ball is not finite and certifies nothing") {
  Ball b = Ball::indeterminate();
  CHECK_FALSE(b.is_finite());
  CHECK(is_positive(b) == Truth::unknown);
}
