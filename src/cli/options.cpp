#include "options.hpp"

#include <sstream>
#include <stdexcept>

namespace mgdl::cli {
namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!text.empty() && text.back() == sep) parts.emplace_back();
  return parts;
}

num::Rational parse_number(const std::string& text, const std::string& what) {
  try {
    return num::parse_rational(text, 1000);
  } catch (const std::exception&) {
    throw UsageError(what + ": '" + text + "' is not a number");
  }
}

}  // namespace

std::vector<std::pair<num::Rational, num::Rational>> parse_domain(const std::string& text) {
  std::vector<std::pair<num::Rational, num::Rational>> axes;
  for (const std::string& axis : split(text, ',')) {
    auto colon = axis.find(':');
    if (colon == std::string::npos) throw UsageError("--domain: expected lo:hi, got '" + axis + "'");
    num::Rational lo = parse_number(axis.substr(0, colon), "--domain");
    num::Rational hi = parse_number(axis.substr(colon + 1), "--domain");
    if (!(lo < hi)) throw UsageError("--domain: empty interval '" + axis + "' (need lo < hi)");
    axes.emplace_back(lo, hi);
  }
  if (axes.empty()) throw UsageError("--domain: expected lo:hi");
  return axes;
}

std::vector<num::Rational> parse_p_list(const std::string& text) {
  std::vector<num::Rational> ps;
  for (const std::string& item : split(text, ',')) {
    num::Rational p = parse_number(item, "--p");
    if (p < 1) throw UsageError("--p: " + item + " is below 1 (L^p norms need p >= 1)");
    if (p > 64) throw UsageError("--p: " + item + " is above 64 (use the sup-norm)");
    for (const auto& q : ps)
      if (q == p) throw UsageError("--p: " + item + " is listed twice");
    ps.push_back(p);
  }
  if (ps.empty()) throw UsageError("--p: expected a list such as 1,2");
  return ps;
}

}  // namespace mgdl::cli
