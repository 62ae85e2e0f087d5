// Shared per-box kernels of the branch-and-bound engines: an enclosure with
// Ziv-style precision raising, witness candidates, and the split rule.
#pragma once

#include "mgdl/certify/balanced.hpp"
#include "mgdl/certify/options.hpp"
#include "mgdl/net/box.hpp"
#include "mgdl/num/ball.hpp"
#include "mgdl/resid/residual.hpp"

#include <cstddef>
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

// The float Newton step from the box center towards a critical point of R
// when the jet is smooth; empty otherwise. Doubles only steer.
std::vector<double> newton_offset(const resid::ResidualJet& jet);

// Witness candidates of a box: its center and, when `offset` is not empty,
// center + offset clamped into the box and snapped to a dyadic point. The
// values are certified by at_point.
Witness witness_candidates(resid::ResidualEvaluator& ev, const net::Box& box, const std::vector<double>& offset);

// Split axis: an axis with correction breakpoints inside the box (widest such
// axis) so kinks are reached by midpoint splits; else the widest axis. -1 when
// the widest width is below 2^-max_level (the box may not be split).
int choose_split_axis(const resid::Residual& residual, const net::Box& box, int max_level);

// 1D only: `split_now` when the open box holds two or more kinks of the
// corrections, or one at its midpoint. Such a box is split at once without an
// enclosure: its enclosure could not be affine-tight, and the cover argument
// (C1) needs bounds on leaves only. `none` when it holds no kink (then neither
// do its sub-boxes); `some` otherwise, and always in d >= 2 or when the box
// may not be split (max_level).
enum class BoxKinks { none, some, split_now };
BoxKinks classify_kinks(const resid::Residual& residual, const net::Box& box, int max_level);

// Cancellation (Ctrl-C) or the deadline: true with `reason` set.
bool stop_requested(const Options& options, StopReason& reason);

// The run's budgets, in the order both engines test them: cancellation, the
// deadline, the box budget, the frontier cap (memory). True (with `reason`
// set) when one of them says stop.
bool budget_exhausted(const Options& options, long boxes, std::size_t frontier, StopReason& reason);

// Proves sign·R >= mu on every leaf of a cover of fact.root (depth-first),
// filling fact.tree, status, reason and boxes. Refuted when some box has
// sign·R < mu certainly on all of it. Serves cutoff facts (proofs/cutoff.md,
// A3) and hat node facts (proofs/hat.md, B1) alike; cover argument C1.
void prove_fact(resid::ResidualEvaluator& ev, const resid::Residual& residual, const Options& options,
                SupportFact& fact);

}  // namespace mgdl::certify::detail
