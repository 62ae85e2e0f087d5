// Trained stair networks in double precision, and their exact form.
//
//   StairNetwork net = train_mgdl(...);                  // doubles, as trained
//   net::MultigradeNetwork exact = to_multigrade(net);  // every weight an exact dyadic
//
// Grade k reads F_{k-1} (F_0 = x), its hidden layers give F_k, its linear head
// g_k reads F_k; Φ_m = Σ_{k<=m} g_k(F_k). An end-to-end network is one grade.
#pragma once

#include <cstddef>
#include <vector>

#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::train {

using net::Activation;

// y = act(W x + b), W row-major (outputs × inputs).
struct DenseLayer {
  int inputs = 0, outputs = 0;
  Activation activation = Activation::relu;
  std::vector<double> weights;
  std::vector<double> bias;
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
// sparse AffineLayer requires). Throws std::invalid_argument on a malformed
// network and std::domain_error on a non-finite weight.
net::MultigradeNetwork to_multigrade(const StairNetwork& network);

}  // namespace mgdl::train
