// Enclosures per second of the expression evaluator: range() and taylor2()
// on random boxes of width 1e-4 in [0,1]^d, at 64 and 128 bits.
// Prints a markdown table. Usage: bench_expr [seconds per cell, default 1]
#include "mgdl/expr/program.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using namespace mgdl::expr;
using mgdl::num::Ball;
using mgdl::num::Rational;

namespace {

struct Boxes {
  std::vector<std::vector<Ball>> lo, hi;
};

Boxes make_boxes(int d, slong prec, int count, std::mt19937_64& rng) {
  Boxes b;
  for (int k = 0; k < count; ++k) {
    std::vector<Ball> lo, hi;
    for (int i = 0; i < d; ++i) {
      // Dyadic corners: a multiple of 2^-30 and width 2^-13 ~ 1.2e-4.
      const Rational a(static_cast<long>(rng() % ((1UL << 30) - (1UL << 17))), 1L << 30);
      lo.push_back(Ball::from_rational(a, prec));
      hi.push_back(Ball::from_rational(a + Rational(1, 1 << 13), prec));
    }
    b.lo.push_back(std::move(lo));
    b.hi.push_back(std::move(hi));
  }
  return b;
}

template <class F>
double per_second(double seconds, int count, F&& f) {
  using clock = std::chrono::steady_clock;
  long calls = 0;
  const auto start = clock::now();
  double elapsed = 0;
  do {
    for (int k = 0; k < count; ++k) f(k);
    calls += count;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(calls) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  std::mt19937_64 rng(1);
  std::printf("| target | bits | range / s | taylor2 / s |\n|---|---|---|---|\n");
  for (const char* text : {"sin(32*pi*x)", "exp(-x^2)*cos(20*y)"}) {
    const Expression e = Expression::parse(text);
    const Program prog = Program::compile(e, Domain::unit(e.dimension()));
    for (slong prec : {64, 128}) {
      const Boxes boxes = make_boxes(e.dimension(), prec, 1000, rng);
      BallEvaluator ev(prog, prec);
      Ball out;
      Taylor2 jet;
      const double range_rate =
          per_second(seconds, 1000, [&](int k) { ev.range(boxes.lo[k].data(), boxes.hi[k].data(), out); });
      const double taylor_rate =
          per_second(seconds, 1000, [&](int k) { ev.taylor2(boxes.lo[k].data(), boxes.hi[k].data(), jet); });
      std::printf("| `%s` | %ld | %.3g | %.3g |\n", text, static_cast<long>(prec), range_rate, taylor_rate);
    }
  }
  return 0;
}
