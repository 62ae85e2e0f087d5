// P1 support facts (proofs/cutoff.md, Lemma A3; cover argument C1) and the
// P3 witness (proofs/certification.md, C5).
#include "mgdl/certify/balanced.hpp"

#include "box_eval.hpp"
#include "mgdl/certify/tree.hpp"
#include "worker_pool.hpp"

#include <algorithm>
#include <memory>

namespace mgdl::certify {

using num::Rational;

BalancedResult certify_balanced(const resid::Residual& previous, const net::CutoffCorrection& h,
                                const Options& options) {
  BalancedResult out;
  out.kappa = h.kappa();
  const auto& cutoffs = h.cutoffs();
  const int d = h.dimension();
  // The stated kappa must be at least the overlap number, counted here (A2, A3).
  const int counted = net::overlap_number(d, cutoffs);
  for (std::size_t i = 0; i < cutoffs.size(); ++i) {
    if (cutoffs[i].coefficient == 0) continue;
    SupportFact f;
    f.cutoff = i;
    f.sign = cutoffs[i].coefficient > 0 ? 1 : -1;
    f.mu = Rational(h.kappa()) * abs(cutoffs[i].coefficient);
    f.root = cutoffs[i].support().intersection(net::Box::unit(d));
    out.facts.push_back(std::move(f));
  }
  if (counted > h.kappa()) {
    out.status = Status::not_certified;
    out.message = "kappa " + std::to_string(h.kappa()) + " is below the counted overlap number " +
                  std::to_string(counted);
    return out;
  }
  std::vector<std::unique_ptr<resid::ResidualEvaluator>> evs;
  for (int t = 0; t < options.threads; ++t)
    evs.push_back(std::make_unique<resid::ResidualEvaluator>(previous, options.precision));
  detail::WorkerPool pool(options.threads);
  pool.run(out.facts.size(), [&](std::size_t i, int worker) {
    SupportFact& f = out.facts[i];
    if (f.root.empty()) {  // support misses Ω: nothing to prove
      f.status = Status::proven;
      f.reason = StopReason::converged;
      f.tree = ".";
      return;
    }
    detail::prove_fact(*evs[static_cast<std::size_t>(worker)], previous, options, f);
  });
  out.status = Status::proven;
  for (const SupportFact& f : out.facts) {
    if (f.status != Status::proven) {
      out.status = Status::not_certified;
      out.message = "support fact of cutoff " + std::to_string(f.cutoff) + " (sign " + std::to_string(f.sign) +
                    ", mu " + num::to_string(f.mu) + ") not certified: " + describe(f.reason);
      break;
    }
  }
  return out;
}

NontrivialWitness nontrivial_witness(const net::CutoffCorrection& h) {
  NontrivialWitness out;
  const auto& cutoffs = h.cutoffs();
  std::vector<std::size_t> order(cutoffs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Largest |c| first; ties by list order (stable).
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return abs(cutoffs[a].coefficient) > abs(cutoffs[b].coefficient);
  });
  for (std::size_t i : order) {
    net::Box core = cutoffs[i].core().intersection(net::Box::unit(h.dimension()));
    if (core.empty()) continue;
    std::vector<Rational> x = core.center();
    Rational v = h.evaluate(x);
    if (v != 0) {
      out.status = Status::proven;
      out.point = std::move(x);
      out.value = v;
      return out;
    }
  }
  return out;
}

}  // namespace mgdl::certify
