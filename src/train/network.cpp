#include "mgdl/train/network.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace mgdl::train {

std::size_t Grade::parameter_count() const {
  std::size_t n = head.weights.size() + head.bias.size();
  for (const DenseLayer& l : hidden) n += l.weights.size() + l.bias.size();
  return n;
}

std::size_t StairNetwork::parameter_count() const {
  std::size_t n = 0;
  for (const Grade& g : grades) n += g.parameter_count();
  return n;
}

num::Rational exact_rational(double value) {
  if (!std::isfinite(value)) throw std::domain_error("weight is not finite");
  if (value == 0) return num::Rational(0);
  // value = m · 2^(e-53) with |m| < 2^53 an integer: both steps are exact
  // (frexp and scaling by a power of two do not round, subnormals included).
  int e = 0;
  const double frac = std::frexp(value, &e);
  const auto m = static_cast<std::int64_t>(std::ldexp(frac, 53));
  num::Rational r{num::Integer(m)};
  const int shift = e - 53;
  num::Integer p(1);
  p <<= static_cast<unsigned>(shift < 0 ? -shift : shift);
  if (shift < 0)
    r /= num::Rational(p);
  else
    r *= num::Rational(p);
  return r;
}

namespace {

net::AffineLayer exact_layer(const DenseLayer& l) {
  if (l.inputs < 1 || l.outputs < 1 ||
      l.weights.size() != static_cast<std::size_t>(l.inputs) * static_cast<std::size_t>(l.outputs) ||
      l.bias.size() != static_cast<std::size_t>(l.outputs))
    throw std::invalid_argument("to_multigrade: layer sizes do not match its weights");
  net::AffineLayer a;
  a.inputs = l.inputs;
  a.outputs = l.outputs;
  a.activation = l.activation;
  for (int r = 0; r < l.outputs; ++r) {
    for (int c = 0; c < l.inputs; ++c) {
      const double w = l.weights[static_cast<std::size_t>(r) * static_cast<std::size_t>(l.inputs) +
                                 static_cast<std::size_t>(c)];
      if (w != 0 || !std::isfinite(w)) a.weights.push_back({r, c, exact_rational(w)});
    }
    a.bias.push_back(exact_rational(l.bias[static_cast<std::size_t>(r)]));
  }
  return a;
}

}  // namespace

net::MultigradeNetwork to_multigrade(const StairNetwork& network) {
  net::MultigradeNetwork out(network.input_dimension);
  for (const Grade& g : network.grades) {
    if (g.hidden.empty()) throw std::invalid_argument("to_multigrade: a grade without hidden layers");
    net::GradeBlock block;
    for (const DenseLayer& l : g.hidden) block.layers.push_back(exact_layer(l));
    block.readout = exact_layer(g.head);
    block.readout.activation = Activation::identity;
    out.add_grade(std::move(block));
  }
  return out;
}

}  // namespace mgdl::train
