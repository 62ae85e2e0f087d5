// Internal to mgdl_geom: one piece of the simplex branch and bound (vertices
// and ℓ's values as balls) and its per-piece bound, Lemma S6.1
// (proofs/simplices.md); shared by certify_sup and the L^p rules.
#pragma once

#include <arb_hypgeom.h>
#include <arb_mat.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "mgdl/geom/simplex_sup.hpp"

namespace mgdl::geom::detail {

using num::Ball;
// The arb_dot calls below step through std::vector<Ball> as arb_struct arrays.
static_assert(sizeof(Ball) == sizeof(arb_struct));
using num::Rational;

// An arf holder (the engine's exact endpoints).
struct Arf {
  arf_t x;
  Arf() { arf_init(x); }
  ~Arf() { arf_clear(x); }
  Arf(const Arf&) = delete;
  Arf& operator=(const Arf&) = delete;
};

// Gauss–Legendre on [0, 1] (Lemma I2 (d)): node u = (1 + ξ)/2, weight ω/2, for
// Arb's enclosures (ξ, ω) of the n-point rule on [−1, 1].
inline void gauss_legendre01(std::size_t n, slong prec, std::vector<Ball>& node, std::vector<Ball>& weight) {
  node.resize(n);
  weight.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    arb_hypgeom_legendre_p_ui_root(node[k].arb(), weight[k].arb(), static_cast<ulong>(n),
                                   static_cast<ulong>(k), prec);
    arb_add_ui(node[k].arb(), node[k].arb(), 1, prec);
    arb_mul_2exp_si(node[k].arb(), node[k].arb(), -1);
    arb_mul_2exp_si(weight[k].arb(), weight[k].arb(), -1);
  }
}

inline Rational arf_to_rational(const arf_t x) {
  Ball b;
  arb_set_arf(b.arb(), x);
  return num::upper_rational(b);  // radius 0: the exact value
}

struct Piece {
  std::vector<Ball> data;  // vertex i: data[i*(d+1) + k] = x_k (k < d), data[i*(d+1) + d] = ℓ(v_i)
  Ball upper;              // exact: certified sup_T |r| when finite
  bool finite = false;
  double key = 0;  // heap order only
};

class Bounder {
 public:
  Bounder(LocalTarget& target, slong prec)
      : target_(target), d_(target.dimension()), n_(d_ + 1), prec_(prec) {
    const std::size_t d = ud(), n = d + 1;
    x_.resize(d + 1);
    lo_.resize(d);
    hi_.resize(d);
    c_.resize(d);
    rho_.resize(d);
    g_.resize(d);
    b_.resize(d);
    h_.resize(d * d);
    delta_.resize(d);
    hd_.resize(d);
    value_.resize(n);
    grad_.resize(n * d);
    hdv_.resize(n * d);
    e_.resize(d * d);
    he_.resize(d * d);
    beta_.resize(d);
    t_.resize(d);
    gm_.resize(d * d);
    for (unsigned mask = 1; mask < (1u << n); ++mask) {
      std::vector<std::size_t> s;
      for (std::size_t i = 0; i < n; ++i)
        if (mask & (1u << i)) s.push_back(i);
      if (s.size() >= 2) faces_.push_back(std::move(s));
    }
    arb_mat_init(me_, d_, d_);
    arb_mat_init(mdw_, d_, 1);
    arb_mat_init(mg_, d_, 1);
    arb_zero_pm_one(unit_.arb());
    arb_nonnegative_part(unit_.arb(), unit_.arb());  // [0, 1]
  }
  ~Bounder() {
    arb_mat_clear(me_);
    arb_mat_clear(mdw_);
    arb_mat_clear(mg_);
  }
  Bounder(const Bounder&) = delete;
  Bounder& operator=(const Bounder&) = delete;

  std::size_t ud() const { return static_cast<std::size_t>(d_); }

  // Lemma S6.1: p.upper >= sup_T |f − ℓ|; raises lower (exact) by a witness.
  void bound(Piece& p, arf_t lower, std::vector<double>& witness) {
    const std::size_t d = ud(), n = d + 1, w = d + 1;
    ++evaluations;
    // The bounding box B (exact endpoints) and its midpoint c; ρ_k = (hi − lo)/2.
    for (std::size_t k = 0; k < d; ++k) {
      arb_get_lbound_arf(arb_midref(lo_[k].arb()), p.data[k].arb(), prec_);
      arb_get_ubound_arf(arb_midref(hi_[k].arb()), p.data[k].arb(), prec_);
      mag_zero(arb_radref(lo_[k].arb()));
      mag_zero(arb_radref(hi_[k].arb()));
      for (std::size_t i = 1; i < n; ++i) {
        arb_get_lbound_arf(tmp_.x, p.data[i * w + k].arb(), prec_);
        if (arf_cmp(tmp_.x, arb_midref(lo_[k].arb())) < 0) arf_set(arb_midref(lo_[k].arb()), tmp_.x);
        arb_get_ubound_arf(tmp_.x, p.data[i * w + k].arb(), prec_);
        if (arf_cmp(tmp_.x, arb_midref(hi_[k].arb())) > 0) arf_set(arb_midref(hi_[k].arb()), tmp_.x);
      }
      arb_zero(c_[k].arb());
      arf_add(arb_midref(c_[k].arb()), arb_midref(lo_[k].arb()), arb_midref(hi_[k].arb()), ARF_PREC_EXACT,
              ARF_RND_DOWN);
      arf_mul_2exp_si(arb_midref(c_[k].arb()), arb_midref(c_[k].arb()), -1);
      arb_zero(rho_[k].arb());
      arf_sub(arb_midref(rho_[k].arb()), arb_midref(hi_[k].arb()), arb_midref(lo_[k].arb()), ARF_PREC_EXACT,
              ARF_RND_DOWN);
      arf_mul_2exp_si(arb_midref(rho_[k].arb()), arb_midref(rho_[k].arb()), -1);
    }
    // The two Kuhn simplices of a cell share their box: reuse its jet.
    bool same = have_jet_;
    for (std::size_t k = 0; k < d && same; ++k)
      same = arf_equal(arb_midref(lo_[k].arb()), arb_midref(jet_lo_[k].arb())) &&
             arf_equal(arb_midref(hi_[k].arb()), arb_midref(jet_hi_[k].arb()));
    if (!same) {
      target_.box_jet(lo_.data(), hi_.data(), jet_);
      jet_lo_ = lo_;
      jet_hi_ = hi_;
      have_jet_ = true;
    }
    p.finite = jet_.value.is_finite();
    for (std::size_t k = 0; k < d; ++k) p.finite = p.finite && jet_.gradient[k].is_finite();
    for (std::size_t k = 0; k < d * d; ++k) p.finite = p.finite && jet_.hessian[k].is_finite();
    if (!p.finite || !affine_part(p)) return fail(p);
    // q: a = f(c) − ℓ(c), b = ∇f(c) − g (balls), H = mid of the box Hessian
    // (exact); ε = ½ Σ rad(H_box,ij) ρ_i ρ_j (Lemma S6.1).
    arb_sub(a_.arb(), jet_.value.arb(), lc_.arb(), prec_);
    for (std::size_t k = 0; k < d; ++k) arb_sub(b_[k].arb(), jet_.gradient[k].arb(), g_[k].arb(), prec_);
    arb_zero(eps_.arb());
    for (std::size_t k = 0; k < d * d; ++k) {
      arb_set_arf(h_[k].arb(), arb_midref(jet_.hessian[k].arb()));
      arb_zero(tb_.arb());
      arf_set_mag(arb_midref(tb_.arb()), arb_radref(jet_.hessian[k].arb()));
      arb_mul(tb_.arb(), tb_.arb(), rho_[k / d].arb(), prec_);
      arb_addmul(eps_.arb(), tb_.arb(), rho_[k % d].arb(), prec_);
    }
    arb_mul_2exp_si(eps_.arb(), eps_.arb(), -1);
    quadratic_range(p);
    // sup_T |r| <= max(M, −m) + ε.
    arf_neg(tmp_.x, lo_q_.x);
    const bool high = arf_cmp(hi_q_.x, tmp_.x) >= 0;  // steering: which extremum to try as a witness
    high_ = high;
    if (high) arf_set(tmp_.x, hi_q_.x);
    arb_set_arf(tb_.arb(), tmp_.x);
    arb_add(tb_.arb(), tb_.arb(), eps_.arb(), prec_);
    if (!arb_is_finite(tb_.arb())) return fail(p);
    arb_zero(p.upper.arb());
    arb_get_ubound_arf(arb_midref(p.upper.arb()), tb_.arb(), prec_);
    p.key = arf_get_d(arb_midref(p.upper.arb()), ARF_RND_UP);
    // Witness (C1.1) only where it may raise the lower bound (steering).
    const double est = std::abs(arf_get_d(high ? hi_q_.x : lo_q_.x, ARF_RND_NEAR)) - 2 * eps_.mid_approx();
    if (est <= arf_get_d(lower, ARF_RND_NEAR)) return;
    witness_at(p, high ? argmax_ : argmin_, lower, witness);
  }

  long evaluations = 0;

  // After bound(): the box B, its midpoint c, the box jet, S6's bounds on q
  // (max_q >= max_T q, min_q <= min_T q) and S6.1's ε.
  const std::vector<Ball>& box_lo() const { return lo_; }
  const std::vector<Ball>& box_hi() const { return hi_; }
  const std::vector<Ball>& center() const { return c_; }
  const BoxJet& jet() const { return jet_; }
  arf_srcptr max_q() const { return hi_q_.x; }
  arf_srcptr min_q() const { return lo_q_.x; }
  const Ball& eps() const { return eps_; }
  // q's a ∋ f(c) − ℓ(c) and b ∋ ∇f(c) − ∇ℓ (balls), ρ_k = half-widths of B.
  const Ball& a() const { return a_; }
  const std::vector<Ball>& b() const { return b_; }
  const std::vector<Ball>& rho() const { return rho_; }
  LocalTarget& target() { return target_; }
  // After a finite bound(): approximate barycentric coordinates of the candidate
  // where S6 found the larger of max q and −min q (steering only).
  const std::vector<double>& extremum() const { return high_ ? argmax_ : argmin_; }

 private:
  void fail(Piece& p) {
    p.finite = false;
    p.key = HUGE_VAL;
  }

  // ℓ's gradient g (E g = Δw) and ℓ(c) = ℓ(v_0) + g·(c − v_0).
  bool affine_part(const Piece& p) {
    const std::size_t d = ud(), w = d + 1;
    const Ball* v0 = &p.data[0];
    if (d == 1) {
      arb_sub(tb_.arb(), p.data[w].arb(), v0[0].arb(), prec_);
      arb_sub(g_[0].arb(), p.data[w + 1].arb(), v0[1].arb(), prec_);
      arb_div(g_[0].arb(), g_[0].arb(), tb_.arb(), prec_);
    } else if (d == 2) {
      // Cramer: E = [[e00, e01], [e10, e11]] (rows v_1 − v_0, v_2 − v_0), E g = Δw.
      Ball e00, e01, e10, e11, w1, w2, det;
      arb_sub(e00.arb(), p.data[w].arb(), v0[0].arb(), prec_);
      arb_sub(e01.arb(), p.data[w + 1].arb(), v0[1].arb(), prec_);
      arb_sub(e10.arb(), p.data[2 * w].arb(), v0[0].arb(), prec_);
      arb_sub(e11.arb(), p.data[2 * w + 1].arb(), v0[1].arb(), prec_);
      arb_sub(w1.arb(), p.data[w + 2].arb(), v0[2].arb(), prec_);
      arb_sub(w2.arb(), p.data[2 * w + 2].arb(), v0[2].arb(), prec_);
      arb_mul(det.arb(), e00.arb(), e11.arb(), prec_);
      arb_submul(det.arb(), e01.arb(), e10.arb(), prec_);
      if (arb_contains_zero(det.arb())) return false;
      arb_mul(g_[0].arb(), w1.arb(), e11.arb(), prec_);
      arb_submul(g_[0].arb(), w2.arb(), e01.arb(), prec_);
      arb_div(g_[0].arb(), g_[0].arb(), det.arb(), prec_);
      arb_mul(g_[1].arb(), e00.arb(), w2.arb(), prec_);
      arb_submul(g_[1].arb(), e10.arb(), w1.arb(), prec_);
      arb_div(g_[1].arb(), g_[1].arb(), det.arb(), prec_);
    } else {
      for (std::size_t j = 0; j < d; ++j) {
        for (std::size_t k = 0; k < d; ++k)
          arb_sub(arb_mat_entry(me_, static_cast<slong>(j), static_cast<slong>(k)),
                  p.data[(j + 1) * w + k].arb(), v0[k].arb(), prec_);
        arb_sub(arb_mat_entry(mdw_, static_cast<slong>(j), 0), p.data[(j + 1) * w + d].arb(), v0[d].arb(),
                prec_);
      }
      if (!arb_mat_solve(mg_, me_, mdw_, prec_)) return false;
      for (std::size_t k = 0; k < d; ++k) arb_set(g_[k].arb(), arb_mat_entry(mg_, static_cast<slong>(k), 0));
    }
    arb_set(lc_.arb(), v0[d].arb());
    for (std::size_t k = 0; k < d; ++k) {
      arb_sub(tb_.arb(), c_[k].arb(), v0[k].arb(), prec_);
      arb_addmul(lc_.arb(), g_[k].arb(), tb_.arb(), prec_);
    }
    return arb_is_finite(lc_.arb()) != 0;
  }

  void consider(const Ball& v, std::size_t base, const Ball* t, const std::vector<std::size_t>* face) {
    arb_get_ubound_arf(tmp2_.x, v.arb(), prec_);
    if (arf_cmp(tmp2_.x, hi_q_.x) > 0) {
      arf_set(hi_q_.x, tmp2_.x);
      set_lambda(argmax_, base, t, face);
    }
    arb_get_lbound_arf(tmp2_.x, v.arb(), prec_);
    if (arf_cmp(tmp2_.x, lo_q_.x) < 0) {
      arf_set(lo_q_.x, tmp2_.x);
      set_lambda(argmin_, base, t, face);
    }
  }
  // Approximate barycentric coordinates of a candidate (steering only).
  void set_lambda(std::vector<double>& lambda, std::size_t base, const Ball* t,
                  const std::vector<std::size_t>* face) {
    lambda.assign(static_cast<std::size_t>(n_), 0.0);
    lambda[base] = 1;
    if (t == nullptr) return;
    for (std::size_t j = 0; j + 1 < face->size(); ++j) {
      const double tj = t[j].mid_approx();
      lambda[(*face)[j + 1]] = tj;
      lambda[base] -= tj;
    }
  }

  // Lemma S6 on q (centre c, coefficients a_, b_, h_) over the piece:
  // hi_q_ >= max_T q, lo_q_ <= min_T q.
  void quadratic_range(const Piece& p) {
    const std::size_t d = ud(), n = d + 1, w = d + 1;
    arf_neg_inf(hi_q_.x);
    arf_pos_inf(lo_q_.x);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < d; ++k)
        arb_sub(delta_[k].arb(), p.data[i * w + k].arb(), c_[k].arb(), prec_);
      // grad_i = b + H δ; value_i = a + (b + ½ H δ)·δ.
      arb_set(value_[i].arb(), a_.arb());
      for (std::size_t k = 0; k < d; ++k) {
        Ball& hd = hdv_[i * d + k];
        arb_dot(hd.arb(), nullptr, 0, h_[k * d].arb(), 1, delta_[0].arb(), 1, static_cast<slong>(d), prec_);
        arb_add(grad_[i * d + k].arb(), hd.arb(), b_[k].arb(), prec_);
        arb_mul_2exp_si(tb_.arb(), hd.arb(), -1);
        arb_add(tb_.arb(), tb_.arb(), b_[k].arb(), prec_);
        arb_addmul(value_[i].arb(), tb_.arb(), delta_[k].arb(), prec_);
      }
      consider(value_[i], i, nullptr, nullptr);
    }
    for (const std::vector<std::size_t>& s : faces_) {
      const std::size_t k = s.size() - 1, b0 = s[0];
      for (std::size_t j = 0; j < k; ++j) {
        for (std::size_t c = 0; c < d; ++c)
          arb_sub(e_[j * d + c].arb(), p.data[s[j + 1] * w + c].arb(), p.data[b0 * w + c].arb(), prec_);
        // H e_j = H δ_{s_{j+1}} − H δ_{s_0} (H is exact; the balls contain H e_j).
        for (std::size_t c = 0; c < d; ++c)
          arb_sub(he_[j * d + c].arb(), hdv_[s[j + 1] * d + c].arb(), hdv_[b0 * d + c].arb(), prec_);
        arb_dot(beta_[j].arb(), nullptr, 0, e_[j * d].arb(), 1, grad_[b0 * d].arb(), 1, static_cast<slong>(d),
                prec_);
      }
      for (std::size_t j = 0; j < k; ++j)
        for (std::size_t l = j; l < k; ++l) {
          arb_dot(gm_[j * k + l].arb(), nullptr, 0, e_[l * d].arb(), 1, he_[j * d].arb(), 1,
                  static_cast<slong>(d), prec_);
          if (l != j) arb_set(gm_[l * k + j].arb(), gm_[j * k + l].arb());
        }
      const Stationary st = stationary(k);
      if (st == Stationary::none) continue;
      if (st == Stationary::found) {
        bool outside = false;
        arb_zero(sum_.arb());
        arb_set(val_.arb(), value_[b0].arb());
        for (std::size_t j = 0; j < k; ++j) {
          outside = outside || arb_is_negative(t_[j].arb());
          arb_add(sum_.arb(), sum_.arb(), t_[j].arb(), prec_);
          arb_mul_2exp_si(tb_.arb(), beta_[j].arb(), -1);
          arb_addmul(val_.arb(), tb_.arb(), t_[j].arb(), prec_);
        }
        outside = outside || arb_gt(sum_.arb(), one_.arb());
        if (!outside) consider(val_, b0, t_.data(), &s);
      } else {
        // Case (ii): t ∈ [0,1]^k, t_j t_l ∈ [0,1].
        arb_set(val_.arb(), value_[b0].arb());
        for (std::size_t j = 0; j < k; ++j) {
          arb_addmul(val_.arb(), beta_[j].arb(), unit_.arb(), prec_);
          for (std::size_t l = 0; l < k; ++l) {
            arb_mul_2exp_si(tb_.arb(), gm_[j * k + l].arb(), -1);
            arb_addmul(val_.arb(), tb_.arb(), unit_.arb(), prec_);
          }
        }
        consider(val_, b0, nullptr, nullptr);
      }
    }
  }

  enum class Stationary {
    none,        // Lemma S6 (iii): no member has its extremum inside the face
    unresolved,  // the ball solve fails: case (ii)
    found        // case (i): t_ holds every member's solution
  };
  // G t = −β (G = gm_, k×k), after S6 (iii)'s tests; found when the ball solve
  // certifies every member of G invertible (Lemma S6 (i)).
  Stationary stationary(std::size_t k) {
    auto found_if = [](bool ok) { return ok ? Stationary::found : Stationary::unresolved; };
    if (k == 1) {
      arb_add(tb_.arb(), beta_[0].arb(), gm_[0].arb(), prec_);  // q' at t = 1
      if ((arb_is_positive(beta_[0].arb()) && arb_is_positive(tb_.arb())) ||
          (arb_is_negative(beta_[0].arb()) && arb_is_negative(tb_.arb())))
        return Stationary::none;  // q' keeps its sign on the edge
      if (arb_contains_zero(gm_[0].arb())) return Stationary::unresolved;
      arb_div(t_[0].arb(), beta_[0].arb(), gm_[0].arb(), prec_);
      arb_neg(t_[0].arb(), t_[0].arb());
      return found_if(arb_is_finite(t_[0].arb()));
    }
    if (k == 2) {
      // Cramer: det = G00 G11 − G01², t0 = (G01 β1 − G11 β0)/det, t1 = (G01 β0 − G00 β1)/det.
      arb_mul(det_.arb(), gm_[0].arb(), gm_[3].arb(), prec_);
      arb_submul(det_.arb(), gm_[1].arb(), gm_[2].arb(), prec_);
      if (arb_is_negative(det_.arb())) return Stationary::none;  // every member indefinite: saddles only
      if (arb_contains_zero(det_.arb())) return Stationary::unresolved;
      arb_mul(t_[0].arb(), gm_[1].arb(), beta_[1].arb(), prec_);
      arb_submul(t_[0].arb(), gm_[3].arb(), beta_[0].arb(), prec_);
      arb_div(t_[0].arb(), t_[0].arb(), det_.arb(), prec_);
      arb_mul(t_[1].arb(), gm_[2].arb(), beta_[0].arb(), prec_);
      arb_submul(t_[1].arb(), gm_[0].arb(), beta_[1].arb(), prec_);
      arb_div(t_[1].arb(), t_[1].arb(), det_.arb(), prec_);
      return found_if(arb_is_finite(t_[0].arb()) && arb_is_finite(t_[1].arb()));
    }
    const auto sk = static_cast<slong>(k);
    arb_mat_t g, rhs, sol;
    arb_mat_init(g, sk, sk);
    arb_mat_init(rhs, sk, 1);
    arb_mat_init(sol, sk, 1);
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t l = 0; l < k; ++l)
        arb_set(arb_mat_entry(g, static_cast<slong>(j), static_cast<slong>(l)), gm_[j * k + l].arb());
      arb_neg(arb_mat_entry(rhs, static_cast<slong>(j), 0), beta_[j].arb());
    }
    const bool ok = arb_mat_solve(sol, g, rhs, prec_) != 0;
    if (ok)
      for (std::size_t j = 0; j < k; ++j) arb_set(t_[j].arb(), arb_mat_entry(sol, static_cast<slong>(j), 0));
    arb_mat_clear(g);
    arb_mat_clear(rhs);
    arb_mat_clear(sol);
    return found_if(ok);
  }

  // r at x = Σ λ_i v_i with λ_i = m_i / Σ m (m_i integers from the steering
  // coordinates): x ∈ T, ℓ(x) = Σ λ_i ℓ(v_i) exactly, and every enclosure
  // below holds at the exact x (Lemma C1.1).
  void witness_at(const Piece& p, const std::vector<double>& approx, arf_t lower,
                  std::vector<double>& witness) {
    const std::size_t d = ud(), n = d + 1, w = d + 1;
    std::vector<slong> m(n);
    slong total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = static_cast<slong>(std::llround(std::min(1.0, std::max(0.0, approx[i])) * 1048576.0));
      total += m[i];
    }
    if (total == 0) return;
    for (std::size_t k = 0; k <= d; ++k) arb_zero(x_[k].arb());
    for (std::size_t i = 0; i < n; ++i) {
      if (m[i] == 0) continue;
      arb_set_si(tb_.arb(), m[i]);
      arb_div_si(tb_.arb(), tb_.arb(), total, prec_);
      for (std::size_t k = 0; k <= d; ++k) arb_addmul(x_[k].arb(), tb_.arb(), p.data[i * w + k].arb(), prec_);
    }
    target_.point(x_.data(), fx_);
    arb_sub(fx_.arb(), fx_.arb(), x_[d].arb(), prec_);
    if (!fx_.is_finite()) return;
    arb_get_abs_lbound_arf(tmp2_.x, fx_.arb(), prec_);
    if (arf_cmp(tmp2_.x, lower) > 0) {
      arf_set(lower, tmp2_.x);
      witness.resize(d);
      for (std::size_t k = 0; k < d; ++k) witness[k] = x_[k].mid_approx();
    }
  }

 private:
  LocalTarget& target_;
  int d_, n_;
  slong prec_;
  std::vector<std::vector<std::size_t>> faces_;
  std::vector<Ball> hdv_;  // H δ_i per vertex
  std::vector<Ball> lo_, hi_, c_, rho_, g_, b_, h_, delta_, hd_, value_, grad_, e_, he_, beta_, t_, gm_, x_;
  Ball a_, lc_, eps_, tb_, val_, sum_, det_, fx_, unit_, one_{Ball::from_rational(Rational(1), 64)};
  BoxJet jet_;
  std::vector<Ball> jet_lo_, jet_hi_;  // the box jet_ belongs to
  bool have_jet_ = false;
  Arf tmp_, tmp2_, hi_q_, lo_q_;
  std::vector<double> argmax_, argmin_;
  bool high_ = true;
  arb_mat_t me_, mdw_, mg_;
};

// Lemma S2: the halves across the midpoint of the longest edge (squared
// lengths compared on the midpoints in double: the choice steers only).
// The parent's data moves into the second half.
inline std::pair<Piece, Piece> bisect(Piece&& p, std::size_t d, slong prec) {
  const std::size_t n = d + 1, w = d + 1;
  std::size_t bi = 0, bj = 1;
  double best = -1;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      double len = 0;
      for (std::size_t k = 0; k < d; ++k) {
        const double e = p.data[j * w + k].mid_approx() - p.data[i * w + k].mid_approx();
        len += e * e;
      }
      if (len > best) {
        best = len;
        bi = i;
        bj = j;
      }
    }
  std::pair<Piece, Piece> out;
  out.first.data = p.data;
  for (std::size_t k = 0; k <= d; ++k) {  // coordinates and ℓ's value (affine: the mean)
    Ball& m = out.first.data[bj * w + k];
    arb_add(m.arb(), p.data[bi * w + k].arb(), p.data[bj * w + k].arb(), prec);
    arb_mul_2exp_si(m.arb(), m.arb(), -1);
    p.data[bi * w + k] = m;
  }
  out.second.data = std::move(p.data);
  return out;
}

}  // namespace mgdl::geom::detail
