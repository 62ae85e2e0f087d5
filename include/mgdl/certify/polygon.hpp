// Convex polygons in exact rationals (d = 2): clipping by half-planes, areas and
// integrals of affine functions (proofs/networks.md N6.2; proofs/integration.md I8(g)).
//
//   Polygon p = box_polygon(box);
//   p = clip(p, l);                         // the part where l >= 0
//   Rational a = area(p), i = integral(p, g);  // |p|, ∫_p g
#pragma once

#include <vector>

#include "mgdl/net/box.hpp"
#include "mgdl/net/correction.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::certify {

struct Point2 {
  num::Rational x, y;
};
using Polygon = std::vector<Point2>;  // counter-clockwise; fewer than 3 vertices: empty

Polygon box_polygon(const net::Box& box);
// The part of the convex polygon where l = l.constant + l.gradient·x >= 0 (convex).
Polygon clip(const Polygon& poly, const net::AffineForm& l);
num::Rational area(const Polygon& poly);
// ∫_poly g for affine g: Σ over the fan triangles of area · g(centroid), exactly.
num::Rational integral(const Polygon& poly, const net::AffineForm& g);
// ∫_poly |g| exactly: poly cut by g = 0, each part by integral() (I8(g)).
num::Rational abs_integral(const Polygon& poly, const net::AffineForm& g);
// −l (2D).
net::AffineForm negated(const net::AffineForm& l);
// |{x ∈ box : l(x) >= 0 for every l}| (Sutherland–Hodgman, then the shoelace formula).
num::Rational clipped_area(const net::Box& box, const std::vector<net::AffineForm>& half_planes);

}  // namespace mgdl::certify
