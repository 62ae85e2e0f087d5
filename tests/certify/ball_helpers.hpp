// Test helpers shared by the producer's rule tests: a target on [0,1]^d from its
// text, reference balls at a higher precision, containment and width of balls.
#pragma once

#include <string>

#include "mgdl/expr/expression.hpp"
#include "mgdl/expr/program.hpp"
#include "mgdl/num/ball.hpp"

namespace mgdl::test {

constexpr slong kPrec = 128;
constexpr slong kRefPrec = 256;

inline expr::Program compile(const std::string& text, int d) {
  return expr::Program::compile(expr::Expression::parse(text), expr::Domain::unit(d));
}

inline bool contains(const num::Ball& enclosure, const num::Ball& ref) {
  return arb_contains(enclosure.arb(), ref.arb()) != 0;
}

inline double width(const num::Ball& b) {
  return 2 * mag_get_d(arb_radref(b.arb()));
}

inline num::Ball q(const num::Rational& r) {
  return num::Ball::from_rational(r, kRefPrec);
}

}  // namespace mgdl::test
