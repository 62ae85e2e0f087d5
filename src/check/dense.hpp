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
// exact for piecewise-linear networks in 1D; by MPFI at `prec` (N10, ReLU by N8.1) in d >= 2 or when an
// activation is smooth (smooth_net.hpp, N10).
void add_dense_enclosure(const DenseNetwork& net, int first, int last, const Box& box,
                         const std::vector<Q>& center, mpfr_prec_t prec, CorrectionEnclosure& acc);

// proofs/integration.md, Lemma I8(f), for rule P with a network in R (d = 2;
// piecewise-linear networks; first > last: nothing to do).
// The zeros x_axis = t (t inside the open side, sorted, unique) of ReLU
// inputs affine on the box that depend on x_axis only.
void dense_axis_kinks(const DenseNetwork& net, int first, int last, const Box& box, int axis,
                      std::vector<Q>& out);
// Appends u = [c, g_1, .., g_d] (u = c + g·x) for every ReLU input affine on
// the cell that takes both signs there; false when a ReLU input that is not
// affine there may change sign (its kink is not a line in the cell).
bool dense_cell_lines(const DenseNetwork& net, int first, int last, const Box& cell,
                      std::vector<std::vector<Q>>& lines);
// h += [c, g] with Σ_{first<=k<=last} readout_k(F_k) = c + g·x on conv(vertices),
// by exact affine forms; false when some ReLU input has both signs at the vertices.
bool dense_affine_on(const DenseNetwork& net, int first, int last,
                     const std::vector<std::vector<Q>>& vertices, std::vector<Q>& h);

}  // namespace mgdl::check
