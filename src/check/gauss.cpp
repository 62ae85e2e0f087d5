#include "gauss.hpp"

#include <cmath>

namespace mgdl::check {
namespace {

// P_n(x) and P_n'(x) over an interval by the three-term recurrences
// (k+1) P_{k+1} = (2k+1) x P_k − k P_{k−1} and P'_{k+1} = P'_{k−1} + (2k+1) P_k
// (no division by 1 − x², so valid on any interval).
void legendre(const I& x, int n, I& p, I& dp) {
  const mpfr_prec_t prec = x.prec();
  I p_prev(prec), p_cur(prec), p_next(prec), d_prev(prec), d_cur(prec), t(prec);
  mpfi_set_ui(p_prev.get(), 1);
  mpfi_set(p_cur.get(), x.get());
  mpfi_set_ui(d_prev.get(), 0);
  mpfi_set_ui(d_cur.get(), 1);
  if (n == 0) {
    mpfi_set_ui(p.get(), 1);
    mpfi_set_ui(dp.get(), 0);
    return;
  }
  for (int k = 1; k < n; ++k) {
    const auto ku = static_cast<unsigned long>(k);
    // P'_{k+1} = P'_{k−1} + (2k+1) P_k
    mpfi_mul_ui(t.get(), p_cur.get(), 2 * ku + 1);
    mpfi_add(d_prev.get(), d_prev.get(), t.get());
    std::swap(d_prev, d_cur);
    // P_{k+1} = ((2k+1) x P_k − k P_{k−1}) / (k+1)
    mpfi_mul(t.get(), t.get(), x.get());
    mpfi_mul_ui(p_next.get(), p_prev.get(), ku);
    mpfi_sub(p_next.get(), t.get(), p_next.get());
    mpfi_div_ui(p_next.get(), p_next.get(), ku + 1);
    std::swap(p_prev, p_cur);
    std::swap(p_cur, p_next);
  }
  mpfi_set(p.get(), p_cur.get());
  mpfi_set(dp.get(), d_cur.get());
}

// Interval Newton step N(X) = m − P(m)/P'(X), m the midpoint of X. If N(X) lies in
// the interior of X, X holds exactly one root of P_n and it lies in N(X) (Moore's
// theorem: 0 ∉ P'(X) makes P strictly monotone on X, and the mean value theorem puts
// any root of X in N(X), while N(X) ⊂ X gives existence). Returns false otherwise.
bool newton(const I& x, int n, I& out, bool require_interior) {
  const mpfr_prec_t prec = x.prec();
  I m(prec), pm(prec), dpm(prec), px(prec), dpx(prec);
  mpfi_mid(m.left(), x.get());
  mpfr_set(m.right(), m.left(), MPFR_RNDN);
  legendre(m, n, pm, dpm);
  legendre(x, n, px, dpx);
  if (!finite(dpx) || mpfi_has_zero(dpx.get())) return false;
  mpfi_div(pm.get(), pm.get(), dpx.get());
  mpfi_sub(out.get(), m.get(), pm.get());
  if (!finite(out)) return false;
  if (require_interior) return mpfr_cmp(out.left(), x.left()) > 0 && mpfr_cmp(out.right(), x.right()) < 0;
  return true;
}

}  // namespace

bool gauss_legendre(int n, mpfr_prec_t prec, GaussRule& out) {
  if (n < 1 || n > gauss_max_points) return false;
  out.n = n;
  out.nodes.clear();
  out.weights.clear();
  // Everything at 64 more bits, then rounded outward to prec: the interval
  // recurrences widen by up to ~2.4^n, which the extra bits absorb.
  const mpfr_prec_t final_prec = prec;
  prec += 64;
  const mpfr_prec_t work = prec + 32;
  std::vector<I> positive;  // descending
  for (int j = 1; j <= n / 2; ++j) {
    // Heuristic start (Tricomi) and plain Newton iterations: they only choose X.
    mpfr_t x, p, dp;
    mpfr_inits2(work, x, p, dp, static_cast<mpfr_ptr>(nullptr));
    const double pi = 3.14159265358979323846;
    mpfr_set_d(x, std::cos(pi * (j - 0.25) / (n + 0.5)), MPFR_RNDN);
    I xi(work), pi_(work), dpi(work);
    for (int it = 0; it < 200; ++it) {
      mpfi_set_fr(xi.get(), x);
      legendre(xi, n, pi_, dpi);
      mpfi_mid(p, pi_.get());
      mpfi_mid(dp, dpi.get());
      if (mpfr_zero_p(dp)) break;
      mpfr_div(p, p, dp, MPFR_RNDN);
      mpfr_sub(x, x, p, MPFR_RNDN);
      if (mpfr_zero_p(p) || mpfr_get_exp(p) < -static_cast<mpfr_exp_t>(work)) break;
    }
    // X = x ± 2^(−prec/2): roots are at least ~1/n² apart, far wider.
    I box(prec), next(prec);
    mpfr_set_ui_2exp(p, 1, -static_cast<mpfr_exp_t>(prec / 2), MPFR_RNDN);
    mpfr_sub(box.left(), x, p, MPFR_RNDD);
    mpfr_add(box.right(), x, p, MPFR_RNDU);
    mpfr_clears(x, p, dp, static_cast<mpfr_ptr>(nullptr));
    if (!newton(box, n, next, true)) return false;
    mpfi_set(box.get(), next.get());
    // Tightening: any root in X lies in N(X), so X ∩ N(X) keeps it.
    for (int it = 0; it < 3; ++it) {
      if (!newton(box, n, next, false)) break;
      mpfi_intersect(next.get(), next.get(), box.get());
      if (mpfi_is_empty(next.get())) return false;
      mpfi_set(box.get(), next.get());
    }
    positive.push_back(box);
  }
  // Disjoint, inside (0, 1): with the mirrored roots (P_n(−x) = (−1)^n P_n(x)) and the
  // root 0 for odd n (P_n is then odd), these are n distinct roots: all of them.
  for (std::size_t k = 0; k < positive.size(); ++k) {
    if (mpfr_sgn(positive[k].left()) <= 0 || mpfr_cmp_ui(positive[k].right(), 1) >= 0) return false;
    if (k > 0 && mpfr_cmp(positive[k].right(), positive[k - 1].left()) >= 0) return false;
  }
  std::vector<I> nodes;
  for (std::size_t k = 0; k < positive.size(); ++k) {
    I neg(prec);
    mpfi_neg(neg.get(), positive[k].get());
    nodes.push_back(neg);
  }
  if (n % 2 == 1) {
    I zero(prec);
    mpfi_set_ui(zero.get(), 0);
    nodes.push_back(zero);
  }
  for (std::size_t k = positive.size(); k-- > 0;) nodes.push_back(positive[k]);
  // ω = 2 / ((1 − ξ²) P_n'(ξ)²), evaluated on the node interval.
  I p(prec), dp(prec), t(prec);
  for (const I& x : nodes) {
    legendre(x, n, p, dp);
    mpfi_sqr(t.get(), x.get());
    mpfi_ui_sub(t.get(), 1, t.get());
    mpfi_sqr(dp.get(), dp.get());
    mpfi_mul(t.get(), t.get(), dp.get());
    if (!strictly_pos(t)) return false;
    mpfi_ui_div(t.get(), 2, t.get());
    I node(final_prec), weight(final_prec);
    mpfi_set(node.get(), x.get());
    mpfi_set(weight.get(), t.get());
    out.nodes.push_back(node);
    out.weights.push_back(weight);
  }
  return true;
}

Q gauss_kappa(int n) {
  Q nf, f2;
  mpz_fac_ui(mpq_numref(nf.get()), static_cast<unsigned long>(n));
  mpz_fac_ui(mpq_numref(f2.get()), static_cast<unsigned long>(2 * n));
  Q num = qpow(nf, 4);
  Q den = Q(2 * n + 1) * f2 * f2;
  return num / den;
}

Q inverse_rising(const Q& p, int m) {
  Q prod(1);
  for (int j = 1; j <= m; ++j) prod = prod * (p + Q(j));
  return Q(1) / prod;
}

}  // namespace mgdl::check
