// Containment of the reference values in data/reference/expr_values.txt.
#include "mgdl/expr/program.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace mgdl::expr;
using mgdl::num::Ball;
using mgdl::num::Rational;

namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(' ');
  const auto b = s.find_last_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) parts.push_back(trim(part));
  return parts;
}

}  // namespace

TEST_CASE("evaluator contains the Arb 1000-bit reference values") {
  std::ifstream file(MGDL_SOURCE_DIR "/data/reference/expr_values.txt");
  REQUIRE(file.good());
  std::string line;
  int checked = 0;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto fields = split(line, '|');
    REQUIRE(fields.size() == 4);
    INFO(line);
    const Expression e = Expression::parse(fields[0]);
    std::vector<Rational> point;
    for (const auto& coordinate : split(fields[1], ',')) point.push_back(mgdl::num::parse_rational(coordinate));
    REQUIRE(point.size() == static_cast<std::size_t>(e.dimension()));
    Ball ref;
    const std::string ball_text = "[" + fields[2] + " +/- " + fields[3] + "]";
    REQUIRE(arb_set_str(ref.arb(), ball_text.c_str(), 1100) == 0);
    const Program prog = Program::compile(e, Domain::unit(e.dimension()));
    for (slong prec : {64, 200}) {
      const Ball value = evaluate_point(prog, point, prec);
      REQUIRE(value.is_finite());
      CHECK(arb_overlaps(value.arb(), ref.arb()));
      CHECK(mag_cmp_2exp_si(arb_radref(value.arb()), -prec + 8) <= 0);
    }
    // At 200 bits our ball is far wider than the reference: it must contain it.
    CHECK(arb_contains(evaluate_point(prog, point, 200).arb(), ref.arb()));
    if (auto exact = evaluate_exact(prog, point)) {
      const Ball exact_ball = Ball::from_rational(*exact, 1100);
      CHECK(arb_contains(ref.arb(), exact_ball.arb()));
    }
    ++checked;
  }
  CHECK(checked >= 10);
}
