#include "mgdl/num/rational.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include <random>
#include <stdexcept>

using mgdl::num::Rational;
using mgdl::num::parse_rational;

TEST_CASE("decimal and scientific literals are exact rationals") {
  CHECK(parse_rational("0.1") == Rational(1, 10));
  CHECK(parse_rational("1.25e-3") == Rational(1, 800));
  CHECK(parse_rational("-2.5E2") == Rational(-250));
  CHECK(parse_rational(".5") == Rational(1, 2));
  CHECK(parse_rational("3.") == Rational(3));
  CHECK(parse_rational("-7/21") == Rational(-1, 3));
  CHECK(parse_rational("1e20") == Rational(mgdl::num::Integer("100000000000000000000")));
}

TEST_CASE("regression: leading zeros are decimal, not octal") {
  CHECK(parse_rational("0.017") == Rational(17, 1000));
  CHECK(parse_rational("0.0014674") == Rational(14674, 10000000));
  CHECK(parse_rational("0.27904818") == Rational(27904818, 100000000));
  CHECK(parse_rational("010/3") == Rational(10, 3));
  CHECK(parse_rational("0.08") == Rational(2, 25));
}

TEST_CASE("malformed numbers are rejected with a message") {
  CHECK_THROWS_AS(parse_rational(""), std::invalid_argument);
  CHECK_THROWS_AS(parse_rational("1.2.3"), std::invalid_argument);
  CHECK_THROWS_AS(parse_rational("1e"), std::invalid_argument);
  CHECK_THROWS_AS(parse_rational("."), std::invalid_argument);
  CHECK_THROWS_AS(parse_rational("1/0"), std::invalid_argument);
  CHECK_THROWS_AS(parse_rational("1e999999"), std::out_of_range);
  CHECK_THROWS_AS(parse_rational("1e99999999999999999999"), std::out_of_range);
}

TEST_CASE("to_string round-trips random rationals") {
  std::mt19937_64 rng(20261129);
  INFO("seed 20261129");
  for (int i = 0; i < 1000; ++i) {
    Rational r(static_cast<long>(rng() % 2000001) - 1000000, static_cast<long>(rng() % 99999) + 1);
    CHECK(parse_rational(mgdl::num::to_string(r)) == r);
  }
}

TEST_CASE("directed dyadic rounding brackets the value and keeps the bits asked for") {
  std::mt19937_64 rng(7);
  INFO("seed 7");
  for (int i = 0; i < 1000; ++i) {
    Rational r(static_cast<long>(rng() % 2000001) - 1000000, static_cast<long>(rng() % 99999) + 1);
    Rational lo = mgdl::num::round_down(r, 20);
    Rational hi = mgdl::num::round_up(r, 20);
    CHECK(lo <= r);
    CHECK(r <= hi);
    CHECK(mgdl::num::is_dyadic(lo));
    CHECK(mgdl::num::is_dyadic(hi));
    if (r != 0) CHECK(abs(hi - lo) <= abs(r) / Rational(1 << 18));
  }
  CHECK(mgdl::num::round_down(Rational(1, 3), 4) == Rational(5, 16));
  CHECK(mgdl::num::round_up(Rational(1, 3), 4) == Rational(11, 32));
  CHECK(mgdl::num::round_up(Rational(-1, 3), 4) == Rational(-10, 32));
}

// to_double_approx truncates (a monotone heuristic key); to_double_nearest is
// the correctly rounded double (used by the float export of networks).
TEST_CASE("double conversions: truncated and nearest") {
  using mgdl::num::Rational;
  const Rational tenth(1, 10);  // 0.1 lies below its nearest double
  CHECK(mgdl::num::to_double_nearest(tenth) == 0.1);
  CHECK(mgdl::num::to_double_approx(tenth) < 0.1);
  CHECK(mgdl::num::to_double_approx(tenth) == std::nextafter(0.1, 0.0));
  CHECK(mgdl::num::to_double_nearest(Rational(-1, 10)) == -0.1);
  CHECK(mgdl::num::to_double_approx(Rational(3, 4)) == 0.75);  // dyadic: exact either way
  CHECK(mgdl::num::to_double_nearest(Rational(3, 4)) == 0.75);
}
