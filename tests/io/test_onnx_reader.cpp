// Hand-made ONNX graphs: every supported op decodes to the exact network, and
// every unsupported construct is a one-line InputError naming node, op and why.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "exact_float.hpp"
#include "mgdl/io/network_file.hpp"
#include "onnx_builder.hpp"

using mgdl::io::InputError;
using mgdl::io::testing::OnnxBuilder;
using mgdl::net::Activation;
using mgdl::num::Rational;
namespace io = mgdl::io;

namespace {

std::string error_of(const OnnxBuilder& b) {
  try {
    io::read_network_bytes(b.bytes(), "m.onnx");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

Rational f32(float x) {
  return *mgdl::io::detail::exact_float(x);
}

// y = w2 . relu(W1 x + b1) + b2 with torch's layout (Gemm transB=1), d = 2, width 3.
OnnxBuilder torch_mlp(const std::string& act = "Relu") {
  OnnxBuilder b(2);
  b.f32("W1", {3, 2}, {0.1f, -0.5f, 1.25f, 2.0f, -3.0f, 0.3f});
  b.f32("b1", {3}, {0.0f, 0.7f, -0.2f});
  b.f32("W2", {1, 3}, {1.0f, -2.0f, 0.5f});
  b.f32("b2", {1}, {0.25f});
  auto& g1 = b.node("Gemm", "Gemm_0", {"x", "W1", "b1"}, "h");
  OnnxBuilder::int_attr(g1, "transB", 1);
  b.node(act, act + "_1", {"h"}, "a");
  auto& g2 = b.node("Gemm", "Gemm_2", {"a", "W2", "b2"}, "y");
  OnnxBuilder::int_attr(g2, "transB", 1);
  b.output("y");
  return b;
}

}  // namespace

TEST_CASE("torch's Gemm(transB=1) + Relu MLP decodes exactly, one grade") {
  io::ImportedNetwork n = io::read_network_bytes(torch_mlp().bytes(), "m.onnx");
  CHECK(n.format == "onnx");
  CHECK(n.weight_type == "float32");
  REQUIRE(n.network.grades() == 1);
  CHECK(n.network.input_dimension() == 2);
  const auto& block = n.network.block(1);
  REQUIRE(block.layers.size() == 1);
  const auto& l = block.layers[0];
  CHECK(l.activation == Activation::relu);
  CHECK(l.outputs == 3);
  REQUIRE(l.weights.size() == 6);
  CHECK(l.weights[0].value == Rational(13421773, 134217728));  // 0.1f exactly
  CHECK(l.weights[5].value == f32(0.3f));
  CHECK(l.bias[1] == f32(0.7f));
  CHECK(n.layer_names == std::vector<std::string>{"Relu_1", "Gemm_2"});
  // Φ at a point, by hand: h = W1 x + b1, y = w2 . relu(h) + b2.
  const std::vector<Rational> x{Rational(1, 2), Rational(-1, 3)};
  Rational y = f32(0.25f);
  const float w1[3][2] = {{0.1f, -0.5f}, {1.25f, 2.0f}, {-3.0f, 0.3f}};
  const float b1[3] = {0.0f, 0.7f, -0.2f}, w2[3] = {1.0f, -2.0f, 0.5f};
  for (int i = 0; i < 3; ++i) {
    Rational h = f32(b1[i]) + f32(w1[i][0]) * x[0] + f32(w1[i][1]) * x[1];
    if (h > 0) y += f32(w2[i]) * h;
  }
  CHECK(n.network.evaluate(x, 1) == y);
}

TEST_CASE("Tanh, Sigmoid and Sin become smooth layers") {
  for (auto [op, act] : {std::pair{"Tanh", Activation::tanh}, std::pair{"Sigmoid", Activation::sigmoid},
                         std::pair{"Sin", Activation::sin}}) {
    io::ImportedNetwork n = io::read_network_bytes(torch_mlp(op).bytes(), "m.onnx");
    CHECK(n.network.block(1).layers[0].activation == act);
    CHECK_FALSE(n.network.piecewise_linear());
  }
}

TEST_CASE("Gemm alpha, beta and transB=0; MatMul, Add, Sub, Mul, Identity, Flatten and Constant") {
  // Branch 1: Gemm(alpha=2, beta=1/2, transB=0) on x (d = 1), Relu.
  OnnxBuilder b(1);
  b.f64("B", {1, 2}, {1.0, -1.0});
  b.f64("C", {2}, {0.5, 3.0});
  auto& g = b.node("Gemm", "G", {"x", "B", "C"}, "g");
  OnnxBuilder::float_attr(g, "alpha", 2.0f);
  OnnxBuilder::float_attr(g, "beta", 0.5f);
  b.node("Relu", "R1", {"g"}, "r1");
  // MatMul by [2x2], then Add constant, Sub from a constant, Mul by a constant (scalar from Constant).
  b.f64("M", {2, 2}, {1.0, 2.0, 3.0, 4.0});
  b.node("MatMul", "MM", {"r1", "M"}, "mm");
  b.f64("c", {2}, {1.0, -1.0});
  b.node("Add", "A", {"c", "mm"}, "a");
  b.f64("k", {1}, {10.0});
  b.node("Sub", "S", {"k", "a"}, "s");  // 10 - a
  auto& cst = b.node("Constant", "K", {}, "three");
  auto* attr = cst.add_attribute();
  attr->set_name("value_float");
  attr->set_type(onnx::AttributeProto::FLOAT);
  attr->set_f(3.0f);
  b.node("Mul", "Mu", {"s", "three"}, "m");
  b.node("Identity", "I", {"m"}, "i");
  b.node("Flatten", "F", {"i"}, "f");
  b.node("Relu", "R2", {"f"}, "r2");
  b.f64("w", {2, 1}, {1.0, 1.0});
  b.node("MatMul", "Head", {"r2", "w"}, "y");
  b.output("y");
  io::ImportedNetwork n = io::read_network_bytes(b.bytes(), "m.onnx");
  CHECK(n.weight_type == "mixed");
  REQUIRE(n.network.grades() == 1);
  REQUIRE(n.network.block(1).layers.size() == 2);
  for (int k = -20; k <= 20; ++k) {
    const Rational x(k, 7);
    // r1 = relu(2 [x, -x] + [1/4, 3/2]); a = r1 M + c; m = 3 (10 - a); y = Σ relu(m).
    Rational r[2] = {2 * x + Rational(1, 4), -2 * x + Rational(3, 2)};
    for (auto& v : r) v = v > 0 ? v : Rational(0);
    Rational a[2] = {r[0] * 1 + r[1] * 3 + 1, r[0] * 2 + r[1] * 4 - 1};
    Rational y = 0;
    for (auto& v : a) {
      const Rational m = 3 * (10 - v);
      if (m > 0) y += m;
    }
    CHECK(n.network.evaluate({x}, 1) == y);
  }
}

TEST_CASE("a stair network: the output is the Add of two heads along one chain") {
  OnnxBuilder s(1);
  s.f32("W1", {2, 1}, {1.0f, -1.0f});
  s.f32("b1", {2}, {0.0f, 0.5f});
  s.f32("H1", {1, 2}, {1.0f, 1.0f});
  s.f32("c1", {1}, {0.125f});
  s.f32("W2", {2, 2}, {1.0f, 2.0f, -1.0f, 0.5f});
  s.f32("b2", {2}, {-0.25f, 0.0f});
  s.f32("H2", {1, 2}, {-1.0f, 3.0f});
  s.f32("c2", {1}, {-0.5f});
  s.stair2();
  io::ImportedNetwork n = io::read_network_bytes(s.bytes(), "m.onnx");
  REQUIRE(n.network.grades() == 2);
  CHECK(n.layer_names == std::vector<std::string>{"R1", "Head1", "R2", "Head2"});
  for (int k = -10; k <= 10; ++k) {
    const Rational x(k, 4);
    Rational a1[2] = {x, -x + Rational(1, 2)};
    for (auto& v : a1) v = v > 0 ? v : Rational(0);
    const Rational g1 = a1[0] + a1[1] + Rational(1, 8);
    Rational a2[2] = {a1[0] + 2 * a1[1] - Rational(1, 4), -a1[0] + a1[1] / 2};
    for (auto& v : a2) v = v > 0 ? v : Rational(0);
    const Rational g2 = -a2[0] + 3 * a2[1] - Rational(1, 2);
    CHECK(n.network.evaluate_grade({x}, 1) == g1);
    CHECK(n.network.evaluate({x}, 2) == g1 + g2);
  }
  // regroup(1) merges both grades into one exact block with the same Φ_2.
  io::ImportedNetwork one = io::regroup(n, 1);
  REQUIRE(one.network.grades() == 1);
  for (int k = -10; k <= 10; ++k)
    CHECK(one.network.evaluate({Rational(k, 4)}, 1) == n.network.evaluate({Rational(k, 4)}, 2));
  CHECK(one.layer_names == std::vector<std::string>{"R1", "R2", "heads of grades 1..2"});
  auto error = [&](int g) {
    try {
      io::regroup(n, g);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK(error(3) == "--grades 3: the network has 2 grades; give 1 to 2");
  CHECK(error(0) == "--grades 0: the network has 2 grades; give 1 to 2");

  // Metadata: an extra grade end without a head is a grade with a zero head.
  OnnxBuilder z = s;
  z.meta("mgdl.grade_outputs", "a1,a2");
  z.meta("mgdl.grades", "2");
  z.meta("mgdl.domain", "[[\"-5/2\", \"5/2\"]]");
  z.meta("mgdl.target", "abs(x)");
  io::ImportedNetwork m = io::read_network_bytes(z.bytes(), "m.onnx");
  CHECK(m.network.grades() == 2);
  CHECK(m.target == std::optional<std::string>("abs(x)"));
  CHECK(m.domain == std::vector<io::Interval>{{Rational(-5, 2), Rational(5, 2)}});
  CHECK(m.metadata.at("mgdl.grades") == "2");
  OnnxBuilder wrong = s;
  wrong.meta("mgdl.grades", "3");
  CHECK(error_of(wrong) == "m.onnx: ONNX model: mgdl.grades is '3' but the graph has 2 grades");
}

TEST_CASE("a grade with a zero head, from mgdl.grade_outputs") {
  OnnxBuilder b = torch_mlp();
  // Split the one chain after the Relu named in the metadata; the x itself
  // ends grade 1 (no layers, zero head).
  b.meta("mgdl.grade_outputs", "x,a");
  io::ImportedNetwork n = io::read_network_bytes(b.bytes(), "m.onnx");
  REQUIRE(n.network.grades() == 2);
  CHECK(n.network.block(1).layers.empty());
  CHECK(n.network.evaluate({Rational(1), Rational(2)}, 1) == 0);
  CHECK(n.layer_names.front() == "zero head on 'x'");
}

TEST_CASE("unsupported ops and malformed graphs: one line naming node, op and why") {
  {
    OnnxBuilder b = torch_mlp();
    b.graph().mutable_node(1)->set_op_type("LeakyRelu");
    CHECK(error_of(b) == "m.onnx: ONNX node 'Relu_1' (LeakyRelu): unsupported operator");
  }
  for (const char* op : {"Conv", "Div", "Reshape", "Softplus", "Concat", "Max"}) {
    OnnxBuilder b = torch_mlp();
    b.graph().mutable_node(1)->set_op_type(op);
    CHECK(error_of(b) == std::string("m.onnx: ONNX node 'Relu_1' (") + op + "): unsupported operator");
  }
  {
    OnnxBuilder b = torch_mlp();
    auto* t = b.graph().mutable_initializer(0);
    t->clear_raw_data();
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* e = t->add_external_data();
    e->set_key("location");
    e->set_value("weights.bin");
    CHECK(error_of(b) ==
          "m.onnx: ONNX node 'Gemm_0' (Gemm): initializer 'W1': external data is not supported");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.f32("W1x", {3, 2}, {0.1f, std::nanf(""), 1.0f, 2.0f, 3.0f, 4.0f});
    b.graph().mutable_node(0)->set_input(1, "W1x");
    CHECK(error_of(b) == "m.onnx: ONNX node 'Gemm_0' (Gemm): initializer 'W1x': NaN weight at index 1");
    b.f32("b1x", {3}, {0.0f, 0.0f, -std::numeric_limits<float>::infinity()});
    b.graph().mutable_node(0)->set_input(1, "W1");
    b.graph().mutable_node(0)->set_input(2, "b1x");
    CHECK(error_of(b) == "m.onnx: ONNX node 'Gemm_0' (Gemm): initializer 'b1x': infinite weight at index 2");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.f32("W2x", {1, 4}, {1.0f, 1.0f, 1.0f, 1.0f});
    b.graph().mutable_node(2)->set_input(1, "W2x");
    CHECK(error_of(b) ==
          "m.onnx: ONNX node 'Gemm_2' (Gemm): shape mismatch: B is 1x4 (transB=1), A has 3 features");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.f32("W2x", {2, 3}, {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f});
    b.f32("b2x", {2}, {0.0f, 0.0f});
    b.graph().mutable_node(2)->set_input(1, "W2x");
    b.graph().mutable_node(2)->set_input(2, "b2x");
    CHECK(error_of(b) == "m.onnx: ONNX model: graph output 'y' is not scalar (2 values per input)");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.graph().mutable_initializer(0)->set_data_type(onnx::TensorProto::FLOAT16);
    CHECK(error_of(b) ==
          "m.onnx: ONNX node 'Gemm_0' (Gemm): initializer 'W1': element type FLOAT16 is not supported (FLOAT "
          "or DOUBLE)");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.graph().mutable_initializer(0)->mutable_raw_data()->resize(20);
    CHECK(error_of(b) ==
          "m.onnx: ONNX node 'Gemm_0' (Gemm): initializer 'W1': raw_data holds 20 bytes, 3x2 needs 24");
  }
  {
    OnnxBuilder b = torch_mlp();
    OnnxBuilder::int_attr(*b.graph().mutable_node(0), "transA", 1);
    CHECK(error_of(b) == "m.onnx: ONNX node 'Gemm_0' (Gemm): transA=1 is not supported");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.graph().mutable_node(2)->set_input(1, "a");
    CHECK(error_of(b) ==
          "m.onnx: ONNX node 'Gemm_2' (Gemm): operand B must be a constant (initializer or Constant)");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.graph().mutable_node(1)->set_input(0, "nope");
    CHECK(error_of(b) ==
          "m.onnx: ONNX node 'Relu_1' (Relu): input 'nope' is not defined by an earlier node or initializer");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.node("Mul", "Square", {"y", "y"}, "y2");
    b.graph().mutable_output(0)->set_name("y2");
    CHECK(error_of(b) == "m.onnx: ONNX node 'Square' (Mul): product of two network values is not affine");
  }
  {
    // A skip connection: relu(W x) + x feeds another Relu.
    OnnxBuilder b(1);
    b.f32("W", {1, 1}, {2.0f});
    b.node("MatMul", "MM", {"x", "W"}, "p");
    b.node("Relu", "R", {"p"}, "r");
    b.node("Add", "Skip", {"r", "x"}, "s");
    b.node("Relu", "R2", {"s"}, "y");
    b.output("y");
    CHECK(error_of(b) ==
          "m.onnx: ONNX node 'R2' (Relu): the input sums several chains (a skip connection); only stair "
          "networks are "
          "supported");
  }
  {
    // Two heads on two different chains.
    OnnxBuilder b(1);
    b.f32("W", {1, 1}, {2.0f});
    b.node("MatMul", "MM1", {"x", "W"}, "p");
    b.node("Relu", "R1", {"p"}, "r1");
    b.node("MatMul", "MM2", {"x", "W"}, "q");
    b.node("Relu", "R2", {"q"}, "r2");
    b.node("Add", "Sum", {"r1", "r2"}, "y");
    b.output("y");
    CHECK(error_of(b) ==
          "m.onnx: ONNX model: the heads read 'r1' and 'r2', which are not on one chain; only stair networks "
          "are "
          "supported");
  }
  {
    OnnxBuilder b(1, 9);
    CHECK(error_of(b) == "m.onnx: ONNX model: opset 9 is not supported (11 to 17)");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.output("h");
    CHECK(error_of(b) == "m.onnx: ONNX model: the graph has 2 outputs; one scalar output is expected");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.graph().mutable_node(1)->set_domain("com.microsoft");
    CHECK(error_of(b) == "m.onnx: ONNX node 'Relu_1' (Relu): unsupported operator (domain 'com.microsoft')");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.graph()
        .mutable_input(0)
        ->mutable_type()
        ->mutable_tensor_type()
        ->mutable_shape()
        ->mutable_dim(1)
        ->set_dim_param("d");
    CHECK(error_of(b) == "m.onnx: ONNX model: graph input 'x' has no fixed input dimension");
  }
  {
    OnnxBuilder b = torch_mlp();
    b.meta("mgdl.domain", "[[0,1]]");
    CHECK(error_of(b) == "m.onnx: mgdl.domain has 1 intervals, the network reads 2 inputs");
  }
  CHECK_THROWS_WITH_AS(io::read_network_bytes(std::string("\x08\x07\x12\xff", 4), "junk"),
                       "junk: not an ONNX model, safetensors file or mgdl network JSON", InputError);
}
