// G<n>: tensor Gauss–Legendre with a signed Taylor remainder (proofs/integration.md,
// Lemmas I1, I2, I3, I6). Own Arb code; the checker's MPFI version is separate.
#include "mgdl/certify/leaf_rules.hpp"

#include <arb_poly.h>

#include "mgdl/certify/polygon.hpp"

namespace mgdl::certify {

using num::Ball;
using num::Rational;

void pow_nonneg(Ball& out, const Ball& x, const Rational& p, bool p_integer, slong prec) {
  if (p_integer) {
    arb_pow_ui(out.arb(), x.arb(), numerator(p).convert_to<unsigned long>(), prec);
    return;
  }
  Ball e = Ball::from_rational(p, prec);
  if (arb_is_positive(x.arb())) {
    arb_pow(out.arb(), x.arb(), e.arb(), prec);
    return;
  }
  Ball hi;
  arb_get_ubound_arf(arb_midref(hi.arb()), x.arb(), prec);
  if (arf_sgn(arb_midref(hi.arb())) <= 0) {
    arb_zero(out.arb());
    return;
  }
  arb_pow(hi.arb(), hi.arb(), e.arb(), prec);
  Ball zero;
  arb_union(out.arb(), zero.arb(), hi.arb(), prec);
}

namespace {

Rational ball_midpoint(const Ball& b) { return (num::lower_rational(b) + num::upper_rational(b)) / 2; }

// x^n exactly (square and multiply).
Rational rational_pow(Rational x, unsigned long n) {
  Rational out(1);
  for (; n > 0; n >>= 1) {
    if (n & 1) out *= x;
    if (n > 1) x *= x;
  }
  return out;
}

// J_+(a0, b) = ∫_B (a0 + Σ_i b_i (x_i − c_i))_+^p for an integer p (Lemma I4(a)):
// Π_{i∉S} 2r_i / (Π_{i∈S} b_i · Π_{j=1}^m (p + j)) · Σ_σ (Π σ_i)(a0 + Σ_{i∈S} σ_i b_i r_i)_+^{p+m}.
Rational j_plus(const Rational& a0, const std::vector<Rational>& b, const std::vector<Rational>& r,
                unsigned long p) {
  std::vector<std::size_t> s;
  Rational factor(1);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (b[i] != 0)
      s.push_back(i);
    else
      factor *= 2 * r[i];
  }
  const auto m = static_cast<unsigned long>(s.size());
  for (std::size_t i : s) factor /= b[i];
  for (unsigned long j = 1; j <= m; ++j) factor /= Rational(p + j);
  Rational sum(0);
  for (unsigned long mask = 0; mask < (1ul << m); ++mask) {
    Rational v = a0;
    int sign = 1;
    for (unsigned long k = 0; k < m; ++k) {
      const std::size_t i = s[k];
      if (mask & (1ul << k)) {
        v -= b[i] * r[i];
        sign = -sign;
      } else {
        v += b[i] * r[i];
      }
    }
    if (v <= 0) continue;
    const Rational t = rational_pow(v, p + m);
    if (sign > 0)
      sum += t;
    else
      sum -= t;
  }
  return factor * sum;
}

}  // namespace

// Lemma I4: |r − A| <= e = |r(c) − a0| + Σ_i |∂_i r(c) − b_i| r_i + ½ Σ_{i,j} sup_B |∂_ij f| r_i r_j
// (Lagrange on [c, x]; ∂_ij r = ∂_ij f as h is affine), |r|, |A| <= U = |a0| + Σ |b_i| r_i + e, and
// ||r|^p − |A|^p| <= p U^{p−1} e, so ∫_B |r|^p ∈ [max(0, I_A − vol p U^{p−1} e), I_A + vol p U^{p−1} e].
bool zero_crossing_rule(const resid::ResidualJet& jet, const net::Box& box, const Rational& p, slong prec,
                        Ball& out) {
  if (!jet.smooth || denominator(p) != 1 || p < 1) return false;
  const int d = box.dimension();
  const auto du = static_cast<std::size_t>(d);
  if (jet.gradient.size() != du || jet.hessian.size() != du * du) return false;
  if (!jet.value.is_finite()) return false;
  for (const Ball& g : jet.gradient)
    if (!g.is_finite()) return false;
  for (const Ball& h : jet.hessian)
    if (!h.is_finite()) return false;
  std::vector<Rational> r(du), b(du);
  for (std::size_t i = 0; i < du; ++i) r[i] = box.width(static_cast<int>(i)) / 2;
  const Rational a0 = ball_midpoint(jet.value);
  Ball t, u;
  auto dev = [&](const Ball& x, const Rational& m) {  // upper bound of |x − m|
    arb_sub(t.arb(), x.arb(), Ball::from_rational(m, prec).arb(), prec);
    return num::abs_upper_rational(t);
  };
  Rational e = dev(jet.value, a0);
  for (std::size_t i = 0; i < du; ++i) {
    b[i] = ball_midpoint(jet.gradient[i]);
    e += dev(jet.gradient[i], b[i]) * r[i];
  }
  for (std::size_t i = 0; i < du; ++i)
    for (std::size_t j = 0; j < du; ++j)
      e += num::abs_upper_rational(jet.hessian[i * du + j]) * r[i] * r[j] / 2;
  Rational big_u = abs(a0) + e;
  for (std::size_t i = 0; i < du; ++i) big_u += abs(b[i]) * r[i];
  const auto pi = numerator(p).convert_to<unsigned long>();
  std::vector<Rational> nb(du);
  for (std::size_t i = 0; i < du; ++i) nb[i] = -b[i];
  const Rational ia = j_plus(a0, b, r, pi) + j_plus(-a0, nb, r, pi);
  const Rational err =
      box.volume() * p * rational_pow(big_u, pi - 1) * e;
  Rational lo = ia - err;
  if (lo < 0) lo = 0;
  out = Ball::from_interval(lo, ia + err, prec);
  return out.is_finite();
}

// Lemma I10 (a) and (b): every axis on which R is certified monotone and every pair
// of axes on which ∂_ab f has a certified sign, with each choice of ends, give a band
// from R's enclosures over the leaf's faces and edges (each computed once); the
// smallest band wins.
bool face_band(resid::ResidualEvaluator& ev, const resid::ResidualJet& jet, const net::Box& box, slong prec,
               int& sign, Rational& band) {
  const auto du = static_cast<std::size_t>(box.dimension());
  if (!jet.smooth || jet.gradient.size() != du || jet.hessian.size() != du * du) return false;
  bool found = false;
  auto offer = [&](Rational v, int s) {
    if (v < 0) v = 0;
    if (!found || v < band) {
      found = true;
      band = v;
      sign = s;
    }
  };
  // R over the face x_a = (lo_a if end 0, hi_a if end 1), and over two such faces' edge.
  struct Range {
    bool done = false, ok = false;
    Rational lo, hi;
  };
  auto flat = [&](Range& r, const std::vector<std::pair<std::size_t, int>>& fixed) -> const Range& {
    if (!r.done) {
      net::Box f = box;
      for (const auto& [a, end] : fixed) {
        if (end == 0)
          f.hi[a] = box.lo[a];
        else
          f.lo[a] = box.hi[a];
      }
      const Ball e = ev.enclose(f);
      r.done = true;
      r.ok = e.is_finite();
      if (r.ok) {
        r.lo = num::lower_rational(e);
        r.hi = num::upper_rational(e);
      }
    }
    return r;
  };
  std::vector<Range> faces(2 * du), edges(4 * du * du);
  auto face = [&](std::size_t a, int end) -> const Range& {
    return flat(faces[2 * a + static_cast<std::size_t>(end)], {{a, end}});
  };
  Ball g, t;
  for (std::size_t a = 0; a < du; ++a) {
    // (a): ∂_a R over the box, ∂_a R(c) + Σ_j H_aj(B)·[−r_j, r_j] (C2).
    arb_set(g.arb(), jet.gradient[a].arb());
    for (std::size_t j = 0; j < du; ++j) {
      const Rational r = box.width(static_cast<int>(j)) / 2;
      arb_mul(t.arb(), jet.hessian[a * du + j].arb(), Ball::from_interval(-r, r, prec).arb(), prec);
      arb_add(g.arb(), g.arb(), t.arb(), prec);
    }
    const int mono = arb_is_nonnegative(g.arb()) ? 1 : arb_is_nonpositive(g.arb()) ? -1 : 0;
    if (mono == 0) continue;
    for (int end : {0, 1}) {
      const Range& r = face(a, end);
      if (!r.ok) continue;
      // The face where R is least (lo if increasing) bounds R⁻ (s = +1); the other bounds R⁺ (s = −1).
      const int s = (end == 0) == (mono > 0) ? 1 : -1;
      offer(s > 0 ? Rational(-r.lo) : r.hi, s);
    }
  }
  for (std::size_t a = 0; a < du; ++a)
    for (std::size_t b = a + 1; b < du; ++b) {
      // (b): τ0 the sign of ∂_ab f over B; ends e_a, e_b; τ = τ0 ε_a ε_b.
      const Ball& hab = jet.hessian[a * du + b];
      const int tau0 = arb_is_nonnegative(hab.arb()) ? 1 : arb_is_nonpositive(hab.arb()) ? -1 : 0;
      if (tau0 == 0) continue;
      for (int ea : {0, 1})
        for (int eb : {0, 1}) {
          const Range& fa = face(a, ea);
          const Range& fb = face(b, eb);
          const Range& e =
              flat(edges[4 * (a * du + b) + static_cast<std::size_t>(2 * ea + eb)], {{a, ea}, {b, eb}});
          if (!fa.ok || !fb.ok || !e.ok) continue;
          const int tau = tau0 * (ea == 0 ? 1 : -1) * (eb == 0 ? 1 : -1);
          if (tau > 0)
            offer(e.hi - fa.lo - fb.lo, 1);  // R >= R(x^a) + R(x^b) − R(x^ab)
          else
            offer(fa.hi + fb.hi - e.lo, -1);  // R <= R(x^a) + R(x^b) − R(x^ab)
        }
    }
  return found;
}

GaussLeafRule::GaussLeafRule(const resid::Residual& residual, slong prec)
    : residual_(&residual), f_(residual.target(), prec), series_(residual.target(), prec) {}

const GaussLegendre& GaussLeafRule::table(int n, slong prec) {
  auto key = std::make_pair(n, prec);
  auto it = tables_.find(key);
  if (it == tables_.end()) it = tables_.emplace(key, gauss_legendre(n, prec + 32)).first;
  return it->second;
}

// Lemma I6: with r = f − h and h affine on the base set, the series of r along
// `axis` is r_0 = f_0 − h(base) (∩ R(base)), r_1 = f_1 − ∂_axis h, r_k = f_k (k >= 2);
// g = (s r)^p by the power recurrences (integer p) or exp(p log(s r)) (s r > 0).
bool GaussLeafRule::g_from_f(const std::vector<Ball>& f, int order, int sign, const Rational& p,
                             const Ball& h_base, const Ball* range, const Ball& slope, slong prec,
                             std::vector<Ball>& g) {
  const slong n = order + 1;
  arb_ptr rv = _arb_vec_init(n);
  arb_ptr gv = _arb_vec_init(n);
  for (slong k = 0; k < n; ++k) arb_set(rv + k, f[static_cast<std::size_t>(k)].arb());
  arb_sub(rv, rv, h_base.arb(), prec);
  Ball both;
  if (range != nullptr && arb_intersection(both.arb(), rv, range->arb(), prec)) arb_set(rv, both.arb());
  if (order >= 1) arb_sub(rv + 1, rv + 1, slope.arb(), prec);
  if (sign < 0) _arb_vec_neg(rv, rv, n);
  bool ok = true;
  if (denominator(p) == 1) {
    _arb_poly_pow_ui_trunc_binexp(gv, rv, n, numerator(p).convert_to<unsigned long>(), n, prec);
  } else if (arb_is_positive(rv)) {
    Ball e = Ball::from_rational(p, prec);
    _arb_poly_pow_arb_series(gv, rv, n, e.arb(), n, prec);
  } else {
    ok = false;
  }
  ok = ok && _arb_vec_is_finite(gv, n);
  g.resize(static_cast<std::size_t>(n));
  for (slong k = 0; k < n; ++k) arb_set(g[static_cast<std::size_t>(k)].arb(), gv + k);
  _arb_vec_clear(rv, n);
  _arb_vec_clear(gv, n);
  return ok;
}

// Lemma I1: for g = (s r)^p smooth on B,
//   ∫_B g ∈ vol·( Σ_k Π_i (ω_{k_i}/2) g(c + ξ_k ∘ w/2) + Σ_i κ_n w_i^{2n} T_i ),
// T_i ⊇ ∂_i^{2n} g/(2n)! over B; Lemma I3 (centred form):
//   T_i = (a_{2n}(B_i) + (2n+1)·a_{2n+1}(B)·[−r_i, r_i]) ∩ a_{2n}(B), B_i = B with x_i = c_i.
bool GaussLeafRule::enclose(const net::Box& box, const Ball& range, int n, const Rational& p, slong prec,
                            Ball& out, int signed_integral) {
  const bool p_integer = denominator(p) == 1;
  const bool p_even = p_integer && numerator(p) % 2 == 0;
  if (!arb_is_finite(range.arb())) return false;
  if (signed_integral != 0 && (p != 1 || (signed_integral != 1 && signed_integral != -1))) return false;
  const int sign = signed_integral != 0           ? signed_integral
                   : p_even                       ? 1
                   : arb_is_positive(range.arb()) ? 1
                   : arb_is_negative(range.arb()) ? -1
                                                  : 0;
  if (sign == 0) return false;
  residual_->correction_on(box, prec, h_);
  if (!h_.affine) return false;
  if (f_.precision() != prec) f_.set_precision(prec);
  if (series_.precision() != prec) series_.set_precision(prec);
  const GaussLegendre& gl = table(n, prec);
  const int d = box.dimension();
  const auto du = static_cast<std::size_t>(d);
  const auto nn = static_cast<std::size_t>(n);
  center_.resize(du);
  radius_.resize(du);
  coords_.resize(du);
  offsets_.resize(du);
  point_.resize(du);
  Ball t, vol = Ball::from_rational(box.volume(), prec);
  for (std::size_t i = 0; i < du; ++i) {
    center_[i] = Ball::from_rational((box.lo[i] + box.hi[i]) / 2, prec);
    radius_[i] = Ball::from_rational((box.hi[i] - box.lo[i]) / 2, prec);
    coords_[i].resize(nn);
    offsets_[i].resize(nn);
    for (std::size_t j = 0; j < nn; ++j) {
      arb_mul(offsets_[i][j].arb(), gl.nodes[j].arb(), radius_[i].arb(), prec);
      arb_add(coords_[i][j].arb(), offsets_[i][j].arb(), center_[i].arb(), prec);
    }
  }
  // f's node values and series depend on the box, n and prec only (kept for the leaf).
  std::size_t nodes = 1;
  for (std::size_t i = 0; i < du; ++i) nodes *= nn;
  bool fresh = false;
  PieceValues* bv = values_for(nullptr, &box, n, prec, nodes, fresh);
  if (bv == nullptr) return false;
  // The tensor sum; r(x_k) = f(x_k) − h(c) − Σ_i ∂_i h·ξ_{k_i} r_i.
  Ball acc, wt, val, fx, term;
  std::vector<std::size_t> idx(du, 0);
  for (std::size_t node = 0;; ++node) {
    arb_one(wt.arb());
    arb_set(val.arb(), h_.value_at_center.arb());
    for (std::size_t i = 0; i < du; ++i) {
      point_[i] = coords_[i][idx[i]];
      arb_mul(wt.arb(), wt.arb(), gl.weights[idx[i]].arb(), prec);
      arb_addmul(val.arb(), h_.gradient[i].arb(), offsets_[i][idx[i]].arb(), prec);
    }
    arb_mul_2exp_si(wt.arb(), wt.arb(), -d);
    if (fresh) {
      f_.point(point_.data(), fx);
      if (!arb_is_finite(fx.arb())) return false;
      bv->fx[node] = fx;
    } else {
      fx = bv->fx[node];
    }
    arb_sub(val.arb(), fx.arb(), val.arb(), prec);
    if (sign < 0) arb_neg(val.arb(), val.arb());
    pow_nonneg(term, val, p, p_integer, prec);
    arb_addmul(acc.arb(), term.arb(), wt.arb(), prec);
    std::size_t i = 0;
    while (i < du && ++idx[i] == nn) idx[i++] = 0;
    if (i == du) break;
  }
  bv->ok = true;  // the node values are in; the series follow on demand
  // Σ_i κ_n w_i^{2n} T_i.
  const int order = 2 * n;
  Ball kappa = Ball::from_rational(gl.kappa, prec), h_box, h_slice, sym, ti;
  arb_set(h_box.arb(), h_.range.arb());
  base_.resize(du);
  for (std::size_t i = 0; i < du; ++i) base_[i] = Ball::from_interval(box.lo[i], box.hi[i], prec);
  for (std::size_t i = 0; i < du; ++i) {
    const std::vector<Ball>* fs =
        series_for(*bv, 2 * i, base_.data(), static_cast<int>(i), nullptr, order + 1);
    if (fs == nullptr || !g_from_f(*fs, order + 1, sign, p, h_box, &range, h_.gradient[i], prec, g_))
      return false;
    // The slice B_i: x_i = c_i; h(B_i) ⊆ h(c) + Σ_{j≠i} ∂_j h·[−r_j, r_j].
    std::vector<Ball> slice = base_;
    slice[i] = center_[i];
    arb_set(h_slice.arb(), h_.value_at_center.arb());
    for (std::size_t j = 0; j < du; ++j) {
      if (j == i) continue;
      arb_zero(sym.arb());
      arb_get_mag(arb_radref(sym.arb()), radius_[j].arb());
      arb_addmul(h_slice.arb(), h_.gradient[j].arb(), sym.arb(), prec);
    }
    fs = series_for(*bv, 2 * i + 1, slice.data(), static_cast<int>(i), nullptr, order);
    if (fs == nullptr || !g_from_f(*fs, order, sign, p, h_slice, &range, h_.gradient[i], prec, g2_))
      return false;
    const auto o = static_cast<std::size_t>(order);
    arb_zero(sym.arb());
    arb_get_mag(arb_radref(sym.arb()), radius_[i].arb());
    arb_mul(ti.arb(), g_[o + 1].arb(), sym.arb(), prec);
    arb_mul_ui(ti.arb(), ti.arb(), static_cast<ulong>(order + 1), prec);
    arb_add(ti.arb(), ti.arb(), g2_[o].arb(), prec);
    Ball both;
    if (arb_intersection(both.arb(), ti.arb(), g_[o].arb(), prec)) ti = both;
    arb_mul_2exp_si(t.arb(), radius_[i].arb(), 1);
    arb_pow_ui(t.arb(), t.arb(), static_cast<ulong>(order), prec);
    arb_mul(t.arb(), t.arb(), kappa.arb(), prec);
    arb_addmul(acc.arb(), t.arb(), ti.arb(), prec);
  }
  arb_mul(out.arb(), acc.arb(), vol.arb(), prec);
  return arb_is_finite(out.arb());
}

// Lemma I10: ∫_B |R| ∈ [∫_B s·R, ∫_B s·R + 2·vol·ν]; R⁻ (or R⁺) <= ν on B and
// |R| = s·R + 2·R^{∓}, so the band is twice the excursion times the volume.
bool GaussLeafRule::enclose_from_face(const net::Box& box, const Ball& range, int n, int sign,
                                      const Rational& band, slong prec, Ball& out) {
  if (band < 0 || !enclose(box, range, n, Rational(1), prec, out, sign)) return false;
  const Ball slack = Ball::from_interval(Rational(0), 2 * box.volume() * band, prec);
  arb_add(out.arb(), out.arb(), slack.arb(), prec);
  return arb_is_finite(out.arb()) != 0;
}

namespace {

// [min(a, b), max(a, b)] as a ball.
Ball hull_ball(const Rational& a, const Rational& b, slong prec) {
  return a < b ? Ball::from_interval(a, b, prec) : Ball::from_interval(b, a, prec);
}

}  // namespace

void GaussLeafRule::begin_leaf() {
  cached_ = 0;
}

GaussLeafRule::PieceValues* GaussLeafRule::values_for(const Trapezoid* t, const net::Box* box, int n,
                                                      slong prec, std::size_t nodes, bool& fresh) {
  auto same = [&](const PieceValues& c) {
    if (c.n != n || c.prec != prec || c.is_box != (box != nullptr)) return false;
    if (box != nullptr) return c.box.lo == box->lo && c.box.hi == box->hi;
    return c.t.x0 == t->x0 && c.t.x1 == t->x1 && c.t.lo0 == t->lo0 && c.t.lo1 == t->lo1 &&
           c.t.hi0 == t->hi0 && c.t.hi1 == t->hi1;
  };
  for (std::size_t q = 0; q < cached_; ++q) {
    if (!same(cache_[q])) continue;
    fresh = false;
    return cache_[q].ok ? &cache_[q] : nullptr;
  }
  fresh = true;
  PieceValues* v = &scratch_;
  if (cached_ < kMaxCached) {
    if (cached_ == cache_.size()) cache_.emplace_back();
    v = &cache_[cached_++];
  }
  v->is_box = box != nullptr;
  if (box != nullptr)
    v->box = *box;
  else
    v->t = *t;
  v->n = n;
  v->prec = prec;
  v->ok = false;  // until the caller has every node value in
  v->fx.resize(nodes);
  v->series_done = 0;
  return v;
}

const std::vector<Ball>* GaussLeafRule::series_for(PieceValues& v, std::size_t q, const Ball* base, int axis,
                                                   const Ball* dir, int order) {
  if (q >= v.series_done) {
    if (v.series.size() <= q) v.series.resize(q + 1);
    const bool ok = dir != nullptr ? series_.evaluate(base, dir, order, v.series[q])
                                   : series_.evaluate(base, axis, order, v.series[q]);
    if (!ok) return nullptr;
    v.series_done = q + 1;
  }
  return &v.series[q];
}

// Lemma I8(d): T = {x0 <= x <= x1, lo(x) <= y <= hi(x)}, J = hi − lo (affine, >= 0),
// Φ(x, t) = (x, lo(x) + t·J(x)), G = g∘Φ·J on [x0, x1] × [0, 1], ∫_T g = ∫ G, and
// I1 for G:
//   ∫_T g ∈ w·( Σ_{j,k} (ω_j/2)(ω_k/2) G(x_j, t_k) + κ_n w^{2n} T_x + κ_n T_t ),
//   T_t = [J]^{2n+1}·(a^{e2}_{2n}(mid) + (2n+1)·a^{e2}_{2n+1}(S)·[−J_max/2, J_max/2]) ∩ …,
//   T_x = (a^v_{2n}(V) + (2n+1)·a^v_{2n+1}(S)·[−w/2, w/2]) ∩ a^v_{2n}(S) · [J] + a^v_{2n−1}(S)·J',
// with S the bounding box, mid the bounding box of the midline, V the segment
// x = x_c, and v = (1, [slope of lo, slope of hi]) (series along a direction).
bool GaussLeafRule::enclose_trapezoid(const Trapezoid& tz, const net::AffineForm& h, const Ball* range, int n,
                                      const Rational& p, slong prec, Ball& out) {
  const bool p_integer = denominator(p) == 1;
  const bool p_even = p_integer && numerator(p) % 2 == 0;
  if (range == nullptr && !p_even) return false;
  if (range != nullptr && !arb_is_finite(range->arb())) return false;
  const int sign = p_even                              ? 1
                   : arb_is_positive(range->arb()) ? 1
                   : arb_is_negative(range->arb()) ? -1
                                                   : 0;
  if (sign == 0) return false;
  return trapezoid_rule(tz, h, sign, n, p, prec, out);
}

// Lemma I8(i) (p = 1): with |R − A| <= e on t and t cut by A = 0 into sides T_k on
// which s_k A >= 0, ∫_{T_k} |R| ∈ [∫ s_k R, ∫ s_k R + 2∫_{T_k} (e − s_k A)⁺]; the first
// term by I8(d) (no sign condition), the second exactly (T_k clipped by e − s_k A >= 0).
bool GaussLeafRule::enclose_abs_split(const Trapezoid& t, const net::AffineForm& a_in, const Rational& e_in,
                                      const net::AffineForm& h, int n, slong prec, Ball& out) {
  if (a_in.gradient.size() != 2 || e_in < 0) return false;
  // Any affine a with |R − a| <= e will do: a with 20-bit coefficients about the centre
  // of t's bounding box (e grows by the rounding, bounded over the box) keeps the
  // exact geometry below cheap.
  const net::Box bb = t.bounding_box();
  const std::vector<Rational> c = bb.center();
  const Rational alpha = net::value_at(a_in, c), alpha_r = num::round_down(alpha, 20);
  Rational e = e_in + (alpha - alpha_r);
  net::AffineForm a{alpha_r, {Rational(0), Rational(0)}};
  for (std::size_t i = 0; i < 2; ++i) {
    a.gradient[i] = num::round_down(a_in.gradient[i], 20);
    e += (a_in.gradient[i] - a.gradient[i]) * (bb.width(static_cast<int>(i)) / 2);
    a.constant -= a.gradient[i] * c[i];
  }
  e = num::round_up(e, 20);
  sides_.clear();
  if (!split_trapezoid(t, a, 8, sides_)) return false;
  Rational band(0);
  Ball part;
  arb_zero(out.arb());
  for (const Trapezoid& side : sides_) {
    bool nonneg = true, nonpos = true;
    Polygon poly;
    for (const auto& v : side.vertices()) {
      const int sg = net::value_at(a, v).sign();
      nonneg = nonneg && sg >= 0;
      nonpos = nonpos && sg <= 0;
      poly.push_back(Point2{v[0], v[1]});
    }
    if (!nonneg && !nonpos) return false;  // cannot happen (I8(c)); never claim
    const int s = nonneg ? 1 : -1;
    const net::AffineForm slack{e - s * a.constant, {-s * a.gradient[0], -s * a.gradient[1]}};
    band += 2 * integral(clip(poly, slack), slack);
    if (!trapezoid_rule(side, h, s, n, Rational(1), prec, part)) return false;
    arb_add(out.arb(), out.arb(), part.arb(), prec);
  }
  const Ball band_ball = Ball::from_interval(Rational(0), num::round_up(band, 64), prec);
  arb_add(out.arb(), out.arb(), band_ball.arb(), prec);
  return arb_is_finite(out.arb()) != 0;
}

bool GaussLeafRule::trapezoid_rule(const Trapezoid& tz, const net::AffineForm& h, int sign, int n,
                                   const Rational& p, slong prec, Ball& out) {
  const bool p_integer = denominator(p) == 1;
  if (h.gradient.size() != 2) return false;
  if (!(tz.x0 < tz.x1)) return false;
  const Rational w = tz.x1 - tz.x0, j0 = tz.hi0 - tz.lo0, j1 = tz.hi1 - tz.lo1;
  if (j0 < 0 || j1 < 0) return false;
  const Rational s_lo = (tz.lo1 - tz.lo0) / w, s_hi = (tz.hi1 - tz.hi0) / w, dj = s_hi - s_lo;
  const Rational xc = (tz.x0 + tz.x1) / 2;
  if (f_.precision() != prec) f_.set_precision(prec);
  if (series_.precision() != prec) series_.set_precision(prec);
  const GaussLegendre& gl = table(n, prec);
  const auto nn = static_cast<std::size_t>(n);
  // f's values and series on tz depend on tz, n and prec only: kept for the
  // leaf, so a second exponent (or sign) on the same piece reuses them.
  bool fresh = false;
  PieceValues* tv = values_for(&tz, nullptr, n, prec, nn * nn, fresh);
  if (tv == nullptr) return false;
  const Ball hc = Ball::from_rational(h.constant, prec), hx = Ball::from_rational(h.gradient[0], prec),
             hy = Ball::from_rational(h.gradient[1], prec);
  const Ball bx0 = Ball::from_rational(tz.x0, prec), bxc = Ball::from_rational(xc, prec),
             bhw = Ball::from_rational(w / 2, prec), blo0 = Ball::from_rational(tz.lo0, prec),
             bslo = Ball::from_rational(s_lo, prec), bj0 = Ball::from_rational(j0, prec),
             bdj = Ball::from_rational(dj, prec);
  // The tensor sum over the nodes x_j = x_c + ξ_j w/2, t_k = (1 + ξ_k)/2.
  Ball acc, xj, dx, loj, jj, tk, y, val, fx, term, wt;
  point_.resize(2);
  for (std::size_t j = 0; j < nn; ++j) {
    arb_mul(xj.arb(), gl.nodes[j].arb(), bhw.arb(), prec);
    arb_add(xj.arb(), xj.arb(), bxc.arb(), prec);
    arb_sub(dx.arb(), xj.arb(), bx0.arb(), prec);
    arb_mul(loj.arb(), bslo.arb(), dx.arb(), prec);
    arb_add(loj.arb(), loj.arb(), blo0.arb(), prec);
    arb_mul(jj.arb(), bdj.arb(), dx.arb(), prec);
    arb_add(jj.arb(), jj.arb(), bj0.arb(), prec);
    for (std::size_t k = 0; k < nn; ++k) {
      arb_add_ui(tk.arb(), gl.nodes[k].arb(), 1, prec);
      arb_mul_2exp_si(tk.arb(), tk.arb(), -1);
      arb_mul(y.arb(), tk.arb(), jj.arb(), prec);
      arb_add(y.arb(), y.arb(), loj.arb(), prec);
      point_[0] = xj;
      point_[1] = y;
      if (fresh) {
        f_.point(point_.data(), fx);
        if (!arb_is_finite(fx.arb())) return false;
        tv->fx[j * nn + k] = fx;
      } else {
        fx = tv->fx[j * nn + k];
      }
      arb_set(val.arb(), hc.arb());
      arb_addmul(val.arb(), hx.arb(), xj.arb(), prec);
      arb_addmul(val.arb(), hy.arb(), y.arb(), prec);
      arb_sub(val.arb(), fx.arb(), val.arb(), prec);
      if (sign < 0) arb_neg(val.arb(), val.arb());
      pow_nonneg(term, val, p, p_integer, prec);
      arb_mul(term.arb(), term.arb(), jj.arb(), prec);
      arb_mul(wt.arb(), gl.weights[j].arb(), gl.weights[k].arb(), prec);
      arb_mul_2exp_si(wt.arb(), wt.arb(), -2);
      arb_addmul(acc.arb(), term.arb(), wt.arb(), prec);
    }
  }
  const int order = 2 * n;
  const auto o = static_cast<std::size_t>(order);
  const Ball kappa = Ball::from_rational(gl.kappa, prec);
  const Ball jr = hull_ball(j0, j1, prec);
  // h over a box: hc + hx·X + hy·Y (interval arithmetic).
  auto h_over = [&](const std::vector<Ball>& b, Ball& hb) {
    arb_set(hb.arb(), hc.arb());
    arb_addmul(hb.arb(), hx.arb(), b[0].arb(), prec);
    arb_addmul(hb.arb(), hy.arb(), b[1].arb(), prec);
  };
  Ball hb, sym, ti, both, t;
  // T_t: along e_2 (t scales y by J).
  std::vector<Ball> box{Ball::from_interval(tz.x0, tz.x1, prec),
                        hull_ball(std::min(tz.lo0, tz.lo1), std::max(tz.hi0, tz.hi1), prec)};
  h_over(box, hb);
  tv->ok = true;  // the values are in; the series follow on demand (series_for)
  const std::vector<Ball>* fs = series_for(*tv, 0, box.data(), 1, nullptr, order + 1);
  if (fs == nullptr || !g_from_f(*fs, order + 1, sign, p, hb, nullptr, hy, prec, g_)) return false;
  std::vector<Ball> mid{box[0], hull_ball((tz.lo0 + tz.hi0) / 2, (tz.lo1 + tz.hi1) / 2, prec)};
  h_over(mid, hb);
  fs = series_for(*tv, 1, mid.data(), 1, nullptr, order);
  if (fs == nullptr || !g_from_f(*fs, order, sign, p, hb, nullptr, hy, prec, g2_)) return false;
  arb_zero(sym.arb());
  arb_get_ubound_arf(arb_midref(t.arb()), jr.arb(), prec);
  arf_get_mag(arb_radref(sym.arb()), arb_midref(t.arb()));
  mag_mul_2exp_si(arb_radref(sym.arb()), arb_radref(sym.arb()), -1);  // [−J_max/2, J_max/2]
  arb_mul(ti.arb(), g_[o + 1].arb(), sym.arb(), prec);
  arb_mul_ui(ti.arb(), ti.arb(), static_cast<ulong>(order + 1), prec);
  arb_add(ti.arb(), ti.arb(), g2_[o].arb(), prec);
  if (arb_intersection(both.arb(), ti.arb(), g_[o].arb(), prec)) ti = both;
  arb_pow_ui(t.arb(), jr.arb(), static_cast<ulong>(order + 1), prec);
  arb_mul(ti.arb(), ti.arb(), t.arb(), prec);
  Ball rem;
  arb_mul(rem.arb(), ti.arb(), kappa.arb(), prec);
  // T_x: along v = (1, [s_lo, s_hi]); h's slope along v is hx + hy·v_2.
  std::vector<Ball> dir{Ball::from_rational(Rational(1), prec), hull_ball(s_lo, s_hi, prec)};
  Ball slope;
  arb_set(slope.arb(), hx.arb());
  arb_addmul(slope.arb(), hy.arb(), dir[1].arb(), prec);
  h_over(box, hb);
  fs = series_for(*tv, 2, box.data(), 0, dir.data(), order + 1);
  if (fs == nullptr || !g_from_f(*fs, order + 1, sign, p, hb, nullptr, slope, prec, g_)) return false;
  std::vector<Ball> seg{bxc, hull_ball(s_lo * (xc - tz.x0) + tz.lo0, (tz.hi0 + tz.hi1) / 2, prec)};
  h_over(seg, hb);
  fs = series_for(*tv, 3, seg.data(), 0, dir.data(), order);
  if (fs == nullptr || !g_from_f(*fs, order, sign, p, hb, nullptr, slope, prec, g2_)) return false;
  arb_zero(sym.arb());
  arb_get_mag(arb_radref(sym.arb()), bhw.arb());  // [−w/2, w/2]
  arb_mul(ti.arb(), g_[o + 1].arb(), sym.arb(), prec);
  arb_mul_ui(ti.arb(), ti.arb(), static_cast<ulong>(order + 1), prec);
  arb_add(ti.arb(), ti.arb(), g2_[o].arb(), prec);
  if (arb_intersection(both.arb(), ti.arb(), g_[o].arb(), prec)) ti = both;
  arb_mul(ti.arb(), ti.arb(), jr.arb(), prec);
  arb_addmul(ti.arb(), g_[o - 1].arb(), bdj.arb(), prec);
  Ball ww = Ball::from_rational(w, prec);
  arb_pow_ui(t.arb(), ww.arb(), static_cast<ulong>(order), prec);
  arb_mul(t.arb(), t.arb(), kappa.arb(), prec);
  arb_addmul(rem.arb(), ti.arb(), t.arb(), prec);
  arb_add(acc.arb(), acc.arb(), rem.arb(), prec);
  arb_mul(out.arb(), acc.arb(), ww.arb(), prec);
  return arb_is_finite(out.arb());
}

}  // namespace mgdl::certify
