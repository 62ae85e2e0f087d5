// P1 evidence for a hat grade (proofs/hat.md, Lemma B1): for every active node
// z with c_z != 0, a cover of the node box Σ_z ∩ Ω on whose every leaf
// sign(c_z)·R_{m−1} >= mu_z := |c_z| is certified. No overlap number is
// involved: the hats sum to one (Lemma B0). Re-established here from scratch;
// nothing from the construction is trusted. Also the P3 witness (C5).
//
//   certify::BalancedResult b = certify::certify_balanced_hat(r_prev, h_m, options);
//   certify::NontrivialWitness w = certify::nontrivial_witness_hat(h_m);
//
// The result reuses BalancedResult: SupportFact::cutoff is the index into
// HatCorrection::nodes(), root = node_box(index), kappa = 0 (unused).
#pragma once

#include "mgdl/certify/balanced.hpp"
#include "mgdl/net/hat_correction.hpp"

namespace mgdl::certify {

// `previous` is R_{m−1}; h is the grade's correction h_m.
BalancedResult certify_balanced_hat(const resid::Residual& previous, const net::HatCorrection& h,
                                    const Options& options);

// P3: the node of largest |c| (ties: list order); there h = c_z exactly,
// because φ_z(z) = 1 and every other hat vanishes at z (Lemma B0(a)).
NontrivialWitness nontrivial_witness_hat(const net::HatCorrection& h);

}  // namespace mgdl::certify
