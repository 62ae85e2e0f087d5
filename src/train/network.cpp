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

// What the next layer reads, h, in terms of the last folded layer's output u:
// h[source[c]] gets sign[c]·u[c] for every column c (each column feeds one
// coordinate of h, with coefficient ±1). Identity until a residual layer is folded.
struct Stream {
  int width = 0;  // coordinates of h
  std::vector<int> source;
  std::vector<int> sign;
  bool nonnegative = false;  // h >= 0 everywhere, by construction
  static Stream identity(int n, bool nonnegative) {
    Stream s;
    s.width = n;
    s.nonnegative = nonnegative;
    for (int c = 0; c < n; ++c) {
      s.source.push_back(c);
      s.sign.push_back(1);
    }
    return s;
  }
  int columns() const { return static_cast<int>(source.size()); }
};

// act(W·h + b) as an exact layer reading u: W's column source[c], times sign[c],
// is column c (a copy or a negation: no rounding before the exact conversion).
net::AffineLayer exact_layer(const DenseLayer& l, const Stream& in) {
  if (l.inputs < 1 || l.outputs < 1 ||
      l.weights.size() != static_cast<std::size_t>(l.inputs) * static_cast<std::size_t>(l.outputs) ||
      l.bias.size() != static_cast<std::size_t>(l.outputs))
    throw std::invalid_argument("to_multigrade: layer sizes do not match its weights");
  if (l.inputs != in.width)
    throw std::invalid_argument("to_multigrade: a layer reads " + std::to_string(l.inputs) +
                                " values but is given " + std::to_string(in.width));
  net::AffineLayer a;
  a.inputs = in.columns();
  a.outputs = l.outputs;
  a.activation = l.activation;
  for (int r = 0; r < l.outputs; ++r) {
    for (int c = 0; c < in.columns(); ++c) {
      const std::size_t at = static_cast<std::size_t>(r) * static_cast<std::size_t>(l.inputs) +
                             static_cast<std::size_t>(in.source[static_cast<std::size_t>(c)]);
      const double w = in.sign[static_cast<std::size_t>(c)] * l.weights[at];
      if (w != 0 || !std::isfinite(w)) a.weights.push_back({r, c, exact_rational(w)});
    }
    a.bias.push_back(exact_rational(l.bias[static_cast<std::size_t>(r)]));
  }
  return a;
}

// The residual block h' = h + relu(W h + b) as one ReLU layer u' (see the header),
// and the stream that reads h' from u'.
net::AffineLayer fold_residual(const DenseLayer& l, Stream& in) {
  if (l.activation != Activation::relu)
    throw std::invalid_argument("to_multigrade: a residual layer must be relu to be folded");
  if (l.inputs != l.outputs) throw std::invalid_argument("to_multigrade: a residual layer must be square");
  net::AffineLayer a = exact_layer(l, in);
  const int w = l.outputs;
  const int copies = in.nonnegative ? 1 : 2;  // relu(h) [, relu(−h)]
  for (int k = 0; k < copies; ++k)
    for (int i = 0; i < w; ++i) {
      const int row = a.outputs++;
      for (int c = 0; c < in.columns(); ++c)
        if (in.source[static_cast<std::size_t>(c)] == i)
          a.weights.push_back({row, c,
                               num::Rational(k == 0 ? in.sign[static_cast<std::size_t>(c)]
                                                    : -in.sign[static_cast<std::size_t>(c)])});
      a.bias.push_back(num::Rational(0));
    }
  // h' = relu(W h + b) + relu(h) [− relu(−h)] = [I, I (, −I)]·u'.
  Stream out;
  out.width = w;
  out.nonnegative = in.nonnegative;  // h >= 0 gives h + relu(·) >= 0
  for (int k = 0; k <= copies; ++k)
    for (int i = 0; i < w; ++i) {
      out.source.push_back(i);
      out.sign.push_back(k == 2 ? -1 : 1);
    }
  in = std::move(out);
  return a;
}

}  // namespace

net::MultigradeNetwork to_multigrade(const StairNetwork& network) {
  net::MultigradeNetwork out(network.input_dimension);
  Stream stream = Stream::identity(network.input_dimension, false);
  for (const Grade& g : network.grades) {
    if (g.hidden.empty()) throw std::invalid_argument("to_multigrade: a grade without hidden layers");
    net::GradeBlock block;
    for (const DenseLayer& l : g.hidden) {
      if (l.residual) {
        block.layers.push_back(fold_residual(l, stream));
      } else {
        block.layers.push_back(exact_layer(l, stream));
        stream = Stream::identity(l.outputs, l.activation == Activation::relu);
      }
    }
    block.readout = exact_layer(g.head, stream);
    block.readout.activation = Activation::identity;
    out.add_grade(std::move(block));
  }
  return out;
}

}  // namespace mgdl::train
