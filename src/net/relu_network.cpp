#include "mgdl/net/relu_network.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace mgdl::net {

using num::Rational;

const char* to_string(Activation activation) {
  switch (activation) {
    case Activation::identity: return "identity";
    case Activation::relu: return "relu";
    case Activation::tanh: return "tanh";
    case Activation::sigmoid: return "sigmoid";
    case Activation::sin: return "sin";
  }
  return "?";
}

std::vector<Rational> AffineLayer::apply(const std::vector<Rational>& x) const {
  if (static_cast<int>(x.size()) != inputs)
    throw std::invalid_argument("affine layer: input has " + std::to_string(x.size()) + " entries, expected " +
                                std::to_string(inputs));
  if (!net::piecewise_linear(activation))
    throw std::domain_error(std::string("affine layer: a ") + to_string(activation) +
                            " layer has no exact rational value");
  std::vector<Rational> y(bias);
  y.resize(static_cast<std::size_t>(outputs));
  for (const Entry& e : weights) y[static_cast<std::size_t>(e.row)] += e.value * x[static_cast<std::size_t>(e.col)];
  if (activation == Activation::relu)
    for (Rational& v : y)
      if (v < 0) v = 0;
  return y;
}

int GradeBlock::width() const {
  int w = 0;
  for (const AffineLayer& layer : layers) w = std::max(w, layer.outputs);
  return w;
}

int GradeBlock::depth() const { return static_cast<int>(layers.size()) + 1; }

std::size_t GradeBlock::parameter_count() const {
  std::size_t count = readout.weights.size() + readout.bias.size();
  for (const AffineLayer& layer : layers) count += layer.weights.size() + layer.bias.size();
  return count;
}

int GradeBlock::input_size() const { return layers.empty() ? readout.inputs : layers.front().inputs; }

int GradeBlock::output_size() const { return layers.empty() ? readout.inputs : layers.back().outputs; }

GradeBlock with_input_size(GradeBlock block, int inputs) {
  if (inputs < block.input_size())
    throw std::invalid_argument("grade block: cannot read " + std::to_string(inputs) + " inputs, it needs " +
                                std::to_string(block.input_size()));
  (block.layers.empty() ? block.readout : block.layers.front()).inputs = inputs;
  return block;
}

namespace {

void validate_layer(const AffineLayer& layer, const std::string& where) {
  if (layer.inputs < 0 || layer.outputs < 1) throw std::invalid_argument(where + ": bad inputs/outputs");
  if (static_cast<int>(layer.bias.size()) != layer.outputs)
    throw std::invalid_argument(where + ": bias has " + std::to_string(layer.bias.size()) + " entries, expected " +
                                std::to_string(layer.outputs));
  for (std::size_t k = 0; k < layer.weights.size(); ++k) {
    const auto& e = layer.weights[k];
    if (e.row < 0 || e.row >= layer.outputs || e.col < 0 || e.col >= layer.inputs)
      throw std::invalid_argument(where + ": weight " + std::to_string(k) + " out of range");
    if (e.value == 0) throw std::invalid_argument(where + ": weight " + std::to_string(k) + " is zero");
    if (k > 0) {
      const auto& p = layer.weights[k - 1];
      if (p.row > e.row || (p.row == e.row && p.col >= e.col))
        throw std::invalid_argument(where + ": weights not sorted by (row, col) or duplicated at " + std::to_string(k));
    }
  }
}

}  // namespace

MultigradeNetwork::MultigradeNetwork(int input_dimension) : input_dimension_(input_dimension) {
  if (input_dimension < 1) throw std::invalid_argument("network: input dimension must be >= 1");
}

int MultigradeNetwork::feature_size() const {
  return blocks_.empty() ? input_dimension_ : blocks_.back().output_size();
}

void MultigradeNetwork::add_grade(GradeBlock block) {
  const std::string grade = "grade " + std::to_string(blocks_.size() + 1);
  int expected = feature_size();
  for (std::size_t l = 0; l < block.layers.size(); ++l) {
    const AffineLayer& layer = block.layers[l];
    const std::string where = grade + " layer " + std::to_string(l + 1);
    validate_layer(layer, where);
    if (layer.inputs != expected)
      throw std::invalid_argument(where + ": reads " + std::to_string(layer.inputs) + " inputs, previous gives " +
                                  std::to_string(expected));
    expected = layer.outputs;
  }
  validate_layer(block.readout, grade + " read-out");
  if (block.readout.activation != Activation::identity)
    throw std::invalid_argument(grade + " read-out: must have no activation (identity)");
  if (block.readout.outputs != 1) throw std::invalid_argument(grade + " read-out: must have 1 output");
  if (block.readout.inputs != expected)
    throw std::invalid_argument(grade + " read-out: reads " + std::to_string(block.readout.inputs) +
                                " inputs, block gives " + std::to_string(expected));
  blocks_.push_back(std::move(block));
}

bool MultigradeNetwork::piecewise_linear() const {
  for (const GradeBlock& block : blocks_)
    for (const AffineLayer& layer : block.layers)
      if (!net::piecewise_linear(layer.activation)) return false;
  return true;
}

Rational MultigradeNetwork::evaluate(const std::vector<Rational>& x, int upto) const {
  if (upto < 0 || upto > grades()) throw std::invalid_argument("network: grade " + std::to_string(upto) + " out of range");
  Rational sum(0);
  std::vector<Rational> features = x;
  for (int m = 0; m < upto; ++m) {
    const GradeBlock& block = blocks_[static_cast<std::size_t>(m)];
    for (const AffineLayer& layer : block.layers) features = layer.apply(features);
    sum += block.readout.apply(features)[0];
  }
  return sum;
}

Rational MultigradeNetwork::evaluate_grade(const std::vector<Rational>& x, int m) const {
  if (m < 1 || m > grades()) throw std::invalid_argument("network: grade " + std::to_string(m) + " out of range");
  std::vector<Rational> features = x;
  for (int k = 0; k < m; ++k)
    for (const AffineLayer& layer : blocks_[static_cast<std::size_t>(k)].layers) features = layer.apply(features);
  return blocks_[static_cast<std::size_t>(m - 1)].readout.apply(features)[0];
}

}  // namespace mgdl::net
