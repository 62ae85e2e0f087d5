// The multigrade driver: builds grade after grade with Construction A and
// certifies every claim of SPEC section 6 for each of them.
//
//   run::RunOptions opt;                      // 6 grades, p = 1, 2, 128 bits
//   opt.grades = 3;
//   opt.validate(d);                          // throws std::invalid_argument
//   run::RunResult res = run::run_multigrade(program, "sin(32*pi*x)", opt);
//   for (const auto& g : res.grades) ... g.status, g.contraction_ratio_upper ...
//
// Loop (proofs/cutoff.md, Theorem A): certify R_0 = f (sup-norm and L^p);
// for m = 1, 2, ...: build h_m for r = R_{m-1} with M = L_{m-1} (the certified
// lower bound of ||R_{m-1}||_inf); R_m = R_{m-1} − h_m with earlier grades
// frozen; certify R_m (sup-norm, L^p), the balanced facts of h_m about R_{m-1}
// (P1), the contraction U_m / L_{m-1} <= 1 − epsilon (P2), a nontrivial
// witness and the strict L^p decrease (P3), width <= 5d (P4). Stops after
// `grades` grades, when U_m < tolerance, or when a budget runs out.
//
// Statuses: a grade is proven iff every one of its claims is proven. The run
// is proven iff R_0's norms and every recorded grade are proven. `incomplete`
// is set when the run stopped before its goal (grades or tolerance) because a
// build was not certified, a budget ran out, the time limit passed, or the
// cancel flag was set; whatever was recorded before stays valid.
#pragma once

#include "mgdl/certify/balanced.hpp"
#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/certify/options.hpp"
#include "mgdl/certify/status.hpp"
#include "mgdl/certify/sup_norm.hpp"
#include "mgdl/construct/cutoff_scheme.hpp"
#include "mgdl/construct/hat_scheme.hpp"
#include "mgdl/expr/program.hpp"
#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/rational.hpp"
#include "mgdl/resid/residual.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mgdl::run {

struct RunOptions {
  int grades = 6;                          // G >= 1
  std::optional<num::Rational> tolerance;  // stop when the certified ||R_m||_inf upper < T (T > 0)
  std::string scheme = "cutoff";           // "cutoff" (Construction A) or "hat" (Construction B)
  num::Rational theta{1, 2};               // hat scheme: contraction target (proofs/hat.md, B2)
  std::vector<num::Rational> p{num::Rational(1), num::Rational(2)};  // L^p exponents, each >= 1
  slong precision = 128;
  int threads = 1;
  std::optional<std::chrono::steady_clock::time_point> deadline;  // the time limit
  std::size_t max_cutoffs = 2'000'000;     // cores per grade
  num::Rational rel_gap{1, 1000000};       // target (U − L)/U of the norm enclosures
  int initial_level = -1;                  // see construct::CutoffOptions
  int max_level = 30;
  const std::atomic<bool>* cancel = nullptr;
  int sample_per_axis = -1;                // float estimate per grade (0 = skip)

  // Throws std::invalid_argument with a one-line message naming the option.
  void validate(int dimension) const;
  construct::CutoffOptions cutoff_options() const;
  construct::HatOptions hat_options() const;
  certify::Options certify_options() const;
};

// Certified norms of one residual.
struct NormRecord {
  certify::SupNormResult sup;
  std::vector<certify::LpNormResult> lp;  // in the order of RunOptions::p
  bool proven() const;
};

struct GradeRecord {
  int index = 0;  // m, 1-based
  certify::Status status = certify::Status::not_certified;
  std::string reason;  // first claim that is not proven; empty when proven

  // The built h_m (status built). For the hat scheme this holds the summary
  // (block, width, depth, active_cutoffs = active nodes, cores = grid nodes,
  // epsilon = 1 − theta, kappa = 0, correction null) and `hat` the rest.
  construct::CutoffConstruction construction;
  std::optional<construct::HatConstruction> hat;
  NormRecord norms;                            // of R_m
  certify::BalancedResult balanced;            // P1: facts about R_{m-1}
  num::Rational contraction_ratio_upper{0};    // U_m / L_{m-1}, exactly
  certify::Status contraction = certify::Status::not_certified;  // ratio <= 1 − epsilon
  certify::NontrivialWitness nontrivial;       // P3 witness: h_m(point) = value != 0
  // P3 per p (order of RunOptions::p): proven via Theorem A (P1 proven and a
  // nontrivial witness) or via U_p(m) < L_p(m−1).
  std::vector<certify::Status> lp_strict_decrease;
  std::vector<std::string> lp_strict_decrease_via;  // "theorem-a", "bounds" or ""
  certify::Status width_ok = certify::Status::not_certified;  // P4: every hidden layer <= 5d
  double seconds_approx = 0;  // wall time of the grade (reporting only)
};

enum class RunStopReason {
  grades_done,        // G grades built
  tolerance_reached,  // U_m < T
  not_certified,      // a construction could not be certified (min box size) or M <= 0
  budget_cutoffs,     // max_cutoffs
  time,               // the deadline passed
  cancelled           // the cancel flag was set
};
const char* to_string(RunStopReason reason);

struct RunProgress {
  int grade = 0;             // 0 = R_0
  std::string phase;         // "build", "sup-norm", "lp-norm", "balanced", "done"
  std::size_t count = 0;     // cores (build) or boxes (certification)
  double lower_approx = 0;   // current sup-norm bounds, for display only
  double upper_approx = 0;
  double elapsed_seconds = 0;
};
using ProgressCallback = std::function<void(const RunProgress&)>;

struct RunResult {
  RunResult(expr::Program program, std::string source_text);

  expr::Program target;
  std::string source;  // the target as the user wrote it
  NormRecord initial;  // R_0 = f
  std::vector<GradeRecord> grades;
  // A construction that was not certified (the grade after the last recorded one).
  std::optional<construct::CutoffConstruction> failed_construction;
  net::MultigradeNetwork network;  // grade blocks from each correction's realise()
  resid::Residual residual;        // R_G through the structured corrections
  certify::Status status = certify::Status::not_certified;
  RunStopReason stop_reason = RunStopReason::grades_done;
  std::string stop_message;  // one line
  bool incomplete = false;
  double seconds_approx = 0;

  int width() const;  // max over grades of the block width
};

// Kernel-style: does not throw for budgets, deadlines or numerical trouble
// (those give not-certified records); throws std::invalid_argument only when
// options.validate(d) does.
RunResult run_multigrade(const expr::Program& target, std::string source, const RunOptions& options,
                         const ProgressCallback& progress = {});

}  // namespace mgdl::run
