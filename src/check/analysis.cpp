#include "analysis.hpp"

namespace mgdl::check {

void pow_nonneg(I& out, const I& x, const Q& p) {
  if (!finite(x) || mpfr_sgn(x.left()) < 0) {
    set_entire(out);
    return;
  }
  if (p.is_integer() && mpz_fits_slong_p(mpq_numref(p.get()))) {
    interval_ipow(out, x, mpz_get_si(mpq_numref(p.get())));
    return;
  }
  I pi(out.prec());
  mpfi_set_q(pi.get(), p.get());
  if (mpfr_sgn(x.left()) > 0) {
    mpfi_log(out.get(), x.get());
    mpfi_mul(out.get(), out.get(), pi.get());
    mpfi_exp(out.get(), out.get());
    return;
  }
  // x = [0, h]: x^p ∈ [0, h^p].
  if (mpfr_sgn(x.right()) == 0) {
    mpfi_set_ui(out.get(), 0);
    return;
  }
  I h(out.prec());
  mpfi_set_fr(h.get(), x.right());
  mpfi_log(h.get(), h.get());
  mpfi_mul(h.get(), h.get(), pi.get());
  mpfi_exp(h.get(), h.get());
  mpfr_set_ui(out.left(), 0, MPFR_RNDD);
  mpfr_set(out.right(), h.right(), MPFR_RNDU);
}

namespace {

// out >= max_{t ∈ [0, r]} (β t + ½ η t²), rounded up (proofs/certification.md,
// C2.6): convex (η >= 0): the larger end value, at least 0; concave: 0 when
// β <= 0, else min(β r, β²/(2|η|)). β, η exact; r an exact point interval.
void parabola_max_up(mpfr_ptr out, mpfr_srcptr beta, mpfr_srcptr eta, const I& r) {
  const mpfr_prec_t prec = r.prec();
  I b(prec), e(prec), v(prec), w(prec);
  mpfi_set_fr(b.get(), beta);
  mpfi_set_fr(e.get(), eta);
  if (mpfr_sgn(eta) >= 0) {
    mpfi_mul(v.get(), e.get(), r.get());
    mpfi_div_2exp(v.get(), v.get(), 1);
    mpfi_add(v.get(), v.get(), b.get());
    mpfi_mul(v.get(), v.get(), r.get());  // (β + ½ η r) r
    mpfr_set(out, v.right(), MPFR_RNDU);
    if (mpfr_sgn(out) < 0) mpfr_set_ui(out, 0, MPFR_RNDU);
    return;
  }
  if (mpfr_sgn(beta) <= 0) {
    mpfr_set_ui(out, 0, MPFR_RNDU);
    return;
  }
  mpfi_mul(v.get(), b.get(), r.get());
  mpfi_sqr(w.get(), b.get());
  mpfi_div(w.get(), w.get(), e.get());
  mpfi_div_2exp(w.get(), w.get(), 1);
  mpfi_neg(w.get(), w.get());  // β²/(2|η|)
  mpfr_min(out, v.right(), w.right(), MPFR_RNDU);
}

}  // namespace

ResidualAnalyzer::ResidualAnalyzer(const Target& target, mpfr_prec_t prec)
    : prec_(prec),
      d_(target.dimension),
      jets_(target, prec),
      range_(prec),
      value_c_(prec),
      t0_(prec),
      t1_(prec),
      t2_(prec),
      taylor_(prec),
      both_(prec),
      l_vol_(prec + 64),
      l_coarse_(prec + 64),
      l_a_(prec),
      l_mig_(prec),
      l_u_(prec),
      l_uc_(prec),
      l_f1_(prec),
      l_f2_(prec),
      l_gc_(prec),
      l_tmp_(prec),
      l_gg_(prec),
      l_acc_(prec + 64),
      l_both_(prec + 64) {
  const auto d = static_cast<std::size_t>(d_);
  t_box_.assign(d, I(prec));
  t_center_.assign(d, I(prec));
  grad_box_.assign(d, I(prec));
  const std::size_t n = static_cast<std::size_t>(1 + d_ + d_ * (d_ + 1) / 2);
  box_jet_.c.assign(n, I(prec));
  center_jet_.c.assign(n, I(prec));
  center_.resize(d);
  radius_.resize(d);
}

// proofs/certification.md, C2: for x ∈ B with center m and radius r,
//   R(x) ∈ [f(m) − h(m)] + Σ_i [∂_i f(m) − G_i]·[−r_i, r_i]
//          + ½ Σ_i H_ii(B)·[0, r_i²] + Σ_{i<j} H_ij(B)·[−r_i r_j, r_i r_j],
// with G the gradient hull of h over B (Lebourg), valid when f is C² on B;
// intersected with the direct range f(B) − h(B).
void ResidualAnalyzer::analyse(const Box& box, const std::vector<const CutoffData*>& cutoffs) {
  listed_.varying = cutoffs;
  mpq_set_ui(listed_.constant.get(), 0, 1);
  analyse(box, listed_);
}

void ResidualAnalyzer::analyse(const Box& box, const CutoffsOnBox& cutoffs) {
  prepare(box);
  corr_.reset(d_);
  add_enclosure(cutoffs, box, center_, corr_);
  for (const HatGrid* h : hats_) add_hat_enclosure(*h, box, center_, corr_);
  if (dense_pieces_ != nullptr && in_unit_interval(box))
    add_pieces_enclosure(*dense_pieces_, box, center_, corr_);  // N9(c)
  else if (dense_ != nullptr)
    add_dense_enclosure(*dense_, dense_first_, dense_last_, box, center_, prec_, corr_);
  finish();
}

void ResidualAnalyzer::analyse_affine(const Box& box, const std::vector<Q>& h) {
  prepare(box);
  corr_.reset(d_);
  // ℓ = h[0] + Σ h[1+i] x_i: exact at the centre, exact gradient, exact range (corners).
  corr_.value = h[0];
  corr_.lo = h[0];
  corr_.hi = h[0];
  for (std::size_t i = 0; i < static_cast<std::size_t>(d_); ++i) {
    const Q& g = h[1 + i];
    corr_.value = corr_.value + g * center_[i];
    const Q a = g * box.lo[i], b = g * box.hi[i];
    corr_.lo = corr_.lo + qmin(a, b);
    corr_.hi = corr_.hi + qmax(a, b);
    corr_.glo[i] = g;
    corr_.ghi[i] = g;
  }
  corr_.affine = true;
  finish();
}

void ResidualAnalyzer::prepare(const Box& box) {
  const auto d = static_cast<std::size_t>(d_);
  mpq_set_ui(volume_.get(), 1, 1);
  for (std::size_t i = 0; i < d; ++i) {
    mpq_sub(radius_[i].get(), box.hi[i].get(), box.lo[i].get());
    mpq_mul(volume_.get(), volume_.get(), radius_[i].get());
    mpq_div_2exp(radius_[i].get(), radius_[i].get(), 1);
    mpq_add(center_[i].get(), box.lo[i].get(), radius_[i].get());
    set_interval(t_box_[i], box.lo[i], box.hi[i]);
    set_interval(t_center_[i], center_[i]);
  }
  const Jet& jb = jets_.evaluate(t_box_, 2);
  box_jet_.defined = jb.defined;
  box_jet_.smooth = jb.smooth;
  for (std::size_t k = 0; k < jb.c.size(); ++k) mpfi_set(box_jet_.c[k].get(), jb.c[k].get());
  const Jet& jc = jets_.evaluate(t_center_, 1);
  center_jet_.defined = jc.defined;
  center_jet_.smooth = jc.smooth;
  for (std::size_t k = 0; k <= d; ++k) mpfi_set(center_jet_.c[k].get(), jc.c[k].get());
}

void ResidualAnalyzer::finish() {
  const auto d = static_cast<std::size_t>(d_);
  // Direct range.
  set_interval(t0_, corr_.lo, corr_.hi);
  mpfi_sub(range_.get(), box_jet_.c[0].get(), t0_.get());
  if (!box_jet_.defined) set_entire(range_);

  if (corr_.value_radius.sign() == 0)
    set_interval(t0_, corr_.value);
  else  // h(m) known to an interval only (smooth networks, proofs/networks.md N10)
    set_interval(t0_, corr_.value - corr_.value_radius, corr_.value + corr_.value_radius);
  mpfi_sub(value_c_.get(), center_jet_.c[0].get(), t0_.get());
  smooth_ = box_jet_.defined && box_jet_.smooth && center_jet_.defined && center_jet_.smooth;
  if (!smooth_) return;
  I& taylor = taylor_;
  mpfi_set(taylor.get(), value_c_.get());
  for (std::size_t i = 0; i < d; ++i) {
    // ∂_i f(m) − G_i, times [−r_i, r_i].
    set_interval(t0_, corr_.glo[i], corr_.ghi[i]);
    mpfi_sub(t1_.get(), center_jet_.c[1 + i].get(), t0_.get());
    mpq_neg(q0_.get(), radius_[i].get());
    set_interval(t2_, q0_, radius_[i]);
    mpfi_mul(t1_.get(), t1_.get(), t2_.get());
    mpfi_add(taylor.get(), taylor.get(), t1_.get());
    // ∇R over the box (for C3): ∂_i f(B) − G_i.
    mpfi_sub(grad_box_[i].get(), box_jet_.c[1 + i].get(), t0_.get());
  }
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = i; j < d; ++j) {
      const I& h =
          box_jet_.c[static_cast<std::size_t>(jets_.hessian_index(static_cast<int>(i), static_cast<int>(j)))];
      if (i == j) {
        // ½ H_ii (x_i − m_i)², (x_i − m_i)² ∈ [0, r_i²]
        mpq_mul(q1_.get(), radius_[i].get(), radius_[i].get());
        mpq_div_2exp(q1_.get(), q1_.get(), 1);
        mpq_set_ui(q0_.get(), 0, 1);
        set_interval(t2_, q0_, q1_);
      } else {
        // ½ (H_ij + H_ji) (x_i − m_i)(x_j − m_j)
        mpq_mul(q1_.get(), radius_[i].get(), radius_[j].get());
        mpq_neg(q0_.get(), q1_.get());
        set_interval(t2_, q0_, q1_);
      }
      mpfi_mul(t1_.get(), h.get(), t2_.get());
      mpfi_add(taylor.get(), taylor.get(), t1_.get());
    }
  if (d == 1 && finite(taylor)) one_dimensional_form(taylor);
  if (finite(taylor)) {
    if (finite(range_)) {
      I& both = both_;
      mpfi_intersect(both.get(), range_.get(), taylor.get());
      if (finite(both) && mpfr_cmp(both.left(), both.right()) <= 0) mpfi_set(range_.get(), both.get());
    } else {
      mpfi_set(range_.get(), taylor.get());
    }
  }
}

// proofs/certification.md, C2.6 (d = 1): with R(m + t) = a + b t + ½ H t²,
// a ∈ value_c, b ∈ ∂f(m) − G, H ∈ f''(B), each side t >= 0 and t = −s <= 0
// is bounded by its own parabola; intersected into `taylor`.
void ResidualAnalyzer::one_dimensional_form(I& taylor) {
  I& b = t1_;
  set_interval(t0_, corr_.glo[0], corr_.ghi[0]);
  mpfi_sub(b.get(), center_jet_.c[1].get(), t0_.get());
  const I& h = box_jet_.c[static_cast<std::size_t>(jets_.hessian_index(0, 0))];
  if (!finite(b) || !finite(h) || !finite(value_c_)) return;
  set_interval(t2_, radius_[0]);
  const mpfr_prec_t prec = taylor.prec();
  mpfr_t neg_b_lo, neg_h_lo, m1, m2, up, low;
  for (mpfr_ptr x : {neg_b_lo, neg_h_lo, m1, m2, up, low}) mpfr_init2(x, prec);
  mpfr_neg(neg_b_lo, b.left(), MPFR_RNDN);  // exact: negation
  mpfr_neg(neg_h_lo, h.left(), MPFR_RNDN);
  parabola_max_up(m1, b.right(), h.right(), t2_);  // upper side, t >= 0
  parabola_max_up(m2, neg_b_lo, h.right(), t2_);   // upper side, t <= 0
  mpfr_max(m1, m1, m2, MPFR_RNDU);
  mpfr_add(up, value_c_.right(), m1, MPFR_RNDU);
  parabola_max_up(m1, neg_b_lo, neg_h_lo, t2_);   // −R, t >= 0
  parabola_max_up(m2, b.right(), neg_h_lo, t2_);  // −R, t <= 0
  mpfr_max(m1, m1, m2, MPFR_RNDU);
  mpfr_sub(low, value_c_.left(), m1, MPFR_RNDD);
  if (mpfr_cmp(low, up) <= 0) {
    mpfi_interv_fr(t0_.get(), low, up);
    mpfi_intersect(both_.get(), taylor.get(), t0_.get());
    if (finite(both_) && mpfr_cmp(both_.left(), both_.right()) <= 0) mpfi_set(taylor.get(), both_.get());
  }
  for (mpfr_ptr x : {neg_b_lo, neg_h_lo, m1, m2, up, low}) mpfr_clear(x);
}

bool ResidualAnalyzer::lp_smooth(const Q& p) const {
  if (!smooth_ || !corr_.affine || !finite(range_)) return false;
  const bool even = p.is_integer() && mpz_even_p(mpq_numref(p.get()));
  return even || strictly_pos(range_) || strictly_neg(range_);
}

// proofs/certification.md, C3: with g = |R|^p ∈ C² on B (R of constant sign,
// or p even), ∫_B g ∈ vol·g(m) + vol·½[Σ_i H_ii(B) w_i²/12
//   + Σ_{i≠j} |H_ij|(B) w_i w_j/16 · [−1, 1]]; always ⊆ vol·[min|R|^p, max|R|^p].
void ResidualAnalyzer::crude_integral(const Q& p, I& out) {
  I& a = l_a_;
  mpfr_ptr mig = l_mig_.left();
  mpfr_ptr mag = l_mig_.right();
  if (finite(range_)) {
    mpfi_mig(mig, range_.get());
    mpfi_mag(mag, range_.get());
    mpfi_interv_fr(a.get(), mig, mag);
    pow_nonneg(out, a, p);
  } else {
    set_entire(out);
  }
  set_interval(l_vol_, volume_);
  mpfi_mul(out.get(), out.get(), l_vol_.get());
}

void ResidualAnalyzer::lp_integral(const Q& p, I& out) {
  const auto d = static_cast<std::size_t>(d_);
  I& vol = l_vol_;
  // Range fallback.
  I& coarse = l_coarse_;
  crude_integral(p, coarse);
  if (!lp_smooth(p)) {
    mpfi_set(out.get(), coarse.get());
    return;
  }
  const bool even = p.is_integer() && mpz_even_p(mpq_numref(p.get()));
  const int sign = even ? 1 : (strictly_pos(range_) ? 1 : -1);
  // u = sign·R; φ(u) = u^p; φ' = p u^{p−1}; φ'' = p(p−1) u^{p−2}; g = φ(u).
  I& u = l_u_;
  I& uc = l_uc_;
  I& f1 = l_f1_;
  I& f2 = l_f2_;
  I& gc = l_gc_;
  I& tmp = l_tmp_;
  if (sign > 0) {
    mpfi_set(u.get(), range_.get());
    mpfi_set(uc.get(), value_c_.get());
  } else {
    mpfi_neg(u.get(), range_.get());
    mpfi_neg(uc.get(), value_c_.get());
  }
  Q pm1 = p - Q(1), pm2 = p - Q(2);
  if (even) {
    long n = mpz_get_si(mpq_numref(p.get()));
    interval_ipow(gc, uc, n);
    interval_ipow(f1, u, n - 1);
    mpfi_mul_si(f1.get(), f1.get(), n);
    if (n == 2)
      mpfi_set_ui(f2.get(), 2);
    else {
      interval_ipow(f2, u, n - 2);
      mpfi_mul_si(f2.get(), f2.get(), n * (n - 1));
    }
  } else {
    // u > 0 on the box, so every power is smooth.
    if (strictly_pos(uc))
      pow_nonneg(gc, uc, p);
    else
      set_entire(gc);
    pow_nonneg(f1, u, pm1);
    mpfi_mul_q(f1.get(), f1.get(), p.get());
    if (pm1.sign() == 0) {
      mpfi_set_ui(f2.get(), 0);
    } else if (pm2.sign() >= 0) {
      pow_nonneg(f2, u, pm2);
      Q k = p * pm1;
      mpfi_mul_q(f2.get(), f2.get(), k.get());
    } else {
      // u^{p−2} = u^{p−1} / u with u > 0.
      pow_nonneg(f2, u, pm1);
      mpfi_div(f2.get(), f2.get(), u.get());
      Q k = p * pm1;
      mpfi_mul_q(f2.get(), f2.get(), k.get());
    }
  }
  // Hessian of g over the box: φ'(u)·(sign·H_R) + φ''(u)·∇u ∇uᵀ, ∇u = sign·∇R.
  I& acc = l_acc_;
  mpfi_set_ui(acc.get(), 0);
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = i; j < d; ++j) {
      const I& h =
          box_jet_.c[static_cast<std::size_t>(jets_.hessian_index(static_cast<int>(i), static_cast<int>(j)))];
      mpfi_mul(tmp.get(), f1.get(), h.get());
      if (sign < 0) mpfi_neg(tmp.get(), tmp.get());
      I& gg = l_gg_;
      mpfi_mul(gg.get(), grad_box_[i].get(), grad_box_[j].get());
      mpfi_mul(gg.get(), gg.get(), f2.get());
      mpfi_add(tmp.get(), tmp.get(), gg.get());
      // w_i = 2 r_i.
      if (i == j) {
        // w_i²/12 = r_i²/3
        mpq_mul(q0_.get(), radius_[i].get(), radius_[i].get());
        mpq_set_ui(q1_.get(), 1, 3);
        mpq_mul(q0_.get(), q0_.get(), q1_.get());
        mpfi_mul_q(tmp.get(), tmp.get(), q0_.get());
      } else {
        // both (i,j) and (j,i): 2·ρ_ij w_i w_j / 16 · [−1, 1], with ρ_ij the
        // half-width of H_ij(B): the part of H_ij at the (exact) midpoint of its
        // interval integrates to zero by symmetry (certification.md, C3 refinement).
        mpfr_ptr rad = l_mig_.left();
        mpfr_sub(rad, tmp.right(), tmp.left(), MPFR_RNDU);
        mpfr_div_2ui(rad, rad, 1, MPFR_RNDU);
        mpfr_neg(tmp.left(), rad, MPFR_RNDD);
        mpfr_set(tmp.right(), rad, MPFR_RNDU);
        // w_i w_j 2/16 = r_i r_j / 2
        mpq_mul(q0_.get(), radius_[i].get(), radius_[j].get());
        mpq_div_2exp(q0_.get(), q0_.get(), 1);
        mpfi_mul_q(tmp.get(), tmp.get(), q0_.get());
      }
      mpfi_add(acc.get(), acc.get(), tmp.get());
    }
  mpfi_div_2ui(acc.get(), acc.get(), 1);
  mpfi_add(acc.get(), acc.get(), gc.get());
  mpfi_mul(acc.get(), acc.get(), vol.get());
  if (finite(acc)) {
    I& both = l_both_;
    mpfi_intersect(both.get(), acc.get(), coarse.get());
    if (finite(both) && mpfr_cmp(both.left(), both.right()) <= 0) {
      mpfi_set(out.get(), both.get());
      return;
    }
  }
  mpfi_set(out.get(), coarse.get());
}

}  // namespace mgdl::check
