// Construction B, the hat scheme: one grade's balanced correction
// h = Σ_z c_z φ_z on a Kuhn-subdivided tensor grid (SPEC section 5;
// proofs/hat.md, Lemmas B0-B2, Theorem B).
//
//   HatOptions opt;                                  // theta = 1/2; opt.validate(d) throws on bad values
//   HatConstruction g = build_hat_correction(r, M, opt);
//   if (g.status == BuildStatus::built) next = r.with(g.correction);
//
// Inputs: r = R_{m-1} and M, a certified lower bound of ||r||_inf with M > 0.
// Contract when status == built (proofs/hat.md, design note 2):
//   - the grid is a tensor grid (whole grid lines, dyadic breakpoints);
//   - every node z of the grid was certified, on a box containing its node box
//     Σ_z ∩ Ω, to satisfy (a) sup |r| <= theta·M, or (b) a sign s_z with
//     s_z·r >= mu_z > 0 and sup |r| − |c_z| <= theta·M (both tested against
//     theta·M·(1 − 2^-10), a slack for the certified norms), where |c_z| <= mu_z is
//     the ROUNDED coefficient, chosen by HatOptions::level in the interval that
//     (b) allows (in [0, mu_z] when (a) holds); nodes without a certified sign
//     get c_z = 0;
//   - so h is balanced (Lemma B1) and ||r − h||_inf <= theta·M (Lemma B2).
// A budget that runs out gives status not_certified with a reason; nothing in
// such a result is a claim.
#pragma once

#include "mgdl/construct/cutoff_scheme.hpp"
#include "mgdl/net/hat_correction.hpp"

namespace mgdl::construct {

struct HatOptions {
  // Contraction target theta in (0, 1) (Lemma B2).
  num::Rational theta{1, 2};
  // Uniform start grid of 2^initial_level cells per axis; -1 = 2.
  int initial_level = -1;
  // Optional start grid (e.g. the previous grade's); empty = uniform. Must be
  // dyadic breakpoints 0 < .. < 1 with denominators <= 2^max_level.
  std::vector<std::vector<num::Rational>> initial_grid;
  // No grid spacing below 2^-max_level (else: not certified).
  int max_level = 30;
  // Budget on the number of grid nodes (every node is a potential hat).
  std::size_t max_nodes = 2'000'000;
  // Node boxes are covered by bisection when one enclosure does not decide:
  // at most enclosure_depth nested bisections (-1 = 4d + 2, at most 16) and
  // enclosure_budget enclosures (-1 = 16d + 8) per node.
  int enclosure_depth = -1;
  int enclosure_budget = -1;
  // With a certified sign, the leaf holding mu is bisected while its
  // enclosure is wider than enclosure_tolerance · M (a heuristic).
  num::Rational enclosure_tolerance{1, 64};
  // |c_z| = mu_z rounded down to about this many significant bits (C4).
  long coefficient_bits = 24;
  // Which coefficient in the certified interval [sup_z|r| − theta·M, mu_z]
  // (Lemmas B1, B2) to take: the one nearest |r(z)| − level·theta·M, in
  // [0, 1]. level = 0 takes mu_z, the largest; the default 1/2 leaves a
  // residual close to level·theta·M wherever the hats are active, smooth
  // across node boxes of any size, so the next grade can use a coarse grid
  // there (a heuristic: every value in the interval is certified). With
  // level > 0 a node whose target lies outside its interval is refined
  // (proofs/hat.md, Remark B2.1).
  num::Rational level{1, 2};
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
  void validate(int dimension) const;
};

// Evidence behind one nonzero coefficient: sign·r >= mu > 0 on `box`
// (the node box Σ_z ∩ Ω at the time of the test, a superset of the final
// one), |c_z| = mu (the chosen coefficient, at most the certified lower
// bound the cover proves). Pre-order cover `tree` as in SupportFact.
struct NodeFact {
  std::size_t node = 0;  // index into correction->nodes()
  int sign = 0;
  num::Rational mu;
  net::Box box;
  std::string tree;
};

struct HatConstruction {
  BuildStatus status = BuildStatus::not_certified;
  BuildStopReason stop_reason = BuildStopReason::none;
  std::string reason;  // one line; empty when built

  std::shared_ptr<const net::HatCorrection> correction;  // null unless built
  net::GradeBlock block;                                 // correction->realise()
  std::vector<NodeFact> facts;                           // one per stored node, in order

  num::Rational theta;             // the certified factor of Lemma B2: ||r − h|| <= theta·M
  std::size_t nodes = 0;           // grid nodes
  std::vector<int> cells;          // cells per axis
  std::size_t active_nodes = 0;
  int block_depth = 0;
  int block_width = 0;
  int rounds = 0;

  double residual_sup_approx = 0;  // reporting only (never a claim)
  double seconds_approx = 0;
};

// One grade of Construction B. Kernel: does not throw on budget or numerical
// trouble (it answers not_certified); throws std::invalid_argument only when
// options.validate() does.
HatConstruction build_hat_correction(const resid::Residual& r, const num::LowerBound& sup_lower,
                                     const HatOptions& options,
                                     const std::function<void(const ConstructionProgress&)>& progress = {});

}  // namespace mgdl::construct
