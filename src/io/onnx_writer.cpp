// mgdl networks as ONNX (opset 14, float64), in the layout torch.onnx.export
// writes for a stair MLP: Gemm(transB=1) + activation per hidden layer, a Gemm
// head per grade, Add of the heads. Initializer names follow the PyTorch
// module names (grades.{k}.layers.{i}.weight), so safetensors users see the
// same names.
#include <onnx/onnx_pb.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "exact_float.hpp"
#include "mgdl/io/network_file.hpp"

namespace mgdl::io {
namespace {

class Writer {
 public:
  explicit Writer(onnx::GraphProto& graph) : graph_(graph) {}

  // Initializer `name` [outputs, inputs] (weight) or [outputs] (bias) in binary64.
  void initializer(const std::string& name, const net::AffineLayer& layer, bool weight,
                   const std::string& where) {
    onnx::TensorProto* t = graph_.add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::DOUBLE);
    t->add_dims(layer.outputs);
    if (weight) t->add_dims(layer.inputs);
    std::vector<num::Rational> values;
    if (weight) {
      values.assign(static_cast<std::size_t>(layer.outputs) * static_cast<std::size_t>(layer.inputs),
                    num::Rational(0));
      for (const auto& e : layer.weights)
        values[static_cast<std::size_t>(e.row) * static_cast<std::size_t>(layer.inputs) +
               static_cast<std::size_t>(e.col)] = e.value;
    } else {
      values = layer.bias;
    }
    std::string raw(values.size() * 8, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
      auto x = detail::binary64_of(values[i]);
      if (!x && exact) {
        exact = false;
        const std::size_t cols = static_cast<std::size_t>(layer.inputs);
        first_inexact =
            where + (weight ? " weight [" + std::to_string(i / cols) + "," + std::to_string(i % cols) + "]"
                            : " bias [" + std::to_string(i) + "]");
      }
      double v = x ? *x : num::to_double_nearest(values[i]);
      // A finite product such as Gemm's alpha * W can exceed the binary64 range; an
      // infinity would make the file unreadable, so it becomes the nearest finite value.
      if (!std::isfinite(v)) v = std::copysign(std::numeric_limits<double>::max(), v);
      std::uint64_t bits = 0;
      std::memcpy(&bits, &v, sizeof bits);
      for (int b = 0; b < 8; ++b)
        raw[8 * i + static_cast<std::size_t>(b)] = static_cast<char>(bits >> (8 * b));
    }
    t->set_raw_data(raw);
  }

  // Gemm(input, W, b, transB=1) -> output.
  void gemm(const std::string& node, const std::string& input, const std::string& prefix,
            const std::string& output, const net::AffineLayer& layer, const std::string& where) {
    initializer(prefix + ".weight", layer, true, where);
    initializer(prefix + ".bias", layer, false, where);
    onnx::NodeProto* n = graph_.add_node();
    n->set_name(node);
    n->set_op_type("Gemm");
    n->add_input(input);
    n->add_input(prefix + ".weight");
    n->add_input(prefix + ".bias");
    n->add_output(output);
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name("transB");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(1);
  }

  void node(const std::string& op, const std::string& name, const std::vector<std::string>& inputs,
            const std::string& output) {
    onnx::NodeProto* n = graph_.add_node();
    n->set_name(name);
    n->set_op_type(op);
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(output);
  }

  bool exact = true;
  std::string first_inexact;

 private:
  onnx::GraphProto& graph_;
};

void tensor_type(onnx::ValueInfoProto* v, const std::string& name, int features) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::DOUBLE);
  t->mutable_shape()->add_dim()->set_dim_param("batch");
  t->mutable_shape()->add_dim()->set_dim_value(features);
}

const char* onnx_op(net::Activation a) {
  switch (a) {
    case net::Activation::relu:
      return "Relu";
    case net::Activation::tanh:
      return "Tanh";
    case net::Activation::sigmoid:
      return "Sigmoid";
    case net::Activation::sin:
      return "Sin";
    case net::Activation::identity:
      return "Identity";
  }
  return "Identity";
}

}  // namespace

OnnxExport write_onnx(const net::MultigradeNetwork& network,
                      const std::map<std::string, std::string>& metadata) {
  if (network.grades() < 1) throw std::invalid_argument("write_onnx: the network has no grades");
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("mgdl");
  model.add_opset_import()->set_version(14);
  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("mgdl_network");
  tensor_type(graph.add_input(), "x", network.input_dimension());
  Writer w(graph);
  std::string features = "x", sum, grade_outputs;
  for (int m = 1; m <= network.grades(); ++m) {
    const net::GradeBlock& block = network.block(m);
    const std::string grade = "grades." + std::to_string(m - 1);
    for (std::size_t l = 0; l < block.layers.size(); ++l) {
      const std::string layer = grade + ".layers." + std::to_string(l);
      const std::string where = "grade " + std::to_string(m) + " layer " + std::to_string(l + 1);
      const net::Activation act = block.layers[l].activation;
      // An identity hidden layer is an Identity node after the Gemm: the
      // reader then folds it into the next layer (the same function).
      w.gemm(layer + ".linear", features, layer, layer + ".pre", block.layers[l], where);
      w.node(onnx_op(act), layer + ".act", {layer + ".pre"}, layer + ".out");
      features = layer + ".out";
    }
    const std::string head = grade + ".head";
    w.gemm(head, features, head, head + ".out", block.readout, "grade " + std::to_string(m) + " head");
    grade_outputs += (m > 1 ? "," : "") + features;
    if (m == 1) {
      sum = head + ".out";
    } else {
      const std::string next = m == network.grades() ? "y" : "sum." + std::to_string(m);
      w.node("Add", "sum." + std::to_string(m), {sum, head + ".out"}, next);
      sum = next;
    }
  }
  if (network.grades() == 1) w.node("Identity", "output", {sum}, "y");
  tensor_type(graph.add_output(), "y", 1);

  std::map<std::string, std::string> meta = metadata;
  meta["mgdl.grades"] = std::to_string(network.grades());
  meta["mgdl.grade_outputs"] = grade_outputs;
  meta["mgdl.exact"] =
      w.exact ? "true" : "false: " + w.first_inexact + " is not a binary64 value (rounded to nearest)";
  for (const auto& [k, v] : meta) {
    auto* p = model.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  OnnxExport out;
  out.exact = w.exact;
  out.first_inexact = w.first_inexact;
  if (!model.SerializeToString(&out.bytes)) throw std::runtime_error("write_onnx: serialization failed");
  return out;
}

}  // namespace mgdl::io
