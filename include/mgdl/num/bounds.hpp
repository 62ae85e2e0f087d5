// Directed bounds: types that keep "at least" and "at most" apart, so an upper
// bound cannot be passed where a lower bound is expected.
//
//   UpperBound u = upper_bound(ball);              // certified: value <= u
//   UpperBound s = u.shortened(64);                // still certified (rounded up)
//   Enclosure e{lower_bound(ball), u};
#pragma once

#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"
#include "mgdl/num/truth.hpp"

#include <optional>
#include <string>

namespace mgdl::num {

// A certified lower bound: the quantity it describes is >= value().
class LowerBound {
 public:
  explicit LowerBound(Rational value) : value_(std::move(value)) {}
  const Rational& value() const { return value_; }
  // Rounded down to about `bits` significant bits: still a lower bound (C4).
  LowerBound shortened(long bits) const { return LowerBound(round_down(value_, bits)); }
  // max of two lower bounds of the same quantity is a lower bound.
  static LowerBound tighter(const LowerBound& a, const LowerBound& b) {
    return a.value_ >= b.value_ ? a : b;
  }

 private:
  Rational value_;
};

// A certified upper bound: the quantity it describes is <= value().
class UpperBound {
 public:
  explicit UpperBound(Rational value) : value_(std::move(value)) {}
  const Rational& value() const { return value_; }
  UpperBound shortened(long bits) const { return UpperBound(round_up(value_, bits)); }
  static UpperBound tighter(const UpperBound& a, const UpperBound& b) {
    return a.value_ <= b.value_ ? a : b;
  }
  // Upper bound of the larger of two quantities.
  static UpperBound larger(const UpperBound& a, const UpperBound& b) {
    return a.value_ >= b.value_ ? a : b;
  }

 private:
  Rational value_;
};

// Certified interval [lower, upper] of one quantity.
struct Enclosure {
  LowerBound lower;
  UpperBound upper;
  // (upper - lower) / upper, or nullopt when upper <= 0.
  std::optional<Rational> relative_gap() const;
};

// Endpoints of a finite ball as directed bounds (exact, C4).
LowerBound lower_bound(const Ball& ball);
UpperBound upper_bound(const Ball& ball);
// Upper bound of |x| over the ball.
UpperBound abs_upper_bound(const Ball& ball);
// Lower bound of |x| over the ball (0 when the ball contains 0).
LowerBound abs_lower_bound(const Ball& ball);

// Three-valued: is a's quantity certainly below b's? (a.upper < b.lower)
Truth certainly_less(const Enclosure& a, const Enclosure& b);

}  // namespace mgdl::num
