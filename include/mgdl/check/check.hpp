// The independent certificate checker behind `mgdl-verify check FILE`
// (docs/certificate-format.md, "What the checker verifies"). It shares no code
// with the modules that produce certificates: GMP, MPFI and nlohmann-json only,
// and its run time is linear in the certificate's size.
//
//   int code = mgdl::check::run_check("mgdl-out/certificate.json", std::cout, std::cerr);
//   // 0: every claim re-verified; 1: some claim failed; 2: malformed file
//
// Output: one line per claim family ("grade 2: sup-norm upper 1/3 (512 leaves): ok"
// or "FAILED: grade 2 sup-norm upper: leaf 17 [1/4, 5/16] bound 0.41 > 1/3"), then
// "check passed" or "check failed: N claims". A malformed file gives one line
// "error: ..." on `err` and code 2.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace mgdl::check {

constexpr int exit_passed = 0;
constexpr int exit_failed = 1;
constexpr int exit_malformed = 2;

struct CheckOptions {
  int extra_levels = 6;        // bisection levels the checker may add per leaf
  int threads = 0;             // threads walking each cover (0 = all cores); the output does not depend on it
  long min_precision = 128;    // bits; the certificate's hint may raise it (to 1024)
  long witness_precision = 1024;  // largest precision tried at witness points
};

struct CheckResult {
  int exit_code = exit_malformed;
  std::vector<std::string> lines;  // per claim family, "ok" or "FAILED: ..."
  int failed = 0;                  // number of failed claims
  std::string error;               // set when exit_code == exit_malformed
};

// Checks a parsed certificate. `dense_network` is the parsed sibling network
// file (null when the certificate embeds it or has none). Never throws.
CheckResult check_certificate(const nlohmann::json& certificate, const nlohmann::json* dense_network,
                              const CheckOptions& options = {});

// A network certificate (`mgdl-verify certify`, format "mgdl-network-certificate";
// proofs/networks.md): the copy of the network file is looked up in `directory`
// (ending in '/', or empty for the current one). Never throws.
bool is_network_certificate(const nlohmann::json& certificate);
CheckResult check_network_certificate(const nlohmann::json& certificate, const std::string& directory,
                                      const CheckOptions& options = {});

// Reads FILE (and its sibling network file), checks it, prints the lines to
// `out` and an "error: ..." line to `err` when malformed. Returns the exit code.
int run_check(const std::string& path, std::ostream& out, std::ostream& err, const CheckOptions& options = {});

}  // namespace mgdl::check
