#include "options.hpp"

#include <doctest/doctest.h>

using namespace mgdl::cli;
using mgdl::num::Rational;

TEST_CASE("--domain accepts one interval for every axis or one per axis, exactly") {
  auto one = parse_domain("-1:1");
  REQUIRE(one.size() == 1);
  CHECK(one[0].first == -1);
  CHECK(one[0].second == 1);
  auto two = parse_domain("0:0.5,1/3:2");
  REQUIRE(two.size() == 2);
  CHECK(two[0].second == Rational(1, 2));
  CHECK(two[1].first == Rational(1, 3));
}

TEST_CASE("--domain rejects nonsense with the message users see") {
  CHECK_THROWS_WITH_AS(parse_domain("1:0"), "--domain: empty interval '1:0' (need lo < hi)", UsageError);
  CHECK_THROWS_WITH_AS(parse_domain("0-1"), "--domain: expected lo:hi, got '0-1'", UsageError);
  CHECK_THROWS_WITH_AS(parse_domain("a:1"), "--domain: 'a' is not a number", UsageError);
  CHECK_THROWS_AS(parse_domain("0:1e999999"), UsageError);
}

TEST_CASE("--p takes distinct rationals >= 1") {
  auto ps = parse_p_list("1,2,3/2");
  REQUIRE(ps.size() == 3);
  CHECK(ps[2] == Rational(3, 2));
  CHECK_THROWS_WITH_AS(parse_p_list("0.5"), "--p: 0.5 is below 1 (L^p norms need p >= 1)", UsageError);
  CHECK_THROWS_WITH_AS(parse_p_list("2,2"), "--p: 2 is listed twice", UsageError);
  CHECK_THROWS_AS(parse_p_list(""), UsageError);
}

TEST_CASE("option ranges are validated") {
  VerifyOptions o;
  CHECK_NOTHROW(validate(o));
  o.grades = 0;
  CHECK_THROWS_WITH_AS(validate(o), "--grades: 0 is outside 1..1000", UsageError);
  o = VerifyOptions{};
  o.scheme = "spline";
  CHECK_THROWS_AS(validate(o), UsageError);
  o = VerifyOptions{};
  o.rel_gap = Rational(1, 10);
  CHECK_NOTHROW(validate(o));
  o.rel_gap = Rational(1);
  CHECK_THROWS_AS(validate(o), UsageError);
}

TEST_CASE("--grades is 6 by default and only a cap (20 unless given) with --tol") {
  VerifyOptions o;
  CHECK(o.grade_count() == 6);
  o.tolerance = Rational(1, 1000);
  CHECK(o.grade_count() == 20);
  o.grades = 9;
  CHECK(o.grade_count() == 9);
  const mgdl::run::RunOptions ro = to_run_options(o, nullptr);
  CHECK(ro.grades == 9);
  REQUIRE(ro.tolerance.has_value());
  CHECK(*ro.tolerance == Rational(1, 1000));
  CHECK(ro.max_boxes == kDefaultMaxBoxes);
  CHECK(ro.max_frontier == kDefaultMaxFrontier);
  CHECK(ro.certify_options().max_frontier == kDefaultMaxFrontier);
}

TEST_CASE("--max-boxes and --max-frontier are range-checked") {
  VerifyOptions o;
  o.max_boxes = 0;
  CHECK_THROWS_WITH_AS(validate(o), "--max-boxes: 0 is outside 1..4*10^9", UsageError);
  o = VerifyOptions{};
  o.max_frontier = 1;
  CHECK_THROWS_WITH_AS(validate(o), "--max-frontier: 1 is outside 2..10^9", UsageError);
}
