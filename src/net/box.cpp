#include "mgdl/net/box.hpp"

#include <cstddef>

namespace mgdl::net {

using num::Rational;

Box Box::unit(int d) {
  Box box;
  box.lo.assign(static_cast<std::size_t>(d), Rational(0));
  box.hi.assign(static_cast<std::size_t>(d), Rational(1));
  return box;
}

Rational Box::volume() const {
  Rational v(1);
  for (std::size_t i = 0; i < lo.size(); ++i) {
    if (hi[i] <= lo[i]) return Rational(0);
    v *= hi[i] - lo[i];
  }
  return v;
}

std::vector<Rational> Box::center() const {
  std::vector<Rational> c(lo.size());
  for (std::size_t i = 0; i < lo.size(); ++i) c[i] = (lo[i] + hi[i]) / 2;
  return c;
}

bool Box::contains(const std::vector<Rational>& x) const {
  if (x.size() != lo.size()) return false;
  for (std::size_t i = 0; i < lo.size(); ++i)
    if (x[i] < lo[i] || x[i] > hi[i]) return false;
  return true;
}

bool Box::intersects_interior(const Box& other) const {
  if (other.lo.size() != lo.size()) return false;
  for (std::size_t i = 0; i < lo.size(); ++i) {
    // Open overlap: max(lo) < min(hi) on every axis.
    const Rational& l = lo[i] > other.lo[i] ? lo[i] : other.lo[i];
    const Rational& h = hi[i] < other.hi[i] ? hi[i] : other.hi[i];
    if (!(l < h)) return false;
  }
  return true;
}

Box Box::intersection(const Box& other) const {
  Box out;
  out.lo.resize(lo.size());
  out.hi.resize(lo.size());
  for (std::size_t i = 0; i < lo.size(); ++i) {
    out.lo[i] = lo[i] > other.lo[i] ? lo[i] : other.lo[i];
    out.hi[i] = hi[i] < other.hi[i] ? hi[i] : other.hi[i];
  }
  return out;
}

bool Box::empty() const {
  for (std::size_t i = 0; i < lo.size(); ++i)
    if (lo[i] > hi[i]) return true;
  return false;
}

void Box::to_balls(std::vector<num::Ball>& lo_balls, std::vector<num::Ball>& hi_balls, slong prec) const {
  lo_balls.resize(lo.size());
  hi_balls.resize(hi.size());
  for (std::size_t i = 0; i < lo.size(); ++i) {
    lo_balls[i] = num::Ball::from_rational(lo[i], prec);
    hi_balls[i] = num::Ball::from_rational(hi[i], prec);
  }
}

}  // namespace mgdl::net
