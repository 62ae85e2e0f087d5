// ∫ |f − ℓ|^p over simplices: Duffy-collapsed tensor Gauss–Legendre with the
// remainders of Lemmas S7 (p = 2) and S8 (p = 1), proofs/simplices.md; nodes
// and weights from Arb (Lemma I2 (a), (d)); pieces refined by Lemma S2.
#include "mgdl/geom/simplex_lp.hpp"

#include <arb_hypgeom.h>
#include <arb_mat.h>

#include <stdexcept>

#include "curved_cut.hpp"
#include "piece_bounder.hpp"

namespace mgdl::geom {

using num::Ball;

// Lemma S7: every multi-index k gives the standard simplex's point t = φ(u^{(k)})
// and the weight Π_j ω_{k_j} · J(u^{(k)}), J = Π_j u_j^{d−j}.
std::vector<DuffyNode> duffy_nodes(int dimension, int nodes, slong prec) {
  if (dimension < 1 || nodes < 1) throw std::invalid_argument("duffy_nodes: need d >= 1 and n >= 1");
  const auto d = static_cast<std::size_t>(dimension), n = static_cast<std::size_t>(nodes);
  std::vector<Ball> u, w;
  detail::gauss_legendre01(n, prec, u, w);
  std::vector<DuffyNode> out;
  std::vector<std::size_t> idx(d, 0);
  Ball prod, tmp;
  for (;;) {
    DuffyNode nd;
    nd.t.resize(d);
    arb_one(nd.weight.arb());
    arb_one(prod.arb());  // u_1 ⋯ u_j
    for (std::size_t j = 0; j < d; ++j) {
      const Ball& uj = u[idx[j]];
      arb_mul(nd.weight.arb(), nd.weight.arb(), w[idx[j]].arb(), prec);
      for (std::size_t e = j + 1; e < d; ++e) arb_mul(nd.weight.arb(), nd.weight.arb(), uj.arb(), prec);
      // t_j = u_1 ⋯ u_j (1 − u_{j+1}) for j < d, t_d = u_1 ⋯ u_d (0-based below).
      arb_mul(prod.arb(), prod.arb(), uj.arb(), prec);
      if (j + 1 < d) {
        arb_sub_ui(tmp.arb(), u[idx[j + 1]].arb(), 1, prec);
        arb_neg(tmp.arb(), tmp.arb());
        arb_mul(nd.t[j].arb(), prod.arb(), tmp.arb(), prec);
      } else {
        arb_set(nd.t[j].arb(), prod.arb());
      }
    }
    out.push_back(std::move(nd));
    std::size_t i = 0;
    while (i < d && ++idx[i] == n) idx[i++] = 0;
    if (i == d) break;
  }
  return out;
}

namespace {

using detail::Arf;
using detail::Piece;
using num::Rational;

class Integrator {
 public:
  Integrator(LocalTarget& target, int nodes, slong prec, bool curved)
      : target_(target),
        bounder_(target, prec),
        d_(static_cast<std::size_t>(target.dimension())),
        prec_(prec),
        curved_(curved && target.dimension() == 2),
        curve_(2 * nodes - target.dimension(), prec) {
    if (nodes < 1 || nodes > 64) throw std::invalid_argument("integrate_lp: nodes must be 1..64");
    // Lemma S7: exact for degree 2n − d; p = 2 uses the Taylor degree m2 with
    // 2 m2 <= 2n − d, p = 1 the degree m1 = 2n − d.
    if (2 * nodes < static_cast<int>(d_) + 2)
      throw std::invalid_argument("integrate_lp: need 2 nodes >= d + 2");
    m1_ = 2 * nodes - static_cast<int>(d_);
    m2_ = m1_ / 2;
    nodes_ = duffy_nodes(static_cast<int>(d_), nodes, prec);
    arb_mat_init(e_, static_cast<slong>(d_), static_cast<slong>(d_));
    arb_mat_init(hk_, static_cast<slong>(d_), static_cast<slong>(d_));
    x_.resize(d_);
    delta_.resize(d_);
    fact_ = Ball::from_rational(Rational(1), prec);
    for (std::size_t k = 2; k <= d_; ++k) arb_mul_ui(fact_.arb(), fact_.arb(), static_cast<ulong>(k), prec);
  }
  ~Integrator() {
    arb_mat_clear(e_);
    arb_mat_clear(hk_);
  }
  Integrator(const Integrator&) = delete;
  Integrator& operator=(const Integrator&) = delete;

  long evaluations = 0;

  // [lo, hi] ∋ ∫_T |r|^p (exact endpoints in lo.mid, hi.mid); false when not finite.
  bool integrate(Piece& p, int power, Ball& lo, Ball& hi) {
    ++evaluations;
    const std::size_t d = d_, w = d + 1;
    Arf no_witness;
    arf_pos_inf(no_witness.x);
    std::vector<double> unused;
    bounder_.bound(p, no_witness.x, unused);  // Lemma S6.1: M = p.upper >= sup_T |r|
    if (!p.finite) return false;
    bounder_upper_ = p.upper;
    // |det E| and |T| = |det E| / d!.
    Ball det, vol;
    edge_matrix(p.data.data(), det);
    arb_div(vol.arb(), det.arb(), fact_.arb(), prec_);
    // p = 1 (Lemma S8): the sign or the curvature decides whether the rule is needed.
    int sign = 0, curvature = 0;
    if (power == 1) {
      Ball t;
      arb_set_arf(t.arb(), bounder_.min_q());
      arb_sub(t.arb(), t.arb(), bounder_.eps().arb(), prec_);
      if (arb_is_positive(t.arb())) sign = 1;  // r > 0 on T
      arb_set_arf(t.arb(), bounder_.max_q());
      arb_add(t.arb(), t.arb(), bounder_.eps().arb(), prec_);
      if (sign == 0 && arb_is_negative(t.arb())) sign = -1;  // r < 0 on T
      if (sign == 0) curvature = definite();
    }
    // The remainder's series before the band's plan: Lemma S8 (v)'s model
    // needs it too. Only (iii) outside 2D needs none. Lemma S8 (iv) costs two
    // quadratures: only where its band is much narrower than (iii)'s width (a
    // heuristic; both are valid).
    const bool band_case = power == 1 && sign == 0 && curvature == 0;
    series_ok_ = !(band_case && d != 2) && remainder_series(power);
    if (band_case && (d != 2 || !plan_band(p, vol))) {
      if (d != 2) affine_enclosure(p, vol, affine_);  // plan_band sets it in 2D
      return endpoints(affine_, vol, bounder_upper_, 1, lo, hi);
    }
    if (!series_ok_) return false;
    Ball eps;
    arb_get_abs_ubound_arf(tmp_.x, series_.back().arb(), prec_);
    arb_set_arf(eps.arb(), tmp_.x);
    // The rule: Q(g) = |det E| Σ W J g(v_0 + E t).
    Ball sum;
    node_sum(p.data.data(), power, sum);
    const Ball& m = p.upper;
    Ball enc, rem;
    if (power == 2) {
      // Lemma S7: |∫ r² − Q(r²)| <= 2 |T| ε (2M + ε).
      arb_mul(enc.arb(), sum.arb(), det.arb(), prec_);
      arb_mul_2exp_si(rem.arb(), m.arb(), 1);
      arb_add(rem.arb(), rem.arb(), eps.arb(), prec_);
      arb_mul(rem.arb(), rem.arb(), eps.arb(), prec_);
      arb_mul(rem.arb(), rem.arb(), vol.arb(), prec_);
      arb_mul_2exp_si(rem.arb(), rem.arb(), 1);
      arb_add_error(enc.arb(), rem.arb());
      return endpoints(enc, vol, m, 2, lo, hi);
    }
    // p = 1: ∫ r ∈ Q(r) ± 2|T| ε (Lemma S7 with p = 1), then the sign (Lemma S8).
    signed_integral(sum, det, vol, eps, enc);
    if (!arb_is_finite(enc.arb())) return false;
    if (sign == 0 && curvature == 0) return band(vol, enc, eps, lo, hi);
    if (sign != 0) {
      if (sign < 0) arb_neg(enc.arb(), enc.arb());
      return endpoints(enc, vol, m, 1, lo, hi);
    }
    {
      // Concave r (curvature −1): r >= −ν on T, ν = max_i (−r(v_i))⁺, and
      // |r| = r + 2 r⁻ ∈ [r, r + 2ν]. Convex: the same for −r.
      Ball nu, rv;
      for (std::size_t i = 0; i <= d; ++i) {
        target_.point(&p.data[i * w], rv);
        arb_sub(rv.arb(), rv.arb(), p.data[i * w + d].arb(), prec_);
        if (curvature < 0) arb_neg(rv.arb(), rv.arb());
        arb_get_ubound_arf(tmp_.x, rv.arb(), prec_);
        if (arf_sgn(tmp_.x) > 0 && arf_cmp(tmp_.x, arb_midref(nu.arb())) > 0)
          arf_set(arb_midref(nu.arb()), tmp_.x);
      }
      if (!arb_is_finite(nu.arb())) return false;
      // Lemma S8 (v) instead where its band is narrower than (ii)'s |T| ν.
      Ball limit;
      arb_mul(limit.arb(), nu.arb(), vol.arb(), prec_);
      if (d == 2 && arf_sgn(arb_midref(nu.arb())) > 0 && try_curve(p, limit)) {
        affine_enclosure(p, vol, affine_);  // band() intersects with (iii)
        return band(vol, enc, eps, lo, hi);
      }
      if (curvature > 0) arb_neg(enc.arb(), enc.arb());
      Ball top;
      arb_mul_2exp_si(top.arb(), limit.arb(), 1);  // 2 |T| ν
      arb_add(top.arb(), top.arb(), enc.arb(), prec_);
      arb_union(enc.arb(), enc.arb(), top.arb(), prec_);
      return endpoints(enc, vol, m, 1, lo, hi);
    }
  }

  // Lemma S8 (iv), d = 2: ∫|r| ∈ [∫σr, ∫σr + 2 Σ_k ∫_{T_k}(ε_L − σ_k L)⁺] for σ
  // constant on each part T_k. σ = the sign of L's midpoint values; where they
  // differ, T is cut along L ≈ 0 at exact dyadic fractions of the two edges
  // leaving the lone vertex a: T1 = (a, P, Q) and the rest T2 = (P, b, c),
  // T3 = (P, c, Q), with ∫_T σr = σ_a (2∫_{T1} r − ∫_T r). plan_band sets the
  // parts, the band's bound band_ and (iii)'s enclosure affine_; true when the
  // band is under a quarter of (iii)'s width.
  bool plan_band(const Piece& p, const Ball& vol) {
    const std::size_t w = 3;
    affine_enclosure(p, vol, affine_);  // also sets epsl_ and lv_
    int sg[3];
    for (std::size_t i = 0; i < 3; ++i) sg[i] = arf_sgn(arb_midref(lv_[i].arb())) >= 0 ? 1 : -1;
    Ball g[3], part;
    cut_ = !(sg[0] == sg[1] && sg[1] == sg[2]);
    if (!cut_) {
      sigma_ = sg[0];
      for (std::size_t i = 0; i < 3; ++i) band_value(lv_[i], sigma_, g[i]);
      plus_upper(vol, g, band_);
    } else {
      const std::size_t a = sg[1] == sg[2] ? 0 : sg[0] == sg[2] ? 1 : 2, b = (a + 1) % 3, c = (a + 2) % 3;
      sigma_ = sg[a];
      // P on edge ab, Q on edge ac: coordinates, ℓ's value and L's value.
      Ball lp, lq;
      cut_point(p, a, b, sub_[0], lp);
      cut_point(p, a, c, sub_[1], lq);
      auto vertex = [&](std::size_t i) { return &p.data[i * w]; };
      const Ball* parts[3][3] = {{vertex(a), sub_[0].data(), sub_[1].data()},
                                 {sub_[0].data(), vertex(b), vertex(c)},
                                 {sub_[0].data(), vertex(c), sub_[1].data()}};
      const Ball* lvs[3][3] = {{&lv_[a], &lp, &lq}, {&lp, &lv_[b], &lv_[c]}, {&lp, &lv_[c], &lq}};
      arb_zero(band_.arb());
      for (std::size_t k = 0; k < 3; ++k) {
        std::vector<Ball>& data = k == 0 ? t1_ : tri_;
        Ball area;
        gather(parts[k], data);
        edge_matrix(data.data(), area);
        arb_mul_2exp_si(area.arb(), area.arb(), -1);  // |T_k|
        if (k == 0) arb_set(vol1_.arb(), area.arb());
        for (std::size_t i = 0; i < 3; ++i) band_value(*lvs[k][i], k == 0 ? sigma_ : -sigma_, g[i]);
        plus_upper(area, g, part);
        arb_add(band_.arb(), band_.arb(), part.arb(), prec_);
      }
    }
    // Lemma S8 (v): an arc along the cubic model's zeros instead, where its band is narrower.
    try_curve(p, band_);
    Ball quarter;
    arb_get_rad_arb(quarter.arb(), affine_.arb());
    arb_mul_2exp_si(quarter.arb(), quarter.arb(), -2);  // a quarter of (iii)'s width 2 rad
    return arb_is_finite(band_.arb()) && arb_lt(band_.arb(), quarter.arb());
  }

  // Lemma S8 (v) for the piece when its band is certified under `limit`: sets
  // use_curve_ and then band_ (which may be `limit` itself).
  bool try_curve(const Piece& p, const Ball& limit) {
    use_curve_ = false;
    if (!curved_) return false;
    const std::size_t w = 3;
    const Ball* v[3] = {&p.data[0], &p.data[w], &p.data[2 * w]};
    use_curve_ = cubic_model(cubic_) &&
                 curve_.plan(v, cubic_, arf_get_d(arb_midref(limit.arb()), ARF_RND_UP)) &&
                 arb_lt(curve_.band().arb(), limit.arb());
    if (use_curve_) arb_set(band_.arb(), curve_.band().arb());
    return use_curve_;
  }

  // series_ = the coefficients along c + tδ, δ ∈ B − c = Π[−ρ_k, ρ_k], up to
  // the order m + 1 of Lemma S7's remainder; false when not available (then
  // series_ may hold anything: series_ok_ says whether it is this piece's).
  bool remainder_series(int power) {
    for (std::size_t k = 0; k < d_; ++k) {
      arb_zero(delta_[k].arb());
      arf_sub(tmp_.x, arb_midref(bounder_.box_hi()[k].arb()), arb_midref(bounder_.box_lo()[k].arb()), prec_,
              ARF_RND_UP);
      arf_mul_2exp_si(tmp_.x, tmp_.x, -1);
      arf_get_mag(arb_radref(delta_[k].arb()), tmp_.x);
    }
    const int order = (power == 1 ? m1_ : m2_) + 1;
    if (!target_.line_series(bounder_.center().data(), delta_.data(), order, series_)) return false;
    return static_cast<int>(series_.size()) == order + 1 && series_.back().is_finite();
  }

  // Lemma S8 (v)'s cubic model about the box midpoint c (d = 2): a, b from
  // S6.1, H and T at c from series along c + t h e for e = e1, e2, e1 ± e2 with
  // h = 2^-40 (each coefficient encloses its value at t = 0), ε = sup |a_4|
  // from series_ (Lemma S7 (c) with m = 3). False when not available.
  bool cubic_model(detail::Cubic2& m) {
    if (!series_ok_ || series_.size() < 5 || !series_[4].is_finite()) return false;
    const std::vector<Ball>& c = bounder_.center();
    for (int k = 0; k < 2; ++k) {
      m.c[k] = c[static_cast<std::size_t>(k)];
      m.b[k] = bounder_.b()[static_cast<std::size_t>(k)];
    }
    m.a = bounder_.a();
    arb_get_abs_ubound_arf(tmp_.x, series_[4].arb(), prec_);
    arb_set_arf(m.eps.arb(), tmp_.x);
    const int dirs[4][2] = {{1, 0}, {0, 1}, {1, 1}, {1, -1}};
    Ball d2[4], d3[4], dir[2];
    for (int j = 0; j < 4; ++j) {
      for (int k = 0; k < 2; ++k) {
        arb_set_si(dir[k].arb(), dirs[j][k]);
        arb_mul_2exp_si(dir[k].arb(), dir[k].arb(), -40);
      }
      if (!target_.line_series(c.data(), dir, 3, line_) || line_.size() != 4) return false;
      arb_mul_2exp_si(d2[j].arb(), line_[2].arb(), 80);   // D²f(c)[e]²/2
      arb_mul_2exp_si(d3[j].arb(), line_[3].arb(), 120);  // D³f(c)[e]³/6
    }
    // H_xx = 2 d2(e1), H_yy = 2 d2(e2), H_xy = d2(e1 + e2) − d2(e1) − d2(e2).
    arb_mul_2exp_si(m.h[0].arb(), d2[0].arb(), 1);
    arb_mul_2exp_si(m.h[2].arb(), d2[1].arb(), 1);
    arb_sub(m.h[1].arb(), d2[2].arb(), d2[0].arb(), prec_);
    arb_sub(m.h[1].arb(), m.h[1].arb(), d2[1].arb(), prec_);
    // T_xxx = 6 d3(e1), T_yyy = 6 d3(e2); with S = 6 d3(e1 + e2) − T_xxx − T_yyy = 3(T_xxy + T_xyy)
    // and D = 6 d3(e1 − e2) − T_xxx + T_yyy = 3(T_xyy − T_xxy): T_xxy = (S − D)/6, T_xyy = (S + D)/6.
    Ball sum, diff;
    arb_mul_ui(m.t[0].arb(), d3[0].arb(), 6, prec_);
    arb_mul_ui(m.t[3].arb(), d3[1].arb(), 6, prec_);
    arb_mul_ui(sum.arb(), d3[2].arb(), 6, prec_);
    arb_sub(sum.arb(), sum.arb(), m.t[0].arb(), prec_);
    arb_sub(sum.arb(), sum.arb(), m.t[3].arb(), prec_);
    arb_mul_ui(diff.arb(), d3[3].arb(), 6, prec_);
    arb_sub(diff.arb(), diff.arb(), m.t[0].arb(), prec_);
    arb_add(diff.arb(), diff.arb(), m.t[3].arb(), prec_);
    arb_sub(m.t[1].arb(), sum.arb(), diff.arb(), prec_);
    arb_div_ui(m.t[1].arb(), m.t[1].arb(), 6, prec_);
    arb_add(m.t[2].arb(), sum.arb(), diff.arb(), prec_);
    arb_div_ui(m.t[2].arb(), m.t[2].arb(), 6, prec_);
    return true;
  }

  // plan_band's bound once `whole` ∋ ∫_T r is known (ε: S7's remainder on B).
  bool band(const Ball& vol, const Ball& whole, const Ball& eps, Ball& lo, Ball& hi) {
    Ball sigma_int;
    if (use_curve_ && curve_.whole()) {
      arb_mul_si(sigma_int.arb(), whole.arb(), curve_.sigma(), prec_);  // T1 = T
    } else if (use_curve_) {
      // ∫_{T1} r by Lemma S8 (v)'s rule, remainder 2|T1| ε; ∫_T σr = σ (2∫_{T1} r − ∫_T r).
      Ball sum1, one;
      curve_.integrate(target_, sum1);
      arb_one(one.arb());
      signed_integral(sum1, one, curve_.area(), eps, sigma_int);
      arb_mul_2exp_si(sigma_int.arb(), sigma_int.arb(), 1);
      arb_sub(sigma_int.arb(), sigma_int.arb(), whole.arb(), prec_);
      arb_mul_si(sigma_int.arb(), sigma_int.arb(), curve_.sigma(), prec_);
    } else if (!cut_) {
      arb_mul_si(sigma_int.arb(), whole.arb(), sigma_, prec_);
    } else {
      // ∫_{T1} r by the piece's rule, remainder 2|T1| ε (T1 ⊆ T ⊆ B, Lemma S7 (b), (c)).
      Ball det1, sum1, int1;
      arb_mul_2exp_si(det1.arb(), vol1_.arb(), 1);
      node_sum(t1_.data(), 1, sum1);
      signed_integral(sum1, det1, vol1_, eps, int1);
      arb_mul_2exp_si(sigma_int.arb(), int1.arb(), 1);
      arb_sub(sigma_int.arb(), sigma_int.arb(), whole.arb(), prec_);
      arb_mul_si(sigma_int.arb(), sigma_int.arb(), sigma_, prec_);
    }
    // [∫σr, ∫σr + 2·band_] (band_ >= the band integral), intersected with (iii).
    Ball top, mine, enc;
    arb_set(enc.arb(), affine_.arb());
    arb_mul_2exp_si(top.arb(), band_.arb(), 1);
    arb_add(top.arb(), top.arb(), sigma_int.arb(), prec_);
    arb_union(mine.arb(), sigma_int.arb(), top.arb(), prec_);
    if (arb_is_finite(mine.arb()) && arb_intersection(top.arb(), mine.arb(), enc.arb(), prec_))
      arb_set(enc.arb(), top.arb());
    return endpoints(enc, vol, bounder_upper_, 1, lo, hi);
  }

 private:
  // Lower/upper endpoints of enc ∩ [0, |T| M^p] (the trivial bounds).
  bool endpoints(const Ball& enc, const Ball& vol, const Ball& m, int power, Ball& lo, Ball& hi) {
    if (!arb_is_finite(enc.arb())) return false;
    Ball cap;
    arb_pow_ui(cap.arb(), m.arb(), static_cast<ulong>(power), prec_);
    arb_mul(cap.arb(), cap.arb(), vol.arb(), prec_);
    arb_zero(lo.arb());
    arb_zero(hi.arb());
    arb_get_lbound_arf(arb_midref(lo.arb()), enc.arb(), prec_);
    if (arf_sgn(arb_midref(lo.arb())) < 0) arf_zero(arb_midref(lo.arb()));
    arb_get_ubound_arf(arb_midref(hi.arb()), enc.arb(), prec_);
    arb_get_ubound_arf(tmp_.x, cap.arb(), prec_);
    if (arf_cmp(tmp_.x, arb_midref(hi.arb())) < 0) arf_set(arb_midref(hi.arb()), tmp_.x);
    if (arf_cmp(arb_midref(lo.arb()), arb_midref(hi.arb())) > 0)
      arf_set(arb_midref(lo.arb()), arb_midref(hi.arb()));
    return true;
  }

  // +1 when every member of the box Hessian is positive definite, −1 when
  // every member is negative definite (Sylvester: the leading minors), else 0.
  int definite() {
    const std::vector<Ball>& h = bounder_.jet().hessian;
    bool pos = true, neg = true;
    Ball det;
    for (std::size_t k = 1; k <= d_ && (pos || neg); ++k) {
      arb_mat_t sub;
      arb_mat_window_init(sub, hk_, 0, 0, static_cast<slong>(k), static_cast<slong>(k));
      for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j)
          arb_set(arb_mat_entry(hk_, static_cast<slong>(i), static_cast<slong>(j)), h[i * d_ + j].arb());
      arb_mat_det(det.arb(), sub, prec_);
      arb_mat_window_clear(sub);
      pos = pos && arb_is_positive(det.arb());
      neg = neg && (k % 2 == 1 ? arb_is_negative(det.arb()) : arb_is_positive(det.arb()));
    }
    return pos ? 1 : neg ? -1 : 0;
  }

  // e_ = the rows v_i − v_0 of the simplex `data` (stride d + 1).
  void edge_rows(const Ball* data) {
    const std::size_t d = d_, w = d + 1;
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t k = 0; k < d; ++k)
        arb_sub(arb_mat_entry(e_, static_cast<slong>(i), static_cast<slong>(k)), data[(i + 1) * w + k].arb(),
                data[k].arb(), prec_);
  }
  // edge_rows, and det = |det E|.
  void edge_matrix(const Ball* data, Ball& det) {
    edge_rows(data);
    arb_mat_det(det.arb(), e_, prec_);
    arb_abs(det.arb(), det.arb());
  }

  // Σ W J g(v_0 + E t) over the nodes, g = r (power 1) or r², for the simplex
  // `data` (Lemma S7); ℓ at a node from the vertex values.
  void node_sum(const Ball* data, int power, Ball& sum) {
    const std::size_t d = d_, w = d + 1;
    Ball r, ell, dw;
    edge_rows(data);
    arb_zero(sum.arb());
    for (const DuffyNode& nd : nodes_) {
      arb_set(ell.arb(), data[d].arb());
      for (std::size_t k = 0; k < d; ++k) arb_set(x_[k].arb(), data[k].arb());
      for (std::size_t i = 0; i < d; ++i) {
        for (std::size_t k = 0; k < d; ++k)
          arb_addmul(x_[k].arb(), nd.t[i].arb(),
                     arb_mat_entry(e_, static_cast<slong>(i), static_cast<slong>(k)), prec_);
        arb_sub(dw.arb(), data[(i + 1) * w + d].arb(), data[d].arb(), prec_);
        arb_addmul(ell.arb(), nd.t[i].arb(), dw.arb(), prec_);
      }
      target_.point(x_.data(), r);
      arb_sub(r.arb(), r.arb(), ell.arb(), prec_);
      if (power == 2) arb_sqr(r.arb(), r.arb(), prec_);
      arb_addmul(sum.arb(), nd.weight.arb(), r.arb(), prec_);
    }
  }

  // ∫ r ∈ |det E| sum ± 2 |T| ε (Lemma S7 (b) with p = 1).
  void signed_integral(const Ball& sum, const Ball& det, const Ball& vol, const Ball& eps, Ball& out) {
    Ball rem;
    arb_mul(out.arb(), sum.arb(), det.arb(), prec_);
    arb_mul(rem.arb(), eps.arb(), vol.arb(), prec_);
    arb_mul_2exp_si(rem.arb(), rem.arb(), 1);
    arb_add_error(out.arb(), rem.arb());
  }

  // Lemma S8 (iii), no quadrature: L = α + β·(x − c) with α, β the midpoints of
  // q's a, b (exact) and |r − L| <= ε_L on T (Lemma S5 with H = 0); enc =
  // ∫|L| ± |T| ε_L with ∫|L| = ∫L + 2∫(−L)⁺ by the divided difference,
  // intersected with [0, |T| M]. Sets epsl_ and lv_ (L at the vertices).
  void affine_enclosure(const Piece& p, const Ball& vol, Ball& enc) {
    const std::size_t d = d_, w = d + 1;
    const std::vector<Ball>& c = bounder_.center();
    const std::vector<Ball>& rho = bounder_.rho();
    Ball alpha, t, u;
    arb_set_arf(alpha.arb(), arb_midref(bounder_.a().arb()));
    arb_sub(t.arb(), bounder_.a().arb(), alpha.arb(), prec_);
    arb_get_abs_ubound_arf(tmp_.x, t.arb(), prec_);
    arb_set_arf(epsl_.arb(), tmp_.x);
    beta_.resize(d);
    for (std::size_t k = 0; k < d; ++k) {
      arb_set_arf(beta_[k].arb(), arb_midref(bounder_.b()[k].arb()));
      arb_sub(t.arb(), bounder_.b()[k].arb(), beta_[k].arb(), prec_);
      arb_abs(t.arb(), t.arb());
      arb_addmul(epsl_.arb(), t.arb(), rho[k].arb(), prec_);
    }
    Ball quad;
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j) {
        arb_abs(t.arb(), bounder_.jet().hessian[i * d + j].arb());
        arb_mul(t.arb(), t.arb(), rho[i].arb(), prec_);
        arb_addmul(quad.arb(), t.arb(), rho[j].arb(), prec_);
      }
    arb_mul_2exp_si(quad.arb(), quad.arb(), -1);
    arb_add(epsl_.arb(), epsl_.arb(), quad.arb(), prec_);
    // L at the vertices.
    lv_.resize(d + 1);
    Ball mean;
    for (std::size_t i = 0; i <= d; ++i) {
      arb_set(lv_[i].arb(), alpha.arb());
      for (std::size_t k = 0; k < d; ++k) {
        arb_sub(t.arb(), p.data[i * w + k].arb(), c[k].arb(), prec_);
        arb_addmul(lv_[i].arb(), beta_[k].arb(), t.arb(), prec_);
      }
      arb_add(mean.arb(), mean.arb(), lv_[i].arb(), prec_);
    }
    arb_div_ui(mean.arb(), mean.arb(), static_cast<ulong>(d + 1), prec_);
    // ∫(−L)⁺ = |T|/(d+1) Σ_i ((−L_i)⁺)^{d+1} / Π_{j≠i} (L_j − L_i).
    Ball neg, term;
    bool ok = true;
    for (std::size_t i = 0; i <= d && ok; ++i) {
      arb_neg(t.arb(), lv_[i].arb());
      if (arb_is_nonpositive(t.arb())) continue;
      arb_nonnegative_part(t.arb(), t.arb());
      arb_pow_ui(term.arb(), t.arb(), static_cast<ulong>(d + 1), prec_);
      for (std::size_t j = 0; j <= d; ++j) {
        if (j == i) continue;
        arb_sub(u.arb(), lv_[j].arb(), lv_[i].arb(), prec_);
        if (arb_contains_zero(u.arb())) ok = false;
        arb_div(term.arb(), term.arb(), u.arb(), prec_);
      }
      arb_add(neg.arb(), neg.arb(), term.arb(), prec_);
    }
    Ball crude;
    arb_mul(t.arb(), vol.arb(), bounder_upper_.arb(), prec_);  // |T| M
    arb_zero(crude.arb());
    arb_union(crude.arb(), crude.arb(), t.arb(), prec_);
    arb_set(enc.arb(), crude.arb());
    if (!ok) return;
    arb_mul_2exp_si(neg.arb(), neg.arb(), 1);
    arb_div_ui(neg.arb(), neg.arb(), static_cast<ulong>(d + 1), prec_);
    arb_add(neg.arb(), neg.arb(), mean.arb(), prec_);
    arb_mul(u.arb(), neg.arb(), vol.arb(), prec_);
    arb_mul(t.arb(), vol.arb(), epsl_.arb(), prec_);
    arb_add_error(u.arb(), t.arb());
    if (arb_is_finite(u.arb()) && arb_intersection(t.arb(), u.arb(), crude.arb(), prec_))
      arb_set(enc.arb(), t.arb());
  }

  // g = ε_L − σ L at a vertex (Lemma S8 (iv)).
  void band_value(const Ball& l, int sigma, Ball& g) {
    arb_mul_si(g.arb(), l.arb(), -sigma, prec_);
    arb_add(g.arb(), g.arb(), epsl_.arb(), prec_);
  }

  // The point v_a + t (v_b − v_a) with t the exact midpoint of L_a / (L_a − L_b)
  // clamped to [0, 1] (any t in [0, 1] cuts T into valid parts): its
  // coordinates and ℓ's value into out, L's value into l.
  void cut_point(const Piece& p, std::size_t a, std::size_t b, std::vector<Ball>& out, Ball& l) {
    const std::size_t w = d_ + 1;
    Ball t, diff;
    arb_sub(diff.arb(), lv_[a].arb(), lv_[b].arb(), prec_);
    arb_div(t.arb(), lv_[a].arb(), diff.arb(), prec_);
    arf_set(tmp_.x, arb_midref(t.arb()));
    if (!arf_is_finite(tmp_.x)) arf_set_d(tmp_.x, 0.5);
    if (arf_sgn(tmp_.x) < 0) arf_zero(tmp_.x);
    if (arf_cmp_si(tmp_.x, 1) > 0) arf_one(tmp_.x);
    arb_set_arf(t.arb(), tmp_.x);
    out.resize(w);
    for (std::size_t k = 0; k < w; ++k) {
      arb_sub(diff.arb(), p.data[b * w + k].arb(), p.data[a * w + k].arb(), prec_);
      arb_mul(diff.arb(), diff.arb(), t.arb(), prec_);
      arb_add(out[k].arb(), p.data[a * w + k].arb(), diff.arb(), prec_);
    }
    arb_sub(diff.arb(), lv_[b].arb(), lv_[a].arb(), prec_);
    arb_mul(diff.arb(), diff.arb(), t.arb(), prec_);
    arb_add(l.arb(), lv_[a].arb(), diff.arb(), prec_);
  }

  // Three vertices (each d + 1 balls) into one simplex's data.
  void gather(const Ball* const (&v)[3], std::vector<Ball>& out) const {
    const std::size_t w = d_ + 1;
    out.resize(3 * w);
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t k = 0; k < w; ++k) out[i * w + k] = v[i][k];
  }

  // An upper bound (the upper endpoint of out) of ∫_T g⁺ over a triangle of
  // area `area` for g affine with vertex values in the balls g[i] (Lemma S8 (iv)):
  // g <= ĝ, the affine map with the exact upper endpoints, and ∫ĝ⁺ in closed form.
  void plus_upper(const Ball& area, const Ball (&g)[3], Ball& out) {
    Arf h[3];
    for (std::size_t i = 0; i < 3; ++i) arb_get_ubound_arf(h[i].x, g[i].arb(), prec_);
    auto swap_if = [&](std::size_t i, std::size_t j) {
      if (arf_cmp(h[i].x, h[j].x) > 0) arf_swap(h[i].x, h[j].x);
    };
    swap_if(0, 1);
    swap_if(1, 2);
    swap_if(0, 1);
    Ball g0, g1, g2, t, u;
    arb_set_arf(g0.arb(), h[0].x);
    arb_set_arf(g1.arb(), h[1].x);
    arb_set_arf(g2.arb(), h[2].x);
    if (arf_sgn(h[2].x) <= 0) {
      arb_zero(out.arb());
      return;
    }
    if (arf_sgn(h[1].x) < 0) {
      // Only the corner at the largest value is positive: |T| ĝ2³ / (3 (ĝ2 − ĝ0)(ĝ2 − ĝ1)).
      arb_pow_ui(out.arb(), g2.arb(), 3, prec_);
      arb_sub(t.arb(), g2.arb(), g0.arb(), prec_);
      arb_sub(u.arb(), g2.arb(), g1.arb(), prec_);
      arb_mul(t.arb(), t.arb(), u.arb(), prec_);
      arb_div(out.arb(), out.arb(), t.arb(), prec_);
    } else {
      // The mean plus, when ĝ0 < 0, the corner (−ĝ0)³ / ((ĝ1 − ĝ0)(ĝ2 − ĝ0)), all over 3.
      arb_add(out.arb(), g0.arb(), g1.arb(), prec_);
      arb_add(out.arb(), out.arb(), g2.arb(), prec_);
      if (arf_sgn(h[0].x) < 0) {
        arb_neg(u.arb(), g0.arb());
        arb_pow_ui(u.arb(), u.arb(), 3, prec_);
        arb_sub(t.arb(), g1.arb(), g0.arb(), prec_);
        arb_div(u.arb(), u.arb(), t.arb(), prec_);
        arb_sub(t.arb(), g2.arb(), g0.arb(), prec_);
        arb_div(u.arb(), u.arb(), t.arb(), prec_);
        arb_add(out.arb(), out.arb(), u.arb(), prec_);
      }
    }
    arb_div_ui(out.arb(), out.arb(), 3, prec_);
    arb_mul(out.arb(), out.arb(), area.arb(), prec_);
  }

  LocalTarget& target_;
  detail::Bounder bounder_;
  std::size_t d_;
  slong prec_;
  int m1_ = 0, m2_ = 0;
  std::vector<DuffyNode> nodes_;
  std::vector<Ball> x_, delta_, series_, beta_, lv_, tri_;
  // Lemma S8 (iv)'s plan for the current piece (plan_band).
  std::vector<Ball> sub_[2], t1_;     // the cut points P, Q (coordinates and ℓ); T1's data
  Ball epsl_, affine_, band_, vol1_;  // ε_L, (iii)'s enclosure, the band's bound, |T1|
  bool cut_ = false;
  int sigma_ = 1;
  bool curved_, use_curve_ = false;  // Lemma S8 (v) allowed; chosen for the current piece
  bool series_ok_ = false;           // series_ belongs to the current piece
  detail::CurvedCut curve_;
  detail::Cubic2 cubic_;
  std::vector<Ball> line_;
  Ball bounder_upper_;  // M of the current piece
  Ball fact_;
  Arf tmp_;
  arb_mat_t e_, hk_;
};

struct LpPiece {
  Piece piece;
  Ball lo, hi;  // exact endpoints (radius 0)
  bool finite = false;
  double key = 0;  // width, heap order only
};

}  // namespace

LpResult integrate_lp(LocalTarget& target, const std::vector<AffinePiece>& pieces, const LpOptions& options) {
  const int di = target.dimension();
  if (di < 1 || di > 8) throw std::invalid_argument("integrate_lp: dimension must be 1..8");
  if (options.p != 1 && options.p != 2) throw std::invalid_argument("integrate_lp: p must be 1 or 2");
  const std::size_t d = static_cast<std::size_t>(di), n = d + 1;
  const slong prec = options.prec;
  Integrator integ(target, options.nodes, prec, options.curved_cut);
  LpResult res;
  Arf total_lo, total_hi;  // exact sums of the finite pieces' endpoints
  long non_finite = 0;
  std::vector<LpPiece> heap;
  auto less = [](const LpPiece& a, const LpPiece& b) { return a.key < b.key; };
  auto account = [&](const LpPiece& q, int sign) {
    if (!q.finite) {
      non_finite += sign;
      return;
    }
    Arf t;
    arf_mul_si(t.x, arb_midref(q.lo.arb()), sign, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_add(total_lo.x, total_lo.x, t.x, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_mul_si(t.x, arb_midref(q.hi.arb()), sign, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_add(total_hi.x, total_hi.x, t.x, ARF_PREC_EXACT, ARF_RND_DOWN);
  };
  auto push = [&](Piece p) {
    LpPiece q;
    q.piece = std::move(p);
    q.finite = integ.integrate(q.piece, options.p, q.lo, q.hi);
    q.key = q.finite ? arf_get_d(arb_midref(q.hi.arb()), ARF_RND_UP) -
                           arf_get_d(arb_midref(q.lo.arb()), ARF_RND_DOWN)
                     : HUGE_VAL;
    account(q, 1);
    heap.push_back(std::move(q));
    std::push_heap(heap.begin(), heap.end(), less);
  };
  for (const AffinePiece& a : pieces) {
    if (a.vertex.size() != n || a.value.size() != n)
      throw std::invalid_argument("integrate_lp: a piece needs d + 1 vertices and values");
    Piece p;
    p.data.resize(n * (d + 1));
    for (std::size_t i = 0; i < n; ++i) {
      if (a.vertex[i].size() != d) throw std::invalid_argument("integrate_lp: a vertex needs d coordinates");
      for (std::size_t k = 0; k < d; ++k) p.data[i * (d + 1) + k] = Ball::from_rational(a.vertex[i][k], prec);
      p.data[i * (d + 1) + d] = Ball::from_rational(a.value[i], prec);
    }
    push(std::move(p));
  }
  const Ball tol = Ball::from_rational(options.rel_tol, prec);
  Ball width, allowed;
  auto done = [&]() {
    if (non_finite > 0) return false;
    arb_set_arf(width.arb(), total_hi.x);
    arb_set_arf(allowed.arb(), total_lo.x);
    arb_sub(width.arb(), width.arb(), allowed.arb(), prec);
    arb_set_arf(allowed.arb(), total_hi.x);
    arb_mul(allowed.arb(), allowed.arb(), tol.arb(), prec);
    return arb_le(width.arb(), allowed.arb()) != 0;
  };
  while (!heap.empty() && !done() && heap.size() < options.max_pieces) {
    std::pop_heap(heap.begin(), heap.end(), less);
    LpPiece q = std::move(heap.back());
    heap.pop_back();
    account(q, -1);
    auto halves = detail::bisect(std::move(q.piece), d, prec);
    push(std::move(halves.first));
    push(std::move(halves.second));
  }
  res.all_finite = non_finite == 0;
  res.lower = detail::arf_to_rational(total_lo.x);
  res.upper = detail::arf_to_rational(total_hi.x);
  res.proven = res.all_finite && res.upper - res.lower <= options.rel_tol * res.upper;
  res.evaluations = integ.evaluations;
  res.leaves = heap.size();
  return res;
}

bool piece_lp(LocalTarget& target, const AffinePiece& piece, int p, int nodes, slong prec, Rational& lower,
              Rational& upper, bool curved_cut) {
  if (p != 1 && p != 2) throw std::invalid_argument("piece_lp: p must be 1 or 2");
  const std::size_t d = static_cast<std::size_t>(target.dimension()), n = d + 1;
  Integrator integ(target, nodes, prec, curved_cut);
  Piece q;
  q.data.resize(n * (d + 1));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < d; ++k)
      q.data[i * (d + 1) + k] = Ball::from_rational(piece.vertex.at(i).at(k), prec);
    q.data[i * (d + 1) + d] = Ball::from_rational(piece.value.at(i), prec);
  }
  Ball lo, hi;
  if (!integ.integrate(q, p, lo, hi)) return false;
  lower = num::lower_rational(lo);
  upper = num::upper_rational(hi);
  return true;
}

}  // namespace mgdl::geom
