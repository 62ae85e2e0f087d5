// Exact decoding of binary32/binary64, SHA-256, mgdl.domain and network.json.
#include "exact_float.hpp"
#include "mgdl/io/network_file.hpp"
#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/net/serialize.hpp"
#include "sha256.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using mgdl::io::InputError;
using mgdl::num::Integer;
using mgdl::num::Rational;
namespace io = mgdl::io;
namespace detail = mgdl::io::detail;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

Rational pow2(int e) {
  return e >= 0 ? Rational(Integer(1) << e) : Rational(Integer(1), Integer(1) << -e);
}

}  // namespace

TEST_CASE("binary32 and binary64 values decode to their exact dyadic rationals") {
  CHECK(*detail::exact_float(0.1f) == Rational(13421773, 134217728));
  CHECK(*detail::exact_double(0.1) == Rational(Integer("3602879701896397"), Integer("36028797018963968")));
  CHECK(*detail::exact_float(-1.5f) == Rational(-3, 2));
  CHECK(*detail::exact_double(-0.0) == 0);
  CHECK(*detail::exact_double(std::ldexp(1.0, 1000)) == pow2(1000));
  // The smallest subnormals of both formats.
  CHECK(*detail::exact_double(std::numeric_limits<double>::denorm_min()) == pow2(-1074));
  CHECK(*detail::exact_float(std::numeric_limits<float>::denorm_min()) == pow2(-149));
  CHECK(*detail::exact_double(std::numeric_limits<double>::max()) ==
        Rational((Integer(1) << 53) - 1) * pow2(971));
  CHECK_FALSE(detail::exact_double(std::nan("")).has_value());
  CHECK_FALSE(detail::exact_float(std::numeric_limits<float>::infinity()).has_value());
  // binary64_of is the inverse on binary64 values and refuses the others.
  CHECK(*detail::binary64_of(Rational(13421773, 134217728)) == static_cast<double>(0.1f));
  CHECK_FALSE(detail::binary64_of(Rational(1, 3)).has_value());
  CHECK_FALSE(detail::binary64_of(pow2(-1075)).has_value());
}

TEST_CASE("SHA-256 matches the FIPS 180-4 examples") {
  CHECK(detail::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(detail::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(detail::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(detail::sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("mgdl.domain is read exactly") {
  auto d = io::parse_domain("[[0, 0.1], [\"-1/3\", 2e1]]");
  REQUIRE(d.size() == 2);
  CHECK(d[0].second == Rational(1, 10));
  CHECK(d[1].first == Rational(-1, 3));
  CHECK(d[1].second == 20);
  CHECK(io::parse_domain(io::domain_metadata(d)) == d);
  CHECK(error_of([] { io::parse_domain("[[1,0]]"); }) ==
        "mgdl.domain '[[1,0]]': interval 1 is empty (lo >= hi) (expected [[lo,hi],...])");
  CHECK(error_of([] { io::parse_domain("[[0,1]"); }) ==
        "mgdl.domain '[[0,1]': expected ']' (expected [[lo,hi],...])");
  CHECK(error_of([] { io::parse_domain("[[0,1]] x"); }) ==
        "mgdl.domain '[[0,1]] x': trailing text (expected [[lo,hi],...])");
}

TEST_CASE("network.json with the metadata mgdl-verify train writes") {
  using mgdl::net::Cutoff;
  // Two grades: a cutoff block, then a second reading [x, A+, A-].
  std::vector<Cutoff> q1{{{Rational(1, 4)}, {Rational(1, 2)}, {Rational(1, 8)}, Rational(3, 7)}};
  std::vector<Cutoff> q2{{{Rational(1, 3)}, {Rational(2, 3)}, {Rational(1, 5)}, Rational(-2)}};
  mgdl::net::CutoffCorrection c1(1, q1, 2), c2(1, q2, 2);
  mgdl::net::MultigradeNetwork unit(1);
  unit.add_grade(c1.realise());
  unit.add_grade(mgdl::net::with_input_size(c2.realise(), unit.feature_size()));
  auto j = mgdl::net::to_json(unit);
  j["metadata"] = {{"input_domain", nlohmann::json::array({nlohmann::json::array({"-1", "3"})})},
                   {"target", "sin(x)"},
                   {"producer", "mgdl-verify train"},
                   {"epochs", 3}};
  const std::string bytes = j.dump();
  io::ImportedNetwork n = io::read_network_bytes(bytes, "network.json");
  CHECK(n.format == "mgdl-json");
  CHECK(n.weight_type == "rational");
  CHECK(n.target == std::optional<std::string>("sin(x)"));
  CHECK(n.sha256 == detail::sha256_hex(bytes));
  CHECK(n.metadata.at("producer") == "mgdl-verify train");
  CHECK(n.metadata.at("epochs") == "3");
  CHECK(n.domain == std::vector<io::Interval>{{Rational(-1), Rational(3)}});
  // The layers read the user's coordinates: the network is taken as it is.
  CHECK(mgdl::net::to_json(n.network) == mgdl::net::to_json(unit));
  std::vector<std::string> names;
  for (int m = 1; m <= 2; ++m) {
    for (std::size_t l = 0; l < unit.block(m).layers.size(); ++l)
      names.push_back("grades[" + std::to_string(m - 1) + "].layers[" + std::to_string(l) + "]");
    names.push_back("grades[" + std::to_string(m - 1) + "].readout");
  }
  CHECK(names.size() > 4);
  CHECK(n.layer_names == names);
  // The same keys at the top level.
  j.erase("metadata");
  j["input_domain"] = nlohmann::json::array({nlohmann::json::array({0, "1/2"})});
  io::ImportedNetwork top = io::read_network_bytes(j.dump(), "network.json");
  CHECK(top.domain == std::vector<io::Interval>{{Rational(0), Rational(1, 2)}});
  CHECK_FALSE(top.target.has_value());
}

TEST_CASE("malformed network.json is a one-line InputError") {
  CHECK(error_of([] {
          io::read_network_bytes("{\"format\": 1", "n.json");
        }).rfind("n.json: not valid JSON: ", 0) == 0);
  CHECK(error_of([] { io::read_network_bytes("{\"format\": \"x\"}", "n.json"); }) ==
        "n.json: JSON key 'format': expected \"mgdl-network\"");
  CHECK(
      error_of([] {
        io::read_network_bytes(
            R"({"format":"mgdl-network","version":1,"input_dimension":1,"grades":[],"input_domain":[[0,0.5]]})",
            "n.json");
      }) == "n.json: JSON key 'input_domain': expected [[\"lo\",\"hi\"], ...] with exact rational strings");
  CHECK(
      error_of([] {
        io::read_network_bytes(
            R"({"format":"mgdl-network","version":1,"input_dimension":2,"grades":[],"input_domain":[[0,1]]})",
            "n.json");
      }) == "n.json: mgdl.domain has 1 intervals, the network reads 2 inputs");
  CHECK(error_of([] { io::read_network_file("/nonexistent/net.onnx"); }) ==
        "cannot read '/nonexistent/net.onnx': No such file or directory");
}
