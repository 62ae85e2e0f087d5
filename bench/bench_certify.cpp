// Certified sup-norm throughput: r = sin(32πx) − I_N(x), I_N the piecewise-linear
// interpolant on N uniform knots (knot values sin rounded down to 40 bits), as a
// structured 1D correction; boxes per second with 1 and 2 threads, plus the
// 2D target sin(2πx)cos(2πy) alone. Usage: bench_certify [max_N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "interpolant_1d.hpp"
#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/certify/sup_norm.hpp"

using namespace mgdl;
using num::Rational;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  long max_n = argc > 1 ? std::atol(argv[1]) : 4096;
  expr::Program f = expr::Program::compile(expr::Expression::parse("sin(32*pi*x)"), expr::Domain::unit(1));
  std::printf(
      "| target | N | threads | status | boxes | seconds | boxes/s | lower | upper "
      "|\n|---|---|---|---|---|---|---|---|---|\n");
  for (long n = 64; n <= max_n; n *= 4) {
    resid::Residual r = resid::Residual(f).with(std::make_shared<bench::Interpolant1D>(bench::sine_knots(n)));
    for (int threads : {1, 2}) {
      certify::Options o;
      o.threads = threads;
      auto t0 = std::chrono::steady_clock::now();
      certify::SupNormResult s = certify::certify_sup_norm(r, o);
      double sec = seconds_since(t0);
      std::printf("| sup sin(32πx)−I_N | %ld | %d | %s | %ld | %.3f | %.0f | %.10g | %.10g |\n", n, threads,
                  certify::to_string(s.status), s.boxes, sec, static_cast<double>(s.boxes) / sec,
                  num::to_double_approx(s.bounds.lower.value()),
                  num::to_double_approx(s.bounds.upper.value()));
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
    std::printf("| L2 (gap 1e-5) sin(2πx)cos(2πy) | - | %d | %s | %ld | %.3f | %.0f | %.10g | %.10g |\n",
                threads, certify::to_string(l.status), l.boxes, sec, static_cast<double>(l.boxes) / sec,
                num::to_double_approx(l.bounds.lower.value()), num::to_double_approx(l.bounds.upper.value()));
  }
  return 0;
}
