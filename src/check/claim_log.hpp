// The checker's output: one line per claim family ("...: ok" or
// "FAILED: ..."), counted, closed by "check passed" / "check failed: N claims".
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mgdl/check/check.hpp"

namespace mgdl::check {

class ClaimLog {
 protected:
  void ok(const std::string& what) { lines_.push_back(what + ": ok"); }
  void failed(const std::string& what) {
    lines_.push_back("FAILED: " + what);
    ++failed_;
  }
  void note(const std::string& what) { lines_.push_back(what); }
  CheckResult result() {
    CheckResult r;
    r.lines = std::move(lines_);
    r.failed = failed_;
    r.lines.push_back(failed_ == 0 ? "check passed" : "check failed: " + std::to_string(failed_) + " claims");
    r.exit_code = failed_ == 0 ? exit_passed : exit_failed;
    return r;
  }

  std::vector<std::string> lines_;
  int failed_ = 0;
};

}  // namespace mgdl::check
