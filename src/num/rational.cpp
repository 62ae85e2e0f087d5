#include "mgdl/num/rational.hpp"

#include <cctype>
#include <stdexcept>
#include <string>

namespace mgdl::num {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Base 10 explicitly: Integer(std::string) follows C literal rules and reads
// a leading 0 as octal ("0.017" would become 15/1000).
Integer parse_integer(std::string_view digits) {
  Integer result;
  mpz_set_str(result.backend().data(), std::string(digits).c_str(), 10);
  return result;
}

Integer pow10(unsigned long n) {
  Integer result;
  mpz_ui_pow_ui(result.backend().data(), 10, n);
  return result;
}

[[noreturn]] void malformed(std::string_view text) {
  throw std::invalid_argument("malformed number '" + std::string(text) + "'");
}

}  // namespace

Rational parse_rational(std::string_view text, long max_decimal_exponent) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  Rational value;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    auto p = s.substr(0, slash);
    auto q = s.substr(slash + 1);
    if (!all_digits(p) || !all_digits(q)) malformed(text);
    Integer den = parse_integer(q);
    if (den == 0) throw std::invalid_argument("zero denominator in '" + std::string(text) + "'");
    value = Rational(parse_integer(p), den);
  } else {
    std::string_view mantissa = s;
    long exponent = 0;
    if (auto e = s.find_first_of("eE"); e != std::string_view::npos) {
      mantissa = s.substr(0, e);
      std::string_view exp_text = s.substr(e + 1);
      bool exp_negative = false;
      if (!exp_text.empty() && (exp_text.front() == '-' || exp_text.front() == '+')) {
        exp_negative = exp_text.front() == '-';
        exp_text.remove_prefix(1);
      }
      if (!all_digits(exp_text)) malformed(text);
      // Digits beyond what fits are an out-of-range exponent, not an overflow.
      if (exp_text.size() > 12) throw std::out_of_range("exponent out of range in '" + std::string(text) + "'");
      exponent = std::stol(std::string(exp_text));
      if (exp_negative) exponent = -exponent;
    }
    std::string_view int_part = mantissa;
    std::string_view frac_part;
    if (auto dot = mantissa.find('.'); dot != std::string_view::npos) {
      int_part = mantissa.substr(0, dot);
      frac_part = mantissa.substr(dot + 1);
      if (!frac_part.empty() && !all_digits(frac_part)) malformed(text);
    }
    if (int_part.empty() && frac_part.empty()) malformed(text);
    if (!int_part.empty() && !all_digits(int_part)) malformed(text);
    exponent -= static_cast<long>(frac_part.size());
    if (exponent > max_decimal_exponent || exponent < -max_decimal_exponent)
      throw std::out_of_range("exponent out of range in '" + std::string(text) + "'");
    std::string digits = std::string(int_part) + std::string(frac_part);
    Integer n = parse_integer(digits);
    if (exponent >= 0)
      value = Rational(n * pow10(static_cast<unsigned long>(exponent)));
    else
      value = Rational(n, pow10(static_cast<unsigned long>(-exponent)));
  }
  return negative ? Rational(-value) : value;
}

std::string to_string(const Rational& r) {
  if (denominator(r) == 1) return numerator(r).str();
  return numerator(r).str() + "/" + denominator(r).str();
}

bool is_dyadic(const Rational& r) {
  const Integer den = denominator(r);
  return mpz_popcount(den.backend().data()) == 1;
}

namespace {

// floor(r * 2^k) / 2^k, or the ceiling, with k as documented in the header.
Rational round_dyadic(const Rational& r, long bits, bool upward) {
  if (r == 0) return r;
  const Integer num = numerator(r);
  const Integer den = denominator(r);
  // floor(log2|r|) within one: bit lengths of numerator and denominator.
  long log2 = static_cast<long>(mpz_sizeinbase(num.backend().data(), 2)) -
              static_cast<long>(mpz_sizeinbase(den.backend().data(), 2));
  long k = bits - log2;
  if (k < 0) k = 0;
  Integer scaled_num = num;
  mpz_mul_2exp(scaled_num.backend().data(), scaled_num.backend().data(), static_cast<mp_bitcnt_t>(k));
  Integer q;
  if (upward)
    mpz_cdiv_q(q.backend().data(), scaled_num.backend().data(), den.backend().data());
  else
    mpz_fdiv_q(q.backend().data(), scaled_num.backend().data(), den.backend().data());
  Integer pow2 = 1;
  mpz_mul_2exp(pow2.backend().data(), pow2.backend().data(), static_cast<mp_bitcnt_t>(k));
  return Rational(q, pow2);
}

}  // namespace

Rational round_down(const Rational& r, long bits) { return round_dyadic(r, bits, false); }
Rational round_up(const Rational& r, long bits) { return round_dyadic(r, bits, true); }

// mpq_get_d truncates; Boost's generic conversion rounds correctly but costs
// ~20x more, and this is for heuristics only.
double to_double_approx(const Rational& r) { return mpq_get_d(r.backend().data()); }

double to_double_nearest(const Rational& r) { return r.convert_to<double>(); }

}  // namespace mgdl::num
