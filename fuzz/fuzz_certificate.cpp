// libFuzzer target for the checker's certificate reader (read_certificate, the
// code behind `mgdl-verify check` / mgdl-check for construction certificates).
// The input is one JSON document: the certificate, with the sibling dense
// network (network.json) inlined under "fuzz_dense" when present. Only
// MalformedError, json::exception and bad_alloc may escape the reader (the
// three that check_certificate turns into its one-line exit 2); anything else
// (crash, sanitizer report, other exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <nlohmann/json.hpp>
#include <string>

#include "model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using nlohmann::json;
  json cert = json::parse(data, data + size, nullptr, false);
  if (cert.is_discarded()) return 0;
  json dense;
  bool has_dense = false;
  if (cert.is_object() && cert.contains("fuzz_dense")) {
    dense = cert["fuzz_dense"];
    cert.erase("fuzz_dense");
    has_dense = true;
  }
  try {
    (void)mgdl::check::read_certificate(cert, has_dense ? &dense : nullptr);
  } catch (const mgdl::check::MalformedError&) {
  } catch (const json::exception&) {
  } catch (const std::bad_alloc&) {
  }
  return 0;
}
