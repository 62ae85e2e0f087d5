#include "mgdl/report/decimal.hpp"

#include <doctest/doctest.h>

#include <random>
#include <stdexcept>

using mgdl::num::Integer;
using mgdl::num::Rational;
using mgdl::num::parse_rational;
using mgdl::report::decimal_lower;
using mgdl::report::decimal_upper;

TEST_CASE("directed decimals: exact reference values") {
  CHECK(decimal_lower(Rational(1, 3)) == "0.333333");
  CHECK(decimal_upper(Rational(1, 3)) == "0.333334");
  CHECK(decimal_lower(Rational(-1, 3)) == "-0.333334");
  CHECK(decimal_upper(Rational(-1, 3)) == "-0.333333");
  CHECK(decimal_lower(Rational(1, 4)) == "0.25");
  CHECK(decimal_upper(Rational(1, 4)) == "0.25");
  CHECK(decimal_lower(Rational(0)) == "0");
  CHECK(decimal_upper(Rational(7)) == "7");
  CHECK(decimal_upper(Rational(123456789)) == "1.23457e+8");
  CHECK(decimal_lower(Rational(123456789)) == "1.23456e+8");
  CHECK(decimal_lower(Rational(100000)) == "100000");
  CHECK(decimal_lower(Rational(1000000)) == "1e+6");
  // Carry into a new leading digit: 0.99999999 rounded up to 6 digits is 1.
  CHECK(decimal_upper(Rational(99999999, 100000000)) == "1");
  CHECK(decimal_lower(Rational(99999999, 100000000)) == "0.999999");
  CHECK(decimal_upper(Rational(-99999999, 100000000)) == "-0.999999");
  CHECK(decimal_lower(Rational(-99999999, 100000000)) == "-1");
  // Small magnitudes switch to scientific notation below 1e-4.
  CHECK(decimal_lower(Rational(1, 10000)) == "0.0001");
  CHECK(decimal_upper(Rational(1, 30000)) == "3.33334e-5");
  CHECK(decimal_lower(Rational(1, 30000)) == "3.33333e-5");
  CHECK(decimal_upper(Rational(1, 3), 2) == "0.34");
  CHECK(decimal_lower(Rational(2, 3), 1) == "0.6");
  CHECK(decimal_upper(Rational(2, 3), 1) == "0.7");
  // From the certificate's exact strings.
  CHECK(decimal_lower("4294967295/4294967296") == "0.999999");
  CHECK(decimal_upper("4294967295/4294967296") == "1");
  CHECK(mgdl::report::decimal_interval("1/3", "2/3") == "[0.333333, 0.666667]");
  CHECK_THROWS_AS(decimal_lower("1/0"), std::invalid_argument);
  CHECK_THROWS_AS(decimal_lower(Rational(1), 0), std::invalid_argument);
}

TEST_CASE("directed decimals bracket random rationals and keep the digits asked for") {
  const unsigned long seed = 20261129UL;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 3000; ++i) {
    // Numerators and denominators over a wide range of magnitudes (up to ~10^40).
    auto big = [&rng]() {
      Integer v = 0;
      const int words = 1 + static_cast<int>(rng() % 2);
      for (int w = 0; w < words; ++w) v = v * Integer("18446744073709551616") + Integer(rng());
      const int shift = static_cast<int>(rng() % 120);
      return Integer(v >> shift);
    };
    Integer p = big();
    Integer q = big() + 1;
    if (rng() % 2) p = -p;
    const Rational r(p, q);
    const int digits = 1 + static_cast<int>(rng() % 12);
    const std::string lo = decimal_lower(r, digits);
    const std::string hi = decimal_upper(r, digits);
    INFO("r = " << mgdl::num::to_string(r) << ", digits = " << digits << ", shown [" << lo << ", " << hi << "]");
    const Rational lo_value = parse_rational(lo);
    const Rational hi_value = parse_rational(hi);
    CHECK(lo_value <= r);
    CHECK(r <= hi_value);
    // Tight: the two ends are consecutive decimals of `digits` significant digits
    // (or equal when r is such a decimal), so the gap is at most one unit in
    // the last place of the larger magnitude.
    if (r != 0) {
      const Rational magnitude = abs(lo_value) > abs(hi_value) ? abs(lo_value) : abs(hi_value);
      Rational ulp = magnitude;
      Integer ten_digits = 1;
      for (int k = 0; k < digits - 1; ++k) ten_digits *= 10;
      ulp /= Rational(ten_digits);
      CHECK(hi_value - lo_value <= ulp);
      if (lo_value == hi_value) CHECK(lo_value == r);
    }
    // At most `digits` significant digits are printed.
    std::size_t significant = 0;
    bool leading = true;
    for (char c : lo.substr(0, lo.find('e'))) {
      if (c < '0' || c > '9') continue;
      if (leading && c == '0') continue;
      leading = false;
      ++significant;
    }
    CHECK(significant <= static_cast<std::size_t>(digits));
  }
}
