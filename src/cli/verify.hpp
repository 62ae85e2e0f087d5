// `mgdl-verify [options] EXPR`: validate, build and certify, write the outputs.
#pragma once

#include "options.hpp"

namespace mgdl::cli {

// Returns the exit code (options.hpp). Invalid input is reported on stderr as
// one line before anything in the output directory is touched.
int run_verify(const VerifyOptions& options);

}  // namespace mgdl::cli
