#include "mgdl/report/decimal.hpp"

#include <stdexcept>
#include <string>

namespace mgdl::report {
namespace {

using num::Integer;
using num::Rational;

Integer power_of_ten(long k) {
  Integer result = 1;
  Integer base = 10;
  auto e = static_cast<unsigned long>(k);
  while (e > 0) {
    if (e & 1UL) result *= base;
    e >>= 1U;
    if (e > 0) base *= base;
  }
  return result;
}

// True iff a/b >= 10^k (a, b > 0).
bool at_least_power(const Integer& a, const Integer& b, long k) {
  if (k >= 0) return a >= b * power_of_ten(k);
  return a * power_of_ten(-k) >= b;
}

long decimal_digits(const Integer& v) { return static_cast<long>(v.str().size()); }

}  // namespace

std::string decimal(const Rational& r, Direction direction, int digits) {
  if (digits < 1) throw std::invalid_argument("decimal: digits must be at least 1");
  if (r == 0) return "0";
  const bool negative = r < 0;
  const Integer a = abs(boost::multiprecision::numerator(r));
  const Integer b = boost::multiprecision::denominator(r);
  // Rounding the value down means rounding the magnitude up when r < 0.
  const bool magnitude_up = (direction == Direction::up) != negative;

  // e = floor(log10(a/b)), found exactly: start from the digit counts (off by
  // at most one) and correct with exact comparisons.
  long e = decimal_digits(a) - decimal_digits(b);
  while (!at_least_power(a, b, e)) --e;
  while (at_least_power(a, b, e + 1)) ++e;

  // m = floor or ceil of (a/b)·10^(digits−1−e), an integer in [10^(digits−1), 10^digits].
  const long shift = static_cast<long>(digits) - 1 - e;
  Integer numer = a;
  Integer denom = b;
  if (shift >= 0) {
    numer *= power_of_ten(shift);
  } else {
    denom *= power_of_ten(-shift);
  }
  Integer m = numer / denom;
  if (magnitude_up && numer % denom != 0) m += 1;
  if (m == power_of_ten(digits)) {  // 9.99..95 rounded up to 10.00..0
    m = power_of_ten(digits - 1);
    ++e;
  }

  std::string mantissa = m.str();  // exactly `digits` characters
  while (mantissa.size() > 1 && mantissa.back() == '0') mantissa.pop_back();
  const auto k = static_cast<long>(mantissa.size());

  std::string out = negative ? "-" : "";
  if (e >= -4 && e < digits) {
    if (e >= 0) {
      if (k <= e + 1) {
        out += mantissa + std::string(static_cast<std::size_t>(e + 1 - k), '0');
      } else {
        out += mantissa.substr(0, static_cast<std::size_t>(e + 1)) + "." +
               mantissa.substr(static_cast<std::size_t>(e + 1));
      }
    } else {
      out += "0." + std::string(static_cast<std::size_t>(-e - 1), '0') + mantissa;
    }
  } else {
    out += mantissa.substr(0, 1);
    if (k > 1) out += "." + mantissa.substr(1);
    out += e < 0 ? "e-" : "e+";
    out += std::to_string(e < 0 ? -e : e);
  }
  return out;
}

std::string decimal_lower(std::string_view exact, int digits) {
  return decimal(num::parse_rational(exact), Direction::down, digits);
}

std::string decimal_upper(std::string_view exact, int digits) {
  return decimal(num::parse_rational(exact), Direction::up, digits);
}

std::string decimal_interval(std::string_view lower, std::string_view upper, int digits) {
  return "[" + decimal_lower(lower, digits) + ", " + decimal_upper(upper, digits) + "]";
}

}  // namespace mgdl::report
