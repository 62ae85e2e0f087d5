// Certified sup-norm of a residual on Ω = [0,1]^d by best-first branch and
// bound over dyadic boxes (proofs/certification.md, C1 cover, C2 Taylor form,
// C4 directed rounding).
//
//   certify::SupNormResult s = certify::certify_sup_norm(residual, options);
//   if (s.status == certify::Status::proven) ...  // gap <= options.rel_gap
//   s.bounds.lower.value() <= ‖R‖_∞ <= s.bounds.upper.value()   (always valid)
#pragma once

#include "mgdl/certify/options.hpp"
#include "mgdl/certify/status.hpp"
#include "mgdl/num/bounds.hpp"
#include "mgdl/resid/residual.hpp"

#include <string>
#include <vector>

namespace mgdl::certify {

struct SupNormResult {
  Status status = Status::not_certified;
  StopReason reason = StopReason::box_budget;
  std::string message;  // one line
  // [L, U]: U is the largest leaf bound rounded up to a short dyadic, L is
  // |R(witness)| certified, rounded down. Valid whatever the status.
  num::Enclosure bounds{num::LowerBound(num::Rational(0)), num::UpperBound(num::Rational(0))};
  std::vector<num::Rational> witness;  // exact dyadic point of Ω
  // The cover of Ω (format of docs/certificate-format.md): every leaf B has a
  // certified bound sup_B |R| <= bounds.upper (the "claimed upper").
  std::string tree;
  long boxes = 0;            // boxes evaluated
  std::size_t leaves = 0;
  slong max_precision_used = 0;
};

// Precondition: options.validate() passes (not re-checked: kernels don't throw).
SupNormResult certify_sup_norm(const resid::Residual& residual, const Options& options);

// Tries to prove ‖R‖_∞ <= bound. Proven: every leaf of `tree` has a certified
// |R| bound <= bound. Refuted (not certified, reason refuted): |R(counterexample)|
// > bound is certified.
struct BoundCheck {
  Status status = Status::not_certified;
  StopReason reason = StopReason::box_budget;
  std::string message;
  std::string tree;
  std::vector<num::Rational> counterexample;  // set when refuted
  long boxes = 0;
};
BoundCheck verify_upper(const resid::Residual& residual, const num::Rational& bound, const Options& options);

}  // namespace mgdl::certify
