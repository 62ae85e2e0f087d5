// Exact rationals (GMP mpq_t) and intervals (MPFI mpfi_t) for the independent
// checker. Small RAII wrappers only: the checker shares no code with the
// producer (num/expr/net use Boost and Arb; we use GMP and MPFI directly).
#pragma once

#include <gmp.h>
#include <mpfi.h>
#include <mpfr.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace mgdl::check {

// A malformed certificate (exit code 2): one-line message.
class MalformedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Q {
 public:
  Q() { mpq_init(q_); }
  explicit Q(long v) { mpq_init(q_); mpq_set_si(q_, v, 1); }
  Q(long p, unsigned long den) { mpq_init(q_); mpq_set_si(q_, p, den); mpq_canonicalize(q_); }
  Q(const Q& o) { mpq_init(q_); mpq_set(q_, o.q_); }
  Q(Q&& o) noexcept { mpq_init(q_); mpq_swap(q_, o.q_); }
  Q& operator=(const Q& o) { if (this != &o) mpq_set(q_, o.q_); return *this; }
  Q& operator=(Q&& o) noexcept { mpq_swap(q_, o.q_); return *this; }
  ~Q() { mpq_clear(q_); }

  mpq_ptr get() { return q_; }
  mpq_srcptr get() const { return q_; }
  int sign() const { return mpq_sgn(q_); }
  bool is_integer() const { return mpz_cmp_ui(mpq_denref(q_), 1) == 0; }
  std::string str() const;  // "p/q" or "p"

  friend Q operator+(const Q& a, const Q& b) { Q r; mpq_add(r.q_, a.q_, b.q_); return r; }
  friend Q operator-(const Q& a, const Q& b) { Q r; mpq_sub(r.q_, a.q_, b.q_); return r; }
  friend Q operator*(const Q& a, const Q& b) { Q r; mpq_mul(r.q_, a.q_, b.q_); return r; }
  friend Q operator/(const Q& a, const Q& b) { Q r; mpq_div(r.q_, a.q_, b.q_); return r; }  // b != 0
  friend Q operator-(const Q& a) { Q r; mpq_neg(r.q_, a.q_); return r; }
  friend bool operator<(const Q& a, const Q& b) { return mpq_cmp(a.q_, b.q_) < 0; }
  friend bool operator<=(const Q& a, const Q& b) { return mpq_cmp(a.q_, b.q_) <= 0; }
  friend bool operator>(const Q& a, const Q& b) { return mpq_cmp(a.q_, b.q_) > 0; }
  friend bool operator>=(const Q& a, const Q& b) { return mpq_cmp(a.q_, b.q_) >= 0; }
  friend bool operator==(const Q& a, const Q& b) { return mpq_equal(a.q_, b.q_) != 0; }
  friend bool operator!=(const Q& a, const Q& b) { return mpq_equal(a.q_, b.q_) == 0; }
  Q abs() const { Q r; mpq_abs(r.q_, q_); return r; }

 private:
  mpq_t q_;
};

inline const Q& qmin(const Q& a, const Q& b) { return b < a ? b : a; }
inline const Q& qmax(const Q& a, const Q& b) { return a < b ? b : a; }

// Exact text forms "p/q", integers, decimals "-1.25", scientific "3e-2".
// Throws MalformedError on bad text, more than max_chars characters or a
// decimal exponent beyond max_exponent (guards "1e999999" and 10^6-digit numbers).
Q parse_exact(std::string_view text, std::size_t max_chars = 4096, long max_exponent = 4096);

// Integer power (n >= 0), exact.
Q qpow(const Q& base, unsigned long n);

// An interval [left, right] with explicit precision.
class I {
 public:
  explicit I(mpfr_prec_t prec) { mpfi_init2(x_, prec); }
  I(const I& o) { mpfi_init2(x_, mpfi_get_prec(o.x_)); mpfi_set(x_, o.x_); }
  I& operator=(const I& o) {
    if (this != &o) {
      mpfi_set_prec(x_, mpfi_get_prec(o.x_));
      mpfi_set(x_, o.x_);
    }
    return *this;
  }
  I(I&& o) noexcept { mpfi_init2(x_, mpfi_get_prec(o.x_)); mpfi_swap(x_, o.x_); }
  I& operator=(I&& o) noexcept { mpfi_swap(x_, o.x_); return *this; }
  ~I() { mpfi_clear(x_); }
  mpfi_ptr get() { return x_; }
  mpfi_srcptr get() const { return x_; }
  mpfr_srcptr left() const { return &x_->left; }
  mpfr_srcptr right() const { return &x_->right; }
  mpfr_ptr left() { return &x_->left; }
  mpfr_ptr right() { return &x_->right; }
  mpfr_prec_t prec() const { return mpfi_get_prec(x_); }

 private:
  mpfi_t x_;
};

// x := [lo, hi] with outward rounding (lo <= hi), or the point v. Same result
// as mpfi_interv_q / mpfi_set_q; dyadic rationals (the boxes' ends) convert
// without a division.
void set_interval(I& x, const Q& lo, const Q& hi);
void set_interval(I& x, const Q& v);

// Predicates answer "certainly" and are false on NaN or unbounded intervals.
bool finite(const I& x);
void set_entire(I& x);
// Certainly x <= q everywhere (right endpoint <= q).
bool certainly_le(const I& x, const Q& q);
// Certainly x >= q everywhere (left endpoint >= q).
bool certainly_ge(const I& x, const Q& q);
bool strictly_pos(const I& x);
bool strictly_neg(const I& x);
// Upper bound of |x| (into `out`, rounded up); false when not finite.
bool magnitude(mpfr_ptr out, const I& x);
// Short decimal of the midpoint for messages (never enters a claim).
std::string approx(const I& x);
std::string approx_right(const I& x);
// A short decimal form of an exact rational for messages: "1/3" stays exact.
std::string show(const Q& q);

}  // namespace mgdl::check
