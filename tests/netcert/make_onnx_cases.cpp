// make_onnx_cases DIR: writes hand-made ONNX stairs with known answers for
// certify_onnx.sh (the same networks as test_netcert.cpp's closed forms), in
// float32 and float64 weights:
//   violates_f{32,64}.onnx  f = x + 1 on [0, 1]; R_1 = (x + 1)/2 (P1 proven),
//     R_2 = R_1 − 6 relu(x − 1/2): D_2 = 5x − 4 > 0 exactly on (4/5, 1] (P1 refuted);
//   zero_head_f{32,64}.onnx the same with a zero second head: R_2 = R_1, D_2 = 0 (P1 proven);
//   smooth_f32.onnx  Sigmoid then Sin: 2 σ(3x/2 + 1/4), then sin(3 a_1 − 2)/4 (N8, N10).
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "../io/onnx_builder.hpp"

namespace {

std::string stair(bool f64, double head2) {
  mgdl::io::testing::OnnxBuilder s(1);
  auto w = [&](const std::string& name, std::vector<long> dims, const std::vector<double>& v) {
    if (f64) {
      s.f64(name, dims, v);
    } else {
      s.f32(name, dims, std::vector<float>(v.begin(), v.end()));
    }
  };
  if (f64)
    s.graph().mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto::DOUBLE);
  w("W1", {1, 1}, {1.0});
  w("b1", {1}, {0.0});
  w("H1", {1, 1}, {0.5});
  w("c1", {1}, {0.5});
  w("W2", {1, 1}, {1.0});
  w("b2", {1}, {-0.5});
  w("H2", {1, 1}, {head2});
  w("c2", {1}, {0.0});
  s.stair2();
  return s.bytes();
}

std::string smooth() {
  mgdl::io::testing::OnnxBuilder s(1);
  s.f32("W1", {1, 1}, {1.5F});
  s.f32("b1", {1}, {0.25F});
  s.f32("H1", {1, 1}, {2.0F});
  s.f32("c1", {1}, {0.0F});
  s.f32("W2", {1, 1}, {3.0F});
  s.f32("b2", {1}, {-2.0F});
  s.f32("H2", {1, 1}, {0.25F});
  s.f32("c2", {1}, {0.0F});
  s.stair2("Sigmoid", "Sin");
  return s.bytes();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_onnx_cases DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  for (bool f64 : {false, true}) {
    const std::string bits = f64 ? "64" : "32";
    for (auto [name, head2] : {std::pair<const char*, double>{"violates", 6.0}, {"zero_head", 0.0}}) {
      std::ofstream out(dir + "/" + name + "_f" + bits + ".onnx", std::ios::binary);
      out << stair(f64, head2);
      if (!out) {
        std::cerr << "error: cannot write to '" << dir << "'\n";
        return 2;
      }
    }
  }
  std::ofstream out(dir + "/smooth_f32.onnx", std::ios::binary);
  out << smooth();
  if (!out) {
    std::cerr << "error: cannot write to '" << dir << "'\n";
    return 2;
  }
  return 0;
}
