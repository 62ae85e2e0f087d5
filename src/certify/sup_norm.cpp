// Best-first branch and bound for ‖R‖_∞ (proofs/certification.md, C1, C2, C4).
//
// Invariant: the leaves of `tree` partition Ω; every leaf is either open (in
// the heap, with its certified bound sup_B |R| <= upper) or closed (pruned or
// unsplittable, its bound folded into closed_max). Hence
//   ‖R‖_∞ <= max(closed_max, max over heap of upper) =: U   (C1 cover).
// L = |R(witness)| certified by a point evaluation. Every claim is an exact
// rational taken from ball endpoints; doubles only order and steer.
#include "mgdl/certify/sup_norm.hpp"

#include <algorithm>
#include <memory>

#include "box_eval.hpp"
#include "mgdl/certify/piece_sup.hpp"
#include "mgdl/certify/tree.hpp"
#include "worker_pool.hpp"

namespace mgdl::certify {

using num::Ball;
using num::Rational;

namespace {

constexpr long kShortBits = 64;  // C4: claimed bounds are shortened to ~64 bits

struct OpenBox {
  int node = 0;
  net::Box box;
  Rational upper;  // certified: |R| <= upper on box
  double key = 0;  // num::to_double_approx(upper): orders the heap (see Lower)
  slong prec = 0;
  int axis = -1;   // where to split next (-1: may not be split)
  bool bounded = true;  // false: no finite bound (enclosure not finite, or presplit); upper unset
  bool presplit = false;  // split without an enclosure (detail::classify_kinks)
  bool kink_free = false;  // no kink of the corrections inside: nor in its sub-boxes
  bool witnessed = false;  // its witness candidates were evaluated
  std::vector<double> offset;  // Newton step from the center (witness_candidates)
};

// Max-heap on upper; ties broken by the smaller node id (deterministic).
// The exact order of the uppers: `key` is upper truncated to a double (a
// monotone map of upper >= 0), so different keys decide without GMP and only
// equal keys need the exact comparison.
struct Lower {
  bool operator()(const OpenBox& a, const OpenBox& b) const {
    if (a.bounded != b.bounded) return a.bounded;  // unbounded boxes first
    if (a.key != b.key) return a.key < b.key;
    if (a.upper != b.upper) return a.upper < b.upper;
    return a.node > b.node;
  }
};

enum class Mode { sup_norm, verify_upper };

struct EngineResult {
  StopReason reason = StopReason::box_budget;
  std::string tree;
  Rational upper{0};
  detail::Witness witness;
  long boxes = 0;
  std::size_t leaves = 0;
  slong max_prec = 0;
};

// `pieces` (d >= 2, null otherwise) bounds a box that a kink crosses by Lemma C2.7
// when the C2 bound is above `enough` (such a box would be split).
OpenBox evaluate_child(resid::ResidualEvaluator& ev, PieceSupBound* pieces, const resid::Residual& residual,
                       const net::Box& box, slong prec, bool kink_free, const Rational& enough,
                       const Options& options) {
  OpenBox out;
  const detail::BoxKinks kinks =
      kink_free ? detail::BoxKinks::none : detail::classify_kinks(residual, box, options.max_level);
  out.kink_free = kinks == detail::BoxKinks::none;
  if (kinks == detail::BoxKinks::split_now) {
    out.presplit = true;
    out.bounded = false;  // no bound: sorts with the unbounded boxes, split first
    out.box = box;
    out.prec = prec;
    out.axis = 0;
    return out;
  }
  resid::ResidualJet jet;
  out.prec = detail::jet_with_precision(ev, box, prec, options.max_precision, jet);
  out.box = box;
  out.bounded = jet.range.is_finite();
  if (out.bounded) {
    out.upper = num::abs_upper_bound(jet.range).value();
    out.offset = detail::newton_offset(jet);
  }
  // C2.7: exact in the quadratic part across the kinks, where C2 is first order.
  Rational u;
  std::vector<double> at;
  if (pieces != nullptr && !jet.smooth && out.prec == options.precision &&
      (!out.bounded || out.upper > enough) && pieces->bound(box, u, at) && (!out.bounded || u < out.upper)) {
    out.upper = std::move(u);
    out.bounded = true;
    const std::vector<Rational> c = box.center();
    out.offset.resize(at.size());
    for (std::size_t k = 0; k < at.size(); ++k) out.offset[k] = at[k] - num::to_double_approx(c[k]);
  }
  if (out.bounded) out.key = num::to_double_approx(out.upper);
  out.axis = detail::choose_split_axis(residual, box, options.max_level);
  return out;
}

// Mode sup_norm: stop when (U − L) <= gap·U. Leaves with upper <= L(1 − gap/2)
// are closed; boxes with upper <= L/(1 − gap) need no split.
// Mode verify_upper: leaves with upper <= bound are closed; done when none is
// open; refuted when a witness has |R| > bound.
EngineResult run_engine(const resid::Residual& residual, const Options& options, Mode mode, const Rational& bound) {
  const int d = residual.dimension();
  // Aim slightly inside the requested gap so the shortened bounds still meet it.
  const Rational gap = options.rel_gap * Rational(1023, 1024);
  std::vector<std::unique_ptr<resid::ResidualEvaluator>> evs;
  std::vector<std::unique_ptr<PieceSupBound>> pieces;
  for (int t = 0; t < options.threads; ++t) {
    evs.push_back(std::make_unique<resid::ResidualEvaluator>(residual, options.precision));
    if (d >= 2) pieces.push_back(std::make_unique<PieceSupBound>(residual, options.precision));
  }
  auto pieces_of = [&](int worker) {
    return pieces.empty() ? nullptr : pieces[static_cast<std::size_t>(worker)].get();
  };
  detail::WorkerPool pool(options.threads);

  EngineResult res;
  CoverTree tree(net::Box::unit(d));
  std::vector<OpenBox> heap;
  Rational closed_max(0);
  bool stalled = false;
  detail::Witness& best = res.witness;

  bool unbounded_closed = false;  // a closed leaf without a finite bound
  // Leaves with upper <= prune_at are closed; it changes only with `best`.
  Rational prune_at = mode == Mode::sup_norm ? Rational(0) : bound;

  auto absorb = [&](OpenBox&& c, int node) {
    c.node = node;
    if (c.presplit) {
      heap.push_back(std::move(c));
      std::push_heap(heap.begin(), heap.end(), Lower());
      return;
    }
    ++res.boxes;
    res.max_prec = std::max(res.max_prec, c.prec);
    if (c.bounded && c.upper <= prune_at) {
      if (c.upper > closed_max) closed_max = c.upper;
      return;
    }
    if (c.axis < 0) {  // may not be split: closed with whatever it has
      stalled = true;
      if (!c.bounded) unbounded_closed = true;
      else if (c.upper > closed_max) closed_max = c.upper;
      return;
    }
    heap.push_back(std::move(c));
    std::push_heap(heap.begin(), heap.end(), Lower());
  };

  absorb(evaluate_child(*evs[0], pieces_of(0), residual, tree.root_box(), options.precision, false, prune_at,
                        options),
         CoverTree::root());

  // U over all leaves; finite = false when some leaf has no finite bound
  // (unbounded open boxes sort to the top of the heap).
  auto current_upper = [&](bool& finite) {
    finite = !unbounded_closed && (heap.empty() || heap.front().bounded);
    Rational u = closed_max;
    if (!heap.empty() && heap.front().bounded && heap.front().upper > u) u = heap.front().upper;
    return u;
  };

  std::vector<OpenBox> batch;
  std::vector<OpenBox> children;
  std::vector<detail::Witness> witnesses;
  for (;;) {
    // Convergence test on the exact current bounds.
    bool finite = true;
    Rational upper = current_upper(finite);
    if (mode == Mode::sup_norm) {
      if (finite && best.found && upper - best.abs_lower <= gap * upper) {
        res.reason = StopReason::converged;
        break;
      }
    } else {
      if (best.found && best.abs_lower > bound) {
        res.reason = StopReason::refuted;
        break;
      }
      if (heap.empty()) {
        res.reason = finite && !stalled ? StopReason::converged : StopReason::precision_cap;
        break;
      }
    }
    if (heap.empty()) {  // every leaf closed, yet not converged: stalled leaves
      res.reason = StopReason::precision_cap;
      break;
    }
    if (detail::budget_exhausted(options, res.boxes, heap.size(), res.reason)) break;
    // Pop the batch: the largest open bounds that still matter.
    const Rational no_split_below =
        mode == Mode::sup_norm ? Rational(best.abs_lower / (1 - gap)) : bound;
    batch.clear();
    while (!heap.empty() && static_cast<int>(batch.size()) < options.batch_size) {
      if (heap.front().bounded && heap.front().upper <= no_split_below && !batch.empty()) break;
      std::pop_heap(heap.begin(), heap.end(), Lower());
      batch.push_back(std::move(heap.back()));
      heap.pop_back();
    }
    // Lazy witnesses (C1): only boxes about to be split are worth a point
    // evaluation. When one raises L, the batch goes back to the heap, so that
    // the new L prunes before anything is split.
    witnesses.assign(batch.size(), detail::Witness());
    pool.run(batch.size(), [&](std::size_t i, int worker) {
      if (batch[i].presplit || batch[i].witnessed) return;
      witnesses[i] = detail::witness_candidates(*evs[static_cast<std::size_t>(worker)], batch[i].box, batch[i].offset);
    });
    bool raised = false;
    for (std::size_t k = 0; k < batch.size(); ++k) {
      batch[k].witnessed = true;
      detail::Witness& w = witnesses[k];
      if (w.found && (!best.found || w.abs_lower > best.abs_lower)) {
        best = std::move(w);
        raised = true;
      }
    }
    if (raised && mode == Mode::sup_norm) prune_at = best.abs_lower * (1 - gap / 2);
    if (raised) {
      for (OpenBox& b : batch) {
        heap.push_back(std::move(b));
        std::push_heap(heap.begin(), heap.end(), Lower());
      }
      continue;
    }
    children.assign(batch.size() * 2, OpenBox());
    pool.run(children.size(), [&](std::size_t i, int worker) {
      const OpenBox& parent = batch[i / 2];
      net::Box half = half_box(parent.box, parent.axis, (i % 2) == 1);
      children[i] = evaluate_child(*evs[static_cast<std::size_t>(worker)], pieces_of(worker), residual, half,
                                   parent.prec, parent.kink_free, prune_at, options);
    });
    // Merge in batch order: deterministic whatever the thread count.
    for (std::size_t k = 0; k < batch.size(); ++k) {
      const int lower = tree.split(batch[k].node, batch[k].axis);
      absorb(std::move(children[2 * k]), lower);
      absorb(std::move(children[2 * k + 1]), lower + 1);
    }
  }
  bool finite = true;
  res.upper = current_upper(finite);
  if (!finite) res.upper = -1;
  res.tree = tree.to_string();
  res.leaves = tree.leaf_count();
  return res;
}

std::string one_line(const char* what, StopReason reason, long boxes) {
  return std::string(what) + ": " + describe(reason) + " after " + std::to_string(boxes) + " boxes";
}

}  // namespace

SupNormResult certify_sup_norm(const resid::Residual& residual, const Options& options) {
  EngineResult e = run_engine(residual, options, Mode::sup_norm, Rational(0));
  SupNormResult out;
  out.boxes = e.boxes;
  out.leaves = e.leaves;
  out.tree = std::move(e.tree);
  out.max_precision_used = e.max_prec;
  out.witness = e.witness.point;
  Rational lower = num::round_down(e.witness.abs_lower, kShortBits);
  if (lower < 0) lower = 0;
  out.bounds.lower = num::LowerBound(lower);
  if (e.upper < 0) {
    // Some leaf has no finite bound: no upper claim at all.
    out.status = Status::not_certified;
    out.reason = e.reason == StopReason::converged ? StopReason::precision_cap : e.reason;
    out.bounds.upper = num::UpperBound(Rational(-1));
    out.message = one_line("sup-norm has no finite upper bound", out.reason, e.boxes);
    return out;
  }
  // C4: the claimed upper is the largest leaf bound rounded up.
  out.bounds.upper = num::UpperBound(num::round_up(e.upper, kShortBits));
  out.reason = e.reason;
  std::optional<Rational> gap = out.bounds.relative_gap();
  out.status = e.reason == StopReason::converged && gap && *gap <= options.rel_gap ? Status::proven
                                                                                    : Status::not_certified;
  out.message = one_line(out.status == Status::proven ? "sup-norm certified" : "sup-norm not certified", e.reason,
                         e.boxes);
  return out;
}

BoundCheck verify_upper(const resid::Residual& residual, const Rational& bound, const Options& options) {
  EngineResult e = run_engine(residual, options, Mode::verify_upper, bound);
  BoundCheck out;
  out.boxes = e.boxes;
  out.reason = e.reason;
  out.tree = std::move(e.tree);
  out.status = e.reason == StopReason::converged ? Status::proven : Status::not_certified;
  if (e.reason == StopReason::refuted) out.counterexample = e.witness.point;
  out.message = one_line(out.status == Status::proven ? "bound certified" : "bound not certified", e.reason, e.boxes);
  return out;
}

}  // namespace mgdl::certify
