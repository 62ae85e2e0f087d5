// certificate.json, the reports and the VNN-COMP counterexamples of
// `mgdl-verify certify` (docs/certificate-format.md, "Network certificates").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "mgdl/expr/expression.hpp"
#include "mgdl/netcert/certify_network.hpp"

namespace mgdl::cli {

struct NetworkSource {
  std::string path;       // as given
  std::string copy_name;  // the copy beside the certificate, e.g. "network-source.onnx"
  std::string format;     // "mgdl-json", "onnx", "safetensors"
  std::string sha256;     // of the file's bytes, lowercase hex
};

nlohmann::json build_network_certificate(const netcert::NetworkCertification& c,
                                         const net::MultigradeNetwork& user, const expr::Expression& target,
                                         const expr::Domain& domain, const netcert::Options& options,
                                         const NetworkSource& source);

// report.md / report.html of a network certificate.
std::string render_network_markdown(const nlohmann::json& certificate);
std::string render_network_html(const nlohmann::json& certificate);
// The per-grade lines printed on stdout.
std::string render_network_summary(const nlohmann::json& certificate);

// A VNN-COMP counterexample of a refutation: "sat\n((X_0 v)\n (Y_0 v))\n" with
// x the witness (user coordinates) and y = Φ_m(x), exact decimals when dyadic.
std::string vnn_counterexample(const std::vector<num::Rational>& x, const num::Rational& y);

// Exact decimal of a dyadic rational ("0.15625"); 17 significant digits otherwise.
std::string decimal_text(const num::Rational& r);

}  // namespace mgdl::cli
