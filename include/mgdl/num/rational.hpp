// Exact rationals (GMP through Boost.Multiprecision) and their text form.
//
//   Rational r = num::parse_rational("1.25e-3");   // exactly 1/800
//   std::string s = num::to_string(r);              // "1/800"
//
// Everything the constructions define (weights, corners, margins, coefficients)
// is a Rational; the text form round-trips exactly.
#pragma once

#include <boost/multiprecision/gmp.hpp>

#include <string>
#include <string_view>

namespace mgdl::num {

using Rational = boost::multiprecision::mpq_rational;
using Integer = boost::multiprecision::mpz_int;

// Parses "p/q", an integer, a decimal or scientific notation ("-1.5e-3") exactly.
// Throws std::invalid_argument with a one-line message on malformed text, and
// std::out_of_range when |exponent| exceeds max_decimal_exponent (guards
// against "1e999999" allocating a million-digit integer).
Rational parse_rational(std::string_view text, long max_decimal_exponent = 100000);

// "p/q" in lowest terms, or "p" when q == 1. parse_rational(to_string(r)) == r.
std::string to_string(const Rational& r);

// True when the denominator is a power of two.
bool is_dyadic(const Rational& r);

// Largest dyadic m/2^k <= r (round_down) or smallest >= r (round_up), with
// k = max(0, bits - floor(log2|r|)) so that about `bits` significant bits are kept.
// Used to shorten certified bounds in the safe direction (proofs/certification.md, C4).
Rational round_down(const Rational& r, long bits);
Rational round_up(const Rational& r, long bits);

// A double for heuristics and plots only; never enters a claimed bound.
// Truncates (rounds toward zero): cheap, and monotone in r.
double to_double_approx(const Rational& r);
// The double nearest to r (ties to even): for exports such as the float
// copy of a network, where users expect the correctly rounded weight.
double to_double_nearest(const Rational& r);

}  // namespace mgdl::num
