#include "mgdl/net/box.hpp"
#include "mgdl/net/correction.hpp"
#include "net_test_util.hpp"

#include <doctest/doctest.h>

using mgdl::net::Box;
using mgdl::net::Cutoff;
using mgdl::num::Rational;
using namespace mgdl::net::testing;

TEST_CASE("box geometry is exact") {
  Box u = Box::unit(3);
  CHECK(u.dimension() == 3);
  CHECK(u.volume() == 1);
  CHECK(u.center() == std::vector<Rational>(3, Rational(1, 2)));
  Box b{{Rational(1, 3), Rational(0)}, {Rational(1, 2), Rational(2, 7)}};
  CHECK(b.width(0) == Rational(1, 6));
  CHECK(b.volume() == Rational(1, 21));
  CHECK(b.contains({Rational(1, 3), Rational(2, 7)}));  // closed
  CHECK_FALSE(b.contains({Rational(1, 4), Rational(0)}));
  Box touching{{Rational(1, 2), Rational(0)}, {Rational(1), Rational(1)}};
  CHECK_FALSE(b.intersects_interior(touching));  // shares a face only
  CHECK_FALSE(b.intersection(touching).empty());
  CHECK(b.intersection(touching).volume() == 0);
  Box apart{{Rational(3, 4), Rational(0)}, {Rational(1), Rational(1)}};
  CHECK(b.intersection(apart).empty());
  Box overlapping{{Rational(2, 5), Rational(1, 7)}, {Rational(1), Rational(1)}};
  CHECK(b.intersects_interior(overlapping));
  CHECK(b.intersection(overlapping).volume() == Rational(1, 10) * Rational(1, 7));
}

namespace {

// Points where ψ changes behaviour, per axis, plus random rationals; combined
// into a product grid (d <= 3 keeps it small).
std::vector<std::vector<Rational>> probe_points(const Cutoff& q, Rng& rng) {
  const std::size_t d = q.a.size();
  std::vector<std::vector<Rational>> axis(d);
  for (std::size_t i = 0; i < d; ++i) {
    const Rational lo = q.a[i] - q.rho[i], hi = q.b[i] + q.rho[i];
    axis[i] = {lo - q.rho[i], lo, (lo + q.a[i]) / 2, q.a[i], (q.a[i] + q.b[i]) / 2, q.b[i], (q.b[i] + hi) / 2, hi,
               hi + q.rho[i], lo + (hi - lo) * random_unit(rng)};
  }
  std::vector<std::vector<Rational>> points;
  std::vector<std::size_t> pick(d, 0);
  while (true) {
    std::vector<Rational> x(d);
    for (std::size_t i = 0; i < d; ++i) x[i] = axis[i][pick[i]];
    points.push_back(x);
    std::size_t a = 0;
    while (a < d && ++pick[a] == axis[a].size()) pick[a++] = 0;
    if (a == d) break;
  }
  return points;
}

}  // namespace

TEST_CASE("psi is 1 on the core, 0 outside the support, and in [0,1] (Lemma A1)") {
  const std::uint64_t seed = 7001;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    for (const Cutoff& q : random_cutoffs(rng, d, 12)) {
      const Box core = q.core(), support = q.support();
      for (const auto& x : probe_points(q, rng)) {
        const Rational psi = q.psi(x);
        CHECK(psi >= 0);
        CHECK(psi <= 1);
        if (core.contains(x)) CHECK(psi == 1);
        bool in_open_support = true;
        for (int i = 0; i < d; ++i)
          in_open_support = in_open_support && support.lo[static_cast<std::size_t>(i)] < x[static_cast<std::size_t>(i)] &&
                            x[static_cast<std::size_t>(i)] < support.hi[static_cast<std::size_t>(i)];
        if (!in_open_support) CHECK(psi == 0);
        // Independent formula: 1 − Σ_i dist(x_i, [a_i, b_i])/ρ_i, clipped at 0.
        Rational s(0);
        for (std::size_t i = 0; i < x.size(); ++i) {
          if (x[i] < q.a[i]) s += (q.a[i] - x[i]) / q.rho[i];
          if (x[i] > q.b[i]) s += (x[i] - q.b[i]) / q.rho[i];
        }
        CHECK(psi == (s < 1 ? Rational(1 - s) : Rational(0)));
      }
    }
  }
}

TEST_CASE("psi on a concrete 2D cutoff matches hand values") {
  Cutoff q;
  q.a = {Rational(1, 4), Rational(1, 4)};
  q.b = {Rational(1, 2), Rational(3, 4)};
  q.rho = {Rational(1, 8), Rational(1, 16)};
  q.coefficient = 1;
  CHECK(q.psi({Rational(3, 8), Rational(1, 2)}) == 1);
  CHECK(q.psi({Rational(3, 16), Rational(1, 2)}) == Rational(1, 2));            // half way into the x margin
  CHECK(q.psi({Rational(3, 16), Rational(25, 32)}) == 0);                       // 1/2 + 1/2
  CHECK(q.psi({Rational(17, 32), Rational(49, 64)}) == Rational(1, 2));  // 1/4 + 1/4
  CHECK(q.support().lo == std::vector<Rational>{Rational(1, 8), Rational(3, 16)});
  CHECK(q.support().hi == std::vector<Rational>{Rational(5, 8), Rational(13, 16)});
}
