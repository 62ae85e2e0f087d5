// Certified sup-norm of r = sin(2πx)cos(2πy) − I(x, y) on [0,1]^2, I the
// Kuhn interpolant of the uniform N×N grid (as in bench_certify_2d), by branch
// and bound over simplices (issue 13): the pieces start as the Kuhn simplices
// of the grid (I affine on each, Lemma S3), are refined by longest-edge
// bisection (Lemma S2), and are bounded by the Taylor form of f about the
// centroid with the quadratic part's range from S4's candidates in ball
// arithmetic (Lemmas S5, S6). Then the box
// engine (certify_sup_norm, 1 thread) on the same problem, for the ratio.
//
// Usage: bench_simplex [cells_per_axis = 64] [rel_gap = 1e-6] [--no-box]
#include <arb_mat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>

#include "interpolant_2d.hpp"
#include "mgdl/certify/sup_norm.hpp"
#include "mgdl/expr/program.hpp"
#include "mgdl/geom/simplex.hpp"
#include "mgdl/net/hat_correction.hpp"

using namespace mgdl;
using geom::Point;
using geom::Simplex;
using num::Ball;
using num::Rational;

namespace {

constexpr slong kPrec = 64;

double dbl(const Rational& r) {
  return num::to_double_approx(r);
}

// Largest certain lower bound of |x| (Lemma C1.1).
Rational abs_lower(const Ball& x) {
  const Rational lo = num::lower_rational(x), hi = num::upper_rational(x);
  if (lo > 0) return lo;
  if (hi < 0) return -hi;
  return 0;
}

struct Piece {
  Simplex t;
  std::vector<Rational> w;  // I at the vertices (exact)
  Rational upper;           // certified sup_T |r| (valid when finite)
  bool finite = false;
  double key = 0;  // heap order only
};

class SimplexBounder {
 public:
  SimplexBounder(const expr::Program& f, const net::HatCorrection& h) : ev_(f, kPrec), h_(h) {}

  // Lemma S5 with the ball candidates of Lemma S6; raises lower with a
  // witness (C1.1): r at a dyadic point near the reported extremum, with I
  // evaluated exactly there.
  void bound(Piece& p, Rational& lower) {
    const Simplex& t = p.t;
    const std::size_t d = static_cast<std::size_t>(t.dimension()), n = d + 1;
    std::vector<std::vector<Ball>> v(n);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < d; ++k)
        v[i].push_back(Ball::from_rational(t.vertex(static_cast<int>(i))[k], kPrec));
    geom::BallQuadratic q;
    q.center.resize(d);
    std::vector<Ball> lo(d), hi(d), rho(d);
    for (std::size_t k = 0; k < d; ++k) {
      arb_set(lo[k].arb(), v[0][k].arb());
      arb_set(hi[k].arb(), v[0][k].arb());
      for (std::size_t i = 0; i < n; ++i) {
        arb_add(q.center[k].arb(), q.center[k].arb(), v[i][k].arb(), kPrec);
        if (arb_lt(v[i][k].arb(), lo[k].arb())) arb_set(lo[k].arb(), v[i][k].arb());  // vertices are exact
        if (arb_gt(v[i][k].arb(), hi[k].arb())) arb_set(hi[k].arb(), v[i][k].arb());
      }
      arb_div_si(q.center[k].arb(), q.center[k].arb(), static_cast<slong>(n), kPrec);
      // ρ_k >= max_i |v_ik − c_k|
      arf_t m, x;
      arf_init(m);
      arf_init(x);
      Ball diff;
      for (std::size_t i = 0; i < n; ++i) {
        arb_sub(diff.arb(), v[i][k].arb(), q.center[k].arb(), kPrec);
        arb_get_abs_ubound_arf(x, diff.arb(), kPrec);
        if (arf_cmp(x, m) > 0) arf_set(m, x);
      }
      arb_set_arf(rho[k].arb(), m);
      arf_clear(m);
      arf_clear(x);
    }
    ev_.taylor2(q.center.data(), q.center.data(), at_c_);
    ev_.taylor2(lo.data(), hi.data(), on_box_);
    ++evaluations;
    p.finite = at_c_.value.is_finite();
    for (std::size_t k = 0; k < d; ++k) p.finite = p.finite && at_c_.gradient[k].is_finite();
    for (std::size_t k = 0; k < d * d; ++k)
      p.finite = p.finite && at_c_.hessian[k].is_finite() && on_box_.hessian[k].is_finite();
    if (!p.finite) {
      p.key = 1e300;
      return;
    }
    // I(c) is the mean of the vertex values; its gradient solves E g = Δw.
    std::vector<Ball> w(n);
    Ball ic;
    for (std::size_t i = 0; i < n; ++i) {
      w[i] = Ball::from_rational(p.w[i], kPrec);
      arb_add(ic.arb(), ic.arb(), w[i].arb(), kPrec);
    }
    arb_div_si(ic.arb(), ic.arb(), static_cast<slong>(n), kPrec);
    arb_mat_t e, dw, g;
    arb_mat_init(e, static_cast<slong>(d), static_cast<slong>(d));
    arb_mat_init(dw, static_cast<slong>(d), 1);
    arb_mat_init(g, static_cast<slong>(d), 1);
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t k = 0; k < d; ++k)
        arb_sub(arb_mat_entry(e, static_cast<slong>(j), static_cast<slong>(k)), v[j + 1][k].arb(),
                v[0][k].arb(), kPrec);
      arb_sub(arb_mat_entry(dw, static_cast<slong>(j), 0), w[j + 1].arb(), w[0].arb(), kPrec);
    }
    p.finite = arb_mat_solve(g, e, dw, kPrec) != 0;
    arb_sub(q.a.arb(), at_c_.value.arb(), ic.arb(), kPrec);
    q.b.resize(d);
    for (std::size_t k = 0; k < d; ++k)
      arb_sub(q.b[k].arb(), at_c_.gradient[k].arb(), arb_mat_entry(g, static_cast<slong>(k), 0), kPrec);
    arb_mat_clear(e);
    arb_mat_clear(dw);
    arb_mat_clear(g);
    if (!p.finite) {
      p.key = 1e300;
      return;
    }
    q.hessian = at_c_.hessian;
    // ε = ½ Σ sup|H(box) − H(c)| ρ_i ρ_j (Lemma S6 with S5).
    Ball eps, dev;
    for (std::size_t k = 0; k < d; ++k)
      for (std::size_t l = 0; l < d; ++l) {
        arb_sub(dev.arb(), on_box_.hessian[k * d + l].arb(), at_c_.hessian[k * d + l].arb(), kPrec);
        arb_abs(dev.arb(), dev.arb());
        arb_mul(dev.arb(), dev.arb(), rho[k].arb(), kPrec);
        arb_addmul(eps.arb(), dev.arb(), rho[l].arb(), kPrec);
      }
    arb_mul_2exp_si(eps.arb(), eps.arb(), -1);
    const geom::BallRange range = geom::quadratic_range_ball(q, v, kPrec);
    Ball peak;
    arb_neg(peak.arb(), range.min.arb());
    const bool high = arf_cmp(arb_midref(range.max.arb()), arb_midref(peak.arb())) >= 0;  // steering only
    arb_max(peak.arb(), peak.arb(), range.max.arb(), kPrec);
    arb_add(peak.arb(), peak.arb(), eps.arb(), kPrec);
    p.finite = peak.is_finite();
    if (!p.finite) {
      p.key = 1e300;
      return;
    }
    p.upper = num::upper_rational(peak);
    p.key = dbl(p.upper);
    if (p.upper <= lower) return;
    const std::vector<double>& near = high ? range.argmax : range.argmin;
    std::vector<Rational> x;
    std::vector<Ball> xb;
    for (double c : near) {
      const double clamped = std::min(1.0, std::max(0.0, c));
      x.emplace_back(static_cast<long long>(std::llround(clamped * 1099511627776.0)),
                     1099511627776LL);  // 2^-40 grid
      xb.push_back(Ball::from_rational(x.back(), kPrec));
    }
    Ball fx;
    ev_.point(xb.data(), fx);
    Ball ix = Ball::from_rational(h_.evaluate(x), kPrec);
    arb_sub(fx.arb(), fx.arb(), ix.arb(), kPrec);
    if (fx.is_finite()) lower = std::max(lower, abs_lower(fx));
  }

  long evaluations = 0;

 private:
  expr::BallEvaluator ev_;
  const net::HatCorrection& h_;
  expr::Taylor2 at_c_, on_box_;
};

struct SimplexResult {
  bool proven = false;
  Rational lower = 0, upper = 0;
  long evaluations = 0;
  std::size_t leaves = 0;
};

SimplexResult certify_on_simplices(const expr::Program& f, const net::HatCorrection& h, int n,
                                   const Rational& gap, std::size_t max_pieces) {
  SimplexBounder bounder(f, h);
  SimplexResult res;
  std::vector<Piece> heap;
  auto less = [](const Piece& a, const Piece& b) { return a.key < b.key; };
  auto push = [&](Piece p) {
    bounder.bound(p, res.lower);
    heap.push_back(std::move(p));
    std::push_heap(heap.begin(), heap.end(), less);
  };
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (Simplex& t :
           geom::kuhn_simplices({Rational(i, n), Rational(j, n)}, {Rational(i + 1, n), Rational(j + 1, n)})) {
        std::vector<Rational> w;
        for (const Point& v : t.vertices()) w.push_back(h.evaluate(v));
        push(Piece{std::move(t), std::move(w), 0, false, 0});
      }
  const Rational keep = 1 - gap;
  while (!heap.empty()) {
    const Piece& top = heap.front();
    if (top.finite && top.upper * keep <= res.lower) break;
    if (heap.size() >= max_pieces) break;
    std::pop_heap(heap.begin(), heap.end(), less);
    Piece p = std::move(heap.back());
    heap.pop_back();
    auto halves = geom::bisect_longest_edge(p.t);
    // The new vertex is the midpoint of edge (bi, bj): it replaces v_bj in the
    // first half and v_bi in the second (Lemma S2); I is affine, so its value
    // there is the mean.
    int bi = 0, bj = 0;
    for (int k = 0; k <= p.t.dimension(); ++k) {
      if (halves.first.vertex(k) != p.t.vertex(k)) bj = k;
      if (halves.second.vertex(k) != p.t.vertex(k)) bi = k;
    }
    const Rational wm = (p.w[static_cast<std::size_t>(bi)] + p.w[static_cast<std::size_t>(bj)]) / 2;
    std::vector<Rational> w1 = p.w, w2 = p.w;
    w1[static_cast<std::size_t>(bj)] = wm;
    w2[static_cast<std::size_t>(bi)] = wm;
    push(Piece{std::move(halves.first), std::move(w1), 0, false, 0});
    push(Piece{std::move(halves.second), std::move(w2), 0, false, 0});
  }
  // Lemma C1: the pieces cover Ω; the claimed upper bound is the exact maximum.
  bool all_finite = true;
  res.upper = res.lower;
  for (const Piece& p : heap) {
    all_finite = all_finite && p.finite;
    if (p.finite) res.upper = std::max(res.upper, p.upper);
  }
  res.proven = all_finite && res.upper * keep <= res.lower;
  res.evaluations = bounder.evaluations;
  res.leaves = heap.size();
  return res;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double cpu_since(std::clock_t c0) {
  return static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 64;
  Rational gap(1, 1000000);
  bool box = true;
  int positional = 0;
  try {
    for (int i = 1; i < argc; ++i) {
      if (std::strcmp(argv[i], "--no-box") == 0)
        box = false;
      else if (positional++ == 0)
        n = std::atoi(argv[i]);
      else
        gap = num::parse_rational(argv[i]);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_simplex: %s\n", e.what());
    return 2;
  }
  if (n < 1 || gap <= 0 || gap >= 1) {
    std::fprintf(stderr, "bench_simplex: need cells per axis >= 1 and 0 < rel_gap < 1\n");
    return 2;
  }
  expr::Program f =
      expr::Program::compile(expr::Expression::parse("sin(2*pi*x)*cos(2*pi*y)"), expr::Domain::unit(2));
  auto h = bench::sincos_interpolant_2d(n);
  std::printf(
      "| engine | grid | rel_gap | status | pieces evaluated | leaves | seconds | cpu seconds | lower | "
      "upper | (U-L)/U |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n");
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  const SimplexResult s = certify_on_simplices(f, *h, n, gap, 50000000);
  const double ssec = seconds_since(t0), scpu = cpu_since(c0);
  std::printf("| simplices | %dx%d | %.3g | %s | %ld | %zu | %.3f | %.3f | %.12g | %.12g | %.2e |\n", n, n,
              dbl(gap), s.proven ? "proven" : "not certified", s.evaluations, s.leaves, ssec, scpu,
              dbl(s.lower), dbl(s.upper), s.upper > 0 ? dbl((s.upper - s.lower) / s.upper) : 0.0);
  std::fflush(stdout);
  if (!box) return 0;
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
  std::printf("| boxes | %dx%d | %.3g | %s | %ld | %zu | %.3f | %.3f | %.12g | %.12g | %.2e |\n", n, n,
              dbl(gap), certify::to_string(b.status), b.boxes, b.leaves, bsec, bcpu, dbl(lo), dbl(hi),
              hi > 0 ? dbl((hi - lo) / hi) : 0.0);
  const bool consistent = s.lower <= hi && lo <= s.upper;
  std::printf("\nboxes/simplices: time %.1fx (cpu %.1fx), pieces %.1fx; bounds consistent: %s\n", bsec / ssec,
              bcpu / scpu, static_cast<double>(b.boxes) / static_cast<double>(s.evaluations),
              consistent ? "yes" : "NO");
  return consistent ? 0 : 1;
}
