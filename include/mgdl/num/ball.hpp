// RAII wrapper of an Arb ball [mid ± rad]. Precision is always an explicit
// argument of the operation, never a global.
//
//   Ball x = Ball::from_rational(Rational(1, 3), 128);
//   arb_sin(x.arb(), x.arb(), 128);
//   LowerBound lo = lower_bound(x);    // exact dyadic endpoint
#pragma once

#include "mgdl/num/rational.hpp"
#include "mgdl/num/truth.hpp"

#include <arb.h>

#include <string>

namespace mgdl::num {

class Ball {
 public:
  Ball() { arb_init(value_); }
  ~Ball() { arb_clear(value_); }
  Ball(const Ball& other) {
    arb_init(value_);
    arb_set(value_, other.value_);
  }
  Ball(Ball&& other) noexcept {
    arb_init(value_);
    arb_swap(value_, other.value_);
  }
  Ball& operator=(const Ball& other) {
    if (this != &other) arb_set(value_, other.value_);
    return *this;
  }
  Ball& operator=(Ball&& other) noexcept {
    arb_swap(value_, other.value_);
    return *this;
  }

  // Smallest ball Arb can form at `prec` bits that contains r.
  static Ball from_rational(const Rational& r, slong prec);
  // The exact interval [lo, hi] (rounded outward to `prec` bits).
  static Ball from_interval(const Rational& lo, const Rational& hi, slong prec);
  // The whole real line: the "indeterminate" answer of a kernel.
  static Ball indeterminate();

  arb_ptr arb() { return value_; }
  arb_srcptr arb() const { return value_; }

  bool is_finite() const { return arb_is_finite(value_) != 0; }
  // Midpoint as a double: heuristics only.
  double mid_approx() const;
  // Radius as a double rounded up: heuristics and reporting only.
  double rad_approx() const;
  // Arb's decimal form, for messages and debugging.
  std::string to_string(slong digits = 20) const;

 private:
  arb_t value_;
};

// Exact endpoints of a finite ball (mid ± rad are dyadic, so these are exact).
// Precondition: ball.is_finite().
Rational lower_rational(const Ball& ball);
Rational upper_rational(const Ball& ball);
// |mid| + rad exactly: the largest |x| over the ball.
Rational abs_upper_rational(const Ball& ball);

// Three-valued comparisons of every point of the ball.
Truth is_positive(const Ball& ball);
Truth is_negative(const Ball& ball);
Truth contains_zero(const Ball& ball);

}  // namespace mgdl::num
