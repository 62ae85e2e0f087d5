// Test helper: the piecewise-linear interpolant of y_0..y_N on the uniform
// knots k/N of [0,1], as a one-hidden-layer ReLU block:
//   Φ(x) = y_0 + s_0 σ(x) + Σ_{k=1}^{N−1} (s_k − s_{k−1}) σ(x − k/N),  s_k = N (y_{k+1} − y_k).
#pragma once

#include "mgdl/net/relu_network.hpp"

#include <vector>

inline mgdl::net::GradeBlock interpolant_block(const std::vector<mgdl::num::Rational>& y) {
  using mgdl::num::Rational;
  const int n = static_cast<int>(y.size()) - 1;
  mgdl::net::AffineLayer hidden;
  hidden.inputs = 1;
  hidden.outputs = n;
  hidden.activation = mgdl::net::Activation::relu;
  for (int k = 0; k < n; ++k) {
    hidden.weights.push_back({k, 0, Rational(1)});
    hidden.bias.push_back(Rational(-k, n));
  }
  mgdl::net::AffineLayer out;
  out.inputs = n;
  out.outputs = 1;
  out.activation = mgdl::net::Activation::identity;
  out.bias.push_back(y[0]);
  Rational prev(0);
  for (int k = 0; k < n; ++k) {
    Rational s = Rational(n) * (y[static_cast<std::size_t>(k) + 1] - y[static_cast<std::size_t>(k)]);
    if (s - prev != 0) out.weights.push_back({0, k, Rational(s - prev)});
    prev = s;
  }
  mgdl::net::GradeBlock block;
  block.layers.push_back(hidden);
  block.readout = out;
  return block;
}
