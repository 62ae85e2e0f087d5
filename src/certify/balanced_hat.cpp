// P1 node facts of the hat scheme (proofs/hat.md, Lemma B1; cover argument C1)
// and the P3 witness (proofs/certification.md, C5).
#include "mgdl/certify/balanced_hat.hpp"

#include "box_eval.hpp"
#include "mgdl/certify/tree.hpp"
#include "worker_pool.hpp"

#include <algorithm>
#include <memory>

namespace mgdl::certify {

using num::Rational;

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
    detail::prove_fact(*evs[static_cast<std::size_t>(worker)], previous, options, out.facts[i]);
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
