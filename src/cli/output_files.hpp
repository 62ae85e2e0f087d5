// Atomic file output: write to a temporary sibling, then rename over the
// target, so a reader never sees a half-written file and a failed write never
// destroys the previous good one.
#pragma once

#include "mgdl/io/network_file.hpp"

#include <string>
#include <vector>

namespace mgdl::cli {

// Creates `dir` (and parents) if missing. Throws std::runtime_error with a
// one-line message on failure.
void ensure_directory(const std::string& dir);
void write_file_atomically(const std::string& path, const std::string& contents);

// `path` (network.onnx) for PyTorch users: io::write_onnx of `network`, which
// reads the user's coordinates in `domain`, with mgdl.domain and mgdl.target.
// Writes nothing for a network without grades. Returns "" when every weight is
// a binary64 value, else a one-line note naming the first that is not.
std::string write_network_onnx(const std::string& path, const net::MultigradeNetwork& network,
                               const std::vector<io::Interval>& domain, const std::string& target);

}  // namespace mgdl::cli
