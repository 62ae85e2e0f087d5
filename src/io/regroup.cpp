// The `--grades` override: merge grades g..M into one block computing the same
// Φ_M. The running sum s of the merged heads is carried through each later
// layer exactly: a ReLU layer gets two extra neurons relu(s), relu(-s) (their
// difference is s), an identity layer gets s and 0.
#include "mgdl/io/network_file.hpp"

#include <map>

namespace mgdl::io {
namespace {

using net::AffineLayer;
using num::Rational;

// One row (sparse column -> value) with a bias.
struct Row {
  std::map<int, Rational> w;
  Rational b;
  void add(const AffineLayer& layer, int row, const Rational& sign) {
    for (const auto& e : layer.weights)
      if (e.row == row) w[e.col] += sign * e.value;
    b += sign * layer.bias[static_cast<std::size_t>(row)];
  }
};

void append_row(AffineLayer& layer, const Row& row, const Rational& sign) {
  for (const auto& [col, v] : row.w)
    if (v != 0) layer.weights.push_back({layer.outputs, col, sign * v});
  layer.bias.push_back(sign * row.b);
  ++layer.outputs;
}

}  // namespace

ImportedNetwork regroup(ImportedNetwork imported, int grades) {
  const net::MultigradeNetwork& net = imported.network;
  const int total = net.grades();
  if (grades < 1 || grades > total)
    throw InputError("--grades " + std::to_string(grades) + ": the network has " + std::to_string(total) +
                     " grades; give 1 to " + std::to_string(total));
  if (grades == total) return imported;
  net::MultigradeNetwork out(net.input_dimension());
  std::size_t names = 0;
  for (int m = 1; m < grades; ++m) {
    out.add_grade(net.block(m));
    names += net.block(m).layers.size() + 1;
  }
  std::vector<std::string> layer_names(imported.layer_names.begin(),
                                       imported.layer_names.begin() + static_cast<std::ptrdiff_t>(names));
  net::GradeBlock merged;
  Row acc;                                         // Σ of the merged heads so far, on the current features
  int features = net.block(grades).output_size();  // current feature count, carry pair included
  for (int m = grades; m <= total; ++m) {
    const net::GradeBlock& block = net.block(m);
    for (std::size_t l = 0; l < block.layers.size(); ++l, ++names) {
      const AffineLayer& layer = block.layers[l];
      layer_names.push_back(imported.layer_names.at(names));
      if (m == grades) {  // nothing to carry yet
        merged.layers.push_back(layer);
        features = layer.outputs;
        continue;
      }
      if (!net::piecewise_linear(layer.activation))
        throw InputError("--grades " + std::to_string(grades) + ": cannot merge grades " +
                         std::to_string(grades) + ".." + std::to_string(total) + ": layer '" +
                         imported.layer_names.at(names) + "' is " + net::to_string(layer.activation) +
                         " and cannot carry the partial sum");
      AffineLayer wide = layer;
      wide.inputs = features;
      const bool relu = layer.activation == net::Activation::relu;
      append_row(wide, acc, Rational(1));
      append_row(wide, relu ? acc : Row{}, Rational(relu ? -1 : 0));
      merged.layers.push_back(std::move(wide));
      features = layer.outputs + 2;
      acc = Row{};
      acc.w[layer.outputs] = 1;
      acc.w[layer.outputs + 1] = -1;
    }
    acc.add(block.readout, 0, Rational(1));
    ++names;
  }
  layer_names.push_back("heads of grades " + std::to_string(grades) + ".." + std::to_string(total));
  merged.readout.inputs = features;
  merged.readout.activation = net::Activation::identity;
  append_row(merged.readout, acc, Rational(1));
  try {
    out.add_grade(std::move(merged));
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--grades: ") + e.what());
  }
  imported.network = std::move(out);
  imported.layer_names = std::move(layer_names);
  return imported;
}

}  // namespace mgdl::io
