// Internal: SHA-256 (FIPS 180-4) of a byte string, lowercase hex. Identifies
// the exact file a certificate talks about.
#pragma once

#include <string>

namespace mgdl::io::detail {

std::string sha256_hex(const std::string& bytes);

}  // namespace mgdl::io::detail
