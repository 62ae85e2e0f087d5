// Certified norms of r = f − I on [0,1]^d, I the Kuhn interpolant of the
// uniform N^d grid of f = sin(2πx)·Π cos(2πx_k) (node values rounded down to
// 64 bits, as in bench_certify_2d), over simplices (issue 13): the pieces are
// the Kuhn simplices of the grid (I affine on each, Lemma S3), bounded by
// geom::certify_sup (Lemmas S2, S5, S6, S6.1), or with --lp P the L^P norm
// (P = 1, 2) by geom::integrate_lp (Lemmas S7, S8) to relative rel_gap on the
// norm. In 2D, then the box engine (certify_sup_norm / certify_lp_norm,
// 1 thread, stopped after --box-seconds) on the same problem, for the ratio.
//
// Usage: bench_simplex [--dim 2|3] [--lp 1|2] [--nodes n = 7] [--box-seconds s = 300]
//                      [cells_per_axis = 64 (2D), 16 (3D)] [rel_gap = 1e-6] [--no-box]
//                      [--no-simplices] (L^p only: the box engine alone)
//                      [--no-curve] (L^1, 2D: straight cuts only, Lemma S8 (iv), not (v))
#include <arb.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>

#include "../tests/geom/program_target.hpp"
#include "interpolant_2d.hpp"
#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/certify/sup_norm.hpp"
#include "mgdl/expr/program.hpp"
#include "mgdl/geom/simplex.hpp"
#include "mgdl/geom/simplex_lp.hpp"
#include "mgdl/geom/simplex_sup.hpp"
#include "mgdl/net/hat_correction.hpp"

using namespace mgdl;
using num::Ball;
using num::Rational;

namespace {

double dbl(const Rational& r) {
  return num::to_double_approx(r);
}

// f at the node k/n (k ∈ {0..n}^d), rounded down to 64 bits: the node values
// of bench::sincos_interpolant_2d, in any d.
Rational node_value(const std::vector<int>& k, int n) {
  Ball v = Ball::from_rational(Rational(2 * k[0], n), 256), c;
  arb_sin_pi(v.arb(), v.arb(), 256);
  for (std::size_t i = 1; i < k.size(); ++i) {
    c = Ball::from_rational(Rational(2 * k[i], n), 256);
    arb_cos_pi(c.arb(), c.arb(), 256);
    arb_mul(v.arb(), v.arb(), c.arb(), 256);
  }
  return num::round_down(num::lower_rational(v), 64);
}

// The d! Kuhn simplices of each cell of the n^d grid with I's values at their
// vertices (Lemma S3: I is affine on each and interpolates there).
std::vector<geom::AffinePiece> kuhn_pieces(int d, int n) {
  const auto du = static_cast<std::size_t>(d);
  std::size_t nodes = 1;
  for (int i = 0; i < d; ++i) nodes *= static_cast<std::size_t>(n + 1);
  std::vector<Rational> value(nodes);
  std::vector<int> k(du);
  for (std::size_t idx = 0; idx < nodes; ++idx) {
    std::size_t r = idx;
    for (std::size_t i = 0; i < du; ++i) {
      k[i] = static_cast<int>(r % static_cast<std::size_t>(n + 1));
      r /= static_cast<std::size_t>(n + 1);
    }
    value[idx] = node_value(k, n);
  }
  std::vector<int> perm(du);
  std::vector<geom::AffinePiece> out;
  std::size_t cells = 1;
  for (int i = 0; i < d; ++i) cells *= static_cast<std::size_t>(n);
  for (std::size_t cell = 0; cell < cells; ++cell) {
    std::vector<int> lo(du);
    std::size_t r = cell;
    for (std::size_t i = 0; i < du; ++i) {
      lo[i] = static_cast<int>(r % static_cast<std::size_t>(n));
      r /= static_cast<std::size_t>(n);
    }
    std::iota(perm.begin(), perm.end(), 0);
    do {
      geom::AffinePiece p;
      std::vector<int> v = lo;
      for (std::size_t j = 0; j <= du; ++j) {
        if (j > 0) ++v[static_cast<std::size_t>(perm[j - 1])];
        std::vector<Rational> x;
        std::size_t idx = 0, stride = 1;
        for (std::size_t i = 0; i < du; ++i) {
          x.emplace_back(v[i], n);
          idx += static_cast<std::size_t>(v[i]) * stride;
          stride *= static_cast<std::size_t>(n + 1);
        }
        p.vertex.push_back(std::move(x));
        p.value.push_back(value[idx]);
      }
      out.push_back(std::move(p));
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double cpu_since(std::clock_t c0) {
  return static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
}

// L^p: the simplices' norm, then the box engine's, in one run.
int run_lp(const expr::Expression& fe, const expr::Program& f, int d, int n, int p, int nodes,
           const Rational& gap, bool box, bool simplices, double box_seconds, bool curve) {
  std::string grid = std::to_string(n);
  for (int i = 1; i < d; ++i) grid += "x" + std::to_string(n);
  std::printf(
      "| engine | grid | p | rel_gap (norm) | status | pieces evaluated | leaves | seconds | cpu seconds | "
      "lower | "
      "upper | (U-L)/U |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  testing::ProgramTarget target(fe, 64);
  geom::LpResult s;
  double ssec = 0, scpu = 0;
  if (simplices) {
    geom::LpOptions o;
    o.p = p;
    o.nodes = nodes;
    o.curved_cut = curve;
    // (U/L)^(1/p) <= 1/(1 − gap) for the norm when the integral meets 1 − (1 − gap)^p.
    Rational keep = 1;
    for (int i = 0; i < p; ++i) keep *= 1 - gap;
    o.rel_tol = 1 - keep;
    s = geom::integrate_lp(target, kuhn_pieces(d, n), o);
    ssec = seconds_since(t0);
    scpu = cpu_since(c0);
    // The norm's bounds: the p-th roots of the integral's, rounded outward.
    auto root = [&](const Rational& v, bool up) {
      Ball b = Ball::from_rational(v, 128);
      if (p == 2) arb_sqrt(b.arb(), b.arb(), 128);
      return up ? dbl(num::upper_rational(b)) : dbl(num::lower_rational(b));
    };
    const double sl = root(s.lower, false), su = root(s.upper, true);
    std::printf("| simplices | %s | %d | %.3g | %s | %ld | %zu | %.3f | %.3f | %.12g | %.12g | %.2e |\n",
                grid.c_str(), p, dbl(gap), s.proven ? "proven" : "not certified", s.evaluations, s.leaves,
                ssec, scpu, sl, su, su > 0 ? (su - sl) / su : 0.0);
    std::fflush(stdout);
  }
  if (!box || d != 2) return s.proven ? 0 : 1;
  auto h = bench::sincos_interpolant_2d(n);
  resid::Residual r = resid::Residual(f).with(h);
  certify::Options bo;
  bo.threads = 1;
  bo.rel_gap = gap;
  bo.deadline =
      std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                             std::chrono::duration<double>(box_seconds));
  t0 = std::chrono::steady_clock::now();
  c0 = std::clock();
  const certify::LpNormResult b = certify::certify_lp_norm(r, Rational(p), bo);
  const double bsec = seconds_since(t0), bcpu = cpu_since(c0);
  const double bl = dbl(b.bounds.lower.value()), bu = dbl(b.bounds.upper.value());
  std::printf("| boxes | %s | %d | %.3g | %s | %ld | %zu | %.3f | %.3f | %.12g | %.12g | %.2e |\n",
              grid.c_str(), p, dbl(gap), certify::to_string(b.status), b.boxes, b.leaves, bsec, bcpu, bl, bu,
              bu > 0 ? (bu - bl) / bu : 0.0);
  if (!simplices) return b.status == certify::Status::proven ? 0 : 1;
  const bool consistent = s.lower <= b.integral_upper && b.integral_lower <= s.upper;
  std::printf("\nboxes/simplices: time %.1fx (cpu %.1fx), pieces %.1fx; integral bounds consistent: %s\n",
              bsec / ssec, bcpu / scpu, static_cast<double>(b.boxes) / static_cast<double>(s.evaluations),
              consistent ? "yes" : "NO");
  return consistent && s.proven ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int d = 2, n = 0, lp = 0, nodes = 7;
  double box_seconds = 300;
  Rational gap(1, 1000000);
  bool box = true, simplices = true, curve = true;
  int positional = 0;
  try {
    for (int i = 1; i < argc; ++i) {
      if (std::strcmp(argv[i], "--no-box") == 0)
        box = false;
      else if (std::strcmp(argv[i], "--no-curve") == 0)
        curve = false;
      else if (std::strcmp(argv[i], "--no-simplices") == 0)
        simplices = false;
      else if (std::strcmp(argv[i], "--dim") == 0 && i + 1 < argc)
        d = std::atoi(argv[++i]);
      else if (std::strcmp(argv[i], "--lp") == 0 && i + 1 < argc)
        lp = std::atoi(argv[++i]);
      else if (std::strcmp(argv[i], "--nodes") == 0 && i + 1 < argc)
        nodes = std::atoi(argv[++i]);
      else if (std::strcmp(argv[i], "--box-seconds") == 0 && i + 1 < argc)
        box_seconds = std::atof(argv[++i]);
      else if (positional++ == 0)
        n = std::atoi(argv[i]);
      else
        gap = num::parse_rational(argv[i]);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_simplex: %s\n", e.what());
    return 2;
  }
  if (n == 0) n = d == 2 ? 64 : 16;
  if (d < 2 || d > 4 || n < 1 || gap <= 0 || gap >= 1 || (lp != 0 && lp != 1 && lp != 2) || nodes < 2) {
    std::fprintf(
        stderr,
        "bench_simplex: need --dim 2..4, --lp 1|2, --nodes >= 2, cells per axis >= 1 and 0 < rel_gap < 1\n");
    return 2;
  }
  std::string text = "sin(2*pi*x)*cos(2*pi*y)";
  if (d >= 3) text += "*cos(2*pi*z)";
  if (d >= 4) text += "*cos(2*pi*w)";
  const expr::Expression fe = expr::Expression::parse(text);
  expr::Program f = expr::Program::compile(fe, expr::Domain::unit(d));
  if (lp != 0) {
    try {
      return run_lp(fe, f, d, n, lp, nodes, gap, box, simplices, box_seconds, curve);
    } catch (const std::invalid_argument& e) {  // e.g. too few nodes for d
      std::fprintf(stderr, "bench_simplex: %s\n", e.what());
      return 2;
    }
  }
  std::printf(
      "| engine | grid | rel_gap | status | pieces evaluated | leaves | seconds | cpu seconds | lower | "
      "upper | (U-L)/U |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::string grid = std::to_string(n);
  for (int i = 1; i < d; ++i) grid += "x" + std::to_string(n);
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  testing::ProgramTarget target(fe, 64);
  geom::SupOptions so;
  so.rel_gap = gap;
  const geom::SupResult s = geom::certify_sup(target, kuhn_pieces(d, n), so);
  const double ssec = seconds_since(t0), scpu = cpu_since(c0);
  std::printf("| simplices | %s | %.3g | %s | %ld | %zu | %.3f | %.3f | %.12g | %.12g | %.2e |\n",
              grid.c_str(), dbl(gap), s.proven ? "proven" : "not certified", s.evaluations, s.leaves, ssec,
              scpu, dbl(s.lower), dbl(s.upper), s.upper > 0 ? dbl((s.upper - s.lower) / s.upper) : 0.0);
  std::fflush(stdout);
  if (!box || d != 2) return s.proven ? 0 : 1;
  auto h = bench::sincos_interpolant_2d(n);
  resid::Residual r = resid::Residual(f).with(h);
  certify::Options o;
  o.threads = 1;
  o.rel_gap = gap;
  t0 = std::chrono::steady_clock::now();
  c0 = std::clock();
  const certify::SupNormResult b = certify::certify_sup_norm(r, o);
  const double bsec = seconds_since(t0), bcpu = cpu_since(c0);
  const Rational& lo = b.bounds.lower.value();
  const Rational& hi = b.bounds.upper.value();
  std::printf("| boxes | %s | %.3g | %s | %ld | %zu | %.3f | %.3f | %.12g | %.12g | %.2e |\n", grid.c_str(),
              dbl(gap), certify::to_string(b.status), b.boxes, b.leaves, bsec, bcpu, dbl(lo), dbl(hi),
              hi > 0 ? dbl((hi - lo) / hi) : 0.0);
  const bool consistent = s.lower <= hi && lo <= s.upper;
  std::printf("\nboxes/simplices: time %.1fx (cpu %.1fx), pieces %.1fx; bounds consistent: %s\n", bsec / ssec,
              bcpu / scpu, static_cast<double>(b.boxes) / static_cast<double>(s.evaluations),
              consistent ? "yes" : "NO");
  return consistent && s.proven ? 0 : 1;
}
