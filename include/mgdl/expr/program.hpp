// A target compiled once to a flat instruction list, evaluated in several
// arithmetics without allocation in the hot path.
//
//   Program prog = Program::compile(expr, domain);      // domain maps [0,1]^d -> user box
//   BallEvaluator ev(prog, 128);                          // one per thread
//   ev.range(box_lo, box_hi, out);                        // f(B) enclosure, B in [0,1]^d coords
//   ev.taylor2(box_lo, box_hi, jet);                      // order-2 Taylor form (proofs C2)
//
// All coordinates given to evaluators are in Ω = [0,1]^d; the Program composes
// the exact affine map t -> lo + (hi - lo) t onto the user's box.
#pragma once

#include "mgdl/expr/expression.hpp"
#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace mgdl::expr {

// The user's box [lo_i, hi_i] per variable, exact rationals, lo < hi.
struct Domain {
  std::vector<num::Rational> lo, hi;
  static Domain unit(int d);
};

class Program {
 public:
  // Precondition: domain has expr.dimension() axes (d >= 1).
  static Program compile(const Expression& expr, const Domain& domain);
  int dimension() const;
  const Domain& domain() const;
  const Expression& expression() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

// Order-2 Taylor data on a box B with center c (proofs/certification.md, C2):
//   f(B) ⊆ value + gradient·(B − c) + ½ (B − c)ᵀ hessian (B − c)
// value and gradient are enclosures at the point c; hessian (row-major d×d)
// encloses the Hessian over all of B; range encloses f(B) directly.
struct Taylor2 {
  num::Ball value;
  std::vector<num::Ball> gradient;
  std::vector<num::Ball> hessian;
  num::Ball range;
};

// Evaluates one Program in Arb ball arithmetic at a fixed working precision.
// Not thread-safe: use one per thread. Kernels never throw; where the target is
// undefined on part of the input the result is an indeterminate ball.
class BallEvaluator {
 public:
  BallEvaluator(const Program& program, slong prec);
  ~BallEvaluator();
  BallEvaluator(const BallEvaluator&) = delete;
  BallEvaluator& operator=(const BallEvaluator&) = delete;

  slong precision() const;
  void set_precision(slong prec);

  // f over the box Π[lo_i, hi_i] (Ω coordinates; arrays of length d). Plain
  // interval (ball) evaluation.
  void range(const num::Ball* lo, const num::Ball* hi, num::Ball& out);
  // f at a point (balls allowed, e.g. exact dyadics).
  void point(const num::Ball* x, num::Ball& out);
  // Order-2 Taylor data on the box; also fills jet.range with the tighter of
  // the direct range and the Taylor-form range.
  void taylor2(const num::Ball* lo, const num::Ball* hi, Taylor2& jet);
  // The same data without the Taylor form: jet.range is the direct range
  // (for callers that bound f on their own pieces, e.g. geom's simplices).
  void derivatives2(const num::Ball* lo, const num::Ball* hi, Taylor2& jet);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// The point of evaluate_exact and evaluate_point is in Ω = [0,1]^d coordinates,
// like every evaluator input (the Program maps it onto the user's box).
//
// Exact value at a rational point when every operation stays rational
// (constants, + - * /, integer powers, abs, min, max, relu); nullopt otherwise
// or on division by zero.
std::optional<num::Rational> evaluate_exact(const Program& program, const std::vector<num::Rational>& point);

// High-precision point value with MPFR semantics: a ball of radius at most
// 2^(-prec+4)·|value| (+ 2^(-prec) absolute) containing f(point), computed by
// raising Arb's working precision until that accuracy is reached.
num::Ball evaluate_point(const Program& program, const std::vector<num::Rational>& point, slong prec);

// Rigorous check that the target is defined and continuous on the whole domain
// (SPEC section 9).
struct DomainCheck {
  enum class Status { proven, rejected, undecided } status;
  // One line: e.g. "log argument may be <= 0: 'log(x - 0.5)' at column 1 on
  // x in [0, 0.5]"; empty when proven. Box bounds are in user coordinates.
  // Sub-expressions are printed canonically (0.5 as (1/2)); "rejected" means a
  // point where the target is certainly undefined was found (at a test point,
  // or a sign change of a continuous denominator / log argument / cos under
  // tan inside the box); "undecided" starts with "could not prove the target
  // continuous within N boxes: ".
  // Semantics of powers: a^n with n a constant integer needs a != 0 only when
  // n < 0; any other a^b needs a > 0, or a >= 0 and b > 0.
  std::string message;
};
DomainCheck check_domain(const Program& program, long max_boxes = 200000);

}  // namespace mgdl::expr
