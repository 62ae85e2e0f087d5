// P1 evidence for a cutoff grade (proofs/cutoff.md, Lemma A3): for every
// cutoff Q_i with c_i != 0, a cover of cl(S(Q_i)) ∩ Ω on whose every leaf
// sign(c_i)·R_{m−1} >= mu_i := kappa·|c_i| is certified. Re-established here
// from scratch; nothing from the construction is trusted. Also the P3
// witness (proofs/certification.md, C5).
//
//   certify::BalancedResult b = certify::certify_balanced(r_prev, h_m, options);
//   certify::NontrivialWitness w = certify::nontrivial_witness(h_m);
#pragma once

#include "mgdl/certify/options.hpp"
#include "mgdl/certify/status.hpp"
#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/resid/residual.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace mgdl::certify {

struct SupportFact {
  std::size_t cutoff = 0;  // index into CutoffCorrection::cutoffs()
  int sign = 0;            // sign(c_i)
  num::Rational mu{0};     // kappa·|c_i|: sign·R_{m−1} >= mu on the support
  net::Box root;           // cl(S(Q_i)) ∩ Ω: the tree's root box
  std::string tree;        // cover of root (complete only when proven)
  Status status = Status::not_certified;
  StopReason reason = StopReason::box_budget;
  long boxes = 0;
};

struct BalancedResult {
  Status status = Status::not_certified;  // proven iff every fact is proven
  std::string message;                    // names the first failing cutoff
  int kappa = 0;
  std::vector<SupportFact> facts;         // one per cutoff, in list order
};

// `previous` is R_{m−1}; h is the grade's correction h_m.
BalancedResult certify_balanced(const resid::Residual& previous, const net::CutoffCorrection& h,
                                const Options& options);

// P3: an exact point where h != 0 (the core center of the cutoff with the
// largest |c|, else the next ones); value is h(point) exactly.
struct NontrivialWitness {
  Status status = Status::not_certified;  // proven iff value != 0
  std::vector<num::Rational> point;
  num::Rational value{0};
};
NontrivialWitness nontrivial_witness(const net::CutoffCorrection& h);

}  // namespace mgdl::certify
