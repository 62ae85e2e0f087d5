// Shared per-box kernels of the branch-and-bound engines: an enclosure with
// Ziv-style precision raising, witness candidates, and the split rule.
#pragma once

#include "mgdl/certify/balanced.hpp"
#include "mgdl/certify/options.hpp"
#include "mgdl/net/box.hpp"
#include "mgdl/num/ball.hpp"
#include "mgdl/resid/residual.hpp"

#include <vector>

namespace mgdl::certify::detail {

// Jet of R on the box at precision `prec`, doubled (up to max_prec) while the
// enclosure is dominated by rounding: the center value's radius (pure
// rounding) is more than 1/16 of the range radius, or the range is not finite.
// Returns the precision used.
slong jet_with_precision(resid::ResidualEvaluator& ev, const net::Box& box, slong prec, slong max_prec,
                         resid::ResidualJet& jet);

struct Witness {
  bool found = false;
  std::vector<num::Rational> point;
  num::Rational abs_lower{0};  // |R(point)| >= abs_lower, certified
  num::Rational lower{0}, upper{0};  // R(point) ∈ [lower, upper]
};

// |R| at an exact point, certified (C1); keeps it in `best` when larger.
void try_witness(resid::ResidualEvaluator& ev, const std::vector<num::Rational>& x, Witness& best);

// The box center plus, when the jet is smooth, the float Newton step towards
// a critical point of R, clamped into the box and snapped to a dyadic point.
// Doubles only choose the points; the values are certified by at_point.
Witness witness_candidates(resid::ResidualEvaluator& ev, const net::Box& box, const resid::ResidualJet& jet);

// Split axis: an axis with correction breakpoints inside the box (widest such
// axis) so kinks are reached by midpoint splits; else the widest axis. -1 when
// the widest width is below 2^-max_level (the box may not be split).
int choose_split_axis(const resid::Residual& residual, const net::Box& box, int max_level);

// Proves sign·R >= mu on every leaf of a cover of fact.root (depth-first),
// filling fact.tree, status, reason and boxes. Refuted when some box has
// sign·R < mu certainly on all of it. Serves cutoff facts (proofs/cutoff.md,
// A3) and hat node facts (proofs/hat.md, B1) alike; cover argument C1.
void prove_fact(resid::ResidualEvaluator& ev, const resid::Residual& residual, const Options& options,
                SupportFact& fact);

}  // namespace mgdl::certify::detail
