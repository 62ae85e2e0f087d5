// Bench helper: I_N, the Kuhn (hat) interpolant of sin(2πx)cos(2πy) on the uniform N×N grid of
// [0,1]^2, node values rounded down to 64 bits, as a hat correction.
#pragma once

#include <arb.h>

#include <memory>
#include <utility>
#include <vector>

#include "mgdl/net/hat_correction.hpp"
#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"

namespace bench {

inline std::shared_ptr<mgdl::net::HatCorrection> sincos_interpolant_2d(int n) {
  using mgdl::num::Ball;
  using mgdl::num::Rational;
  std::vector<Rational> axis;
  for (int k = 0; k <= n; ++k) axis.emplace_back(k, n);
  std::vector<mgdl::net::HatNode> nodes;
  for (int i = 0; i <= n; ++i) {
    for (int j = 0; j <= n; ++j) {
      Ball s = Ball::from_rational(Rational(2 * i, n), 256);
      Ball c = Ball::from_rational(Rational(2 * j, n), 256);
      arb_sin_pi(s.arb(), s.arb(), 256);
      arb_cos_pi(c.arb(), c.arb(), 256);
      arb_mul(s.arb(), s.arb(), c.arb(), 256);
      Rational v = mgdl::num::round_down(mgdl::num::lower_rational(s), 64);
      if (v != 0) nodes.push_back({{i, j}, v});
    }
  }
  return std::make_shared<mgdl::net::HatCorrection>(2, std::vector<std::vector<Rational>>{axis, axis},
                                                    std::move(nodes));
}

}  // namespace bench
