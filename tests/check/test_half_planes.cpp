// The checker's exact clipped areas (half_planes.hpp, proofs/networks.md N6.2): known
// areas, and the exact identity |B ∩ P ∩ {l >= 0}| + |B ∩ P ∩ {−l >= 0}| = |B ∩ P|
// for random rational lines (the line itself has measure zero).
#include <doctest/doctest.h>

#include <random>

#include "half_planes.hpp"

using namespace mgdl::check;

namespace {

Q ratio(std::mt19937_64& rng, long range, unsigned long den) {
  return Q(static_cast<long>(rng() % static_cast<unsigned long>(2 * range + 1)) - range, den);
}

std::vector<Q> negated(const std::vector<Q>& l) {
  return {-l[0], -l[1], -l[2]};
}

}  // namespace

TEST_CASE("clipped areas: triangles, strips and empty cuts of a box, exactly") {
  const Box unit{{Q(), Q()}, {Q(1), Q(1)}};
  CHECK(clipped_area(unit, {}) == Q(1));
  CHECK(clipped_area(unit, {{Q(-1), Q(1), Q(1)}}) == Q(1, 2));                           // x + y >= 1
  CHECK(clipped_area(unit, {{Q(-1, 3), Q(1), Q()}}) == Q(2, 3));                         // x >= 1/3
  CHECK(clipped_area(unit, {{Q(), Q(2), Q(-1)}}) == Q(3, 4));                            // y <= 2x
  CHECK(clipped_area(unit, {{Q(-1, 3), Q(1), Q()}, {Q(1, 2), Q(), Q(-1)}}) == Q(1, 3));  // x >= 1/3, y <= 1/2
  CHECK(clipped_area(unit, {{Q(-3), Q(1), Q(1)}}) == Q());                               // x + y >= 3: empty
  CHECK(clipped_area(unit, {{Q(-1), Q(1), Q(1)}, {Q(1), Q(-1), Q(-1)}}) == Q());         // a line only
  const Box b{{Q(1, 4), Q(-1, 2)}, {Q(3, 4), Q(1, 2)}};
  CHECK(clipped_area(b, {{Q(), Q(), Q(1)}}) == Q(1, 4));  // y >= 0: half of 1/2
}

TEST_CASE("clipped areas split exactly along any line (random rational lines)") {
  std::mt19937_64 rng(11);
  for (int t = 0; t < 300; ++t) {
    Box b{{ratio(rng, 8, 8), ratio(rng, 8, 8)}, {Q(), Q()}};
    b.hi = {b.lo[0] + Q(1 + static_cast<long>(rng() % 7), 8),
            b.lo[1] + Q(1 + static_cast<long>(rng() % 7), 8)};
    const std::vector<Q> l1{ratio(rng, 9, 7), ratio(rng, 9, 5), ratio(rng, 9, 3)};
    const std::vector<Q> l2{ratio(rng, 9, 7), ratio(rng, 9, 5), ratio(rng, 9, 3)};
    const Q whole = (b.hi[0] - b.lo[0]) * (b.hi[1] - b.lo[1]);
    CHECK(clipped_area(b, {l1}) + clipped_area(b, {negated(l1)}) == whole);
    CHECK(clipped_area(b, {l1, l2}) + clipped_area(b, {l1, negated(l2)}) == clipped_area(b, {l1}));
    CHECK(clipped_area(b, {l1, l2}) == clipped_area(b, {l2, l1}));
  }
}

TEST_CASE("the integral of |a| over convex polygons, exactly (I8(g))") {
  const std::vector<std::vector<Q>> square{{Q(), Q()}, {Q(1), Q()}, {Q(1), Q(1)}, {Q(), Q(1)}};
  // ∫_{[0,1]²} |x + y − 3/4| = 25/64; orientation does not matter.
  CHECK(abs_affine_integral(square, {Q(-3, 4), Q(1), Q(1)}) == Q(25, 64));
  const std::vector<std::vector<Q>> clockwise{square[3], square[2], square[1], square[0]};
  CHECK(abs_affine_integral(clockwise, {Q(-3, 4), Q(1), Q(1)}) == Q(25, 64));
  // A sign-definite a: |a| = a, the mean over the triangle (0,0), (1,0), (0,1) is a(1/3, 1/3).
  const std::vector<std::vector<Q>> tri{{Q(), Q()}, {Q(1), Q()}, {Q(), Q(1)}};
  CHECK(abs_affine_integral(tri, {Q(1), Q(2), Q(3)}) == Q(1, 2) * (Q(1) + Q(2, 3) + Q(1)));
  // ∫_{[0,1]²} |x − 1/3| = (1/3)²/2 + (2/3)²/2 = 5/18; a trapezoid with a degenerate side (a triangle).
  CHECK(abs_affine_integral(square, {Q(-1, 3), Q(1), Q()}) == Q(5, 18));
  const std::vector<std::vector<Q>> degenerate{{Q(), Q()}, {Q(1), Q()}, {Q(1), Q()}, {Q(), Q(1)}};
  CHECK(abs_affine_integral(degenerate, {Q(1), Q(2), Q(3)}) == Q(1, 2) * (Q(1) + Q(2, 3) + Q(1)));
}
