#include "mgdl/net/serialize.hpp"

#include "mgdl/net/cutoff_correction.hpp"
#include "hat_serialize.hpp"
#include "json_util.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace mgdl::net {

using nlohmann::json;
using num::Rational;

namespace {

using detail::as_int;
using detail::as_rational;
using detail::fail;
using detail::member;

std::vector<Rational> as_rationals(const json& v, const std::string& key) {
  if (!v.is_array()) fail(key, "expected an array of rational strings");
  std::vector<Rational> out;
  out.reserve(v.size());
  for (const json& x : v) out.push_back(as_rational(x, key));
  return out;
}

json rationals(const std::vector<Rational>& values) {
  json out = json::array();
  for (const Rational& r : values) out.push_back(num::to_string(r));
  return out;
}

// Piecewise-linear layers keep the original "relu": true|false key (so files
// written before smooth activations existed read back unchanged); the others
// say "activation": "tanh" | "sigmoid" | "sin".
void set_activation(json& out, Activation activation) {
  if (piecewise_linear(activation)) out["relu"] = activation == Activation::relu;
  else out["activation"] = to_string(activation);
}

json float_layer(const AffineLayer& layer) {
  const auto rows = static_cast<std::size_t>(layer.outputs);
  const auto cols = static_cast<std::size_t>(layer.inputs);
  std::vector<std::vector<double>> w(rows, std::vector<double>(cols, 0.0));
  for (const auto& e : layer.weights)
    w[static_cast<std::size_t>(e.row)][static_cast<std::size_t>(e.col)] = num::to_double_nearest(e.value);
  std::vector<double> b;
  b.reserve(layer.bias.size());
  for (const Rational& r : layer.bias) b.push_back(num::to_double_nearest(r));
  json out{{"W", w}, {"b", b}};
  set_activation(out, layer.activation);
  return out;
}

}  // namespace

json to_json(const AffineLayer& layer) {
  json weights = json::array();
  for (const auto& e : layer.weights) weights.push_back(json::array({e.row, e.col, num::to_string(e.value)}));
  json out{{"inputs", layer.inputs}, {"outputs", layer.outputs}};
  set_activation(out, layer.activation);
  out["weights"] = std::move(weights);
  out["bias"] = rationals(layer.bias);
  return out;
}

json to_json(const GradeBlock& block) {
  json layers = json::array();
  for (const AffineLayer& layer : block.layers) layers.push_back(to_json(layer));
  return json{{"layers", std::move(layers)}, {"readout", to_json(block.readout)}};
}

json to_json(const MultigradeNetwork& network) {
  json grades = json::array();
  for (int m = 1; m <= network.grades(); ++m) grades.push_back(to_json(network.block(m)));
  return json{{"format", "mgdl-network"},
              {"version", 1},
              {"input_dimension", network.input_dimension()},
              {"grades", std::move(grades)}};
}

json to_json(const Correction& correction) {
  if (const auto* hat = dynamic_cast<const HatCorrection*>(&correction)) return detail::hat_to_json(*hat);
  const auto* cutoff = dynamic_cast<const CutoffCorrection*>(&correction);
  if (cutoff == nullptr)
    throw std::invalid_argument("to_json: no JSON form for correction scheme '" + correction.scheme() + "'");
  json list = json::array();
  for (const Cutoff& q : cutoff->cutoffs())
    list.push_back(json{{"a", rationals(q.a)}, {"b", rationals(q.b)}, {"rho", rationals(q.rho)},
                        {"c", num::to_string(q.coefficient)}});
  return json{{"scheme", "cutoff"}, {"dimension", cutoff->dimension()}, {"kappa", cutoff->kappa()},
              {"cutoffs", std::move(list)}};
}

AffineLayer layer_from_json(const json& j) {
  AffineLayer layer;
  layer.inputs = as_int(member(j, "inputs"), "inputs");
  layer.outputs = as_int(member(j, "outputs"), "outputs");
  if (layer.inputs < 0) fail("inputs", "must be >= 0");
  if (layer.outputs < 1) fail("outputs", "must be >= 1");
  if (j.contains("activation")) {
    const json& a = j.at("activation");
    static const Activation kinds[] = {Activation::identity, Activation::relu, Activation::tanh, Activation::sigmoid,
                                       Activation::sin};
    bool known = false;
    for (Activation k : kinds)
      if (a.is_string() && a.get<std::string>() == to_string(k)) {
        layer.activation = k;
        known = true;
      }
    if (!known) fail("activation", "expected \"identity\", \"relu\", \"tanh\", \"sigmoid\" or \"sin\"");
    if (j.contains("relu")) fail("relu", "give either \"relu\" or \"activation\", not both");
  } else {
    const json& relu = member(j, "relu");
    if (!relu.is_boolean()) fail("relu", "expected true or false");
    layer.activation = relu.get<bool>() ? Activation::relu : Activation::identity;
  }
  const json& weights = member(j, "weights");
  if (!weights.is_array()) fail("weights", "expected an array of [row, col, \"p/q\"]");
  layer.weights.reserve(weights.size());
  for (std::size_t k = 0; k < weights.size(); ++k) {
    const json& e = weights[k];
    const std::string where = "weights[" + std::to_string(k) + "]";
    if (!e.is_array() || e.size() != 3) fail(where, "expected [row, col, \"p/q\"]");
    AffineLayer::Entry entry{as_int(e[0], where), as_int(e[1], where), as_rational(e[2], where)};
    if (entry.row < 0 || entry.row >= layer.outputs || entry.col < 0 || entry.col >= layer.inputs)
      fail(where, "row or column out of range");
    if (entry.value == 0) fail(where, "zero weight (the sparse form stores nonzeros only)");
    if (!layer.weights.empty()) {
      const auto& p = layer.weights.back();
      if (p.row > entry.row || (p.row == entry.row && p.col >= entry.col))
        fail(where, "entries must be sorted by (row, col) without duplicates");
    }
    layer.weights.push_back(std::move(entry));
  }
  layer.bias = as_rationals(member(j, "bias"), "bias");
  if (static_cast<int>(layer.bias.size()) != layer.outputs)
    fail("bias", "has " + std::to_string(layer.bias.size()) + " entries, expected " + std::to_string(layer.outputs));
  return layer;
}

GradeBlock block_from_json(const json& j) {
  GradeBlock block;
  const json& layers = member(j, "layers");
  if (!layers.is_array()) fail("layers", "expected an array of layers");
  for (const json& l : layers) block.layers.push_back(layer_from_json(l));
  block.readout = layer_from_json(member(j, "readout"));
  for (std::size_t l = 1; l < block.layers.size(); ++l)
    if (block.layers[l].inputs != block.layers[l - 1].outputs)
      fail("layers", "layer " + std::to_string(l + 1) + " reads " + std::to_string(block.layers[l].inputs) +
                         " inputs, previous gives " + std::to_string(block.layers[l - 1].outputs));
  if (!block.layers.empty() && block.readout.inputs != block.layers.back().outputs)
    fail("readout", "reads " + std::to_string(block.readout.inputs) + " inputs, block gives " +
                        std::to_string(block.layers.back().outputs));
  return block;
}

MultigradeNetwork network_from_json(const json& j) {
  const json& format = member(j, "format");
  if (!format.is_string() || format.get_ref<const std::string&>() != "mgdl-network")
    fail("format", "expected \"mgdl-network\"");
  const int d = as_int(member(j, "input_dimension"), "input_dimension");
  if (d < 1) fail("input_dimension", "must be >= 1");
  MultigradeNetwork network(d);
  const json& grades = member(j, "grades");
  if (!grades.is_array()) fail("grades", "expected an array of grade blocks");
  for (std::size_t m = 0; m < grades.size(); ++m) {
    GradeBlock block = block_from_json(grades[m]);
    try {
      network.add_grade(std::move(block));
    } catch (const std::invalid_argument& e) {
      fail("grades[" + std::to_string(m) + "]", e.what());
    }
  }
  return network;
}

std::shared_ptr<const Correction> correction_from_json(const json& j) {
  const json& scheme = member(j, "scheme");
  if (!scheme.is_string()) fail("scheme", "expected a string");
  if (scheme.get_ref<const std::string&>() == "hat") return detail::hat_from_json(j);
  if (scheme.get_ref<const std::string&>() != "cutoff")
    fail("scheme", "unsupported scheme '" + scheme.get<std::string>() + "'");
  const int d = as_int(member(j, "dimension"), "dimension");
  if (d < 1) fail("dimension", "must be >= 1");
  const int kappa = as_int(member(j, "kappa"), "kappa");
  if (kappa < 0) fail("kappa", "must be >= 0");
  const json& list = member(j, "cutoffs");
  if (!list.is_array()) fail("cutoffs", "expected an array of cutoffs");
  std::vector<Cutoff> cutoffs;
  cutoffs.reserve(list.size());
  for (std::size_t k = 0; k < list.size(); ++k) {
    const json& c = list[k];
    if (!c.is_object()) fail("cutoffs[" + std::to_string(k) + "]", "expected an object");
    Cutoff q;
    q.a = as_rationals(member(c, "a"), "a");
    q.b = as_rationals(member(c, "b"), "b");
    q.rho = as_rationals(member(c, "rho"), "rho");
    q.coefficient = as_rational(member(c, "c"), "c");
    cutoffs.push_back(std::move(q));
  }
  try {
    return std::make_shared<const CutoffCorrection>(d, std::move(cutoffs), kappa);
  } catch (const std::invalid_argument& e) {
    fail("cutoffs", e.what());
  }
}

json to_float_json(const MultigradeNetwork& network) {
  json grades = json::array();
  for (int m = 1; m <= network.grades(); ++m) {
    const GradeBlock& block = network.block(m);
    json layers = json::array();
    for (const AffineLayer& layer : block.layers) layers.push_back(float_layer(layer));
    grades.push_back(json{{"layers", std::move(layers)}, {"readout", float_layer(block.readout)}});
  }
  return json{{"format", "mgdl-network-float"},
              {"input_dimension", network.input_dimension()},
              {"grades", std::move(grades)}};
}

}  // namespace mgdl::net
