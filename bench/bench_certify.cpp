// Certified sup-norm throughput: r = sin(32πx) − I_N(x), I_N the piecewise-linear
// interpolant on N uniform knots (knot values sin rounded down to 40 bits), as a
// structured 1D correction; boxes per second with 1 and 2 threads, plus the
// 2D target sin(2πx)cos(2πy) alone. Usage: bench_certify [max_N]
#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/certify/sup_norm.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace mgdl;
using num::Rational;

namespace {

// Piecewise-linear function on knots k/N with exact values y_k.
class Interpolant1D final : public net::Correction {
 public:
  explicit Interpolant1D(std::vector<Rational> y) : y_(std::move(y)), n_(static_cast<long>(y_.size()) - 1) {}
  int dimension() const override { return 1; }
  std::string scheme() const override { return "interpolant"; }
  Rational evaluate(const std::vector<Rational>& x) const override {
    long k = piece(x[0], false);
    Rational t = x[0] * n_ - k;
    return y_[static_cast<std::size_t>(k)] + t * (y_[static_cast<std::size_t>(k) + 1] - y_[static_cast<std::size_t>(k)]);
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
  Rational slope(long k) const { return (y_[static_cast<std::size_t>(k) + 1] - y_[static_cast<std::size_t>(k)]) * n_; }
  std::vector<Rational> y_;
  long n_;
};

std::vector<Rational> sine_knots(long n) {
  std::vector<Rational> y;
  for (long k = 0; k <= n; ++k) {
    num::Ball x = num::Ball::from_rational(Rational(32 * k, n), 256);
    arb_sin_pi(x.arb(), x.arb(), 256);
    y.push_back(num::round_down(num::lower_rational(x), 40));
  }
  return y;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  long max_n = argc > 1 ? std::atol(argv[1]) : 4096;
  expr::Program f = expr::Program::compile(expr::Expression::parse("sin(32*pi*x)"), expr::Domain::unit(1));
  std::printf("| target | N | threads | status | boxes | seconds | boxes/s | lower | upper |\n|---|---|---|---|---|---|---|---|---|\n");
  for (long n = 64; n <= max_n; n *= 4) {
    resid::Residual r = resid::Residual(f).with(std::make_shared<Interpolant1D>(sine_knots(n)));
    for (int threads : {1, 2}) {
      certify::Options o;
      o.threads = threads;
      auto t0 = std::chrono::steady_clock::now();
      certify::SupNormResult s = certify::certify_sup_norm(r, o);
      double sec = seconds_since(t0);
      std::printf("| sup sin(32πx)−I_N | %ld | %d | %s | %ld | %.3f | %.0f | %.10g | %.10g |\n", n, threads,
                  certify::to_string(s.status), s.boxes, sec, static_cast<double>(s.boxes) / sec,
                  num::to_double_approx(s.bounds.lower.value()), num::to_double_approx(s.bounds.upper.value()));
    }
  }
  expr::Program g =
      expr::Program::compile(expr::Expression::parse("sin(2*pi*x)*cos(2*pi*y)"), expr::Domain::unit(2));
  resid::Residual r2(g);
  for (int threads : {1, 2}) {
    certify::Options o;
    o.threads = threads;
    o.rel_gap = Rational(1, 100000);
    auto t0 = std::chrono::steady_clock::now();
    certify::LpNormResult l = certify::certify_lp_norm(r2, Rational(2), o);
    double sec = seconds_since(t0);
    std::printf("| L2 (gap 1e-5) sin(2πx)cos(2πy) | - | %d | %s | %ld | %.3f | %.0f | %.10g | %.10g |\n", threads,
                certify::to_string(l.status), l.boxes, sec, static_cast<double>(l.boxes) / sec,
                num::to_double_approx(l.bounds.lower.value()), num::to_double_approx(l.bounds.upper.value()));
  }
  return 0;
}
