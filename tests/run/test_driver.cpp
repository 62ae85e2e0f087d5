// The multigrade driver: per-grade records are proven on small targets, the
// certified ratio is within 1 − epsilon, runs are deterministic, and the
// cancel flag and the tolerance end a run keeping what was proven.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "mgdl/run/driver.hpp"

using mgdl::num::Rational;
namespace certify = mgdl::certify;
namespace expr = mgdl::expr;
namespace run = mgdl::run;

namespace {

expr::Program compile(const char* text) {
  expr::Expression e = expr::Expression::parse(text);
  return expr::Program::compile(e, expr::Domain::unit(e.dimension()));
}

run::RunOptions small_options(int grades) {
  run::RunOptions o;
  o.grades = grades;
  o.rel_gap = Rational(1, 1000);
  o.precision = 96;
  o.sample_per_axis = 257;
  return o;
}

void check_proven_grades(const run::RunResult& res, int expected_grades) {
  CHECK(res.initial.proven());
  REQUIRE(static_cast<int>(res.grades.size()) == expected_grades);
  CHECK(res.network.grades() == expected_grades);
  const int d = res.target.dimension();
  Rational previous_lower = res.initial.sup.bounds.lower.value();
  for (const auto& g : res.grades) {
    INFO("grade " << g.index << ": " << g.reason);
    CHECK(g.status == certify::Status::proven);
    CHECK(g.balanced.status == certify::Status::proven);
    CHECK(g.nontrivial.status == certify::Status::proven);
    CHECK(g.nontrivial.value != 0);
    CHECK(g.nontrivial.value == g.construction.correction->evaluate(g.nontrivial.point));
    CHECK(g.contraction == certify::Status::proven);
    CHECK(g.contraction_ratio_upper == g.norms.sup.bounds.upper.value() / previous_lower);
    CHECK(g.contraction_ratio_upper <= 1 - g.construction.epsilon);
    CHECK(g.construction.epsilon >= Rational(1, 1 << (d + 1)));
    CHECK(g.construction.block_width <= 5 * d);
    for (const auto s : g.lp_strict_decrease) CHECK(s == certify::Status::proven);
    // The dense network's grade m equals the structured correction at the witness.
    CHECK(res.network.evaluate_grade(g.nontrivial.point, g.index) == g.nontrivial.value);
    std::printf("%s grade %d: cores %zu active %zu kappa %d sup in [%.6g, %.6g] ratio %.4f\n", res.source.c_str(),
                g.index, g.construction.cores, g.construction.active_cutoffs, g.construction.kappa,
                mgdl::num::to_double_approx(g.norms.sup.bounds.lower.value()),
                mgdl::num::to_double_approx(g.norms.sup.bounds.upper.value()),
                mgdl::num::to_double_approx(g.contraction_ratio_upper));
    previous_lower = g.norms.sup.bounds.lower.value();
  }
}

}  // namespace

TEST_CASE("a small 1D run: every claim of every grade is proven, deterministically") {
  const expr::Program prog = compile("sin(2*pi*x)");
  const run::RunOptions opt = small_options(3);
  const run::RunResult a = run::run_multigrade(prog, "sin(2*pi*x)", opt);
  CHECK(a.status == certify::Status::proven);
  CHECK(a.stop_reason == run::RunStopReason::grades_done);
  CHECK(!a.incomplete);
  check_proven_grades(a, 3);

  run::RunOptions two_threads = opt;
  two_threads.threads = 2;
  const run::RunResult b = run::run_multigrade(prog, "sin(2*pi*x)", two_threads);
  REQUIRE(b.grades.size() == a.grades.size());
  for (std::size_t m = 0; m < a.grades.size(); ++m) {
    const auto& ga = a.grades[m];
    const auto& gb = b.grades[m];
    CHECK(ga.norms.sup.bounds.upper.value() == gb.norms.sup.bounds.upper.value());
    CHECK(ga.norms.sup.bounds.lower.value() == gb.norms.sup.bounds.lower.value());
    CHECK(ga.norms.sup.witness == gb.norms.sup.witness);
    CHECK(ga.norms.sup.tree == gb.norms.sup.tree);
    CHECK(ga.contraction_ratio_upper == gb.contraction_ratio_upper);
    REQUIRE(ga.construction.correction->cutoffs().size() == gb.construction.correction->cutoffs().size());
    for (std::size_t k = 0; k < ga.construction.correction->cutoffs().size(); ++k)
      CHECK(ga.construction.correction->cutoffs()[k].coefficient ==
            gb.construction.correction->cutoffs()[k].coefficient);
    for (std::size_t k = 0; k < ga.norms.lp.size(); ++k) {
      CHECK(ga.norms.lp[k].bounds.lower.value() == gb.norms.lp[k].bounds.lower.value());
      CHECK(ga.norms.lp[k].bounds.upper.value() == gb.norms.lp[k].bounds.upper.value());
    }
  }
}

TEST_CASE("a small 2D run is proven") {
  const expr::Program prog = compile("x*y - 0.3");
  run::RunOptions opt = small_options(2);
  opt.sample_per_axis = 33;
  const run::RunResult res = run::run_multigrade(prog, "x*y - 0.3", opt);
  CHECK(res.status == certify::Status::proven);
  check_proven_grades(res, 2);
}

TEST_CASE("cancel during grade 2 keeps grade 1 and marks the run incomplete") {
  const expr::Program prog = compile("sin(4*pi*x)");
  std::atomic<bool> cancel{false};
  run::RunOptions opt = small_options(4);
  opt.cancel = &cancel;
  const run::RunResult res = run::run_multigrade(prog, "sin(4*pi*x)", opt, [&](const run::RunProgress& p) {
    if (p.grade == 2 && p.phase == "build") cancel.store(true);
  });
  CHECK(res.incomplete);
  CHECK(res.stop_reason == run::RunStopReason::cancelled);
  check_proven_grades(res, 1);
  // Grade 1 stays proven, but the run stopped before its goal of 4 grades.
  CHECK(res.status == certify::Status::not_certified);

  std::atomic<bool> at_once{true};
  opt.cancel = &at_once;
  const run::RunResult none = run::run_multigrade(prog, "sin(4*pi*x)", opt);
  CHECK(none.incomplete);
  CHECK(none.grades.empty());
  CHECK(none.stop_reason == run::RunStopReason::cancelled);
}

TEST_CASE("tolerance ends the run; budgets end it not certified") {
  const expr::Program prog = compile("sin(2*pi*x)");
  run::RunOptions opt = small_options(10);
  opt.tolerance = Rational(1, 2);
  const run::RunResult res = run::run_multigrade(prog, "sin(2*pi*x)", opt);
  CHECK(res.stop_reason == run::RunStopReason::tolerance_reached);
  CHECK(!res.incomplete);
  REQUIRE(!res.grades.empty());
  CHECK(res.grades.back().norms.sup.bounds.upper.value() < Rational(1, 2));
  for (std::size_t m = 0; m + 1 < res.grades.size(); ++m)
    CHECK(res.grades[m].norms.sup.bounds.upper.value() >= Rational(1, 2));

  // A tolerance that G grades do not reach ends the run at the cap, not certified.
  opt.grades = 2;
  opt.tolerance = Rational(1, 100);
  const run::RunResult short_of = run::run_multigrade(prog, "sin(2*pi*x)", opt);
  CHECK(short_of.stop_reason == run::RunStopReason::grade_cap);
  CHECK(short_of.incomplete);
  CHECK(short_of.status == certify::Status::not_certified);
  REQUIRE(short_of.grades.size() == 2);
  for (const auto& g : short_of.grades) CHECK(g.status == certify::Status::proven);
  CHECK(short_of.grades.back().norms.sup.bounds.upper.value() >= Rational(1, 100));
  CHECK(short_of.stop_message.find("cap of 2 grades") != std::string::npos);

  opt = small_options(3);
  opt.max_cutoffs = 10;
  const run::RunResult capped = run::run_multigrade(prog, "sin(2*pi*x)", opt);
  CHECK(capped.stop_reason == run::RunStopReason::budget_cutoffs);
  CHECK(capped.incomplete);
  CHECK(capped.failed_construction.has_value());
  CHECK(capped.network.grades() == static_cast<int>(capped.grades.size()));
  CHECK(capped.status == certify::Status::not_certified);
}

TEST_CASE("enclosures short of the gap do not unprove claims that hold with the bounds reached") {
  const expr::Program prog = compile("sin(2*pi*x)");
  run::RunOptions opt = small_options(2);
  opt.rel_gap = Rational(1, 1000000);
  opt.max_boxes = 30;  // every L^p enclosure stops on the box budget
  std::vector<std::string> phases;
  const run::RunResult res = run::run_multigrade(prog, "sin(2*pi*x)", opt, [&](const run::RunProgress& p) {
    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
  });
  CHECK(res.status == certify::Status::proven);
  REQUIRE(res.grades.size() == 2);
  std::size_t lp_short = 0;
  for (const auto& g : res.grades) {
    CHECK(g.status == certify::Status::proven);
    for (const auto& l : g.norms.lp)
      if (!run::gap_reached(l.bounds, opt.rel_gap)) {
        ++lp_short;
        CHECK(l.status == certify::Status::not_certified);
        CHECK(l.reason == certify::StopReason::box_budget);
      }
    for (const auto& via : g.lp_strict_decrease_via) CHECK(via == "theorem-a");
  }
  CHECK(lp_short >= 1);  // a grade proven although an L^p enclosure stopped short
  const auto short_gaps = run::gaps_not_reached(res, opt.rel_gap);
  CHECK(short_gaps.size() >= lp_short);
  for (const auto& s : short_gaps) {
    CHECK(s.why == "box budget exhausted");
    REQUIRE(s.gap.has_value());
    CHECK(*s.gap > opt.rel_gap);
  }
  // One phase per line, in order, ending with the grade rows and "done".
  const std::vector<std::string> grade_phases = {"build",   "built",    "sup-norm",
                                                 "lp-norm", "balanced", "grade-done"};
  REQUIRE(phases.size() == 3 + 2 * grade_phases.size() + 1);
  CHECK(phases[0] == "sup-norm");
  CHECK(phases[1] == "lp-norm");
  CHECK(phases[2] == "grade-done");
  for (std::size_t k = 0; k < grade_phases.size(); ++k) CHECK(phases[3 + k] == grade_phases[k]);
  CHECK(phases.back() == "done");
}

TEST_CASE("options validate themselves") {
  run::RunOptions o;
  CHECK_NOTHROW(o.validate(2));
  o.scheme = "spline";
  CHECK_THROWS_WITH_AS(o.validate(1), "--scheme 'spline' is not supported (use cutoff or hat)",
                       std::invalid_argument);
  o = run::RunOptions();
  o.p = {Rational(1, 2)};
  CHECK_THROWS_WITH_AS(o.validate(1), "--p exponents must be >= 1, got 1/2", std::invalid_argument);
  o = run::RunOptions();
  o.grades = 0;
  CHECK_THROWS_AS(o.validate(1), std::invalid_argument);
}
