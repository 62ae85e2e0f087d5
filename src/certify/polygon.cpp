#include "mgdl/certify/polygon.hpp"

#include <stdexcept>

namespace mgdl::certify {

using num::Rational;

namespace {

Rational value(const net::AffineForm& l, const Point2& p) {
  return l.constant + l.gradient[0] * p.x + l.gradient[1] * p.y;
}

void require_2d(const net::AffineForm& l) {
  if (l.gradient.size() != 2) throw std::invalid_argument("polygon: an affine form is not 2D");
}

}  // namespace

Polygon box_polygon(const net::Box& box) {
  if (box.dimension() != 2) throw std::invalid_argument("polygon: the box is not 2D");
  return {{box.lo[0], box.lo[1]}, {box.hi[0], box.lo[1]}, {box.hi[0], box.hi[1]}, {box.lo[0], box.hi[1]}};
}

Polygon clip(const Polygon& poly, const net::AffineForm& l) {
  require_2d(l);
  Polygon out;
  const std::size_t n = poly.size();
  if (n < 3) return out;
  for (std::size_t k = 0; k < n; ++k) {
    const Point2& a = poly[k];
    const Point2& b = poly[(k + 1) % n];
    const Rational va = value(l, a), vb = value(l, b);
    if (va >= 0) out.push_back(a);
    if ((va > 0 && vb < 0) || (va < 0 && vb > 0)) {  // the edge crosses l = 0 strictly inside
      const Rational t = va / (va - vb);
      out.push_back(Point2{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)});
    }
  }
  if (out.size() < 3) out.clear();
  return out;
}

Rational area(const Polygon& poly) {
  Rational twice(0);
  for (std::size_t k = 0; k < poly.size(); ++k) {
    const Point2& a = poly[k];
    const Point2& b = poly[(k + 1) % poly.size()];
    twice += a.x * b.y - b.x * a.y;
  }
  if (twice < 0) twice = -twice;
  return twice / 2;
}

Rational integral(const Polygon& poly, const net::AffineForm& g) {
  require_2d(g);
  // Σ (signed area)·g(centroid) over the fan from poly[0]: for a convex polygon every
  // triangle has the polygon's orientation, so the sign of the total area fixes it.
  Rational sum(0), signed_total(0);
  for (std::size_t k = 1; k + 1 < poly.size(); ++k) {
    const Point2 &a = poly[0], &b = poly[k], &c = poly[k + 1];
    const Rational signed_area = ((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)) / 2;
    const Point2 centroid{(a.x + b.x + c.x) / 3, (a.y + b.y + c.y) / 3};
    sum += signed_area * value(g, centroid);
    signed_total += signed_area;
  }
  if (signed_total < 0) sum = -sum;
  return sum;
}

net::AffineForm negated(const net::AffineForm& l) {
  require_2d(l);
  return net::AffineForm{-l.constant, {-l.gradient[0], -l.gradient[1]}};
}

Rational abs_integral(const Polygon& poly, const net::AffineForm& g) {
  const net::AffineForm minus = negated(g);
  return integral(clip(poly, g), g) + integral(clip(poly, minus), minus);
}

Rational clipped_area(const net::Box& box, const std::vector<net::AffineForm>& half_planes) {
  Polygon poly = box_polygon(box);
  for (const net::AffineForm& l : half_planes) {
    poly = clip(poly, l);
    if (poly.empty()) return Rational(0);
  }
  return area(poly);
}

}  // namespace mgdl::certify
