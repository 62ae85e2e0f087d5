// Truncated Taylor series of the checker's target along one axis, with a whole
// box as the base point: for every x in the box, coefficient k encloses
// ∂_i^k f(x)/k! (the remainder terms of the G rule; proofs/integration.md,
// Lemma I6). MPFI only;
// independent of the producer's Arb series.
//
//   SeriesEvaluator se(target, 128);
//   if (se.evaluate(box, 0, 16)) use(se.result()[16]);  // ⊇ f^(16)(x)/16! for all x ∈ box
//   // false: a primitive is not smooth (or not defined) somewhere on the box
//
// Derivation (proofs/integration.md, Lemma I6; the producer computes the same
// coefficients with Arb's series). Fix x in the box and let v_x(t) = v(x + t e_i) for a node v of the
// target. When every non-smooth primitive has an argument of certain sign over the
// box (hence, by continuity and compactness, on a neighbourhood of it), each v_x is
// real-analytic near t = 0, and its Taylor coefficients a_k(x) = v_x^(k)(0)/k! obey
// exact identities in the coefficients of the arguments at the same x:
//   product   c_k = Σ_{j<=k} a_j b_{k−j}
//   quotient  c_k = (a_k − Σ_{j=1..k} b_j c_{k−j}) / b_0                 (c·b = a)
//   exp       e_k = (1/k) Σ_{j=1..k} j a_j e_{k−j}                       (e' = a'e)
//   log       l_k = (a_k − (1/k) Σ_{j=1..k−1} j l_j a_{k−j}) / a_0       (a l' = a')
//   sin, cos  k s_k = Σ j a_j c_{k−j},  k c_k = −Σ j a_j s_{k−j}          (s' = a'c, c' = −a's)
//   sinh,cosh the same with +
//   a^α       k a_0 y_k = Σ_{j=1..k} ((α+1)j − k) a_j y_{k−j}             (a y' = α a' y)
//   sqrt      s_k = (a_k − Σ_{j=1..k−1} s_j s_{k−j}) / (2 s_0)            (s² = a)
//   tan       k t_k = Σ j a_j u_{k−j}, u = 1 + t²                         (t' = (1+t²) a')
//   tanh      the same with u = 1 − t²
//   atan      y_k = (a'/(1 + a²))_{k−1} / k                               (y' = a'/(1+a²))
// (compare coefficients of t^{k−1} in the differential identity). Each right-hand side is
// a rational expression in lower coefficients, and coefficient 0 is the primitive applied
// to a_0(x) = v(x). Evaluating these expressions in interval arithmetic with argument
// enclosures that hold for this x gives enclosures that hold for this x (inclusion
// property, C0 for MPFI); by induction over the nodes (arguments first) and over k, every
// computed coefficient encloses a_k(x), for each x of the box. abs, relu, min, max are the
// identity, −identity, 0 or one argument on a neighbourhood of the box when the sign is
// certain there; otherwise the result is "not smooth" and no number is returned.
#pragma once

#include <vector>

#include "target.hpp"

namespace mgdl::check {

// Coefficients a_0..a_K of a truncated series (only the first order+1 are used).
using Series = std::vector<I>;

class SeriesEvaluator {
 public:
  static constexpr int max_order = 64;

  SeriesEvaluator(const Target& target, mpfr_prec_t prec);
  mpfr_prec_t precision() const { return prec_; }

  // box: one interval per axis (Ω coordinates); 0 <= axis < d; 0 <= order <= max_order.
  // True when every coefficient 0..order of result() is valid for every base
  // point of the box. Never throws.
  bool evaluate(const std::vector<I>& box, int axis, int order);
  // The same along a direction v (one interval per axis): coefficient k ∋ D_v^k f/k!
  // for every base point of the box and every v in the intervals
  // (proofs/integration.md, Lemma I8(d)).
  bool evaluate(const std::vector<I>& box, const std::vector<I>& direction, int order);
  const Series& result() const { return nodes_.back(); }

  // Series arithmetic with the same validity (coefficientwise, for every base
  // point whose argument coefficients are enclosed). `out` must not alias an input.
  void mul(Series& out, const Series& a, const Series& b, int order);
  // a^n, n >= 0 by repeated squaring (a polynomial: valid for any a), n < 0 needs 0 ∉ a_0.
  bool ipow(Series& out, const Series& a, long n, int order);
  // a^α for a rational α, needs a_0 > 0 (certainly).
  bool pow_rational(Series& out, const Series& a, const Q& alpha, int order);

 private:
  bool evaluate_along(const std::vector<I>& box, int axis, const std::vector<I>* direction, int order);
  void resize(int order);
  bool div(Series& out, const Series& a, const Series& b, int order);
  bool exp(Series& out, const Series& a, int order);
  bool log(Series& out, const Series& a, int order);
  void sin_cos(Series& s, Series& c, const Series& a, int order, bool hyperbolic);
  bool tan(Series& out, const Series& a, int order, bool hyperbolic);
  bool atan(Series& out, const Series& a, int order);
  bool sqrt(Series& out, const Series& a, int order);
  void constant(Series& out, const I& value, int order);
  // out = (1/k) Σ_{j=1..j_max} j a_j b_{k−j} (j_max = k: the coefficient of t^{k−1} in a'·b, over k)
  // (exp, log, tan). `out` must not alias a_1..a_{j_max} or b_{k−j_max}..b_{k−1}.
  void derivative_sum(I& out, const Series& a, const Series& b, int k, int j_max);

  const Target* target_;
  mpfr_prec_t prec_;
  int allocated_ = -1;
  std::vector<Series> nodes_;
  std::vector<I> constants_;
  Series s1_, s2_, s3_, s4_;  // scratch series
  SinCos sin_cos_;
  I t0_, t1_;
  Q q0_, q1_;
};

}  // namespace mgdl::check
