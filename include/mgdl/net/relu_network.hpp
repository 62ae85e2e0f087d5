// Exact ReLU networks with the multigrade structure (SPEC section 2).
//
//   MultigradeNetwork net(d);
//   net.add_grade(block);                      // earlier grades stay frozen
//   Rational y = net.evaluate({x0}, 2);        // Φ_2(x) exactly
//
// A grade block T_m is a stack of affine+ReLU layers; its read-out g_m is affine
// (no ReLU). F_0 = x, F_m = T_m(F_{m-1}), Φ_m = Σ_{k<=m} g_k(F_k).
#pragma once

#include "mgdl/num/rational.hpp"

#include <cstddef>
#include <vector>

namespace mgdl::net {

// The activation applied after an affine map. mgdl's own constructions use
// relu (hidden layers) and identity (read-outs); networks read from other
// tools may also use smooth ones, which are not piecewise linear, so they
// cannot be evaluated exactly in rationals.
enum class Activation { identity, relu, tanh, sigmoid, sin };

// "identity", "relu", "tanh", "sigmoid", "sin".
const char* to_string(Activation activation);
// True for identity and relu (the function stays piecewise linear).
constexpr bool piecewise_linear(Activation a) { return a == Activation::identity || a == Activation::relu; }

// y = act(W x + b). W is sparse: (row, col, value) entries, sorted by row then
// col, no zero values, no duplicates.
struct AffineLayer {
  struct Entry {
    int row, col;
    num::Rational value;
  };
  int inputs = 0, outputs = 0;
  std::vector<Entry> weights;
  std::vector<num::Rational> bias;  // size outputs
  Activation activation = Activation::relu;

  // Exact: precondition piecewise_linear(activation) (throws std::domain_error otherwise).
  std::vector<num::Rational> apply(const std::vector<num::Rational>& x) const;
};

struct GradeBlock {
  std::vector<AffineLayer> layers;  // hidden layers of T_m, each with ReLU
  AffineLayer readout;              // g_m: from T_m's output to 1 value, no ReLU

  int width() const;                // max outputs over hidden layers
  int depth() const;                // hidden layers + 1 (the read-out)
  std::size_t parameter_count() const;  // nonzero weights + biases
  int input_size() const;           // inputs of the first hidden layer (or of the read-out)
  int output_size() const;          // outputs of the last hidden layer: the features F_m
};

// The same block reading `inputs` >= block.input_size() coordinates: the extra
// trailing inputs get zero weights (e.g. a cutoff block realised for d inputs,
// placed after a grade whose features are [x, A+, A-]). Throws
// std::invalid_argument when inputs < block.input_size().
GradeBlock with_input_size(GradeBlock block, int inputs);

class MultigradeNetwork {
 public:
  explicit MultigradeNetwork(int input_dimension);
  int input_dimension() const { return input_dimension_; }
  int grades() const { return static_cast<int>(blocks_.size()); }
  const GradeBlock& block(int m) const { return blocks_.at(static_cast<std::size_t>(m - 1)); }  // 1-based
  // Throws std::invalid_argument when the block's input size does not match
  // the previous block's output (or d).
  void add_grade(GradeBlock block);
  // Size of the features F_m the next grade reads (d when there are no grades).
  int feature_size() const;

  // True when every layer is piecewise linear (then evaluate() is exact).
  bool piecewise_linear() const;

  // Φ_upto(x) exactly (upto = 0 gives 0). Precondition: piecewise_linear()
  // for the grades used (throws std::domain_error otherwise).
  num::Rational evaluate(const std::vector<num::Rational>& x, int upto) const;
  // g_m(F_m(x)) exactly: the correction added by grade m alone.
  num::Rational evaluate_grade(const std::vector<num::Rational>& x, int m) const;

 private:
  int input_dimension_;
  std::vector<GradeBlock> blocks_;
};

}  // namespace mgdl::net
