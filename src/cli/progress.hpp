// Progress of a run: one line per phase on stderr (with or without a
// terminal), and each per-grade table row on stdout as soon as its grade is
// done. Lines are deterministic apart from the bracketed seconds:
//
//   [   0.01 s] grade 1: building the correction
//   [   0.05 s] grade 1: construction done, 8 units
//   [   0.05 s] grade 1: certifying the sup-norm
//   [   0.09 s] grade 1: sup-norm in [0.677988, 0.677989]; certifying L^1
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "mgdl/run/driver.hpp"
#include "options.hpp"

namespace mgdl::cli {

// "[   0.05 s] TEXT\n": the format of every progress line, of runs and of `certify`.
std::string progress_line(double elapsed_seconds, const std::string& text);

class Progress {
 public:
  // `lines` gets the phase lines (null: none); `table` the table rows (null: none).
  Progress(const VerifyOptions& options, std::ostream* lines, std::ostream* table);
  void operator()(const run::RunProgress& event);

 private:
  void line(const run::RunProgress& event, const std::string& text);
  void row(const run::RunProgress& event);

  const VerifyOptions& options_;
  std::ostream* lines_;
  std::ostream* table_;
  std::optional<std::string> table_p_;  // the L^p column of the table
  int last_grade_ = -1;
  std::string last_phase_;
};

}  // namespace mgdl::cli
