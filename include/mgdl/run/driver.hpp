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
// Verdicts: P1–P4 are the claims. A grade is proven iff P1, P2, P3 (every p)
// and P4 are proven; a norm enclosure that stopped short of rel_gap (box
// budget, frontier cap, precision) does not make a grade unproven when the
// claims it supports hold with the bounds it reached (gaps_not_reached lists
// them). The run is proven iff it reached its goal (G grades, or U_m < T with
// a tolerance) and every recorded grade is proven. `incomplete` is set when
// the run stopped before its goal because a build was not certified, a budget
// ran out, the grade cap was reached before the tolerance, the time limit
// passed, or the cancel flag was set; whatever was recorded stays valid.
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
  int grades = 6;                          // G >= 1; with a tolerance, the cap on grades
  std::optional<num::Rational> tolerance;  // goal: the certified ||R_m||_inf upper < T (T > 0)
  std::string scheme = "cutoff";           // "cutoff" (Construction A) or "hat" (Construction B)
  num::Rational theta{1, 2};               // hat scheme: contraction target (proofs/hat.md, B2)
  std::vector<num::Rational> p{num::Rational(1), num::Rational(2)};  // L^p exponents, each >= 1
  slong precision = 128;
  int threads = 1;
  std::optional<std::chrono::steady_clock::time_point> deadline;  // the time limit
  std::size_t max_cutoffs = 2'000'000;                            // cores per grade
  num::Rational rel_gap{1, 1000000};                              // target (U − L)/U of the norm enclosures
  long max_boxes = 20'000'000;    // boxes per norm enclosure (certify::Options)
  std::optional<long> lp_max_boxes;  // boxes per L^p enclosure; unset: max_boxes
  long max_frontier = 1'000'000;  // open boxes per enclosure: the memory cap
  int initial_level = -1;         // see construct::CutoffOptions
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
  grades_done,        // G grades built (no tolerance)
  tolerance_reached,  // U_m < T
  grade_cap,          // a tolerance was given and G grades did not reach it
  not_certified,      // a construction could not be certified (min box size) or M <= 0
  budget_cutoffs,     // max_cutoffs
  time,               // the deadline passed
  cancelled           // the cancel flag was set
};
const char* to_string(RunStopReason reason);

struct GradeRecord;
struct NormRecord;

// Reported at every phase change, in this order per grade: "build" (m >= 1,
// repeated with growing `count` while the construction runs), "built",
// "sup-norm", "lp-norm" (once per p, `p` set), "balanced" (m >= 1), then
// "grade-done" with `grade_record` (m >= 1) or `initial` (m = 0) set, and
// "done" once at the end.
struct RunProgress {
  int grade = 0;  // 0 = R_0
  std::string phase;
  std::size_t count = 0;    // cores (build, built) or boxes (certification)
  std::string p;            // the exponents of phase "lp-norm", as "1, L^2"
  double lower_approx = 0;  // current sup-norm bounds, for display only
  double upper_approx = 0;
  double elapsed_seconds = 0;
  const num::Enclosure* sup = nullptr;        // the certified sup-norm bounds, once known
  const GradeRecord* grade_record = nullptr;  // pointers: valid during the callback only
  const NormRecord* initial = nullptr;
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

// True iff U > 0 and (U − L)/U <= rel_gap: the requested gap was reached.
bool gap_reached(const num::Enclosure& bounds, const num::Rational& rel_gap);

// A norm enclosure whose requested relative gap was not reached.
struct GapShortfall {
  int residual = 0;                  // k of R_k
  std::string norm;                  // "sup" or the exponent p, e.g. "2"
  std::optional<num::Rational> gap;  // achieved (U − L)/U; none when U <= 0 (no finite bound)
  std::string why;                   // e.g. "frontier cap reached"
};
std::vector<GapShortfall> gaps_not_reached(const RunResult& run, const num::Rational& rel_gap);

// Kernel-style: does not throw for budgets, deadlines or numerical trouble
// (those give not-certified records); throws std::invalid_argument only when
// options.validate(d) does.
RunResult run_multigrade(const expr::Program& target, std::string source, const RunOptions& options,
                         const ProgressCallback& progress = {});

}  // namespace mgdl::run
