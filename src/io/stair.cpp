#include "stair.hpp"

#include "mgdl/io/network_file.hpp"

#include <stdexcept>

namespace mgdl::io::detail {

net::AffineLayer to_sparse(const DenseLayer& layer) {
  net::AffineLayer out;
  out.inputs = layer.cols;
  out.outputs = layer.rows;
  out.activation = layer.activation;
  out.bias = layer.bias;
  for (int r = 0; r < layer.rows; ++r)
    for (int c = 0; c < layer.cols; ++c)
      if (layer.at(r, c) != 0) out.weights.push_back({r, c, layer.at(r, c)});
  return out;
}

net::MultigradeNetwork build_network(int input_dimension, const std::vector<DenseGrade>& grades,
                                     std::vector<std::string>& layer_names, const std::string& file) {
  net::MultigradeNetwork network(input_dimension);
  for (std::size_t k = 0; k < grades.size(); ++k) {
    net::GradeBlock block;
    for (const DenseLayer& layer : grades[k].layers) {
      block.layers.push_back(to_sparse(layer));
      layer_names.push_back(layer.name);
    }
    block.readout = to_sparse(grades[k].head);
    layer_names.push_back(grades[k].head.name);
    try {
      network.add_grade(std::move(block));
    } catch (const std::invalid_argument& e) {
      throw InputError(file + ": " + grades[k].head.name + ": shape mismatch: " + e.what());
    }
  }
  return network;
}

}  // namespace mgdl::io::detail
