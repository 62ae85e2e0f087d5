// Certification of hand-made networks with known answers (proofs/networks.md):
// a grade that keeps P1 with strict decrease, one that violates it on a
// region known in closed form, a grade that adds nothing, and the exact
// domain fold.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "mgdl/certify/polygon.hpp"
#include "mgdl/certify/tree.hpp"
#include "mgdl/netcert/certify_network.hpp"
#include "mgdl/netcert/claim_budget.hpp"

using mgdl::num::Rational;
namespace expr = mgdl::expr;
namespace net = mgdl::net;
namespace netcert = mgdl::netcert;

namespace {

net::AffineLayer layer(int inputs, std::vector<std::vector<Rational>> w, std::vector<Rational> b, bool relu) {
  net::AffineLayer l;
  l.inputs = inputs;
  l.outputs = static_cast<int>(b.size());
  for (int r = 0; r < l.outputs; ++r)
    for (int c = 0; c < inputs; ++c)
      if (w[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] != 0)
        l.weights.push_back({r, c, w[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)]});
  l.bias = std::move(b);
  l.activation = relu ? net::Activation::relu : net::Activation::identity;
  return l;
}

// Φ_1 = (x + 1)/2, Φ_2 = Φ_1 + c2·relu(x − 1/2) on [0,1].
net::MultigradeNetwork stair(const Rational& c2) {
  net::MultigradeNetwork n(1);
  net::GradeBlock g1;
  g1.layers.push_back(layer(1, {{Rational(1)}}, {Rational(0)}, true));
  g1.readout = layer(1, {{Rational(1, 2)}}, {Rational(1, 2)}, false);
  n.add_grade(g1);
  net::GradeBlock g2;
  g2.layers.push_back(layer(1, {{Rational(1)}}, {Rational(-1, 2)}, true));
  g2.readout = layer(1, {{c2}}, {Rational(0)}, false);
  n.add_grade(g2);
  return n;
}

expr::Program target_x() {
  return expr::Program::compile(expr::Expression::parse("x + 1"), expr::Domain::unit(1));
}

netcert::Options options() {
  netcert::Options o;
  o.certify.threads = 1;
  return o;
}

bool contains(const Rational& lo, const Rational& hi, const Rational& v) {
  return lo <= v && v <= hi;
}

}  // namespace

TEST_CASE("P1 kept with strict decrease, then violated on (4/5, 1] (closed form)") {
  // f = x + 1. R_1 = (x + 1)/2: D_1 = −(x + 1)/2 < 0 (N4).
  // R_2 = R_1 − 6 relu(x − 1/2) = 7/2 − 11x/2 for x >= 1/2: D_2 = 5x − 4 > 0
  // exactly on (4/5, 1], sup D_2 = 1 (at x = 1), measure 1/5.
  auto c = netcert::certify_network(stair(Rational(6)), target_x(), options());
  REQUIRE(c.grades.size() == 2);
  const auto& g1 = c.grades[0];
  CHECK(g1.p1.verdict == netcert::Verdict::proven);
  CHECK(!g1.p1.tree.empty());
  CHECK(!g1.p1.strict_point.empty());
  for (auto v : g1.p3) CHECK(v == netcert::Verdict::proven);
  REQUIRE(g1.ratio_upper);
  CHECK(*g1.ratio_upper >= Rational(1, 2));  // ‖R_1‖_∞/‖R_0‖_∞ = 1/2 exactly
  CHECK(*g1.ratio_upper <= Rational(1, 2) * (1 + Rational(1, 100000)));

  const auto& p1 = c.grades[1].p1;
  REQUIRE(p1.verdict == netcert::Verdict::refuted);
  REQUIRE(p1.witness.size() == 1);
  const Rational& t = p1.witness[0];
  CHECK(t > Rational(4, 5));
  CHECK(t <= 1);
  CHECK(p1.margin_lower > 0);
  CHECK(p1.margin_lower <= 5 * t - 4);  // D_2(t) in closed form
  CHECK(contains(p1.violation_lower, p1.violation_upper, Rational(1)));
  CHECK(p1.violation_status == mgdl::certify::Status::proven);
  CHECK(p1.violation_upper - p1.violation_lower <= Rational(1, 1000000) * p1.violation_upper);
  CHECK(contains(p1.measure_lower, p1.measure_upper, Rational(1, 5)));
  CHECK(p1.measure_status == mgdl::certify::Status::proven);
  CHECK(p1.measure_upper - p1.measure_lower <= Rational(1, 1000000) * p1.measure_upper);
  CHECK(c.complete);
}

namespace {

// sup of D_2 = |R_2| − |R_1| over [a, b] for the stair with c2 = 6: D_2 = 0 on [0, 1/2],
// 3 − 6x on [1/2, 7/11], 5x − 4 on [7/11, 1] (increasing there).
Rational stair_d_sup(const Rational& a, const Rational& b) {
  Rational sup = b <= Rational(1, 2) ? Rational(0) : Rational(3 - 6 * std::max(a, Rational(1, 2)));
  if (b >= Rational(7, 11)) sup = std::max(sup, Rational(5 * b - 4));
  return sup;
}

// The evidence of a refutation (N5, N6) in closed form: every leaf of the violation
// tree has sup D_2 <= the claimed upper bound; the measure tree's V leaves lie in
// [4/5, 1], its S leaves in [0, 4/5], and the claims are exactly their volume sums.
void check_stair_evidence(const netcert::PointwiseResult& p1) {
  const net::Box unit = net::Box::unit(1);
  const auto sup_leaves = mgdl::certify::CoverTree::leaves(p1.violation_tree, unit);
  REQUIRE(!sup_leaves.empty());
  for (const auto& b : sup_leaves) CHECK(stair_d_sup(b.lo[0], b.hi[0]) <= p1.violation_upper);
  const auto leaves = mgdl::certify::CoverTree::leaves(p1.measure_tree, unit);
  REQUIRE(leaves.size() == p1.measure_leaves.size());
  Rational violated(0), safe(0);
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    const auto& b = leaves[i];
    const char tag = p1.measure_leaves[i];
    CHECK((tag == 'V' || tag == 'S' || tag == 'U'));
    if (tag == 'V') {
      CHECK(b.lo[0] >= Rational(4, 5));
      violated += b.volume();
    } else if (tag == 'S') {
      CHECK(b.hi[0] <= Rational(4, 5));
      safe += b.volume();
    }
  }
  CHECK(p1.measure_lower == violated);
  CHECK(p1.measure_upper == 1 - safe);
}

}  // namespace

TEST_CASE("the evidence of a P1 refutation: covers of the violation sup and measure (closed form)") {
  auto c = netcert::certify_network(stair(Rational(6)), target_x(), options());
  const auto& p1 = c.grades[1].p1;
  REQUIRE(p1.verdict == netcert::Verdict::refuted);
  check_stair_evidence(p1);
  CHECK(std::count(p1.measure_leaves.begin(), p1.measure_leaves.end(), 'U') >= 1);  // 4/5 is not dyadic
  // Deterministic: the same trees again.
  auto again = netcert::certify_network(stair(Rational(6)), target_x(), options());
  CHECK(again.grades[1].p1.violation_tree == p1.violation_tree);
  CHECK(again.grades[1].p1.measure_tree == p1.measure_tree);
  CHECK(again.grades[1].p1.measure_leaves == p1.measure_leaves);
}

TEST_CASE("a box budget stops the violation phases early; the trees still certify the claims") {
  netcert::Options o = options();
  o.pointwise_max_boxes = 12;
  auto c = netcert::certify_network(stair(Rational(6)), target_x(), o);
  const auto& p1 = c.grades[1].p1;
  REQUIRE(p1.verdict == netcert::Verdict::refuted);
  CHECK(p1.violation_status == mgdl::certify::Status::not_certified);
  CHECK(p1.measure_status == mgdl::certify::Status::not_certified);
  CHECK(p1.violation_upper >= 1);
  CHECK(p1.measure_lower <= Rational(1, 5));
  CHECK(Rational(1, 5) <= p1.measure_upper);
  check_stair_evidence(p1);
  CHECK(!c.complete);
}

TEST_CASE("a grade whose head is zero keeps P1 and cannot decrease any norm") {
  auto c = netcert::certify_network(stair(Rational(0)), target_x(), options());
  const auto& g2 = c.grades[1];
  CHECK(g2.p1.verdict == netcert::Verdict::proven);
  CHECK(g2.p1.correction_zero);
  CHECK(g2.p1.tree == ".");  // h ≡ 0 on the whole cube at once
  for (std::size_t i = 0; i < g2.p3.size(); ++i) {
    CHECK(g2.p3[i] == netcert::Verdict::refuted);
    CHECK(g2.p3_via[i] == "identical");
  }
}

TEST_CASE("a sign flip of the correction where R does not vanish is refuted") {
  // R_2 = R_1 + relu(x − 1/2) > R_1 > 0 for x > 1/2: D_2 = x − 1/2 there.
  auto c = netcert::certify_network(stair(Rational(-1)), target_x(), options());
  const auto& p1 = c.grades[1].p1;
  REQUIRE(p1.verdict == netcert::Verdict::refuted);
  CHECK(p1.witness[0] > Rational(1, 2));
  CHECK(p1.margin_lower <= p1.witness[0] - Rational(1, 2));
  CHECK(contains(p1.violation_lower, p1.violation_upper, Rational(1, 2)));
  CHECK(contains(p1.measure_lower, p1.measure_upper, Rational(1, 2)));
}

namespace {

// d = 2: h_1 = 0·relu(x) ≡ 0, h_2 = 1 + 0·relu(relu(x) − 1/3) (grade 2 reads F_1; its kink
// x = 1/3 is not dyadic, so boxes across it stay undecided), against f = x² + y².
// tests/netcert/data/quarter_disc.json is the same network.
net::MultigradeNetwork quarter_disc() {
  net::MultigradeNetwork n(2);
  net::GradeBlock g1;
  g1.layers.push_back(layer(2, {{Rational(1), Rational(0)}}, {Rational(0)}, true));
  g1.readout = layer(1, {{Rational(0)}}, {Rational(0)}, false);
  n.add_grade(g1);
  net::GradeBlock g2;
  g2.layers.push_back(layer(1, {{Rational(1)}}, {Rational(-1, 3)}, true));
  g2.readout = layer(1, {{Rational(0)}}, {Rational(1)}, false);
  n.add_grade(g2);
  return n;
}

}  // namespace

TEST_CASE("2D: the violation set is a quarter disc; its measure pi/8 by linear-model brackets (N6.2)") {
  // R_1 = f, R_2 = f − 1: D_2 > 0 iff h·(f − ℓ) < 0 with ℓ = Φ_2 − h/2 = 1/2, i.e. on
  // x² + y² < 1/2, of area π/8 (a curved boundary: boxes alone converge at first order).
  auto f = expr::Program::compile(expr::Expression::parse("x^2 + y^2"), expr::Domain::unit(2));
  netcert::Options o = options();
  o.certify.rel_gap = Rational(1, 10000);
  o.p = {Rational(2)};
  auto c = netcert::certify_network(quarter_disc(), f, o);
  REQUIRE(c.grades.size() == 2);
  CHECK(c.grades[0].p1.verdict == netcert::Verdict::proven);
  const auto& p1 = c.grades[1].p1;
  REQUIRE(p1.verdict == netcert::Verdict::refuted);
  CHECK(contains(p1.violation_lower, p1.violation_upper, Rational(1)));  // D_2(0, 0) = 1
  // π/8 = 0.392699081698724154807830422909937860524646174921888227621868...
  CHECK(p1.measure_lower <= Rational(392699081698724154LL) / Rational(1000000000000000000LL));
  CHECK(Rational(392699081698724155LL) / Rational(1000000000000000000LL) <= p1.measure_upper);
  CHECK(p1.measure_status == mgdl::certify::Status::proven);
  CHECK(p1.measure_upper - p1.measure_lower <= o.certify.rel_gap * p1.measure_upper);
  const auto l = std::count(p1.measure_leaves.begin(), p1.measure_leaves.end(), 'L');
  CHECK(l > 0);
  // Boxes alone would need a boundary band of area < 4e-5, i.e. boxes of side ~4e-5
  // along an arc of length 1.1 (about 3e4 of them); the brackets need far fewer leaves.
  CHECK(p1.measure_leaves.size() < 20000);
  MESSAGE("quarter disc: " << p1.measure_leaves.size() << " leaves, " << l << " L");
}

TEST_CASE("the producer's clipped areas: known values and exact splits along random lines (N6.2)") {
  using mgdl::certify::clipped_area;
  const net::Box unit = net::Box::unit(2);
  auto line = [](Rational c, Rational a, Rational b) { return net::AffineForm{c, {a, b}}; };
  CHECK(clipped_area(unit, {line(-1, 1, 1)}) == Rational(1, 2));
  CHECK(clipped_area(unit, {line(Rational(-1, 3), 1, 0), line(Rational(1, 2), 0, -1)}) == Rational(1, 3));
  CHECK(clipped_area(unit, {line(-3, 1, 1)}) == 0);
  std::mt19937 gen(5);
  auto q = [&](int den) { return Rational(static_cast<long>(gen() % 19) - 9, den); };
  for (int t = 0; t < 200; ++t) {
    net::Box b;
    b.lo = {Rational(static_cast<long>(gen() % 8), 8), Rational(static_cast<long>(gen() % 8), 8)};
    b.hi = {b.lo[0] + Rational(1 + static_cast<long>(gen() % 5), 16),
            b.lo[1] + Rational(1 + static_cast<long>(gen() % 5), 16)};
    const net::AffineForm l1 = line(q(7), q(5), q(3)), l2 = line(q(7), q(5), q(3));
    const net::AffineForm n1 = mgdl::certify::negated(l1), n2 = mgdl::certify::negated(l2);
    CHECK(clipped_area(b, {l1}) + clipped_area(b, {n1}) == b.volume());
    CHECK(clipped_area(b, {l1, l2}) + clipped_area(b, {l1, n2}) == clipped_area(b, {l1}));
  }
}

TEST_CASE("the producer's integral of |a| over a polygon, exactly (I8(g))") {
  using mgdl::certify::Polygon;
  const Polygon square = mgdl::certify::box_polygon(net::Box::unit(2));
  using mgdl::certify::abs_integral;
  CHECK(abs_integral(square, {Rational(-3, 4), {Rational(1), Rational(1)}}) == Rational(25, 64));
  CHECK(abs_integral(square, {Rational(-1, 3), {Rational(1), Rational(0)}}) == Rational(5, 18));
  const Polygon clockwise{square[3], square[2], square[1], square[0]};
  CHECK(abs_integral(clockwise, {Rational(-3, 4), {Rational(1), Rational(1)}}) == Rational(25, 64));
  CHECK(mgdl::certify::area(clockwise) == 1);
}

TEST_CASE("the domain map folds exactly into the first layer (N0)") {
  expr::Domain dom;
  dom.lo = {Rational(-1, 2)};
  dom.hi = {Rational(3)};
  net::MultigradeNetwork n = stair(Rational(3, 7));
  net::MultigradeNetwork u = netcert::to_unit_coordinates(n, dom);
  std::mt19937 gen(7);
  for (int i = 0; i < 50; ++i) {
    Rational t(static_cast<long>(gen() % 1000), 999);
    std::vector<Rational> x = netcert::to_user_coordinates({t}, dom);
    for (int m = 1; m <= 2; ++m) CHECK(u.evaluate({t}, m) == n.evaluate(x, m));
  }
}

TEST_CASE("networks that cannot be certified against the target are named") {
  auto p2 = expr::Program::compile(expr::Expression::parse("x*y"), expr::Domain::unit(2));
  CHECK(netcert::network_problem(stair(Rational(1)), p2).find("2 variables") != std::string::npos);
  CHECK(netcert::network_problem(net::MultigradeNetwork(1), target_x()).find("no grades") !=
        std::string::npos);
  CHECK(netcert::network_problem(stair(Rational(1)), target_x()).empty());
}

TEST_CASE("smooth activations: tanh grades keep P1, a constant grade violates it everywhere (N8)") {
  // f = 2 tanh(x) + 1; h_1 = tanh(x), h_2 = 2·F_1 = 2 tanh(x) (no hidden layer), h_3 = −1.
  // R_1 = tanh + 1, R_2 = 1 − tanh, R_3 = 2 − tanh: D_1 = −tanh, D_2 = −2 tanh < 0 and
  // D_3 = 1 on [1/2, 1] (away from x = 0, where h_1 = 0 and D_1 = 0 could not be certified
  // by balls: a ball cannot end exactly at 0).
  net::MultigradeNetwork n(1);
  net::GradeBlock g1;
  g1.layers.push_back(layer(1, {{Rational(1)}}, {Rational(0)}, false));
  g1.layers[0].activation = net::Activation::tanh;
  g1.readout = layer(1, {{Rational(1)}}, {Rational(0)}, false);
  n.add_grade(g1);
  net::GradeBlock g2;
  g2.readout = layer(1, {{Rational(2)}}, {Rational(0)}, false);
  n.add_grade(g2);
  net::GradeBlock g3;
  g3.readout = layer(1, {{Rational(0)}}, {Rational(-1)}, false);
  n.add_grade(g3);
  expr::Domain dom;
  dom.lo = {Rational(1, 2)};
  dom.hi = {Rational(1)};
  auto f = expr::Program::compile(expr::Expression::parse("2*tanh(x) + 1"), dom);
  netcert::Options o = options();
  o.certify.rel_gap = Rational(1, 1000);
  o.p = {Rational(2)};
  auto c = netcert::certify_network(n, f, o);
  REQUIRE(c.grades.size() == 3);
  CHECK(c.grades[0].p1.verdict == netcert::Verdict::proven);
  CHECK(c.grades[1].p1.verdict == netcert::Verdict::proven);
  const auto& p1 = c.grades[2].p1;
  REQUIRE(p1.verdict == netcert::Verdict::refuted);
  CHECK(p1.margin_lower <= 1);
  CHECK(p1.margin_lower > Rational(99, 100));
  CHECK(contains(p1.violation_lower, p1.violation_upper, Rational(1)));
  CHECK(contains(p1.measure_lower, p1.measure_upper, Rational(1)));
  CHECK(!p1.witness_output_exact);
  // ‖R_1‖_∞ = 1 + tanh(1), ‖R_3‖_∞ = 2 − tanh(1/2) (both at an end of the domain).
  const double t1 = std::tanh(1.0), th = std::tanh(0.5);
  const auto& s1 = c.grades[0].norms.sup.bounds;
  const auto& s3 = c.grades[2].norms.sup.bounds;
  CHECK(mgdl::num::to_double_approx(s1.lower.value()) <= 1 + t1 + 1e-12);
  CHECK(mgdl::num::to_double_approx(s1.upper.value()) >= 1 + t1 - 1e-12);
  CHECK(mgdl::num::to_double_approx(s3.lower.value()) <= 2 - th + 1e-12);
  CHECK(mgdl::num::to_double_approx(s3.upper.value()) >= 2 - th - 1e-12);
  CHECK(c.grades[2].norms.sup.status == mgdl::certify::Status::proven);
}

TEST_CASE("the time limit is shared per claim: equal shares of what is left, never past the end") {
  using Clock = netcert::ClaimBudget::Clock;
  using std::chrono::seconds;
  const Clock::time_point t0{};  // a fixed origin: the shares are exact arithmetic on durations
  mgdl::certify::Options o;
  netcert::ClaimBudget budget(t0 + seconds(100), 4);
  CHECK(*budget.next(o, t0).deadline == t0 + seconds(25));  // 100 s over 4 claims
  // The first claim finished after 1 s: its 24 unused seconds go to the other three.
  CHECK(*budget.next(o, t0 + seconds(1)).deadline == t0 + seconds(34));
  // The second one used its whole share (33 s): the last two split the rest.
  CHECK(*budget.next(o, t0 + seconds(34)).deadline == t0 + seconds(67));
  CHECK(*budget.next(o, t0 + seconds(67)).deadline == t0 + seconds(100));
  // More calls than announced, or after the end: the deadline stays the end.
  CHECK(*budget.next(o, t0 + seconds(90)).deadline == t0 + seconds(100));
  CHECK(*budget.next(o, t0 + seconds(120)).deadline == t0 + seconds(100));
  // Two claims at once get two shares of what is left: 2/5 of 100 s, then the last three split the rest.
  netcert::ClaimBudget joint(t0 + seconds(100), 5);
  CHECK(*joint.next(o, t0, 2).deadline == t0 + seconds(40));
  CHECK(*joint.next(o, t0 + seconds(10)).deadline == t0 + seconds(40));
  CHECK(*joint.next(o, t0 + seconds(40), 5).deadline == t0 + seconds(100));  // capped at the claims left
  // Without a time limit no claim gets one.
  netcert::ClaimBudget unlimited(std::nullopt, 3);
  CHECK_FALSE(unlimited.next(o, t0).deadline.has_value());
}
