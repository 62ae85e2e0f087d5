#include "mgdl/num/ball.hpp"

#include <arf.h>
#include <fmpq.h>
#include <flint/fmpz.h>

#include <cstdlib>
#include <memory>

namespace mgdl::num {
namespace {

// Exact value of a finite arf as a Rational (arf numbers are dyadic). With
// x = m·2^e, m odd, m/2^-e is already in lowest terms: no gcd needed.
Rational arf_to_rational(const arf_t x) {
  Rational out;
  if (arf_is_zero(x)) return out;
  fmpz_t m, e;
  fmpz_init(m);
  fmpz_init(e);
  arf_get_fmpz_2exp(m, e, x);
  if (fmpz_fits_si(e) && fmpz_get_si(e) > -(WORD(1) << 40) && fmpz_get_si(e) < (WORD(1) << 40)) {
    const slong ex = fmpz_get_si(e);
    mpq_ptr q = out.backend().data();
    fmpz_get_mpz(mpq_numref(q), m);
    if (ex >= 0) {
      mpz_mul_2exp(mpq_numref(q), mpq_numref(q), static_cast<mp_bitcnt_t>(ex));
    } else {
      mpz_set_ui(mpq_denref(q), 0);
      mpz_setbit(mpq_denref(q), static_cast<mp_bitcnt_t>(-ex));
    }
  } else {
    fmpq_t q;
    fmpq_init(q);
    arf_get_fmpq(q, x);
    Integer num;
    Integer den;
    fmpz_get_mpz(num.backend().data(), fmpq_numref(q));
    fmpz_get_mpz(den.backend().data(), fmpq_denref(q));
    fmpq_clear(q);
    out = Rational(num, den);
  }
  fmpz_clear(m);
  fmpz_clear(e);
  return out;
}

void set_fmpq(fmpq_t out, const Rational& r) {
  fmpz_set_mpz(fmpq_numref(out), numerator(r).backend().data());
  fmpz_set_mpz(fmpq_denref(out), denominator(r).backend().data());
}

}  // namespace

Ball Ball::from_rational(const Rational& r, slong prec) {
  Ball b;
  mpq_srcptr v = r.backend().data();
  mpz_srcptr den = mpq_denref(v);
  const mp_bitcnt_t low = mpz_scan1(den, 0);
  if (mpz_sizeinbase(den, 2) == low + 1) {  // den = 2^low: a dyadic, no division
    arf_set_mpz(arb_midref(b.value_), mpq_numref(v));
    arf_mul_2exp_si(arb_midref(b.value_), arb_midref(b.value_), -static_cast<slong>(low));
    arb_set_round(b.value_, b.value_, prec);
    return b;
  }
  fmpq_t q;
  fmpq_init(q);
  set_fmpq(q, r);
  arb_set_fmpq(b.value_, q, prec);
  fmpq_clear(q);
  return b;
}

Ball Ball::from_interval(const Rational& lo, const Rational& hi, slong prec) {
  Ball a = from_rational(lo, prec);
  Ball c = from_rational(hi, prec);
  Ball b;
  arb_union(b.value_, a.value_, c.value_, prec);
  return b;
}

Ball Ball::indeterminate() {
  Ball b;
  arb_indeterminate(b.value_);
  return b;
}

double Ball::mid_approx() const { return arf_get_d(arb_midref(value_), ARF_RND_NEAR); }

double Ball::rad_approx() const { return mag_get_d(arb_radref(value_)); }

std::string Ball::to_string(slong digits) const {
  char* s = arb_get_str(value_, digits, 0);
  std::string out(s);
  flint_free(s);
  return out;
}

namespace {

// An exact endpoint of the ball: ARF_PREC_EXACT keeps every bit of mid ± rad.
Rational exact_bound(const Ball& ball, void (*bound)(arf_t, const arb_t, slong)) {
  arf_t x;
  arf_init(x);
  bound(x, ball.arb(), ARF_PREC_EXACT);
  Rational r = arf_to_rational(x);
  arf_clear(x);
  return r;
}

}  // namespace

Rational lower_rational(const Ball& ball) { return exact_bound(ball, arb_get_lbound_arf); }
Rational upper_rational(const Ball& ball) { return exact_bound(ball, arb_get_ubound_arf); }
Rational abs_upper_rational(const Ball& ball) { return exact_bound(ball, arb_get_abs_ubound_arf); }

Truth is_positive(const Ball& ball) {
  if (arb_is_positive(ball.arb())) return Truth::certainly_true;
  if (arb_is_nonpositive(ball.arb())) return Truth::certainly_false;
  return Truth::unknown;
}

Truth is_negative(const Ball& ball) {
  if (arb_is_negative(ball.arb())) return Truth::certainly_true;
  if (arb_is_nonnegative(ball.arb())) return Truth::certainly_false;
  return Truth::unknown;
}

Truth contains_zero(const Ball& ball) {
  if (arb_is_zero(ball.arb())) return Truth::certainly_true;
  if (!arb_contains_zero(ball.arb())) return Truth::certainly_false;
  return Truth::unknown;
}

}  // namespace mgdl::num
