// Generator of data/reference/expr_values.txt: reference values of target
// expressions computed directly with Arb at 1000 bits (no mgdl parser or
// evaluator involved). Run: build-*/tests/expr/gen_expr_values > data/reference/expr_values.txt
#include <arb.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

constexpr slong prec = 1000;

struct Entry {
  const char* expression;
  std::vector<std::pair<long, long>> point;  // rational coordinates p/q
  std::function<void(arb_t, const std::vector<arb_struct*>&)> compute;
};

}  // namespace

int main() {
  const std::vector<Entry> entries = {
      {"sin(32*pi*x)", {{1, 7}}, [](arb_t r, const auto& x) {
         arb_const_pi(r, prec); arb_mul_ui(r, r, 32, prec); arb_mul(r, r, x[0], prec); arb_sin(r, r, prec); }},
      {"exp(-x^2)*cos(20*y)", {{1, 3}, {2, 7}}, [](arb_t r, const auto& x) {
         arb_t t; arb_init(t);
         arb_sqr(r, x[0], prec); arb_neg(r, r); arb_exp(r, r, prec);
         arb_mul_ui(t, x[1], 20, prec); arb_cos(t, t, prec); arb_mul(r, r, t, prec); arb_clear(t); }},
      {"tan(x) + atan(x)", {{1, 2}}, [](arb_t r, const auto& x) {
         arb_t t; arb_init(t); arb_tan(r, x[0], prec); arb_atan(t, x[0], prec); arb_add(r, r, t, prec); arb_clear(t); }},
      {"log(1 + x) * sqrt(x)", {{3, 5}}, [](arb_t r, const auto& x) {
         arb_t t; arb_init(t); arb_add_ui(r, x[0], 1, prec); arb_log(r, r, prec);
         arb_sqrt(t, x[0], prec); arb_mul(r, r, t, prec); arb_clear(t); }},
      {"tanh(3*x) - sinh(x) + cosh(y)", {{1, 9}, {5, 6}}, [](arb_t r, const auto& x) {
         arb_t t; arb_init(t); arb_mul_ui(r, x[0], 3, prec); arb_tanh(r, r, prec);
         arb_sinh(t, x[0], prec); arb_sub(r, r, t, prec); arb_cosh(t, x[1], prec); arb_add(r, r, t, prec); arb_clear(t); }},
      {"pow(1 + x, y) + x^(1/3)", {{1, 4}, {3, 4}}, [](arb_t r, const auto& x) {
         arb_t t, third; arb_init(t); arb_init(third);
         arb_add_ui(t, x[0], 1, prec); arb_pow(r, t, x[1], prec);
         arb_set_ui(third, 1); arb_div_ui(third, third, 3, prec); arb_pow(t, x[0], third, prec);
         arb_add(r, r, t, prec); arb_clear(t); arb_clear(third); }},
      {"abs(x - 0.5) + relu(y - x) + min(x, y) * max(x, y)", {{1, 5}, {2, 3}}, [](arb_t r, const auto& x) {
         // Exact: |1/5 - 1/2| + (2/3 - 1/5) + (1/5)(2/3) = 3/10 + 7/15 + 2/15 = 9/10.
         (void)x; arb_set_ui(r, 9); arb_div_ui(r, r, 10, prec); }},
      {"e^x * pi", {{7, 8}}, [](arb_t r, const auto& x) {
         arb_t t; arb_init(t); arb_exp(r, x[0], prec); arb_const_pi(t, prec); arb_mul(r, r, t, prec); arb_clear(t); }},
      {"1/(2 + sin(10*x)) - x^-2", {{3, 4}}, [](arb_t r, const auto& x) {
         arb_t t; arb_init(t); arb_mul_ui(r, x[0], 10, prec); arb_sin(r, r, prec); arb_add_ui(r, r, 2, prec);
         arb_inv(r, r, prec); arb_sqr(t, x[0], prec); arb_inv(t, t, prec); arb_sub(r, r, t, prec); arb_clear(t); }},
      {"x1*x2 - x3*x4 + exp(x1 - x4)", {{1, 2}, {1, 3}, {1, 5}, {1, 7}}, [](arb_t r, const auto& x) {
         arb_t t; arb_init(t); arb_mul(r, x[0], x[1], prec); arb_mul(t, x[2], x[3], prec); arb_sub(r, r, t, prec);
         arb_sub(t, x[0], x[3], prec); arb_exp(t, t, prec); arb_add(r, r, t, prec); arb_clear(t); }},
  };
  std::printf("# Reference values of target expressions.\n");
  std::printf("# Produced by tests/expr/gen_expr_values.cpp: each value computed directly with Arb %s\n",
              "2.23 ball functions at 1000 bits");
  std::printf("# (independent of the mgdl parser and evaluator), printed by arb_get_str with 120 digits;\n");
  std::printf("# the ball [mid +/- radius] contains the exact value. Points are exact rationals.\n");
  std::printf("# expression | point | value mid | radius\n");
  for (const auto& entry : entries) {
    std::vector<arb_struct*> x;
    std::string point;
    for (const auto& [p, q] : entry.point) {
      auto* v = new arb_struct;
      arb_init(v);
      arb_set_si(v, p);
      arb_div_si(v, v, q, prec);
      x.push_back(v);
      if (!point.empty()) point += ", ";
      point += std::to_string(p) + "/" + std::to_string(q);
    }
    arb_t r;
    arb_init(r);
    entry.compute(r, x);
    char* s = arb_get_str(r, 120, 0);
    std::string text(s);
    flint_free(s);
    // "[mid +/- rad]" -> mid | rad
    const auto sep = text.find(" +/- ");
    std::string mid = text.substr(1, sep - 1);
    std::string rad = text.substr(sep + 5, text.size() - sep - 6);
    std::printf("%s | %s | %s | %s\n", entry.expression, point.c_str(), mid.c_str(), rad.c_str());
    arb_clear(r);
    for (auto* v : x) {
      arb_clear(v);
      delete v;
    }
  }
  return 0;
}
