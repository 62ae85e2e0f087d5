// Command-line options of mgdl-verify (SPEC section 8), parsed with CLI11 and
// validated into exact values. Bad options are one-line errors, exit code 2.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mgdl/num/rational.hpp"
#include "mgdl/run/driver.hpp"

namespace CLI {
class App;
}

namespace mgdl::cli {

inline constexpr const char* kDefaultTarget = "sin(8*pi*x)";
inline constexpr int kDefaultGrades = 6;            // without --tol
inline constexpr int kDefaultToleranceCap = 20;     // the cap on grades with --tol
inline constexpr long kDefaultMaxBoxes = 20000000;  // per norm enclosure
inline constexpr long kDefaultMaxFrontier = 1000000;

struct VerifyOptions {
  std::string expression = kDefaultTarget;
  std::vector<std::pair<num::Rational, num::Rational>> domain;  // empty: [0,1]^d
  std::optional<int> grades;                                    // --grades; see grade_count()
  std::optional<num::Rational> tolerance;
  std::string scheme = "cutoff";
  std::vector<num::Rational> p{num::Rational(1), num::Rational(2)};
  long precision = 128;
  int threads = 0;  // 0: all cores
  std::optional<double> time_limit_seconds;
  long max_cutoffs = 200000;
  long max_boxes = kDefaultMaxBoxes;
  std::optional<long> lp_max_boxes;  // --lp-max-boxes; unset: max_boxes
  long max_frontier = kDefaultMaxFrontier;
  num::Rational rel_gap{1, 1000000};
  int initial_level = 2;
  int max_level = 24;
  std::string out_dir = "mgdl-out";
  bool json = false;
  bool quiet = false;

  // G: --grades when given, else 6, or with --tol a cap of 20.
  int grade_count() const;
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

// Makes every named option of `app` and its subcommands that takes a value refuse an empty
// one: CLI11 would leave a std::optional unset or a string empty, which reads as "not given"
// and runs silently with the default (`--time-limit ""`, `--lp-max-boxes ""`).
void refuse_empty_values(CLI::App& app);
// The driver's options; the time limit starts now. `cancel` may be null.
run::RunOptions to_run_options(const VerifyOptions& options, const std::atomic<bool>* cancel);

}  // namespace mgdl::cli
