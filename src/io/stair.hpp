// Internal: dense layers as decoded from a file, grouped into grades, and
// their exact sparse MultigradeNetwork. Shared by the ONNX and safetensors readers.
#pragma once

#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/rational.hpp"

#include <string>
#include <vector>

namespace mgdl::io::detail {

struct DenseLayer {
  int rows = 0, cols = 0;
  std::vector<num::Rational> weight;  // rows x cols, row-major
  std::vector<num::Rational> bias;    // rows
  net::Activation activation = net::Activation::identity;
  std::string name;  // for messages and ImportedNetwork::layer_names

  num::Rational& at(int r, int c) { return weight[static_cast<std::size_t>(r) * cols + c]; }
  const num::Rational& at(int r, int c) const { return weight[static_cast<std::size_t>(r) * cols + c]; }
};

struct DenseGrade {
  std::vector<DenseLayer> layers;  // hidden layers, each with its activation
  DenseLayer head;                 // 1 x features, identity
};

net::AffineLayer to_sparse(const DenseLayer& layer);

// Throws InputError naming the first layer whose size does not fit.
// `file` prefixes the messages.
net::MultigradeNetwork build_network(int input_dimension, const std::vector<DenseGrade>& grades,
                                     std::vector<std::string>& layer_names, const std::string& file);

}  // namespace mgdl::io::detail
