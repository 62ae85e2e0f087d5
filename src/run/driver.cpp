// The multigrade loop (proofs/cutoff.md, Theorem A; proofs/certification.md,
// C5 for the ratio and the P3 witness).
#include "mgdl/run/driver.hpp"

#include "mgdl/certify/balanced_hat.hpp"
#include "mgdl/report/decimal.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace mgdl::run {

namespace {

using Clock = std::chrono::steady_clock;
using num::Rational;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

NormRecord certify_norms(const resid::Residual& r, const RunOptions& options, const certify::Options& copt,
                         int grade, Clock::time_point start, const ProgressCallback& progress) {
  NormRecord rec;
  auto report = [&](const char* phase, std::size_t count, const std::vector<Rational>& ps) {
    if (!progress) return;
    RunProgress e;
    e.grade = grade;
    e.phase = phase;
    e.count = count;
    for (const Rational& p : ps) {
      if (!e.p.empty()) e.p += ", L^";
      e.p += num::to_string(p);
    }
    if (!ps.empty()) e.sup = &rec.sup.bounds;
    e.lower_approx = num::to_double_approx(rec.sup.bounds.lower.value());
    e.upper_approx = num::to_double_approx(rec.sup.bounds.upper.value());
    e.elapsed_seconds = seconds_since(start);
    progress(e);
  };
  report("sup-norm", 0, {});
  rec.sup = certify::certify_sup_norm(r, copt);
  report("lp-norm", static_cast<std::size_t>(rec.sup.boxes), options.p);
  certify::Options lp = copt;
  lp.max_boxes = options.lp_max_boxes.value_or(options.max_boxes);
  rec.lp = certify::certify_lp_norms(r, options.p, lp);
  return rec;
}

// A finite certified upper bound (the engines report −1 when there is none).
bool finite_upper(const num::Enclosure& e) { return e.upper.value() >= 0; }

RunStopReason stop_for(construct::BuildStopReason why) {
  switch (why) {
    case construct::BuildStopReason::max_cutoffs: return RunStopReason::budget_cutoffs;
    case construct::BuildStopReason::deadline: return RunStopReason::time;
    case construct::BuildStopReason::cancelled: return RunStopReason::cancelled;
    default: return RunStopReason::not_certified;
  }
}

bool interrupted(const RunOptions& o, RunStopReason& why) {
  if (o.cancel != nullptr && o.cancel->load()) {
    why = RunStopReason::cancelled;
    return true;
  }
  if (o.deadline && Clock::now() >= *o.deadline) {
    why = RunStopReason::time;
    return true;
  }
  return false;
}

// A certification that stopped on the deadline or the cancel flag.
bool stopped_by(const certify::StopReason reason, RunStopReason& why) {
  if (reason == certify::StopReason::deadline) {
    why = RunStopReason::time;
    return true;
  }
  if (reason == certify::StopReason::cancelled) {
    why = RunStopReason::cancelled;
    return true;
  }
  return false;
}

bool norms_interrupted(const NormRecord& n, RunStopReason& why) {
  if (n.sup.status != certify::Status::proven && stopped_by(n.sup.reason, why)) return true;
  for (const auto& l : n.lp)
    if (l.status != certify::Status::proven && stopped_by(l.reason, why)) return true;
  return false;
}

// The settings Construction A and B take alike from the run options.
template <class SchemeOptions>
SchemeOptions with_search_settings(const RunOptions& r, SchemeOptions o) {
  o.initial_level = r.initial_level;
  o.max_level = r.max_level;
  o.precision = r.precision;
  o.threads = r.threads;
  o.deadline = r.deadline;
  o.cancel = r.cancel;
  o.sample_per_axis = r.sample_per_axis;
  return o;
}

}  // namespace

void RunOptions::validate(int dimension) const {
  if (grades < 1 || grades > 10000) throw std::invalid_argument("--grades must be between 1 and 10000");
  if (tolerance && *tolerance <= 0) throw std::invalid_argument("--tol must be positive");
  if (scheme != "cutoff" && scheme != "hat")
    throw std::invalid_argument("--scheme '" + scheme + "' is not supported (use cutoff or hat)");
  if (p.empty()) throw std::invalid_argument("--p needs at least one exponent");
  for (const Rational& q : p)
    if (q < 1) throw std::invalid_argument("--p exponents must be >= 1, got " + num::to_string(q));
  if (max_cutoffs < 1) throw std::invalid_argument("--max-cutoffs must be >= 1");
  if (max_boxes < 1) throw std::invalid_argument("--max-boxes must be >= 1");
  if (lp_max_boxes && *lp_max_boxes < 1) throw std::invalid_argument("--lp-max-boxes must be >= 1");
  if (max_frontier < 2) throw std::invalid_argument("--max-frontier must be >= 2");
  if (scheme == "hat") {
    hat_options().validate(dimension);
  } else {
    cutoff_options().validate(dimension);
  }
  certify_options().validate();
}

construct::CutoffOptions RunOptions::cutoff_options() const {
  auto o = with_search_settings(*this, construct::CutoffOptions{});
  o.max_cutoffs = max_cutoffs;
  return o;
}

construct::HatOptions RunOptions::hat_options() const {
  auto o = with_search_settings(*this, construct::HatOptions{});
  o.theta = theta;
  o.max_nodes = max_cutoffs;
  return o;
}

certify::Options RunOptions::certify_options() const {
  certify::Options o;
  o.rel_gap = rel_gap;
  o.max_boxes = max_boxes;
  o.max_frontier = max_frontier;
  o.precision = precision;
  o.max_precision = std::max<slong>(o.max_precision, precision);
  o.threads = threads;
  o.deadline = deadline;
  o.cancel = cancel;
  return o;
}

bool NormRecord::proven() const {
  if (sup.status != certify::Status::proven) return false;
  return std::all_of(lp.begin(), lp.end(), [](const auto& l) { return l.status == certify::Status::proven; });
}

const char* to_string(RunStopReason reason) {
  switch (reason) {
    case RunStopReason::grades_done: return "grades-done";
    case RunStopReason::tolerance_reached: return "tolerance-reached";
    case RunStopReason::grade_cap: return "grade-cap";
    case RunStopReason::not_certified: return "not-certified";
    case RunStopReason::budget_cutoffs: return "budget-cutoffs";
    case RunStopReason::time: return "time";
    case RunStopReason::cancelled: return "cancelled";
  }
  return "unknown";
}

bool gap_reached(const num::Enclosure& bounds, const Rational& rel_gap) {
  const std::optional<Rational> g = bounds.relative_gap();
  return g && *g <= rel_gap;
}

std::vector<GapShortfall> gaps_not_reached(const RunResult& run, const Rational& rel_gap) {
  std::vector<GapShortfall> out;
  auto scan = [&](int k, const NormRecord& n) {
    auto add = [&](const num::Enclosure& b, std::string norm, certify::StopReason why) {
      if (gap_reached(b, rel_gap)) return;
      // An enclosure that converged but rounds outward past the gap has no stop
      // reason of its own.
      out.push_back(
          {k, std::move(norm), b.relative_gap(),
           why == certify::StopReason::converged ? "rounding of the bounds" : certify::describe(why)});
    };
    add(n.sup.bounds, "sup", n.sup.reason);
    for (const auto& l : n.lp) add(l.bounds, num::to_string(l.p), l.reason);
  };
  scan(0, run.initial);
  for (const auto& g : run.grades) scan(g.index, g.norms);
  return out;
}

RunResult::RunResult(expr::Program program, std::string source_text)
    : target(program), source(std::move(source_text)), network(program.dimension()), residual(program) {}

int RunResult::width() const {
  int w = 0;
  for (const auto& g : grades) w = std::max(w, g.construction.block_width);
  return w;
}

RunResult run_multigrade(const expr::Program& target, std::string source, const RunOptions& options,
                         const ProgressCallback& progress) {
  const int d = target.dimension();
  options.validate(d);
  const Clock::time_point start = Clock::now();
  const bool hat_scheme = options.scheme == "hat";
  const construct::CutoffOptions build_options = options.cutoff_options();
  const construct::HatOptions hat_options = options.hat_options();
  const certify::Options certify_options = options.certify_options();

  RunResult run(target, std::move(source));
  run.grades.reserve(static_cast<std::size_t>(options.grades));  // `previous` points into it
  auto finish = [&](RunStopReason why, std::string message) {
    run.stop_reason = why;
    run.stop_message = std::move(message);
    run.incomplete = why != RunStopReason::grades_done && why != RunStopReason::tolerance_reached;
    bool all = !run.incomplete;
    for (const auto& g : run.grades) all = all && g.status == certify::Status::proven;
    run.status = all ? certify::Status::proven : certify::Status::not_certified;
    run.seconds_approx = seconds_since(start);
    if (progress) {
      RunProgress p;
      p.grade = static_cast<int>(run.grades.size());
      p.phase = "done";
      p.elapsed_seconds = run.seconds_approx;
      progress(p);
    }
    return std::move(run);
  };

  // The goal of --tol: a finite certified upper bound of ||R_k||_inf below T.
  auto below_tolerance = [&](const NormRecord& n) {
    return options.tolerance && finite_upper(n.sup.bounds) && n.sup.bounds.upper.value() < *options.tolerance;
  };
  auto tolerance_message = [&](int k, const NormRecord& n) {
    return fmt::format("the certified sup-norm of R_{} is at most {} < --tol {}", k,
                       report::decimal_upper(n.sup.bounds.upper.value(), 4),
                       report::decimal_upper(*options.tolerance, 6));
  };
  auto grade_done = [&](int k, const GradeRecord* g, const NormRecord* initial) {
    if (!progress) return;
    RunProgress e;
    e.grade = k;
    e.phase = "grade-done";
    e.elapsed_seconds = seconds_since(start);
    e.grade_record = g;
    e.initial = initial;
    progress(e);
  };

  run.initial = certify_norms(run.residual, options, certify_options, 0, start, progress);
  RunStopReason why = RunStopReason::grades_done;
  grade_done(0, nullptr, &run.initial);
  if (norms_interrupted(run.initial, why)) return finish(why, "stopped while certifying the norms of f");
  const NormRecord* previous = &run.initial;

  for (int m = 1; m <= options.grades; ++m) {
    if (interrupted(options, why)) return finish(why, "stopped before grade " + std::to_string(m));
    const num::LowerBound sup_lower = previous->sup.bounds.lower;
    if (below_tolerance(*previous))
      return finish(RunStopReason::tolerance_reached, tolerance_message(m - 1, *previous));
    if (sup_lower.value() <= 0)
      return finish(RunStopReason::not_certified,
                    "no positive lower bound of the sup-norm of R_" + std::to_string(m - 1));
    const Clock::time_point grade_start = Clock::now();

    // Build h_m with M = L_{m-1} (Lemma A4 needs M <= ||R_{m-1}||_inf).
    auto build_progress = [&](const construct::ConstructionProgress& cp) {
      if (!progress) return;
      RunProgress p;
      p.grade = m;
      p.phase = "build";
      p.count = cp.cores;
      p.elapsed_seconds = seconds_since(start);
      progress(p);
    };
    construct::CutoffConstruction built;
    std::optional<construct::HatConstruction> hat_built;
    std::shared_ptr<const net::Correction> correction;
    if (hat_scheme) {
      // Construction B (proofs/hat.md, Theorem B); the summary goes where the
      // cutoff construction's would, so reports and certificates read one place.
      hat_built = construct::build_hat_correction(run.residual, sup_lower, hat_options, build_progress);
      built.status = hat_built->status;
      built.stop_reason = hat_built->stop_reason;
      built.reason = hat_built->reason;
      built.block = hat_built->block;
      built.epsilon = 1 - hat_built->theta;
      built.cores = hat_built->nodes;
      built.active_cutoffs = hat_built->active_nodes;
      built.block_depth = hat_built->block_depth;
      built.block_width = hat_built->block_width;
      built.rounds = hat_built->rounds;
      built.residual_sup_approx = hat_built->residual_sup_approx;
      built.seconds_approx = hat_built->seconds_approx;
      correction = hat_built->correction;
    } else {
      built = construct::build_cutoff_correction(run.residual, sup_lower, build_options, build_progress);
      correction = built.correction;
    }
    if (built.status != construct::BuildStatus::built) {
      const RunStopReason stop = stop_for(built.stop_reason);
      std::string message = "grade " + std::to_string(m) + " not built: " + built.reason;
      run.failed_construction = std::move(built);
      return finish(stop, std::move(message));
    }

    GradeRecord g;
    g.index = m;
    const resid::Residual r_previous = run.residual;
    run.residual = r_previous.with(correction);
    run.network.add_grade(net::with_input_size(built.block, run.network.feature_size()));
    g.construction = std::move(built);
    g.hat = std::move(hat_built);
    if (progress) {
      RunProgress p;
      p.grade = m;
      p.phase = "built";
      p.count = g.construction.active_cutoffs;
      p.elapsed_seconds = seconds_since(start);
      progress(p);
    }

    g.norms = certify_norms(run.residual, options, certify_options, m, start, progress);
    if (progress) {
      RunProgress p;
      p.grade = m;
      p.phase = "balanced";
      p.count = correction->active_units();
      p.lower_approx = num::to_double_approx(g.norms.sup.bounds.lower.value());
      p.upper_approx = num::to_double_approx(g.norms.sup.bounds.upper.value());
      p.elapsed_seconds = seconds_since(start);
      progress(p);
    }
    if (g.hat) {
      g.balanced = certify::certify_balanced_hat(r_previous, *g.hat->correction, certify_options);
      g.nontrivial = certify::nontrivial_witness_hat(*g.hat->correction);
    } else {
      g.balanced = certify::certify_balanced(r_previous, *g.construction.correction, certify_options);
      g.nontrivial = certify::nontrivial_witness(*g.construction.correction);
    }

    // P2 (C5): the ratio is exact; proven iff U_m is finite and the ratio <= 1 − epsilon.
    const bool sup_finite = finite_upper(g.norms.sup.bounds);
    g.contraction_ratio_upper = g.norms.sup.bounds.upper.value() / sup_lower.value();
    g.contraction = sup_finite && g.contraction_ratio_upper <= 1 - g.construction.epsilon
                        ? certify::Status::proven
                        : certify::Status::not_certified;
    // P3 per p: Theorem A (balanced and nontrivial), or the bounds alone; the
    // bounds count whatever gap their enclosures reached, when U_p(m) is finite.
    const bool theorem_a =
        g.balanced.status == certify::Status::proven && g.nontrivial.status == certify::Status::proven;
    std::string p3_open;
    for (std::size_t k = 0; k < options.p.size(); ++k) {
      const num::Enclosure& now = g.norms.lp[k].bounds;
      const bool by_bounds = finite_upper(now) && now.upper.value() < previous->lp[k].bounds.lower.value();
      g.lp_strict_decrease.push_back(theorem_a || by_bounds ? certify::Status::proven
                                                            : certify::Status::not_certified);
      g.lp_strict_decrease_via.emplace_back(theorem_a ? "theorem-a" : (by_bounds ? "bounds" : ""));
      if (!theorem_a && !by_bounds)
        p3_open += (p3_open.empty() ? "L^" : ", L^") + num::to_string(options.p[k]);
    }
    // P4: every hidden layer of the realised block has at most 5d neurons.
    bool narrow = true;
    for (const auto& layer : g.construction.block.layers) narrow = narrow && layer.outputs <= 5 * d;
    g.width_ok = narrow ? certify::Status::proven : certify::Status::not_certified;

    // The first claim that is not proven, with what stopped it.
    if (g.balanced.status != certify::Status::proven) {
      g.reason = "P1: " + g.balanced.message;
    } else if (!sup_finite) {
      g.reason = "P2: " + g.norms.sup.message;
    } else if (g.contraction != certify::Status::proven) {
      g.reason = fmt::format("P2: contraction ratio {} above 1 - epsilon ({})",
                             report::decimal_lower(g.contraction_ratio_upper, 6), g.norms.sup.message);
    } else if (!p3_open.empty()) {
      g.reason =
          "P3: strict decrease of " + p3_open + " not certified (no nontrivial witness, U_p(m) >= L_p(m-1))";
    } else if (g.width_ok != certify::Status::proven) {
      g.reason = "P4: a hidden layer is wider than 5d";
    }
    g.status = g.reason.empty() ? certify::Status::proven : certify::Status::not_certified;
    g.seconds_approx = seconds_since(grade_start);
    run.grades.push_back(std::move(g));
    previous = &run.grades.back().norms;
    grade_done(m, &run.grades.back(), nullptr);

    if (norms_interrupted(*previous, why))
      return finish(why, "stopped while certifying grade " + std::to_string(m));
    for (const auto& f : run.grades.back().balanced.facts)
      if (f.status != certify::Status::proven && stopped_by(f.reason, why))
        return finish(why, "stopped while certifying the facts of grade " + std::to_string(m));
    if (below_tolerance(*previous))
      return finish(RunStopReason::tolerance_reached, tolerance_message(m, *previous));
  }
  if (options.tolerance)
    return finish(
        RunStopReason::grade_cap,
        fmt::format("the cap of {} grades was reached before --tol {}: the certified sup-norm of R_{} is at most {} "
                    "(raise --grades)",
                    options.grades, report::decimal_upper(*options.tolerance, 6), options.grades,
                    report::decimal_upper(previous->sup.bounds.upper.value(), 4)));
  return finish(RunStopReason::grades_done, std::to_string(options.grades) + " grades built");
}

}  // namespace mgdl::run
