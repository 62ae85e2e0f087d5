// Lemma S8 (v), proofs/simplices.md: a triangle cut along a quadratic Bézier
// arc. Reference coordinates λ with x = v_a + λ_b e_b + λ_c e_c; the arc is
// β(s) = (1 − s)² P + 2s(1 − s) K + s² Q with exact dyadic P = (t_b, 0),
// K = (κ_b, κ_c), Q = (0, t_c), and T1 = {θ β(s) : s, θ ∈ [0, 1]}.
#include "curved_cut.hpp"

#include <algorithm>
#include <cmath>

#include "piece_bounder.hpp"

namespace mgdl::geom::detail {

using num::Ball;

namespace {

// The dyadic nearest to v on the grid 2^-24 (steering values made exact).
double dyadic(double v) {
  return std::ldexp(std::nearbyint(std::ldexp(v, 24)), -24);
}

// A zero of c0 + c1 t + c2 t² + c3 t³ near t (Newton, steering only).
double newton(const double (&c)[4], double t) {
  for (int it = 0; it < 8; ++it) {
    const double f = c[0] + t * (c[1] + t * (c[2] + t * c[3])), df = c[1] + t * (2 * c[2] + 3 * t * c[3]);
    if (!(std::abs(df) > 0)) break;
    t -= f / df;
  }
  return t;
}

// The real roots of c0 + c1 t + c2 t² by the stable formula; how many (0..2).
int quadratic_roots(double c0, double c1, double c2, double& r0, double& r1) {
  if (std::abs(c2) <= 1e-14 * (std::abs(c1) + std::abs(c0))) {
    if (!(std::abs(c1) > 0)) return 0;
    r0 = -c0 / c1;
    return 1;
  }
  const double disc = c1 * c1 - 4 * c2 * c0;
  if (!(disc >= 0)) return 0;
  const double h = -0.5 * (c1 + std::copysign(std::sqrt(disc), c1));
  r0 = h / c2;
  r1 = h != 0 ? c0 / h : r0;
  return 2;
}

// The cubic's one zero in (0, 1] (from the quadratic part's zeros, refined);
// else 1 when one zero lies in (1, 3/2] (the zero set leaves the edge near its
// far vertex, as at the grid vertices, where r vanishes); else 0.
double edge_root(const double (&c)[4]) {
  double r[2] = {0, 0};
  const int n = quadratic_roots(c[0], c[1], c[2], r[0], r[1]);
  int inside = 0, near = 0;
  double found = 0;
  for (int i = 0; i < n; ++i) {
    const double t = newton(c, r[i]);
    if (t > 0 && t <= 1) {
      found = t;
      ++inside;
    } else if (t > 1 && t <= 1.5) {
      ++near;
    }
  }
  if (inside == 1) return found;
  return inside == 0 && near == 1 ? 1 : 0;
}

// The homogeneous parts F_1..F_3 of the model at λ = (x, y), f[k][i] the
// coefficient of x^{k−i} y^i (steering only).
void forms(const double (&f)[4][4], double x, double y, double (&out)[4]) {
  out[0] = f[0][0];
  out[1] = f[1][0] * x + f[1][1] * y;
  out[2] = (f[2][0] * x + f[2][1] * y) * x + f[2][2] * y * y;
  out[3] = ((f[3][0] * x + f[3][1] * y) * x + f[3][2] * y * y) * x + f[3][3] * y * y * y;
}

// The exact upper endpoint of x, as a ball of radius 0.
Ball upper(const Ball& x, slong prec) {
  Ball u;
  arb_get_ubound_arf(arb_midref(u.arb()), x.arb(), prec);
  return u;
}

// T[u, v, w] for the symmetric tensor with T_xxx, T_xxy, T_xyy, T_yyy = t[0..3]
// (the entry depends only on how many indices are y).
void trilinear(const Ball (&t)[4], const Ball* u, const Ball* v, const Ball* w, Ball& out, slong prec) {
  Ball p;
  arb_zero(out.arb());
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k) {
        arb_mul(p.arb(), u[i].arb(), v[j].arb(), prec);
        arb_mul(p.arb(), p.arb(), w[k].arb(), prec);
        arb_addmul(out.arb(), p.arb(), t[i + j + k].arb(), prec);
      }
}

// uᵀ H v for the symmetric H with H_xx, H_xy, H_yy = h[0..2].
void bilinear(const Ball (&h)[3], const Ball* u, const Ball* v, Ball& out, slong prec) {
  Ball p;
  arb_zero(out.arb());
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      arb_mul(p.arb(), u[i].arb(), v[j].arb(), prec);
      arb_addmul(out.arb(), p.arb(), h[i + j].arb(), prec);
    }
}

}  // namespace

// J = β_b β_c' − β_c β_b' = j[0] + j[1] s + j[2] s² for the arc's fractions:
// exact in doubles when they are 24-bit dyadics (Lemma S8 (v)).
void CurvedCut::jacobian(const Steer& st, double (&j)[3]) {
  j[0] = 2 * st.tb * st.kc;
  j[1] = 2 * st.tb * (st.tc - 2 * st.kc);
  j[2] = (st.tc - 2 * st.kc) * (2 * st.kb - 2 * st.tb) - (st.tb - 2 * st.kb) * (2 * st.kc);
}

CurvedCut::CurvedCut(int degree, slong prec) : prec_(prec) {
  // In (s, θ) a degree-m polynomial of x times the weight θ J(s) has degree
  // m + 1 in θ and 2m + 2 in s (Lemma S8 (v)).
  gauss_legendre01(static_cast<std::size_t>(degree + 2), prec, s_node_, s_weight_);
  gauss_legendre01(static_cast<std::size_t>((degree + 3) / 2), prec, t_node_, t_weight_);
  long binom[kDegree + 1][kDegree + 1] = {};
  for (int n = 0; n <= kDegree; ++n) {
    binom[n][0] = 1;
    for (int k = 1; k <= n; ++k) binom[n][k] = binom[n - 1][k - 1] + (k < n ? binom[n - 1][k] : 0);
  }
  for (int k = 0; k <= kDegree; ++k)
    for (int i = 0; i <= k; ++i) {
      arb_set_si(binom_ratio_[k][i].arb(), binom[k][i]);
      arb_div_si(binom_ratio_[k][i].arb(), binom_ratio_[k][i].arb(), binom[kDegree][i], prec);
    }
}

// p's Bernstein coefficients of degree 6 on [0, 1]: b_k = Σ_{i<=k} C(k,i)/C(6,i) a_i.
void CurvedCut::bernstein(const Poly& p, Poly& out) const {
  for (int k = 0; k <= kDegree; ++k)
    arb_dot(out.c[k].arb(), nullptr, 0, binom_ratio_[k][0].arb(), 1, p.c[0].arb(), 1, k + 1, prec_);
}

// de Casteljau at 1/2: the Bernstein coefficients on the two halves.
void CurvedCut::halve(const Poly& in, Poly& left, Poly& right) const {
  Poly w = in;
  for (int level = 0; level <= kDegree; ++level) {
    left.c[level] = w.c[0];
    right.c[kDegree - level] = w.c[kDegree - level];
    for (int k = 0; k + level < kDegree; ++k) {
      arb_add(w.c[k].arb(), w.c[k].arb(), w.c[k + 1].arb(), prec_);
      arb_mul_2exp_si(w.c[k].arb(), w.c[k].arb(), -1);
    }
  }
}

// Lower and upper endpoints (exact) from Bernstein coefficients: every
// member of the polynomial lies in their hull on the interval.
void CurvedCut::range(const Poly& p, Ball& lo, Ball& hi) const {
  Arf l, u;
  for (int k = 0; k <= kDegree; ++k) {
    arb_get_lbound_arf(l.x, p.c[k].arb(), prec_);
    arb_get_ubound_arf(u.x, p.c[k].arb(), prec_);
    if (k == 0 || arf_cmp(l.x, arb_midref(lo.arb())) < 0) arf_set(arb_midref(lo.arb()), l.x);
    if (k == 0 || arf_cmp(u.x, arb_midref(hi.arb())) > 0) arf_set(arb_midref(hi.arb()), u.x);
  }
  mag_zero(arb_radref(lo.arb()));
  mag_zero(arb_radref(hi.arb()));
}

// ∫_0^U of the positive part of the affine function with values y0 at 0 and
// y1 at U (doubles: steering only).
double positive_part(double y0, double y1, double u) {
  if (y0 <= 0 && y1 <= 0) return 0;
  if (y0 >= 0 && y1 >= 0) return u * (y0 + y1) / 2;
  const double top = std::max(y0, y1);
  return u * top * top / (2 * (std::abs(y0) + std::abs(y1)));
}

// An upper bound of ∫_0^U h⁻ du when h >= G + A u − C2 u² − C3 u³ on [0, U]
// (C2, C3 >= 0): h >= G + B u with B = A − C2 U − C3 U², so h⁻ <= (−G − Bu)⁺, whose
// integral grows with the values y0 = −G, y1 = −G − BU (taken rounded up).
void CurvedCut::fibre_band(const Ball& g, const Ball& a, const Ball& c2, const Ball& c3, const Ball& u_max,
                           Ball& out) const {
  Ball b, t, y0, y1;
  arb_mul(t.arb(), c3.arb(), u_max.arb(), prec_);
  arb_add(t.arb(), t.arb(), c2.arb(), prec_);
  arb_mul(t.arb(), t.arb(), u_max.arb(), prec_);
  arb_sub(b.arb(), a.arb(), t.arb(), prec_);
  arb_neg(y0.arb(), g.arb());
  arb_mul(t.arb(), b.arb(), u_max.arb(), prec_);
  arb_sub(y1.arb(), y0.arb(), t.arb(), prec_);
  y0 = upper(y0, prec_);
  y1 = upper(y1, prec_);
  const int s0 = arf_sgn(arb_midref(y0.arb())), s1 = arf_sgn(arb_midref(y1.arb()));
  if (s0 <= 0 && s1 <= 0) {
    arb_zero(out.arb());
  } else if (s0 >= 0 && s1 >= 0) {
    arb_add(out.arb(), y0.arb(), y1.arb(), prec_);  // U (y0 + y1) / 2
    arb_mul(out.arb(), out.arb(), u_max.arb(), prec_);
    arb_mul_2exp_si(out.arb(), out.arb(), -1);
  } else {
    // One end positive: the triangle U top² / (2 (|y0| + |y1|)).
    arb_abs(t.arb(), y0.arb());
    arb_abs(b.arb(), y1.arb());
    arb_add(t.arb(), t.arb(), b.arb(), prec_);
    arb_sqr(out.arb(), s0 > 0 ? y0.arb() : y1.arb(), prec_);
    arb_div(out.arb(), out.arb(), t.arb(), prec_);
    arb_mul(out.arb(), out.arb(), u_max.arb(), prec_);
    arb_mul_2exp_si(out.arb(), out.arb(), -1);
  }
}

bool CurvedCut::plan(const Ball* const (&v)[3], const Cubic2& m, double limit) {
  // Steering in doubles: the model in λ for each choice of a, its arc, and an
  // estimate of its band; only the best is certified.
  double x[3][2], c[2], b[2], h[3], t[4];
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 2; ++k) x[i][k] = v[i][k].mid_approx();
  for (int k = 0; k < 2; ++k) {
    c[k] = m.c[k].mid_approx();
    b[k] = m.b[k].mid_approx();
  }
  for (int k = 0; k < 3; ++k) h[k] = m.h[k].mid_approx();
  for (int k = 0; k < 4; ++k) t[k] = m.t[k].mid_approx();
  auto bi = [&](const double* u, const double* w) {
    return u[0] * (h[0] * w[0] + h[1] * w[1]) + u[1] * (h[1] * w[0] + h[2] * w[1]);
  };
  auto tri = [&](const double* u, const double* w, const double* z) {
    double s = 0;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        for (int k = 0; k < 2; ++k) s += t[i + j + k] * u[i] * w[j] * z[k];
    return s;
  };
  const double eps = m.eps.mid_approx();
  double best = limit;
  int chosen = -1;
  for (int a = 0; a < 3; ++a) {
    const int ib = (a + 1) % 3, ic = (a + 2) % 3;
    double eb[2], ec[2], da[2];
    for (int k = 0; k < 2; ++k) {
      eb[k] = x[ib][k] - x[a][k];
      ec[k] = x[ic][k] - x[a][k];
      da[k] = x[a][k] - c[k];
    }
    Lambda l;
    // Gradient and Hessian of the model at v_a, then the forms in λ.
    double g[2], kb[2], kc[2];
    for (int i = 0; i < 2; ++i) {
      const double ei[2] = {i == 0 ? 1.0 : 0.0, i == 1 ? 1.0 : 0.0};
      g[i] = b[i] + bi(ei, da) + tri(ei, da, da) / 2;
      kb[i] = bi(ei, eb) + tri(ei, da, eb);
      kc[i] = bi(ei, ec) + tri(ei, da, ec);
    }
    l.f[0][0] = m.a.mid_approx() + b[0] * da[0] + b[1] * da[1] + bi(da, da) / 2 + tri(da, da, da) / 6;
    l.f[1][0] = g[0] * eb[0] + g[1] * eb[1];
    l.f[1][1] = g[0] * ec[0] + g[1] * ec[1];
    l.f[2][0] = (eb[0] * kb[0] + eb[1] * kb[1]) / 2;
    l.f[2][1] = eb[0] * kc[0] + eb[1] * kc[1];
    l.f[2][2] = (ec[0] * kc[0] + ec[1] * kc[1]) / 2;
    l.f[3][0] = tri(eb, eb, eb) / 6;
    l.f[3][1] = tri(eb, eb, ec) / 2;
    l.f[3][2] = tri(eb, ec, ec) / 2;
    l.f[3][3] = tri(ec, ec, ec) / 6;
    // The arc across T, and the far edge itself (T1 = T: no crossing, the
    // band along that edge and wherever the model is within ε of 0).
    Steer st[3];
    const bool ok[3] = {steer(l, st[0]), true, true};
    for (int i = 1; i < 3; ++i) {
      st[i].tb = st[i].tc = 1;
      st[i].kb = st[i].kc = 0.5;
      st[i].sigma = i == 1 ? 1 : -1;
    }
    for (int i = 0; i < 3; ++i) {
      if (!ok[i]) continue;
      const double est = std::abs(eb[0] * ec[1] - eb[1] * ec[0]) * estimate(l, st[i], eps);
      if (est < best) {
        best = est;
        chosen = a;
        steer_ = st[i];
        whole_ = i > 0;
      }
    }
  }
  if (chosen < 0) return false;
  const auto a = static_cast<std::size_t>(chosen);
  lone_ = a;
  va_ = v[a];
  vb_ = v[(a + 1) % 3];
  vc_ = v[(a + 2) % 3];
  return certify(m);
}

// P, Q at the model's single zeros on the two edges, K so that the arc's
// midpoint β(1/2) is the model's zero on the ray through (P + Q)/2 nearest to
// it, σ the model's sign at v_a; all dyadic. Any values pass certify's checks.
bool CurvedCut::steer(const Lambda& m, Steer& st) {
  const double q0 = m.f[0][0];
  if (!(q0 != 0)) return false;
  st.sigma = q0 > 0 ? 1 : -1;
  st.tb = dyadic(edge_root({q0, m.f[1][0], m.f[2][0], m.f[3][0]}));
  st.tc = dyadic(edge_root({q0, m.f[1][1], m.f[2][2], m.f[3][3]}));
  if (!(st.tb > 0 && st.tb <= 1 && st.tc > 0 && st.tc <= 1)) return false;
  const double mid[2] = {st.tb / 2, st.tc / 2};
  double ray[4];
  forms(m.f, mid[0], mid[1], ray);
  double r0 = 0, r1 = 0;
  const int nr = quadratic_roots(ray[0], ray[1], ray[2], r0, r1);
  if (nr == 0) return false;
  const double tau = newton(ray, nr == 1 || std::abs(r0 - 1) <= std::abs(r1 - 1) ? r0 : r1);
  // K = (2τ − 1)(P + Q)/2, kept in the triangle: the arc bends no further
  // than the vertex v_a or the far edge.
  const double f = std::min(std::max(2 * tau - 1, 0.0), 2 / (st.tb + st.tc));
  if (!std::isfinite(f)) return false;
  st.kb = dyadic(f * mid[0]);
  st.kc = dyadic(f * mid[1]);
  while (st.kb + st.kc > 1) {
    st.kb = std::max(0.0, st.kb - 0x1p-24);
    st.kc = std::max(0.0, st.kc - 0x1p-24);
  }
  return st.kb >= 0 && st.kc >= 0;
}

// The band's bound in λ (times |det E| later), as certify computes it, with
// ranges over each part S_j taken from samples along the arc.
double CurvedCut::estimate(const Lambda& m, const Steer& st, double eps) {
  const double u = 1 / std::min(std::min(st.tb, st.tc), st.kb + st.kc) - 1;
  double jc[3];
  jacobian(st, jc);
  const double j0 = jc[0], j1 = jc[1], j2 = jc[2];
  double total = 0;
  constexpr int kSamples = 4;
  for (int j = 0; j < kParts; ++j) {
    double qmin = HUGE_VAL, qmax = -HUGE_VAL, amin = HUGE_VAL, s2min = HUGE_VAL, s2max = -HUGE_VAL,
           s3max = -HUGE_VAL;
    for (int n = 0; n < kSamples; ++n) {
      const double s = (j + static_cast<double>(n) / (kSamples - 1)) / kParts, r = 1 - s;
      const double bb = st.tb * r * r + 2 * st.kb * s * r, bc = 2 * st.kc * s * r + st.tc * s * s;
      double fk[4];
      forms(m.f, bb, bc, fk);
      const double q0 = st.sigma * (fk[0] + fk[1] + fk[2] + fk[3]);
      const double s1 = st.sigma * (fk[1] + 2 * fk[2] + 3 * fk[3]), s2 = st.sigma * (fk[2] + 3 * fk[3]);
      qmin = std::min(qmin, q0);
      qmax = std::max(qmax, q0);
      amin = std::min(amin, -s1);
      s2min = std::min(s2min, s2);
      s2max = std::max(s2max, s2);
      s3max = std::max(s3max, st.sigma * fk[3]);
    }
    const double c3 = std::max(0.0, s3max), c21 = std::max(0.0, -s2min), c22 = std::max(0.0, s2max);
    const double g1 = qmin - eps, b1 = amin - c21 - c3, g2 = -qmax - eps, b2 = amin - c22 * u - c3 * u * u;
    const double band = positive_part(-g1, -g1 - b1, 1) + (1 + u) * positive_part(-g2, -g2 - b2 * u, u);
    const double l = static_cast<double>(j) / kParts, r = static_cast<double>(j + 1) / kParts;
    const double jint = j0 * (r - l) + j1 * (r * r - l * l) / 2 + j2 * (r * r * r - l * l * l) / 3;
    total += jint * band;
  }
  return std::isfinite(total) ? total : HUGE_VAL;
}

bool CurvedCut::certify(const Cubic2& m) {
  const double tb = steer_.tb, tc = steer_.tc, kb = steer_.kb, kc = steer_.kc;
  const int sigma = steer_.sigma;
  sigma_ = sigma;
  // J = β_b β_c' − β_c β_b' = j0 + j1 s + j2 s² (the Jacobian of (s, θ) ↦ θβ(s)
  // is θ J(s)) and W = β_b + β_c with Bernstein coefficients (t_b, κ_b + κ_c,
  // t_c): exact in doubles (24-bit dyadics), so both checks are exact.
  jacobian(steer_, j_);
  const double j0 = j_[0], j1 = j_[1], j2 = j_[2];
  // Lemma S8 (v)'s hypotheses, whatever the steering gave: fractions on the
  // 2^-24 grid, t_b, t_c ∈ (0, 1], κ_b, κ_c >= 0 (so the products below are exact).
  for (const double f : {tb, tc, kb, kc})
    if (!(f >= 0 && f <= 1 && std::ldexp(f, 24) == std::nearbyint(std::ldexp(f, 24)))) return false;
  if (!(tb > 0 && tc > 0)) return false;
  if (!(j0 > 0 && j0 + j1 / 2 > 0 && j0 + j1 + j2 > 0)) return false;  // J > 0: each ray meets the arc once
  if (!(kb + kc <= 1)) return false;                                   // W <= 1: the arc lies in T
  arb_set_d(tb_.arb(), tb);
  arb_set_d(tc_.arb(), tc);
  arb_set_d(kb_.arb(), kb);
  arb_set_d(kc_.arb(), kc);
  // The model in λ, in balls: F0 + F1 + F2 + F3 (the coefficients of λ_b^{k−i} λ_c^i).
  Ball da[2], g[2], kbv[2], kcv[2], t, e[2][2];
  for (int k = 0; k < 2; ++k) {
    arb_sub(eb_[k].arb(), vb_[k].arb(), va_[k].arb(), prec_);
    arb_sub(ec_[k].arb(), vc_[k].arb(), va_[k].arb(), prec_);
    arb_sub(da[k].arb(), va_[k].arb(), m.c[k].arb(), prec_);
  }
  arb_mul(det_.arb(), eb_[0].arb(), ec_[1].arb(), prec_);
  arb_submul(det_.arb(), eb_[1].arb(), ec_[0].arb(), prec_);
  arb_abs(det_.arb(), det_.arb());
  arb_one(e[0][0].arb());
  arb_one(e[1][1].arb());
  for (int i = 0; i < 2; ++i) {
    // ∇m(v_a)_i = b_i + (H da)_i + ½ T[e_i, da, da]; ∇²m(v_a) e_b, ∇²m(v_a) e_c.
    bilinear(m.h, e[i], da, g[i], prec_);
    arb_add(g[i].arb(), g[i].arb(), m.b[i].arb(), prec_);
    trilinear(m.t, e[i], da, da, t, prec_);
    arb_mul_2exp_si(t.arb(), t.arb(), -1);
    arb_add(g[i].arb(), g[i].arb(), t.arb(), prec_);
    bilinear(m.h, e[i], eb_, kbv[i], prec_);
    trilinear(m.t, e[i], da, eb_, t, prec_);
    arb_add(kbv[i].arb(), kbv[i].arb(), t.arb(), prec_);
    bilinear(m.h, e[i], ec_, kcv[i], prec_);
    trilinear(m.t, e[i], da, ec_, t, prec_);
    arb_add(kcv[i].arb(), kcv[i].arb(), t.arb(), prec_);
  }
  Ball f[4][4];
  bilinear(m.h, da, da, f[0][0], prec_);
  arb_mul_2exp_si(f[0][0].arb(), f[0][0].arb(), -1);
  trilinear(m.t, da, da, da, t, prec_);
  arb_div_ui(t.arb(), t.arb(), 6, prec_);
  arb_add(f[0][0].arb(), f[0][0].arb(), t.arb(), prec_);
  arb_add(f[0][0].arb(), f[0][0].arb(), m.a.arb(), prec_);
  for (int k = 0; k < 2; ++k) arb_addmul(f[0][0].arb(), m.b[k].arb(), da[k].arb(), prec_);
  arb_dot(f[1][0].arb(), nullptr, 0, g[0].arb(), 1, eb_[0].arb(), 1, 2, prec_);
  arb_dot(f[1][1].arb(), nullptr, 0, g[0].arb(), 1, ec_[0].arb(), 1, 2, prec_);
  arb_dot(f[2][0].arb(), nullptr, 0, kbv[0].arb(), 1, eb_[0].arb(), 1, 2, prec_);
  arb_mul_2exp_si(f[2][0].arb(), f[2][0].arb(), -1);
  arb_dot(f[2][1].arb(), nullptr, 0, kcv[0].arb(), 1, eb_[0].arb(), 1, 2, prec_);
  arb_dot(f[2][2].arb(), nullptr, 0, kcv[0].arb(), 1, ec_[0].arb(), 1, 2, prec_);
  arb_mul_2exp_si(f[2][2].arb(), f[2][2].arb(), -1);
  trilinear(m.t, eb_, eb_, eb_, f[3][0], prec_);
  arb_div_ui(f[3][0].arb(), f[3][0].arb(), 6, prec_);
  trilinear(m.t, eb_, eb_, ec_, f[3][1], prec_);
  arb_mul_2exp_si(f[3][1].arb(), f[3][1].arb(), -1);
  trilinear(m.t, eb_, ec_, ec_, f[3][2], prec_);
  arb_mul_2exp_si(f[3][2].arb(), f[3][2].arb(), -1);
  trilinear(m.t, ec_, ec_, ec_, f[3][3], prec_);
  arb_div_ui(f[3][3].arb(), f[3][3].arb(), 6, prec_);
  // β_b = t_b + (2κ_b − 2t_b) s + (t_b − 2κ_b) s², β_c = 2κ_c s + (t_c − 2κ_c) s²
  // (exact), their products, and F_k(β(s)) as polynomials in s.
  Poly pw[4][4];  // pw[k][i] = β_b^{k−i} β_c^i
  arb_one(pw[0][0].c[0].arb());
  arb_set_d(pw[1][0].c[0].arb(), tb);
  arb_set_d(pw[1][0].c[1].arb(), 2 * kb - 2 * tb);
  arb_set_d(pw[1][0].c[2].arb(), tb - 2 * kb);
  arb_set_d(pw[1][1].c[1].arb(), 2 * kc);
  arb_set_d(pw[1][1].c[2].arb(), tc - 2 * kc);
  auto mul = [&](const Poly& x, const Poly& y, int dx, int dy, Poly& out) {
    for (int i = 0; i <= dx + dy; ++i) arb_zero(out.c[i].arb());
    for (int i = 0; i <= dx; ++i)
      for (int j = 0; j <= dy; ++j) arb_addmul(out.c[i + j].arb(), x.c[i].arb(), y.c[j].arb(), prec_);
  };
  for (int k = 2; k <= 3; ++k) {
    for (int i = 0; i < k; ++i) mul(pw[k - 1][i], pw[1][0], 2 * (k - 1), 2, pw[k][i]);
    mul(pw[k - 1][k - 1], pw[1][1], 2 * (k - 1), 2, pw[k][k]);
  }
  // Q0 = m(β) = Σ F_k, S1 = Σ k F_k, S2 = F2 + 3 F3, S3 = F3: the expansions of
  // m(θβ(s)) = Σ θ^k F_k(β(s)) about θ = 1 (F_k homogeneous of degree k).
  Poly fk[4], q0p, s1p, s2p, s3p;
  arb_set(fk[0].c[0].arb(), f[0][0].arb());
  for (int k = 1; k <= 3; ++k)
    for (int n = 0; n <= 2 * k; ++n)
      for (int i = 0; i <= k; ++i) arb_addmul(fk[k].c[n].arb(), f[k][i].arb(), pw[k][i].c[n].arb(), prec_);
  for (int n = 0; n <= kDegree; ++n) {
    for (int k = 0; k <= 3; ++k) {
      arb_add(q0p.c[n].arb(), q0p.c[n].arb(), fk[k].c[n].arb(), prec_);
      arb_addmul_si(s1p.c[n].arb(), fk[k].c[n].arb(), k, prec_);
    }
    arb_mul_si(s2p.c[n].arb(), fk[3].c[n].arb(), 3, prec_);
    arb_add(s2p.c[n].arb(), s2p.c[n].arb(), fk[2].c[n].arb(), prec_);
    arb_set(s3p.c[n].arb(), fk[3].c[n].arb());
  }
  // Along the ray from v_a through β(s), u = |θ − 1|: σ_k m − ε = c0 + c1 u + c2 u² + c3 u³,
  // T1 (σ, θ = 1 − u): σQ0 − ε, −σS1, σS2, −σS3; T2 (−σ, θ = 1 + u): −σQ0 − ε, −σS1, −σS2, −σS3,
  // each bounded on the kParts equal parts S_j of [0, 1] by Bernstein coefficients.
  // U >= 1/W − 1 on [0, 1]: T2's rays run from θ = 1 to θ = 1/W(s).
  Ball u_max, one;
  arb_one(one.arb());
  arb_set_d(t.arb(), std::min(std::min(tb, tc), kb + kc));
  arb_inv(t.arb(), t.arb(), prec_);
  arb_sub_ui(t.arb(), t.arb(), 1, prec_);
  u_max = upper(t, prec_);
  Ball grow;  // θ <= 1 on T1 and θ <= 1 + U on T2 in the area element θ J(s) du ds
  arb_add_ui(grow.arb(), u_max.arb(), 1, prec_);
  const Poly* polys[4] = {&q0p, &s1p, &s2p, &s3p};
  Poly parts[4][kParts];
  for (int i = 0; i < 4; ++i) {
    bernstein(*polys[i], parts[i][0]);
    for (int level = 0; (1 << level) < kParts; ++level)
      for (int j = (1 << level) - 1; j >= 0; --j) {
        const Poly whole = parts[i][j];
        halve(whole, parts[i][2 * j], parts[i][2 * j + 1]);
      }
  }
  arb_zero(band_.arb());
  arb_zero(area_.arb());
  const Ball& eps = m.eps;
  Ball lo[4], hi[4], a, c21, c22, c3, gs, fb1, fb2, jint;
  for (int j = 0; j < kParts; ++j) {
    // ∫_{S_j} J, S_j = [l, r].
    Ball l, r, t2;
    arb_set_d(l.arb(), static_cast<double>(j) / kParts);
    arb_set_d(r.arb(), static_cast<double>(j + 1) / kParts);
    arb_zero(jint.arb());
    for (int n = 1; n <= 3; ++n) {
      arb_pow_ui(t.arb(), r.arb(), static_cast<ulong>(n), prec_);
      arb_pow_ui(t2.arb(), l.arb(), static_cast<ulong>(n), prec_);
      arb_sub(t.arb(), t.arb(), t2.arb(), prec_);
      arb_set_d(t2.arb(), n == 1 ? j0 : n == 2 ? j1 : j2);
      arb_mul(t.arb(), t.arb(), t2.arb(), prec_);
      arb_div_ui(t.arb(), t.arb(), static_cast<ulong>(n), prec_);
      arb_add(jint.arb(), jint.arb(), t.arb(), prec_);
    }
    arb_add(area_.arb(), area_.arb(), jint.arb(), prec_);
    for (int i = 0; i < 4; ++i) {  // the ranges of σQ0, σS1, σS2, σS3 on S_j
      range(parts[i][j], lo[i], hi[i]);
      if (sigma < 0) {
        arb_swap(lo[i].arb(), hi[i].arb());
        arb_neg(lo[i].arb(), lo[i].arb());
        arb_neg(hi[i].arb(), hi[i].arb());
      }
    }
    arb_neg(a.arb(), hi[1].arb());  // A = min(−σS1)
    arb_neg(c21.arb(), lo[2].arb());
    arb_nonnegative_part(c21.arb(), c21.arb());        // T1: (−min σS2)⁺
    arb_nonnegative_part(c22.arb(), hi[2].arb());      // T2: (max σS2)⁺
    arb_nonnegative_part(c3.arb(), hi[3].arb());       // both: (max σS3)⁺
    arb_sub(gs.arb(), lo[0].arb(), eps.arb(), prec_);  // T1: G = min σQ0 − ε
    fibre_band(gs, a, c21, c3, one, fb1);
    arb_add(gs.arb(), hi[0].arb(), eps.arb(), prec_);  // T2: G = −max σQ0 − ε
    arb_neg(gs.arb(), gs.arb());
    fibre_band(gs, a, c22, c3, u_max, fb2);
    arb_mul(fb2.arb(), fb2.arb(), grow.arb(), prec_);
    arb_add(fb1.arb(), fb1.arb(), fb2.arb(), prec_);
    arb_addmul(band_.arb(), fb1.arb(), jint.arb(), prec_);
  }
  arb_mul(band_.arb(), band_.arb(), det_.arb(), prec_);
  arb_mul(area_.arb(), area_.arb(), det_.arb(), prec_);
  arb_mul_2exp_si(area_.arb(), area_.arb(), -1);
  if (!arb_is_finite(band_.arb()) || !arb_is_finite(area_.arb())) return false;
  band_ = upper(band_, prec_);
  return true;
}

void CurvedCut::integrate(LocalTarget& target, Ball& sum) {
  Ball x[2], r, ell, lb, lc, bs[2], jac, t, w, dlb, dlc;
  arb_sub(dlb.arb(), vb_[2].arb(), va_[2].arb(), prec_);
  arb_sub(dlc.arb(), vc_[2].arb(), va_[2].arb(), prec_);
  arb_zero(sum.arb());
  for (std::size_t j = 0; j < s_node_.size(); ++j) {
    const Ball& s = s_node_[j];
    Ball s1m, ss;  // 1 − s, s(1 − s)
    arb_sub_ui(s1m.arb(), s.arb(), 1, prec_);
    arb_neg(s1m.arb(), s1m.arb());
    arb_mul(ss.arb(), s.arb(), s1m.arb(), prec_);
    // β(s), and J(s) = j0 + j1 s + j2 s² (exact coefficients).
    arb_sqr(bs[0].arb(), s1m.arb(), prec_);
    arb_mul(bs[0].arb(), bs[0].arb(), tb_.arb(), prec_);
    arb_mul(t.arb(), ss.arb(), kb_.arb(), prec_);
    arb_mul_2exp_si(t.arb(), t.arb(), 1);
    arb_add(bs[0].arb(), bs[0].arb(), t.arb(), prec_);
    arb_sqr(bs[1].arb(), s.arb(), prec_);
    arb_mul(bs[1].arb(), bs[1].arb(), tc_.arb(), prec_);
    arb_mul(t.arb(), ss.arb(), kc_.arb(), prec_);
    arb_mul_2exp_si(t.arb(), t.arb(), 1);
    arb_add(bs[1].arb(), bs[1].arb(), t.arb(), prec_);
    arb_set_d(jac.arb(), j_[2]);
    arb_mul(jac.arb(), jac.arb(), s.arb(), prec_);
    arb_set_d(t.arb(), j_[1]);
    arb_add(jac.arb(), jac.arb(), t.arb(), prec_);
    arb_mul(jac.arb(), jac.arb(), s.arb(), prec_);
    arb_set_d(t.arb(), j_[0]);
    arb_add(jac.arb(), jac.arb(), t.arb(), prec_);
    for (std::size_t i = 0; i < t_node_.size(); ++i) {
      const Ball& th = t_node_[i];
      arb_mul(lb.arb(), th.arb(), bs[0].arb(), prec_);
      arb_mul(lc.arb(), th.arb(), bs[1].arb(), prec_);
      for (int k = 0; k < 2; ++k) {
        arb_set(x[k].arb(), va_[k].arb());
        arb_addmul(x[k].arb(), lb.arb(), eb_[k].arb(), prec_);
        arb_addmul(x[k].arb(), lc.arb(), ec_[k].arb(), prec_);
      }
      arb_set(ell.arb(), va_[2].arb());
      arb_addmul(ell.arb(), lb.arb(), dlb.arb(), prec_);
      arb_addmul(ell.arb(), lc.arb(), dlc.arb(), prec_);
      target.point(x, r);
      arb_sub(r.arb(), r.arb(), ell.arb(), prec_);
      arb_mul(w.arb(), s_weight_[j].arb(), t_weight_[i].arb(), prec_);
      arb_mul(w.arb(), w.arb(), th.arb(), prec_);
      arb_mul(w.arb(), w.arb(), jac.arb(), prec_);
      arb_addmul(sum.arb(), w.arb(), r.arb(), prec_);
    }
  }
  arb_mul(sum.arb(), sum.arb(), det_.arb(), prec_);
}

}  // namespace mgdl::geom::detail
