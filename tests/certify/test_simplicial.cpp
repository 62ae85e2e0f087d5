// T<n>, the producer's L^p rule on simplices (proofs/integration.md, Lemma I9): the
// exact geometry (edge splits tile a simplex, ∫ l_+ against an independent closed
// form), the rule on one 3D leaf against exact references at its stated order, and
// whole L^p runs in 3D across a cutoff's and a hat's oblique kinks against exact
// norms computed without any decomposition.
#include <doctest/doctest.h>

#include <memory>
#include <random>
#include <string>

#include "ball_helpers.hpp"
#include "mgdl/certify/leaf_rules.hpp"
#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/certify/simplicial.hpp"
#include "mgdl/geom/simplex.hpp"
#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/net/hat_correction.hpp"

using mgdl::num::Ball;
using mgdl::num::Rational;
namespace certify = mgdl::certify;
namespace expr = mgdl::expr;
namespace geom = mgdl::geom;
namespace net = mgdl::net;
namespace resid = mgdl::resid;
using namespace mgdl::test;

namespace {

Rational value(const Rational& c, const std::vector<Rational>& g, const geom::Point& x) {
  Rational v = c;
  for (std::size_t k = 0; k < x.size(); ++k) v += g[k] * x[k];
  return v;
}

Rational factorial(int n) {
  Rational f(1);
  for (int k = 2; k <= n; ++k) f *= k;
  return f;
}

// ∫_{Π[0, w_i]} (t − Σ b_i x_i)_+ dx for b_i > 0, by inclusion–exclusion over the
// corners (no simplices): Σ_S (−1)^{|S|} (t − Σ_{i∈S} b_i w_i)_+^{d+1} / ((d+1)! Π b_i).
Rational box_positive_part(const std::vector<Rational>& b, const std::vector<Rational>& w,
                           const Rational& t) {
  const std::size_t d = b.size();
  Rational sum(0), denom = factorial(static_cast<int>(d) + 1);
  for (const Rational& x : b) denom *= x;
  for (unsigned mask = 0; mask < (1u << d); ++mask) {
    Rational v = t;
    int sign = 1;
    for (std::size_t i = 0; i < d; ++i)
      if (mask & (1u << i)) {
        v -= b[i] * w[i];
        sign = -sign;
      }
    if (v <= 0) continue;
    Rational pw(1);
    for (std::size_t k = 0; k <= d; ++k) pw *= v;
    sum += sign * pw;
  }
  return sum / denom;
}

}  // namespace

TEST_CASE("edge splits tile a simplex exactly and leave one sign per piece (I9 (a), (b))") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> num(-9, 9);
  for (int d : {3, 4}) {
    CAPTURE(d);
    geom::Point lo(static_cast<std::size_t>(d)), hi(static_cast<std::size_t>(d));
    for (int k = 0; k < d; ++k) {
      lo[static_cast<std::size_t>(k)] = Rational(k, 7);
      hi[static_cast<std::size_t>(k)] = Rational(k, 7) + Rational(3 + k, 11);
    }
    Rational cell(1);
    for (int k = 0; k < d; ++k) cell *= hi[static_cast<std::size_t>(k)] - lo[static_cast<std::size_t>(k)];
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<Rational> g(static_cast<std::size_t>(d));
      for (Rational& x : g) x = Rational(num(rng), 1 + (num(rng) + 9) % 5);
      // A hyperplane through the cell's centre region, so that it really cuts.
      Rational c(0);
      for (int k = 0; k < d; ++k)
        c -= g[static_cast<std::size_t>(k)] *
             (lo[static_cast<std::size_t>(k)] + hi[static_cast<std::size_t>(k)]) / 2;
      c += Rational(num(rng), 40);
      std::vector<geom::MeasuredSimplex> pieces;
      for (const geom::Simplex& s : geom::kuhn_simplices(lo, hi))
        geom::split_by_hyperplane(geom::measured(s), c, g, pieces);
      Rational total(0), integral(0), pos(0), neg(0);
      for (const geom::MeasuredSimplex& p : pieces) {
        CHECK(p.volume == geom::volume(geom::Simplex(p.vertex)));  // carried volume is the true one
        total += p.volume;
        bool nonneg = true, nonpos = true;
        Rational mean(0);
        for (const geom::Point& v : p.vertex) {
          const Rational l = value(c, g, v);
          nonneg = nonneg && l >= 0;
          nonpos = nonpos && l <= 0;
          mean += l;
        }
        CHECK((nonneg || nonpos));
        integral += p.volume * mean / (d + 1);
        std::vector<Rational> ng = g;
        for (Rational& x : ng) x = -x;
        pos += geom::positive_part_integral(p, c, g);
        neg += geom::positive_part_integral(p, -c, ng);
      }
      CHECK(total == cell);
      CHECK(pos - neg == integral);  // ∫ l_+ − ∫ (−l)_+ = ∫ l
    }
  }
}

TEST_CASE("∫_T l_+ over a cell's Kuhn simplices equals the box's inclusion–exclusion closed form (I9 (d))") {
  // l = t − Σ b_i x_i on Π[0, w_i]: several corners on each side of l = 0.
  const std::vector<Rational> b{Rational(1), Rational(3, 2), Rational(2, 3)},
      w{Rational(1, 2), Rational(1, 3), Rational(3, 4)};
  for (const Rational& t : {Rational(1, 5), Rational(1, 2), Rational(4, 5), Rational(3, 2)}) {
    CAPTURE(t);
    Rational sum(0);
    const std::vector<Rational> g{-b[0], -b[1], -b[2]};
    for (const geom::Simplex& s : geom::kuhn_simplices({Rational(0), Rational(0), Rational(0)}, w))
      sum += geom::positive_part_integral(geom::measured(s), t, g);
    CHECK(sum == box_positive_part(b, w, t));
  }
}

TEST_CASE("T<n> on one 3D leaf: a curved zero surface, exact references, sixth order for p = 1 (I9)") {
  // R = x − 3/10 + (y − 1/2)² + (z − 1/2)² on the cube of half-width h centred at (3/10, 1/2, 1/2):
  // for each (y, z) the zero x = 3/10 − s, s = u² + v², lies inside, ∫|R| dx = h² + s², so
  // ∫|R| = 4h⁴ + 112h⁶/45 and ∫R² = 8h⁵/3 + 224h⁷/45.
  resid::Residual r(compile("x - 3/10 + (y - 1/2)^2 + (z - 1/2)^2", 3));
  resid::ResidualEvaluator ev(r, kPrec);
  certify::SimplicialRule t(r, kPrec);
  double prev = 0;
  for (int level = 0; level < 4; ++level) {
    CAPTURE(level);
    const Rational h(1, 10 << level);
    net::Box box;
    box.lo = {Rational(3, 10) - h, Rational(1, 2) - h, Rational(1, 2) - h};
    box.hi = {Rational(3, 10) + h, Rational(1, 2) + h, Rational(1, 2) + h};
    REQUIRE(t.prepare(box, ev, kPrec, true));
    CHECK(t.pieces() == 6);  // no kinks: the cell's Kuhn simplices
    Ball one, two, z;
    REQUIRE(t.enclose(4, Rational(1), one));
    REQUIRE(t.enclose(4, Rational(2), two));
    const Rational h2 = h * h;
    CHECK(contains(one, q(4 * h2 * h2 + Rational(112, 45) * h2 * h2 * h2)));
    CHECK(contains(two, q(Rational(8, 3) * h2 * h2 * h + Rational(224, 45) * h2 * h2 * h2 * h)));
    // R is a quadratic: degree 2 <= m, so ε = 0 and L^2's width is rounding only.
    CHECK(width(two) < 1e-25);
    resid::ResidualJet jet;
    ev.jet(box, jet);
    REQUIRE(certify::zero_crossing_rule(jet, box, Rational(1), kPrec, z));
    CHECK(width(one) * 2 < width(z));
    if (level > 0) CHECK(prev / width(one) >= 48);  // ≈ 2^6 per halving (the band); Z gives ≈ 2^5
    prev = width(one);
  }
}

namespace {

// ∫ ψ^k (k = 1, 2) of one cutoff, without any decomposition: with t_i = R_i the
// axes outside the core contribute 2ρ_i each and ∫_{t ∈ [0,∞)^m} (1 − Σt)_+^k = k!/(m+k)!.
Rational cutoff_moment(const net::Cutoff& q, int k) {
  const std::size_t d = q.a.size();
  Rational sum(0);
  for (unsigned mask = 0; mask < (1u << d); ++mask) {
    Rational term(1);
    int m = 0;
    for (std::size_t i = 0; i < d; ++i) {
      if (mask & (1u << i)) {
        term *= 2 * q.rho[i];
        ++m;
      } else {
        term *= q.b[i] - q.a[i];
      }
    }
    sum += term * factorial(k) / factorial(m + k);
  }
  return sum;
}

// ∫ φ_z^k (k = 1, 2) of one Kuhn hat at grid index z, without any decomposition: in each of
// the 2^d cells at z the simplices with z as a vertex are those whose permutation starts with
// the axes S where z is the cell's upper corner, |S|!(d − |S|)! of them, each of volume
// |cell|/d!, and ∫_T λ^k = k! d! |T| / (d + k)!.
Rational hat_moment(const std::vector<std::vector<Rational>>& grid, const std::vector<int>& z, int k) {
  const std::size_t d = grid.size();
  Rational sum(0);
  for (unsigned mask = 0; mask < (1u << d); ++mask) {
    Rational vol(1);
    int below = 0;
    for (std::size_t i = 0; i < d; ++i) {
      const auto zi = static_cast<std::size_t>(z[i]);
      if (mask & (1u << i)) {
        vol *= grid[i][zi] - grid[i][zi - 1];
        ++below;
      } else {
        vol *= grid[i][zi + 1] - grid[i][zi];
      }
    }
    const Rational count = factorial(below) * factorial(static_cast<int>(d) - below);
    sum += count * vol / factorial(static_cast<int>(d)) * factorial(k) * factorial(static_cast<int>(d)) /
           factorial(static_cast<int>(d) + k);
  }
  return sum;
}

// L^2 of 2 − cφ and L^1 of exp(x + y + z) − cφ over [0,1]³ to relative 1e-9, with T<n> at the kinks.
void check_norms_3d(const std::shared_ptr<const net::Correction>& h, const Rational& c, const Rational& m1,
                    const Rational& m2, long max_boxes) {
  certify::Options o;
  o.rel_gap = Rational(1, 1000000000);
  {
    resid::Residual r = resid::Residual(compile("2 + 0*x*y*z", 3)).with(h);
    certify::LpNormResult l2 = certify::certify_lp_norm(r, Rational(2), o);
    INFO(l2.message);
    REQUIRE(l2.status == certify::Status::proven);
    CHECK(l2.rules.find('T') != std::string::npos);
    CHECK(l2.rules.find('C') == std::string::npos);
    CHECK(l2.rules.find('M') == std::string::npos);
    CHECK(l2.boxes < max_boxes);  // first-order rules at the kinks need millions here
    Ball ref = q(Rational(4) - 4 * c * m1 + c * c * m2);
    arb_sqrt(ref.arb(), ref.arb(), kRefPrec);
    CHECK(contains(Ball::from_interval(l2.bounds.lower.value(), l2.bounds.upper.value(), kRefPrec), ref));
  }
  {
    resid::Residual r = resid::Residual(compile("exp(x+y+z)", 3)).with(h);
    certify::LpNormResult l1 = certify::certify_lp_norm(r, Rational(1), o);
    INFO(l1.message);
    REQUIRE(l1.status == certify::Status::proven);
    CHECK(l1.rules.find('T') != std::string::npos);
    CHECK(l1.boxes < max_boxes);
    Ball ref;  // (e − 1)³ − c·m1
    arb_const_e(ref.arb(), kRefPrec);
    arb_sub_ui(ref.arb(), ref.arb(), 1, kRefPrec);
    arb_pow_ui(ref.arb(), ref.arb(), 3, kRefPrec);
    arb_sub(ref.arb(), ref.arb(), q(c * m1).arb(), kRefPrec);
    CHECK(contains(Ball::from_interval(l1.bounds.lower.value(), l1.bounds.upper.value(), kRefPrec), ref));
  }
}

}  // namespace

TEST_CASE("T<n>: 3D L^p across a cutoff's oblique kink planes, exact references, few boxes (I9)") {
  net::Cutoff cut;
  cut.a = {Rational(1, 4), Rational(1, 4), Rational(3, 8)};
  cut.b = {Rational(1, 2), Rational(5, 8), Rational(1, 2)};
  cut.rho = {Rational(1, 8), Rational(3, 16), Rational(1, 8)};
  cut.coefficient = Rational(1, 2);
  auto h = std::make_shared<net::CutoffCorrection>(3, std::vector<net::Cutoff>{cut}, 1);
  check_norms_3d(h, cut.coefficient, cutoff_moment(cut, 1), cutoff_moment(cut, 2), 400);
}

TEST_CASE(
    "T<n> with a hat grid: Kuhn planes on a non-uniform 3D grid, exact references, few boxes (I9 (c))") {
  const std::vector<Rational> axis{Rational(0), Rational(1, 4), Rational(1, 2), Rational(5, 8), Rational(1)};
  const std::vector<std::vector<Rational>> grid{axis, axis, axis};
  const Rational c(1, 2);
  auto h = std::make_shared<net::HatCorrection>(3, grid, std::vector<net::HatNode>{{{2, 2, 2}, c}});
  CHECK(hat_moment(grid, {2, 2, 2}, 1) == Rational(15, 2048));  // worked by hand in the comment's terms
  check_norms_3d(h, c, hat_moment(grid, {2, 2, 2}, 1), hat_moment(grid, {2, 2, 2}, 2), 400);
}

TEST_CASE("T<n>'s Taylor remainder: e^{x+y+z} on one leaf, closed forms, widths fall with n (I9 (d))") {
  // ∫_B e^{k(x+y+z)} = Π_i (e^{k u_i} − e^{k l_i}) / k on B = [1/10, 3/10]³; the Duffy rule alone
  // (without the remainder 2|T| p (M + ε)^{p−1} ε) misses it at n = 3.
  resid::Residual r(compile("exp(x+y+z)", 3));
  resid::ResidualEvaluator ev(r, kPrec);
  certify::SimplicialRule t(r, kPrec);
  net::Box box;
  box.lo = {Rational(1, 10), Rational(1, 10), Rational(1, 10)};
  box.hi = {Rational(3, 10), Rational(3, 10), Rational(3, 10)};
  REQUIRE(t.prepare(box, ev, kPrec, true));
  auto ref = [](unsigned long k) {
    Ball lo, hi, out;
    arb_mul_ui(lo.arb(), q(Rational(1, 10)).arb(), k, kRefPrec);
    arb_mul_ui(hi.arb(), q(Rational(3, 10)).arb(), k, kRefPrec);
    arb_exp(lo.arb(), lo.arb(), kRefPrec);
    arb_exp(hi.arb(), hi.arb(), kRefPrec);
    arb_sub(out.arb(), hi.arb(), lo.arb(), kRefPrec);
    arb_div_ui(out.arb(), out.arb(), k, kRefPrec);
    arb_pow_ui(out.arb(), out.arb(), 3, kRefPrec);
    return out;
  };
  double prev1 = 1, prev2 = 1;
  for (int n : {3, 4, 6}) {
    CAPTURE(n);
    Ball one, two;
    REQUIRE(t.enclose(n, Rational(1), one));
    REQUIRE(t.enclose(n, Rational(2), two));
    CHECK(contains(one, ref(1)));
    CHECK(contains(two, ref(2)));
    // may_beat's estimate is the remainders' half-width (R > 0 here: no cap cuts them), so it
    // lies in [w/8, w] for the rule's own width w: the order is kept against its own width and
    // skipped against an eighth of it.
    CHECK(t.may_beat(n, Rational(1), width(one)));
    CHECK(t.may_beat(n, Rational(2), width(two)));
    CHECK_FALSE(t.may_beat(n, Rational(1), width(one) / 8));
    CHECK_FALSE(t.may_beat(n, Rational(2), width(two) / 8));
    CHECK(width(one) < prev1 / 20);
    CHECK(width(two) < prev2 / 8);
    prev1 = width(one);
    prev2 = width(two);
  }
  CHECK(prev2 < 1e-5);
  Ball none;
  CHECK_FALSE(t.enclose(1, Rational(2), none));  // m = ⌊(2 − 3)/2⌋ < 1: refused
  CHECK_FALSE(t.enclose(4, Rational(3), none));  // odd p > 1: not this rule's
  CHECK_FALSE(t.may_beat(1, Rational(2), 1e300));  // what enclose refuses cannot beat anything
  CHECK_FALSE(t.may_beat(4, Rational(3), 1e300));
}
