// HatCorrection: Lemma B0 (hats nonnegative, partition of unity on Ω exactly),
// the interpolant = Σ c_z φ_z, Lemma B0.1 (dense block = structured form
// exactly, width <= 5d, depth n(d+1)+2), enclosures (C2), JSON round trip.
#include "mgdl/net/hat_correction.hpp"
#include "mgdl/net/relu_network.hpp"
#include "mgdl/net/serialize.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <iostream>
#include <random>

using mgdl::net::Box;
using mgdl::net::GradeBlock;
using mgdl::net::HatCorrection;
using mgdl::net::HatNode;
using mgdl::net::LinearEnclosure;
using mgdl::net::MultigradeNetwork;
using mgdl::num::Rational;

namespace {

using Rng = std::mt19937_64;
using Grid = std::vector<std::vector<Rational>>;

Rational random_unit(Rng& rng, long max_den) {
  const long den = 1 + static_cast<long>(rng() % static_cast<std::uint64_t>(max_den));
  const long num = static_cast<long>(rng() % static_cast<std::uint64_t>(den + 1));
  return Rational(num, den);
}

Grid uniform_grid(int d, int n) {
  Grid g(static_cast<std::size_t>(d));
  for (auto& axis : g)
    for (int j = 0; j <= n; ++j) axis.push_back(Rational(j, n));
  return g;
}

// Random strictly increasing breakpoints 0 < .. < 1 (non-dyadic in general).
Grid random_grid(Rng& rng, int d, int max_cells) {
  Grid g(static_cast<std::size_t>(d));
  for (auto& axis : g) {
    std::vector<Rational> inner;
    const int n = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(max_cells));
    for (int j = 1; j < n; ++j) inner.push_back(random_unit(rng, 53));
    axis.push_back(Rational(0));
    std::sort(inner.begin(), inner.end());
    for (const Rational& t : inner)
      if (t > axis.back() && t < 1) axis.push_back(t);
    axis.push_back(Rational(1));
  }
  return g;
}

std::vector<std::vector<int>> all_nodes(const Grid& g) {
  std::vector<std::vector<int>> out;
  std::vector<int> p(g.size(), 0);
  for (;;) {
    out.push_back(p);
    std::size_t i = p.size();
    bool done = true;
    while (i-- > 0) {
      if (p[i] + 1 < static_cast<int>(g[i].size())) {
        ++p[i];
        done = false;
        break;
      }
      p[i] = 0;
    }
    if (done) return out;
  }
}

std::vector<Rational> random_point(Rng& rng, int d, const Grid& g) {
  std::vector<Rational> x;
  for (int i = 0; i < d; ++i) {
    // A third of the coordinates on grid lines (where hats have kinks).
    if (rng() % 3 == 0) {
      const auto& axis = g[static_cast<std::size_t>(i)];
      x.push_back(axis[rng() % axis.size()]);
    } else {
      x.push_back(random_unit(rng, 211));
    }
  }
  return x;
}

std::vector<HatNode> random_nodes(Rng& rng, const Grid& g, double density) {
  std::vector<HatNode> out;
  for (const auto& p : all_nodes(g)) {
    if (static_cast<double>(rng() % 1000) >= 1000.0 * density) continue;
    Rational c(1 + static_cast<long>(rng() % 9), 1 + static_cast<long>(rng() % 7));
    out.push_back(HatNode{p, rng() % 2 ? c : Rational(-c)});
  }
  return out;
}

Grid test_grid(Rng& rng, int d, bool uniform) { return uniform ? uniform_grid(d, 2 + static_cast<int>(rng() % 4)) : random_grid(rng, d, 5); }

}  // namespace

TEST_CASE("hat functions are nonnegative and sum to one on Omega exactly (Lemma B0)") {
  const std::uint64_t seed = 20260601;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    for (int uniform = 0; uniform <= 1; ++uniform) {
      for (int trial = 0; trial < 6; ++trial) {
        const Grid g = test_grid(rng, d, uniform != 0);
        const auto nodes = all_nodes(g);
        for (int k = 0; k < 40; ++k) {
          const auto x = random_point(rng, d, g);
          Rational sum(0);
          for (const auto& z : nodes) {
            const Rational v = mgdl::net::hat_function(g, z, x);
            CHECK(v >= 0);
            CHECK(v <= 1);
            sum += v;
          }
          CHECK(sum == 1);
        }
        // At a node: φ_z(z') = δ.
        for (const auto& z : nodes) {
          std::vector<Rational> pt;
          for (std::size_t i = 0; i < z.size(); ++i) pt.push_back(g[i][static_cast<std::size_t>(z[i])]);
          CHECK(mgdl::net::hat_function(g, z, pt) == 1);
        }
      }
    }
  }
}

TEST_CASE("evaluate is the sum of c_z phi_z and equals the dense block exactly (Lemma B0.1)") {
  const std::uint64_t seed = 20260602;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 4; ++d) {
    for (int uniform = 0; uniform <= 1; ++uniform) {
      const int trials = d == 4 ? 2 : 5;
      for (int trial = 0; trial < trials; ++trial) {
        const Grid g = d == 4 ? uniform_grid(4, 2) : test_grid(rng, d, uniform != 0);
        std::vector<HatNode> nodes = random_nodes(rng, g, d == 4 ? 0.15 : 0.5);
        HatCorrection h(d, g, nodes);
        const GradeBlock block = h.realise();
        const int n = static_cast<int>(h.active_units());
        const int expected_width = n == 0 ? d + 2 : (d == 1 ? 5 : (d == 2 ? 8 : d + 8));
        CHECK(block.width() == expected_width);
        CHECK(block.width() <= 5 * d);
        CHECK(block.depth() == n * (d + 1) + 2);
        MultigradeNetwork net(d);
        net.add_grade(block);
        for (int k = 0; k < 30; ++k) {
          const auto x = random_point(rng, d, g);
          Rational reference(0);
          for (const HatNode& z : h.nodes()) reference += z.coefficient * mgdl::net::hat_function(g, z.index, x);
          const Rational v = h.evaluate(x);
          CHECK(v == reference);
          CHECK(net.evaluate(x, 1) == v);
        }
      }
    }
  }
}

TEST_CASE("a planted wrong weight in the dense hat block is seen") {
  const std::uint64_t seed = 20260603;
  INFO("seed " << seed);
  Rng rng(seed);
  const Grid g = uniform_grid(2, 4);
  HatCorrection h(2, g, {{{1, 2}, Rational(1, 2)}, {{2, 2}, Rational(-1, 3)}});
  GradeBlock block = h.realise();
  // Perturb the bias of φ of the first hat (layer d+1 = 3, row d = 2).
  block.layers[2].bias[2] += Rational(1, 64);
  MultigradeNetwork net(2);
  net.add_grade(block);
  bool seen = false;
  for (int k = 0; k < 50 && !seen; ++k) {
    const auto x = random_point(rng, 2, g);
    seen = net.evaluate(x, 1) != h.evaluate(x);
  }
  CHECK(seen);
}

TEST_CASE("hat enclosures contain h, are exact when affine, and flag kinks") {
  const std::uint64_t seed = 20260604;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    for (int trial = 0; trial < 8; ++trial) {
      const Grid g = test_grid(rng, d, trial % 2 == 0);
      HatCorrection h(d, g, random_nodes(rng, g, 0.6));
      for (int b = 0; b < 20; ++b) {
        Box box;
        for (int i = 0; i < d; ++i) {
          Rational x = random_unit(rng, 41), y = random_unit(rng, 41);
          if (b % 3 == 0) y = x + (y - x) / 16;  // small boxes, often in one simplex
          if (x > y) std::swap(x, y);
          box.lo.push_back(x);
          box.hi.push_back(y);
        }
        const LinearEnclosure e = h.enclose(box);
        const auto c = box.center();
        CHECK(e.value_at_center == h.evaluate(c));
        CHECK(e.range_lo <= e.range_hi);
        for (int k = 0; k < 25; ++k) {
          std::vector<Rational> x;
          for (int i = 0; i < d; ++i) {
            const auto ui = static_cast<std::size_t>(i);
            const Rational t = random_unit(rng, 37);
            x.push_back(box.lo[ui] + t * (box.hi[ui] - box.lo[ui]));
          }
          const Rational v = h.evaluate(x);
          CHECK(v >= e.range_lo);
          CHECK(v <= e.range_hi);
          Rational lo = e.value_at_center, hi = e.value_at_center;
          for (std::size_t i = 0; i < x.size(); ++i) {
            const Rational dx = x[i] - c[i];
            const Rational a = e.gradient_lo[i] * dx, bb = e.gradient_hi[i] * dx;
            lo += a < bb ? a : bb;
            hi += a < bb ? bb : a;
          }
          CHECK(v >= lo);
          CHECK(v <= hi);
          if (e.affine) CHECK(v == lo);
        }
      }
    }
  }
  // A box inside one Kuhn simplex is affine; one crossing the diagonal is not.
  HatCorrection h(2, uniform_grid(2, 2), {{{1, 1}, Rational(1)}});
  Box inside{{Rational(1, 10), Rational(1, 40)}, {Rational(2, 10), Rational(2, 40)}};
  Box across{{Rational(1, 10), Rational(1, 10)}, {Rational(2, 10), Rational(2, 10)}};
  CHECK(h.enclose(inside).affine);
  CHECK_FALSE(h.enclose(across).affine);
  // 1D: between grid lines the enclosure is affine, and the grid lines near the node are kinks.
  HatCorrection h1(1, uniform_grid(1, 8), {{{4}, Rational(1)}});
  CHECK(h1.enclose(Box{{Rational(1, 8)}, {Rational(2, 8)}}).affine);
  CHECK(h1.axis_breakpoints(Box::unit(1), 0) == std::vector<Rational>{Rational(3, 8), Rational(4, 8), Rational(5, 8)});
}

TEST_CASE("hat correction JSON round trip and malformed input") {
  const std::uint64_t seed = 20260605;
  INFO("seed " << seed);
  Rng rng(seed);
  const Grid g = random_grid(rng, 2, 5);
  HatCorrection h(2, g, random_nodes(rng, g, 0.5));
  const auto j = mgdl::net::to_json(h);
  CHECK(j.at("scheme") == "hat");
  const auto back = mgdl::net::correction_from_json(j);
  REQUIRE(back->scheme() == "hat");
  const auto& h2 = dynamic_cast<const HatCorrection&>(*back);
  CHECK(h2.grid() == h.grid());
  CHECK(mgdl::net::to_json(h2) == j);
  auto bad = j;
  bad["grid"][0][0] = "1/3";
  CHECK_THROWS_WITH_AS(mgdl::net::correction_from_json(bad),
                       "JSON key 'nodes': hat correction: grid axis 0: must start at 0 and end at 1",
                       std::invalid_argument);
}

// The ball forms (branch-and-bound hot path) must contain the exact ones: a
// 1D box inside one cell uses the cached affine piece, others fall back.
TEST_CASE("hat ball enclosures and point balls contain the exact values; first kinks are a prefix; kink test agrees") {
  using mgdl::num::Ball;
  const std::uint64_t seed = 20261129;
  INFO("seed " << seed);
  Rng rng(seed);
  auto contains = [](const Ball& b, const Rational& v) {
    return mgdl::num::lower_rational(b) <= v && v <= mgdl::num::upper_rational(b);
  };
  for (int d = 1; d <= 2; ++d) {
    for (int trial = 0; trial < 12; ++trial) {
      const Grid g = test_grid(rng, d, trial % 2 == 0);
      HatCorrection h(d, g, random_nodes(rng, g, 0.6));
      for (int b = 0; b < 30; ++b) {
        Box box;
        for (int i = 0; i < d; ++i) {
          Rational x = random_unit(rng, 41), y = random_unit(rng, 41);
          if (b % 2 == 0) y = x + (y - x) / 64;  // often inside one cell
          if (x > y) std::swap(x, y);
          if (x == y) y = x + Rational(1, 997) <= 1 ? Rational(x + Rational(1, 997)) : x;
          box.lo.push_back(x);
          box.hi.push_back(y);
        }
        const LinearEnclosure e = h.enclose(box);
        mgdl::net::BallEnclosure eb;
        h.enclose_balls(box, 128, eb);
        CHECK(contains(eb.value_at_center, e.value_at_center));
        CHECK(contains(eb.range, e.range_lo));
        CHECK(contains(eb.range, e.range_hi));
        REQUIRE(eb.gradient.size() == static_cast<std::size_t>(d));
        for (int i = 0; i < d; ++i) {
          CHECK(contains(eb.gradient[static_cast<std::size_t>(i)], e.gradient_lo[static_cast<std::size_t>(i)]));
          CHECK(contains(eb.gradient[static_cast<std::size_t>(i)], e.gradient_hi[static_cast<std::size_t>(i)]));
        }
        CHECK(eb.affine == e.affine);
        const std::vector<Rational> x = random_point(rng, d, g);
        CHECK(contains(h.evaluate_ball(x, 128), h.evaluate(x)));
        for (int axis = 0; axis < d; ++axis) {
          const std::vector<Rational> all = h.axis_breakpoints(box, axis);
          CHECK(h.has_axis_breakpoints(box, axis) == !all.empty());
          for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{1000}}) {
            const std::vector<Rational> first = h.first_axis_breakpoints(box, axis, limit);
            CHECK(first.size() == std::min(limit, all.size()));
            CHECK(std::equal(first.begin(), first.end(), all.begin()));
          }
        }
      }
    }
  }
  // Dyadic data: the cached 1D piece is exact (radius 0) inside a cell.
  HatCorrection h1(1, uniform_grid(1, 8), {{{3}, Rational(3, 4)}, {{4}, Rational(-1, 2)}});
  mgdl::net::BallEnclosure eb;
  h1.enclose_balls(Box{{Rational(25, 64)}, {Rational(27, 64)}}, 128, eb);
  CHECK(mgdl::num::lower_rational(eb.value_at_center) == mgdl::num::upper_rational(eb.value_at_center));
  CHECK(mgdl::num::lower_rational(eb.value_at_center) == h1.evaluate({Rational(26, 64)}));
  CHECK(mgdl::num::lower_rational(eb.gradient[0]) == Rational(-10));
}

TEST_CASE("hat affine pieces equal h exactly; the oblique kinks are the Kuhn planes (Lemma I8(h))") {
  const std::uint64_t seed = 20261204;
  INFO("seed " << seed);
  Rng rng(seed);
  auto form_at = [](const mgdl::net::AffineForm& f, const std::vector<Rational>& x) {
    Rational v = f.constant;
    for (std::size_t i = 0; i < x.size(); ++i) v += f.gradient[i] * x[i];
    return v;
  };
  for (int d = 2; d <= 3; ++d) {
    for (int trial = 0; trial < 12; ++trial) {
      const Grid g = test_grid(rng, d, trial % 2 == 0);
      HatCorrection h(d, g, random_nodes(rng, g, 0.7));
      // A random grid cell and a random sub-box of it.
      Box cell;
      std::vector<Rational> width;
      for (int i = 0; i < d; ++i) {
        const auto& axis = g[static_cast<std::size_t>(i)];
        const std::size_t k = rng() % (axis.size() - 1);
        Rational a = random_unit(rng, 17), b = random_unit(rng, 17);
        if (a > b) std::swap(a, b);
        if (a == b) b = a + (1 - a) / 2;
        const Rational w = axis[k + 1] - axis[k];
        cell.lo.push_back(axis[k] + a * w);
        cell.hi.push_back(axis[k] + b * w);
        width.push_back(w);
      }
      std::vector<mgdl::net::AffineForm> lines;
      REQUIRE(h.oblique_kinks(cell, lines));
      for (const auto& l : lines) {
        // Each line is u_i − u_j for a pair of axes: two non-zero slopes ±1/width.
        int nonzero = 0;
        for (int i = 0; i < d; ++i)
          if (l.gradient[static_cast<std::size_t>(i)] != 0) {
            ++nonzero;
            CHECK(abs(l.gradient[static_cast<std::size_t>(i)]) == 1 / width[static_cast<std::size_t>(i)]);
          }
        CHECK(nonzero == 2);
      }
      // Vertices sampled in the sub-box, kept when they obey one order of u:
      // h is affine on their hull and add_affine_on's form is h there.
      std::vector<std::vector<Rational>> same, mixed;
      std::vector<int> side;
      for (int k = 0; k < 40; ++k) {
        std::vector<Rational> x;
        for (int i = 0; i < d; ++i) {
          const auto ui = static_cast<std::size_t>(i);
          x.push_back(cell.lo[ui] + random_unit(rng, 29) * (cell.hi[ui] - cell.lo[ui]));
        }
        // Its order of (x_i − lo_i)/width_i, as a code (ties are in every simplex).
        std::vector<Rational> u;
        for (int i = 0; i < d; ++i) {
          const auto ui = static_cast<std::size_t>(i);
          const auto& axis = g[ui];
          const Rational lo = *(std::upper_bound(axis.begin(), axis.end(), cell.lo[ui]) - 1);
          u.push_back((x[ui] - lo) / width[ui]);
        }
        bool decreasing = true;
        for (int i = 0; i + 1 < d; ++i)
          decreasing = decreasing && u[static_cast<std::size_t>(i)] >= u[static_cast<std::size_t>(i) + 1];
        (decreasing ? same : mixed).push_back(x);
      }
      if (same.size() >= 2) {
        mgdl::net::AffineForm f;
        REQUIRE(h.add_affine_on(cell, same, f));
        for (const auto& x : same) CHECK(form_at(f, x) == h.evaluate(x));
        // The midpoint of two vertices is in the hull too.
        std::vector<Rational> mid;
        for (int i = 0; i < d; ++i)
          mid.push_back((same[0][static_cast<std::size_t>(i)] + same[1][static_cast<std::size_t>(i)]) / 2);
        CHECK(form_at(f, mid) == h.evaluate(mid));
        if (!mixed.empty()) {
          // Adding a vertex of another simplex (strictly) must not be called affine,
          // unless the vertex set is still one-ordered (then the form stays exact).
          std::vector<std::vector<Rational>> both = same;
          both.push_back(mixed[0]);
          mgdl::net::AffineForm f2;
          if (h.add_affine_on(cell, both, f2))
            for (const auto& x : both) CHECK(form_at(f2, x) == h.evaluate(x));
        }
      }
    }
  }
  // The diagonal of a cell is reported exactly when the two triangles' gradients differ.
  HatCorrection bump(2, uniform_grid(2, 2), {{{1, 1}, Rational(1)}});
  const Box c00{{Rational(0), Rational(0)}, {Rational(1, 2), Rational(1, 2)}};
  const Box c10{{Rational(1, 2), Rational(0)}, {Rational(1), Rational(1, 2)}};
  std::vector<mgdl::net::AffineForm> l00, l10;
  REQUIRE(bump.oblique_kinks(c00, l00));
  REQUIRE(bump.oblique_kinks(c10, l10));
  // φ_(1,1) is min(u_0, u_1) on cell (0, 0) and u_1 − min(u_0, u_1) on cell (1, 0): kinks in both.
  CHECK(l00.size() == 1);
  CHECK(l10.size() == 1);
  // c_z = j_0 + j_1 interpolates an affine function: no oblique kink anywhere.
  std::vector<HatNode> affine_nodes;
  for (int a = 0; a <= 2; ++a)
    for (int b = 0; b <= 2; ++b)
      if (a + b > 0) affine_nodes.push_back(HatNode{{a, b}, Rational(a + b)});
  HatCorrection plane(2, uniform_grid(2, 2), affine_nodes);
  std::vector<mgdl::net::AffineForm> none;
  REQUIRE(plane.oblique_kinks(c10, none));
  CHECK(none.empty());
  // ... so a polygon across that diagonal is still one affine piece, equal to h.
  const std::vector<std::vector<Rational>> across{{Rational(3, 4), Rational(1, 8)}, {Rational(5, 8), Rational(3, 8)},
                                                  {Rational(7, 8), Rational(3, 8)}};
  mgdl::net::AffineForm pf;
  REQUIRE(plane.add_affine_on(c10, across, pf));
  for (const auto& x : across) CHECK(form_at(pf, x) == plane.evaluate(x));
  // Across the diagonal of cell (1, 0) the pieces differ; a polygon straddling it is refused.
  mgdl::net::AffineForm f;
  CHECK_FALSE(bump.add_affine_on(
      c10,
      {{Rational(3, 4), Rational(1, 8)}, {Rational(5, 8), Rational(3, 8)}, {Rational(7, 8), Rational(3, 8)}},
      f));
  // Several cells where no node is active: h ≡ 0 is affine.
  HatCorrection corner(2, uniform_grid(2, 4), {{{4, 4}, Rational(1)}});
  mgdl::net::AffineForm z;
  CHECK(corner.add_affine_on(
      Box{{Rational(0), Rational(0)}, {Rational(1, 2), Rational(1, 2)}},
      {{Rational(0), Rational(0)}, {Rational(1, 2), Rational(0)}, {Rational(0), Rational(1, 2)}}, z));
  CHECK(z.constant == 0);
  mgdl::net::AffineForm nz;
  CHECK_FALSE(corner.add_affine_on(
      Box{{Rational(1, 2), Rational(1, 2)}, {Rational(1), Rational(1)}},
      {{Rational(1, 2), Rational(1, 2)}, {Rational(1), Rational(1, 2)}, {Rational(1), Rational(1)}}, nz));
}
