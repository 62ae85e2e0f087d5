// Lemma C2.7 (proofs/certification.md): the sup-norm of R on a box that the
// corrections' kinks cross, from the box's affine simplices, each bounded by
// S6.1. For f quadratic S6.1's remainder vanishes, so the bound is the exact
// maximum (up to rounding); R = f − h with f convex is convex on every piece, so
// that maximum is at piece vertices, and the whole-cover references below are
// exact rationals computed without any decomposition.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "ball_helpers.hpp"
#include "mgdl/certify/piece_sup.hpp"
#include "mgdl/certify/sup_norm.hpp"
#include "mgdl/net/cutoff_correction.hpp"
#include "mgdl/net/hat_correction.hpp"

using mgdl::num::Ball;
using mgdl::num::Rational;
namespace certify = mgdl::certify;
namespace net = mgdl::net;
namespace resid = mgdl::resid;
using namespace mgdl::test;

namespace {

// f = 1 + (x² + 3y²)/8 + c·φ with φ the Kuhn hat at (1/2, 1/2) of the uniform 4×4 grid: its
// six Kuhn diagonals and two grid lines meet at the peak, the maximum 17/8 + c − 1.
std::shared_ptr<const net::Correction> hat_2d(const Rational& c) {
  const std::vector<Rational> axis{Rational(0), Rational(1, 4), Rational(1, 2), Rational(3, 4), Rational(1)};
  return std::make_shared<net::HatCorrection>(2, std::vector<std::vector<Rational>>{axis, axis},
                                              std::vector<net::HatNode>{{{2, 2}, c}});
}

// One 3D cutoff: core [a, b], ramps of width rho, coefficient c.
std::shared_ptr<const net::Correction> cutoff_3d(const Rational& c) {
  net::Cutoff cut;
  cut.a = {Rational(1, 4), Rational(1, 4), Rational(3, 8)};
  cut.b = {Rational(1, 2), Rational(5, 8), Rational(1, 2)};
  cut.rho = {Rational(1, 8), Rational(3, 16), Rational(1, 8)};
  cut.coefficient = c;
  return std::make_shared<net::CutoffCorrection>(3, std::vector<net::Cutoff>{cut}, 1);
}

net::Box box_of(std::vector<Rational> lo, std::vector<Rational> hi) {
  net::Box b;
  b.lo = std::move(lo);
  b.hi = std::move(hi);
  return b;
}

}  // namespace

TEST_CASE("C2.7 on a box around a hat's peak: the exact maximum of a convex R, where C2 is first order") {
  // R = f − h with h = −φ: R = 1 + (x² + 3y²)/8 + φ, convex on each Kuhn triangle, so its
  // maximum over any box is at a vertex of the pieces; at the peak it is 1 + 1/8 + 1.
  resid::Residual r = resid::Residual(compile("1 + (x^2 + 3*y^2)/8", 2)).with(hat_2d(Rational(-1)));
  certify::PieceSupBound b(r, kPrec);
  resid::ResidualEvaluator ev(r, kPrec);
  for (const Rational& w : {Rational(1, 16), Rational(1, 64), Rational(1, 1024)}) {
    CAPTURE(mgdl::num::to_string(w));
    const net::Box box =
        box_of({Rational(1, 2) - w, Rational(1, 2) - w / 3}, {Rational(1, 2) + w / 2, Rational(1, 2) + w});
    Rational u;
    std::vector<double> at;
    REQUIRE(b.bound(box, u, at));
    CHECK(b.pieces() >= 8);  // four cells of two triangles each, cut again by the hat's diagonals
    const Rational peak = Rational(9, 8) + 1;
    CHECK(u >= peak);
    CHECK(u - peak < Rational(1, 1000000000000));  // S6.1's ε is 0 for a quadratic f: rounding only
    // The extremum S6 found is the peak (steering only).
    REQUIRE(at.size() == 2);
    CHECK(std::abs(at[0] - 0.5) < 1e-6);
    CHECK(std::abs(at[1] - 0.5) < 1e-6);
    // C2's bound on the same box is first order: above the peak by about 0.44·w at every w.
    const Rational plain = mgdl::num::abs_upper_bound(ev.enclose(box)).value();
    CHECK(plain - peak > w / 4);
  }
}

TEST_CASE("C2.7 on a 3D box across a cutoff's oblique kink planes: a valid bound, far tighter than C2") {
  // R = 1 + (x² + y² + z²)/8 + ψ: convex on each piece; the box holds the core's corner b =
  // (1/2, 5/8, 1/2), where R is largest, and ramps meeting there along oblique planes.
  resid::Residual r = resid::Residual(compile("1 + (x^2 + y^2 + z^2)/8", 3)).with(cutoff_3d(Rational(-1)));
  certify::PieceSupBound b(r, kPrec);
  resid::ResidualEvaluator ev(r, kPrec);
  const std::vector<Rational> corner{Rational(1, 2), Rational(5, 8), Rational(1, 2)};
  Rational peak = 2;
  for (const Rational& x : corner) peak += x * x / 8;
  for (const Rational& w : {Rational(1, 32), Rational(1, 256)}) {
    CAPTURE(mgdl::num::to_string(w));
    std::vector<Rational> lo, hi;
    for (const Rational& x : corner) {
      lo.push_back(x - w / 2);
      hi.push_back(x + w);
    }
    const net::Box box = box_of(lo, hi);
    Rational u;
    std::vector<double> at;
    REQUIRE(b.bound(box, u, at));
    CHECK(u >= peak);
    CHECK(u - peak < Rational(1, 1000000000000));
    const Rational plain = mgdl::num::abs_upper_bound(ev.enclose(box)).value();
    CHECK(plain - peak > w / 4);
  }
}

TEST_CASE("C2.7 refuses what it cannot cover: too many kinks, a smooth-only dimension") {
  // A 3D box holding the cutoff's whole support: 4 breakpoints per axis are within the cap,
  // but the Kuhn simplices of its 27 cells (162) split at the ramps' planes exceed 256 pieces.
  resid::Residual r = resid::Residual(compile("x*y*z", 3)).with(cutoff_3d(Rational(1, 2)));
  certify::PieceSupBound b(r, kPrec);
  Rational u;
  std::vector<double> at;
  CHECK_FALSE(b.bound(net::Box::unit(3), u, at));
  resid::Residual r1 = resid::Residual(compile("x", 1));
  certify::PieceSupBound b1(r1, kPrec);
  CHECK_FALSE(b1.bound(net::Box::unit(1), u, at));
}

TEST_CASE(
    "sup-norm engine with C2.7: a hat's peak and a cutoff's corner to 1e-9 in few boxes, exact maxima") {
  certify::Options o;
  o.rel_gap = Rational(1, 1000000000);
  {
    resid::Residual r = resid::Residual(compile("1 + (x^2 + 3*y^2)/8", 2)).with(hat_2d(Rational(-1)));
    const certify::SupNormResult s = certify::certify_sup_norm(r, o);
    INFO(s.message);
    REQUIRE(s.status == certify::Status::proven);
    const Rational peak = Rational(17, 8);
    CHECK(s.bounds.lower.value() <= peak);
    CHECK(peak <= s.bounds.upper.value());
    CHECK(s.boxes < 20);  // 1 (the whole square is one box of 3 cuts per axis); C2 alone: 189
  }
  {
    resid::Residual r = resid::Residual(compile("1 + (x^2 + y^2 + z^2)/8", 3)).with(cutoff_3d(Rational(-1)));
    const certify::SupNormResult s = certify::certify_sup_norm(r, o);
    INFO(s.message);
    REQUIRE(s.status == certify::Status::proven);
    Rational peak = 2 + (Rational(1, 4) + Rational(25, 64) + Rational(1, 4)) / 8;
    CHECK(s.bounds.lower.value() <= peak);
    CHECK(peak <= s.bounds.upper.value());
    CHECK(s.boxes < 100);  // 11; C2 alone: 3203
  }
}
