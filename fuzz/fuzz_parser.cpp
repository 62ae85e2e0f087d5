// libFuzzer target: parse, print, reparse, compare. Only ParseError may escape
// the parser; anything else (crash, sanitizer report, mismatch) is a bug.
#include "mgdl/expr/expression.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const mgdl::expr::Expression e = mgdl::expr::Expression::parse(text);
    const std::string printed = e.to_string();
    const mgdl::expr::Expression again = mgdl::expr::Expression::parse(printed);
    if (!again.structurally_equal(e) || again.to_string() != printed) std::abort();
  } catch (const mgdl::expr::ParseError&) {
  }
  return 0;
}
