// The checker's own reading of a target expression (SPEC section 9) and its
// own MPFI evaluator: ranges over boxes and order-2 jets
// (proofs/certification.md, C2). Independent of src/expr.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exact.hpp"

namespace mgdl::check {

enum class TOp {
  constant, pi, e, variable, add, sub, mul, div, pow, ipow, neg,
  sin, cos, tan, exp, log, sqrt, abs, min, max, tanh, atan, sinh, cosh, relu
};

struct TNode {
  TOp op = TOp::constant;
  int a = -1, b = -1;  // argument nodes (earlier in the list)
  int variable = -1;
  long n = 0;          // ipow exponent
  Q value;             // constant
};

// A parsed target: nodes in evaluation order (arguments first), the last is
// the root. Variables are x_i = lo_i + (hi_i − lo_i)·t_i with t ∈ Ω = [0,1]^d.
struct Target {
  std::vector<TNode> nodes;
  std::vector<Q> lo, hi;
  int dimension = 0;
};

// Throws MalformedError "target expression: <problem> at column N".
// Limits: 1 MiB of text, nesting depth 256, decimal exponents |e| <= 100000.
Target parse_target(std::string_view text, const std::vector<std::string>& variables,
                    std::vector<Q> lo, std::vector<Q> hi);

// Value, gradient and Hessian (upper triangle, row-major i <= j) with respect
// to t, as MPFI intervals. `smooth` false means the derivatives are not valid
// (a kink, a pole or an undefined operation may lie in the box); `defined`
// false means the value itself is not enclosed (it is then [-inf, inf]).
struct Jet {
  std::vector<I> c;  // c[0] value, c[1..d] gradient, c[1+d..] Hessian
  bool defined = true;
  bool smooth = true;
};

// sin and cos of an interval together, one mpfr_sin_cos per endpoint (MPFI
// computes each separately, with a quadrant reduction). Each endpoint value is
// the round-to-nearest result widened to its two neighbours (the exact value
// lies between them); when the interval is narrower than 3 < π each function
// has at most one extremum inside, located by the certain signs of the other
// function at the ends (its derivative up to sign). Wider intervals, or
// endpoint signs not certain, use mpfi_sin / mpfi_cos. An interval narrower
// than 2^-(prec/2) costs one mpfr_sin_cos (1-Lipschitz widening).
//   SinCos sc(128); sc(s, c, x);  // s ⊇ sin(x), c ⊇ cos(x)
class SinCos {
 public:
  explicit SinCos(mpfr_prec_t prec);
  void operator()(I& sin_out, I& cos_out, const I& x);

 private:
  void at(I& s, I& c, mpfr_srcptr v);
  I sl_, cl_, sr_, cr_, w_;
};

class JetEvaluator {
 public:
  JetEvaluator(const Target& target, mpfr_prec_t prec);
  mpfr_prec_t precision() const { return prec_; }
  int hessian_index(int i, int j) const { return hidx_[static_cast<std::size_t>(i < j ? i * d_ + j : j * d_ + i)]; }
  // t: one interval per axis (Ω coordinates). order 0: value only; 1: and
  // gradient; 2: and Hessian. Never throws. Two value-only calls in a row
  // recompute only the nodes that depend on an axis whose interval changed
  // (the others would repeat the same operations on the same operands).
  const Jet& evaluate(const std::vector<I>& t, int order);

 private:
  void unary(Jet& out, const Jet& u, const I& f0, const I& f1, const I& f2, int order);
  void mul(Jet& out, const Jet& a, const Jet& b, int order);
  void fail(Jet& out, bool value_defined, int order);

  const Target* target_;
  mpfr_prec_t prec_;
  int d_, size_;
  std::vector<int> hidx_;
  std::vector<Jet> jets_, aux1_, aux2_;
  std::vector<I> constants_;  // values of constant, pi and e nodes (computed once)
  std::vector<bool> unit_variable_;  // axis with domain [0, 1]: x_i = t_i
  std::vector<std::uint64_t> depends_;  // per node: the axes it depends on (bit i: axis i)
  std::vector<I> last_t_;               // the arguments of the last call, when it was value-only
  bool last_values_ = false;            // jets_ hold the values at last_t_
  SinCos sin_cos_;
  I t0_, t1_, t2_, t3_, f0_, f1_, f2_;
};

// Enclosures of the constant, pi and e nodes (others: left as [NaN]), index = node.
std::vector<I> constant_enclosures(const Target& target, mpfr_prec_t prec);

// x^n of an interval with directed rounding (tight for all integer n; n < 0
// requires 0 ∉ x, else the result is entire).
void interval_ipow(I& out, const I& x, long n);

}  // namespace mgdl::check
