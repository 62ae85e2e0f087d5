#include "piece_sup.hpp"

#include <utility>

namespace mgdl::check {
namespace {

// Gauss–Jordan elimination over Q on the k × n matrix m (row-major) whose left k × k block is
// G: afterwards the right block is G⁻¹ times its old value. False when G is singular (exactly).
bool solve_exact(std::vector<Q>& m, std::size_t k, std::size_t n) {
  for (std::size_t col = 0; col < k; ++col) {
    std::size_t piv = col;
    while (piv < k && m[piv * n + col].sign() == 0) ++piv;
    if (piv == k) return false;
    if (piv != col)
      for (std::size_t j = 0; j < n; ++j) std::swap(m[piv * n + j], m[col * n + j]);
    const Q inv = Q(1) / m[col * n + col];
    for (std::size_t j = col; j < n; ++j)
      if (m[col * n + j].sign() != 0) m[col * n + j] = m[col * n + j] * inv;
    for (std::size_t r = 0; r < k; ++r) {
      if (r == col || m[r * n + col].sign() == 0) continue;
      const Q f = m[r * n + col];
      for (std::size_t j = col; j < n; ++j)
        if (m[col * n + j].sign() != 0) m[r * n + j] = m[r * n + j] - f * m[col * n + j];
    }
  }
  return true;
}

// A rational of `bits` significant bits at the midpoint of x (any rational serves in S5; fewer
// bits keep the exact arithmetic small), and sup_{y ∈ x} |y − mid| exactly. False when x is not
// finite.
constexpr mpfr_prec_t mid_bits = 64;
bool exact_mid(const I& x, Q& mid, Q& rad) {
  if (!finite(x)) return false;
  // Short rationals whatever the endpoints' exponents (an endpoint near 2^-10^6 would
  // make a megabyte-sized denominator): mid and rad have 64 bits and no exponent below
  // −256; rad >= max(hi − mid, mid − lo), rounded up.
  constexpr mpfr_exp_t floor_exp = -256;
  mpfr_t m, r, t;
  mpfr_inits2(mid_bits, m, r, t, static_cast<mpfr_ptr>(nullptr));
  mpfi_mid(m, x.get());
  if (!mpfr_zero_p(m) && mpfr_get_exp(m) < floor_exp) mpfr_set_zero(m, 1);
  mpfr_sub(r, x.right(), m, MPFR_RNDU);
  mpfr_sub(t, m, x.left(), MPFR_RNDU);
  if (mpfr_cmp(t, r) > 0) mpfr_set(r, t, MPFR_RNDU);
  if (mpfr_sgn(r) < 0) mpfr_set_zero(r, 1);
  if (!mpfr_zero_p(r) && mpfr_get_exp(r) < floor_exp) mpfr_set_ui_2exp(r, 1, floor_exp, MPFR_RNDU);
  mpfr_get_q(mid.get(), m);
  mpfr_get_q(rad.get(), r);
  mpfr_clears(m, r, t, static_cast<mpfr_ptr>(nullptr));
  return true;
}

}  // namespace

bool quadratic_range_exact(const Simplex& s, const Q& a, const std::vector<Q>& b, const std::vector<Q>& H,
                           const std::vector<Q>& c, Q& lo, Q& hi) {
  const std::size_t d = c.size(), nv = s.v.size();
  if (d == 0 || nv != d + 1 || b.size() != d || H.size() != d * d || nv >= 8 * sizeof(unsigned)) return false;
  // δ_i = v_i − c, H δ_i and q(v_i) = a + b·δ_i + ½ δ_iᵀ H δ_i.
  std::vector<std::vector<Q>> delta(nv, std::vector<Q>(d)), hdelta(nv, std::vector<Q>(d));
  std::vector<Q> qv(nv);
  for (std::size_t i = 0; i < nv; ++i) {
    for (std::size_t k = 0; k < d; ++k) delta[i][k] = s.v[i][k] - c[k];
    Q quad, lin;
    for (std::size_t k = 0; k < d; ++k) {
      for (std::size_t l = 0; l < d; ++l)
        if (H[k * d + l].sign() != 0 && delta[i][l].sign() != 0)
          hdelta[i][k] = hdelta[i][k] + H[k * d + l] * delta[i][l];
      if (delta[i][k].sign() != 0) {
        quad = quad + delta[i][k] * hdelta[i][k];
        lin = lin + b[k] * delta[i][k];
      }
    }
    qv[i] = a + lin + quad / Q(2);
    if (i == 0 || qv[i] < lo) lo = qv[i];
    if (i == 0 || hi < qv[i]) hi = qv[i];
  }
  // The faces F_S, |S| = k + 1 >= 2: the stationary point t* of the restriction, when G is
  // invertible and t* >= 0, Σ t* <= 1 (S4).
  std::vector<std::size_t> idx;
  std::vector<std::vector<Q>> e, he;
  std::vector<Q> m;
  for (unsigned mask = 1; mask < (1u << nv); ++mask) {
    idx.clear();
    for (std::size_t i = 0; i < nv; ++i)
      if ((mask >> i) & 1u) idx.push_back(i);
    if (idx.size() < 2) continue;
    const std::size_t s0 = idx[0], k = idx.size() - 1, n = k + 1;
    // E_S's columns e_j = v_{s_j} − v_{s0} and H e_j = H δ_{s_j} − H δ_{s0}.
    e.assign(k, std::vector<Q>(d));
    he.assign(k, std::vector<Q>(d));
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t l = 0; l < d; ++l) {
        e[j][l] = delta[idx[j + 1]][l] - delta[s0][l];
        he[j][l] = hdelta[idx[j + 1]][l] - hdelta[s0][l];
      }
    // [G | −β], G = E_Sᵀ H E_S, β = E_Sᵀ (b + H δ_{s0}); solved: [I | t*], and β kept.
    m.assign(k * n, Q());
    std::vector<Q> beta(k);
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t l = 0; l < k; ++l)
        for (std::size_t r = 0; r < d; ++r)
          if (e[j][r].sign() != 0 && he[l][r].sign() != 0) m[j * n + l] = m[j * n + l] + e[j][r] * he[l][r];
      for (std::size_t r = 0; r < d; ++r)
        if (e[j][r].sign() != 0) beta[j] = beta[j] + e[j][r] * (b[r] + hdelta[s0][r]);
      m[j * n + k] = -beta[j];
    }
    if (!solve_exact(m, k, n)) continue;  // det G = 0: no candidate on this face (S4)
    Q sum, half_bt;
    bool inside = true;
    for (std::size_t j = 0; j < k && inside; ++j) {
      const Q& t = m[j * n + k];
      inside = t.sign() >= 0;
      sum = sum + t;
      half_bt = half_bt + beta[j] * t;
    }
    if (!inside || Q(1) < sum) continue;
    const Q v = qv[s0] + half_bt / Q(2);  // q(x_S) = q(v_{s0}) + ½ βᵀt* (S4)
    if (v < lo) lo = v;
    if (hi < v) hi = v;
  }
  return true;
}

bool quadratic_range_on_simplex(const Simplex& s, const I& a, const std::vector<I>& b,
                                const std::vector<Q>& H, const std::vector<Q>& c, I& out) {
  const std::size_t d = c.size();
  if (b.size() != d || s.v.size() != d + 1) return false;
  // q̂ with the exact midpoints â, b̂; every member differs from it by at most
  // e = sup|a − â| + Σ_k sup|b_k − b̂_k| max_i |v_{i,k} − c_k| on T (S5's first two terms).
  Q am, e;
  std::vector<Q> bm(d);
  if (!exact_mid(a, am, e)) return false;
  for (std::size_t k = 0; k < d; ++k) {
    Q rad;
    if (!exact_mid(b[k], bm[k], rad)) return false;
    Q far;
    for (const auto& v : s.v) far = qmax(far, (v[k] - c[k]).abs());
    e = e + rad * far;
  }
  Q lo, hi;
  if (!quadratic_range_exact(s, am, bm, H, c, lo, hi)) return false;
  set_interval(out, lo - e, hi + e);
  return true;
}

PieceSupBounder::PieceSupBounder(const Target& target, mpfr_prec_t prec, std::vector<const HatGrid*> hats)
    : prec_(prec),
      d_(target.dimension),
      an_(target, prec),
      points_(target, prec),
      hats_(std::move(hats)),
      b_(static_cast<std::size_t>(target.dimension), I(prec)),
      t_(static_cast<std::size_t>(target.dimension), I(prec)),
      h_(static_cast<std::size_t>(target.dimension * target.dimension)),
      range_(prec) {}

bool PieceSupBounder::piece_range(const AffinePiece& p, I& range, Q& eps) {
  const auto d = static_cast<std::size_t>(d_);
  const Box bb = bounding_box(p.simplex);
  an_.analyse_affine(bb, p.eta);  // f's jets on B_j and at its midpoint c; R = f − η
  if (!an_.smooth()) return false;
  const std::vector<Q>& rho = an_.radius();
  // b = ∇f(c) − ∇η; a = f(c) − η(c) is center_value() (η(c) exact).
  for (std::size_t k = 0; k < d; ++k)
    mpfi_sub_q(b_[k].get(), an_.center_jet().c[1 + k].get(), p.eta[1 + k].get());
  // H = the midpoint of each Hessian enclosure over B_j (exact_mid), ε = ½ Σ_ij sup|H_box,ij − H_ij| ρ_i ρ_j.
  eps = Q();
  Q rad;
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = i; j < d; ++j) {
      const I& hb =
          an_.box_jet()
              .c[static_cast<std::size_t>(an_.hessian_index(static_cast<int>(i), static_cast<int>(j)))];
      Q& hij = h_[i * d + j];
      if (!exact_mid(hb, hij, rad)) return false;
      h_[j * d + i] = hij;
      const Q w = rad * rho[i] * rho[j];
      eps = eps + (i == j ? w : Q(2) * w);
    }
  eps = eps / Q(2);
  return quadratic_range_on_simplex(p.simplex, an_.center_value(), b_, h_, an_.center(), range);
}

bool PieceSupBounder::run(const Box& box, const CutoffsOnBox& cutoffs, const Q* u, mpfr_ptr out) {
  if (d_ < 2 || box.lo.size() != static_cast<std::size_t>(d_)) return false;
  if (!affine_pieces(box, cutoffs, hats_, pieces_)) return false;
  for (const AffinePiece& p : pieces_)
    if (!p.affine) return false;  // h = η not certified on a piece: the lemma does not apply
  if (out != nullptr) mpfr_set_ui(out, 0, MPFR_RNDU);
  mpfr_t w;
  mpfr_init2(w, prec_);
  bool ok = true;
  Q eps;
  for (const AffinePiece& p : pieces_) {
    ok = piece_range(p, range_, eps);
    if (!ok) break;
    if (u != nullptr) {
      // U_j = max(M, −m) + ε <= u iff [m, M] ⊆ [ε − u, u − ε].
      const Q lim = *u - eps;
      ok = certainly_le(range_, lim) && certainly_ge(range_, -lim);
      if (!ok) break;
    }
    if (out != nullptr) {
      mpfr_neg(w, range_.left(), MPFR_RNDU);
      mpfr_max(w, w, range_.right(), MPFR_RNDU);
      mpfr_add_q(w, w, eps.get(), MPFR_RNDU);
      mpfr_max(out, out, w, MPFR_RNDU);
    }
  }
  mpfr_clear(w);
  return ok;
}

bool PieceSupBounder::refuted(const Box& box, const CutoffsOnBox& cutoffs, const Q& u) {
  const std::size_t d = box.lo.size();
  std::vector<Q> x(d);
  I r(prec_);
  mpfr_t m;
  mpfr_init2(m, prec_);
  bool out = false;
  for (unsigned corner = 0; corner < (1u << d) && !out; ++corner) {
    for (std::size_t i = 0; i < d; ++i) {
      x[i] = (corner >> i) & 1u ? box.hi[i] : box.lo[i];
      set_interval(t_[i], x[i]);
    }
    Q h = cutoffs.constant;
    for (const CutoffData* q : cutoffs.varying) h = h + q->c * psi(*q, x);
    for (const HatGrid* hg : hats_) h = h + hat_value(*hg, x);
    const Jet& j = points_.evaluate(t_, 0);
    if (!j.defined) continue;
    mpfi_sub_q(r.get(), j.c[0].get(), h.get());
    if (!finite(r)) continue;
    mpfi_mig(m, r.get());
    out = mpfr_cmp_q(m, u.get()) > 0;
  }
  mpfr_clear(m);
  return out;
}

bool PieceSupBounder::at_most(const Box& box, const CutoffsOnBox& cutoffs, const Q& u) {
  if (d_ < 2 || box.lo.size() != static_cast<std::size_t>(d_) || d_ > 16) return false;
  if (refuted(box, cutoffs, u)) return false;
  return run(box, cutoffs, &u, nullptr);
}

bool PieceSupBounder::bound(const Box& box, const CutoffsOnBox& cutoffs, mpfr_ptr out) {
  return run(box, cutoffs, nullptr, out);
}

}  // namespace mgdl::check
