// The trapezoidal decomposition of a 2D cell by kink lines (proofs/integration.md,
// Lemma I8(c)): vertical strips at every vertex of the arrangement, each strip
// cut by the lines that cross it. h is affine on every piece when the lines are
// all the kinks of h in the cell (each piece's affinity is still checked exactly).
//
//   std::vector<certify::Trapezoid> t;
//   bool ok = certify::trapezoids(cell, lines, 64, t);  // false: too many pieces
#pragma once

#include <vector>

#include "mgdl/net/box.hpp"
#include "mgdl/net/correction.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::certify {

// {(x, y) : x0 <= x <= x1, lo(x) <= y <= hi(x)} with lo, hi affine, lo(x0) = lo0,
// lo(x1) = lo1, hi(x0) = hi0, hi(x1) = hi1, x0 < x1, lo <= hi (Ω coordinates, axes 0 and 1).
struct Trapezoid {
  num::Rational x0, x1, lo0, lo1, hi0, hi1;
  std::vector<std::vector<num::Rational>> vertices() const;  // its four corners
  net::Box bounding_box() const;
  num::Rational area() const;  // (x1 − x0)·((hi0 − lo0) + (hi1 − lo1))/2
};

// Appends the pieces of `cell` (d = 2) cut by the lines l = 0, l ∈ `lines`; false
// (and `out` unusable) when there would be more than `max_pieces`.
bool trapezoids(const net::Box& cell, const std::vector<net::AffineForm>& lines, std::size_t max_pieces,
                std::vector<Trapezoid>& out);

// Appends the pieces of `t` cut by the line l = 0, each a trapezoid inside t on
// which l has one sign (Lemma I8(c) on t's bounding box with t's two slanted sides
// as lines); their union is t. False when there would be more than `max_pieces`.
bool split_trapezoid(const Trapezoid& t, const net::AffineForm& l, std::size_t max_pieces,
                     std::vector<Trapezoid>& out);

}  // namespace mgdl::certify
