#include "exact.hpp"

#include <cctype>
#include <cstdio>
#include <vector>

namespace mgdl::check {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

[[noreturn]] void bad_number(std::string_view text) {
  std::string shown(text.substr(0, 40));
  if (text.size() > 40) shown += "...";
  throw MalformedError("malformed number '" + shown + "'");
}

void set_digits(mpz_ptr z, std::string_view digits) {
  std::string s(digits);
  if (mpz_set_str(z, s.c_str(), 10) != 0) bad_number(digits);
}

}  // namespace

std::string Q::str() const {
  std::vector<char> buf(mpz_sizeinbase(mpq_numref(q_), 10) + mpz_sizeinbase(mpq_denref(q_), 10) + 3);
  mpq_get_str(buf.data(), 10, q_);
  return std::string(buf.data());
}

Q parse_exact(std::string_view text, std::size_t max_chars, long max_exponent) {
  if (text.size() > max_chars)
    throw MalformedError("number too long (" + std::to_string(text.size()) + " characters)");
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  Q value;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    std::string_view p = s.substr(0, slash), q = s.substr(slash + 1);
    if (!all_digits(p) || !all_digits(q)) bad_number(text);
    set_digits(mpq_numref(value.get()), p);
    set_digits(mpq_denref(value.get()), q);
    if (mpz_sgn(mpq_denref(value.get())) == 0) throw MalformedError("zero denominator in '" + std::string(text) + "'");
    mpq_canonicalize(value.get());
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
      if (!all_digits(exp_text)) bad_number(text);
      if (exp_text.size() > 9) throw MalformedError("exponent out of range in '" + std::string(text.substr(0, 40)) + "'");
      exponent = std::stol(std::string(exp_text));
      if (exp_negative) exponent = -exponent;
    }
    std::string_view int_part = mantissa, frac_part;
    if (auto dot = mantissa.find('.'); dot != std::string_view::npos) {
      int_part = mantissa.substr(0, dot);
      frac_part = mantissa.substr(dot + 1);
      if (!frac_part.empty() && !all_digits(frac_part)) bad_number(text);
    }
    if (int_part.empty() && frac_part.empty()) bad_number(text);
    if (!int_part.empty() && !all_digits(int_part)) bad_number(text);
    exponent -= static_cast<long>(frac_part.size());
    if (exponent > max_exponent || exponent < -max_exponent)
      throw MalformedError("exponent out of range in '" + std::string(text.substr(0, 40)) + "'");
    std::string digits = std::string(int_part) + std::string(frac_part);
    set_digits(mpq_numref(value.get()), digits);
    mpz_t p10;
    mpz_init(p10);
    mpz_ui_pow_ui(p10, 10, static_cast<unsigned long>(exponent < 0 ? -exponent : exponent));
    if (exponent >= 0)
      mpz_mul(mpq_numref(value.get()), mpq_numref(value.get()), p10);
    else
      mpz_set(mpq_denref(value.get()), p10);
    mpz_clear(p10);
    mpq_canonicalize(value.get());
  }
  if (negative) mpq_neg(value.get(), value.get());
  return value;
}

Q qpow(const Q& base, unsigned long n) {
  Q r;
  mpz_pow_ui(mpq_numref(r.get()), mpq_numref(base.get()), n);
  mpz_pow_ui(mpq_denref(r.get()), mpq_denref(base.get()), n);
  return r;
}

namespace {

// q rounded in direction rnd; returns the ternary value (0: exact).
int set_rounded(mpfr_ptr out, mpq_srcptr q, mpfr_rnd_t rnd) {
  mpz_srcptr den = mpq_denref(q);
  if (mpz_popcount(den) == 1) {  // den = 2^k: num·2^−k, one rounding
    const mp_bitcnt_t k = mpz_scan1(den, 0);
    return mpfr_set_z_2exp(out, mpq_numref(q), -static_cast<mpfr_exp_t>(k), rnd);
  }
  return mpfr_set_q(out, q, rnd);
}

}  // namespace

void set_interval(I& x, const Q& lo, const Q& hi) {
  set_rounded(x.left(), lo.get(), MPFR_RNDD);
  set_rounded(x.right(), hi.get(), MPFR_RNDU);
}

void set_interval(I& x, const Q& v) {
  if (set_rounded(x.left(), v.get(), MPFR_RNDD) == 0) mpfr_set(x.right(), x.left(), MPFR_RNDU);
  else set_rounded(x.right(), v.get(), MPFR_RNDU);
}

bool finite(const I& x) { return mpfr_number_p(x.left()) && mpfr_number_p(x.right()); }

void set_entire(I& x) {
  mpfr_set_inf(x.left(), -1);
  mpfr_set_inf(x.right(), 1);
}

bool certainly_le(const I& x, const Q& q) {
  if (!finite(x)) return false;
  return mpfr_cmp_q(x.right(), q.get()) <= 0;
}

bool certainly_ge(const I& x, const Q& q) {
  if (!finite(x)) return false;
  return mpfr_cmp_q(x.left(), q.get()) >= 0;
}

bool strictly_pos(const I& x) { return finite(x) && mpfr_sgn(x.left()) > 0; }
bool strictly_neg(const I& x) { return finite(x) && mpfr_sgn(x.right()) < 0; }

bool magnitude(mpfr_ptr out, const I& x) {
  if (!finite(x)) return false;
  mpfr_t a;
  mpfr_init2(a, mpfr_get_prec(out));
  mpfr_abs(a, x.left(), MPFR_RNDU);
  mpfr_abs(out, x.right(), MPFR_RNDU);
  mpfr_max(out, out, a, MPFR_RNDU);
  mpfr_clear(a);
  return true;
}

namespace {
std::string fr_text(mpfr_srcptr v) {
  if (mpfr_nan_p(v)) return "nan";
  if (mpfr_inf_p(v)) return mpfr_sgn(v) > 0 ? "inf" : "-inf";
  char buf[64];
  mpfr_snprintf(buf, sizeof buf, "%.6Rg", v);
  return buf;
}
}  // namespace

std::string approx(const I& x) {
  if (!finite(x)) return "[" + fr_text(x.left()) + ", " + fr_text(x.right()) + "]";
  mpfr_t m;
  mpfr_init2(m, x.prec());
  mpfi_mid(m, x.get());
  std::string s = fr_text(m);
  mpfr_clear(m);
  return s;
}

std::string approx_right(const I& x) { return fr_text(x.right()); }

std::string show(const Q& q) {
  std::string s = q.str();
  if (s.size() <= 40) return s;
  mpfr_t v;
  mpfr_init2(v, 64);
  mpfr_set_q(v, q.get(), MPFR_RNDN);
  std::string r = "~" + fr_text(v);
  mpfr_clear(v);
  return r;
}

}  // namespace mgdl::check
