// Simplex geometry (Lemmas S1–S3) and the exact quadratic range (Lemma S4)
// against brute force over barycentric grids, in d = 2, 3, 4.
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <random>

#include "mgdl/geom/simplex.hpp"
#include "mgdl/net/hat_correction.hpp"

using mgdl::geom::Matrix;
using mgdl::geom::Point;
using mgdl::geom::Quadratic;
using mgdl::geom::QuadraticRange;
using mgdl::geom::Simplex;
using mgdl::num::Rational;

namespace {

using Rng = std::mt19937_64;

Rational random_rational(Rng& rng, long range, long max_den) {
  const long den = 1 + static_cast<long>(rng() % static_cast<std::uint64_t>(max_den));
  const long num = static_cast<long>(rng() % static_cast<std::uint64_t>(2 * range * den + 1)) - range * den;
  return Rational(num, den);
}

Simplex random_simplex(Rng& rng, int d) {
  for (;;) {
    std::vector<Point> v(static_cast<std::size_t>(d) + 1, Point(static_cast<std::size_t>(d)));
    for (auto& p : v)
      for (auto& x : p) x = random_rational(rng, 2, 4);
    try {
      return Simplex(v);
    } catch (const std::invalid_argument&) {
    }
  }
}

Quadratic random_quadratic(Rng& rng, int d) {
  const std::size_t n = static_cast<std::size_t>(d);
  Quadratic q{random_rational(rng, 3, 5), Point(n), Matrix(n, Point(n)), Point(n)};
  for (std::size_t i = 0; i < n; ++i) {
    q.b[i] = random_rational(rng, 3, 5);
    q.center[i] = random_rational(rng, 2, 3);
    for (std::size_t j = i; j < n; ++j) q.hessian[i][j] = q.hessian[j][i] = random_rational(rng, 4, 3);
  }
  return q;
}

// Every λ = m / steps with m ∈ N^{d+1}, Σ m = steps.
void for_each_grid_point(int n, int steps, const std::function<void(const std::vector<Rational>&)>& f) {
  std::vector<int> m(static_cast<std::size_t>(n), 0);
  std::function<void(int, int)> rec = [&](int i, int left) {
    if (i == n - 1) {
      m[static_cast<std::size_t>(i)] = left;
      std::vector<Rational> lambda;
      for (int x : m) lambda.push_back(Rational(x, steps));
      f(lambda);
      return;
    }
    for (int x = 0; x <= left; ++x) {
      m[static_cast<std::size_t>(i)] = x;
      rec(i + 1, left - x);
    }
  };
  rec(0, steps);
}

bool inside(const Simplex& t, const Point& x) {
  for (const Rational& l : mgdl::geom::barycentric(t, x))
    if (l < 0) return false;
  return true;
}

}  // namespace

TEST_CASE("S1: volume and barycentric coordinates") {
  const Simplex t({{0, 0}, {2, 0}, {0, 3}});
  CHECK(mgdl::geom::volume(t) == 3);
  const auto l = mgdl::geom::barycentric(t, {Rational(1, 2), Rational(1)});
  CHECK(l == std::vector<Rational>{Rational(5, 12), Rational(1, 4), Rational(1, 3)});
  CHECK(mgdl::geom::from_barycentric(t, l) == Point{Rational(1, 2), Rational(1)});
  CHECK_THROWS_AS(Simplex({{0, 0}, {1, 1}, {2, 2}}), std::invalid_argument);
  CHECK_THROWS_AS(Simplex({{0, 0}, {1, 1}}), std::invalid_argument);
}

TEST_CASE("S2: longest-edge bisection halves the volume and covers the parent") {
  Rng rng(7);
  for (int d = 2; d <= 4; ++d)
    for (int trial = 0; trial < 20; ++trial) {
      const Simplex t = random_simplex(rng, d);
      const auto [a, b] = mgdl::geom::bisect_longest_edge(t);
      const Rational v = mgdl::geom::volume(t);
      CHECK(mgdl::geom::volume(a) * 2 == v);
      CHECK(mgdl::geom::volume(b) * 2 == v);
      // Children of the longest edge are no longer than the parent's diameter.
      CHECK(mgdl::geom::squared_diameter(a) <= mgdl::geom::squared_diameter(t));
      // Every grid point of t is in a or b, and the interiors are disjoint:
      // a point strictly inside both would have all λ > 0 in both.
      for_each_grid_point(d + 1, 5, [&](const std::vector<Rational>& lambda) {
        const Point x = mgdl::geom::from_barycentric(t, lambda);
        const bool in_a = inside(a, x), in_b = inside(b, x);
        CHECK((in_a || in_b));
        if (in_a && in_b) {
          bool boundary = false;
          for (const Rational& l : mgdl::geom::barycentric(a, x)) boundary = boundary || l == 0;
          CHECK(boundary);
        }
      });
    }
}

TEST_CASE("S3: the d! Kuhn simplices tile a cell") {
  Rng rng(11);
  for (int d = 2; d <= 4; ++d) {
    Point lo(static_cast<std::size_t>(d)), hi(static_cast<std::size_t>(d));
    Rational cell = 1;
    for (int k = 0; k < d; ++k) {
      lo[static_cast<std::size_t>(k)] = Rational(k, 7);
      hi[static_cast<std::size_t>(k)] = Rational(k, 7) + Rational(1, 3 + k);
      cell *= hi[static_cast<std::size_t>(k)] - lo[static_cast<std::size_t>(k)];
    }
    const auto simplices = mgdl::geom::kuhn_simplices(lo, hi);
    long factorial = 1;
    for (int k = 2; k <= d; ++k) factorial *= k;
    REQUIRE(simplices.size() == static_cast<std::size_t>(factorial));
    Rational total = 0;
    for (const Simplex& t : simplices) {
      total += mgdl::geom::volume(t);
      for (const Point& v : t.vertices())
        for (int k = 0; k < d; ++k) {
          const Rational& x = v[static_cast<std::size_t>(k)];
          CHECK((x == lo[static_cast<std::size_t>(k)] || x == hi[static_cast<std::size_t>(k)]));
        }
    }
    CHECK(total == cell);
    // Each random point of the cell lies in at least one simplex, and in the
    // interior of at most one (disjoint interiors).
    for (int trial = 0; trial < 50; ++trial) {
      Point x(static_cast<std::size_t>(d));
      for (std::size_t k = 0; k < x.size(); ++k)
        x[k] = lo[k] + (hi[k] - lo[k]) * Rational(static_cast<long>(rng() % 97), 96);
      int containing = 0, interior = 0;
      for (const Simplex& t : simplices) {
        const auto l = mgdl::geom::barycentric(t, x);
        bool in = true, strict = true;
        for (const Rational& v : l) {
          in = in && v >= 0;
          strict = strict && v > 0;
        }
        containing += in;
        interior += strict;
      }
      CHECK(containing >= 1);
      CHECK(interior <= 1);
    }
  }
  CHECK_THROWS_AS(mgdl::geom::kuhn_simplex({0, 0}, {1, 1}, {0, 0}), std::invalid_argument);
}

TEST_CASE("S3: a hat interpolant is affine on every Kuhn simplex of the grid") {
  Rng rng(5);
  for (int d = 2; d <= 3; ++d) {
    // Non-uniform tensor grid with 3 cells per axis and random coefficients.
    std::vector<std::vector<Rational>> grid(static_cast<std::size_t>(d),
                                            {Rational(0), Rational(2, 7), Rational(3, 5), Rational(1)});
    std::vector<mgdl::net::HatNode> nodes;
    std::vector<int> idx(static_cast<std::size_t>(d), 0);
    std::function<void(int)> all = [&](int k) {
      if (k == d) {
        nodes.push_back({idx, random_rational(rng, 2, 5)});
        return;
      }
      for (int j = 0; j <= 3; ++j) {
        idx[static_cast<std::size_t>(k)] = j;
        all(k + 1);
      }
    };
    all(0);
    const mgdl::net::HatCorrection h(d, grid, nodes);
    std::vector<int> cell(static_cast<std::size_t>(d), 0);
    for (int c = 0; c < 9; ++c) {
      for (int k = 0; k < d; ++k) cell[static_cast<std::size_t>(k)] = static_cast<int>(rng() % 3);
      Point lo, hi;
      for (int k = 0; k < d; ++k) {
        lo.push_back(
            grid[static_cast<std::size_t>(k)][static_cast<std::size_t>(cell[static_cast<std::size_t>(k)])]);
        hi.push_back(grid[static_cast<std::size_t>(k)]
                         [static_cast<std::size_t>(cell[static_cast<std::size_t>(k)]) + 1]);
      }
      for (const Simplex& t : mgdl::geom::kuhn_simplices(lo, hi)) {
        std::vector<Rational> at_vertex;
        for (const Point& v : t.vertices()) at_vertex.push_back(h.evaluate(v));
        for (int trial = 0; trial < 10; ++trial) {
          std::vector<Rational> lambda;
          Rational left = 1;
          for (int i = 0; i < d; ++i) {
            lambda.push_back(left * Rational(static_cast<long>(rng() % 11), 10));
            left -= lambda.back();
          }
          lambda.push_back(left);
          Rational interp = 0;
          for (std::size_t i = 0; i < lambda.size(); ++i) interp += lambda[i] * at_vertex[i];
          CHECK(h.evaluate(mgdl::geom::from_barycentric(t, lambda)) == interp);
        }
      }
    }
  }
}

TEST_CASE("S4: an interior maximum that no vertex sees") {
  // q = 1 − |x − p|² with p inside: max 1 at p, min at the farthest vertex.
  const Point p{Rational(1, 3), Rational(1, 4)};
  const Quadratic q{1, {0, 0}, {{-2, 0}, {0, -2}}, p};
  const Simplex t({{0, 0}, {1, 0}, {0, 1}});
  const QuadraticRange r = mgdl::geom::quadratic_range(q, t);
  CHECK(r.max == 1);
  CHECK(r.argmax == p);
  CHECK(r.min == q(Point{0, 1}));
  // A bound planted at the vertex maximum is refuted by the witness.
  Rational vertex_max = q(t.vertex(0));
  for (const Point& v : t.vertices()) vertex_max = std::max(vertex_max, q(v));
  CHECK(q(r.argmax) > vertex_max);
}

TEST_CASE("S4: exact range against brute force on random quadratics and simplices") {
  Rng rng(3);
  const int steps[] = {0, 0, 24, 12, 8};
  for (int d = 2; d <= 4; ++d) {
    int off_vertex = 0;  // trials whose max or min is not at a vertex
    for (int trial = 0; trial < (d == 4 ? 8 : 15); ++trial) {
      const Simplex t = random_simplex(rng, d);
      const Quadratic q = random_quadratic(rng, d);
      const QuadraticRange r = mgdl::geom::quadratic_range(q, t);
      REQUIRE(inside(t, r.argmax));
      REQUIRE(inside(t, r.argmin));
      CHECK(q(r.argmax) == r.max);
      CHECK(q(r.argmin) == r.min);
      bool exceeded = false, below = false;
      for_each_grid_point(d + 1, steps[d], [&](const std::vector<Rational>& lambda) {
        const Rational v = q(mgdl::geom::from_barycentric(t, lambda));
        exceeded = exceeded || v > r.max;
        below = below || v < r.min;
      });
      CHECK_FALSE(exceeded);
      CHECK_FALSE(below);
      bool at_vertex_max = false, at_vertex_min = false;
      for (const Point& v : t.vertices()) {
        at_vertex_max = at_vertex_max || v == r.argmax;
        at_vertex_min = at_vertex_min || v == r.argmin;
      }
      off_vertex += !at_vertex_max || !at_vertex_min;
    }
    CHECK(off_vertex > 0);  // the face candidates were exercised
  }
}

TEST_CASE("S6: the ball candidates enclose the exact range, tightly") {
  Rng rng(19);
  const slong prec = 64;
  for (int d = 2; d <= 4; ++d) {
    int tight = 0;
    for (int trial = 0; trial < 20; ++trial) {
      const Simplex t = random_simplex(rng, d);
      const Quadratic q = random_quadratic(rng, d);
      const QuadraticRange exact = mgdl::geom::quadratic_range(q, t);
      const std::size_t n = static_cast<std::size_t>(d);
      mgdl::geom::BallQuadratic bq{mgdl::num::Ball::from_rational(q.a, prec), {}, {}, {}};
      for (std::size_t i = 0; i < n; ++i) {
        bq.b.push_back(mgdl::num::Ball::from_rational(q.b[i], prec));
        bq.center.push_back(mgdl::num::Ball::from_rational(q.center[i], prec));
        for (std::size_t j = 0; j < n; ++j)
          bq.hessian.push_back(mgdl::num::Ball::from_rational(q.hessian[i][j], prec));
      }
      std::vector<std::vector<mgdl::num::Ball>> v;
      for (const Point& p : t.vertices()) {
        v.emplace_back();
        for (const Rational& x : p) v.back().push_back(mgdl::num::Ball::from_rational(x, prec));
      }
      const mgdl::geom::BallRange r = mgdl::geom::quadratic_range_ball(bq, v, prec);
      const Rational hi = mgdl::num::upper_rational(r.max), lo = mgdl::num::lower_rational(r.min);
      CHECK(hi >= exact.max);
      CHECK(lo <= exact.min);
      // Within rounding unless a face's G is (nearly) singular, where the
      // interval fallback of case (ii) is sound but loose; small random
      // rationals make exactly singular faces common, so most, not all.
      const Rational scale = (1 + abs(exact.max) + abs(exact.min)) * Rational(1, 1000000000);
      tight += hi - exact.max <= scale && exact.min - lo <= scale;
    }
    CHECK(tight >= 15);
  }
}
