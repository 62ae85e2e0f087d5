// Private: the flat instruction list of a Program and the evaluator state
// (shared by the ball evaluator and the domain check).
#pragma once

#include "mgdl/expr/program.hpp"

#include <arb.h>

#include <vector>

namespace mgdl::expr {

enum class Code {
  input,     // Ω coordinate t_i (index)
  constant,  // exact rational constants[index]
  pi, e,
  add, sub, mul, div, neg,
  powi,      // a ^ n, n a compile-time integer (index holds n)
  pow,       // a ^ b, general: exp(b log a) where a > 0
  sin, cos, tan, exp, log, sqrt, abs, min, max, tanh, atan, sinh, cosh, relu
};

struct Instruction {
  Code code;
  int a = -1, b = -1;     // argument slots
  long index = 0;         // input index, constant index or integer exponent
  bool varies = false;    // depends on an input (else evaluated once per precision)
  const Node* origin = nullptr;  // for messages
};

struct Program::Impl {
  Expression expression;
  Domain domain;
  int dimension = 1;
  std::vector<Instruction> code;  // SSA: slot k is the result of code[k]
  std::vector<num::Rational> constants;
  std::vector<int> varying;       // indices of code with varies == true, in order
  int result = 0;
};

// Jets: per slot [value, gradient (d), upper triangle of the Hessian (d(d+1)/2)].
struct BallEvaluator::State {
  Program program;
  const Program::Impl* impl;
  slong prec;
  int d;
  slong stride;
  arb_ptr slots;        // code.size() * stride
  arb_ptr scratch;      // 3 jets of temporaries
  arb_ptr tmp;          // 8 plain temporaries
  arf_t bound;

  State(const Program& p, slong precision);
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  arb_ptr jet(int slot) { return slots + static_cast<slong>(slot) * stride; }
  slong hess_index(int i, int j) const {  // i <= j
    return 1 + d + static_cast<slong>(i) * d - static_cast<slong>(i) * (i - 1) / 2 + (j - i);
  }
  // Evaluates constants and named constants (once per precision).
  void prologue();
  // Runs the varying instructions. order 0: values only; 1: + gradient; 2: + Hessian.
  // Inputs must be set in jet(k)[0] (and unit gradients by set_inputs).
  void run(int order);
  // Sets input slot values (and unit gradients when order >= 1).
  void set_inputs(const arb_srcptr* coords, int order);
};

// The smallest ball containing [lo, hi]: exact when lo and hi are exact and
// (hi - lo)/2 fits a radius (dyadic boxes), so that sqrt(x) on [0, w] sees a
// nonnegative argument; arb_union otherwise.
void interval_ball(arb_t out, const arb_t lo, const arb_t hi, slong prec);

// f, f', f'' of an elementary function at a ball (order says how many);
// domain errors give indeterminate balls (proofs/certification.md, C2).
void unary_derivatives(Code code, long n, arb_t f0, arb_t f1, arb_t f2, const arb_t a, int order, slong prec);
// x^y for balls, finite only where x > 0, or x >= 0 and y > 0.
void ball_pow(arb_t out, const arb_t x, const arb_t y, slong prec);

}  // namespace mgdl::expr
