#include "series.hpp"

#include <utility>

namespace mgdl::check {

SeriesEvaluator::SeriesEvaluator(const Target& target, mpfr_prec_t prec)
    : target_(&target), prec_(prec), sin_cos_(prec), t0_(prec), t1_(prec) {
  constants_ = constant_enclosures(target, prec);
  nodes_.resize(target.nodes.size());
}

void SeriesEvaluator::resize(int order) {
  if (order <= allocated_) return;
  const auto n = static_cast<std::size_t>(order + 1);
  for (auto& s : nodes_) s.resize(n, I(prec_));
  for (Series* s : {&s1_, &s2_, &s3_, &s4_}) s->resize(n, I(prec_));
  allocated_ = order;
}

void SeriesEvaluator::constant(Series& out, const I& value, int order) {
  mpfi_set(out[0].get(), value.get());
  for (int k = 1; k <= order; ++k) mpfi_set_ui(out[static_cast<std::size_t>(k)].get(), 0);
}

void SeriesEvaluator::mul(Series& out, const Series& a, const Series& b, int order) {
  for (int k = 0; k <= order; ++k) {
    I& c = out[static_cast<std::size_t>(k)];
    mpfi_mul(c.get(), a[0].get(), b[static_cast<std::size_t>(k)].get());
    for (int j = 1; j <= k; ++j) {
      mpfi_mul(t0_.get(), a[static_cast<std::size_t>(j)].get(), b[static_cast<std::size_t>(k - j)].get());
      mpfi_add(c.get(), c.get(), t0_.get());
    }
  }
}

// c·b = a: c_k = (a_k − Σ_{j=1..k} b_j c_{k−j}) / b_0.
bool SeriesEvaluator::div(Series& out, const Series& a, const Series& b, int order) {
  if (!finite(b[0]) || mpfi_has_zero(b[0].get())) return false;
  for (int k = 0; k <= order; ++k) {
    I& c = out[static_cast<std::size_t>(k)];
    mpfi_set(t1_.get(), a[static_cast<std::size_t>(k)].get());
    for (int j = 1; j <= k; ++j) {
      mpfi_mul(t0_.get(), b[static_cast<std::size_t>(j)].get(), out[static_cast<std::size_t>(k - j)].get());
      mpfi_sub(t1_.get(), t1_.get(), t0_.get());
    }
    mpfi_div(c.get(), t1_.get(), b[0].get());
  }
  return true;
}

void SeriesEvaluator::derivative_sum(I& out, const Series& a, const Series& b, int k, int j_max) {
  mpfi_set_ui(out.get(), 0);
  for (int j = 1; j <= j_max; ++j) {
    mpfi_mul(t0_.get(), a[static_cast<std::size_t>(j)].get(), b[static_cast<std::size_t>(k - j)].get());
    mpfi_mul_ui(t0_.get(), t0_.get(), static_cast<unsigned long>(j));
    mpfi_add(out.get(), out.get(), t0_.get());
  }
  mpfi_div_ui(out.get(), out.get(), static_cast<unsigned long>(k));
}

// e_k = (1/k) Σ_{j=1..k} j a_j e_{k−j}.
bool SeriesEvaluator::exp(Series& out, const Series& a, int order) {
  mpfi_exp(out[0].get(), a[0].get());
  if (!finite(out[0])) return false;
  for (int k = 1; k <= order; ++k) derivative_sum(out[static_cast<std::size_t>(k)], a, out, k, k);
  return true;
}

// l_k = (a_k − (1/k) Σ_{j=1..k−1} j l_j a_{k−j}) / a_0, a_0 > 0.
bool SeriesEvaluator::log(Series& out, const Series& a, int order) {
  if (!strictly_pos(a[0])) return false;
  mpfi_log(out[0].get(), a[0].get());
  for (int k = 1; k <= order; ++k) {
    derivative_sum(t1_, out, a, k, k - 1);
    mpfi_sub(t1_.get(), a[static_cast<std::size_t>(k)].get(), t1_.get());
    mpfi_div(out[static_cast<std::size_t>(k)].get(), t1_.get(), a[0].get());
  }
  return true;
}

// k s_k = Σ j a_j c_{k−j}, k c_k = ∓Σ j a_j s_{k−j} (− for sin/cos, + for sinh/cosh).
void SeriesEvaluator::sin_cos(Series& s, Series& c, const Series& a, int order, bool hyperbolic) {
  if (hyperbolic) {
    mpfi_sinh(s[0].get(), a[0].get());
    mpfi_cosh(c[0].get(), a[0].get());
  } else {
    sin_cos_(s[0], c[0], a[0]);
  }
  for (int k = 1; k <= order; ++k) {
    I& sk = s[static_cast<std::size_t>(k)];
    I& ck = c[static_cast<std::size_t>(k)];
    mpfi_set_ui(sk.get(), 0);
    mpfi_set_ui(ck.get(), 0);
    for (int j = 1; j <= k; ++j) {
      const I& aj = a[static_cast<std::size_t>(j)];
      mpfi_mul_ui(t1_.get(), aj.get(), static_cast<unsigned long>(j));
      mpfi_mul(t0_.get(), t1_.get(), c[static_cast<std::size_t>(k - j)].get());
      mpfi_add(sk.get(), sk.get(), t0_.get());
      mpfi_mul(t0_.get(), t1_.get(), s[static_cast<std::size_t>(k - j)].get());
      mpfi_add(ck.get(), ck.get(), t0_.get());
    }
    mpfi_div_ui(sk.get(), sk.get(), static_cast<unsigned long>(k));
    mpfi_div_ui(ck.get(), ck.get(), static_cast<unsigned long>(k));
    if (!hyperbolic) mpfi_neg(ck.get(), ck.get());
  }
}

// t' = u a' with u = 1 ± t²: k t_k = Σ_{j=1..k} j a_j u_{k−j}, u built alongside.
bool SeriesEvaluator::tan(Series& out, const Series& a, int order, bool hyperbolic) {
  Series& u = s1_;
  if (hyperbolic)
    mpfi_tanh(out[0].get(), a[0].get());
  else
    mpfi_tan(out[0].get(), a[0].get());
  if (!finite(out[0])) return false;
  auto u_at = [&](int m) {  // u_m from t_0..t_m
    I& um = u[static_cast<std::size_t>(m)];
    if (m == 0)
      mpfi_sqr(um.get(), out[0].get());
    else
      mpfi_set_ui(um.get(), 0);
    if (m > 0)
      for (int i = 0; i <= m; ++i) {
        mpfi_mul(t0_.get(), out[static_cast<std::size_t>(i)].get(),
                 out[static_cast<std::size_t>(m - i)].get());
        mpfi_add(um.get(), um.get(), t0_.get());
      }
    if (hyperbolic) mpfi_neg(um.get(), um.get());
    if (m == 0) mpfi_add_ui(um.get(), um.get(), 1);
  };
  u_at(0);
  for (int k = 1; k <= order; ++k) {
    derivative_sum(out[static_cast<std::size_t>(k)], a, u, k, k);
    u_at(k);
  }
  return true;
}

// y' = a'/(1 + a²): y_k = e_{k−1}/k with e = a'/(1 + a²).
bool SeriesEvaluator::atan(Series& out, const Series& a, int order) {
  mpfi_atan(out[0].get(), a[0].get());
  if (!finite(out[0])) return false;
  if (order == 0) return true;
  Series& q = s1_;
  Series& da = s2_;
  Series& e = s3_;
  mul(q, a, a, order - 1);
  mpfi_sqr(q[0].get(), a[0].get());  // tighter than a_0·a_0
  mpfi_add_ui(q[0].get(), q[0].get(), 1);
  for (int m = 0; m < order; ++m)
    mpfi_mul_ui(da[static_cast<std::size_t>(m)].get(), a[static_cast<std::size_t>(m + 1)].get(),
                static_cast<unsigned long>(m + 1));
  if (!div(e, da, q, order - 1)) return false;
  for (int k = 1; k <= order; ++k)
    mpfi_div_ui(out[static_cast<std::size_t>(k)].get(), e[static_cast<std::size_t>(k - 1)].get(),
                static_cast<unsigned long>(k));
  return true;
}

// s² = a: s_k = (a_k − Σ_{j=1..k−1} s_j s_{k−j}) / (2 s_0), a_0 > 0.
bool SeriesEvaluator::sqrt(Series& out, const Series& a, int order) {
  if (!strictly_pos(a[0])) return false;
  mpfi_sqrt(out[0].get(), a[0].get());
  for (int k = 1; k <= order; ++k) {
    mpfi_set(t1_.get(), a[static_cast<std::size_t>(k)].get());
    for (int j = 1; j < k; ++j) {
      mpfi_mul(t0_.get(), out[static_cast<std::size_t>(j)].get(), out[static_cast<std::size_t>(k - j)].get());
      mpfi_sub(t1_.get(), t1_.get(), t0_.get());
    }
    mpfi_div(t1_.get(), t1_.get(), out[0].get());
    mpfi_div_2ui(out[static_cast<std::size_t>(k)].get(), t1_.get(), 1);
  }
  return true;
}

bool SeriesEvaluator::ipow(Series& out, const Series& a, long n, int order) {
  resize(order);
  if (n == 0) {
    mpfi_set_ui(t1_.get(), 1);
    constant(out, t1_, order);
    return true;
  }
  if (n < 0) {
    // The power recurrence (no division by a power series, whose recurrence would
    // amplify widths geometrically); a^n = (−1)^n (−a)^n when a < 0.
    if (strictly_pos(a[0])) return pow_rational(out, a, Q(n), order);
    if (!strictly_neg(a[0])) return false;
    for (int k = 0; k <= order; ++k)
      mpfi_neg(s3_[static_cast<std::size_t>(k)].get(), a[static_cast<std::size_t>(k)].get());
    if (!pow_rational(out, s3_, Q(n), order)) return false;
    if (n % 2 != 0)
      for (int k = 0; k <= order; ++k)
        mpfi_neg(out[static_cast<std::size_t>(k)].get(), out[static_cast<std::size_t>(k)].get());
    return true;
  }
  Series& base = s1_;
  Series& tmp = s2_;
  for (int k = 0; k <= order; ++k)
    mpfi_set(base[static_cast<std::size_t>(k)].get(), a[static_cast<std::size_t>(k)].get());
  bool have = false;
  for (unsigned long e = static_cast<unsigned long>(n);;) {
    if (e & 1UL) {
      if (!have) {
        for (int k = 0; k <= order; ++k)
          mpfi_set(out[static_cast<std::size_t>(k)].get(), base[static_cast<std::size_t>(k)].get());
        have = true;
      } else {
        mul(tmp, out, base, order);  // copied, not swapped: `out` may be a caller's shorter vector
        for (int k = 0; k <= order; ++k)
          mpfi_set(out[static_cast<std::size_t>(k)].get(), tmp[static_cast<std::size_t>(k)].get());
      }
    }
    e >>= 1;
    if (e == 0) break;
    mul(tmp, base, base, order);
    mpfi_sqr(tmp[0].get(), base[0].get());
    std::swap(tmp, base);
  }
  return true;
}

// a y' = α a' y: k a_0 y_k = Σ_{j=1..k} ((α+1) j − k) a_j y_{k−j}.
bool SeriesEvaluator::pow_rational(Series& out, const Series& a, const Q& alpha, int order) {
  if (!strictly_pos(a[0])) return false;
  mpfi_log(out[0].get(), a[0].get());
  mpfi_mul_q(out[0].get(), out[0].get(), alpha.get());
  mpfi_exp(out[0].get(), out[0].get());
  if (!finite(out[0])) return false;
  mpq_set_ui(q1_.get(), 1, 1);
  mpq_add(q1_.get(), q1_.get(), alpha.get());  // α + 1
  for (int k = 1; k <= order; ++k) {
    mpfi_set_ui(t1_.get(), 0);
    for (int j = 1; j <= k; ++j) {
      mpq_set_si(q0_.get(), j, 1);
      mpq_mul(q0_.get(), q0_.get(), q1_.get());
      mpz_submul_ui(mpq_numref(q0_.get()), mpq_denref(q0_.get()), static_cast<unsigned long>(k));  // − k
      if (mpq_sgn(q0_.get()) == 0) continue;
      mpfi_mul(t0_.get(), a[static_cast<std::size_t>(j)].get(), out[static_cast<std::size_t>(k - j)].get());
      mpfi_mul_q(t0_.get(), t0_.get(), q0_.get());
      mpfi_add(t1_.get(), t1_.get(), t0_.get());
    }
    mpfi_div(t1_.get(), t1_.get(), a[0].get());
    mpfi_div_ui(out[static_cast<std::size_t>(k)].get(), t1_.get(), static_cast<unsigned long>(k));
  }
  return true;
}

bool SeriesEvaluator::evaluate(const std::vector<I>& box, int axis, int order) {
  return evaluate_along(box, axis, nullptr, order);
}

bool SeriesEvaluator::evaluate(const std::vector<I>& box, const std::vector<I>& direction, int order) {
  if (direction.size() != box.size()) return false;
  return evaluate_along(box, -1, &direction, order);
}

bool SeriesEvaluator::evaluate_along(const std::vector<I>& box, int axis, const std::vector<I>* direction,
                                     int order) {
  if (order < 0 || order > max_order) return false;
  resize(order);
  const auto& nodes = target_->nodes;
  for (std::size_t idx = 0; idx < nodes.size(); ++idx) {
    const TNode& node = nodes[idx];
    Series& out = nodes_[idx];
    const Series* a = node.a >= 0 ? &nodes_[static_cast<std::size_t>(node.a)] : nullptr;
    const Series* b = node.b >= 0 ? &nodes_[static_cast<std::size_t>(node.b)] : nullptr;
    // Every argument's coefficient 0 must be a finite enclosure.
    if ((a != nullptr && !finite((*a)[0])) || (b != nullptr && !finite((*b)[0]))) return false;
    bool ok = true;
    switch (node.op) {
      case TOp::constant:
      case TOp::pi:
      case TOp::e:
        constant(out, constants_[idx], order);
        break;
      case TOp::variable: {
        // x_v = lo_v + (hi_v − lo_v) t_v.
        const auto v = static_cast<std::size_t>(node.variable);
        mpq_sub(q0_.get(), target_->hi[v].get(), target_->lo[v].get());
        mpfi_mul_q(t0_.get(), box[v].get(), q0_.get());
        mpfi_add_q(t0_.get(), t0_.get(), target_->lo[v].get());
        constant(out, t0_, order);
        // d/ds x_v(t + s·e) = (hi_v − lo_v)·e_v, e = e_axis or the direction.
        if (order >= 1 && direction != nullptr)
          mpfi_mul_q(out[1].get(), (*direction)[v].get(), q0_.get());
        else if (order >= 1 && static_cast<int>(v) == axis)
          mpfi_set_q(out[1].get(), q0_.get());
        break;
      }
      case TOp::add:
      case TOp::sub:
        for (int k = 0; k <= order; ++k) {
          const auto kk = static_cast<std::size_t>(k);
          if (node.op == TOp::add)
            mpfi_add(out[kk].get(), (*a)[kk].get(), (*b)[kk].get());
          else
            mpfi_sub(out[kk].get(), (*a)[kk].get(), (*b)[kk].get());
        }
        break;
      case TOp::neg:
        for (int k = 0; k <= order; ++k) {
          const auto kk = static_cast<std::size_t>(k);
          mpfi_neg(out[kk].get(), (*a)[kk].get());
        }
        break;
      case TOp::mul:
        mul(out, *a, *b, order);
        if (a == b) mpfi_sqr(out[0].get(), (*a)[0].get());
        break;
      case TOp::div:
        ok = div(out, *a, *b, order);
        break;
      case TOp::ipow:
        ok = ipow(out, *a, node.n, order);
        break;
      case TOp::pow:
        if (nodes[static_cast<std::size_t>(node.b)].op == TOp::constant) {
          ok = pow_rational(out, *a, nodes[static_cast<std::size_t>(node.b)].value, order);
        } else {
          // a^b = exp(b log a), a > 0.
          ok = log(s4_, *a, order);
          if (ok) {
            mul(s3_, *b, s4_, order);
            ok = exp(out, s3_, order);
          }
        }
        break;
      case TOp::exp:
        ok = exp(out, *a, order);
        break;
      case TOp::log:
        ok = log(out, *a, order);
        break;
      case TOp::sqrt:
        ok = sqrt(out, *a, order);
        break;
      case TOp::sin:
        sin_cos(out, s4_, *a, order, false);
        break;
      case TOp::cos:
        sin_cos(s4_, out, *a, order, false);
        break;
      case TOp::sinh:
        sin_cos(out, s4_, *a, order, true);
        break;
      case TOp::cosh:
        sin_cos(s4_, out, *a, order, true);
        break;
      case TOp::tan:
        ok = tan(out, *a, order, false);
        break;
      case TOp::tanh:
        ok = tan(out, *a, order, true);
        break;
      case TOp::atan:
        ok = atan(out, *a, order);
        break;
      case TOp::abs:
      case TOp::relu: {
        // Certain sign over the box: the identity, −identity or 0 near it.
        const int sign = strictly_pos((*a)[0]) ? 1 : strictly_neg((*a)[0]) ? -1 : 0;
        if (sign == 0) return false;
        for (int k = 0; k <= order; ++k) {
          const auto kk = static_cast<std::size_t>(k);
          if (sign > 0)
            mpfi_set(out[kk].get(), (*a)[kk].get());
          else if (node.op == TOp::abs)
            mpfi_neg(out[kk].get(), (*a)[kk].get());
          else
            mpfi_set_ui(out[kk].get(), 0);
        }
        break;
      }
      case TOp::min:
      case TOp::max: {
        // Certain order over the box: one argument near it.
        const Series* pick = nullptr;
        const bool a_below = mpfr_cmp((*a)[0].right(), (*b)[0].left()) < 0;
        const bool b_below = mpfr_cmp((*b)[0].right(), (*a)[0].left()) < 0;
        if (a_below)
          pick = node.op == TOp::min ? a : b;
        else if (b_below)
          pick = node.op == TOp::min ? b : a;
        if (pick == nullptr) return false;
        for (int k = 0; k <= order; ++k)
          mpfi_set(out[static_cast<std::size_t>(k)].get(), (*pick)[static_cast<std::size_t>(k)].get());
        break;
      }
    }
    if (!ok || !finite(out[0])) return false;
  }
  return true;
}

}  // namespace mgdl::check
