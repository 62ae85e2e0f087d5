// Atomic file output: write to a temporary sibling, then rename over the
// target, so a reader never sees a half-written file and a failed write never
// destroys the previous good one.
#pragma once

#include <string>

namespace mgdl::cli {

// Creates `dir` (and parents) if missing. Throws std::runtime_error with a
// one-line message on failure.
void ensure_directory(const std::string& dir);
void write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace mgdl::cli
