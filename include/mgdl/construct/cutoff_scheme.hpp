// Construction A, the cutoff scheme: one grade's balanced correction
// h = Σ_Q c_Q ψ_Q for the current residual r (SPEC section 4; proofs/cutoff.md).
//
//   CutoffOptions opt;                               // defaults; opt.validate(d) throws on bad values
//   CutoffConstruction g = build_cutoff_correction(r, M, opt);
//   if (g.status == BuildStatus::built) next = r.with(g.correction);
//
// Inputs: r = R_{m-1} and M, a certified lower bound of ||r||_inf with M > 0.
// Contract when status == built:
//   - every stored cutoff has a SupportFact: sign·r >= mu > 0 on the closed
//     support intersected with Ω, certified by the enclosures on the leaves of
//     `tree`, and |c_Q| = mu / kappa with sign(c_Q) = sign (Lemma A3);
//   - kappa is the exact overlap number of ALL cores' supports (computed by
//     net::overlap_number, never assumed), so it bounds the overlap of the stored
//     cutoffs too;
//   - every core with c_Q = 0 was certified to have |r| <= M/2 on its support,
//     and every core with c_Q != 0 either that or (max sign·r) − mu <= M/2
//     there (the hypotheses of Lemma A4).
// A budget that runs out gives status not_certified with a reason; nothing in
// such a result is a claim.
#pragma once

#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/bounds.hpp"
#include "mgdl/num/rational.hpp"
#include "mgdl/resid/residual.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mgdl::construct {

struct CutoffOptions {
  // Uniform start grid of 2^initial_level cells per axis; -1 = smallest k with 2^k >= 4.
  int initial_level = -1;
  // No core smaller than 2^-max_level (else: not certified).
  int max_level = 30;
  // Budget on the number of cores (every core is a potential cutoff).
  std::size_t max_cutoffs = 2'000'000;
  // A support is covered by bisection, best-first, when one enclosure does not
  // decide the refinement rule: at most enclosure_depth nested bisections
  // (-1 = 4d + 2, at most 16) and enclosure_budget enclosures (-1 = 16d + 8).
  int enclosure_depth = -1;
  int enclosure_budget = -1;
  // Once a support is decided with a certified sign, the leaf holding mu is
  // bisected further while its enclosure is wider than enclosure_tolerance · M
  // (a sharper mu gives a larger coefficient; a heuristic, not a claim).
  num::Rational enclosure_tolerance{1, 16};
  // mu is rounded down to about this many significant bits (C4).
  long coefficient_bits = 20;
  slong precision = 128;
  int threads = 1;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  const std::atomic<bool>* cancel = nullptr;
  // Grid points per axis for the float estimate of ||r − h||_inf; 0 = skip,
  // -1 = by dimension (4097, 257, 33, 17).
  int sample_per_axis = -1;

  int resolved_initial_level() const;
  int resolved_enclosure_depth(int dimension) const;
  int resolved_enclosure_budget(int dimension) const;
  int resolved_sample_per_axis(int dimension) const;
  // Throws std::invalid_argument with a one-line message naming the option.
  // Checks 1 <= dimension <= 4, levels, budgets, precision, threads.
  void validate(int dimension) const;
};

enum class BuildStatus { built, not_certified };

enum class BuildStopReason {
  none,            // built
  invalid_bound,   // M <= 0
  min_box_size,    // a core would get smaller than 2^-max_level
  max_cutoffs,     // the number of cores exceeds max_cutoffs
  deadline,        // the time limit passed
  cancelled        // the cancel flag was set
};
const char* to_string(BuildStatus status);
const char* to_string(BuildStopReason reason);

// Evidence behind one nonzero coefficient (certificate "support_facts"):
// sign·r >= mu > 0 on support ∩ Ω, the root box of `tree` (pre-order, a letter
// 'a'+i = bisect along axis i at the midpoint, '.' = leaf; see
// docs/certificate-format.md).
struct SupportFact {
  std::size_t cutoff = 0;  // index into correction->cutoffs()
  int sign = 0;            // +1 or -1
  num::Rational mu;        // certified lower bound of sign·r on the box
  net::Box box;            // closed support ∩ Ω (the tree's root)
  std::string tree;
};

struct ConstructionProgress {
  int round = 0;
  std::size_t cores = 0;
  std::size_t evaluated = 0;  // cores tested so far in this build
  double elapsed_seconds = 0;
};

struct CutoffConstruction {
  BuildStatus status = BuildStatus::not_certified;
  BuildStopReason stop_reason = BuildStopReason::none;
  std::string reason;  // one line; empty when built

  std::shared_ptr<const net::CutoffCorrection> correction;  // null unless built
  net::GradeBlock block;                                    // correction->realise()
  std::vector<SupportFact> facts;                           // one per stored cutoff, in order

  int kappa = 0;
  num::Rational epsilon;  // 1 / (2 kappa)
  std::size_t cores = 0;
  std::size_t active_cutoffs = 0;
  int block_depth = 0;
  int block_width = 0;
  int finest_level = 0;   // deepest core level
  int rounds = 0;         // refinement rounds until the fixed point
  std::size_t tests = 0;       // support tests (cores tested, re-tests included)
  std::size_t enclosures = 0;  // residual enclosures used by the tests

  // Reporting only (never a claim): float estimate of ||r − h||_inf on a grid
  // and the wall time of the build.
  double residual_sup_approx = 0;
  double seconds_approx = 0;
};

// One grade of Construction A. Kernel: does not throw on budget or numerical
// trouble (it answers not_certified); throws std::invalid_argument only when
// options.validate() does.
CutoffConstruction build_cutoff_correction(const resid::Residual& r, const num::LowerBound& sup_lower,
                                           const CutoffOptions& options,
                                           const std::function<void(const ConstructionProgress&)>& progress = {});

// max |R(x)| over the grid {i / (n − 1)}^d, n = per_axis, with R evaluated in
// ball arithmetic at `prec` bits and read as doubles: a float estimate for
// tables and plots, never a bound. Deterministic.
double sup_norm_approx(const resid::Residual& r, int per_axis, slong prec = 64);

}  // namespace mgdl::construct
