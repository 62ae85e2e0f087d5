// detail::CurvedCut (Lemma S8 (v)) on cubic targets, where its model is exact
// (ε = 0): |T1| and ∫_{T1} r against exact values by Green's theorem over the
// region bounded by the two edges and the Bézier arc (rational arithmetic),
// and the band against a dense sampling of ∫ (σ_k r)⁻ over both parts.
#include <arb.h>
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "curved_cut.hpp"
#include "program_target.hpp"

using mgdl::num::Ball;
using mgdl::num::Rational;
namespace geom = mgdl::geom;

namespace {

// Polynomials in t with rational coefficients (index = degree).
using P1 = std::vector<Rational>;

P1 mul(const P1& a, const P1& b) {
  P1 out(a.size() + b.size() - 1, Rational(0));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
  return out;
}
P1 power(const P1& a, int k) {
  P1 out{Rational(1)};
  for (int i = 0; i < k; ++i) out = mul(out, a);
  return out;
}
P1 derivative(const P1& a) {
  P1 out(a.size() > 1 ? a.size() - 1 : 1, Rational(0));
  for (std::size_t i = 1; i < a.size(); ++i) out[i - 1] = a[i] * static_cast<long>(i);
  return out;
}
Rational integral01(const P1& a) {
  Rational s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] / static_cast<long>(i + 1);
  return s;
}

// f = Σ coef x^i y^j as (i, j, coef).
struct Term {
  int i, j;
  Rational c;
};

// ∮ F dy over a closed curve of polynomial pieces (x(t), y(t)), t ∈ [0, 1], with
// ∂F/∂x = f: the integral of f over the enclosed region (counterclockwise).
Rational green(const std::vector<Term>& f, const std::vector<std::pair<P1, P1>>& pieces) {
  Rational s = 0;
  for (const auto& [x, y] : pieces) {
    const P1 dy = derivative(y);
    for (const Term& t : f) s += t.c / (t.i + 1) * integral01(mul(mul(power(x, t.i + 1), power(y, t.j)), dy));
  }
  return s;
}

Rational dyadic(double v) {
  return Rational(std::llround(std::ldexp(v, 24)), 1L << 24);
}

double eval(const std::vector<Term>& f, double x, double y) {
  double s = 0;
  for (const Term& t : f) s += mgdl::num::to_double_approx(t.c) * std::pow(x, t.i) * std::pow(y, t.j);
  return s;
}

}  // namespace

TEST_CASE(
    "CurvedCut: |T1| and ∫_{T1} r exact by Green's theorem, and the band bounds ∫(σ_k r)⁻ (cubic targets)") {
  struct Case {
    const char* text;
    std::vector<Term> f;
    bool cubic;  // the model is exact (ε = 0): the band is checked too
  };
  const std::vector<Case> cases = {
      {"x^2 + y^2 - 1/4", {{2, 0, 1}, {0, 2, 1}, {0, 0, Rational(-1, 4)}}, true},
      {"x^3 - 2*x*y + y^2/3 - 1/10",
       {{3, 0, 1}, {1, 1, -2}, {0, 2, Rational(1, 3)}, {0, 0, Rational(-1, 10)}},
       true},
      {"y - x^2 - x^3/2 - 1/5",
       {{0, 1, 1}, {2, 0, -1}, {3, 0, Rational(-1, 2)}, {0, 0, Rational(-1, 5)}},
       true},
      // Degree 4: the rule is still exact (m = 4), the cubic model is not (no band check).
      {"x^4 + 3*x^2*y^2 - y^4 + y^2 - 1/8",
       {{4, 0, 1}, {2, 2, 3}, {0, 4, -1}, {0, 2, 1}, {0, 0, Rational(-1, 8)}},
       false},
  };
  const std::vector<std::vector<Rational>> triangles[] = {
      {{Rational(3, 10), Rational(1, 5)},
       {Rational(9, 20), Rational(1, 4)},
       {Rational(7, 20), Rational(9, 20)}},
      {{Rational(1, 8), Rational(1, 8)}, {Rational(5, 8), Rational(1, 8)}, {Rational(1, 8), Rational(5, 8)}},
      {{Rational(1, 2), Rational(1, 8)}, {Rational(3, 4), Rational(3, 8)}, {Rational(1, 4), Rational(1, 2)}},
  };
  const slong prec = 128;
  int arcs = 0;
  for (const Case& cs : cases) {
    mgdl::testing::ProgramTarget target(mgdl::expr::Expression::parse(cs.text), prec);
    for (const auto& tri : triangles) {
      CAPTURE(cs.text);
      // The exact cubic model about c = the first vertex (ε = 0): a, b, H, T from f.
      const Rational cx = tri[0][0], cy = tri[0][1];
      geom::detail::Cubic2 m;
      Rational a = 0, bx = 0, by = 0, hxx = 0, hxy = 0, hyy = 0, t[4] = {0, 0, 0, 0};
      auto pw = [](const Rational& v, int k) {
        Rational p = 1;
        for (int i = 0; i < k; ++i) p *= v;
        return p;
      };
      for (const Term& tm : cs.f) {
        auto d = [&](int dx, int dy) {  // ∂^dx_x ∂^dy_y of the term at c
          if (tm.i < dx || tm.j < dy) return Rational(0);
          Rational k = tm.c;
          for (int q = 0; q < dx; ++q) k *= tm.i - q;
          for (int q = 0; q < dy; ++q) k *= tm.j - q;
          return k * pw(cx, tm.i - dx) * pw(cy, tm.j - dy);
        };
        a += d(0, 0);
        bx += d(1, 0);
        by += d(0, 1);
        hxx += d(2, 0);
        hxy += d(1, 1);
        hyy += d(0, 2);
        for (int q = 0; q < 4; ++q) t[q] += d(3 - q, q);
      }
      m.c[0] = Ball::from_rational(cx, prec);
      m.c[1] = Ball::from_rational(cy, prec);
      m.a = Ball::from_rational(a, prec);
      m.b[0] = Ball::from_rational(bx, prec);
      m.b[1] = Ball::from_rational(by, prec);
      m.h[0] = Ball::from_rational(hxx, prec);
      m.h[1] = Ball::from_rational(hxy, prec);
      m.h[2] = Ball::from_rational(hyy, prec);
      for (int q = 0; q < 4; ++q) m.t[q] = Ball::from_rational(t[q], prec);
      arb_zero(m.eps.arb());
      std::vector<Ball> data(9);
      for (int i = 0; i < 3; ++i) {
        data[static_cast<std::size_t>(3 * i)] =
            Ball::from_rational(tri[static_cast<std::size_t>(i)][0], prec);
        data[static_cast<std::size_t>(3 * i + 1)] =
            Ball::from_rational(tri[static_cast<std::size_t>(i)][1], prec);
      }
      const Ball* v[3] = {&data[0], &data[3], &data[6]};
      geom::detail::CurvedCut cut(4, prec);
      if (!cut.plan(v, m, HUGE_VAL)) continue;  // no zero set the arc can follow here
      double tb, tc, kb, kc;
      cut.fractions(tb, tc, kb, kc);
      const std::size_t ia = cut.lone(), ib = (ia + 1) % 3, ic = (ia + 2) % 3;
      auto point = [&](const Rational& lb, const Rational& lc, int k) {
        return tri[ia][static_cast<std::size_t>(k)] +
               lb * (tri[ib][static_cast<std::size_t>(k)] - tri[ia][static_cast<std::size_t>(k)]) +
               lc * (tri[ic][static_cast<std::size_t>(k)] - tri[ia][static_cast<std::size_t>(k)]);
      };
      const Rational TB = dyadic(tb), TC = dyadic(tc), KB = dyadic(kb), KC = dyadic(kc);
      // The boundary of T1: v_a → P, the arc P → Q, Q → v_a.
      std::vector<std::pair<P1, P1>> pieces;
      auto segment = [&](const Rational(&p0)[2], const Rational(&p1)[2]) {
        pieces.push_back({P1{p0[0], p1[0] - p0[0]}, P1{p0[1], p1[1] - p0[1]}});
      };
      const Rational A[2] = {point(0, 0, 0), point(0, 0, 1)}, Pp[2] = {point(TB, 0, 0), point(TB, 0, 1)},
                     Q[2] = {point(0, TC, 0), point(0, TC, 1)}, K[2] = {point(KB, KC, 0), point(KB, KC, 1)};
      segment(A, Pp);
      {
        P1 x{Pp[0], 2 * (K[0] - Pp[0]), Pp[0] - 2 * K[0] + Q[0]},
            y{Pp[1], 2 * (K[1] - Pp[1]), Pp[1] - 2 * K[1] + Q[1]};
        pieces.push_back({x, y});
      }
      segment(Q, A);
      Rational area = green({{0, 0, 1}}, pieces), exact = green(cs.f, pieces);
      if (area < 0) {  // clockwise: flip
        area = -area;
        exact = -exact;
      }
      const Ball ea = Ball::from_rational(area, prec);
      CHECK(arb_contains(cut.area().arb(), ea.arb()));
      if (!cut.whole()) {
        ++arcs;
        Ball sum;
        cut.integrate(target, sum);
        const Ball ee = Ball::from_rational(exact, prec);
        CHECK(arb_contains(sum.arb(), ee.arb()));  // exact for degree <= 4 (ℓ = 0)
      }
      if (!cs.cubic) continue;
      // The band: ∫_{T1} (σr)⁻ + ∫_{T2} (−σr)⁻ by the midpoint rule on a fine grid
      // of the triangle (T1 = the points below the arc on their ray from v_a).
      const int n = 300;
      const double sig = cut.sigma();
      double xa[2], xb[2], xc[2];
      for (int k = 0; k < 2; ++k) {
        xa[k] = mgdl::num::to_double_approx(tri[ia][static_cast<std::size_t>(k)]);
        xb[k] = mgdl::num::to_double_approx(tri[ib][static_cast<std::size_t>(k)]);
        xc[k] = mgdl::num::to_double_approx(tri[ic][static_cast<std::size_t>(k)]);
      }
      const double det = std::abs((xb[0] - xa[0]) * (xc[1] - xa[1]) - (xb[1] - xa[1]) * (xc[0] - xa[0]));
      double sampled = 0;
      for (int i = 0; i < n; ++i)
        for (int j = 0; i + j < n; ++j) {
          const double lb = (i + 1.0 / 3) / n, lc = (j + 1.0 / 3) / n;
          // s with β(s) on the ray through λ: cross(β(s), λ) = 0, a quadratic in s.
          const double c0 = tb * lc, c1 = (2 * kb - 2 * tb) * lc - 2 * kc * lb,
                       c2 = (tb - 2 * kb) * lc - (tc - 2 * kc) * lb;
          double s = 0.5;
          for (int it = 0; it < 40; ++it) {
            const double g = c0 + s * (c1 + s * c2), dg = c1 + 2 * s * c2;
            if (dg == 0) break;
            s = std::min(1.0, std::max(0.0, s - g / dg));
          }
          const double bb = tb * (1 - s) * (1 - s) + 2 * kb * s * (1 - s),
                       bc = 2 * kc * s * (1 - s) + tc * s * s;
          const bool inside1 = lb * lb + lc * lc <= bb * bb + bc * bc;
          const double x = xa[0] + lb * (xb[0] - xa[0]) + lc * (xc[0] - xa[0]);
          const double y = xa[1] + lb * (xb[1] - xa[1]) + lc * (xc[1] - xa[1]);
          const double r = (inside1 ? sig : -sig) * eval(cs.f, x, y);
          if (r < 0) sampled -= r;
        }
      sampled *= det / (static_cast<double>(n) * n);
      CAPTURE(sampled);
      CAPTURE(cut.band().mid_approx());
      CHECK(cut.band().mid_approx() >= 0.9 * sampled);
    }
  }
  CHECK(arcs >= 4);
}
