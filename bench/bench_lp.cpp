// Certified L^p enclosures, high-order rules (G<n>, K<n>; proofs/integration.md)
// against the legacy midpoint rule (C3) in the same run: seconds and boxes per claim.
// Usage: bench_lp [legacy_box_budget]   (default 4000000; legacy runs stop there)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "interpolant_1d.hpp"
#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/certify/sup_norm.hpp"

using namespace mgdl;
using num::Rational;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

expr::Program compile(const char* text, int d, const Rational& lo, const Rational& hi) {
  expr::Domain dom = expr::Domain::unit(d);
  for (int i = 0; i < d; ++i) {
    dom.lo[static_cast<std::size_t>(i)] = lo;
    dom.hi[static_cast<std::size_t>(i)] = hi;
  }
  return expr::Program::compile(expr::Expression::parse(text), dom);
}

struct Row {
  double seconds = 0;
  long boxes = 0;
  std::string status;
  double lower = 0, upper = 0;
};

Row lp(const resid::Residual& r, const Rational& p, const Rational& gap, certify::LpRules rules,
       long budget) {
  certify::Options o;
  o.rel_gap = gap;
  o.lp_rules = rules;
  o.max_boxes = budget;
  auto t0 = std::chrono::steady_clock::now();
  certify::LpNormResult l = certify::certify_lp_norm(r, p, o);
  return Row{seconds_since(t0), l.boxes, certify::to_string(l.status),
             num::to_double_approx(l.bounds.lower.value()), num::to_double_approx(l.bounds.upper.value())};
}

void compare(const char* name, const resid::Residual& r, const Rational& p, const Rational& gap,
             long budget) {
  Row g = lp(r, p, gap, certify::LpRules::high_order, budget);
  Row m = lp(r, p, gap, certify::LpRules::legacy, budget);
  std::printf("| %s | %s | %ld | %.4f | %s | %ld | %.4f | %s | %.0fx | %.0fx | %.12g |\n", name,
              g.status.c_str(), g.boxes, g.seconds, m.status.c_str(), m.boxes, m.seconds,
              m.status == "proven" ? "" : " (budget)", m.seconds / g.seconds,
              static_cast<double>(m.boxes) / static_cast<double>(g.boxes), g.upper);
}

}  // namespace

int main(int argc, char** argv) {
  const long budget = argc > 1 ? std::atol(argv[1]) : 4000000;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // one row at a time
  std::printf(
      "| claim | new status | new boxes | new s | legacy status | legacy boxes | legacy s | | time ratio | "
      "box ratio | upper |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  // 1D: cos(x) − (1 − x²/2 + x⁴/24) on [−1/2, 1/2], L^2 at 1e-12, and its sup-norm.
  resid::Residual c(compile("cos(x)-(1-x^2/2+x^4/24)", 1, Rational(-1, 2), Rational(1, 2)));
  {
    certify::Options o;
    o.rel_gap = Rational(1, 1000000000000);
    auto t0 = std::chrono::steady_clock::now();
    certify::SupNormResult s = certify::certify_sup_norm(c, o);
    std::printf("| sup cos−T4 (1e-12) | %s | %ld | %.4f | | | | | | | %.12g |\n",
                certify::to_string(s.status), s.boxes, seconds_since(t0),
                num::to_double_approx(s.bounds.upper.value()));
  }
  compare("L2 cos−T4 (1e-12)", c, Rational(2), Rational(1, 1000000000000), budget);
  compare("L1 cos−T4 (1e-9)", c, Rational(1), Rational(1, 1000000000), budget);
  // L^2 of sin(32πx) − I_4096 to 1e-9 (K<n> at the 4095 kinks).
  resid::Residual s = resid::Residual(compile("sin(32*pi*x)", 1, Rational(0), Rational(1)))
                          .with(std::make_shared<bench::Interpolant1D>(bench::sine_knots(4096)));
  compare("L2 sin(32πx)−I_4096 (1e-9)", s, Rational(2), Rational(1, 1000000000), budget);
  // 3D: ‖xyz‖_2 to 1e-6; 2D target alone.
  resid::Residual xyz(compile("x*y*z", 3, Rational(0), Rational(1)));
  compare("L2 xyz (1e-6)", xyz, Rational(2), Rational(1, 1000000), budget);
  resid::Residual t2(compile("sin(6*x)*cos(7*y)+0.2*x*y", 2, Rational(0), Rational(1)));
  compare("L2 sin(6x)cos(7y)+0.2xy (1e-6)", t2, Rational(2), Rational(1, 1000000), budget);
  compare("L3/2 exp(x+y) (1e-9)", resid::Residual(compile("exp(x+y)", 2, Rational(0), Rational(1))),
          Rational(3, 2), Rational(1, 1000000000), budget);
  return 0;
}
