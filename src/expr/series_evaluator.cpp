// Series of a Program along one axis (include/mgdl/expr/series.hpp). Every
// slot holds a truncated series of length n = order + 1; the rules are Arb's
// power-series compositions (arb_poly.h), whose ball semantics give the
// enclosure of the coefficients at every point of the base set
// (proofs/integration.md, Lemma I6; the kinks are excluded case by case).
#include <arb_poly.h>

#include "mgdl/expr/series.hpp"
#include "program_impl.hpp"

namespace mgdl::expr {

struct SeriesEvaluator::State {
  const Program::Impl* impl;
  Program program;
  slong prec;
  slong len = 0;                     // allocated series length
  arb_ptr slots = nullptr;           // code.size() * len
  arb_ptr scratch = nullptr;         // 3 * len
  std::vector<num::Ball> constants;  // per instruction: constant, pi, e values

  State(const Program& p, slong precision) : impl(&p.impl()), program(p), prec(precision) { prologue(); }
  ~State() { release(); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  void release() {
    if (slots != nullptr) _arb_vec_clear(slots, static_cast<slong>(impl->code.size()) * len);
    if (scratch != nullptr) _arb_vec_clear(scratch, 3 * len);
    slots = scratch = nullptr;
    len = 0;
  }
  void reserve(slong n) {
    if (n <= len) return;
    release();
    len = n;
    slots = _arb_vec_init(static_cast<slong>(impl->code.size()) * len);
    scratch = _arb_vec_init(3 * len);
  }
  arb_ptr slot(int k) { return slots + static_cast<slong>(k) * len; }
  void prologue() {
    constants.assign(impl->code.size(), num::Ball());
    for (std::size_t k = 0; k < impl->code.size(); ++k) {
      const Instruction& ins = impl->code[k];
      if (ins.code == Code::constant)
        constants[k] = num::Ball::from_rational(impl->constants[static_cast<std::size_t>(ins.index)], prec);
      else if (ins.code == Code::pi)
        arb_const_pi(constants[k].arb(), prec);
      else if (ins.code == Code::e)
        arb_const_e(constants[k].arb(), prec);
    }
  }
  bool step(const Instruction& ins, arb_ptr out, arb_srcptr a, arb_srcptr b, slong n);
};

namespace {

// a^m for m >= 0 as a series (m = 0: the constant 1).
void pow_ui_series(arb_ptr out, arb_srcptr a, unsigned long m, slong n, slong prec) {
  if (m == 0) {
    _arb_vec_zero(out, n);
    arb_one(out);
    return;
  }
  _arb_poly_pow_ui_trunc_binexp(out, a, n, m, n, prec);
}

}  // namespace

bool SeriesEvaluator::State::step(const Instruction& ins, arb_ptr out, arb_srcptr a, arb_srcptr b, slong n) {
  arb_ptr t = scratch, u = scratch + len, v = scratch + 2 * len;
  switch (ins.code) {
    case Code::add:
      _arb_vec_add(out, a, b, n, prec);
      return true;
    case Code::sub:
      _arb_vec_sub(out, a, b, n, prec);
      return true;
    case Code::neg:
      _arb_vec_neg(out, a, n);
      return true;
    case Code::mul:
      _arb_poly_mullow(out, a, n, b, n, n, prec);
      return true;
    case Code::div:
      if (arb_contains_zero(b)) return false;
      _arb_poly_div_series(out, a, n, b, n, n, prec);
      return true;
    case Code::powi: {
      const long e = ins.index;
      const unsigned long m = static_cast<unsigned long>(e < 0 ? -e : e);
      if (e >= 0) {
        pow_ui_series(out, a, m, n, prec);
        return true;
      }
      if (arb_contains_zero(a)) return false;
      pow_ui_series(t, a, m, n, prec);
      _arb_poly_inv_series(out, t, n, n, prec);
      return true;
    }
    case Code::pow:  // a^b = exp(b log a), a > 0
      if (!arb_is_positive(a)) return false;
      _arb_poly_log_series(t, a, n, n, prec);
      _arb_poly_mullow(u, b, n, t, n, n, prec);
      _arb_poly_exp_series(out, u, n, n, prec);
      return true;
    case Code::sin:
      _arb_poly_sin_cos_series(out, t, a, n, n, prec);
      return true;
    case Code::cos:
      _arb_poly_sin_cos_series(t, out, a, n, n, prec);
      return true;
    case Code::tan:
      _arb_poly_tan_series(out, a, n, n, prec);
      return true;
    case Code::exp:
      _arb_poly_exp_series(out, a, n, n, prec);
      return true;
    case Code::log:
      if (!arb_is_positive(a)) return false;
      _arb_poly_log_series(out, a, n, n, prec);
      return true;
    case Code::sqrt:
      if (!arb_is_positive(a)) return false;
      _arb_poly_sqrt_series(out, a, n, n, prec);
      return true;
    case Code::abs:
    case Code::relu:
      // On a base set where a >= 0 (a <= 0) the function is a (−a or 0) identically.
      if (arb_is_nonnegative(a)) {
        _arb_vec_set(out, a, n);
      } else if (arb_is_nonpositive(a)) {
        if (ins.code == Code::abs)
          _arb_vec_neg(out, a, n);
        else
          _arb_vec_zero(out, n);
      } else {
        return false;
      }
      return true;
    case Code::min:
    case Code::max: {
      arb_sub(t, a, b, prec);
      const bool a_ge = arb_is_nonnegative(t), b_ge = arb_is_nonpositive(t);
      if (!a_ge && !b_ge) return false;
      const bool take_a = ins.code == Code::max ? a_ge : b_ge;
      _arb_vec_set(out, take_a ? a : b, n);
      return true;
    }
    case Code::tanh:  // tanh a = 1 − 2/(exp(2a) + 1)
      _arb_vec_scalar_mul_2exp_si(t, a, n, 1);
      _arb_poly_exp_series(u, t, n, n, prec);
      arb_add_ui(u, u, 1, prec);
      _arb_poly_inv_series(v, u, n, n, prec);
      _arb_vec_scalar_mul_2exp_si(out, v, n, 1);
      _arb_vec_neg(out, out, n);
      arb_add_ui(out, out, 1, prec);
      return true;
    case Code::atan:
      _arb_poly_atan_series(out, a, n, n, prec);
      return true;
    case Code::sinh:
      _arb_poly_sinh_cosh_series(out, t, a, n, n, prec);
      return true;
    case Code::cosh:
      _arb_poly_sinh_cosh_series(t, out, a, n, n, prec);
      return true;
    default:
      return false;
  }
}

SeriesEvaluator::SeriesEvaluator(const Program& program, slong prec)
    : state_(std::make_unique<State>(program, prec)) {}
SeriesEvaluator::~SeriesEvaluator() = default;

slong SeriesEvaluator::precision() const {
  return state_->prec;
}

void SeriesEvaluator::set_precision(slong prec) {
  state_->prec = prec;
  state_->prologue();
}

bool SeriesEvaluator::evaluate(const num::Ball* base, int axis, int order, std::vector<num::Ball>& out) {
  return evaluate_along(base, axis, nullptr, order, out);
}

bool SeriesEvaluator::evaluate(const num::Ball* base, const num::Ball* direction, int order,
                               std::vector<num::Ball>& out) {
  return evaluate_along(base, -1, direction, order, out);
}

// Along e_axis (direction == nullptr) or along the direction v: the input x_j
// has coefficient 1 equal to v_j (proofs/integration.md, Lemma I8(d)).
bool SeriesEvaluator::evaluate_along(const num::Ball* base, int axis, const num::Ball* direction, int order,
                                     std::vector<num::Ball>& out) {
  State& s = *state_;
  const slong n = order + 1;
  s.reserve(n);
  const auto& code = s.impl->code;
  for (std::size_t k = 0; k < code.size(); ++k) {
    const Instruction& ins = code[k];
    arb_ptr o = s.slot(static_cast<int>(k));
    switch (ins.code) {
      case Code::input:
        _arb_vec_zero(o, n);
        arb_set(o, base[ins.index].arb());
        if (n > 1) {
          if (direction != nullptr)
            arb_set(o + 1, direction[ins.index].arb());
          else if (ins.index == axis)
            arb_one(o + 1);
        }
        break;
      case Code::constant:
      case Code::pi:
      case Code::e:
        _arb_vec_zero(o, n);
        arb_set(o, s.constants[k].arb());
        break;
      default: {
        arb_srcptr a = ins.a >= 0 ? s.slot(ins.a) : nullptr;
        arb_srcptr b = ins.b >= 0 ? s.slot(ins.b) : nullptr;
        if (!s.step(ins, o, a, b, n) || !_arb_vec_is_finite(o, n)) return false;
      }
    }
  }
  out.resize(static_cast<std::size_t>(n));
  arb_srcptr r = s.slot(s.impl->result);
  for (slong k = 0; k < n; ++k) arb_set(out[static_cast<std::size_t>(k)].arb(), r + k);
  return true;
}

}  // namespace mgdl::expr
