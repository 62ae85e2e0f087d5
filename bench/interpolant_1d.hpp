// Bench helper: r = sin(32πx) − I_N(x), I_N the piecewise-linear interpolant on N
// uniform knots (knot values sin rounded down to 40 bits), as a structured 1D correction.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "mgdl/net/correction.hpp"
#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"

namespace bench {

using mgdl::num::Rational;
namespace net = mgdl::net;
namespace num = mgdl::num;

// Piecewise-linear function on knots k/N with exact values y_k.
class Interpolant1D final : public net::Correction {
 public:
  explicit Interpolant1D(std::vector<Rational> y) : y_(std::move(y)), n_(static_cast<long>(y_.size()) - 1) {}
  int dimension() const override { return 1; }
  std::string scheme() const override { return "interpolant"; }
  Rational evaluate(const std::vector<Rational>& x) const override {
    long k = piece(x[0], false);
    Rational t = x[0] * n_ - k;
    return y_[static_cast<std::size_t>(k)] +
           t * (y_[static_cast<std::size_t>(k) + 1] - y_[static_cast<std::size_t>(k)]);
  }
  net::LinearEnclosure enclose(const net::Box& box) const override {
    long k0 = piece(box.lo[0], false), k1 = piece(box.hi[0], true);
    net::LinearEnclosure e;
    std::vector<Rational> c = box.center();
    e.value_at_center = evaluate(c);
    e.affine = k0 == k1;
    Rational glo = slope(k0), ghi = glo;
    Rational rlo = std::min(evaluate({box.lo[0]}), evaluate({box.hi[0]}));
    Rational rhi = std::max(evaluate({box.lo[0]}), evaluate({box.hi[0]}));
    for (long k = k0 + 1; k <= k1; ++k) {
      glo = std::min(glo, slope(k));
      ghi = std::max(ghi, slope(k));
      rlo = std::min(rlo, y_[static_cast<std::size_t>(k)]);
      rhi = std::max(rhi, y_[static_cast<std::size_t>(k)]);
    }
    e.gradient_lo = {glo};
    e.gradient_hi = {ghi};
    e.range_lo = rlo;
    e.range_hi = rhi;
    return e;
  }
  std::vector<Rational> axis_breakpoints(const net::Box& box, int) const override {
    std::vector<Rational> out;
    for (long k = piece(box.lo[0], false) + 1; k <= piece(box.hi[0], true); ++k) out.emplace_back(k, n_);
    return out;
  }
  std::vector<net::Box> support_boxes() const override { return {net::Box::unit(1)}; }
  std::size_t active_units() const override { return static_cast<std::size_t>(n_); }
  net::GradeBlock realise() const override { return {}; }

 private:
  // Index of the piece containing x (upper: the piece to the left at a knot).
  long piece(const Rational& x, bool upper) const {
    Rational s = x * n_;
    num::Integer f = numerator(s) / denominator(s);
    long k = f.convert_to<long>();
    if (upper && Rational(k) == s) --k;
    return std::clamp(k, 0L, n_ - 1);
  }
  Rational slope(long k) const {
    return (y_[static_cast<std::size_t>(k) + 1] - y_[static_cast<std::size_t>(k)]) * n_;
  }
  std::vector<Rational> y_;
  long n_;
};

inline std::vector<Rational> sine_knots(long n) {
  std::vector<Rational> y;
  for (long k = 0; k <= n; ++k) {
    num::Ball x = num::Ball::from_rational(Rational(32 * k, n), 256);
    arb_sin_pi(x.arb(), x.arb(), 256);
    y.push_back(num::round_down(num::lower_rational(x), 40));
  }
  return y;
}

}  // namespace bench
