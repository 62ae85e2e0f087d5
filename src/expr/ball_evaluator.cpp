// Ball evaluation of a Program: plain range, points, and order-2 Taylor jets.
//
// Every slot owns a preallocated jet [value, gradient, Hessian triangle]; a
// call only overwrites the slots of varying instructions, so the hot path
// allocates nothing of its own. Jet rules are the forward-mode chain rule
// (proofs/certification.md, C2):
//   u = f(a):  u' = f'(a) a',  u'' = f'(a) a'' + f''(a) a' a'^T
//   u = a b:   u' = a b' + b a',  u'' = a b'' + b a'' + a' b'^T + b' a'^T
#include "program_impl.hpp"

#include <arf.h>
#include <mag.h>

namespace mgdl::expr {

namespace {

// x^n with the even-power case tight on balls straddling 0.
void ball_powi(arb_t out, const arb_t x, long n, slong prec, arb_t tmp) {
  if (n == 0) {
    arb_one(out);
    return;
  }
  const unsigned long m = static_cast<unsigned long>(n < 0 ? -n : n);
  if (m % 2 == 0 && !arb_is_nonnegative(x) && !arb_is_nonpositive(x)) {
    // x^m over [-u, v] with 0 inside is [0, max(u, v)^m].
    arf_t u;
    arf_init(u);
    arb_get_abs_ubound_arf(u, x, prec);
    arb_set_arf(tmp, u);
    arf_clear(u);
    arb_pow_ui(tmp, tmp, m, prec);
    arb_zero(out);
    arb_union(out, out, tmp, prec);
  } else {
    arb_pow_ui(out, x, m, prec);
  }
  if (n < 0) arb_inv(out, out, prec);  // indeterminate when 0 is inside
}

// The interval [0, |x|_upper]: |x| over a ball straddling 0.
void zero_to_abs_upper(arb_t out, const arb_t x, slong prec) {
  arf_t u;
  arf_init(u);
  arb_get_abs_ubound_arf(u, x, prec);
  arb_t hi;
  arb_init(hi);
  arb_set_arf(hi, u);
  arb_zero(out);
  arb_union(out, out, hi, prec);
  arb_clear(hi);
  arf_clear(u);
}

}  // namespace

void interval_ball(arb_t out, const arb_t lo, const arb_t hi, slong prec) {
  if (!arb_is_exact(lo) || !arb_is_exact(hi) || !arb_is_finite(lo) || !arb_is_finite(hi) ||
      arf_cmp(arb_midref(lo), arb_midref(hi)) > 0) {
    arb_union(out, lo, hi, prec);
    return;
  }
  arf_t width;
  arf_init(width);
  arf_sub(width, arb_midref(hi), arb_midref(lo), ARF_PREC_EXACT, ARF_RND_DOWN);
  arf_mul_2exp_si(width, width, -1);
  arf_add(arb_midref(out), arb_midref(lo), arb_midref(hi), ARF_PREC_EXACT, ARF_RND_DOWN);
  arf_mul_2exp_si(arb_midref(out), arb_midref(out), -1);
  // arf_get_mag always rounds up; take the lower mag when it is exact.
  arf_get_mag_lower(arb_radref(out), width);
  arf_t check;
  arf_init(check);
  arf_set_mag(check, arb_radref(out));
  if (!arf_equal(check, width)) arf_get_mag(arb_radref(out), width);
  arf_clear(check);
  arf_clear(width);
}

void ball_pow(arb_t out, const arb_t x, const arb_t y, slong prec) {
  if (arb_is_positive(x)) {
    arb_pow(out, x, y, prec);
  } else if (arb_is_nonnegative(x) && arb_is_positive(y)) {
    // 0 <= x <= u and y > 0 give 0 <= x^y <= u^y (monotone in x).
    arf_t u;
    arf_init(u);
    arb_get_ubound_arf(u, x, prec);
    arb_t hi;
    arb_init(hi);
    arb_set_arf(hi, u);
    if (arb_is_zero(hi))
      arb_zero(out);
    else {
      arb_pow(hi, hi, y, prec);
      arb_zero(out);
      arb_union(out, out, hi, prec);
    }
    arb_clear(hi);
    arf_clear(u);
  } else {
    arb_indeterminate(out);
  }
}

void unary_derivatives(Code code, long n, arb_t f0, arb_t f1, arb_t f2, const arb_t a, int order, slong prec) {
  arb_t t;
  arb_init(t);
  switch (code) {
    case Code::neg:
      arb_neg(f0, a);
      arb_set_si(f1, -1);
      arb_zero(f2);
      break;
    case Code::sin:
      // arb_sin_cos also at order 0: its error bound is tighter than arb_sin's.
      arb_sin_cos(f0, f1, a, prec);
      arb_neg(f2, f0);
      break;
    case Code::cos:
      arb_sin_cos(t, f0, a, prec);
      arb_neg(f1, t);
      arb_neg(f2, f0);
      break;
    case Code::tan:
      // tan' = 1 + tan^2, tan'' = 2 tan (1 + tan^2)
      arb_tan(f0, a, prec);
      arb_sqr(f1, f0, prec);
      arb_add_ui(f1, f1, 1, prec);
      arb_mul(f2, f0, f1, prec);
      arb_mul_2exp_si(f2, f2, 1);
      break;
    case Code::exp:
      arb_exp(f0, a, prec);
      if (order == 0) break;
      arb_set(f1, f0);
      arb_set(f2, f0);
      break;
    case Code::log:
      arb_log(f0, a, prec);
      if (order >= 1) {
        arb_inv(f1, a, prec);
        arb_sqr(f2, f1, prec);
        arb_neg(f2, f2);
      }
      break;
    case Code::sqrt:
      // sqrt' = 1/(2 sqrt a), sqrt'' = -sqrt'/(2a); both indeterminate at 0.
      if (arb_is_nonnegative(a))
        arb_sqrt(f0, a, prec);
      else
        arb_indeterminate(f0);
      if (order >= 1) {
        arb_mul_2exp_si(f1, f0, 1);
        arb_inv(f1, f1, prec);
        arb_div(f2, f1, a, prec);
        arb_mul_2exp_si(f2, f2, -1);
        arb_neg(f2, f2);
      }
      break;
    case Code::abs:
    case Code::relu:
      // Smooth on each side of the kink: on a ball entirely >= 0 (or <= 0)
      // the function is a (or -a, or 0) identically, so the rules are exact.
      if (arb_is_nonnegative(a)) {
        arb_set(f0, a);
        arb_one(f1);
        arb_zero(f2);
      } else if (arb_is_nonpositive(a)) {
        if (code == Code::abs) {
          arb_neg(f0, a);
          arb_set_si(f1, -1);
        } else {
          arb_zero(f0);
          arb_zero(f1);
        }
        arb_zero(f2);
      } else {
        // Straddling the kink: value hull, derivative hull (Clarke), no Hessian.
        if (code == Code::abs)
          zero_to_abs_upper(f0, a, prec);
        else
          arb_nonnegative_part(f0, a);
        arb_set_si(f1, code == Code::abs ? -1 : 0);
        arb_one(t);
        arb_union(f1, f1, t, prec);
        arb_indeterminate(f2);
      }
      break;
    case Code::tanh:
      // tanh' = 1 - tanh^2, tanh'' = -2 tanh (1 - tanh^2)
      arb_tanh(f0, a, prec);
      arb_sqr(f1, f0, prec);
      arb_sub_ui(f1, f1, 1, prec);
      arb_neg(f1, f1);
      arb_mul(f2, f0, f1, prec);
      arb_mul_2exp_si(f2, f2, 1);
      arb_neg(f2, f2);
      break;
    case Code::atan:
      // atan' = 1/(1+a^2), atan'' = -2a/(1+a^2)^2
      arb_atan(f0, a, prec);
      if (order >= 1) {
        arb_sqr(t, a, prec);
        arb_add_ui(t, t, 1, prec);
        arb_inv(f1, t, prec);
        arb_sqr(f2, f1, prec);
        arb_mul(f2, f2, a, prec);
        arb_mul_2exp_si(f2, f2, 1);
        arb_neg(f2, f2);
      }
      break;
    case Code::sinh:
      arb_sinh_cosh(f0, f1, a, prec);
      arb_set(f2, f0);
      break;
    case Code::cosh:
      arb_sinh_cosh(f1, f0, a, prec);
      arb_set(f2, f0);
      break;
    case Code::powi:
      // (a^n)' = n a^(n-1), (a^n)'' = n (n-1) a^(n-2)
      ball_powi(f0, a, n, prec, t);
      if (order >= 1) {
        if (n == 0) {
          arb_zero(f1);
          arb_zero(f2);
        } else {
          ball_powi(f1, a, n - 1, prec, t);
          arb_mul_si(f1, f1, n, prec);
          if (n == 1) {
            arb_zero(f2);
          } else {
            ball_powi(f2, a, n - 2, prec, t);
            arb_mul_si(f2, f2, n, prec);
            arb_mul_si(f2, f2, n - 1, prec);
          }
        }
      }
      break;
    default:
      arb_indeterminate(f0);
      arb_indeterminate(f1);
      arb_indeterminate(f2);
      break;
  }
  // Where f itself is undefined its derivatives mean nothing.
  if (order >= 1 && !arb_is_finite(f0)) {
    arb_indeterminate(f1);
    arb_indeterminate(f2);
  }
  arb_clear(t);
}

BallEvaluator::State::State(const Program& p, slong precision)
    : program(p), impl(&p.impl()), prec(precision), d(p.dimension()) {
  stride = 1 + d + static_cast<slong>(d) * (d + 1) / 2;
  slots = _arb_vec_init(static_cast<slong>(impl->code.size()) * stride);
  scratch = _arb_vec_init(3 * stride);
  tmp = _arb_vec_init(8);
  arf_init(bound);
  prologue();
}

BallEvaluator::State::~State() {
  _arb_vec_clear(slots, static_cast<slong>(impl->code.size()) * stride);
  _arb_vec_clear(scratch, 3 * stride);
  _arb_vec_clear(tmp, 8);
  arf_clear(bound);
}

namespace {

using State = BallEvaluator::State;

// out = unary rule applied to jet a (f0, f1, f2 already computed).
void chain_unary(State& s, arb_ptr out, arb_srcptr a, const arb_t f0, const arb_t f1, const arb_t f2, int order) {
  arb_set(out, f0);
  if (order < 1) return;
  const int d = s.d;
  for (int i = 0; i < d; ++i) arb_mul(out + 1 + i, f1, a + 1 + i, s.prec);
  if (order < 2) return;
  for (int i = 0; i < d; ++i)
    for (int j = i; j < d; ++j) {
      const slong h = s.hess_index(i, j);
      arb_mul(out + h, f1, a + h, s.prec);
      arb_mul(s.tmp + 7, a + 1 + i, a + 1 + j, s.prec);
      arb_addmul(out + h, f2, s.tmp + 7, s.prec);
    }
}

void jet_mul(State& s, arb_ptr out, arb_srcptr a, arb_srcptr b, int order) {
  const slong p = s.prec;
  const int d = s.d;
  if (order >= 2) {
    for (int i = 0; i < d; ++i)
      for (int j = i; j < d; ++j) {
        const slong h = s.hess_index(i, j);
        arb_mul(out + h, a, b + h, p);
        arb_addmul(out + h, b, a + h, p);
        arb_addmul(out + h, a + 1 + i, b + 1 + j, p);
        arb_addmul(out + h, a + 1 + j, b + 1 + i, p);
      }
  }
  if (order >= 1) {
    for (int i = 0; i < d; ++i) {
      arb_mul(out + 1 + i, a, b + 1 + i, p);
      arb_addmul(out + 1 + i, b, a + 1 + i, p);
    }
  }
  arb_mul(out, a, b, p);
}

slong jet_length(const State& s, int order) {
  return order == 0 ? 1 : order == 1 ? 1 + s.d : s.stride;
}

// min/max of two jets: the larger (smaller) one where that is certain,
// else value hull, gradient hull, indeterminate Hessian.
void jet_minmax(State& s, arb_ptr out, arb_srcptr a, arb_srcptr b, bool is_max, int order) {
  const slong n = jet_length(s, order);
  const bool a_wins = is_max ? arb_ge(a, b) : arb_ge(b, a);
  const bool b_wins = is_max ? arb_ge(b, a) : arb_ge(a, b);
  if (a_wins || b_wins) {
    _arb_vec_set(out, a_wins ? a : b, n);
    return;
  }
  if (is_max)
    arb_max(out, a, b, s.prec);
  else
    arb_min(out, a, b, s.prec);
  for (slong k = 1; k < n; ++k) {
    if (k <= s.d)
      arb_union(out + k, a + k, b + k, s.prec);
    else
      arb_indeterminate(out + k);
  }
}

}  // namespace

void BallEvaluator::State::prologue() {
  for (std::size_t k = 0; k < impl->code.size(); ++k) {
    const Instruction& ins = impl->code[k];
    if (ins.varies) continue;
    arb_ptr out = jet(static_cast<int>(k));
    _arb_vec_zero(out, stride);
    switch (ins.code) {
      case Code::constant: {
        num::Ball c = num::Ball::from_rational(impl->constants[static_cast<std::size_t>(ins.index)], prec);
        arb_set(out, c.arb());
        break;
      }
      case Code::pi: arb_const_pi(out, prec); break;
      case Code::e: arb_const_e(out, prec); break;
      default: {
        // Constant sub-expressions such as 32*pi: evaluated once, no derivatives.
        arb_srcptr a = ins.a >= 0 ? jet(ins.a) : nullptr;
        arb_srcptr b = ins.b >= 0 ? jet(ins.b) : nullptr;
        switch (ins.code) {
          case Code::add: arb_add(out, a, b, prec); break;
          case Code::sub: arb_sub(out, a, b, prec); break;
          case Code::mul: arb_mul(out, a, b, prec); break;
          case Code::div: arb_div(out, a, b, prec); break;
          case Code::pow: ball_pow(out, a, b, prec); break;
          case Code::min: arb_min(out, a, b, prec); break;
          case Code::max: arb_max(out, a, b, prec); break;
          default: unary_derivatives(ins.code, ins.index, out, tmp, tmp + 1, a, 0, prec); break;
        }
      }
    }
  }
}

void BallEvaluator::State::set_inputs(const arb_srcptr* coords, int order) {
  for (int k : impl->varying) {
    const Instruction& ins = impl->code[static_cast<std::size_t>(k)];
    if (ins.code != Code::input) continue;
    arb_ptr out = jet(k);
    arb_set(out, coords[ins.index]);
    if (order >= 1) {
      _arb_vec_zero(out + 1, order >= 2 ? stride - 1 : d);
      arb_one(out + 1 + ins.index);
    }
  }
}

void BallEvaluator::State::run(int order) {
  arb_ptr f0 = tmp, f1 = tmp + 1, f2 = tmp + 2;
  const slong n = jet_length(*this, order);
  for (int k : impl->varying) {
    const Instruction& ins = impl->code[static_cast<std::size_t>(k)];
    arb_ptr out = jet(k);
    arb_srcptr a = ins.a >= 0 ? jet(ins.a) : nullptr;
    arb_srcptr b = ins.b >= 0 ? jet(ins.b) : nullptr;
    switch (ins.code) {
      case Code::input: break;
      case Code::add: _arb_vec_add(out, a, b, n, prec); break;
      case Code::sub: _arb_vec_sub(out, a, b, n, prec); break;
      case Code::neg: _arb_vec_neg(out, a, n); break;
      case Code::mul:
        if (order == 0)
          arb_mul(out, a, b, prec);
        else
          jet_mul(*this, out, a, b, order);
        break;
      case Code::div:
        if (order == 0) {
          arb_div(out, a, b, prec);
        } else {
          // a / b = a * (1/b); (1/b)' = -1/b^2, (1/b)'' = 2/b^3.
          arb_ptr r = scratch;
          arb_inv(f0, b, prec);
          arb_sqr(f1, f0, prec);
          arb_mul(f2, f1, f0, prec);
          arb_neg(f1, f1);
          arb_mul_2exp_si(f2, f2, 1);
          chain_unary(*this, r, b, f0, f1, f2, order);
          jet_mul(*this, out, a, r, order);
          arb_div(out, a, b, prec);  // tighter value than a * (1/b)
        }
        break;
      case Code::pow:
        if (order == 0) {
          ball_pow(out, a, b, prec);
        } else {
          // a^b = exp(b log a) for a > 0.
          arb_ptr l = scratch, m = scratch + stride;
          unary_derivatives(Code::log, 0, f0, f1, f2, a, order, prec);
          chain_unary(*this, l, a, f0, f1, f2, order);
          jet_mul(*this, m, b, l, order);
          unary_derivatives(Code::exp, 0, f0, f1, f2, m, order, prec);
          chain_unary(*this, out, m, f0, f1, f2, order);
          ball_pow(out, a, b, prec);  // finite also where a touches 0
        }
        break;
      case Code::min:
      case Code::max:
        if (order == 0) {
          if (ins.code == Code::max)
            arb_max(out, a, b, prec);
          else
            arb_min(out, a, b, prec);
        } else {
          jet_minmax(*this, out, a, b, ins.code == Code::max, order);
        }
        break;
      default:
        unary_derivatives(ins.code, ins.index, f0, f1, f2, a, order, prec);
        chain_unary(*this, out, a, f0, f1, f2, order);
        break;
    }
  }
}

BallEvaluator::BallEvaluator(const Program& program, slong prec) : state_(std::make_unique<State>(program, prec)) {}
BallEvaluator::~BallEvaluator() = default;

slong BallEvaluator::precision() const { return state_->prec; }

void BallEvaluator::set_precision(slong prec) {
  state_->prec = prec;
  state_->prologue();
}

namespace {

constexpr int max_dimension = 16;

}  // namespace

void BallEvaluator::range(const num::Ball* lo, const num::Ball* hi, num::Ball& out) {
  State& s = *state_;
  arb_ptr coords = s.scratch;  // scratch jets are free outside run()
  arb_srcptr ptrs[max_dimension] = {};
  for (int i = 0; i < s.d; ++i) {
    interval_ball(coords + i, lo[i].arb(), hi[i].arb(), s.prec);
    ptrs[i] = coords + i;
  }
  s.set_inputs(ptrs, 0);
  s.run(0);
  arb_set(out.arb(), s.jet(s.impl->result));
}

void BallEvaluator::point(const num::Ball* x, num::Ball& out) {
  State& s = *state_;
  arb_srcptr ptrs[max_dimension] = {};
  for (int i = 0; i < s.d; ++i) ptrs[i] = x[i].arb();
  s.set_inputs(ptrs, 0);
  s.run(0);
  arb_set(out.arb(), s.jet(s.impl->result));
}

void BallEvaluator::derivatives2(const num::Ball* lo, const num::Ball* hi, Taylor2& jet) {
  State& s = *state_;
  const int d = s.d;
  const auto du = static_cast<std::size_t>(d);
  if (jet.gradient.size() != du) jet.gradient.resize(du);
  if (jet.hessian.size() != du * du) jet.hessian.resize(du * du);
  // Coordinates live in the third scratch jet: the box, then the center.
  arb_ptr box = s.scratch + 2 * s.stride;
  arb_ptr center = box + d;
  arb_srcptr ptrs[max_dimension] = {};
  for (int i = 0; i < d; ++i) {
    interval_ball(box + i, lo[i].arb(), hi[i].arb(), s.prec);
    arb_add(center + i, lo[i].arb(), hi[i].arb(), s.prec);
    arb_mul_2exp_si(center + i, center + i, -1);
    ptrs[i] = box + i;
  }
  // Pass 1, order 2 over the box: direct range and Hessian enclosure.
  s.set_inputs(ptrs, 2);
  s.run(2);
  arb_srcptr r = s.jet(s.impl->result);
  arb_set(jet.range.arb(), r);
  for (int i = 0; i < d; ++i)
    for (int j = i; j < d; ++j) {
      arb_set(jet.hessian[static_cast<std::size_t>(i * d + j)].arb(), r + s.hess_index(i, j));
      arb_set(jet.hessian[static_cast<std::size_t>(j * d + i)].arb(), r + s.hess_index(i, j));
    }
  // Pass 2, order 1 at the center: value and gradient.
  for (int i = 0; i < d; ++i) ptrs[i] = center + i;
  s.set_inputs(ptrs, 1);
  s.run(1);
  arb_set(jet.value.arb(), r);
  for (int i = 0; i < d; ++i) arb_set(jet.gradient[static_cast<std::size_t>(i)].arb(), r + 1 + i);
}

void BallEvaluator::taylor2(const num::Ball* lo, const num::Ball* hi, Taylor2& jet) {
  derivatives2(lo, hi, jet);
  State& s = *state_;
  const int d = s.d;
  arb_ptr box = s.scratch + 2 * s.stride;  // as left by derivatives2
  arb_ptr center = box + d;
  // Taylor form T = f(c) + g.δ + ½ Σ H_ii δ_i² + Σ_{i<j} H_ij δ_i δ_j with
  // |δ_i| <= R_i and δ_i² in [0, R_i²] (a tight square, not a product);
  // proofs/certification.md, C2.
  arb_ptr t = s.scratch;            // T
  arb_ptr delta = s.scratch + 1;    // d balls [0 ± R_i]
  arb_ptr square = delta + d;       // d balls [0, R_i²]
  arb_ptr term = square + d;
  arb_set(t, jet.value.arb());
  for (int i = 0; i < d; ++i) {
    arb_sub(term, box + i, center + i, s.prec);
    arb_get_abs_ubound_arf(s.bound, term, s.prec);
    arb_zero(delta + i);
    arf_get_mag(arb_radref(delta + i), s.bound);
    arb_set_arf(term, s.bound);
    arb_sqr(term, term, s.prec);
    arb_zero(square + i);
    arb_union(square + i, square + i, term, s.prec);
    arb_addmul(t, jet.gradient[static_cast<std::size_t>(i)].arb(), delta + i, s.prec);
  }
  for (int i = 0; i < d; ++i) {
    arb_mul(term, jet.hessian[static_cast<std::size_t>(i * d + i)].arb(), square + i, s.prec);
    arb_mul_2exp_si(term, term, -1);
    arb_add(t, t, term, s.prec);
    for (int j = i + 1; j < d; ++j) {
      arb_mul(term, delta + i, delta + j, s.prec);
      arb_addmul(t, jet.hessian[static_cast<std::size_t>(i * d + j)].arb(), term, s.prec);
    }
  }
  if (arb_is_finite(t)) {
    if (!arb_is_finite(jet.range.arb())) {
      arb_set(jet.range.arb(), t);
    } else {
      arb_set(term, jet.range.arb());
      // Keep the intersection only where it is really smaller: its outward
      // rounding can make it a hair wider than the direct range.
      const int overlap = arb_intersection(jet.range.arb(), term, t, s.prec);
      if (!overlap || mag_cmp(arb_radref(jet.range.arb()), arb_radref(term)) >= 0)
        arb_set(jet.range.arb(), term);
    }
  }
}

}  // namespace mgdl::expr
