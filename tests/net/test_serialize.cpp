#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/net/serialize.hpp"
#include "net_test_util.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using mgdl::net::CutoffCorrection;
using mgdl::net::MultigradeNetwork;
using mgdl::num::Rational;
using nlohmann::json;
using namespace mgdl::net::testing;

namespace {

MultigradeNetwork sample_network(Rng& rng, int d, std::vector<std::shared_ptr<CutoffCorrection>>& grades) {
  MultigradeNetwork net(d);
  for (int m = 1; m <= 2; ++m) {
    grades.push_back(std::make_shared<CutoffCorrection>(d, random_cutoffs(rng, d, 3 + m), 2));
    net.add_grade(mgdl::net::with_input_size(grades.back()->realise(), net.feature_size()));
  }
  return net;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("network JSON round-trips exactly (through text)") {
  const std::uint64_t seed = 9301;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    std::vector<std::shared_ptr<CutoffCorrection>> grades;
    const MultigradeNetwork net = sample_network(rng, d, grades);
    const std::string text = mgdl::net::to_json(net).dump();
    const MultigradeNetwork back = mgdl::net::network_from_json(json::parse(text));
    CHECK(mgdl::net::to_json(back).dump() == text);
    REQUIRE(back.grades() == net.grades());
    for (int k = 0; k < 20; ++k) {
      std::vector<Rational> x;
      for (int i = 0; i < d; ++i) x.push_back(random_unit(rng));
      CHECK(back.evaluate(x, 2) == net.evaluate(x, 2));
    }
  }
}

TEST_CASE("correction JSON round-trips exactly") {
  const std::uint64_t seed = 9302;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    const CutoffCorrection h(d, random_cutoffs(rng, d, 7), 3);
    const json j = mgdl::net::to_json(h);
    CHECK(j["scheme"] == "cutoff");
    CHECK(j["kappa"] == 3);
    const auto back = mgdl::net::correction_from_json(json::parse(j.dump()));
    CHECK(mgdl::net::to_json(*back).dump() == j.dump());
    CHECK(back->active_units() == h.active_units());
    for (int k = 0; k < 20; ++k) {
      std::vector<Rational> x;
      for (int i = 0; i < d; ++i) x.push_back(random_unit(rng));
      CHECK(back->evaluate(x) == h.evaluate(x));
    }
  }
}

TEST_CASE("weights are sparse [row, col, \"p/q\"] triples") {
  Rng rng(9303);
  std::vector<std::shared_ptr<CutoffCorrection>> grades;
  const json j = mgdl::net::to_json(sample_network(rng, 1, grades));
  const json& w = j["grades"][0]["layers"][0]["weights"][1];
  CHECK(w.is_array());
  CHECK(w.size() == 3);
  CHECK(w[2].is_string());
  CHECK(j["format"] == "mgdl-network");
}

TEST_CASE("malformed JSON is rejected with a one-line message naming the key") {
  Rng rng(9304);
  std::vector<std::shared_ptr<CutoffCorrection>> grades;
  const json good = mgdl::net::to_json(sample_network(rng, 2, grades));
  using mgdl::net::network_from_json;

  json j = good;
  j.erase("input_dimension");
  CHECK(error_of([&] { network_from_json(j); }) == "JSON key 'input_dimension': missing");
  j = good;
  j["format"] = "other";
  CHECK(error_of([&] { network_from_json(j); }) == "JSON key 'format': expected \"mgdl-network\"");
  j = good;
  j["grades"][0]["layers"][0]["bias"][0] = 0.5;
  CHECK(error_of([&] { network_from_json(j); }) == "JSON key 'bias': expected an exact rational string \"p/q\"");
  j = good;
  j["grades"][0]["layers"][0]["bias"][0] = "1/0";
  CHECK(error_of([&] { network_from_json(j); }) == "JSON key 'bias': zero denominator in '1/0'");
  j = good;
  j["grades"][0]["layers"][0]["weights"][0] = json::array({0, 99, "1"});
  CHECK(error_of([&] { network_from_json(j); }) == "JSON key 'weights[0]': row or column out of range");
  j = good;
  j["grades"][0]["layers"][0]["weights"][0] = json::array({0, 0});
  CHECK(error_of([&] { network_from_json(j); }) == "JSON key 'weights[0]': expected [row, col, \"p/q\"]");
  j = good;
  j["grades"][0]["layers"][0]["weights"][1][2] = "0";
  CHECK(error_of([&] { network_from_json(j); }) ==
        "JSON key 'weights[1]': zero weight (the sparse form stores nonzeros only)");
  j = good;
  j["grades"][0]["layers"][0]["relu"] = "yes";
  CHECK(error_of([&] { network_from_json(j); }) == "JSON key 'relu': expected true or false");
  j = good;
  j["grades"][1]["layers"][0]["inputs"] = 2;
  CHECK(error_of([&] { network_from_json(j); }) ==
        "JSON key 'grades[1]': grade 2 layer 1: reads 2 inputs, previous gives 4");
  for (const std::string& bad : std::vector<std::string>{
           error_of([&] { network_from_json(json::array()); }),
           error_of([&] { mgdl::net::correction_from_json(json{{"scheme", "bogus"}}); })}) {
    CHECK(bad.find('\n') == std::string::npos);
    CHECK(bad.rfind("JSON key '", 0) == 0);
  }

  json c = mgdl::net::to_json(*grades[0]);
  c["cutoffs"][0]["rho"][1] = "-1/4";
  CHECK(error_of([&] { mgdl::net::correction_from_json(c); }) ==
        "JSON key 'cutoffs': cutoff correction: cutoff 0: rho must be > 0 on axis 1");
  c = mgdl::net::to_json(*grades[0]);
  c["cutoffs"][2].erase("c");
  CHECK(error_of([&] { mgdl::net::correction_from_json(c); }) == "JSON key 'c': missing");
  c = mgdl::net::to_json(*grades[0]);
  c["scheme"] = "bogus";
  CHECK(error_of([&] { mgdl::net::correction_from_json(c); }) == "JSON key 'scheme': unsupported scheme 'bogus'");
}

TEST_CASE("float export has dense matrices of doubles") {
  Rng rng(9305);
  std::vector<std::shared_ptr<CutoffCorrection>> grades;
  const MultigradeNetwork net = sample_network(rng, 2, grades);
  const json f = mgdl::net::to_float_json(net);
  CHECK(f["format"] == "mgdl-network-float");
  CHECK(f["input_dimension"] == 2);
  const json& l0 = f["grades"][0]["layers"][0];
  CHECK(l0["W"].size() == 8);     // 3d+2 rows
  CHECK(l0["W"][0].size() == 2);  // d inputs
  CHECK(l0["W"][0][0].get<double>() == 1.0);
  CHECK(l0["relu"] == true);
  CHECK(f["grades"][1]["layers"][0]["W"][0].size() == 4);  // widened to [x, A+, A-]
  CHECK(f["grades"][0]["readout"]["relu"] == false);
}

TEST_CASE("smooth activations round-trip as \"activation\"; piecewise-linear layers keep \"relu\"") {
  using mgdl::net::Activation;
  mgdl::net::AffineLayer layer;
  layer.inputs = 1;
  layer.outputs = 1;
  layer.weights = {{0, 0, Rational(3, 4)}};
  layer.bias = {Rational(-1, 8)};
  for (Activation a : {Activation::identity, Activation::relu, Activation::tanh, Activation::sigmoid, Activation::sin}) {
    layer.activation = a;
    const json j = mgdl::net::to_json(layer);
    CHECK(j.contains("relu") == mgdl::net::piecewise_linear(a));
    CHECK(j.contains("activation") == !mgdl::net::piecewise_linear(a));
    CHECK(mgdl::net::layer_from_json(json::parse(j.dump())).activation == a);
  }
  layer.activation = Activation::tanh;
  CHECK_THROWS_AS(layer.apply({Rational(1)}), std::domain_error);
  json bad = mgdl::net::to_json(layer);
  bad["activation"] = "gelu";
  CHECK(error_of([&] { mgdl::net::layer_from_json(bad); }).find("activation") != std::string::npos);
  bad["activation"] = "relu";
  bad["relu"] = true;
  CHECK(error_of([&] { mgdl::net::layer_from_json(bad); }).find("not both") != std::string::npos);
}
