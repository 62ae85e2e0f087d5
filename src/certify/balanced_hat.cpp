// P1 node facts of the hat scheme (proofs/hat.md, Lemma B1; cover argument C1)
// and the P3 witness (proofs/certification.md, C5).
#include "mgdl/certify/balanced_hat.hpp"

#include "box_eval.hpp"
#include "mgdl/certify/tree.hpp"
#include "worker_pool.hpp"

#include <algorithm>
#include <memory>

namespace mgdl::certify {

using num::Ball;
using num::Rational;

namespace {

// Proves sign·R >= mu on every leaf of a cover of fact.root (depth-first).
// Refuted when some box has sign·R < mu certainly on all of it.
void prove_node_fact(resid::ResidualEvaluator& ev, const resid::Residual& residual, const Options& options,
                     SupportFact& fact) {
  CoverTree tree(fact.root);
  struct Item {
    int node;
    net::Box box;
    slong prec;
  };
  std::vector<Item> stack{{CoverTree::root(), fact.root, options.precision}};
  Ball mu = Ball::from_rational(fact.mu, options.precision);
  fact.reason = StopReason::converged;
  resid::ResidualJet jet;
  while (!stack.empty()) {
    if (fact.boxes >= options.max_fact_boxes) {
      fact.reason = StopReason::box_budget;
      break;
    }
    if ((fact.boxes & 255) == 0) {
      if (options.cancel != nullptr && options.cancel->load()) {
        fact.reason = StopReason::cancelled;
        break;
      }
      if (options.deadline && std::chrono::steady_clock::now() >= *options.deadline) {
        fact.reason = StopReason::deadline;
        break;
      }
    }
    Item item = std::move(stack.back());
    stack.pop_back();
    ++fact.boxes;
    const slong prec = detail::jet_with_precision(ev, item.box, item.prec, options.max_precision, jet);
    if (jet.range.is_finite()) {
      Ball v;
      arb_mul_si(v.arb(), jet.range.arb(), fact.sign, prec);
      arb_sub(v.arb(), v.arb(), mu.arb(), prec);
      if (arb_is_nonnegative(v.arb())) continue;
      if (arb_is_negative(v.arb())) {
        fact.reason = StopReason::refuted;
        break;
      }
    }
    const int axis = detail::choose_split_axis(residual, item.box, options.max_level);
    if (axis < 0) {
      fact.reason = StopReason::precision_cap;
      break;
    }
    const int lower = tree.split(item.node, axis);
    stack.push_back({lower + 1, half_box(item.box, axis, true), prec});
    stack.push_back({lower, half_box(item.box, axis, false), prec});
  }
  fact.status = fact.reason == StopReason::converged ? Status::proven : Status::not_certified;
  fact.tree = tree.to_string();
}

}  // namespace

BalancedResult certify_balanced_hat(const resid::Residual& previous, const net::HatCorrection& h,
                                    const Options& options) {
  BalancedResult out;
  out.kappa = 0;
  const auto& nodes = h.nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].coefficient == 0) continue;
    SupportFact f;
    f.cutoff = i;
    f.sign = nodes[i].coefficient > 0 ? 1 : -1;
    f.mu = abs(nodes[i].coefficient);  // Lemma B1: |c_z| <= mu, here equal
    f.root = h.node_box(nodes[i].index);
    out.facts.push_back(std::move(f));
  }
  std::vector<std::unique_ptr<resid::ResidualEvaluator>> evs;
  for (int t = 0; t < options.threads; ++t)
    evs.push_back(std::make_unique<resid::ResidualEvaluator>(previous, options.precision));
  detail::WorkerPool pool(options.threads);
  pool.run(out.facts.size(), [&](std::size_t i, int worker) {
    prove_node_fact(*evs[static_cast<std::size_t>(worker)], previous, options, out.facts[i]);
  });
  out.status = Status::proven;
  for (const SupportFact& f : out.facts) {
    if (f.status != Status::proven) {
      out.status = Status::not_certified;
      out.message = "node fact " + std::to_string(f.cutoff) + " (sign " + std::to_string(f.sign) + ", mu " +
                    num::to_string(f.mu) + ") not certified: " + describe(f.reason);
      break;
    }
  }
  return out;
}

NontrivialWitness nontrivial_witness_hat(const net::HatCorrection& h) {
  NontrivialWitness out;
  const auto& nodes = h.nodes();
  std::size_t best = nodes.size();
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (best == nodes.size() || abs(nodes[i].coefficient) > abs(nodes[best].coefficient)) best = i;
  if (best == nodes.size()) return out;
  std::vector<Rational> x = h.node_point(nodes[best].index);
  Rational v = h.evaluate(x);
  if (v != 0) {
    out.status = Status::proven;
    out.point = std::move(x);
    out.value = v;
  }
  return out;
}

}  // namespace mgdl::certify
