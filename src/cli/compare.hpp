// `mgdl-verify compare EXPR`: runs the cutoff scheme (Construction A) and the
// hat scheme (Construction B) on one target with the same options and reports
// side by side per grade: neurons, depth, certified sup-norm and L^2 upper
// bounds, time; writes compare.md and compare.html (with an SVG plot of the
// certified sup-norm against the number of neurons) into --out.
#pragma once

#include "options.hpp"

namespace mgdl::cli {

// Exit code: 0 when both runs are certified, 1 when one is not, 2 on invalid input.
int run_compare(const VerifyOptions& options);

}  // namespace mgdl::cli
