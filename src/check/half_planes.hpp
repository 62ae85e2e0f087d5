// The checker's convex polygons in exact rationals (d = 2): a box cut by half-planes
// (proofs/networks.md, N6.2) and ∫ |a| over a polygon for affine a (proofs/integration.md, I8(g)).
#pragma once

#include <vector>

#include "cutoffs.hpp"

namespace mgdl::check {

// |{x ∈ box : l[0] + l[1] x_0 + l[2] x_1 >= 0 for every l in half_planes}|, exactly
// (d = 2; each cut of a convex polygon by a half-plane is a convex polygon).
Q clipped_area(const Box& box, const std::vector<std::vector<Q>>& half_planes);

// ∫_P |a| exactly for the convex polygon P (vertices {x_0, x_1} in order) and
// a = a[0] + a[1] x_0 + a[2] x_1: P cut by a = 0, each part by its centroid.
Q abs_affine_integral(const std::vector<std::vector<Q>>& polygon, const std::vector<Q>& a);

}  // namespace mgdl::check
