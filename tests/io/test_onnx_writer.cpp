// write_onnx then read_network_bytes gives back the identical exact network.
#include <doctest/doctest.h>

#include <limits>

#include "mgdl/io/network_file.hpp"
#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/net/hat_correction.hpp"
#include "mgdl/net/serialize.hpp"
#include "write_samples.hpp"

using mgdl::num::Rational;
namespace io = mgdl::io;
namespace net = mgdl::net;
using namespace mgdl::io::testing;

TEST_CASE("cutoff and hat constructions round-trip through ONNX exactly") {
  for (const auto& [name, network] :
       {std::pair{"cutoff", cutoff_network(false)}, std::pair{"hat", hat_network()}}) {
    INFO(name);
    const io::OnnxExport e =
        io::write_onnx(network, {{"mgdl.target", "sin(x)"}, {"mgdl.domain", "[[\"0\",\"1\"]]"}});
    CHECK(e.exact);
    CHECK(e.first_inexact.empty());
    io::ImportedNetwork back = io::read_network_bytes(e.bytes, "network.onnx");
    CHECK(back.format == "onnx");
    CHECK(back.weight_type == "float64");
    CHECK(back.target == std::optional<std::string>("sin(x)"));
    CHECK(back.metadata.at("mgdl.exact") == "true");
    CHECK(back.metadata.at("mgdl.grades") == std::to_string(network.grades()));
    CHECK(net::to_json(back.network) == net::to_json(network));
  }
}

TEST_CASE("a weight that is not a binary64 value is reported, and rounded to nearest") {
  const net::MultigradeNetwork network = cutoff_network(true);
  const io::OnnxExport e = io::write_onnx(network, {});
  CHECK_FALSE(e.exact);
  // The first layer's bias holds -a/rho-like values with a = 1/3: entry [1] is the first not dyadic.
  const auto& bias = network.block(1).layers[0].bias;
  CHECK(mgdl::num::is_dyadic(bias[0]));
  CHECK_FALSE(mgdl::num::is_dyadic(bias[1]));
  CHECK(e.first_inexact == "grade 1 layer 1 bias [1]");
  io::ImportedNetwork back = io::read_network_bytes(e.bytes, "network.onnx");
  CHECK(back.metadata.at("mgdl.exact") ==
        "false: grade 1 layer 1 bias [1] is not a binary64 value (rounded to nearest)");
  CHECK(back.network.block(1).layers[0].bias[1] == Rational(mgdl::num::to_double_nearest(bias[1])));
  CHECK(back.network.block(1).layers[0].bias[1] != bias[1]);
  CHECK_THROWS_AS(io::write_onnx(net::MultigradeNetwork(1), {}), std::invalid_argument);
}

TEST_CASE("a weight beyond the binary64 range is exported as the largest finite value") {
  // Found by fuzz_onnx: Gemm's alpha * W is a finite rational the writer once rounded to
  // an infinity, which read_network_bytes then rejected.
  const Rational huge(mgdl::num::Integer(1) << 1100);
  net::GradeBlock block;
  block.layers.push_back({1, 1, {{0, 0, -huge}}, {huge}, net::Activation::relu});
  block.readout = {1, 1, {{0, 0, Rational(1)}}, {Rational(0)}, net::Activation::identity};
  net::MultigradeNetwork network(1);
  network.add_grade(block);
  const io::OnnxExport e = io::write_onnx(network, {});
  CHECK_FALSE(e.exact);
  io::ImportedNetwork back = io::read_network_bytes(e.bytes, "network.onnx");
  const Rational max(std::numeric_limits<double>::max());
  CHECK(back.network.block(1).layers[0].weights[0].value == -max);
  CHECK(back.network.block(1).layers[0].bias[0] == max);
}

TEST_CASE("to_user_coordinates composes the first layer exactly") {
  const net::MultigradeNetwork unit = cutoff_network(false);
  const std::vector<io::Interval> dom{{Rational(2), Rational(5)}};
  const net::MultigradeNetwork user = io::to_user_coordinates(unit, dom);
  for (int k = 0; k <= 30; ++k) {
    const Rational x = 2 + Rational(k, 10);
    CHECK(user.evaluate({x}, 2) == unit.evaluate({(x - 2) / 3}, 2));
  }
}
