// Axis-aligned boxes with exact rational corners, in Ω = [0,1]^d coordinates.
#pragma once

#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"

#include <vector>

namespace mgdl::net {

struct Box {
  std::vector<num::Rational> lo, hi;  // lo[i] <= hi[i]

  int dimension() const { return static_cast<int>(lo.size()); }
  static Box unit(int d);
  num::Rational width(int axis) const { return hi[axis] - lo[axis]; }
  num::Rational volume() const;
  std::vector<num::Rational> center() const;
  bool contains(const std::vector<num::Rational>& x) const;      // closed box
  bool intersects_interior(const Box& other) const;               // open overlap
  Box intersection(const Box& other) const;                       // may be empty (lo > hi)
  bool empty() const;
  // Balls of the coordinates (lo_i and hi_i exact when dyadic and prec large enough).
  void to_balls(std::vector<num::Ball>& lo_balls, std::vector<num::Ball>& hi_balls, slong prec) const;
};

}  // namespace mgdl::net
