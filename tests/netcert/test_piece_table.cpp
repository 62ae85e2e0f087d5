// The 1D piece table of a piecewise-linear network (proofs/networks.md, N9),
// seen through SmoothCorrection and compared with the exact layer-by-layer
// evaluation of the network (certify::DenseCorrection): same values, kinks
// where the one-sided slopes differ and nowhere else, exact ranges.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>

#include "mgdl/certify/dense_correction.hpp"
#include "mgdl/certify/trapezoids.hpp"
#include "mgdl/netcert/smooth_correction.hpp"

using mgdl::num::Rational;
namespace certify = mgdl::certify;
namespace net = mgdl::net;
namespace netcert = mgdl::netcert;

namespace {

Rational dyadic(std::mt19937_64& rng, int range, int bits) {
  const long v = static_cast<long>(rng() % static_cast<unsigned long>(2 * range + 1)) - range;
  return Rational(v, 1L << bits);
}

net::AffineLayer random_layer(std::mt19937_64& rng, int inputs, int outputs, net::Activation a) {
  net::AffineLayer l;
  l.inputs = inputs;
  l.outputs = outputs;
  l.activation = a;
  for (int r = 0; r < outputs; ++r) {
    for (int c = 0; c < inputs; ++c) {
      Rational w = dyadic(rng, 40, 4);
      if (w != 0) l.weights.push_back({r, c, w});
    }
    l.bias.push_back(dyadic(rng, 24, 5));
  }
  return l;
}

// A 3-grade stair, width 5, reading t ∈ [0, 1] (grade 2 has two hidden layers).
std::shared_ptr<net::MultigradeNetwork> random_stair(std::mt19937_64& rng) {
  auto n = std::make_shared<net::MultigradeNetwork>(1);
  int inputs = 1;
  for (int k = 1; k <= 3; ++k) {
    net::GradeBlock b;
    for (int l = 0; l < (k == 2 ? 2 : 1); ++l) {
      b.layers.push_back(random_layer(rng, inputs, 5, net::Activation::relu));
      inputs = 5;
    }
    b.readout = random_layer(rng, inputs, 1, net::Activation::identity);
    n->add_grade(b);
  }
  return n;
}

Rational random_point(std::mt19937_64& rng) {
  return Rational(static_cast<long>(rng() % 3001), 3000);
}

}  // namespace

TEST_CASE("1D piece table: exact values, true kinks only, exact ranges (N9)") {
  const unsigned seed = 9119;
  std::printf("test_piece_table seed %u\n", seed);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  int with_deep_kinks = 0;
  for (int trial = 0; trial < 6; ++trial) {
    auto network = random_stair(rng);
    for (int m = 1; m <= 3; ++m) {
      for (int first : {1, m}) {
        INFO("trial " << trial << ", grades " << first << ".." << m);
        netcert::SmoothCorrection h(network, m, first);
        certify::DenseCorrection exact(network, m, first);
        const net::Box unit = net::Box::unit(1);
        std::vector<Rational> kinks = h.axis_breakpoints(unit, 0);
        CHECK(std::is_sorted(kinks.begin(), kinks.end()));
        if (kinks.size() > 5) ++with_deep_kinks;  // more than the first layer has
        // Between consecutive kinks h is affine; at each kink the slopes differ.
        std::vector<Rational> ends{Rational(0)};
        ends.insert(ends.end(), kinks.begin(), kinks.end());
        ends.push_back(Rational(1));
        std::vector<Rational> slopes;
        for (std::size_t j = 0; j + 1 < ends.size(); ++j) {
          const Rational &l = ends[j], &u = ends[j + 1];
          REQUIRE(l < u);
          const Rational s = (exact.evaluate({u}) - exact.evaluate({l})) / (u - l);
          for (int i = 1; i <= 3; ++i) {
            const Rational x = l + (u - l) * Rational(i, 4);
            CHECK(exact.evaluate({x}) == exact.evaluate({l}) + s * (x - l));
            CHECK(h.evaluate({x}) == exact.evaluate({x}));
          }
          if (!slopes.empty()) CHECK(s != slopes.back());
          slopes.push_back(s);
        }
        // Enclosures on random boxes: exact range, affine iff no kink inside.
        for (int b = 0; b < 40; ++b) {
          Rational l = random_point(rng), u = random_point(rng);
          if (u < l) std::swap(l, u);
          if (b % 5 == 0 && !kinks.empty()) l = kinks[static_cast<std::size_t>(b) % kinks.size()];
          if (!(l < u)) continue;
          const net::Box box{{l}, {u}};
          std::vector<Rational> inside;
          for (const Rational& t : kinks)
            if (l < t && t < u) inside.push_back(t);
          CHECK(h.first_axis_breakpoints(box, 0, 2) ==
                std::vector<Rational>(inside.begin(),
                                      inside.begin() + std::min<std::ptrdiff_t>(2, inside.size())));
          CHECK(h.has_axis_breakpoints(box, 0) == !inside.empty());
          const net::LinearEnclosure e = h.enclose(box);
          CHECK(e.affine == inside.empty());
          const Rational c = (l + u) / 2;
          CHECK(e.value_at_center == exact.evaluate({c}));
          Rational lo = std::min(exact.evaluate({l}), exact.evaluate({u})),
                   hi = std::max(exact.evaluate({l}), exact.evaluate({u}));
          for (const Rational& t : inside) {
            lo = std::min(lo, exact.evaluate({t}));
            hi = std::max(hi, exact.evaluate({t}));
          }
          CHECK(e.range_lo == lo);
          CHECK(e.range_hi == hi);
          net::BallEnclosure balls;
          h.enclose_balls(box, 128, balls);
          CHECK(balls.affine == e.affine);
          for (int i = 0; i <= 4; ++i) {
            const Rational x = l + (u - l) * Rational(i, 4);
            const Rational v = exact.evaluate({x});
            const Rational dx = x - c;
            CHECK(v >= e.value_at_center + (dx >= 0 ? e.gradient_lo[0] : e.gradient_hi[0]) * dx);
            CHECK(v <= e.value_at_center + (dx >= 0 ? e.gradient_hi[0] : e.gradient_lo[0]) * dx);
            CHECK(mgdl::num::lower_rational(balls.range) <= v);
            CHECK(v <= mgdl::num::upper_rational(balls.range));
          }
        }
      }
    }
  }
  CHECK(with_deep_kinks > 0);  // the deeper layers' kinks are exercised
}

TEST_CASE("1D piece table: kinks of neurons that cancel in h are not kinks (N9)") {
  // h = relu(x − 1/2) − relu(1/2 − x) + relu(x − 1/4) = x − 1/2 + relu(x − 1/4).
  auto n = std::make_shared<net::MultigradeNetwork>(1);
  net::GradeBlock b;
  net::AffineLayer hidden;
  hidden.inputs = 1;
  hidden.outputs = 3;
  hidden.weights = {{0, 0, Rational(1)}, {1, 0, Rational(-1)}, {2, 0, Rational(1)}};
  hidden.bias = {Rational(-1, 2), Rational(1, 2), Rational(-1, 4)};
  b.layers.push_back(hidden);
  b.readout.inputs = 3;
  b.readout.outputs = 1;
  b.readout.activation = net::Activation::identity;
  b.readout.weights = {{0, 0, Rational(1)}, {0, 1, Rational(-1)}, {0, 2, Rational(1)}};
  b.readout.bias = {Rational(0)};
  n->add_grade(b);
  netcert::SmoothCorrection h(n, 1);
  CHECK(h.axis_breakpoints(net::Box::unit(1), 0) == std::vector<Rational>{Rational(1, 4)});
  const net::Box right{{Rational(1, 3)}, {Rational(1)}};  // contains the cancelled kink 1/2
  CHECK(h.enclose(right).affine);
  CHECK(!h.has_axis_breakpoints(right, 0));
  CHECK(h.evaluate({Rational(1)}) == Rational(5, 4));
}

TEST_CASE("1D piece table shared by the grades of one network: the same tables (N9)") {
  std::mt19937_64 rng(31);
  auto network = random_stair(rng);
  auto shared = netcert::shared_pieces(network);
  for (int m = 1; m <= 3; ++m)
    for (int first : {1, m}) {
      netcert::SmoothCorrection alone(network, m, first), with(network, m, first, shared);
      const net::Box unit = net::Box::unit(1);
      CHECK(with.axis_breakpoints(unit, 0) == alone.axis_breakpoints(unit, 0));
      for (int i = 0; i <= 20; ++i) {
        const net::Box box{{Rational(i, 21)}, {Rational(i + 1, 21)}};
        const net::LinearEnclosure a = alone.enclose(box), b = with.enclose(box);
        CHECK(a.affine == b.affine);
        CHECK(a.value_at_center == b.value_at_center);
        CHECK(a.range_lo == b.range_lo);
        CHECK(a.range_hi == b.range_hi);
      }
    }
  auto other = random_stair(rng);
  CHECK_THROWS_AS(netcert::SmoothCorrection(other, 1, 1, shared), std::invalid_argument);
}

TEST_CASE("2D cells: kink lines and exact pieces from one ball pass agree with exact propagation (I8(f))") {
  const unsigned seed = 4242;
  std::printf("test_piece_table 2D seed %u\n", seed);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  long pieces = 0, affine_pieces = 0, refused_cells = 0;
  for (int trial = 0; trial < 4; ++trial) {
    // A 2-grade stair reading (x, y): grade 1 [2, 6, 6], grade 2 one more layer of 6.
    auto network = std::make_shared<net::MultigradeNetwork>(2);
    int inputs = 2;
    for (int k = 1; k <= 2; ++k) {
      net::GradeBlock b;
      for (int l = 0; l < (k == 1 ? 2 : 1); ++l) {
        b.layers.push_back(random_layer(rng, inputs, 6, net::Activation::relu));
        inputs = 6;
      }
      b.readout = random_layer(rng, inputs, 1, net::Activation::identity);
      network->add_grade(b);
    }
    for (int first : {1, 2}) {
      netcert::SmoothCorrection h(network, 2, first);
      certify::DenseCorrection exact(network, 2, first);
      for (int c = 0; c < 60; ++c) {
        INFO("trial " << trial << ", first " << first << ", cell " << c);
        // A dyadic cell of side 1/8 or 1/32.
        const int bits = c % 2 == 0 ? 3 : 5;
        const long n = 1L << bits;
        net::Box cell;
        for (int i = 0; i < 2; ++i) {
          const long k = static_cast<long>(rng() % static_cast<unsigned long>(n));
          cell.lo.push_back(Rational(k, n));
          cell.hi.push_back(Rational(k + 1, n));
        }
        std::vector<net::AffineForm> lines;
        if (!h.oblique_kinks(cell, lines)) {
          ++refused_cells;
          continue;
        }
        // Cut by the cell's axis kinks first, as rule P does.
        std::vector<Rational> cx = h.axis_breakpoints(cell, 0), cy = h.axis_breakpoints(cell, 1);
        CHECK(cx == exact.axis_breakpoints(cell, 0));
        CHECK(cy == exact.axis_breakpoints(cell, 1));
        if (!cx.empty() || !cy.empty()) continue;
        std::vector<certify::Trapezoid> traps;
        REQUIRE(certify::trapezoids(cell, lines, 256, traps));
        Rational area(0);
        for (const auto& t : traps) {
          area += t.area();
          ++pieces;
          net::AffineForm a, b;
          a.constant = 0;
          a.gradient.assign(2, Rational(0));
          b = a;
          const bool fast = h.add_affine_on(cell, t.vertices(), a);
          const bool slow = exact.add_affine_on(cell, t.vertices(), b);
          // Every line of a crossing ReLU input is in the list, so every piece is affine.
          CHECK(fast);
          if (!fast) continue;
          ++affine_pieces;
          if (slow) {
            CHECK(a.constant == b.constant);
            CHECK(a.gradient == b.gradient);
          }
          // The form is h on the piece: random convex combinations of its corners.
          const auto v = t.vertices();
          for (int s = 0; s < 3; ++s) {
            Rational w[4], sum(0);
            for (auto& x : w) {
              x = Rational(static_cast<long>(rng() % 7 + 1), 1);
              sum += x;
            }
            std::vector<Rational> p(2, Rational(0));
            for (int k = 0; k < 4; ++k)
              for (int i = 0; i < 2; ++i)
                p[static_cast<std::size_t>(i)] +=
                    w[k] / sum * v[static_cast<std::size_t>(k)][static_cast<std::size_t>(i)];
            CHECK(a.constant + a.gradient[0] * p[0] + a.gradient[1] * p[1] == exact.evaluate(p));
          }
        }
        CHECK(area == cell.volume());
      }
    }
  }
  INFO("pieces " << pieces << ", refused cells " << refused_cells);
  CHECK(affine_pieces > 200);  // the test exercises many pieces
  CHECK(refused_cells > 0);    // and cells where a kink bends (no line list)
}
