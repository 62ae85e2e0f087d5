// Trapezoidal decomposition of a 2D cell by lines (proofs/integration.md, Lemma I8(c)).
#include "mgdl/certify/trapezoids.hpp"

#include <algorithm>

namespace mgdl::certify {

using num::Rational;

std::vector<std::vector<Rational>> Trapezoid::vertices() const {
  return {{x0, lo0}, {x1, lo1}, {x1, hi1}, {x0, hi0}};
}

net::Box Trapezoid::bounding_box() const {
  net::Box b;
  b.lo = {x0, std::min(lo0, lo1)};
  b.hi = {x1, std::max(hi0, hi1)};
  return b;
}

Rational Trapezoid::area() const {
  return (x1 - x0) * ((hi0 - lo0) + (hi1 - lo1)) / 2;
}

namespace {

struct Graph {  // y = m x + q
  Rational m, q;
  Rational at(const Rational& x) const { return m * x + q; }
};

}  // namespace

// Lemma I8(c): every vertex of the arrangement (line–line and line–edge
// crossings, vertical lines) is a strip cut, so inside an open strip no two
// graphs cross and none leaves (Y0, Y1): the graphs met at the strip's
// midpoint, sorted there, stay sorted on the whole strip and cut it into
// trapezoids whose union is the strip.
bool trapezoids(const net::Box& cell, const std::vector<net::AffineForm>& lines, std::size_t max_pieces,
                std::vector<Trapezoid>& out) {
  if (cell.lo.size() != 2 || cell.hi.size() != 2) return false;
  const Rational &X0 = cell.lo[0], &X1 = cell.hi[0], &Y0 = cell.lo[1], &Y1 = cell.hi[1];
  if (!(X0 < X1) || !(Y0 < Y1)) return false;
  std::vector<Graph> graphs;
  std::vector<Rational> cuts{X0, X1};
  auto cut = [&](const Rational& x) {
    if (X0 < x && x < X1) cuts.push_back(x);
  };
  for (const net::AffineForm& l : lines) {
    if (l.gradient.size() != 2) return false;
    const Rational &gx = l.gradient[0], &gy = l.gradient[1];
    if (gy != 0) {
      graphs.push_back({-gx / gy, -l.constant / gy});
    } else if (gx != 0) {
      cut(-l.constant / gx);
    }
  }
  for (std::size_t a = 0; a < graphs.size(); ++a) {
    const Graph& g = graphs[a];
    if (g.m != 0) {
      cut((Y0 - g.q) / g.m);
      cut((Y1 - g.q) / g.m);
    }
    for (std::size_t b = a + 1; b < graphs.size(); ++b)
      if (g.m != graphs[b].m) cut((graphs[b].q - g.q) / (g.m - graphs[b].m));
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<Graph> inside;
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const Rational &s0 = cuts[k], &s1 = cuts[k + 1];
    const Rational xm = (s0 + s1) / 2;
    inside.clear();
    inside.push_back({Rational(0), Y0});
    for (const Graph& g : graphs) {
      const Rational v = g.at(xm);
      if (Y0 < v && v < Y1) inside.push_back(g);
    }
    inside.push_back({Rational(0), Y1});
    std::sort(inside.begin() + 1, inside.end() - 1,
              [&](const Graph& a, const Graph& b) { return a.at(xm) < b.at(xm); });
    for (std::size_t j = 0; j + 1 < inside.size(); ++j) {
      Trapezoid t{s0, s1, inside[j].at(s0), inside[j].at(s1), inside[j + 1].at(s0), inside[j + 1].at(s1)};
      if (t.lo0 > t.hi0 || t.lo1 > t.hi1) return false;  // cannot happen (see above); never claim
      if (t.lo0 == t.hi0 && t.lo1 == t.hi1) continue;    // a repeated line: no area
      out.push_back(std::move(t));
      if (out.size() > max_pieces) return false;
    }
  }
  return true;
}

// The pieces of t's bounding box S cut by y = lo(x), y = hi(x) and l = 0 tile S,
// and on each open piece every one of the three lines has one sign (I8(c)); those
// whose corners satisfy lo <= y <= hi are therefore inside t (t is convex), the
// others meet t in a null set at most, so the kept pieces tile t.
bool split_trapezoid(const Trapezoid& t, const net::AffineForm& l, std::size_t max_pieces,
                     std::vector<Trapezoid>& out) {
  if (!(t.x0 < t.x1) || l.gradient.size() != 2) return false;
  const Rational w = t.x1 - t.x0, s_lo = (t.lo1 - t.lo0) / w, s_hi = (t.hi1 - t.hi0) / w;
  // y − lo(x) and hi(x) − y as affine forms.
  net::AffineForm below{-t.lo0 + s_lo * t.x0, {-s_lo, Rational(1)}};
  net::AffineForm above{t.hi0 - s_hi * t.x0, {s_hi, Rational(-1)}};
  const net::Box bb = t.bounding_box();
  if (!(bb.lo[1] < bb.hi[1])) return false;
  std::vector<Trapezoid> all;
  if (!trapezoids(bb, {below, above, l}, 4 * max_pieces + 8, all)) return false;
  auto inside = [&](const Rational& x, const Rational& y) {
    const Rational lo = t.lo0 + s_lo * (x - t.x0), hi = t.hi0 + s_hi * (x - t.x0);
    return lo <= y && y <= hi;
  };
  const std::size_t start = out.size();
  for (Trapezoid& p : all) {
    if (!(inside(p.x0, p.lo0) && inside(p.x1, p.lo1) && inside(p.x1, p.hi1) && inside(p.x0, p.hi0))) continue;
    out.push_back(std::move(p));
    if (out.size() - start > max_pieces) return false;
  }
  return true;
}

}  // namespace mgdl::certify
