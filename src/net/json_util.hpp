// Internal: the checked JSON accessors shared by serialize.cpp and
// hat_serialize.cpp. Each throws std::invalid_argument with the one-line
// message "JSON key '<key>': <what>" on malformed input.
#pragma once

#include "mgdl/num/rational.hpp"

#include <nlohmann/json.hpp>

#include <exception>
#include <limits>
#include <stdexcept>
#include <string>

namespace mgdl::net::detail {

[[noreturn]] inline void fail(const std::string& key, const std::string& what) {
  throw std::invalid_argument("JSON key '" + key + "': " + what);
}

inline const nlohmann::json& member(const nlohmann::json& j, const std::string& key) {
  if (!j.is_object()) fail(key, "expected an object holding it");
  auto it = j.find(key);
  if (it == j.end()) fail(key, "missing");
  return *it;
}

inline int as_int(const nlohmann::json& v, const std::string& key) {
  if (!v.is_number_integer()) fail(key, "expected an integer");
  const auto value = v.get<long long>();
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) fail(key, "out of range");
  return static_cast<int>(value);
}

inline num::Rational as_rational(const nlohmann::json& v, const std::string& key) {
  if (!v.is_string()) fail(key, "expected an exact rational string \"p/q\"");
  try {
    return num::parse_rational(v.get_ref<const std::string&>());
  } catch (const std::exception& e) {
    fail(key, e.what());
  }
}

}  // namespace mgdl::net::detail
