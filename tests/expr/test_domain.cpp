// Domain check accept/reject tables and exact rational evaluation.
#include "mgdl/expr/program.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mgdl::expr;
using mgdl::num::Rational;

namespace {

DomainCheck check(std::string_view text, long budget = 200000) {
  Expression e = Expression::parse(text);
  return check_domain(Program::compile(e, Domain::unit(e.dimension())), budget);
}

}  // namespace

TEST_CASE("domain check proves targets defined and continuous on [0,1]^d") {
  for (const char* text :
       {"sin(32*pi*x)", "exp(-x^2)*cos(20*y)", "sqrt(x)", "log(1+x)", "1/(1+x^2)", "tan(x)", "x^(1/3)",
        "pow(1 + x, y)", "abs(x - 0.5)", "relu(x - y) + min(x, y)", "log(2 + sin(40*x*y))", "atan(x)/(2+cos(y))",
        "1/(x+1)^2 - 2^-x", "3", "tanh(x) + sinh(x) + cosh(x)", "sqrt(1 - x^2)",
        "sqrt(x*(1-x))"}) {
    INFO(std::string(text));
    const DomainCheck result = check(text);
    INFO(result.message);
    CHECK(result.status == DomainCheck::Status::proven);
    CHECK(result.message.empty());
  }
}

TEST_CASE("domain check rejects with the sub-expression and a box") {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"log(x - 0.5)", "log argument is <= 0: 'log(x - (1/2))' at column 1, at x = 0.5"},
      {"1/(x - 0.3)", "division by zero: '1 / (x - (3/10))' at column 1 on x in [0, 1]"},
      {"sqrt(x - 1/2)", "sqrt argument is < 0: 'sqrt(x - 1 / (2))' at column 1, at x = 0"},
      {"tan(2*x)", "tan at a pole: 'tan(2 * x)' at column 1 on x in [0, 1]"},
      {"x/abs(x)", "division by zero: 'x / abs(x)' at column 1, at x = 0"},
      {"log(x)", "log argument is <= 0: 'log(x)' at column 1, at x = 0"},
      {"1 + 1/(1-1)", "division by zero: '1 / (1 - 1)' at column 5 on x in [0, 1]"},
      {"x + (x - 2)^(1/2)", "power of a base <= 0 not defined: '(x - 2) ^ (1/2)' at column 6 on x in [0, 1]"},
      {"x^-1", "division by zero: 'x ^ -1' at column 1, at x = 0"},
      {"exp(y) * log(x - y)", "log argument is <= 0: 'log(x - y)' at column 10, at x = 0.5, y = 0.5"},
  };
  for (const auto& [text, message] : table) {
    INFO(text);
    const DomainCheck result = check(text);
    CHECK(result.status == DomainCheck::Status::rejected);
    CHECK(result.message == message);
  }
}

TEST_CASE("domain check reports undecided after the budget, never proven") {
  // sin(pi x) >= 0 on [0,1], but at x = 1 the ball of sin(pi) straddles 0.
  const DomainCheck result = check("sqrt(sin(pi*x))", 500);
  CHECK(result.status == DomainCheck::Status::undecided);
  INFO(result.message);
  CHECK(result.message.rfind("could not prove the target continuous within 500 boxes: sqrt argument may be < 0: "
                             "'sqrt(sin(pi * x))' at column 1 on x in [",
                             0) == 0);
}

TEST_CASE("domain check uses the user's box") {
  Expression e = Expression::parse("log(x)");
  Domain shifted{{Rational(1, 2)}, {Rational(2)}};
  CHECK(check_domain(Program::compile(e, shifted)).status == DomainCheck::Status::proven);
  Domain bad{{Rational(-1)}, {Rational(1)}};
  const DomainCheck r = check_domain(Program::compile(e, bad));
  CHECK(r.status == DomainCheck::Status::rejected);
  CHECK(r.message == "log argument is <= 0: 'log(x)' at column 1, at x = 0");
}

TEST_CASE("exact evaluation of rational expressions") {
  auto exact = [](std::string_view text, std::vector<Rational> point,
                  const Domain* domain = nullptr) -> std::optional<Rational> {
    Expression e = Expression::parse(text);
    return evaluate_exact(Program::compile(e, domain ? *domain : Domain::unit(e.dimension())), point);
  };
  CHECK(exact("x^2 - 1/3", {Rational(1, 2)}) == Rational(-1, 12));
  CHECK(exact("(x + y) / (x - y)", {Rational(1, 3), Rational(1, 4)}) == Rational(7));
  CHECK(exact("abs(x - 0.75) + relu(x - 0.25) + min(x, 0.1) + max(x, 2)", {Rational(1, 2)}) ==
        Rational(1, 4) + Rational(1, 4) + Rational(1, 10) + 2);
  CHECK(exact("x^-3", {Rational(2, 3)}) == Rational(27, 8));
  CHECK(exact("(1.5e-1 * x - 2)^2", {Rational(2)}) == Rational(289, 100));
  CHECK(exact("-x^2", {Rational(3)}) == Rational(-9));
  CHECK(exact("3", {Rational(0)}) == Rational(3));
  // Not rational: nullopt.
  CHECK_FALSE(exact("sin(x)", {Rational(0)}).has_value());
  CHECK_FALSE(exact("pi * x", {Rational(1)}).has_value());
  CHECK_FALSE(exact("1/(x - 1/2)", {Rational(1, 2)}).has_value());
  CHECK_FALSE(exact("x^(1/2)", {Rational(1, 4)}).has_value());
  // The point is in Ω coordinates; the program maps it onto the user's box.
  Domain box{{Rational(-1)}, {Rational(3)}};
  CHECK(exact("x^2", {Rational(1, 4)}, &box) == Rational(0));
  CHECK(exact("x^2", {Rational(1)}, &box) == Rational(9));
}
