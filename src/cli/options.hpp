// Command-line options of mgdl-verify (SPEC section 8), parsed with CLI11 and
// validated into exact values. Bad options are one-line errors, exit code 2.
#pragma once

#include "mgdl/num/rational.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mgdl::cli {

inline constexpr const char* kDefaultTarget = "sin(8*pi*x)";

struct VerifyOptions {
  std::string expression = kDefaultTarget;
  std::vector<std::pair<num::Rational, num::Rational>> domain;  // empty: [0,1]^d
  int grades = 6;
  std::optional<num::Rational> tolerance;
  std::string scheme = "cutoff";
  std::vector<num::Rational> p{num::Rational(1), num::Rational(2)};
  long precision = 128;
  int threads = 0;  // 0: all cores
  std::optional<double> time_limit_seconds;
  long max_cutoffs = 200000;
  num::Rational rel_gap{1, 1000000};
  int initial_level = 2;
  int max_level = 24;
  std::string out_dir = "mgdl-out";
  bool json = false;
  bool quiet = false;
};

// Exit codes (SPEC section 8).
enum ExitCode : int { kCertified = 0, kNotCertified = 1, kInvalidInput = 2, kInternalError = 3 };

// Thrown for invalid options; what() is the one-line message (without "error: ").
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "lo:hi" for every axis, or "lo:hi,lo:hi,..." per axis; exact rationals, lo < hi.
std::vector<std::pair<num::Rational, num::Rational>> parse_domain(const std::string& text);
// "1,2,3/2": rationals >= 1.
std::vector<num::Rational> parse_p_list(const std::string& text);
// An exact positive rational (decimal or p/q).
num::Rational parse_positive(const std::string& text, const std::string& option);
// Range checks of every option; throws UsageError naming the option.
void validate(const VerifyOptions& options);

}  // namespace mgdl::cli
