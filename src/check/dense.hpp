// The checker's own view of a dense multigrade ReLU network (a network from
// elsewhere, embedded exactly in a network certificate): the domain fold,
// exact values, and per-box enclosures by exact interval propagation
// (proofs/networks.md N0, proofs/certification.md C2.2). Written from the
// lemmas, not from the producer's code.
#pragma once

#include <vector>

#include "cutoffs.hpp"
#include "exact.hpp"

namespace mgdl::check {

struct DenseNetwork {
  int d = 0;
  std::vector<DenseBlock> blocks;  // F_0 = x, F_k = T_k(F_{k−1}), Φ_m = Σ_{k<=m} readout_k(F_k)
};

// The network reading t ∈ [0,1]^d instead of x = lo + (hi − lo) t (N0).
DenseNetwork fold_domain(DenseNetwork net, const std::vector<Q>& lo, const std::vector<Q>& hi);

// Σ_{first <= k <= last} readout_k(F_k(x)), exactly (1-based, first <= last);
// piecewise-linear networks only (smooth ones: smooth_value, smooth_net.hpp).
Q dense_value(const DenseNetwork& net, const std::vector<Q>& x, int first, int last);

// Adds to acc the enclosure (C2) of Σ_{first <= k <= last} readout_k(F_k) on the box:
// exact for piecewise-linear networks; by MPFI at `prec` when an activation is smooth
// (smooth_net.hpp, N10).
void add_dense_enclosure(const DenseNetwork& net, int first, int last, const Box& box,
                         const std::vector<Q>& center, mpfr_prec_t prec, CorrectionEnclosure& acc);

}  // namespace mgdl::check
