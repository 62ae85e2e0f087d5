// safetensors with PyTorch names: exact F32/F64 decoding, the activations
// from __metadata__, and one-line errors.
#include "exact_float.hpp"
#include "mgdl/io/network_file.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstring>

using mgdl::io::InputError;
using mgdl::num::Rational;
namespace io = mgdl::io;

namespace {

struct Entry {
  std::string name;
  std::vector<long> shape;
  std::vector<double> values;
  bool f32;
};

std::string safetensors(const std::vector<Entry>& entries, const nlohmann::json& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.is_null()) header["__metadata__"] = metadata;
  std::string data;
  for (const Entry& e : entries) {
    const std::size_t begin = data.size();
    for (double v : e.values) {
      char buf[8];
      if (e.f32) {
        const float f = static_cast<float>(v);
        std::memcpy(buf, &f, 4);
        data.append(buf, 4);
      } else {
        std::memcpy(buf, &v, 8);
        data.append(buf, 8);
      }
    }
    header[e.name] = {
        {"dtype", e.f32 ? "F32" : "F64"}, {"shape", e.shape}, {"data_offsets", {begin, data.size()}}};
  }
  const std::string h = header.dump();
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>((h.size() >> (8 * i)) & 0xff);
  return out + h + data;
}

std::vector<Entry> stair(bool f32) {
  return {{"grades.0.layers.0.weight", {2, 1}, {0.1, -1.0}, f32},
          {"grades.0.layers.0.bias", {2}, {0.0, 0.5}, f32},
          {"grades.0.head.weight", {1, 2}, {1.0, 1.0}, f32},
          {"grades.0.head.bias", {1}, {0.125}, f32},
          {"grades.1.layers.0.weight", {2, 2}, {1.0, 2.0, -1.0, 0.5}, !f32},
          {"grades.1.layers.0.bias", {2}, {-0.25, 0.0}, !f32},
          {"grades.1.layers.2.weight", {1, 2}, {1.0, 1.0}, !f32},
          {"grades.1.layers.2.bias", {1}, {0.0}, !f32},
          {"grades.1.head.weight", {1, 1}, {3.0}, !f32},
          {"grades.1.head.bias", {1}, {-0.5}, !f32}};
}

std::string error_of(const std::string& bytes) {
  try {
    io::read_network_bytes(bytes, "m.safetensors");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("safetensors stair network: exact weights, grades, activations from __metadata__") {
  const nlohmann::json meta = {{"mgdl.activations", R"([["sin"],["relu","tanh"]])"},
                               {"mgdl.domain", "[[-1,1]]"},
                               {"mgdl.target", "x^2"}};
  io::ImportedNetwork n = io::read_network_bytes(safetensors(stair(true), meta), "m.safetensors");
  CHECK(n.format == "safetensors");
  CHECK(n.weight_type == "mixed");
  CHECK(n.target == std::optional<std::string>("x^2"));
  REQUIRE(n.network.grades() == 2);
  CHECK(n.network.block(1).layers[0].activation == mgdl::net::Activation::sin);
  CHECK(n.network.block(2).layers[1].activation == mgdl::net::Activation::tanh);
  CHECK(n.network.block(1).layers[0].weights[0].value == Rational(13421773, 134217728));
  CHECK(n.layer_names == std::vector<std::string>{"grades.0.layers.0", "grades.0.head", "grades.1.layers.0",
                                                  "grades.1.layers.2", "grades.1.head"});
  // All-relu F64 (default activation): Φ by hand.
  io::ImportedNetwork r = io::read_network_bytes(safetensors(stair(false), nullptr), "m.safetensors");
  CHECK(r.weight_type == "mixed");
  const Rational x(-1, 3);
  const Rational w = *mgdl::io::detail::exact_double(0.1);
  Rational a[2] = {w * x, -x + Rational(1, 2)};
  for (auto& v : a) v = v > 0 ? v : Rational(0);
  const Rational g1 = a[0] + a[1] + Rational(1, 8);
  Rational b[2] = {a[0] + 2 * a[1] - Rational(1, 4), -a[0] + a[1] / 2};
  for (auto& v : b) v = v > 0 ? v : Rational(0);
  Rational c = b[0] + b[1];
  c = c > 0 ? c : Rational(0);
  CHECK(r.network.evaluate({x}, 2) == g1 + 3 * c - Rational(1, 2));
}

TEST_CASE("safetensors errors are one line") {
  auto entries = stair(false);
  entries[0].values[1] = std::nan("");
  CHECK(error_of(safetensors(entries, nullptr)) ==
        "m.safetensors: safetensors tensor 'grades.0.layers.0.weight': NaN weight at index 1");
  entries = stair(false);
  entries.push_back({"grades.0.extra", {1}, {1.0}, false});
  CHECK(error_of(safetensors(entries, nullptr)) ==
        "m.safetensors: safetensors tensor 'grades.0.extra': unexpected name (expected "
        "grades.{k}.layers.{i}.weight|bias "
        "or grades.{k}.head.weight|bias)");
  entries = stair(false);
  entries[1].shape = {1};
  entries[1].values = {0.0};
  CHECK(error_of(safetensors(entries, nullptr)) ==
        "m.safetensors: safetensors tensor 'grades.0.layers.0.bias': shape mismatch with "
        "'grades.0.layers.0.weight' "
        "(expected [2])");
  entries = stair(false);
  entries.erase(entries.begin() + 3);
  CHECK(error_of(safetensors(entries, nullptr)) ==
        "m.safetensors: safetensors tensor 'grades.0.head.bias' is missing");
  entries = stair(false);
  entries[4].shape = {2, 3};
  CHECK(error_of(safetensors(entries, nullptr)) ==
        "m.safetensors: safetensors tensor 'grades.1.layers.0.weight': data_offsets do not match the shape "
        "or the file "
        "size");
  CHECK(error_of(safetensors(stair(false), {{"mgdl.activation", "gelu"}})) ==
        "m.safetensors: mgdl.activation: unknown activation 'gelu' (identity, relu, tanh, sigmoid or sin)");
  entries = stair(false);
  entries[2].shape = {1, 3};
  entries[2].values = {1.0, 1.0, 1.0};
  CHECK(error_of(safetensors(entries, nullptr)) ==
        "m.safetensors: grades.0.head: shape mismatch: grade 1 read-out: reads 3 inputs, block gives 2");
}
