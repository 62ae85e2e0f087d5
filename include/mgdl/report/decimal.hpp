// Decimal display of exact certified numbers, rounded in the safe direction.
//
//   num::Rational u = num::parse_rational("1/3");
//   report::decimal_upper(u, 6);   // "0.333334"   (>= 1/3)
//   report::decimal_lower(u, 6);   // "0.333333"   (<= 1/3)
//
// A displayed lower bound is still a lower bound and a displayed upper bound is
// still an upper bound (proofs/certification.md, C4): the digits come from an
// exact floor/ceiling of an integer quotient (GMP), never from a double.
#pragma once

#include "mgdl/num/rational.hpp"

#include <string>
#include <string_view>

namespace mgdl::report {

enum class Direction { down, up };

// The decimal with at most `digits` significant digits (digits >= 1) that is
// the largest <= r (down) or the smallest >= r (up). Trailing zeros are
// dropped. Fixed notation when the decimal exponent e of the leading digit is
// in [-4, digits), otherwise "d.ddde-7" / "d.ddde+12". Zero prints "0".
// Locale-independent and deterministic.
std::string decimal(const num::Rational& r, Direction direction, int digits = 6);
inline std::string decimal_lower(const num::Rational& r, int digits = 6) {
  return decimal(r, Direction::down, digits);
}
inline std::string decimal_upper(const num::Rational& r, int digits = 6) {
  return decimal(r, Direction::up, digits);
}

// Same, from the certificate's exact string ("p/q", integer or exact decimal).
// Throws std::invalid_argument with a one-line message on malformed text.
std::string decimal_lower(std::string_view exact, int digits = 6);
std::string decimal_upper(std::string_view exact, int digits = 6);

// "[L, U]" with L rounded down and U rounded up.
std::string decimal_interval(std::string_view lower, std::string_view upper, int digits = 6);

}  // namespace mgdl::report
