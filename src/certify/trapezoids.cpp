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

}  // namespace mgdl::certify
