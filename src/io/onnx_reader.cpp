// ONNX graphs to exact stair networks. Every value in the graph is tracked
// symbolically as an affine function of activation outputs ("bases"):
// value = Σ_terms (W_t · base_t + b_t). Linear ops (Gemm, MatMul, Add/Sub/Mul
// with constants, Flatten, Identity) transform the terms exactly; an
// activation turns a one-term value into a new base (a layer). The graph
// output must be a scalar sum of terms whose bases lie on one chain: each
// term is the head of one grade.
#include "exact_float.hpp"
#include "readers.hpp"
#include "stair.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace mgdl::io::detail {
namespace {

using num::Rational;

// Large enough for any network we can certify (a 2048 x 2048 layer); keeps
// hostile dimensions from exhausting memory.
constexpr std::int64_t kMaxElements = std::int64_t{1} << 22;

struct Tensor {
  std::vector<std::int64_t> dims;
  std::vector<Rational> values;
  std::int64_t size() const { return static_cast<std::int64_t>(values.size()); }
};

struct Term {
  int base = 0;
  bool identity = false;    // W = I and b = 0 (a fresh activation output)
  std::vector<Rational> w;  // rows x dim(base), row-major (unless identity)
  std::vector<Rational> b;  // rows (unless identity)
  std::string origin;       // the node that first transformed the base
};

struct Value {
  bool constant = false;
  Tensor tensor;  // when constant
  int rows = 0;   // features per input point (when not constant)
  std::vector<Term> terms;
};

struct Base {
  int parent = -1;  // -1 for the network input
  int depth = 0;
  DenseLayer layer;    // from the parent's features (unused for the input)
  std::string tensor;  // the ONNX value name of the activation output
  int dim = 0;
};

std::string format_dims(const std::vector<std::int64_t>& dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return dims.empty() ? "a scalar" : s;
}

class GraphReader {
 public:
  GraphReader(const onnx::ModelProto& model, const std::string& name) : model_(model), name_(name) {}

  ImportedNetwork read() {
    check_opset();
    const onnx::GraphProto& g = model_.graph();
    for (const auto& init : g.initializer()) initializers_[init.name()] = &init;
    if (g.sparse_initializer_size() > 0) fail_model("sparse initializers are not supported");
    read_input(g);
    for (int i = 0; i < g.node_size(); ++i) read_node(g.node(i), i);
    ImportedNetwork out;
    out.format = "onnx";
    for (const auto& p : model_.metadata_props()) out.metadata[p.key()] = p.value();
    out.network = stair(g, out);
    out.weight_type = saw_f32_ || saw_f64_ ? weight_type(saw_f32_, saw_f64_) : "float32";
    return out;
  }

 private:
  [[noreturn]] void fail_model(const std::string& why) const {
    throw InputError(name_ + ": ONNX model: " + why);
  }
  [[noreturn]] void fail_node(const std::string& why) const {
    throw InputError(name_ + ": ONNX node '" + node_name_ + "' (" + node_op_ + "): " + why);
  }

  void check_opset() {
    bool found = false;
    for (const auto& op : model_.opset_import())
      if (op.domain().empty() || op.domain() == "ai.onnx") {
        found = true;
        if (op.version() < 11 || op.version() > 17)
          fail_model("opset " + std::to_string(op.version()) + " is not supported (11 to 17)");
      }
    if (!found) fail_model("no opset for the default domain");
  }

  void read_input(const onnx::GraphProto& g) {
    const onnx::ValueInfoProto* input = nullptr;
    for (const auto& in : g.input()) {
      if (initializers_.count(in.name())) continue;  // IR < 4 lists initializers as inputs
      if (input != nullptr)
        fail_model("more than one graph input ('" + input->name() + "', '" + in.name() + "')");
      input = &in;
    }
    if (input == nullptr) fail_model("no graph input");
    const auto& type = input->type();
    if (!type.has_tensor_type() || !type.tensor_type().has_shape())
      fail_model("graph input '" + input->name() + "' has no tensor shape");
    const auto& shape = type.tensor_type().shape();
    if (shape.dim_size() < 1 || shape.dim_size() > 2)
      fail_model("graph input '" + input->name() + "' has rank " + std::to_string(shape.dim_size()) +
                 "; expected [batch, d] or [d]");
    const auto& last = shape.dim(shape.dim_size() - 1);
    if (!last.has_dim_value() || last.dim_value() < 1 || last.dim_value() > 1 << 20)
      fail_model("graph input '" + input->name() + "' has no fixed input dimension");
    d_ = static_cast<int>(last.dim_value());
    Base input_base;
    input_base.tensor = input->name();
    input_base.dim = d_;
    bases_.push_back(std::move(input_base));
    values_[input->name()] = fresh(0, "");
  }

  Value fresh(int base, const std::string& origin) const {
    Value v;
    v.rows = bases_[static_cast<std::size_t>(base)].dim;
    Term t;
    t.base = base;
    t.identity = true;
    t.origin = origin;
    v.terms.push_back(std::move(t));
    return v;
  }

  // ---- tensors ----------------------------------------------------------

  Tensor decode(const onnx::TensorProto& t, const std::string& what) {
    const std::string where = what + " '" + t.name() + "'";
    if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
      fail_node(where + ": external data is not supported");
    Tensor out;
    std::int64_t n = 1;
    for (std::int64_t dim : t.dims()) {
      if (dim < 0 || (dim > 0 && n > kMaxElements / dim)) fail_node(where + ": bad dimensions");
      n *= dim;
      out.dims.push_back(dim);
    }
    const bool f32 = t.data_type() == onnx::TensorProto::FLOAT;
    const bool f64 = t.data_type() == onnx::TensorProto::DOUBLE;
    if (!f32 && !f64)
      fail_node(where + ": element type " + onnx::TensorProto_DataType_Name(t.data_type()) +
                " is not supported (FLOAT or DOUBLE)");
    std::vector<double> raw;
    if (t.has_raw_data()) {
      const std::string& data = t.raw_data();
      const std::size_t width = f32 ? 4 : 8;
      if (data.size() != static_cast<std::size_t>(n) * width)
        fail_node(where + ": raw_data holds " + std::to_string(data.size()) + " bytes, " +
                  format_dims(out.dims) + " needs " + std::to_string(static_cast<std::size_t>(n) * width));
      const auto* p = reinterpret_cast<const unsigned char*>(data.data());
      for (std::int64_t i = 0; i < n; ++i)
        raw.push_back(f32 ? static_cast<double>(load_f32_le(p + 4 * i)) : load_f64_le(p + 8 * i));
    } else if (f32) {
      if (t.float_data_size() != n)
        fail_node(where + ": float_data size does not match " + format_dims(out.dims));
      for (float x : t.float_data()) raw.push_back(static_cast<double>(x));
    } else {
      if (t.double_data_size() != n)
        fail_node(where + ": double_data size does not match " + format_dims(out.dims));
      for (double x : t.double_data()) raw.push_back(x);
    }
    out.values.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      auto r = exact_double(raw[i]);
      if (!r)
        fail_node(where + ": " + (std::isnan(raw[i]) ? "NaN" : "infinite") + " weight at index " +
                  std::to_string(i));
      out.values.push_back(std::move(*r));
    }
    (f32 ? saw_f32_ : saw_f64_) = true;
    return out;
  }

  // The value of a node input: an earlier node's output, the graph input, or
  // an initializer (decoded on first use).
  const Value& input(const onnx::NodeProto& node, int k) {
    if (k >= node.input_size() || node.input(k).empty()) fail_node("missing input " + std::to_string(k + 1));
    const std::string& name = node.input(k);
    auto it = values_.find(name);
    if (it != values_.end()) return it->second;
    auto init = initializers_.find(name);
    if (init == initializers_.end())
      fail_node("input '" + name + "' is not defined by an earlier node or initializer");
    Value v;
    v.constant = true;
    v.tensor = decode(*init->second, "initializer");
    return values_[name] = std::move(v);
  }
  bool has_input(const onnx::NodeProto& node, int k) const {
    return k < node.input_size() && !node.input(k).empty();
  }

  const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const std::string& key) const {
    for (const auto& a : node.attribute())
      if (a.name() == key) return &a;
    return nullptr;
  }
  std::int64_t int_attribute(const onnx::NodeProto& node, const std::string& key,
                             std::int64_t fallback) const {
    const auto* a = attribute(node, key);
    return a == nullptr ? fallback : a->i();
  }
  Rational float_attribute(const onnx::NodeProto& node, const std::string& key) {
    const auto* a = attribute(node, key);
    if (a == nullptr) return Rational(1);
    auto r = exact_float(a->f());
    if (!r) fail_node("attribute " + key + " is not finite");
    return *r;
  }

  // ---- symbolic affine values --------------------------------------------

  Value affine(const Value& v, const std::string& operand) {
    if (v.constant) fail_node(operand + " is a constant; it must depend on the network input");
    return v;
  }

  void check_size(std::int64_t weights) const {
    if (weights > kMaxElements) fail_node("too large (" + std::to_string(weights) + " weights in one layer)");
  }

  // v <- M v with M given as m(j, i) for n outputs, k = v.rows inputs.
  template <class Matrix>
  void apply_linear(Value& v, int n, const Matrix& m) {
    const int k = v.rows;
    for (Term& t : v.terms) {
      const int dim = bases_[static_cast<std::size_t>(t.base)].dim;
      check_size(std::int64_t{n} * dim);
      std::vector<Rational> w(static_cast<std::size_t>(n) * dim);
      std::vector<Rational> b(static_cast<std::size_t>(n));
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < k; ++i) {
          const Rational& mji = m(j, i);
          if (mji == 0) continue;
          if (t.identity) {
            w[static_cast<std::size_t>(j) * dim + i] += mji;
            continue;
          }
          for (int c = 0; c < dim; ++c) {
            const Rational& wic = t.w[static_cast<std::size_t>(i) * dim + c];
            if (wic != 0) w[static_cast<std::size_t>(j) * dim + c] += mji * wic;
          }
          if (t.b[static_cast<std::size_t>(i)] != 0)
            b[static_cast<std::size_t>(j)] += mji * t.b[static_cast<std::size_t>(i)];
        }
      t.w = std::move(w);
      t.b = std::move(b);
      t.identity = false;
      if (t.origin.empty()) t.origin = node_name_;
    }
    v.rows = n;
  }

  // An identity term as an explicit matrix (rows == dim of its base).
  void materialize(Term& t, int rows) {
    if (!t.identity) return;
    check_size(std::int64_t{rows} * bases_[static_cast<std::size_t>(t.base)].dim);
    const int dim = bases_[static_cast<std::size_t>(t.base)].dim;
    t.w.assign(static_cast<std::size_t>(rows) * dim, Rational(0));
    for (int i = 0; i < rows; ++i) t.w[static_cast<std::size_t>(i) * dim + i] = 1;
    t.b.assign(static_cast<std::size_t>(rows), Rational(0));
    t.identity = false;
    if (t.origin.empty()) t.origin = node_name_;
  }

  // A constant broadcast along the features: one value or one per feature.
  const Rational& broadcast(const Tensor& c, int rows, int i, const std::string& operand) {
    if (c.size() == 1) return c.values[0];
    if (c.size() != rows)
      fail_node("shape mismatch: " + operand + " is " + format_dims(c.dims) + ", the other operand has " +
                std::to_string(rows) + " features");
    return c.values[static_cast<std::size_t>(i)];
  }

  void add_constant(Value& v, const Tensor& c, const Rational& sign, const std::string& operand) {
    Term& t = v.terms.back();  // a constant added to a sum of heads goes to the last one
    materialize(t, v.rows);
    for (int i = 0; i < v.rows; ++i)
      t.b[static_cast<std::size_t>(i)] += sign * broadcast(c, v.rows, i, operand);
  }

  void scale(Value& v, const Tensor& c, const std::string& operand) {
    for (Term& t : v.terms) {
      materialize(t, v.rows);
      const int dim = bases_[static_cast<std::size_t>(t.base)].dim;
      for (int i = 0; i < v.rows; ++i) {
        const Rational& s = broadcast(c, v.rows, i, operand);
        for (int col = 0; col < dim; ++col) t.w[static_cast<std::size_t>(i) * dim + col] *= s;
        t.b[static_cast<std::size_t>(i)] *= s;
      }
    }
  }

  // a + sign * b for two affine values (heads of several grades, or of one).
  Value add_values(Value a, Value b, const Rational& sign) {
    if (a.rows != b.rows)
      fail_node("shape mismatch: operands have " + std::to_string(a.rows) + " and " + std::to_string(b.rows) +
                " features");
    for (Term& t : b.terms) {
      materialize(t, b.rows);
      if (sign != 1) {
        for (Rational& x : t.w) x *= sign;
        for (Rational& x : t.b) x *= sign;
      }
      auto same =
          std::find_if(a.terms.begin(), a.terms.end(), [&](const Term& s) { return s.base == t.base; });
      if (same == a.terms.end()) {
        a.terms.push_back(std::move(t));
        continue;
      }
      materialize(*same, a.rows);
      for (std::size_t i = 0; i < t.w.size(); ++i) same->w[i] += t.w[i];
      for (std::size_t i = 0; i < t.b.size(); ++i) same->b[i] += t.b[i];
    }
    return a;
  }

  // ---- nodes ---------------------------------------------------------------

  void read_node(const onnx::NodeProto& node, int index) {
    node_op_ = node.op_type();
    node_name_ = node.name().empty() ? "#" + std::to_string(index) : node.name();
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      fail_node("unsupported operator (domain '" + node.domain() + "')");
    if (node.output_size() < 1 || node.output(0).empty()) fail_node("no output");
    const std::string& op = node_op_;
    Value result;
    if (op == "Gemm") {
      result = gemm(node);
    } else if (op == "MatMul") {
      result = matmul(node);
    } else if (op == "Add" || op == "Sub") {
      result = add_sub(node, op == "Sub" ? Rational(-1) : Rational(1));
    } else if (op == "Mul") {
      const Value& a = input(node, 0);
      const Value& b = input(node, 1);
      if (a.constant == b.constant)
        fail_node(a.constant ? "both operands are constants" : "product of two network values is not affine");
      const Value& c = a.constant ? a : b;
      result = affine(a.constant ? b : a, "operand");
      scale(result, c.tensor, "constant operand");
    } else if (op == "Relu" || op == "Tanh" || op == "Sigmoid" || op == "Sin") {
      result = activation(node, op == "Relu"      ? net::Activation::relu
                                : op == "Tanh"    ? net::Activation::tanh
                                : op == "Sigmoid" ? net::Activation::sigmoid
                                                  : net::Activation::sin);
    } else if (op == "Identity") {
      result = input(node, 0);
    } else if (op == "Flatten") {
      if (int_attribute(node, "axis", 1) != 1) fail_node("only axis=1 is supported");
      result = input(node, 0);  // [batch, features] stays [batch, features]
    } else if (op == "Constant") {
      result = constant(node);
    } else {
      fail_node("unsupported operator");
    }
    values_[node.output(0)] = std::move(result);
  }

  Value gemm(const onnx::NodeProto& node) {
    if (int_attribute(node, "transA", 0) != 0) fail_node("transA=1 is not supported");
    const bool trans_b = int_attribute(node, "transB", 0) != 0;
    const Rational alpha = float_attribute(node, "alpha");
    const Rational beta = float_attribute(node, "beta");
    const Value& bv = input(node, 1);
    if (!bv.constant) fail_node("operand B must be a constant (initializer or Constant)");
    const Tensor bt = bv.tensor;
    Value v = affine(input(node, 0), "operand A");
    if (bt.dims.size() != 2) fail_node("operand B must be a matrix, it is " + format_dims(bt.dims));
    const auto k = trans_b ? bt.dims[1] : bt.dims[0];
    const auto n = trans_b ? bt.dims[0] : bt.dims[1];
    if (k != v.rows)
      fail_node("shape mismatch: B is " + format_dims(bt.dims) + (trans_b ? " (transB=1)" : "") + ", A has " +
                std::to_string(v.rows) + " features");
    const int cols = static_cast<int>(bt.dims[1]);
    std::vector<Rational> m(static_cast<std::size_t>(n * k));
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t i = 0; i < k; ++i)
        m[static_cast<std::size_t>(j * k + i)] =
            alpha * bt.values[static_cast<std::size_t>(trans_b ? j * cols + i : i * cols + j)];
    apply_linear(v, static_cast<int>(n), [&](int j, int i) -> const Rational& {
      return m[static_cast<std::size_t>(j) * static_cast<std::size_t>(k) + static_cast<std::size_t>(i)];
    });
    if (has_input(node, 2)) {
      const Value& cv = input(node, 2);
      if (!cv.constant) fail_node("operand C must be a constant (initializer or Constant)");
      Tensor c = cv.tensor;
      for (Rational& x : c.values) x *= beta;
      add_constant(v, c, Rational(1), "C");
    }
    return v;
  }

  Value matmul(const onnx::NodeProto& node) {
    const Value& bv = input(node, 1);
    if (!bv.constant) fail_node("the right operand must be a constant (initializer or Constant)");
    const Tensor bt = bv.tensor;
    Value v = affine(input(node, 0), "the left operand");
    if (bt.dims.empty() || bt.dims.size() > 2) fail_node("the right operand must be a matrix or vector");
    const std::int64_t k = bt.dims[0];
    const std::int64_t n = bt.dims.size() == 2 ? bt.dims[1] : 1;
    if (k != v.rows)
      fail_node("shape mismatch: the right operand is " + format_dims(bt.dims) + ", the left has " +
                std::to_string(v.rows) + " features");
    apply_linear(v, static_cast<int>(n), [&](int j, int i) -> const Rational& {
      return bt.values[static_cast<std::size_t>(i * n + j)];
    });
    return v;
  }

  Value add_sub(const onnx::NodeProto& node, const Rational& sign) {
    const Value& a = input(node, 0);
    const Value& b = input(node, 1);
    if (a.constant && b.constant)
      fail_node("both operands are constants (constant folding is not supported)");
    if (!a.constant && !b.constant) return add_values(a, b, sign);
    if (b.constant) {
      Value v = a;
      add_constant(v, b.tensor, sign, "the constant operand");
      return v;
    }
    Value v = b;  // c + sign * v
    if (sign != 1) {
      Tensor minus_one;
      minus_one.values = {Rational(-1)};
      scale(v, minus_one, "");
    }
    add_constant(v, a.tensor, Rational(1), "the constant operand");
    return v;
  }

  Value activation(const onnx::NodeProto& node, net::Activation act) {
    Value v = affine(input(node, 0), "the input");
    if (v.terms.size() != 1)
      fail_node("the input sums several chains (a skip connection); only stair networks are supported");
    Term& t = v.terms.front();
    materialize(t, v.rows);
    Base base;
    base.parent = t.base;
    base.depth = bases_[static_cast<std::size_t>(t.base)].depth + 1;
    base.tensor = node.output(0);
    base.dim = v.rows;
    base.layer.rows = v.rows;
    base.layer.cols = bases_[static_cast<std::size_t>(t.base)].dim;
    base.layer.weight = std::move(t.w);
    base.layer.bias = std::move(t.b);
    base.layer.activation = act;
    base.layer.name = node_name_;
    bases_.push_back(std::move(base));
    return fresh(static_cast<int>(bases_.size()) - 1, "");
  }

  Value constant(const onnx::NodeProto& node) {
    Value v;
    v.constant = true;
    if (const auto* a = attribute(node, "value")) {
      v.tensor = decode(a->t(), "tensor");
    } else if (const auto* f = attribute(node, "value_float")) {
      auto r = exact_float(f->f());
      if (!r) fail_node("value_float is not finite");
      v.tensor.values = {*r};
      saw_f32_ = true;
    } else if (const auto* fs = attribute(node, "value_floats")) {
      for (float x : fs->floats()) {
        auto r = exact_float(x);
        if (!r) fail_node("value_floats holds a NaN or infinite value");
        v.tensor.values.push_back(*r);
      }
      v.tensor.dims = {v.tensor.size()};
      saw_f32_ = true;
    } else {
      fail_node("only the attributes value, value_float and value_floats are supported");
    }
    return v;
  }

  // ---- the stair structure ------------------------------------------------

  int base_of(const std::string& tensor) const {
    for (std::size_t i = 0; i < bases_.size(); ++i)
      if (bases_[i].tensor == tensor) return static_cast<int>(i);
    return -1;
  }

  net::MultigradeNetwork stair(const onnx::GraphProto& g, ImportedNetwork& out) {
    if (g.output_size() != 1)
      fail_model("the graph has " + std::to_string(g.output_size()) +
                 " outputs; one scalar output is expected");
    const std::string& y = g.output(0).name();
    auto it = values_.find(y);
    if (it == values_.end()) fail_model("graph output '" + y + "' is not computed by any node");
    Value v = it->second;
    if (v.constant) fail_model("graph output '" + y + "' does not depend on the input");
    if (v.rows != 1)
      fail_model("graph output '" + y + "' is not scalar (" + std::to_string(v.rows) + " values per input)");

    // Grade ends: the metadata's grade outputs, or the bases the heads read.
    std::vector<int> ends;
    auto meta = out.metadata.find("mgdl.grade_outputs");
    if (meta != out.metadata.end()) {
      for (const std::string& tensor : split_names(meta->second)) {
        const int b = base_of(tensor);
        if (b < 0) fail_model("mgdl.grade_outputs names '" + tensor + "', which is not an activation output");
        ends.push_back(b);
      }
      if (ends.empty()) fail_model("mgdl.grade_outputs is empty");
      for (const Term& t : v.terms)
        if (std::find(ends.begin(), ends.end(), t.base) == ends.end())
          fail_model("a head reads '" + bases_[static_cast<std::size_t>(t.base)].tensor +
                     "', which is not in mgdl.grade_outputs");
    } else {
      for (const Term& t : v.terms) ends.push_back(t.base);
      std::sort(ends.begin(), ends.end(), [&](int a, int b) { return depth(a) < depth(b); });
    }
    // All ends on the chain of the deepest one, strictly deeper one by one.
    const int deepest = ends.back();
    std::vector<int> chain;  // input first
    for (int b = deepest; b >= 0; b = bases_[static_cast<std::size_t>(b)].parent) chain.push_back(b);
    std::reverse(chain.begin(), chain.end());
    for (std::size_t k = 0; k < ends.size(); ++k) {
      if (std::find(chain.begin(), chain.end(), ends[k]) == chain.end())
        fail_model("the heads read '" + bases_[static_cast<std::size_t>(ends[k])].tensor + "' and '" +
                   bases_[static_cast<std::size_t>(deepest)].tensor +
                   "', which are not on one chain; only stair networks are supported");
      if (k > 0 && depth(ends[k]) <= depth(ends[k - 1]))
        fail_model("mgdl.grade_outputs must follow the chain, each deeper than the one before");
    }
    if (auto g_meta = out.metadata.find("mgdl.grades"); g_meta != out.metadata.end())
      if (g_meta->second != std::to_string(ends.size()))
        fail_model("mgdl.grades is '" + g_meta->second + "' but the graph has " +
                   std::to_string(ends.size()) + " grades");

    std::vector<DenseGrade> grades;
    std::size_t next = 1;  // chain[0] is the input
    for (int end : ends) {
      DenseGrade grade;
      for (; next < chain.size() && depth(chain[next]) <= depth(end); ++next)
        grade.layers.push_back(bases_[static_cast<std::size_t>(chain[next])].layer);
      grade.head = head(v, end);
      grades.push_back(std::move(grade));
    }
    return build_network(d_, grades, out.layer_names, name_);
  }

  DenseLayer head(Value& v, int base) {
    DenseLayer h;
    h.rows = 1;
    h.cols = bases_[static_cast<std::size_t>(base)].dim;
    h.activation = net::Activation::identity;
    for (Term& t : v.terms)
      if (t.base == base) {
        materialize(t, 1);
        h.weight = t.w;
        h.bias = t.b;
        h.name = t.origin.empty() ? "output '" + model_.graph().output(0).name() + "'" : t.origin;
        return h;
      }
    h.weight.assign(static_cast<std::size_t>(h.cols), Rational(0));
    h.bias = {Rational(0)};
    h.name = "zero head on '" + bases_[static_cast<std::size_t>(base)].tensor + "'";
    return h;
  }

  int depth(int base) const { return bases_[static_cast<std::size_t>(base)].depth; }

  static std::vector<std::string> split_names(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
      if (c == ',' || c == '[' || c == ']' || c == '"' || c == ' ') {
        if (c == ',' && !cur.empty()) out.push_back(cur), cur.clear();
        continue;
      }
      cur.push_back(c);
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
  }

  const onnx::ModelProto& model_;
  const std::string& name_;
  std::map<std::string, const onnx::TensorProto*> initializers_;
  std::map<std::string, Value> values_;
  std::vector<Base> bases_;
  int d_ = 0;
  bool saw_f32_ = false, saw_f64_ = false;
  std::string node_name_, node_op_;
};

}  // namespace

ImportedNetwork read_onnx(const std::string& bytes, const std::string& name) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    throw InputError(name + ": not an ONNX model, safetensors file or mgdl network JSON");
  return GraphReader(model, name).read();
}

}  // namespace mgdl::io::detail
