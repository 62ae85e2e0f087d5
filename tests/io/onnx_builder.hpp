// Hand-made ONNX models for the reader tests, through the protobuf API.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstring>
#include <string>
#include <vector>

namespace mgdl::io::testing {

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int d, int opset = 14) {
    model_.set_ir_version(8);
    model_.add_opset_import()->set_version(opset);
    auto* in = graph().add_input();
    in->set_name("x");
    auto* t = in->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_param("N");
    t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::GraphProto& graph() { return *model_.mutable_graph(); }
  onnx::ModelProto& model() { return model_; }

  // A float32 (raw_data) or float64 (double_data) initializer.
  onnx::TensorProto& f32(const std::string& name, std::vector<long> dims, const std::vector<float>& v) {
    onnx::TensorProto& t = *graph().add_initializer();
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (long d : dims) t.add_dims(d);
    std::string raw(v.size() * 4, '\0');
    std::memcpy(raw.data(), v.data(), raw.size());  // little-endian host
    t.set_raw_data(raw);
    return t;
  }
  onnx::TensorProto& f64(const std::string& name, std::vector<long> dims, const std::vector<double>& v) {
    onnx::TensorProto& t = *graph().add_initializer();
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::DOUBLE);
    for (long d : dims) t.add_dims(d);
    for (double x : v) t.add_double_data(x);
    return t;
  }
  onnx::NodeProto& node(const std::string& op, const std::string& name, std::vector<std::string> inputs,
                        const std::string& output) {
    onnx::NodeProto& n = *graph().add_node();
    n.set_op_type(op);
    n.set_name(name);
    for (auto& i : inputs) n.add_input(i);
    n.add_output(output);
    return n;
  }
  static void int_attr(onnx::NodeProto& n, const std::string& key, long v) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void float_attr(onnx::NodeProto& n, const std::string& key, float v) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  void output(const std::string& name) { graph().add_output()->set_name(name); }
  void meta(const std::string& key, const std::string& value) {
    auto* p = model_.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
  }
  // The graph torch.onnx.export writes for a 2-grade stair reading input x, from initializers
  // W1,b1,H1,c1 (grade 1) and W2,b2,H2,c2 (grade 2) added beforehand: Gemm(transB=1) + Relu
  // chains, one Gemm head per grade, the heads added into output y. `act1`, `act2` replace the
  // Relu of each grade (e.g. "Tanh", "Sigmoid", "Sin").
  void stair2(const std::string& act1 = "Relu", const std::string& act2 = "Relu") {
    auto gemm = [&](const std::string& name, std::vector<std::string> in, const std::string& out) {
      int_attr(node("Gemm", name, in, out), "transB", 1);
    };
    gemm("L1", {"x", "W1", "b1"}, "p1");
    node(act1, "R1", {"p1"}, "a1");
    gemm("Head1", {"a1", "H1", "c1"}, "h1");
    gemm("L2", {"a1", "W2", "b2"}, "p2");
    node(act2, "R2", {"p2"}, "a2");
    gemm("Head2", {"a2", "H2", "c2"}, "h2");
    node("Add", "Sum", {"h1", "h2"}, "y");
    output("y");
  }
  std::string bytes() const { return model_.SerializeAsString(); }

 private:
  onnx::ModelProto model_;
};

}  // namespace mgdl::io::testing
