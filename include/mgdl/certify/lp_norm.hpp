// Certified L^p norms ‖R‖_p = (∫_Ω |R|^p)^{1/p} for rational p >= 1, by
// refining a cover where the per-leaf integral enclosure is widest
// (proofs/certification.md, C1, C3, C4).
//
//   certify::LpNormResult l2 = certify::certify_lp_norm(residual, num::Rational(2), options);
//   auto both = certify::certify_lp_norms(residual, {num::Rational(1), num::Rational(2)}, options);
#pragma once

#include <string>
#include <vector>

#include "mgdl/certify/options.hpp"
#include "mgdl/certify/status.hpp"
#include "mgdl/num/bounds.hpp"
#include "mgdl/resid/residual.hpp"

namespace mgdl::certify {

struct LpNormResult {
  Status status = Status::not_certified;
  StopReason reason = StopReason::box_budget;
  std::string message;
  num::Rational p{1};
  // [L_p, U_p], rounded down / up to short dyadics. Valid whatever the status.
  num::Enclosure bounds{num::LowerBound(num::Rational(0)), num::UpperBound(num::Rational(0))};
  // Sum over leaves of the enclosures of ∫_B |R|^p (exact dyadic rationals):
  // lower_p_integral <= ∫|R|^p <= upper_p_integral.
  num::Rational integral_lower{0}, integral_upper{0};
  std::string tree;  // the cover of Ω the sums are taken over
  // One token per leaf of `tree` in pre-order (C, M, G<n>; proofs/integration.md);
  // empty with LpRules::legacy (then every leaf is M).
  std::string rules;
  long boxes = 0;
  std::size_t leaves = 0;
};

// Precondition: p >= 1 and options.validate() passes.
LpNormResult certify_lp_norm(const resid::Residual& residual, const num::Rational& p, const Options& options);

// Several exponents on one shared cover: each refines it where its own enclosure is
// widest, a node split for one exponent is split for every exponent not yet narrow
// enough on it, and a leaf's jet, kinks, pieces and f's values at the Gauss nodes are
// computed once for all of them. Each result has its own tree (a prefix of the
// cover) and rules; `boxes` counts the shared evaluations and the box budget is
// shared. With one exponent this is certify_lp_norm. Precondition: ps non-empty, each >= 1.
std::vector<LpNormResult> certify_lp_norms(const resid::Residual& residual,
                                           const std::vector<num::Rational>& ps, const Options& options);

}  // namespace mgdl::certify
