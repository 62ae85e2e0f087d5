// Construction A: the correction is balanced for the residual it was built for
// (checked on dense rational grids with r as balls and h exact, and the check
// catches planted wrong coefficients), the dense blocks equal the structured
// forms and have width <= 5d, and the float estimate of the sup-norm contracts
// by at least 1 − 2^-(d+1) per grade (proofs/cutoff.md, A3-A5, Theorem A).
#include "mgdl/construct/cutoff_scheme.hpp"
#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/bounds.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <random>

using mgdl::num::Ball;
using mgdl::num::Rational;
namespace construct = mgdl::construct;
namespace expr = mgdl::expr;
namespace net = mgdl::net;
namespace num = mgdl::num;
namespace resid = mgdl::resid;

namespace {

resid::Residual target(const char* text) {
  expr::Expression e = expr::Expression::parse(text);
  return resid::Residual(expr::Program::compile(e, expr::Domain::unit(e.dimension())));
}

std::vector<std::vector<Rational>> grid(int d, int per_axis) {
  std::vector<std::vector<Rational>> pts;
  std::vector<int> idx(static_cast<std::size_t>(d), 0);
  for (;;) {
    std::vector<Rational> x;
    for (int i : idx) x.emplace_back(i, per_axis - 1);
    pts.push_back(std::move(x));
    std::size_t axis = 0;
    while (axis < idx.size() && ++idx[axis] == per_axis) idx[axis++] = 0;
    if (axis == idx.size()) break;
  }
  return pts;
}

// A certified lower bound of ||r||_inf: the best |r(x)| lower bound over a grid.
num::LowerBound sampled_lower_bound(const resid::Residual& r, int per_axis) {
  resid::ResidualEvaluator ev(r, 128);
  num::LowerBound best(Rational(0));
  for (const auto& x : grid(r.dimension(), per_axis))
    best = num::LowerBound::tighter(best, num::abs_lower_bound(ev.at_point(x)));
  return best;
}

// The balanced property at x: h(x)·r(x) >= 0 and |h(x)| <= |r(x)|, certified
// with r(x) as a ball and h(x) exact. Returns false when not certain.
bool balanced_at(resid::ResidualEvaluator& ev, const net::Correction& h, const std::vector<Rational>& x) {
  const Rational hx = h.evaluate(x);
  if (hx == 0) return true;
  Ball rx = ev.at_point(x);
  if (!rx.is_finite()) return false;
  if (hx > 0) return num::lower_rational(rx) >= hx;
  return num::upper_rational(rx) <= hx;
}

// Points of the grid plus the center of every core and support corners of
// the stored cutoffs (where a wrong coefficient shows most).
std::vector<std::vector<Rational>> check_points(const net::CutoffCorrection& h, int per_axis) {
  auto pts = grid(h.dimension(), per_axis);
  for (const auto& c : h.cutoffs()) pts.push_back(c.core().center());
  return pts;
}

std::size_t count_unbalanced(const resid::Residual& r, const net::Correction& h,
                             const std::vector<std::vector<Rational>>& pts) {
  resid::ResidualEvaluator ev(r, 128);
  std::size_t bad = 0;
  for (const auto& x : pts) bad += balanced_at(ev, h, x) ? 0 : 1;
  return bad;
}

std::shared_ptr<const net::CutoffCorrection> with_coefficient(const net::CutoffCorrection& h, std::size_t k,
                                                              const Rational& factor) {
  std::vector<net::Cutoff> cs = h.cutoffs();
  cs[k].coefficient *= factor;
  return std::make_shared<const net::CutoffCorrection>(h.dimension(), cs, h.kappa());
}

construct::CutoffOptions small_options() {
  construct::CutoffOptions o;
  o.precision = 96;
  o.sample_per_axis = 0;
  return o;
}

}  // namespace

TEST_CASE("balanced on dense grids for several targets, and planted errors are caught") {
  const char* targets[] = {"sin(4*pi*x)", "exp(x) - 1.5", "x*(1-x) - 0.1", "sin(2*pi*x)*cos(2*pi*y)",
                           "x - y^2 + 0.25"};
  for (const char* text : targets) {
    INFO(text);
    resid::Residual r0 = target(text);
    const int d = r0.dimension();
    const int per_axis = d == 1 ? 1025 : 65;
    construct::CutoffOptions opt = small_options();
    // Two grades, so the second grade's r already contains a correction.
    resid::Residual r = r0;
    for (int m = 1; m <= 2; ++m) {
      const num::LowerBound M = sampled_lower_bound(r, d == 1 ? 257 : 33);
      REQUIRE(M.value() > 0);
      construct::CutoffConstruction g = construct::build_cutoff_correction(r, M, opt);
      REQUIRE(g.status == construct::BuildStatus::built);
      REQUIRE(g.correction);
      const net::CutoffCorrection& h = *g.correction;
      REQUIRE(h.active_units() > 0);
      CHECK(g.kappa <= (1 << d));
      CHECK(g.epsilon == Rational(1, 2 * g.kappa));
      CHECK(g.facts.size() == h.active_units());
      for (const auto& f : g.facts) {
        const Rational& c = h.cutoffs()[f.cutoff].coefficient;
        CHECK(f.mu > 0);
        CHECK(c * f.sign * g.kappa == f.mu);
        CHECK(num::is_dyadic(f.mu));
      }
      const auto pts = check_points(h, per_axis);
      CHECK(count_unbalanced(r, h, pts) == 0);

      if (m == 1) {
        // Flip the sign of the largest coefficient: at its core center only
        // its own cutoff is nonzero (neighbours' margins are at most a quarter
        // of this core's width), so h has the wrong sign there.
        std::size_t largest = 0;
        for (std::size_t k = 0; k < h.cutoffs().size(); ++k)
          if (abs(h.cutoffs()[k].coefficient) > abs(h.cutoffs()[largest].coefficient)) largest = k;
        auto flipped = with_coefficient(h, largest, Rational(-1));
        CHECK(count_unbalanced(r, *flipped, pts) > 0);
        // Multiply by kappa + 1 the coefficient whose core center has the
        // smallest |r| / |c|: there h = (kappa+1) mu / kappa exceeds |r| when r
        // is within a factor 1 + 1/kappa of its minimum over the support.
        resid::ResidualEvaluator ev(r, 128);
        std::size_t tight = 0;
        double best_ratio = 1e300;
        for (std::size_t k = 0; k < h.cutoffs().size(); ++k) {
          const double rc = std::fabs(ev.at_point(h.cutoffs()[k].core().center()).mid_approx());
          const double ratio = rc / std::fabs(num::to_double_approx(h.cutoffs()[k].coefficient));
          if (ratio < best_ratio) {
            best_ratio = ratio;
            tight = k;
          }
        }
        auto tripled = with_coefficient(h, tight, Rational(g.kappa + 1));
        CHECK(count_unbalanced(r, *tripled, pts) > 0);
      }
      r = r.with(g.correction);
    }
  }
}

TEST_CASE("dense blocks equal the structured forms; width <= 5d") {
  const unsigned seed = 7031U;
  std::printf("test_cutoff_scheme dense seed %u\n", seed);
  std::mt19937_64 rng(seed);
  const char* targets[] = {"sin(6*pi*x)", "cos(3*x+y)*x", "x*y*z - 0.1 + sin(3*z)"};
  for (const char* text : targets) {
    INFO(text);
    resid::Residual r = target(text);
    const int d = r.dimension();
    net::MultigradeNetwork network(d);
    std::vector<std::shared_ptr<const net::CutoffCorrection>> hs;
    for (int m = 1; m <= 2; ++m) {
      const num::LowerBound M = sampled_lower_bound(r, d == 1 ? 129 : 9);
      construct::CutoffConstruction g = construct::build_cutoff_correction(r, M, small_options());
      REQUIRE(g.status == construct::BuildStatus::built);
      CHECK(g.block_width == 3 * d + 2);
      CHECK(g.block_depth == static_cast<int>(2 * g.active_cutoffs + 2));
      for (const auto& layer : g.block.layers) CHECK(layer.outputs <= 5 * d);
      network.add_grade(net::with_input_size(g.block, m == 1 ? d : d + 2));
      hs.push_back(g.correction);
      r = r.with(g.correction);
    }
    for (int t = 0; t < 40; ++t) {
      std::vector<Rational> x;
      for (int i = 0; i < d; ++i) x.emplace_back(static_cast<long>(rng() % 1000003), 1000003L);
      for (int m = 1; m <= 2; ++m)
        CHECK(network.evaluate_grade(x, m) == hs[static_cast<std::size_t>(m - 1)]->evaluate(x));
    }
    // Core corners and support corners (kinks of every grade).
    for (int m = 1; m <= 2; ++m) {
      const auto& h = *hs[static_cast<std::size_t>(m - 1)];
      std::size_t step = std::max<std::size_t>(1, h.cutoffs().size() / 20);
      for (std::size_t k = 0; k < h.cutoffs().size(); k += step) {
        const auto core = h.cutoffs()[k].core();
        const auto sup = h.cutoffs()[k].support();
        // The dense block is exact on Ω (it carries x through σ, x >= 0):
        // compare at the corners clipped to Ω.
        const net::Box clipped = sup.intersection(net::Box::unit(d));
        for (const auto* b : {&core, &clipped}) {
          CHECK(network.evaluate_grade(b->lo, m) == h.evaluate(b->lo));
          CHECK(network.evaluate_grade(b->hi, m) == h.evaluate(b->hi));
        }
      }
    }
  }
}

TEST_CASE("float sup-norm estimate contracts by 1 - 2^-(d+1) per grade") {
  struct Case {
    const char* text;
    int grades;
    int per_axis;
  };
  const Case cases[] = {{"sin(4*pi*x)", 6, 2049}, {"sin(2*pi*x)*cos(2*pi*y)", 2, 65}};
  for (const Case& c : cases) {
    INFO(c.text);
    resid::Residual r = target(c.text);
    const int d = r.dimension();
    const double factor = 1.0 - std::ldexp(1.0, -(d + 1));
    construct::CutoffOptions opt = small_options();
    opt.sample_per_axis = c.per_axis;
    double previous = construct::sup_norm_approx(r, c.per_axis);
    for (int m = 1; m <= c.grades; ++m) {
      const num::LowerBound M = sampled_lower_bound(r, c.per_axis);
      construct::CutoffConstruction g = construct::build_cutoff_correction(r, M, opt);
      REQUIRE(g.status == construct::BuildStatus::built);
      std::printf("%s grade %d: cores %zu active %zu kappa %d depth %d width %d sup~ %.6g (%.3f) tests %zu "
                  "enclosures %zu rounds %d %.2fs\n",
                  c.text, m, g.cores, g.active_cutoffs, g.kappa, g.block_depth, g.block_width, g.residual_sup_approx,
                  g.residual_sup_approx / previous, g.tests, g.enclosures, g.rounds, g.seconds_approx);
      CHECK(g.residual_sup_approx <= factor * previous);
      previous = g.residual_sup_approx;
      r = r.with(g.correction);
    }
  }
}

TEST_CASE("budgets give not-certified, never a correction") {
  resid::Residual r = target("sin(16*pi*x)");
  const num::LowerBound M = sampled_lower_bound(r, 65);
  construct::CutoffOptions opt = small_options();
  opt.max_cutoffs = 8;
  auto g = construct::build_cutoff_correction(r, M, opt);
  CHECK(g.status == construct::BuildStatus::not_certified);
  CHECK(g.stop_reason == construct::BuildStopReason::max_cutoffs);
  CHECK(!g.correction);
  opt = small_options();
  opt.max_level = 3;
  g = construct::build_cutoff_correction(r, M, opt);
  CHECK(g.stop_reason == construct::BuildStopReason::min_box_size);
  CHECK(!g.correction);
  opt = small_options();
  std::atomic<bool> cancel{true};
  opt.cancel = &cancel;
  g = construct::build_cutoff_correction(r, M, opt);
  CHECK(g.stop_reason == construct::BuildStopReason::cancelled);
  opt = small_options();
  opt.deadline = std::chrono::steady_clock::now();
  g = construct::build_cutoff_correction(r, M, opt);
  CHECK(g.stop_reason == construct::BuildStopReason::deadline);
  g = construct::build_cutoff_correction(r, num::LowerBound(Rational(0)), small_options());
  CHECK(g.stop_reason == construct::BuildStopReason::invalid_bound);
}

TEST_CASE("options validate themselves") {
  construct::CutoffOptions o;
  CHECK_NOTHROW(o.validate(3));
  CHECK_THROWS_WITH_AS(o.validate(5), "cutoff scheme: dimension must be between 1 and 4, got 5",
                       std::invalid_argument);
  o.max_level = 1;
  CHECK_THROWS_WITH_AS(o.validate(1), "cutoff scheme: max_level must be between initial_level and 48",
                       std::invalid_argument);
  o = construct::CutoffOptions();
  o.threads = 0;
  CHECK_THROWS_AS(o.validate(1), std::invalid_argument);
}

TEST_CASE("deterministic: the same build twice, and with two threads") {
  resid::Residual r = target("sin(2*pi*x)*cos(2*pi*y) + 0.3*x");
  const num::LowerBound M = sampled_lower_bound(r, 17);
  construct::CutoffOptions opt = small_options();
  auto a = construct::build_cutoff_correction(r, M, opt);
  opt.threads = 2;
  auto b = construct::build_cutoff_correction(r, M, opt);
  REQUIRE(a.status == construct::BuildStatus::built);
  REQUIRE(b.status == construct::BuildStatus::built);
  REQUIRE(a.correction->cutoffs().size() == b.correction->cutoffs().size());
  for (std::size_t k = 0; k < a.correction->cutoffs().size(); ++k) {
    CHECK(a.correction->cutoffs()[k].a == b.correction->cutoffs()[k].a);
    CHECK(a.correction->cutoffs()[k].rho == b.correction->cutoffs()[k].rho);
    CHECK(a.correction->cutoffs()[k].coefficient == b.correction->cutoffs()[k].coefficient);
    CHECK(a.facts[k].tree == b.facts[k].tree);
  }
}
