// Convex polygon clipping in exact rationals; areas by the shoelace formula,
// integrals of affine functions by area times the value at the centroid.
#include "half_planes.hpp"

namespace mgdl::check {

namespace {

using Vertex = std::vector<Q>;  // (x_0, x_1)

Q form_at(const std::vector<Q>& l, const Vertex& v) {
  return l[0] + l[1] * v[0] + l[2] * v[1];
}

// The part of the convex polygon where l >= 0.
std::vector<Vertex> cut(const std::vector<Vertex>& poly, const std::vector<Q>& l) {
  std::vector<Q> values;
  for (const Vertex& v : poly) values.push_back(form_at(l, v));
  std::vector<Vertex> next;
  for (std::size_t k = 0; k < poly.size(); ++k) {
    const std::size_t j = k + 1 == poly.size() ? 0 : k + 1;
    const int sk = values[k].sign(), sj = values[j].sign();
    if (sk >= 0) next.push_back(poly[k]);
    if (sk * sj < 0) {  // l = 0 at poly[k] + t (poly[j] − poly[k]), 0 < t < 1
      const Q t = values[k] / (values[k] - values[j]);
      next.push_back(
          Vertex{poly[k][0] + t * (poly[j][0] - poly[k][0]), poly[k][1] + t * (poly[j][1] - poly[k][1])});
    }
  }
  if (next.size() < 3) next.clear();
  return next;
}

// Twice the signed area of the triangle (a, b, c).
Q cross(const Vertex& a, const Vertex& b, const Vertex& c) {
  return (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);
}

// ∫_P l over the convex polygon: the fan from P[0], each triangle's area times l at its
// centroid (the triangles of a convex fan share the polygon's orientation, whichever it is).
Q affine_integral(const std::vector<Vertex>& poly, const std::vector<Q>& l) {
  Q sum, twice_area;
  for (std::size_t k = 1; k + 1 < poly.size(); ++k) {
    const Q c = cross(poly[0], poly[k], poly[k + 1]);
    const Vertex centroid{(poly[0][0] + poly[k][0] + poly[k + 1][0]) * Q(1, 3),
                          (poly[0][1] + poly[k][1] + poly[k + 1][1]) * Q(1, 3)};
    sum = sum + c * form_at(l, centroid);
    twice_area = twice_area + c;
  }
  sum = sum * Q(1, 2);
  return twice_area.sign() < 0 ? -sum : sum;
}

}  // namespace

Q clipped_area(const Box& box, const std::vector<std::vector<Q>>& half_planes) {
  if (box.lo.size() != 2) return Q();
  std::vector<Vertex> poly{
      {box.lo[0], box.lo[1]}, {box.hi[0], box.lo[1]}, {box.hi[0], box.hi[1]}, {box.lo[0], box.hi[1]}};
  for (const std::vector<Q>& l : half_planes) {
    if (l.size() != 3) return Q();
    poly = cut(poly, l);
    if (poly.empty()) return Q();
  }
  Q twice;
  for (std::size_t k = 1; k + 1 < poly.size(); ++k) twice = twice + cross(poly[0], poly[k], poly[k + 1]);
  return twice.abs() * Q(1, 2);
}

Q abs_affine_integral(const std::vector<std::vector<Q>>& polygon, const std::vector<Q>& a) {
  if (a.size() != 3 || polygon.size() < 3) return Q();
  const std::vector<Q> minus{-a[0], -a[1], -a[2]};
  return affine_integral(cut(polygon, a), a) + affine_integral(cut(polygon, minus), minus);
}

}  // namespace mgdl::check
