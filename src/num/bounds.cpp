#include "mgdl/num/bounds.hpp"

namespace mgdl::num {

std::optional<Rational> Enclosure::relative_gap() const {
  if (upper.value() <= 0) return std::nullopt;
  return Rational((upper.value() - lower.value()) / upper.value());
}

LowerBound lower_bound(const Ball& ball) { return LowerBound(lower_rational(ball)); }
UpperBound upper_bound(const Ball& ball) { return UpperBound(upper_rational(ball)); }

UpperBound abs_upper_bound(const Ball& ball) { return UpperBound(abs_upper_rational(ball)); }

LowerBound abs_lower_bound(const Ball& ball) {
  Rational lo = lower_rational(ball);
  Rational hi = upper_rational(ball);
  if (lo > 0) return LowerBound(lo);
  if (hi < 0) return LowerBound(Rational(-hi));
  return LowerBound(Rational(0));
}

Truth certainly_less(const Enclosure& a, const Enclosure& b) {
  if (a.upper.value() < b.lower.value()) return Truth::certainly_true;
  if (a.lower.value() >= b.upper.value()) return Truth::certainly_false;
  return Truth::unknown;
}

}  // namespace mgdl::num
