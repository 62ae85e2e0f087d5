// libFuzzer targets for the network readers (built three times, with
// MGDL_FUZZ_FORMAT = 1 ONNX, 2 network.json, 3 safetensors). Only InputError
// may escape a reader. A network that was read must survive write_onnx and
// read back identically (binary32/64 weights are binary64 values); anything
// else (crash, sanitizer report, mismatch) is a bug.
#include "mgdl/io/network_file.hpp"
#include "mgdl/net/serialize.hpp"
#include "readers.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

std::size_t dense_size(const mgdl::net::MultigradeNetwork& n) {
  std::size_t total = 0;
  for (int m = 1; m <= n.grades(); ++m) {
    for (const auto& l : n.block(m).layers) total += static_cast<std::size_t>(l.inputs) * l.outputs;
    total += static_cast<std::size_t>(n.block(m).readout.inputs);
  }
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace io = mgdl::io;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  io::ImportedNetwork n;
  try {
#if MGDL_FUZZ_FORMAT == 1
    n = io::detail::read_onnx(bytes, "fuzz");
#elif MGDL_FUZZ_FORMAT == 2
    n = io::detail::read_mgdl_json(bytes, "fuzz");
#else
    n = io::detail::read_safetensors(bytes, "fuzz");
#endif
    n = io::read_network_bytes(bytes, "fuzz");  // detection and metadata too
  } catch (const io::InputError&) {
    return 0;
  }
  if (n.network.grades() == 0 || dense_size(n.network) > (1u << 20)) return 0;
  const io::OnnxExport e = io::write_onnx(n.network, {});
  const io::ImportedNetwork back = io::read_network_bytes(e.bytes, "fuzz-back");
  if (e.exact && mgdl::net::to_json(back.network) != mgdl::net::to_json(n.network)) std::abort();
  if (n.network.grades() > 1 && n.network.piecewise_linear()) {
    const io::ImportedNetwork one = io::regroup(n, 1);
    const std::vector<mgdl::num::Rational> x(static_cast<std::size_t>(n.network.input_dimension()),
                                             mgdl::num::Rational(1, 3));
    if (one.network.evaluate(x, 1) != n.network.evaluate(x, n.network.grades())) std::abort();
  }
  return 0;
}
