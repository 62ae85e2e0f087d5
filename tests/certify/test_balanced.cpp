// P1 support facts are re-proven from scratch; a planted wrong sign or a
// coefficient above min|r|/kappa is refused. P3 witness is exact.
#include "mgdl/certify/balanced.hpp"
#include "mgdl/certify/tree.hpp"

#include <doctest/doctest.h>

#include <memory>

using mgdl::num::Rational;
namespace certify = mgdl::certify;
namespace expr = mgdl::expr;
namespace net = mgdl::net;
namespace resid = mgdl::resid;

namespace {

resid::Residual residual_of(const char* text, int d) {
  return resid::Residual(expr::Program::compile(expr::Expression::parse(text), expr::Domain::unit(d)));
}

// One cutoff on [1/4, 1/2] with margin 1/8: support [1/8, 5/8].
net::CutoffCorrection one_cutoff(const Rational& c) {
  net::Cutoff q;
  q.a = {Rational(1, 4)};
  q.b = {Rational(1, 2)};
  q.rho = {Rational(1, 8)};
  q.coefficient = c;
  return net::CutoffCorrection(1, {q}, 1);
}

}  // namespace

TEST_CASE("support fact proven for a valid coefficient, with a cover of the support") {
  // r = sin(x) + 1 >= 1 + sin(1/8) > 1.12 on the support [1/8, 5/8].
  resid::Residual r = residual_of("sin(x) + 1", 1);
  net::CutoffCorrection h = one_cutoff(Rational(11, 10));
  certify::BalancedResult b = certify::certify_balanced(r, h, certify::Options());
  INFO(b.message);
  CHECK(b.status == certify::Status::proven);
  REQUIRE(b.facts.size() == 1);
  const certify::SupportFact& f = b.facts[0];
  CHECK(f.sign == 1);
  CHECK(f.mu == Rational(11, 10));
  CHECK(f.root.lo[0] == Rational(1, 8));
  CHECK(f.root.hi[0] == Rational(5, 8));
  CHECK(!certify::CoverTree::leaves(f.tree, f.root).empty());
  certify::NontrivialWitness w = certify::nontrivial_witness(h);
  CHECK(w.status == certify::Status::proven);
  REQUIRE(w.point.size() == 1);
  CHECK(w.point[0] == Rational(3, 8));
  CHECK(w.value == Rational(11, 10));
}

TEST_CASE("planted error: wrong sign of a coefficient is refused") {
  resid::Residual r = residual_of("sin(x) + 1", 1);
  certify::BalancedResult b = certify::certify_balanced(r, one_cutoff(Rational(-1, 10)), certify::Options());
  CHECK(b.status == certify::Status::not_certified);
  REQUIRE(b.facts.size() == 1);
  CHECK(b.facts[0].reason == certify::StopReason::refuted);
  CHECK(b.message == "support fact of cutoff 0 (sign -1, mu 1/10) not certified: refuted by a certified counterexample");
}

TEST_CASE("planted error: coefficient above the minimum of r over the support is refused") {
  // min over [1/8, 5/8] of 1 + sin(x) is 1 + sin(1/8) = 1.12467...; 113/100 > it.
  resid::Residual r = residual_of("sin(x) + 1", 1);
  certify::BalancedResult b = certify::certify_balanced(r, one_cutoff(Rational(113, 100)), certify::Options());
  CHECK(b.status == certify::Status::not_certified);
  // 112/100 < 1.12467: proven.
  certify::BalancedResult ok = certify::certify_balanced(r, one_cutoff(Rational(112, 100)), certify::Options());
  CHECK(ok.status == certify::Status::proven);
}

TEST_CASE("support facts in 2D with kappa 2 use mu = kappa |c|, same result for 1 and 2 threads") {
  resid::Residual r = residual_of("2 + x*y", 2);
  std::vector<net::Cutoff> cs(2);
  cs[0].a = {Rational(0), Rational(0)};
  cs[0].b = {Rational(1, 2), Rational(1, 2)};
  cs[0].rho = {Rational(1, 8), Rational(1, 8)};
  cs[0].coefficient = Rational(1, 2);
  cs[1].a = {Rational(1, 2), Rational(0)};
  cs[1].b = {Rational(1), Rational(1, 2)};
  cs[1].rho = {Rational(1, 8), Rational(1, 8)};
  cs[1].coefficient = Rational(99, 100);
  const int kappa = net::overlap_number(2, cs);
  CHECK(kappa == 2);
  net::CutoffCorrection h(2, cs, kappa);
  certify::Options o1, o2;
  o2.threads = 2;
  certify::BalancedResult a = certify::certify_balanced(r, h, o1);
  certify::BalancedResult b = certify::certify_balanced(r, h, o2);
  CHECK(a.status == certify::Status::proven);  // mu = 2·99/100 = 1.98 <= 2
  REQUIRE(a.facts.size() == 2);
  CHECK(a.facts[1].mu == Rational(198, 100));
  CHECK(a.facts[0].tree == b.facts[0].tree);
  CHECK(a.facts[1].tree == b.facts[1].tree);
  // A stated kappa below the counted overlap number is refused.
  net::CutoffCorrection low(2, cs, 1);
  CHECK(certify::certify_balanced(r, low, o1).status == certify::Status::not_certified);
}
