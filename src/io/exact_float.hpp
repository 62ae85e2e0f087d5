// Internal: binary32/binary64 values to exact dyadic rationals, from the bits
// (sign, exponent, significand), never through decimal text or rounding.
#pragma once

#include "mgdl/num/rational.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

namespace mgdl::io::detail {

// Exactly the value of a finite binary64 number; nullopt for NaN and infinities.
inline std::optional<num::Rational> exact_double(double x) {
  if (!std::isfinite(x)) return std::nullopt;
  std::uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  const bool negative = (bits >> 63) != 0;
  const int biased = static_cast<int>((bits >> 52) & 0x7ff);
  std::uint64_t significand = bits & ((std::uint64_t{1} << 52) - 1);
  int exponent = biased - 1075;  // value = significand * 2^exponent
  if (biased == 0)
    exponent = -1074;  // subnormal
  else
    significand |= std::uint64_t{1} << 52;
  num::Integer m(significand);
  num::Rational r;
  if (exponent >= 0) {
    r = num::Rational(num::Integer(m << exponent));
  } else {
    num::Integer den = num::Integer(1) << -exponent;
    r = num::Rational(m, den);
  }
  return negative ? num::Rational(-r) : r;
}

// A binary32 value widens to binary64 exactly.
inline std::optional<num::Rational> exact_float(float x) {
  return exact_double(static_cast<double>(x));
}

// Little-endian loads from raw tensor bytes (ONNX raw_data, safetensors):
// load_le<float, std::uint32_t>(p), load_le<double, std::uint64_t>(p).
template <class Float, class Bits>
Float load_le(const unsigned char* p) {
  static_assert(sizeof(Float) == sizeof(Bits));
  Bits bits = 0;
  for (int i = static_cast<int>(sizeof(Bits)) - 1; i >= 0; --i) bits = static_cast<Bits>((bits << 8) | p[i]);
  Float x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}
inline double load_f64_le(const unsigned char* p) { return load_le<double, std::uint64_t>(p); }
inline float load_f32_le(const unsigned char* p) { return load_le<float, std::uint32_t>(p); }

// The binary64 value equal to r, if there is one.
inline std::optional<double> binary64_of(const num::Rational& r) {
  const double x = num::to_double_nearest(r);
  const auto back = exact_double(x);
  if (back && *back == r) return x;
  return std::nullopt;
}

}  // namespace mgdl::io::detail
