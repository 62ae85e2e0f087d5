// The checker's own MPFI evaluation of a dense multigrade network with
// smooth activations (tanh, the logistic sigmoid, sin; ReLU and the identity
// may appear too): interval values at points and, on boxes, forward-mode
// interval propagation of value at the centre, gradient hull and range
// (proofs/networks.md, Lemma N10). Written from the lemma, not from the
// producer's ball code (src/netcert/smooth_correction.cpp); no double enters.
#pragma once

#include <vector>

#include "cutoffs.hpp"
#include "exact.hpp"

namespace mgdl::check {

struct DenseNetwork;

// True when some layer of the network has a smooth activation.
bool has_smooth_activation(const DenseNetwork& net);

// out ⊇ Σ_{first <= k <= last} readout_k(F_k(x)) (N10.2; `out` keeps its precision).
void smooth_value(const DenseNetwork& net, const std::vector<Q>& x, int first, int last, I& out);

// Adds to acc an enclosure (N10, N10.1) of Σ_{first <= k <= last} readout_k(F_k)
// on the box: the value at `center` within acc.value ± acc.value_radius, the
// gradient hull, the range; not affine when a smooth activation (or a ReLU
// whose input changes sign) is on the path. Endpoints are the MPFI ones, exactly.
void add_smooth_enclosure(const DenseNetwork& net, int first, int last, const Box& box,
                          const std::vector<Q>& center, mpfr_prec_t prec, CorrectionEnclosure& acc);

// The pre-activations of the hidden units of grades 1..last on the box, in order
// (block by block, layer by layer, row by row), by the same MPFI propagation (N10,
// ReLU by N8.1): +1 when >= 0 on the box, −1 when <= 0, 0 when it may change sign.
// False when a range is not finite.
bool dense_relu_signs(const DenseNetwork& net, int last, const Box& box, const std::vector<Q>& center,
                      mpfr_prec_t prec, std::vector<signed char>& sign);

}  // namespace mgdl::check
