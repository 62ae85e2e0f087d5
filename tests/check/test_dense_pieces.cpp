// The checker's 1D piece table of a dense network (dense_pieces.hpp,
// proofs/networks.md N9) against its exact layer-by-layer values (dense.hpp),
// and the K<n> rule splitting at the table's kinks: ∫ (x² − Φ)² over [0, 1]
// enclosed around its exact value (a polynomial per piece), where G<n> on the
// whole interval must refuse (Φ is not affine there).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "dense_pieces.hpp"
#include "lp_rules.hpp"

using namespace mgdl::check;

namespace {

Q dyadic(std::mt19937_64& rng, int range, unsigned long den) {
  const long v = static_cast<long>(rng() % static_cast<unsigned long>(2 * range + 1)) - range;
  return Q(v, den);
}

DenseLayer random_layer(std::mt19937_64& rng, int inputs, int outputs, bool relu) {
  DenseLayer l;
  l.inputs = inputs;
  l.outputs = outputs;
  l.relu = relu;
  for (int r = 0; r < outputs; ++r) {
    for (int c = 0; c < inputs; ++c) {
      Q w = dyadic(rng, 40, 16);
      if (w.sign() != 0) l.weights.push_back({r, c, w});
    }
    l.bias.push_back(dyadic(rng, 24, 32));
  }
  return l;
}

// A 3-grade stair of width 4 on [0, 1] (grade 2 with two hidden layers).
DenseNetwork random_stair(std::mt19937_64& rng) {
  DenseNetwork n;
  n.d = 1;
  int inputs = 1;
  for (int k = 1; k <= 3; ++k) {
    DenseBlock b;
    for (int l = 0; l < (k == 2 ? 2 : 1); ++l) {
      b.layers.push_back(random_layer(rng, inputs, 4, true));
      inputs = 4;
    }
    b.readout = random_layer(rng, inputs, 1, false);
    n.blocks.push_back(b);
  }
  return n;
}

Q h(const DenseNetwork& n, const Q& x, int first, int last) {
  return dense_value(n, {x}, first, last);
}

// ∫_l^u (x² − a − b x)² dx exactly.
Q square_integral(const Q& a, const Q& b, const Q& l, const Q& u) {
  auto F = [&](const Q& x) {
    const Q x2 = x * x, x3 = x2 * x;
    return x3 * x2 * Q(1, 5) - b * x2 * x2 * Q(1, 2) + (b * b - Q(2) * a) * x3 * Q(1, 3) + a * b * x2 +
           a * a * x;
  };
  return F(u) - F(l);
}

}  // namespace

TEST_CASE("checker piece table: exact values, true kinks, exact ranges (N9)") {
  const unsigned seed = 5151;
  std::printf("test_dense_pieces seed %u\n", seed);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  int deep = 0;
  for (int trial = 0; trial < 6; ++trial) {
    const DenseNetwork n = random_stair(rng);
    for (int last = 1; last <= 3; ++last)
      for (int first : {1, last}) {
        INFO("trial " << trial << ", grades " << first << ".." << last);
        DensePieces p;
        REQUIRE(dense_pieces(n, first, last, 1 << 16, 3e7, p));
        REQUIRE(!p.left.empty());
        CHECK(p.left[0] == Q());
        CHECK(std::is_sorted(p.left.begin(), p.left.end()));
        if (p.left.size() > 5) ++deep;
        for (std::size_t j = 0; j < p.left.size(); ++j) {
          const Q l = p.left[j], u = j + 1 < p.left.size() ? p.left[j + 1] : Q(1);
          REQUIRE(l < u);
          CHECK(p.value[j] == h(n, l, first, last));
          for (long i = 1; i <= 3; ++i) {  // affine on the piece with the table's slope
            const Q x = l + (u - l) * Q(i, 4);
            CHECK(h(n, x, first, last) == p.value[j] + p.slope[j] * (x - l));
          }
          if (j > 0) CHECK(p.slope[j] != p.slope[j - 1]);
        }
        for (int b = 0; b < 30; ++b) {
          Q l(static_cast<long>(rng() % 2001), 2000), u(static_cast<long>(rng() % 2001), 2000);
          if (u < l) std::swap(l, u);
          if (!(l < u)) continue;
          const Box box{{l}, {u}};
          std::vector<Q> inside;
          pieces_kinks(p, l, u, inside);
          Q lo = std::min(h(n, l, first, last), h(n, u, first, last));
          Q hi = std::max(h(n, l, first, last), h(n, u, first, last));
          for (const Q& t : inside) {
            CHECK(l < t);
            CHECK(t < u);
            lo = std::min(lo, h(n, t, first, last));
            hi = std::max(hi, h(n, t, first, last));
          }
          CorrectionEnclosure e;
          e.reset(1);
          const Q c = midpoint(l, u);
          add_pieces_enclosure(p, box, {c}, e);
          CHECK(e.affine == inside.empty());
          CHECK(e.value == h(n, c, first, last));
          CHECK(e.lo == lo);
          CHECK(e.hi == hi);
          for (long i = 0; i <= 4; ++i) {
            const Q x = l + (u - l) * Q(i, 4), dx = x - c, v = h(n, x, first, last);
            CHECK(e.value + (dx.sign() >= 0 ? e.glo[0] : e.ghi[0]) * dx <= v);
            CHECK(v <= e.value + (dx.sign() >= 0 ? e.ghi[0] : e.glo[0]) * dx);
          }
        }
      }
  }
  CHECK(deep > 0);
}

TEST_CASE("checker K<n> on a dense network splits at its kinks (I5(c), N9)") {
  std::mt19937_64 rng(77);
  const DenseNetwork n = random_stair(rng);
  DensePieces p;
  REQUIRE(dense_pieces(n, 1, 3, 1 << 16, 3e7, p));
  REQUIRE(p.left.size() > 2);
  DensePieces capped;
  CHECK(!dense_pieces(n, 1, 3, 2, 3e7, capped));                                // more pieces than allowed
  CHECK(!dense_pieces(n, 1, 3, 1 << 16, 10, capped));                           // more work than allowed
  CHECK(!dense_pieces(DenseNetwork{2, n.blocks}, 1, 3, 1 << 16, 3e7, capped));  // not 1D
  Q exact;
  for (std::size_t j = 0; j < p.left.size(); ++j) {
    const Q u = j + 1 < p.left.size() ? p.left[j + 1] : Q(1);
    exact = exact + square_integral(p.value[j] - p.slope[j] * p.left[j], p.slope[j], p.left[j], u);
  }
  const Target t = parse_target("x^2", {"x"}, {Q(0)}, {Q(1)});
  const mpfr_prec_t prec = 128;
  ResidualAnalyzer an(t, prec);
  an.set_dense(&n, 1, 3);
  an.set_dense_pieces(&p);
  LeafIntegrator li(t, prec, {});
  li.set_dense(&n, 1, 3, &p);
  const Box unit{{Q()}, {Q(1)}};
  an.analyse(unit, CutoffsOnBox{});
  I out(prec);
  CHECK(!li.gauss(an, 4, Q(2), out));  // Φ is not affine on [0, 1]
  REQUIRE(li.kink_split(an, unit, CutoffsOnBox{}, 4, Q(2), out));
  I ref(prec);
  set_interval(ref, exact);
  CHECK(mpfr_cmp(out.left(), ref.left()) <= 0);
  CHECK(mpfr_cmp(ref.right(), out.right()) <= 0);
  mpfr_t w;
  mpfr_init2(w, 64);
  mpfr_sub(w, out.right(), out.left(), MPFR_RNDU);
  CHECK(mpfr_get_d(w, MPFR_RNDU) < 1e-25);  // G4 is exact on each piece (degree 4 < 8)
  // Without the table the pieces are not known: the same rule falls back to the crude one.
  LeafIntegrator blind(t, prec, {});
  blind.set_dense(&n, 1, 3, nullptr);
  ResidualAnalyzer an2(t, prec);
  an2.set_dense(&n, 1, 3);
  an2.analyse(unit, CutoffsOnBox{});
  I crude(prec);
  blind.kink_split(an2, unit, CutoffsOnBox{}, 4, Q(2), crude);
  mpfr_sub(w, crude.right(), crude.left(), MPFR_RNDU);
  CHECK(mpfr_get_d(w, MPFR_RNDU) > 1e-6);
  mpfr_clear(w);
}

TEST_CASE("checker piece table: one pass for all grades gives every sum's table (N9)") {
  std::mt19937_64 rng(913);
  const DenseNetwork n = random_stair(rng);
  DenseGradePieces all;
  REQUIRE(dense_grade_pieces(n, 3, 1 << 16, 3e7, all));
  for (int last = 1; last <= 3; ++last)
    for (int first = 1; first <= last; ++first) {
      DensePieces once, own;
      REQUIRE(dense_table(all, first, last, once));
      REQUIRE(dense_pieces(n, first, last, 1 << 16, 3e7, own));
      CHECK(once.left == own.left);
      CHECK(once.slope == own.slope);
      CHECK(once.value == own.value);
    }
  DensePieces none;
  CHECK(!dense_table(all, 2, 4, none));  // beyond the grades built
}

TEST_CASE("checker piece table: a budget too small for all grades keeps the first ones (N9)") {
  std::mt19937_64 rng(913);
  const DenseNetwork n = random_stair(rng);
  int partial = 0;
  for (double budget = 4; budget < 1e6; budget *= 1.5) {
    DenseGradePieces all;
    if (!dense_grade_pieces(n, 3, 1 << 16, budget, all)) continue;
    CHECK(all.last >= 1);
    CHECK(all.last <= 3);
    if (all.last == 3) break;
    ++partial;
    DensePieces cut, own;
    CHECK(!dense_table(all, 1, all.last + 1, cut));  // the grades not built have no table
    REQUIRE(dense_table(all, 1, all.last, cut));
    REQUIRE(dense_pieces(n, 1, all.last, 1 << 16, 1e9, own));
    CHECK(cut.left == own.left);
    CHECK(cut.slope == own.slope);
    CHECK(cut.value == own.value);
  }
  CHECK(partial > 0);
}
