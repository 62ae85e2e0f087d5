// geom::certify_sup (Lemmas S2, S5, S6, S6.1) against exact suprema and dense
// sampling, in d = 2 and 3.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>

#include "mgdl/expr/program.hpp"
#include "mgdl/geom/simplex.hpp"
#include "mgdl/geom/simplex_sup.hpp"

using mgdl::geom::AffinePiece;
using mgdl::num::Ball;
using mgdl::num::Rational;
namespace expr = mgdl::expr;
namespace geom = mgdl::geom;

namespace {

class ProgramTarget : public geom::LocalTarget {
 public:
  explicit ProgramTarget(const expr::Program& f) : ev_(f, 64), d_(f.dimension()) {}
  int dimension() const override { return d_; }
  void box_jet(const Ball* lo, const Ball* hi, geom::BoxJet& out) override {
    ev_.taylor2(lo, hi, jet_);
    out.value = jet_.value;
    out.gradient = jet_.gradient;
    out.hessian = jet_.hessian;
  }
  void point(const Ball* x, Ball& out) override { ev_.point(x, out); }

 private:
  expr::BallEvaluator ev_;
  int d_;
  expr::Taylor2 jet_;
};

expr::Program compile(const char* text, int d) {
  return expr::Program::compile(expr::Expression::parse(text), expr::Domain::unit(d));
}

// Kuhn simplices of the n^d grid with ℓ = the interpolant of f's exact values.
std::vector<AffinePiece> kuhn_pieces(const expr::Program& f, int d, int n) {
  std::vector<AffinePiece> out;
  std::vector<int> lo(static_cast<std::size_t>(d), 0);
  for (;;) {
    std::vector<Rational> a, b;
    for (int k : lo) {
      a.emplace_back(k, n);
      b.emplace_back(k + 1, n);
    }
    for (const geom::Simplex& t : geom::kuhn_simplices(a, b)) {
      AffinePiece p;
      for (const geom::Point& v : t.vertices()) {
        p.vertex.push_back(v);
        p.value.push_back(*expr::evaluate_exact(f, v));
      }
      out.push_back(std::move(p));
    }
    std::size_t i = 0;
    while (i < lo.size() && ++lo[i] == n) lo[i++] = 0;
    if (i == lo.size()) break;
  }
  return out;
}

}  // namespace

TEST_CASE("certify_sup: |x|^2 minus its Kuhn interpolant has sup d h^2 / 4 (d = 2, 3, 4)") {
  for (int d : {2, 3, 4}) {
    const int n = d == 4 ? 2 : 4;
    const expr::Program f = compile(d == 2   ? "x^2 + y^2"
                                    : d == 3 ? "x^2 + y^2 + z^2"
                                             : "x1^2 + x2^2 + x3^2 + x4^2",
                                    d);
    ProgramTarget target(f);
    geom::SupOptions o;
    o.rel_gap = Rational(1, 1000000);
    const geom::SupResult s = geom::certify_sup(target, kuhn_pieces(f, d, n), o);
    // I − |x|^2 = R_c^2 − |x − o|^2 on each Kuhn simplex, o the long diagonal's midpoint.
    const Rational exact(d, 4 * n * n);
    CAPTURE(d);
    CHECK(s.proven);
    CHECK(s.lower <= exact);
    CHECK(exact <= s.upper);
    CHECK(s.upper * (1 - o.rel_gap) <= s.lower);
    CHECK(s.leaves >= static_cast<std::size_t>(d == 2 ? 32 : d == 3 ? 384 : 384));
  }
}

TEST_CASE("certify_sup: sin(3x)cos(2y + 1) minus a planted affine map, against dense sampling") {
  const expr::Program f = compile("sin(3*x)*cos(2*y + 1)", 2);
  ProgramTarget target(f);
  // One piece each side of the diagonal of [0,1]^2 with ℓ = x/4 − y/3 + 1/5 (any affine map).
  auto ell = [](const Rational& x, const Rational& y) { return x / 4 - y / 3 + Rational(1, 5); };
  std::vector<AffinePiece> pieces;
  for (const geom::Simplex& t : geom::kuhn_simplices({0, 0}, {1, 1})) {
    AffinePiece p;
    for (const geom::Point& v : t.vertices()) {
      p.vertex.push_back(v);
      p.value.push_back(ell(v[0], v[1]));
    }
    pieces.push_back(std::move(p));
  }
  geom::SupOptions o;
  o.rel_gap = Rational(1, 100000);
  const geom::SupResult s = geom::certify_sup(target, pieces, o);
  REQUIRE(s.proven);
  double sampled = 0;
  const int m = 200;
  for (int i = 0; i <= m; ++i)
    for (int j = 0; j <= m; ++j) {
      std::vector<Ball> x{Ball::from_rational(Rational(i, m), 64), Ball::from_rational(Rational(j, m), 64)};
      Ball v;
      target.point(x.data(), v);
      const double r = v.mid_approx() - mgdl::num::to_double_approx(ell(Rational(i, m), Rational(j, m)));
      sampled = std::max(sampled, std::abs(r));
    }
  CHECK(sampled <= mgdl::num::to_double_approx(s.upper));
  // The grid's spacing bounds how far below the sup a sample can be (|∇r| <= 4).
  CHECK(mgdl::num::to_double_approx(s.lower) <= sampled + 4.0 / m);
  CHECK(mgdl::num::to_double_approx(s.lower) >= sampled * (1 - 1e-9));
}
