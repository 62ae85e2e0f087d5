// Trained stair networks in double precision, and their exact form.
//
//   StairNetwork net = train_mgdl(...);                  // doubles, as trained
//   net::MultigradeNetwork exact = to_multigrade(net);  // every weight an exact dyadic
//
// Grade k reads F_{k-1} (F_0 = x), its hidden layers give F_k, its linear head
// g_k reads F_k; Φ_m = Σ_{k<=m} g_k(F_k). An end-to-end network is one grade;
// a ResNet is one grade whose hidden layers after the first are residual.
#pragma once

#include <cstddef>
#include <vector>

#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::train {

using net::Activation;

// y = act(W x + b), W row-major (outputs × inputs); a residual layer
// (inputs == outputs) adds its input: y = x + act(W x + b) (an identity skip).
struct DenseLayer {
  int inputs = 0, outputs = 0;
  Activation activation = Activation::relu;
  std::vector<double> weights;
  std::vector<double> bias;
  bool residual = false;
};

struct Grade {
  std::vector<DenseLayer> hidden;  // at least one
  DenseLayer head;                 // feature_size() -> 1, identity
  int input_size() const { return hidden.front().inputs; }
  int feature_size() const { return hidden.back().outputs; }
  std::size_t parameter_count() const;
};

struct StairNetwork {
  int input_dimension = 0;
  std::vector<Grade> grades;
  std::size_t parameter_count() const;
};

// The exact value of a finite double as a dyadic rational m·2^e (no rounding).
// Throws std::domain_error for NaN and infinities.
num::Rational exact_rational(double value);

// The same function with exact weights (zero weights are dropped, as the
// sparse AffineLayer requires). Residual layers are folded into plain ReLU
// layers with h = relu(h) − relu(−h): the block h' = h + relu(W h + b) becomes
// the layer u' = relu([W; I; −I]·h + [b; 0; 0]) of width 3w, and whatever reads
// h' reads [I, I, −I]·u' instead (folded into its weights). Where h >= 0 is
// structural (h is a ReLU output, or such an h plus residual ReLU terms) the
// −I rows are dropped (relu(h) = h): width 2w. Every folded weight is a trained
// weight or its negation, so the folded network is the same function exactly.
// Residual layers must be relu. Throws std::invalid_argument on a malformed
// network and std::domain_error on a non-finite weight.
net::MultigradeNetwork to_multigrade(const StairNetwork& network);

}  // namespace mgdl::train
