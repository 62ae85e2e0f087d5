// `mgdl-verify certify NETWORK [EXPR]`: certify a network from elsewhere
// against a target (issue 12, SPEC section 10), write certificate.json,
// report.md, report.html, a copy of the network file and a VNN-COMP-style
// counterexample per refutation.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mgdl/num/rational.hpp"

namespace mgdl::cli {

struct CertifyOptions {
  std::string network;                                          // path of the network file
  std::optional<std::string> expression;                        // the target (else the file's metadata)
  std::vector<std::pair<num::Rational, num::Rational>> domain;  // empty: the file's, else [0,1]^d
  std::vector<num::Rational> p{num::Rational(1), num::Rational(2)};
  num::Rational rel_gap{1, 1000000};
  long precision = 128;
  int threads = 0;  // 0: all cores
  std::optional<double> time_limit_seconds;
  std::string out_dir = "mgdl-out";
  int grades = 0;  // --grades N: merge grades N..M into one (io::regroup); 0 = as recognised
  bool json = false;
  bool quiet = false;
};

// Range checks shared with the main command; throws UsageError.
void validate(const CertifyOptions& options);

// Returns the exit code (options.hpp). Bad input is one line on stderr (exit 2)
// before anything in the output directory is touched.
int run_certify(const CertifyOptions& options);

}  // namespace mgdl::cli
