#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/net/relu_network.hpp"
#include "net_test_util.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>

using mgdl::net::Box;
using mgdl::net::Cutoff;
using mgdl::net::CutoffCorrection;
using mgdl::net::GradeBlock;
using mgdl::net::LinearEnclosure;
using mgdl::net::MultigradeNetwork;
using mgdl::num::Rational;
using namespace mgdl::net::testing;

namespace {

// Clips every coordinate into [0, 1]: the dense block carries x by σ(x_i) = x_i,
// which is exact on Ω only.
std::vector<Rational> clip(std::vector<Rational> x) {
  for (Rational& v : x) {
    if (v < 0) v = 0;
    if (v > 1) v = 1;
  }
  return x;
}

std::vector<Rational> random_point(Rng& rng, int d) {
  std::vector<Rational> x;
  for (int i = 0; i < d; ++i) x.push_back(random_unit(rng, 211));
  return x;
}

// All points of Ω at which h has to be compared: corners of cores and supports
// (clipped), their breakpoint midpoints in 1D, and random rational points.
std::vector<std::vector<Rational>> comparison_points(const std::vector<Cutoff>& cutoffs, int d, Rng& rng) {
  std::vector<std::vector<Rational>> points;
  for (const Cutoff& q : cutoffs) {
    for (const Box& box : {q.core(), q.support()}) {
      for (long corner = 0; corner < (1L << d); ++corner) {
        std::vector<Rational> x(static_cast<std::size_t>(d));
        for (int i = 0; i < d; ++i)
          x[static_cast<std::size_t>(i)] = (corner & (1L << i)) ? box.hi[static_cast<std::size_t>(i)] : box.lo[static_cast<std::size_t>(i)];
        points.push_back(clip(x));
      }
    }
  }
  if (d == 1) {
    std::vector<Rational> ts{Rational(0), Rational(1)};
    for (const Cutoff& q : cutoffs)
      for (const Rational& t : std::vector<Rational>{q.a[0] - q.rho[0], q.a[0], q.b[0], q.b[0] + q.rho[0]}) ts.push_back(clip({t})[0]);
    std::sort(ts.begin(), ts.end());
    ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
    for (std::size_t k = 0; k < ts.size(); ++k) {
      points.push_back({ts[k]});
      if (k + 1 < ts.size()) points.push_back({(ts[k] + ts[k + 1]) / 2});
    }
  }
  for (int k = 0; k < 60; ++k) points.push_back(random_point(rng, d));
  return points;
}

// h(x) ∈ value + G·(x − c) and ∈ [range_lo, range_hi], exactly.
bool enclosure_contains(const LinearEnclosure& e, const Box& box, const std::vector<Rational>& x, const Rational& hx) {
  const std::vector<Rational> c = box.center();
  Rational lo = e.value_at_center, hi = e.value_at_center;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const Rational t = x[i] - c[i];
    const Rational p = e.gradient_lo[i] * t, q = e.gradient_hi[i] * t;
    lo += std::min(p, q);
    hi += std::max(p, q);
  }
  return lo <= hx && hx <= hi && e.range_lo <= hx && hx <= e.range_hi;
}

Box random_box(Rng& rng, int d) {
  Box box;
  for (int i = 0; i < d; ++i) {
    Rational x = random_unit(rng, 61), y = random_unit(rng, 61);
    if (rng() % 4 == 0) y = x + (y - x) / 64;  // some thin boxes
    if (rng() % 10 == 0) y = x;                // some degenerate axes
    if (x > y) std::swap(x, y);
    box.lo.push_back(x);
    box.hi.push_back(y);
  }
  return box;
}

std::vector<std::vector<Rational>> box_probe_points(const Box& box, Rng& rng, int random_count) {
  const int d = box.dimension();
  std::vector<std::vector<Rational>> points{box.center()};
  for (long corner = 0; corner < (1L << d); ++corner) {
    std::vector<Rational> x(static_cast<std::size_t>(d));
    for (int i = 0; i < d; ++i)
      x[static_cast<std::size_t>(i)] = (corner & (1L << i)) ? box.hi[static_cast<std::size_t>(i)] : box.lo[static_cast<std::size_t>(i)];
    points.push_back(x);
  }
  for (int k = 0; k < random_count; ++k) {
    std::vector<Rational> x(static_cast<std::size_t>(d));
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = box.lo[i] + (box.hi[i] - box.lo[i]) * random_unit(rng, 53);
    points.push_back(x);
  }
  return points;
}

}  // namespace

TEST_CASE("evaluate through the index equals the brute-force sum") {
  const std::uint64_t seed = 8101;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    for (int trial = 0; trial < 4; ++trial) {
      const auto cutoffs = trial % 2 ? random_cutoffs(rng, d, 30)
                                     : margin_rule_cutoffs(rng, dyadic_partition(rng, d, d == 1 ? 3 : 1, 3));
      const CutoffCorrection h(d, cutoffs, 1);
      for (const auto& x : comparison_points(cutoffs, d, rng)) CHECK(h.evaluate(x) == brute_h(cutoffs, x));
    }
  }
}

TEST_CASE("zero coefficients are dropped and the order is canonical") {
  Rng rng(8102);
  auto cutoffs = random_cutoffs(rng, 2, 10);
  cutoffs[3].coefficient = 0;
  const CutoffCorrection h(2, cutoffs, 2);
  CHECK(h.active_units() == 9);
  CHECK(h.kappa() == 2);
  std::reverse(cutoffs.begin(), cutoffs.end());
  const CutoffCorrection g(2, cutoffs, 2);
  REQUIRE(g.cutoffs().size() == h.cutoffs().size());
  for (std::size_t k = 0; k < h.cutoffs().size(); ++k) {
    CHECK(g.cutoffs()[k].a == h.cutoffs()[k].a);
    CHECK(g.cutoffs()[k].b == h.cutoffs()[k].b);
  }
  CHECK(h.support_boxes().size() == 9);
  CHECK_FALSE(h.trivial());
  CHECK(CutoffCorrection(2, {}, 0).trivial());
  CHECK_THROWS_AS(CutoffCorrection(3, cutoffs, 2), std::invalid_argument);
  CHECK_THROWS_AS(h.evaluate({Rational(0)}), std::invalid_argument);
  CHECK_THROWS_AS(h.enclose(Box::unit(3)), std::invalid_argument);
}

TEST_CASE("the dense block equals the structured form exactly (Lemma A5)") {
  const std::uint64_t seed = 8201;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    for (int trial = 0; trial < 3; ++trial) {
      const auto cutoffs = trial == 0 ? random_cutoffs(rng, d, 8)
                                      : margin_rule_cutoffs(rng, dyadic_partition(rng, d, d == 1 ? 2 : 1, trial));
      const CutoffCorrection h(d, cutoffs, 1);
      const GradeBlock block = h.realise();
      const auto n = static_cast<int>(h.active_units());
      CHECK(block.width() == 3 * d + 2);
      CHECK(block.width() <= 5 * d);
      CHECK(block.depth() == 2 * n + 2);
      for (const auto& layer : block.layers) CHECK(layer.outputs <= 3 * d + 2);
      MultigradeNetwork net(d);
      net.add_grade(block);
      for (const auto& x : comparison_points(h.cutoffs(), d, rng)) {
        INFO("d=" << d << " trial=" << trial);
        CHECK(net.evaluate(x, 1) == h.evaluate(x));
      }
    }
  }
}

TEST_CASE("the dense layout of one 1D cutoff is the documented one") {
  Cutoff q;
  q.a = {Rational(1, 4)};
  q.b = {Rational(1, 2)};
  q.rho = {Rational(1, 8)};
  q.coefficient = Rational(-3, 5);
  const GradeBlock block = CutoffCorrection(1, {q}, 1).realise();
  REQUIRE(block.layers.size() == 3);
  const auto& l1 = block.layers[0];  // [x, σ((a − x)/ρ), σ((x − b)/ρ), A+, A-]
  CHECK(l1.inputs == 1);
  CHECK(l1.outputs == 5);
  REQUIRE(l1.weights.size() == 3);
  CHECK((l1.weights[0].row == 0 && l1.weights[0].col == 0 && l1.weights[0].value == 1));
  CHECK((l1.weights[1].row == 1 && l1.weights[1].col == 0 && l1.weights[1].value == -8));
  CHECK((l1.weights[2].row == 2 && l1.weights[2].col == 0 && l1.weights[2].value == 8));
  CHECK(l1.bias == std::vector<Rational>{0, 2, -4, 0, 0});
  const auto& l2 = block.layers[1];  // [x, ψ, A+, A-]
  CHECK(l2.outputs == 4);
  CHECK(l2.bias == std::vector<Rational>{0, 1, 0, 0});
  REQUIRE(l2.weights.size() == 5);
  CHECK((l2.weights[3].row == 2 && l2.weights[3].col == 3));
  const auto& l3 = block.layers[2];  // [x, A+, A- + (3/5) ψ]
  CHECK(l3.outputs == 3);
  REQUIRE(l3.weights.size() == 4);
  CHECK((l3.weights[1].row == 1 && l3.weights[1].col == 2 && l3.weights[1].value == 1));
  CHECK((l3.weights[2].row == 2 && l3.weights[2].col == 1 && l3.weights[2].value == Rational(3, 5)));
  CHECK((l3.weights[3].row == 2 && l3.weights[3].col == 3 && l3.weights[3].value == 1));
  CHECK(block.readout.weights.size() == 2);
  CHECK(block.parameter_count() == 3 + 5 + 5 + 4 + 4 + 3 + 2 + 1);

  const GradeBlock empty = CutoffCorrection(2, {}, 0).realise();
  CHECK(empty.layers.size() == 1);
  CHECK(empty.width() == 4);
  CHECK(empty.depth() == 2);
}

TEST_CASE("a 3-grade multigrade network sums the structured corrections") {
  const std::uint64_t seed = 8301;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    std::vector<std::shared_ptr<CutoffCorrection>> grades;
    MultigradeNetwork net(d);
    for (int m = 1; m <= 3; ++m) {
      grades.push_back(std::make_shared<CutoffCorrection>(
          d, margin_rule_cutoffs(rng, dyadic_partition(rng, d, d == 1 ? m : 1, m - 1)), 1));
      CHECK_THROWS_AS(net.add_grade(m == 1 ? mgdl::net::with_input_size(grades.back()->realise(), d + 1)
                                           : grades.back()->realise()),
                      std::invalid_argument);
      net.add_grade(mgdl::net::with_input_size(grades.back()->realise(), net.feature_size()));
      CHECK(net.feature_size() == d + 2);
    }
    for (int k = 0; k < 40; ++k) {
      const auto x = random_point(rng, d);
      Rational sum(0);
      CHECK(net.evaluate(x, 0) == 0);
      for (int m = 1; m <= 3; ++m) {
        const Rational hm = grades[static_cast<std::size_t>(m - 1)]->evaluate(x);
        sum += hm;
        CHECK(net.evaluate_grade(x, m) == hm);
        CHECK(net.evaluate(x, m) == sum);
      }
    }
  }
}

TEST_CASE("enclose contains h on random boxes, exactly when it claims affine (C2)") {
  const std::uint64_t seed = 8401;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    for (int trial = 0; trial < 3; ++trial) {
      const auto cutoffs = trial == 0 ? random_cutoffs(rng, d, 20)
                                      : margin_rule_cutoffs(rng, dyadic_partition(rng, d, d == 1 ? 3 : 1, 2 * trial));
      const CutoffCorrection h(d, cutoffs, 1);
      Rational total(0);
      for (const Cutoff& q : h.cutoffs()) total += abs(q.coefficient);
      int affine_boxes = 0;
      for (int b = 0; b < 150; ++b) {
        const Box box = random_box(rng, d);
        const LinearEnclosure e = h.enclose(box);
        CHECK(e.range_lo <= e.range_hi);
        CHECK(e.range_hi - e.range_lo <= 2 * total);  // finite and not absurd
        Rational lo_seen, hi_seen;
        bool first = true;
        for (const auto& x : box_probe_points(box, rng, 12)) {
          const Rational hx = h.evaluate(x);
          CHECK(enclosure_contains(e, box, x, hx));
          if (e.affine) {
            Rational lin = e.value_at_center;
            const auto c = box.center();
            for (std::size_t i = 0; i < x.size(); ++i) lin += e.gradient_lo[i] * (x[i] - c[i]);
            CHECK(lin == hx);
          }
          if (first || hx < lo_seen) lo_seen = hx;
          if (first || hx > hi_seen) hi_seen = hx;
          first = false;
        }
        if (e.affine) {
          ++affine_boxes;
          CHECK(e.gradient_lo == e.gradient_hi);
          CHECK(e.range_lo == lo_seen);  // the corners attain the exact range
          CHECK(e.range_hi == hi_seen);
        }
      }
      CHECK(affine_boxes > 0);
    }
  }
}

TEST_CASE("1D: between consecutive breakpoints h is affine and the enclosure exact") {
  const std::uint64_t seed = 8501;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int trial = 0; trial < 4; ++trial) {
    const auto cutoffs = trial % 2 ? random_cutoffs(rng, 1, 15) : margin_rule_cutoffs(rng, dyadic_partition(rng, 1, 3, 4));
    const CutoffCorrection h(1, cutoffs, 1);
    const Box unit = Box::unit(1);
    auto cuts = h.axis_breakpoints(unit, 0);
    CHECK(std::is_sorted(cuts.begin(), cuts.end()));
    CHECK(std::adjacent_find(cuts.begin(), cuts.end()) == cuts.end());
    for (const Rational& t : cuts) CHECK((t > 0 && t < 1));
    cuts.insert(cuts.begin(), Rational(0));
    cuts.push_back(Rational(1));
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
      const Box piece{{cuts[k]}, {cuts[k + 1]}};
      CHECK(h.axis_breakpoints(piece, 0).empty());
      const LinearEnclosure e = h.enclose(piece);
      CHECK(e.affine);
      const Rational hl = h.evaluate({cuts[k]}), hr = h.evaluate({cuts[k + 1]});
      CHECK(e.gradient_lo[0] * (cuts[k + 1] - cuts[k]) == hr - hl);
      CHECK(e.value_at_center == (hl + hr) / 2);
      CHECK(e.range_lo == std::min(hl, hr));
      CHECK(e.range_hi == std::max(hl, hr));
    }
    // A box across a kink is not affine.
    if (cuts.size() > 2) {
      const Rational t = cuts[1];
      const Box across{{(cuts[0] + t) / 2}, {(t + cuts[2]) / 2}};
      const auto e = h.enclose(across);
      const auto inner = h.axis_breakpoints(across, 0);
      CHECK(inner == std::vector<Rational>{t});
      // Only a kink of h itself makes it non-affine; the certified claim is one-sided.
      if (!e.affine) CHECK(e.gradient_lo[0] <= e.gradient_hi[0]);
    }
  }
}

TEST_CASE("a planted wrong coefficient is caught by the containment check") {
  const std::uint64_t seed = 8601;
  INFO("seed " << seed);
  Rng rng(seed);
  const auto cutoffs = margin_rule_cutoffs(rng, dyadic_partition(rng, 2, 2, 0));
  auto wrong = cutoffs;
  wrong[5].coefficient += Rational(1, 1000);
  const CutoffCorrection h(2, cutoffs, 1), h_wrong(2, wrong, 1);
  // The middle of the core, away from the neighbours' margins (ρ <= w/4):
  // only ψ = 1 lives there, so h is affine on it.
  Box middle = wrong[5].core();
  for (int i = 0; i < 2; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    const Rational w = middle.width(i);
    middle.lo[ui] += 3 * w / 8;
    middle.hi[ui] -= 3 * w / 8;
  }
  const auto e = h_wrong.enclose(middle);
  CHECK(e.affine);
  bool caught = false;
  for (const auto& x : box_probe_points(middle, rng, 5)) caught = caught || !enclosure_contains(e, middle, x, h.evaluate(x));
  CHECK(caught);
}
