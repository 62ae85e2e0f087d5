// Certified sup-norm of r = sin(2πx)cos(2πy) − I(x, y) on [0,1]^2, I the
// Kuhn interpolant of the uniform N×N grid (as in bench_certify_2d), by branch
// and bound over simplices (issue 13): the pieces start as the Kuhn simplices
// of the grid (I affine on each, Lemma S3), are refined by longest-edge
// bisection (Lemma S2), and are bounded by the Taylor form of f about the
// centroid with the quadratic part's exact range (Lemmas S4, S5). Then the box
// engine (certify_sup_norm, 1 thread) on the same problem, for the ratio.
//
// Usage: bench_simplex [cells_per_axis = 64] [rel_gap = 1e-6] [--no-box]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

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
constexpr long kBits = 40;  // significant bits of the quadratic's rational coefficients

std::shared_ptr<net::HatCorrection> interpolant(int n) {
  std::vector<Rational> axis;
  for (int k = 0; k <= n; ++k) axis.emplace_back(k, n);
  std::vector<net::HatNode> nodes;
  for (int i = 0; i <= n; ++i) {
    for (int j = 0; j <= n; ++j) {
      Ball s = Ball::from_rational(Rational(2 * i, n), 256);
      Ball c = Ball::from_rational(Rational(2 * j, n), 256);
      arb_sin_pi(s.arb(), s.arb(), 256);
      arb_cos_pi(c.arb(), c.arb(), 256);
      arb_mul(s.arb(), s.arb(), c.arb(), 256);
      Rational v = num::round_down(num::lower_rational(s), 64);
      if (v != 0) nodes.push_back({{i, j}, v});
    }
  }
  return std::make_shared<net::HatCorrection>(2, std::vector<std::vector<Rational>>{axis, axis},
                                              std::move(nodes));
}

double dbl(const Rational& r) {
  return num::to_double_approx(r);
}

// A short rational near the ball (any rational is allowed in Lemma S5).
Rational pick(const Ball& x) {
  return num::round_down(num::lower_rational(x), kBits);
}

// sup |x − y| over the ball, exactly.
Rational deviation(const Ball& x, const Rational& y) {
  Ball t = Ball::from_rational(y, kPrec);
  arb_sub(t.arb(), x.arb(), t.arb(), kPrec);
  return num::abs_upper_rational(t);
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
  explicit SimplexBounder(const expr::Program& f) : ev_(f, kPrec) {}

  // Lemma S5 with the range of Lemma S4; raises lower with the witness (C1.1).
  void bound(Piece& p, Rational& lower) {
    const Simplex& t = p.t;
    const std::size_t d = static_cast<std::size_t>(t.dimension());
    const Point c = geom::centroid(t);
    std::vector<Ball> cb, lo, hi;
    Point rho(d, Rational(0));
    for (std::size_t k = 0; k < d; ++k) {
      cb.push_back(Ball::from_rational(c[k], kPrec));
      Rational l = t.vertex(0)[k], h = l;
      for (const Point& v : t.vertices()) {
        l = std::min(l, v[k]);
        h = std::max(h, v[k]);
      }
      rho[k] = std::max(c[k] - l, h - c[k]);
      lo.push_back(Ball::from_rational(l, kPrec));
      hi.push_back(Ball::from_rational(h, kPrec));
    }
    ev_.taylor2(cb.data(), cb.data(), at_c_);
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
    Rational ic = 0;
    for (const Rational& x : p.w) ic += x;
    ic /= static_cast<long>(p.w.size());
    geom::Matrix e(d, Point(d));
    std::vector<Rational> dw(d), gi;
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t k = 0; k < d; ++k) e[j][k] = t.vertex(static_cast<int>(j) + 1)[k] - t.vertex(0)[k];
      dw[j] = p.w[j + 1] - p.w[0];
    }
    geom::solve_linear(e, dw, gi);  // non-singular: t is non-degenerate
    geom::Quadratic q{0, Point(d), geom::Matrix(d, Point(d)), c};
    Ball tmp = Ball::from_rational(ic, kPrec);
    arb_sub(tmp.arb(), at_c_.value.arb(), tmp.arb(), kPrec);
    q.a = pick(tmp);
    Rational eps = deviation(tmp, q.a);
    for (std::size_t k = 0; k < d; ++k) {
      tmp = Ball::from_rational(gi[k], kPrec);
      arb_sub(tmp.arb(), at_c_.gradient[k].arb(), tmp.arb(), kPrec);
      q.b[k] = pick(tmp);
      eps += deviation(tmp, q.b[k]) * rho[k];
      for (std::size_t l = k; l < d; ++l) q.hessian[k][l] = q.hessian[l][k] = pick(at_c_.hessian[k * d + l]);
    }
    Rational slack = 0;
    for (std::size_t k = 0; k < d; ++k)
      for (std::size_t l = 0; l < d; ++l)
        slack += deviation(on_box_.hessian[k * d + l], q.hessian[k][l]) * rho[k] * rho[l];
    eps = num::round_up(eps + slack / 2, 30);
    const geom::QuadraticRange range = geom::quadratic_range(q, t);
    const bool high = range.max >= -range.min;
    const Rational peak = high ? Rational(range.max) : Rational(-range.min);
    p.upper = peak + eps;
    p.key = dbl(p.upper);
    if (p.upper <= lower) return;
    // Witness: r at the reported extremal point, in balls (I exact there).
    const Point& x = high ? range.argmax : range.argmin;
    const std::vector<Rational> lambda = geom::barycentric(t, x);
    Rational ix = 0;
    for (std::size_t i = 0; i < lambda.size(); ++i) ix += lambda[i] * p.w[i];
    std::vector<Ball> xb;
    for (const Rational& v : x) xb.push_back(Ball::from_rational(v, kPrec));
    Ball fx;
    ev_.point(xb.data(), fx);
    tmp = Ball::from_rational(ix, kPrec);
    arb_sub(tmp.arb(), fx.arb(), tmp.arb(), kPrec);
    if (tmp.is_finite()) lower = std::max(lower, abs_lower(tmp));
  }

  long evaluations = 0;

 private:
  expr::BallEvaluator ev_;
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
  SimplexBounder bounder(f);
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
  auto h = interpolant(n);
  std::printf(
      "| engine | grid | rel_gap | status | pieces evaluated | leaves | seconds | lower | upper | (U-L)/U |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n");
  auto t0 = std::chrono::steady_clock::now();
  const SimplexResult s = certify_on_simplices(f, *h, n, gap, 50000000);
  const double ssec = seconds_since(t0);
  std::printf("| simplices | %dx%d | %.3g | %s | %ld | %zu | %.3f | %.12g | %.12g | %.2e |\n", n, n, dbl(gap),
              s.proven ? "proven" : "not certified", s.evaluations, s.leaves, ssec, dbl(s.lower),
              dbl(s.upper), s.upper > 0 ? dbl((s.upper - s.lower) / s.upper) : 0.0);
  std::fflush(stdout);
  if (!box) return 0;
  resid::Residual r = resid::Residual(f).with(h);
  certify::Options o;
  o.threads = 1;
  o.rel_gap = gap;
  t0 = std::chrono::steady_clock::now();
  const certify::SupNormResult b = certify::certify_sup_norm(r, o);
  const double bsec = seconds_since(t0);
  const Rational& lo = b.bounds.lower.value();
  const Rational& hi = b.bounds.upper.value();
  std::printf("| boxes | %dx%d | %.3g | %s | %ld | %zu | %.3f | %.12g | %.12g | %.2e |\n", n, n, dbl(gap),
              certify::to_string(b.status), b.boxes, b.leaves, bsec, dbl(lo), dbl(hi),
              hi > 0 ? dbl((hi - lo) / hi) : 0.0);
  const bool consistent = s.lower <= hi && lo <= s.upper;
  std::printf("\nboxes/simplices: time %.1fx, pieces %.1fx; bounds consistent: %s\n", bsec / ssec,
              static_cast<double>(b.boxes) / static_cast<double>(s.evaluations), consistent ? "yes" : "NO");
  return consistent ? 0 : 1;
}
