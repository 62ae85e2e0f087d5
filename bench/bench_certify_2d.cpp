// Certified sup-norm of r = sin(2πx)cos(2πy) − I(x, y) on [0,1]^2, I the
// piecewise-linear interpolant on the Kuhn (Freudenthal) triangulation of the
// uniform 64×64 grid: net::HatCorrection with node coefficients = a certified
// lower bound of f at the 65×65 nodes, rounded down to 64 significant bits
// (exact dyadics). Runs certify_sup_norm with 1 and 2 threads and reports
// boxes per second and whether the two results (bounds, witness, cover tree)
// are identical (issue 4, "Benchmarks").
//
// Usage: bench_certify_2d [cells_per_axis = 64] [rel_gap = 1e-6]
#include "interpolant_2d.hpp"
#include "mgdl/certify/sup_norm.hpp"
#include "mgdl/net/hat_correction.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

using namespace mgdl;
using num::Rational;

namespace {

double d(const Rational& r) { return num::to_double_approx(r); }

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 64;
  const Rational gap = argc > 2 ? num::parse_rational(argv[2]) : Rational(1, 1000000);
  if (n < 1) {
    std::fprintf(stderr, "bench_certify_2d: cells per axis must be >= 1\n");
    return 2;
  }
  expr::Program f =
      expr::Program::compile(expr::Expression::parse("sin(2*pi*x)*cos(2*pi*y)"), expr::Domain::unit(2));
  resid::Residual r = resid::Residual(f).with(bench::sincos_interpolant_2d(n));
  std::printf("| grid | rel_gap | threads | status | boxes | leaves | seconds | boxes/s | lower | upper | (U-L)/U |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|\n");
  certify::SupNormResult first;
  double first_sec = 0;
  for (int threads : {1, 2}) {
    certify::Options o;
    o.threads = threads;
    o.rel_gap = gap;
    auto t0 = std::chrono::steady_clock::now();
    certify::SupNormResult s = certify::certify_sup_norm(r, o);
    double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const Rational& lo = s.bounds.lower.value();
    const Rational& hi = s.bounds.upper.value();
    std::printf("| %dx%d | %.3g | %d | %s | %ld | %zu | %.3f | %.0f | %.12g | %.12g | %.2e |\n", n, n, d(gap), threads,
                certify::to_string(s.status), s.boxes, s.leaves, sec, static_cast<double>(s.boxes) / sec, d(lo), d(hi),
                hi > 0 ? d((hi - lo) / hi) : 0.0);
    std::fflush(stdout);
    if (threads == 1) {
      first = s;
      first_sec = sec;
    } else {
      const bool same = s.status == first.status && s.boxes == first.boxes &&
                        s.bounds.lower.value() == first.bounds.lower.value() &&
                        s.bounds.upper.value() == first.bounds.upper.value() && s.witness == first.witness &&
                        s.tree == first.tree;
      std::printf("\n1 vs 2 threads: results %s (status, boxes, exact bounds, witness, cover tree of %zu bytes); "
                  "speedup %.2fx\n",
                  same ? "IDENTICAL" : "DIFFER", s.tree.size(), first_sec / sec);
      if (!same) return 1;
    }
  }
  return 0;
}
