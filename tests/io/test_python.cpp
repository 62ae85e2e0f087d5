// Real clients: torch.onnx.export round trip (float32 and float64) and
// onnx.checker on mgdl's own ONNX files, through Debian's /usr/bin/python3.
#include "mgdl/io/network_file.hpp"
#include "mgdl/net/serialize.hpp"
#include "write_samples.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace io = mgdl::io;
using mgdl::num::Rational;

namespace {

bool have_torch() {
  static const bool have = std::system("/usr/bin/python3 -c 'import torch, onnx' >/dev/null 2>&1") == 0;
  return have;
}

std::string scratch_dir() {
  const auto dir = std::filesystem::temp_directory_path() / ("mgdl-io-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace

TEST_CASE("torch.onnx.export round trip: exact weights reproduce PyTorch's float64 outputs") {
  if (!have_torch()) {
    MESSAGE("skipped: python3-torch or python3-onnx is not installed (scripts/test.sh installs them)");
    return;
  }
  const std::string dir = scratch_dir();
  const std::string cmd =
      "/usr/bin/python3 " MGDL_SOURCE_DIR "/tests/io/torch_export.py " + dir + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(dir + "/reference.json");
  const nlohmann::json ref = nlohmann::json::parse(in);
  for (const std::string file : {"stair_f32.onnx", "stair_f64.onnx", "stair_f32.safetensors"}) {
    INFO(file);
    io::ImportedNetwork n = io::read_network_file(dir + "/" + file);
    REQUIRE(n.network.grades() == 2);
    CHECK(n.weight_type == (file == "stair_f64.onnx" ? "float64" : "float32"));
    const auto& ys = ref.at(file == "stair_f64.onnx" ? "f64" : "f32");
    for (std::size_t i = 0; i < ys.size(); ++i) {
      const Rational x(ref["x"][i].get<double>());  // k/16, exact
      const double exact = mgdl::num::to_double_nearest(n.network.evaluate({x}, 2));
      CHECK(std::abs(exact - ys[i].get<double>()) <= 1e-12 * (1 + std::abs(exact)));
    }
  }
  // The same weights whether read from ONNX or from safetensors.
  CHECK(mgdl::net::to_json(io::read_network_file(dir + "/stair_f32.onnx").network) ==
        mgdl::net::to_json(io::read_network_file(dir + "/stair_f32.safetensors").network));
  std::filesystem::remove_all(dir);
}

TEST_CASE("onnx.checker accepts mgdl's ONNX files") {
  if (!have_torch()) {
    MESSAGE("skipped: python3-torch or python3-onnx is not installed (scripts/test.sh installs them)");
    return;
  }
  const std::string dir = scratch_dir();
  std::string files;
  int k = 0;
  for (const auto& network : {mgdl::io::testing::cutoff_network(false),
                              mgdl::io::testing::cutoff_network(true), mgdl::io::testing::hat_network()}) {
    const std::string path = dir + "/n" + std::to_string(k++) + ".onnx";
    std::ofstream(path, std::ios::binary) << io::write_onnx(network, {{"mgdl.target", "x"}}).bytes;
    files += " " + path;
  }
  const std::string cmd = "/usr/bin/python3 " MGDL_SOURCE_DIR "/tests/io/check_onnx.py" + files;
  CHECK(std::system(cmd.c_str()) == 0);
  std::filesystem::remove_all(dir);
}
