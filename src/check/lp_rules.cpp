#include "lp_rules.hpp"

#include <algorithm>
#include <cctype>

#include "affine_pieces.hpp"
#include "dense.hpp"
#include "half_planes.hpp"

namespace mgdl::check {
namespace {

bool even_integer(const Q& p) {
  return p.is_integer() && mpz_even_p(mpq_numref(p.get()));
}

// out := out ∩ other when that is a finite nonempty interval (both enclose the
// same number); out := other when out is not finite.
void narrow(I& out, const I& other, I& scratch) {
  if (!finite(other)) return;
  if (!finite(out)) {
    mpfi_set(out.get(), other.get());
    return;
  }
  mpfi_intersect(scratch.get(), out.get(), other.get());
  if (!mpfi_is_empty(scratch.get()) && finite(scratch)) mpfi_set(out.get(), scratch.get());
}

// The midpoint of an interval as an exact dyadic rational.
Q midpoint_q(const I& x) {
  mpfr_t m;
  mpfr_init2(m, x.prec());
  mpfi_mid(m, x.get());
  Q q;
  mpfr_get_q(q.get(), m);
  mpfr_clear(m);
  return q;
}

// A rough binary logarithm of |q| > 0 (steers the working precision only).
long ilog2(const Q& q) {
  return static_cast<long>(mpz_sizeinbase(mpq_numref(q.get()), 2)) -
         static_cast<long>(mpz_sizeinbase(mpq_denref(q.get()), 2));
}

// The largest binary number of `bits` significant bits <= q (exact; MPFR rounds down).
Q dyadic_down(const Q& q, mpfr_prec_t bits) {
  mpfr_t m;
  mpfr_init2(m, bits);
  mpfr_set_q(m, q.get(), MPFR_RNDD);
  Q out;
  mpfr_get_q(out.get(), m);
  mpfr_clear(m);
  return out;
}

// ∫ a over the trapezoid t = {x0 <= x <= x1, lo(x) <= y <= hi(x)} (t = x0, x1, lo0, lo1,
// hi0, hi1; a = a[0] + a[1] x + a[2] y), exactly: the inner integral
// F(x) = (a[0] + a[1] x)(hi − lo) + a[2](hi² − lo²)/2 is a quadratic in x, so Simpson's rule is exact.
Q trapezoid_affine_integral(const std::vector<Q>& t, const std::vector<Q>& a) {
  auto inner = [&](const Q& x, const Q& lo, const Q& hi) {
    return (a[0] + a[1] * x) * (hi - lo) + a[2] * (hi * hi - lo * lo) * Q(1, 2);
  };
  const Q xm = (t[0] + t[1]) * Q(1, 2), lom = (t[2] + t[3]) * Q(1, 2), him = (t[4] + t[5]) * Q(1, 2);
  return (t[1] - t[0]) * Q(1, 6) *
         (inner(t[0], t[2], t[4]) + Q(4) * inner(xm, lom, him) + inner(t[1], t[3], t[5]));
}

// The σ-sum of the Z rule, J_+(A) for A = a0 + Σ_i b_i (x_i − c_i) on the box with
// half-widths r (proofs/integration.md, Lemma I4(a)): with S = {i : b_i ≠ 0}, m = |S|,
//   J_+ = Π_{i∉S} 2r_i · Γ(p+1)/Γ(p+m+1) · (Π_{i∈S} b_i)^{−1}
//         · Σ_{σ ∈ {±1}^S} (Π σ_i) (a0 + Σ_{i∈S} σ_i b_i r_i)_+^{p+m}.
// Derivation: ∫_{−ρ}^{ρ} (α + b t)_+^q dt = [(α + bρ)_+^{q+1} − (α − bρ)_+^{q+1}] / (b (q+1))
// for b ≠ 0, q >= 1 (the antiderivative (α + bt)_+^{q+1}/(b(q+1)) is C¹), integrated
// over the axes of S one after the other; the other axes contribute their widths.
// Here: the factor before the sum, m, and the positive corner values with their signs.
struct CornerSum {
  Q factor;
  int m = 0;
  std::vector<std::pair<Q, int>> corners;  // (a0 + Σ σ_i b_i r_i > 0, Π σ_i)
};

CornerSum corner_sum(const Q& a0, const std::vector<Q>& b, const std::vector<Q>& r, const Q& p) {
  CornerSum cs;
  std::vector<std::size_t> s;
  cs.factor = Q(1);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (b[i].sign() != 0)
      s.push_back(i);
    else
      cs.factor = cs.factor * (r[i] + r[i]);
  }
  cs.m = static_cast<int>(s.size());
  cs.factor = cs.factor * inverse_rising(p, cs.m);
  for (std::size_t i : s) cs.factor = cs.factor / b[i];
  for (unsigned mask = 0; mask < (1u << cs.m); ++mask) {
    Q v = a0;
    int sign = 1;
    for (int k = 0; k < cs.m; ++k) {
      const std::size_t i = s[static_cast<std::size_t>(k)];
      if (mask & (1u << k)) {
        v = v - b[i] * r[i];
        sign = -sign;
      } else {
        v = v + b[i] * r[i];
      }
    }
    if (v.sign() > 0) cs.corners.emplace_back(std::move(v), sign);
  }
  return cs;
}

// Integer p: J_+ exactly.
Q j_plus_exact(const Q& a0, const std::vector<Q>& b, const std::vector<Q>& r, const Q& p) {
  const CornerSum cs = corner_sum(a0, b, r, p);
  const unsigned long power = mpz_get_ui(mpq_numref(p.get())) + static_cast<unsigned long>(cs.m);
  Q sum;
  for (const auto& [v, sign] : cs.corners) {
    const Q t = qpow(v, power);
    sum = sign > 0 ? sum + t : sum - t;
  }
  return cs.factor * sum;
}

// Rational p: J_+ enclosed at the precision of `out`.
void j_plus_interval(I& out, const Q& a0, const std::vector<Q>& b, const std::vector<Q>& r, const Q& p) {
  const CornerSum cs = corner_sum(a0, b, r, p);
  const Q power = p + Q(cs.m);
  I x(out.prec()), t(out.prec());
  mpfi_set_ui(out.get(), 0);
  for (const auto& [v, sign] : cs.corners) {
    set_interval(x, v);
    pow_nonneg(t, x, power);
    if (sign > 0)
      mpfi_add(out.get(), out.get(), t.get());
    else
      mpfi_sub(out.get(), out.get(), t.get());
  }
  mpfi_mul_q(out.get(), out.get(), cs.factor.get());
}

Q affine_value(const std::vector<Q>& u, const Q& x, const Q& y) {
  return u[0] + u[1] * x + u[2] * y;
}

// Lemma I8(c): the cell cut by the lines u = 0 into trapezoids (x0, x1, lo0, lo1,
// hi0, hi1). Strip cuts at every crossing of two lines, of a line with the
// cell's bottom or top, and at vertical lines; inside a strip the lines met at
// its midpoint, sorted there, stay sorted. False beyond `max_pieces`.
bool cell_trapezoids(const Box& cell, const std::vector<std::vector<Q>>& lines, std::size_t max_pieces,
                     std::vector<std::vector<Q>>& out) {
  const Q &x_lo = cell.lo[0], &x_hi = cell.hi[0], &y_lo = cell.lo[1], &y_hi = cell.hi[1];
  std::vector<std::pair<Q, Q>> graphs;  // y = m x + c
  std::vector<Q> cuts{x_lo, x_hi};
  auto cut = [&](const Q& x) {
    if (x_lo < x && x < x_hi) cuts.push_back(x);
  };
  for (const std::vector<Q>& l : lines) {
    if (l[2].sign() != 0)
      graphs.emplace_back(-l[1] / l[2], -l[0] / l[2]);
    else if (l[1].sign() != 0)
      cut(-l[0] / l[1]);
  }
  for (std::size_t a = 0; a < graphs.size(); ++a) {
    const auto& [m, c] = graphs[a];
    if (m.sign() != 0) {
      cut((y_lo - c) / m);
      cut((y_hi - c) / m);
    }
    for (std::size_t b = a + 1; b < graphs.size(); ++b)
      if (m != graphs[b].first) cut((graphs[b].second - c) / (m - graphs[b].first));
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const Q &s0 = cuts[k], &s1 = cuts[k + 1];
    const Q xm = midpoint(s0, s1);
    std::vector<std::pair<Q, Q>> in{{Q(), y_lo}};
    for (const auto& g : graphs) {
      const Q v = g.first * xm + g.second;
      if (y_lo < v && v < y_hi) in.push_back(g);
    }
    in.emplace_back(Q(), y_hi);
    std::sort(in.begin() + 1, in.end() - 1, [&](const auto& a, const auto& b) {
      return a.first * xm + a.second < b.first * xm + b.second;
    });
    for (std::size_t j = 0; j + 1 < in.size(); ++j) {
      std::vector<Q> t{s0,
                       s1,
                       in[j].first * s0 + in[j].second,
                       in[j].first * s1 + in[j].second,
                       in[j + 1].first * s0 + in[j + 1].second,
                       in[j + 1].first * s1 + in[j + 1].second};
      if (t[2] > t[4] || t[3] > t[5]) return false;  // not ordered: never claim
      if (t[2] == t[4] && t[3] == t[5]) continue;    // a repeated line
      out.push_back(std::move(t));
      if (out.size() > max_pieces) return false;
    }
  }
  return true;
}

}  // namespace

std::vector<LeafRule> parse_rules(const std::string& text, std::size_t leaves, int d,
                                  const std::string& where) {
  auto fail = [&](const std::string& what) { throw MalformedError(where + ": " + what); };
  std::vector<LeafRule> out;
  out.reserve(std::min(leaves, text.size()));
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char c = text[pos++];
    const std::string at =
        "token " + std::to_string(out.size() + 1) + " at position " + std::to_string(start + 1);
    LeafRule rule;
    rule.kind = c;
    if (c == 'G' || c == 'K' || c == 'P' || c == 'S' || c == 'T' || c == 'F') {
      const std::size_t digits = pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) && pos - digits < 4)
        ++pos;
      const std::string number = text.substr(digits, pos - digits);
      if (number.empty()) fail(at + ": '" + std::string(1, c) + "' needs a number of points");
      if (number.size() > 1 && number[0] == '0')
        fail(at + ": leading zero in '" + std::string(1, c) + number + "'");
      rule.n = std::stoi(number);
      if (rule.n < 1 || rule.n > gauss_max_points ||
          (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))))
        fail(at + ": " + std::string(1, c) + " takes 1 to " + std::to_string(gauss_max_points) +
             " points, not " + number +
             (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) ? "..." : ""));
      if (c == 'K' && d != 1)
        fail(at + ": the kink rule K applies only in dimension 1 (here d = " + std::to_string(d) + ")");
      if (c == 'P' && d != 2)
        fail(at + ": the trapezoid rule P applies only in dimension 2 (here d = " + std::to_string(d) + ")");
      if (c == 'S' && d != 2)
        fail(at + ": the sign-split rule S applies only in dimension 2 (here d = " + std::to_string(d) + ")");
      if (c == 'T' && d < 3)
        fail(at + ": the simplex rule T applies only in dimension 3 or more (here d = " + std::to_string(d) +
             ")");
    } else if (c != 'C' && c != 'M' && c != 'Z') {
      const bool printable = std::isprint(static_cast<unsigned char>(c)) != 0;
      fail(at + ": bad rule " +
           (printable ? "'" + std::string(1, c) + "'"
                      : "character " + std::to_string(static_cast<unsigned char>(c))) +
           " (expected C, M, Z, G<n>, K<n>, P<n>, S<n>, T<n> or F<n>)");
    }
    out.push_back(rule);
    if (out.size() > leaves) break;  // the count check below reports it
  }
  if (out.size() != leaves)
    fail((out.size() > leaves ? "more than " + std::to_string(leaves) : std::to_string(out.size())) +
         " tokens for " + std::to_string(leaves) + " leaves");
  return out;
}

std::string describe_rules(const std::vector<LeafRule>& rules) {
  std::vector<std::pair<std::string, std::size_t>> counts;
  for (const LeafRule& r : rules) {
    std::string name(1, r.kind);
    if (r.kind == 'G' || r.kind == 'K' || r.kind == 'P' || r.kind == 'S' || r.kind == 'T' || r.kind == 'F')
      name += std::to_string(r.n);
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& x) { return x.first == name; });
    if (it == counts.end())
      counts.emplace_back(name, 1);
    else
      ++it->second;
  }
  std::string s;
  for (const auto& [name, count] : counts) s += (s.empty() ? "" : ", ") + std::to_string(count) + " " + name;
  return s;
}

LeafIntegrator::LeafIntegrator(const Target& target, mpfr_prec_t prec, std::vector<const HatGrid*> hats)
    : prec_(prec),
      d_(target.dimension),
      hats_(std::move(hats)),
      points_(target, prec),
      series_(target, prec),
      acc_(prec),
      term_(prec),
      val_(prec),
      wt_(prec),
      tmp_(prec),
      crude_(prec),
      part_(prec),
      out_piece_(prec),
      kink_acc_(prec) {
  const auto d = static_cast<std::size_t>(d_);
  t_.assign(d, I(prec));
  node_.assign(d, I(prec));
  offsets_.assign(d, {});
  coords_.assign(d, {});
  b0_.resize(d);
  half_ = std::make_unique<ResidualAnalyzer>(target, prec);
  half_->set_hats(hats_);
  piece_ = std::make_unique<ResidualAnalyzer>(target, prec);
  piece_->set_hats(hats_);
}

void LeafIntegrator::set_dense(const DenseNetwork* net, int first, int last, const DensePieces* pieces) {
  dense_pieces_ = pieces;
  dense_grades_ = net != nullptr && first <= last;
  dense_ = net;
  dense_first_ = first;
  dense_last_ = last;
  for (ResidualAnalyzer* a : {half_.get(), piece_.get()}) {
    a->set_dense(net, first, last);
    a->set_dense_pieces(pieces);
  }
}

const LeafIntegrator::Table* LeafIntegrator::table(int n) {
  auto it = tables_.find(n);
  if (it == tables_.end()) {
    auto t = std::make_unique<Table>();
    t->ok = gauss_legendre(n, prec_, t->rule);
    t->kappa = gauss_kappa(n);
    it = tables_.emplace(n, std::move(t)).first;
  }
  return it->second->ok ? it->second.get() : nullptr;
}

bool LeafIntegrator::enclose(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs,
                             const LeafRule& rule, const Q& p, I& out) {
  bool ok = false;
  switch (rule.kind) {
    case 'C':
      an.crude_integral(p, out);
      return finite(out);
    case 'M':
      an.lp_integral(p, out);
      return an.lp_smooth(p);
    case 'G':
      ok = gauss(an, rule.n, p, out);
      break;
    case 'Z':
      ok = zero_crossing(an, p, out);
      break;
    case 'S':
      ok = sign_split(an, box, rule.n, p, out);
      break;
    case 'K':
      ok = kink_split(an, box, cutoffs, rule.n, p, out);
      break;
    case 'P':
      ok = trapezoid_split(an, box, cutoffs, rule.n, p, out);
      break;
    case 'T':
      ok = simplicial(an, box, cutoffs, rule.n, p, out);
      break;
    case 'F':
      ok = face_sign(an, box, cutoffs, rule.n, p, out);
      break;
    default:
      break;
  }
  if (!ok) an.crude_integral(p, out);
  return ok;
}

// The series of g = (s r)^p along `axis` with base points `base` ⊆ B, r = f − h:
// r_0 = f_0 − h(base) (∩ the range over B), r_1 = f_1 − η_axis, r_k = f_k (k >= 2).
bool LeafIntegrator::g_series(ResidualAnalyzer& an, const std::vector<I>& base, int axis, int order, int sign,
                              const Q& p, const I& h_range, Series& g) {
  if (!series_.evaluate(base, axis, order)) return false;
  const Series& f = series_.result();
  r_.resize(static_cast<std::size_t>(order + 1), I(prec_));
  g.resize(static_cast<std::size_t>(order + 1), I(prec_));
  for (int k = 0; k <= order; ++k)
    mpfi_set(r_[static_cast<std::size_t>(k)].get(), f[static_cast<std::size_t>(k)].get());
  mpfi_sub(r_[0].get(), r_[0].get(), h_range.get());
  narrow(r_[0], an.range(), term_);
  if (order >= 1)
    mpfi_sub_q(r_[1].get(), r_[1].get(), an.correction().glo[static_cast<std::size_t>(axis)].get());
  if (sign < 0)
    for (int k = 0; k <= order; ++k)
      mpfi_neg(r_[static_cast<std::size_t>(k)].get(), r_[static_cast<std::size_t>(k)].get());
  const bool ok = p.is_integer() ? series_.ipow(g, r_, mpz_get_si(mpq_numref(p.get())), order)
                                 : series_.pow_rational(g, r_, p, order);
  return ok && finite(g[static_cast<std::size_t>(order)]);
}

// proofs/integration.md, Lemma I1 (G<n>). Hypotheses: h affine on B (the checker's exact correction
// enclosure), f smooth near B (its jets and its series over B), and s·r > 0 on B
// (certified by the range) or p even. Then with g = (s r)^p
//   ∫_B g ∈ vol·( Σ_{k∈[n]^d} Π_i (ω_{k_i}/2) g(c + ξ_k ∘ w/2) + Σ_i κ_n w_i^{2n} T_i ),
// T_i ⊇ ∂_i^{2n} g(x)/(2n)! for all x ∈ B. Why: on one axis, Gauss's error on [l, u] is
// κ_n w^{2n+1} g^{(2n)}(ζ)/(2n)!; the tensor rule's error telescopes into Σ_i (the rule
// on axes < i) ⊗ (that 1D error on axis i) ⊗ (exact integration on axes > i), and each
// term is vol·κ_n w_i^{2n} times an average (positive weights summing to one) of
// ∂_i^{2n} g/(2n)! at points of B, hence in vol·κ_n w_i^{2n}·T_i (signed, no |·|).
bool LeafIntegrator::gauss(ResidualAnalyzer& an, int n, const Q& p, I& out, int signed_integral) {
  const I& range = an.range();
  const CorrectionEnclosure& h = an.correction();
  if (!an.smooth() || !h.affine || !finite(range)) return false;
  if (signed_integral != 0 && (p != Q(1) || (signed_integral != 1 && signed_integral != -1))) return false;
  const bool even = even_integer(p);
  const int sign = signed_integral != 0  ? signed_integral
                   : even                ? 1
                   : strictly_pos(range) ? 1
                   : strictly_neg(range) ? -1
                                         : 0;
  if (sign == 0) return false;
  const Table* tab = table(n);
  if (tab == nullptr) return false;
  const GaussRule& gr = tab->rule;
  const auto d = static_cast<std::size_t>(d_);
  const auto nn = static_cast<std::size_t>(n);
  const std::vector<Q>& c = an.center();
  const std::vector<Q>& rad = an.radius();
  const bool integer_p = p.is_integer();
  const long p_int = integer_p ? mpz_get_si(mpq_numref(p.get())) : 0;

  for (std::size_t i = 0; i < d; ++i) {
    if (offsets_[i].size() < nn) {
      offsets_[i].resize(nn, I(prec_));
      coords_[i].resize(nn, I(prec_));
    }
    for (std::size_t j = 0; j < nn; ++j) {
      mpfi_mul_q(offsets_[i][j].get(), gr.nodes[j].get(), rad[i].get());
      mpfi_add_q(coords_[i][j].get(), offsets_[i][j].get(), c[i].get());
    }
  }
  // Σ_k Π_i (ω_{k_i}/2) g(x_k), r(x_k) = f(x_k) − h(c) − Σ_i η_i ξ_{k_i} r_i, on ball
  // nodes and weights (Lemma I2(a)).
  std::vector<std::size_t> idx(d, 0);
  mpfi_set_ui(acc_.get(), 0);
  for (;;) {
    mpfi_set_ui(wt_.get(), 1);
    set_interval(val_, h.value);
    for (std::size_t i = 0; i < d; ++i) {
      mpfi_set(t_[i].get(), coords_[i][idx[i]].get());
      mpfi_mul(wt_.get(), wt_.get(), gr.weights[idx[i]].get());
      mpfi_mul_q(tmp_.get(), offsets_[i][idx[i]].get(), h.glo[i].get());
      mpfi_add(val_.get(), val_.get(), tmp_.get());
    }
    mpfi_div_2ui(wt_.get(), wt_.get(), static_cast<unsigned long>(d));
    const Jet& jf = points_.evaluate(t_, 0);
    if (!jf.defined || !finite(jf.c[0])) return false;
    mpfi_sub(val_.get(), jf.c[0].get(), val_.get());
    if (sign < 0) mpfi_neg(val_.get(), val_.get());
    if (integer_p) {
      interval_ipow(term_, val_, p_int);
    } else {
      // s·r > 0 on B: a rounding excursion below 0 is cut off.
      if (mpfr_sgn(val_.left()) < 0) mpfr_set_ui(val_.left(), 0, MPFR_RNDD);
      pow_nonneg(term_, val_, p);
    }
    mpfi_mul(term_.get(), term_.get(), wt_.get());
    mpfi_add(acc_.get(), acc_.get(), term_.get());
    std::size_t i = 0;
    while (i < d && ++idx[i] == nn) idx[i++] = 0;
    if (i == d) break;
  }
  // Σ_i κ_n w_i^{2n} T_i. T_i from the series of g = (s r)^p along axis i (Lemma I6), in the
  // centred form (Lemma I3) T_i ⊆ a_{2n}(B_i) + (2n+1)·a_{2n+1}(B)·[−r_i, r_i], with B_i the box
  // with x_i = c_i (mean value theorem on axis i: ∂_i a_k = (k+1) a_{k+1}), intersected
  // with a_{2n}(B). Box-based coefficients of high order are wide (the recurrences lose
  // the correlation of the argument coefficients); the centred form multiplies most of
  // that width by r_i.
  const int order = 2 * n;
  for (std::size_t i = 0; i < d; ++i) {
    set_interval(tmp_, h.lo, h.hi);
    if (!g_series(an, an.box_intervals(), static_cast<int>(i), order + 1, sign, p, tmp_, g_)) return false;
    slice_ = an.box_intervals();
    set_interval(slice_[i], c[i]);
    Q spread;
    for (std::size_t j = 0; j < d; ++j)
      if (j != i) spread = spread + h.glo[j].abs() * rad[j];
    set_interval(tmp_, h.value - spread, h.value + spread);
    if (!g_series(an, slice_, static_cast<int>(i), order, sign, p, tmp_, g2_)) return false;
    const auto o = static_cast<std::size_t>(order);
    Q neg = -rad[i];
    set_interval(wt_, neg, rad[i]);
    mpfi_mul(val_.get(), g_[o + 1].get(), wt_.get());
    mpfi_mul_ui(val_.get(), val_.get(), o + 1);
    mpfi_add(val_.get(), val_.get(), g2_[o].get());
    narrow(val_, g_[o], tmp_);
    if (!finite(val_)) return false;
    Q coef = qpow(rad[i] + rad[i], static_cast<unsigned long>(order)) * tab->kappa;
    mpfi_mul_q(term_.get(), val_.get(), coef.get());
    mpfi_add(acc_.get(), acc_.get(), term_.get());
  }
  set_interval(tmp_, an.volume());
  mpfi_mul(out.get(), acc_.get(), tmp_.get());
  if (signed_integral != 0) return finite(out);  // ∫ s·R, not ∫ |R|: no crude narrowing
  an.crude_integral(p, crude_);
  narrow(out, crude_, tmp_);
  return finite(out);
}

// proofs/integration.md, Lemma I10 (a), (b) (F<n>; p = 1). Hypotheses: h affine on B, f smooth near B.
// (a) ∂_a R of one sign on B for some axis a, certified by ∂_a f(B) ∩ (∂_a f(c) + Σ_j H_aj(B)[−r_j, r_j])
// less h's slope. For x ∈ B the segment to the face x_a = l_a (∂_a R >= 0) lies in B, so
// R(x) >= R(face point) >= −ν with ν = max(0, −inf R over that face); |R| = R + 2R⁻ gives
// ∫_B |R| ∈ [∫_B R, ∫_B R + 2 vol ν]. The other face bounds R⁺ the same way (|R| = −R + 2R⁺).
// (b) ∂_ab R = ∂_ab f (h affine) of sign τ0 on B by H_ab(B), ends e_a, e_b (ε = +1 lower, −1 upper),
// faces F_a, F_b and edge E = F_a ∩ F_b: R(x) − R(x^a) − R(x^b) + R(x^ab) has the sign τ = τ0 ε_a ε_b, so
// τ = +1 bounds R⁻ by ν = max(0, sup_E R − inf_{F_a} R − inf_{F_b} R), τ = −1 bounds R⁺ by
// μ = max(0, sup_{F_a} R + sup_{F_b} R − inf_E R). Every face is analysed at most once per call.
// ∫_B s·R by G<n> with the sign given (I1 never uses the integrand's sign); the smallest band is used
// (ties: the first found, (a) before (b)).
bool LeafIntegrator::face_sign(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs, int n,
                               const Q& p, I& out) {
  if (p != Q(1) || !an.smooth() || !an.correction().affine || !finite(an.range())) return false;
  const CorrectionEnclosure& hc = an.correction();
  const Jet& bj = an.box_jet();
  const Jet& cj = an.center_jet();
  const std::vector<Q>& rad = an.radius();
  const auto d = static_cast<std::size_t>(d_);
  I g(prec_), t(prec_), w(prec_), edge(prec_);
  // R over the face 2a + side (side 0: x_a = l_a), analysed on first use; state 0 not yet, 1 finite, −1 not.
  std::vector<I> faces(2 * d, I(prec_));
  std::vector<int> state(2 * d, 0);
  auto face = [&](std::size_t a, int side) -> const I* {
    const std::size_t k = 2 * a + static_cast<std::size_t>(side);
    if (state[k] == 0) {
      Box f = box;
      if (side == 0)
        f.hi[a] = box.lo[a];
      else
        f.lo[a] = box.hi[a];
      piece_->analyse(f, cutoffs);
      mpfi_set(faces[k].get(), piece_->range().get());
      state[k] = finite(faces[k]) ? 1 : -1;
    }
    return state[k] > 0 ? &faces[k] : nullptr;
  };
  mpfr_t nu, best;
  mpfr_init2(nu, prec_);
  mpfr_init2(best, prec_);
  int sign = 0;
  // ν (rounded up, an upper bound of the band) replaces the best one if strictly smaller.
  auto offer = [&](int s) {
    if (mpfr_sgn(nu) < 0) mpfr_set_ui(nu, 0, MPFR_RNDU);
    if (sign == 0 || mpfr_cmp(nu, best) < 0) {
      mpfr_set(best, nu, MPFR_RNDU);
      sign = s;
    }
  };
  for (std::size_t a = 0; a < d; ++a) {
    // ∂_a f(c) + Σ_j H_aj(B)·[−r_j, r_j], ∩ ∂_a f(B), less [glo_a, ghi_a].
    mpfi_set(g.get(), cj.c[1 + a].get());
    for (std::size_t j = 0; j < d; ++j) {
      const Q neg = -rad[j];
      set_interval(w, neg, rad[j]);
      mpfi_mul(
          t.get(),
          bj.c[static_cast<std::size_t>(an.hessian_index(static_cast<int>(a), static_cast<int>(j)))].get(),
          w.get());
      mpfi_add(g.get(), g.get(), t.get());
    }
    narrow(g, bj.c[1 + a], t);
    set_interval(w, hc.glo[a], hc.ghi[a]);
    mpfi_sub(g.get(), g.get(), w.get());
    if (!finite(g)) continue;
    const int mono = mpfr_sgn(g.left()) >= 0 ? 1 : mpfr_sgn(g.right()) <= 0 ? -1 : 0;
    if (mono == 0) continue;
    for (int side : {0, 1}) {
      const I* range = face(a, side);
      if (range == nullptr) continue;
      // The face where R is least bounds R⁻ (s = +1); the other bounds R⁺ (s = −1).
      const int s = (side == 0) == (mono > 0) ? 1 : -1;
      if (s > 0)
        mpfr_neg(nu, range->left(), MPFR_RNDU);
      else
        mpfr_set(nu, range->right(), MPFR_RNDU);
      offer(s);
    }
  }
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = a + 1; b < d; ++b) {
      const I& hab =
          bj.c[static_cast<std::size_t>(an.hessian_index(static_cast<int>(a), static_cast<int>(b)))];
      if (!finite(hab)) continue;
      const int tau0 = mpfr_sgn(hab.left()) >= 0 ? 1 : mpfr_sgn(hab.right()) <= 0 ? -1 : 0;
      if (tau0 == 0) continue;
      for (int ea : {0, 1})
        for (int eb : {0, 1}) {
          const I* fa = face(a, ea);
          const I* fb = face(b, eb);
          if (fa == nullptr || fb == nullptr) continue;
          Box e = box;
          if (ea == 0)
            e.hi[a] = box.lo[a];
          else
            e.lo[a] = box.hi[a];
          if (eb == 0)
            e.hi[b] = box.lo[b];
          else
            e.lo[b] = box.hi[b];
          piece_->analyse(e, cutoffs);
          mpfi_set(edge.get(), piece_->range().get());
          if (!finite(edge)) continue;
          // ε_a ε_b = +1 when both ends are lower or both upper.
          const int tau = ea == eb ? tau0 : -tau0;
          if (tau > 0) {  // sup_E R − inf_{F_a} R − inf_{F_b} R, each step rounded up
            mpfr_sub(nu, edge.right(), fa->left(), MPFR_RNDU);
            mpfr_sub(nu, nu, fb->left(), MPFR_RNDU);
          } else {  // sup_{F_a} R + sup_{F_b} R − inf_E R
            mpfr_add(nu, fa->right(), fb->right(), MPFR_RNDU);
            mpfr_sub(nu, nu, edge.left(), MPFR_RNDU);
          }
          offer(tau);
        }
    }
  bool ok = sign != 0 && gauss(an, n, p, out, sign);
  if (ok) {
    // + [0, 2 vol ν].
    set_interval(w, an.volume());
    mpfi_mul_fr(w.get(), w.get(), best);
    mpfi_mul_2ui(w.get(), w.get(), 1);
    mpfr_set_ui(w.left(), 0, MPFR_RNDD);
    mpfi_add(out.get(), out.get(), w.get());
    an.crude_integral(p, crude_);
    narrow(out, crude_, tmp_);
    ok = finite(out);
  }
  mpfr_clear(nu);
  mpfr_clear(best);
  return ok;
}

// proofs/integration.md, Lemma I4 (Z). Hypotheses: h affine on B, f C² near B. With dyadic a0, b0_i
// (midpoints of the enclosures of r(c) and ∂_i r(c)) and A = a0 + Σ b0_i (x_i − c_i):
// Lagrange's form r(x) = r(c) + ∇r(c)·(x − c) + ½ (x − c)ᵀ H_f(ξ) (x − c) (∂_ij r = ∂_ij f
// as h is affine) gives |r − A| <= e on B with
//   e = |r(c) − a0| + Σ_i |∂_i r(c) − b0_i| r_i + ½ Σ_{i,j} sup_B |∂_ij f| r_i r_j,
// and |r|, |A| <= U = |a0| + Σ |b0_i| r_i + e. By the mean value theorem for t^p (p >= 1),
// ||r|^p − |A|^p| <= p max(|r|, |A|)^{p−1} ||r| − |A|| <= p U^{p−1} e, so
//   ∫_B |r|^p ∈ [max(0, I_A − vol p U^{p−1} e), I_A + vol p U^{p−1} e],
// I_A = ∫_B |A|^p = J_+(A) + J_+(−A). Any a0, b0 are allowed (they enter e): for
// fractional p a slope below 2^-64 of the scale is set to 0, which bounds the
// cancellation in the σ-sum.
bool linear_model(const ResidualAnalyzer& an, mpfr_prec_t prec, bool zero_tiny, Q& a0, std::vector<Q>& b0,
                  Q& eq, long& extra_bits) {
  const CorrectionEnclosure& h = an.correction();
  if (!an.smooth() || !h.affine || !finite(an.range()) || !finite(an.center_value())) return false;
  const auto d = an.center().size();
  const std::vector<Q>& rad = an.radius();
  const Jet& cj = an.center_jet();
  const Jet& bj = an.box_jet();
  I tmp(prec);
  a0 = midpoint_q(an.center_value());
  b0.resize(d);
  Q scale = a0.abs();
  for (std::size_t i = 0; i < d; ++i) {
    mpfi_sub_q(tmp.get(), cj.c[1 + i].get(), h.glo[i].get());
    if (!finite(tmp)) return false;
    b0[i] = midpoint_q(tmp);
    scale = scale + b0[i].abs() * rad[i];
  }
  extra_bits = 0;
  if (zero_tiny)
    for (std::size_t i = 0; i < d; ++i) {
      if (b0[i].sign() == 0) continue;
      const long gap = ilog2(scale) - ilog2(b0[i].abs() * rad[i]);
      if (gap > 64)
        mpq_set_ui(b0[i].get(), 0, 1);
      else
        extra_bits += std::max(0L, gap) + 2;
    }
  // e, rounded up, then read exactly (a dyadic).
  mpfr_t e, m;
  mpfr_init2(e, prec);
  mpfr_init2(m, prec);
  bool ok = true;
  mpfi_sub_q(tmp.get(), an.center_value().get(), a0.get());
  ok = magnitude(e, tmp);
  for (std::size_t i = 0; i < d && ok; ++i) {
    mpfi_sub_q(tmp.get(), cj.c[1 + i].get(), h.glo[i].get());
    mpfi_sub_q(tmp.get(), tmp.get(), b0[i].get());
    ok = magnitude(m, tmp);
    mpfr_mul_q(m, m, rad[i].get(), MPFR_RNDU);
    mpfr_add(e, e, m, MPFR_RNDU);
  }
  for (std::size_t i = 0; i < d && ok; ++i)
    for (std::size_t j = i; j < d && ok; ++j) {
      ok = magnitude(
          m, bj.c[static_cast<std::size_t>(an.hessian_index(static_cast<int>(i), static_cast<int>(j)))]);
      Q w = rad[i] * rad[j];
      if (i == j) w = w * Q(1, 2);  // ½ H_ii r_i²; the pair (i,j), (j,i) gives |H_ij| r_i r_j
      mpfr_mul_q(m, m, w.get(), MPFR_RNDU);
      mpfr_add(e, e, m, MPFR_RNDU);
    }
  ok = ok && mpfr_number_p(e);
  if (ok) mpfr_get_q(eq.get(), e);
  mpfr_clear(e);
  mpfr_clear(m);
  return ok;
}

bool LeafIntegrator::zero_crossing(ResidualAnalyzer& an, const Q& p, I& out) {
  const bool integer_p = p.is_integer();
  Q a0, eq;
  long extra_bits = 0;
  if (!linear_model(an, prec_, !integer_p, a0, b0_, eq, extra_bits)) return false;
  const auto d = static_cast<std::size_t>(d_);
  const std::vector<Q>& rad = an.radius();
  Q u = a0.abs() + eq;
  for (std::size_t i = 0; i < d; ++i) u = u + b0_[i].abs() * rad[i];
  std::vector<Q> neg_b(d);
  for (std::size_t i = 0; i < d; ++i) neg_b[i] = -b0_[i];
  if (integer_p) {
    const Q ia = j_plus_exact(a0, b0_, rad, p) + j_plus_exact(-a0, neg_b, rad, p);
    const unsigned long pm1 = mpz_get_ui(mpq_numref(p.get())) - 1;
    const Q err = an.volume() * p * qpow(u, pm1) * eq;
    const Q lo = ia - err;
    set_interval(out, lo.sign() > 0 ? lo : Q(), ia + err);
  } else {
    const mpfr_prec_t wp = prec_ + 64 + std::min(extra_bits, 4096L);
    I ia(wp), ib(wp), err(wp), x(wp);
    j_plus_interval(ia, a0, b0_, rad, p);
    j_plus_interval(ib, -a0, neg_b, rad, p);
    mpfi_add(ia.get(), ia.get(), ib.get());
    set_interval(x, u);
    pow_nonneg(err, x, p - Q(1));
    const Q k = an.volume() * p * eq;
    mpfi_mul_q(err.get(), err.get(), k.get());
    if (!finite(ia) || !finite(err)) return false;
    // [ia − err, ia + err] with the lower end raised to 0.
    mpfr_sub(out.left(), ia.left(), err.right(), MPFR_RNDD);
    mpfr_add(out.right(), ia.right(), err.right(), MPFR_RNDU);
    if (mpfr_sgn(out.left()) < 0) mpfr_set_ui(out.left(), 0, MPFR_RNDD);
  }
  an.crude_integral(p, crude_);
  narrow(out, crude_, tmp_);
  return finite(out);
}

void LeafIntegrator::best_piece(ResidualAnalyzer& an, int n, const Q& p, I& out) {
  if (gauss(an, n, p, out)) return;
  if (zero_crossing(an, p, out)) return;
  an.crude_integral(p, out);
}

// proofs/integration.md, Lemma I5 (K<n>, d = 1): the kinks of h strictly inside [l, u] are those of every
// cutoff listed for the leaf (a − ρ, a, b, b + ρ; the others are ≡ 0 or ≡ 1 there)
// and the hat grid nodes (and a dense network's kinks, networks.md N9); between two consecutive kinks h is
// affine (each piece's enclosure re-checks it), so ∫_B = Σ over pieces, each by G<n>, else Z, else C. Cost:
// O(kinks in the leaf) pieces (a binary search per hat grid).
bool LeafIntegrator::kink_split(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs, int n,
                                const Q& p, I& out) {
  if (d_ != 1) return false;
  const Q& l = box.lo[0];
  const Q& u = box.hi[0];
  kinks_.clear();
  for (const CutoffData* q : cutoffs.varying)
    for (const Q* t : {&q->sup_lo[0], &q->a[0], &q->b[0], &q->sup_hi[0]})
      if (l < *t && *t < u) kinks_.push_back(*t);
  for (const HatGrid* hg : hats_) {
    const std::vector<Q>& axis = hg->grid[0];
    for (auto it = std::upper_bound(axis.begin(), axis.end(), l); it != axis.end() && *it < u; ++it)
      kinks_.push_back(*it);
  }
  if (dense_pieces_ != nullptr) pieces_kinks(*dense_pieces_, l, u, kinks_);  // N9(b)
  if (kinks_.empty()) {
    best_piece(an, n, p, out);
    return finite(out);
  }
  std::sort(kinks_.begin(), kinks_.end());
  kinks_.erase(std::unique(kinks_.begin(), kinks_.end()), kinks_.end());
  mpfi_set_ui(kink_acc_.get(), 0);
  piece_box_ = box;
  for (std::size_t k = 0; k <= kinks_.size(); ++k) {
    piece_box_.lo[0] = k == 0 ? l : kinks_[k - 1];
    piece_box_.hi[0] = k == kinks_.size() ? u : kinks_[k];
    piece_->analyse(piece_box_, cutoffs);
    best_piece(*piece_, n, p, out_piece_);
    mpfi_add(kink_acc_.get(), kink_acc_.get(), out_piece_.get());
  }
  mpfi_set(out.get(), kink_acc_.get());
  an.crude_integral(p, crude_);
  narrow(out, crude_, tmp_);
  return finite(out);
}

// proofs/integration.md, Lemma I8 (P<n>, d = 2). The leaf is cut at the axis kinks of
// the listed cutoffs (a − ρ, a, b, b + ρ) into cells; on a cell each cutoff's
// u = 1 − Σ ramps is affine and ψ = max(u, 0), so its only kink there is the line
// u = 0; the cell is cut into trapezoids at those lines. On each trapezoid h is
// certified affine exactly (every cutoff's u has one sign at its four vertices),
// then integrated by the trapezoid Gauss rule (I8(d)) where its hypotheses hold,
// else by the crude rule from R over the trapezoid's bounding box.
// Hat grids (I8(h)): the cuts are the grid lines, the line of a cell its Kuhn
// diagonal, and affinity is hat_affine_on (one closed Kuhn triangle, or h ≡ 0).
// Soundness never depends on the list of lines: a missed kink only fails the
// affinity check of a piece (then the crude rule).
bool LeafIntegrator::trapezoid_split(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs, int n,
                                     const Q& p, I& out) {
  // Cutoffs (I8(a)), a piecewise-linear network (I8(f)) or hat grids (I8(h)), one kind at a time.
  if (d_ != 2) return false;
  const bool dense = dense_grades_;
  const int kinds = int(dense) + int(!cutoffs.varying.empty()) + int(!hats_.empty());
  if (kinds > 1) return false;
  constexpr std::size_t max_cuts = 8, max_lines = 8, max_pieces = 64;
  std::vector<Q> axis_cuts[2];
  for (std::size_t i = 0; i < 2; ++i) {
    std::vector<Q>& c = axis_cuts[i];
    c.push_back(box.lo[i]);
    for (const CutoffData* q : cutoffs.varying)
      for (const Q* t : {&q->sup_lo[i], &q->a[i], &q->b[i], &q->sup_hi[i]})
        if (box.lo[i] < *t && *t < box.hi[i]) c.push_back(*t);
    if (dense) dense_axis_kinks(*dense_, dense_first_, dense_last_, box, static_cast<int>(i), c);
    for (const HatGrid* hg : hats_) {
      const std::vector<Q>& axis = hg->grid[i];
      for (auto it = std::upper_bound(axis.begin(), axis.end(), box.lo[i]);
           it != axis.end() && *it < box.hi[i]; ++it)
        c.push_back(*it);
    }
    c.push_back(box.hi[i]);
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    if (c.size() > max_cuts + 2) return false;
  }
  std::vector<std::vector<Q>> lines, traps;
  std::vector<Q> u, h(3);
  Box cell, bb;
  cell.lo.resize(2);
  cell.hi.resize(2);
  bb.lo.resize(2);
  bb.hi.resize(2);
  CutoffsOnBox sub;
  mpfi_set_ui(kink_acc_.get(), 0);
  for (std::size_t a = 0; a + 1 < axis_cuts[0].size(); ++a)
    for (std::size_t b = 0; b + 1 < axis_cuts[1].size(); ++b) {
      cell.lo[0] = axis_cuts[0][a];
      cell.hi[0] = axis_cuts[0][a + 1];
      cell.lo[1] = axis_cuts[1][b];
      cell.hi[1] = axis_cuts[1][b + 1];
      lines.clear();
      if (dense && !dense_cell_lines(*dense_, dense_first_, dense_last_, cell, lines)) return false;
      for (const HatGrid* hg : hats_) hat_cell_lines(*hg, cell, lines);
      for (const CutoffData* q : cutoffs.varying) {
        if (!support_meets_closed(*q, cell)) continue;
        if (!cell_u(*q, cell, u)) return false;  // an axis kink inside: cannot happen
        const Q v00 = affine_value(u, cell.lo[0], cell.lo[1]), v10 = affine_value(u, cell.hi[0], cell.lo[1]),
                v01 = affine_value(u, cell.lo[0], cell.hi[1]), v11 = affine_value(u, cell.hi[0], cell.hi[1]);
        const bool pos = v00.sign() > 0 || v10.sign() > 0 || v01.sign() > 0 || v11.sign() > 0;
        const bool neg = v00.sign() < 0 || v10.sign() < 0 || v01.sign() < 0 || v11.sign() < 0;
        if (pos && neg) lines.push_back(u);
      }
      if (lines.size() > max_lines) return false;
      traps.clear();
      if (!cell_trapezoids(cell, lines, max_pieces, traps)) return false;
      for (const std::vector<Q>& t : traps) {
        // h on the trapezoid: the constant of the cutoffs ≡ 1 plus c·u for every
        // cutoff with u >= 0 at all four vertices; u <= 0 at all four: ψ ≡ 0.
        h[0] = cutoffs.constant;
        h[1] = Q();
        h[2] = Q();
        const std::vector<std::vector<Q>> corners{{t[0], t[2]}, {t[1], t[3]}, {t[1], t[5]}, {t[0], t[4]}};
        bool affine = !dense || dense_affine_on(*dense_, dense_first_, dense_last_, corners, h);
        for (const HatGrid* hg : hats_) affine = affine && hat_affine_on(*hg, corners, h);
        for (const CutoffData* q : cutoffs.varying) {
          if (!support_meets_closed(*q, cell)) continue;
          if (!cell_u(*q, cell, u)) return false;
          const Q v[4] = {affine_value(u, t[0], t[2]), affine_value(u, t[1], t[3]),
                          affine_value(u, t[1], t[5]), affine_value(u, t[0], t[4])};
          bool nonneg = true, nonpos = true;
          for (const Q& x : v) {
            nonneg = nonneg && x.sign() >= 0;
            nonpos = nonpos && x.sign() <= 0;
          }
          if (nonpos) continue;
          if (!nonneg) {
            affine = false;
            break;
          }
          for (std::size_t k = 0; k < 3; ++k) h[k] = h[k] + q->c * u[k];
        }
        // R over the bounding box ⊇ R(trapezoid).
        bb.lo[0] = t[0];
        bb.hi[0] = t[1];
        bb.lo[1] = qmin(t[2], t[3]);
        bb.hi[1] = qmax(t[4], t[5]);
        if (affine) {
          piece_->analyse_affine(bb, h);  // R = f − h on the trapezoid
        } else {
          restrict_cutoffs(cutoffs, bb, sub);
          piece_->analyse(bb, sub);
        }
        const I& range = piece_->range();
        if (!affine || !trapezoid_gauss(t, h, range, n, p, out_piece_)) {
          // Crude: area·[min |R|^p, max |R|^p].
          if (!finite(range)) return false;
          mpfi_abs(tmp_.get(), range.get());
          pow_nonneg(out_piece_, tmp_, p);
          const Q area = (t[1] - t[0]) * ((t[4] - t[2]) + (t[5] - t[3])) * Q(1, 2);
          mpfi_mul_q(out_piece_.get(), out_piece_.get(), area.get());
          if (affine && p == Q(1)) crossing_piece(t, area, out_piece_);
        }
        mpfi_add(kink_acc_.get(), kink_acc_.get(), out_piece_.get());
      }
    }
  mpfi_set(out.get(), kink_acc_.get());
  an.crude_integral(p, crude_);
  narrow(out, crude_, tmp_);
  return finite(out);
}

// proofs/integration.md, Lemma I8(g) (p = 1): on a trapezoid where h is affine and R = f − h
// may change sign, with the linear model A of R on its bounding box and |R − A| <= e there
// (I4(b), piece_ analysed last), ||R| − |A|| <= e, so ∫_t |R| ∈ ∫_t |A| ± e·|t|, ∫_t |A| exact.
// Narrows `out` (the crude enclosure) when the model applies.
void LeafIntegrator::crossing_piece(const std::vector<Q>& t, const Q& area, I& out) {
  Q a0, e;
  long bits = 0;
  if (!linear_model(*piece_, prec_, false, a0, b0_, e, bits)) return;
  const std::vector<Q>& c = piece_->center();
  const std::vector<Q> a{a0 - b0_[0] * c[0] - b0_[1] * c[1], b0_[0], b0_[1]};
  const Q integral = abs_affine_integral({{t[0], t[2]}, {t[1], t[3]}, {t[1], t[5]}, {t[0], t[4]}}, a);
  const Q err = e * area, lo = integral - err;
  I z(prec_);
  set_interval(z, lo.sign() > 0 ? lo : Q(), integral + err);
  narrow(out, z, tmp_);
}

// proofs/integration.md, Lemma I8(i) (S<n>; d = 2, p = 1): Z (I4) narrowed by the box cut at
// the zero line of a linear model A with |R − A| <= e (I4(b), its coefficients shortened to
// 20 bits, e raised by the rounding): on each side T_k, where s_k A >= 0,
// ∫_{T_k} |R| ∈ [∫_{T_k} s_k R, ∫_{T_k} s_k R + 2∫_{T_k} (e − s_k A)⁺], the first term by I8(d)
// with no sign condition, the second exactly (2∫ u⁺ = ∫ |u| + ∫ u). h must be exactly affine.
bool LeafIntegrator::sign_split(ResidualAnalyzer& an, const Box& box, int n, const Q& p, I& out) {
  if (!zero_crossing(an, p, out)) return false;
  const CorrectionEnclosure& hc = an.correction();
  if (d_ != 2 || p != Q(1) || !hc.affine || hc.value_radius.sign() != 0 || hc.glo.size() != 2 ||
      hc.glo != hc.ghi)
    return false;
  Q a0, e;
  long bits = 0;
  if (!linear_model(an, prec_, false, a0, b0_, e, bits)) return false;
  const std::vector<Q>& c = an.center();
  const std::vector<Q>& rad = an.radius();
  const Q a0r = dyadic_down(a0, 20);
  e = e + (a0 - a0r);
  std::vector<Q> line{a0r, Q(), Q()};
  for (std::size_t i = 0; i < 2; ++i) {
    line[1 + i] = dyadic_down(b0_[i], 20);
    e = e + (b0_[i] - line[1 + i]) * rad[i];
    line[0] = line[0] - line[1 + i] * c[i];
  }
  const std::vector<Q> h{hc.value - hc.glo[0] * c[0] - hc.glo[1] * c[1], hc.glo[0], hc.glo[1]};
  std::vector<std::vector<Q>> sides;
  if (!cell_trapezoids(box, {line}, 8, sides)) return false;
  I total(prec_), part(prec_), band_i(prec_);
  mpfi_set_ui(total.get(), 0);
  Q band;
  for (const std::vector<Q>& t : sides) {
    const std::vector<std::vector<Q>> corners{{t[0], t[2]}, {t[1], t[3]}, {t[1], t[5]}, {t[0], t[4]}};
    bool nonneg = true, nonpos = true;
    for (const std::vector<Q>& v : corners) {
      const int sg = affine_value(line, v[0], v[1]).sign();
      nonneg = nonneg && sg >= 0;
      nonpos = nonpos && sg <= 0;
    }
    if (!nonneg && !nonpos) return false;
    const int s = nonneg ? 1 : -1;
    const Q sq(s);
    const std::vector<Q> slack{e - sq * line[0], -sq * line[1], -sq * line[2]};
    band = band + abs_affine_integral(corners, slack) + trapezoid_affine_integral(t, slack);
    if (!trapezoid_gauss(t, h, an.range(), n, p, part, s)) return false;
    mpfi_add(total.get(), total.get(), part.get());
  }
  set_interval(band_i, Q(), band);
  mpfi_add(total.get(), total.get(), band_i.get());
  narrow(out, total, tmp_);
  return finite(out);
}

bool LeafIntegrator::g_series_affine(const std::vector<I>& base, int axis, const std::vector<I>* direction,
                                     int order, int sign, const Q& p, const I& h_base, const I& slope,
                                     Series& g) {
  const bool ok =
      direction != nullptr ? series_.evaluate(base, *direction, order) : series_.evaluate(base, axis, order);
  if (!ok) return false;
  const Series& f = series_.result();
  r_.resize(static_cast<std::size_t>(order + 1), I(prec_));
  g.resize(static_cast<std::size_t>(order + 1), I(prec_));
  for (int k = 0; k <= order; ++k)
    mpfi_set(r_[static_cast<std::size_t>(k)].get(), f[static_cast<std::size_t>(k)].get());
  mpfi_sub(r_[0].get(), r_[0].get(), h_base.get());
  if (order >= 1) mpfi_sub(r_[1].get(), r_[1].get(), slope.get());
  if (sign < 0)
    for (int k = 0; k <= order; ++k)
      mpfi_neg(r_[static_cast<std::size_t>(k)].get(), r_[static_cast<std::size_t>(k)].get());
  const bool powered = p.is_integer() ? series_.ipow(g, r_, mpz_get_si(mpq_numref(p.get())), order)
                                      : series_.pow_rational(g, r_, p, order);
  return powered && finite(g[static_cast<std::size_t>(order)]);
}

// proofs/integration.md, Lemma I8(d). T = {x0 <= x <= x1, lo(x) <= y <= hi(x)}, w = x1 − x0,
// J = hi − lo (affine, >= 0, J' its slope), Φ(x, t) = (x, lo(x) + t J(x)); with
// G = (g∘Φ)·J on [x0, x1] × [0, 1], ∫_T g = ∫ G (substitution y = lo + tJ for each x),
// and Lemma I1 for G gives
//   ∫_T g ∈ w·( Σ_{j,k} (ω_j/2)(ω_k/2) G(x_j, t_k) + κ_n w^{2n} T_x + κ_n T_t ),
// ∂_t^{2n} G/(2n)! = J^{2n+1}·a^{e2}_{2n}(Φ), and, as x ↦ Φ(x, t) is a line of direction
// v = (1, (1−t) lo' + t hi'), ∂_x^{2n} G/(2n)! = a^v_{2n}(Φ)·J + a^v_{2n−1}(Φ)·J' (Leibniz, J'' = 0).
// The a's come from series (I6) over the bounding box S, in the centred form of I3:
// about the midline t = 1/2 (for e2, step (t − 1/2)J) and about x = x_c (for v).
bool LeafIntegrator::trapezoid_gauss(const std::vector<Q>& q, const std::vector<Q>& h, const I& range, int n,
                                     const Q& p, I& out, int signed_integral) {
  if (!finite(range)) return false;
  const bool even = even_integer(p);
  if (signed_integral != 0 && !(p == Q(1) && (signed_integral == 1 || signed_integral == -1))) return false;
  const int sign = signed_integral != 0  ? signed_integral
                   : even                ? 1
                   : strictly_pos(range) ? 1
                   : strictly_neg(range) ? -1
                                         : 0;
  if (sign == 0) return false;
  const Q &x0 = q[0], &x1 = q[1], &lo0 = q[2], &lo1 = q[3], &hi0 = q[4], &hi1 = q[5];
  if (!(x0 < x1)) return false;
  const Q w = x1 - x0, j0 = hi0 - lo0, j1 = hi1 - lo1;
  if (j0.sign() < 0 || j1.sign() < 0) return false;
  const Q s_lo = (lo1 - lo0) / w, s_hi = (hi1 - hi0) / w, dj = s_hi - s_lo, xc = midpoint(x0, x1);
  const Table* tab = table(n);
  if (tab == nullptr) return false;
  const GaussRule& gr = tab->rule;
  const auto nn = static_cast<std::size_t>(n);
  const bool integer_p = p.is_integer();
  const long p_int = integer_p ? mpz_get_si(mpq_numref(p.get())) : 0;
  const Q half_w = w * Q(1, 2);
  I xj(prec_), dx(prec_), jj(prec_), tk(prec_);
  t_.resize(2, I(prec_));
  mpfi_set_ui(acc_.get(), 0);
  for (std::size_t j = 0; j < nn; ++j) {
    mpfi_mul_q(xj.get(), gr.nodes[j].get(), half_w.get());
    mpfi_add_q(xj.get(), xj.get(), xc.get());
    mpfi_sub_q(dx.get(), xj.get(), x0.get());
    mpfi_mul_q(jj.get(), dx.get(), dj.get());
    mpfi_add_q(jj.get(), jj.get(), j0.get());
    for (std::size_t k = 0; k < nn; ++k) {
      // y = lo0 + s_lo (x − x0) + t J(x), t = (1 + ξ_k)/2.
      mpfi_add_ui(tk.get(), gr.nodes[k].get(), 1);
      mpfi_div_2ui(tk.get(), tk.get(), 1);
      mpfi_mul(tk.get(), tk.get(), jj.get());
      mpfi_mul_q(tmp_.get(), dx.get(), s_lo.get());
      mpfi_add(tk.get(), tk.get(), tmp_.get());
      mpfi_add_q(tk.get(), tk.get(), lo0.get());
      mpfi_set(t_[0].get(), xj.get());
      mpfi_set(t_[1].get(), tk.get());
      const Jet& jf = points_.evaluate(t_, 0);
      if (!jf.defined || !finite(jf.c[0])) return false;
      // r = f − (h0 + h1 x + h2 y).
      mpfi_mul_q(val_.get(), xj.get(), h[1].get());
      mpfi_mul_q(tmp_.get(), tk.get(), h[2].get());
      mpfi_add(val_.get(), val_.get(), tmp_.get());
      mpfi_add_q(val_.get(), val_.get(), h[0].get());
      mpfi_sub(val_.get(), jf.c[0].get(), val_.get());
      if (sign < 0) mpfi_neg(val_.get(), val_.get());
      if (integer_p) {
        interval_ipow(term_, val_, p_int);
      } else {
        if (mpfr_sgn(val_.left()) < 0) mpfr_set_ui(val_.left(), 0, MPFR_RNDD);
        pow_nonneg(term_, val_, p);
      }
      mpfi_mul(term_.get(), term_.get(), jj.get());
      mpfi_mul(wt_.get(), gr.weights[j].get(), gr.weights[k].get());
      mpfi_div_2ui(wt_.get(), wt_.get(), 2);
      mpfi_mul(term_.get(), term_.get(), wt_.get());
      mpfi_add(acc_.get(), acc_.get(), term_.get());
    }
  }
  const int order = 2 * n;
  const auto o = static_cast<std::size_t>(order);
  // h over a box b: h0 + h1·b_0 + h2·b_1.
  I hb(prec_), slope(prec_), jr(prec_), sym(prec_);
  auto h_over = [&](const std::vector<I>& b) {
    mpfi_mul_q(hb.get(), b[0].get(), h[1].get());
    mpfi_mul_q(tmp_.get(), b[1].get(), h[2].get());
    mpfi_add(hb.get(), hb.get(), tmp_.get());
    mpfi_add_q(hb.get(), hb.get(), h[0].get());
  };
  set_interval(jr, qmin(j0, j1), qmax(j0, j1));
  std::vector<I> sbox(2, I(prec_)), base(2, I(prec_));
  set_interval(sbox[0], x0, x1);
  set_interval(sbox[1], qmin(lo0, lo1), qmax(hi0, hi1));
  // T_t.
  h_over(sbox);
  set_interval(slope, h[2]);
  if (!g_series_affine(sbox, 1, nullptr, order + 1, sign, p, hb, slope, g_)) return false;
  mpfi_set(base[0].get(), sbox[0].get());
  const Q m0 = midpoint(lo0, hi0), m1 = midpoint(lo1, hi1);
  set_interval(base[1], qmin(m0, m1), qmax(m0, m1));
  h_over(base);
  if (!g_series_affine(base, 1, nullptr, order, sign, p, hb, slope, g2_)) return false;
  const Q jmax_half = qmax(j0, j1) * Q(1, 2);
  set_interval(sym, -jmax_half, jmax_half);
  mpfi_mul(val_.get(), g_[o + 1].get(), sym.get());
  mpfi_mul_ui(val_.get(), val_.get(), o + 1);
  mpfi_add(val_.get(), val_.get(), g2_[o].get());
  narrow(val_, g_[o], tmp_);
  interval_ipow(term_, jr, order + 1);
  mpfi_mul(val_.get(), val_.get(), term_.get());
  mpfi_mul_q(val_.get(), val_.get(), tab->kappa.get());
  if (!finite(val_)) return false;
  mpfi_add(acc_.get(), acc_.get(), val_.get());
  // T_x along v = (1, [s_lo, s_hi]); h's slope along v: h1 + h2·v_2.
  std::vector<I> dir(2, I(prec_));
  mpfi_set_ui(dir[0].get(), 1);
  set_interval(dir[1], qmin(s_lo, s_hi), qmax(s_lo, s_hi));
  mpfi_mul_q(slope.get(), dir[1].get(), h[2].get());
  mpfi_add_q(slope.get(), slope.get(), h[1].get());
  h_over(sbox);
  if (!g_series_affine(sbox, 0, &dir, order + 1, sign, p, hb, slope, g_)) return false;
  set_interval(base[0], xc);
  set_interval(base[1], midpoint(lo0, lo1), midpoint(hi0, hi1));
  h_over(base);
  if (!g_series_affine(base, 0, &dir, order, sign, p, hb, slope, g2_)) return false;
  set_interval(sym, -half_w, half_w);
  mpfi_mul(val_.get(), g_[o + 1].get(), sym.get());
  mpfi_mul_ui(val_.get(), val_.get(), o + 1);
  mpfi_add(val_.get(), val_.get(), g2_[o].get());
  narrow(val_, g_[o], tmp_);
  mpfi_mul(val_.get(), val_.get(), jr.get());
  mpfi_mul_q(tmp_.get(), g_[o - 1].get(), dj.get());
  mpfi_add(val_.get(), val_.get(), tmp_.get());
  const Q coef = qpow(w, static_cast<unsigned long>(order)) * tab->kappa;
  mpfi_mul_q(val_.get(), val_.get(), coef.get());
  if (!finite(val_)) return false;
  mpfi_add(acc_.get(), acc_.get(), val_.get());
  mpfi_mul_q(out.get(), acc_.get(), w.get());
  return finite(out);
}

const LeafIntegrator::Duffy* LeafIntegrator::duffy(int n) {
  auto it = duffies_.find(n);
  if (it == duffies_.end()) {
    auto dt = std::make_unique<Duffy>();
    const Table* tab = table(n);
    const auto d = static_cast<std::size_t>(d_);
    const auto nn = static_cast<std::size_t>(n);
    std::size_t count = 1;
    for (std::size_t j = 0; j < d && count <= (std::size_t{1} << 16); ++j) count *= nn;
    // n^d evaluations of f per simplex: beyond 2^16 nodes the rule is refused (a cap).
    if (tab != nullptr && count <= (std::size_t{1} << 16)) {
      const GaussRule& gr = tab->rule;
      std::vector<I> u(nn, I(prec_)), w(nn, I(prec_));
      for (std::size_t k = 0; k < nn; ++k) {
        mpfi_add_ui(u[k].get(), gr.nodes[k].get(), 1);  // [−1, 1] -> [0, 1]
        mpfi_div_2ui(u[k].get(), u[k].get(), 1);
        mpfi_div_2ui(w[k].get(), gr.weights[k].get(), 1);
      }
      dt->weight.assign(count, I(prec_));
      dt->t.assign(count * d, I(prec_));
      I prod(prec_), tmp(prec_);
      std::vector<std::size_t> idx(d, 0);
      for (std::size_t k = 0; k < count; ++k) {
        // Lemma S7: t_j = u_1⋯u_j (1 − u_{j+1}) (j < d), t_d = u_1⋯u_d, J = Π_{j<d} u_j^{d−j}.
        I& wt = dt->weight[k];
        mpfi_set_ui(wt.get(), 1);
        mpfi_set_ui(prod.get(), 1);
        for (std::size_t j = 0; j < d; ++j) {
          const I& uj = u[idx[j]];
          mpfi_mul(wt.get(), wt.get(), w[idx[j]].get());
          if (j + 1 < d) {
            interval_ipow(tmp, uj, static_cast<long>(d - 1 - j));
            mpfi_mul(wt.get(), wt.get(), tmp.get());
          }
          mpfi_mul(prod.get(), prod.get(), uj.get());
          I& tj = dt->t[k * d + j];
          if (j + 1 < d) {
            mpfi_ui_sub(tmp.get(), 1, u[idx[j + 1]].get());
            mpfi_mul(tj.get(), prod.get(), tmp.get());
          } else {
            mpfi_set(tj.get(), prod.get());
          }
        }
        std::size_t j = 0;
        while (j < d && ++idx[j] == nn) idx[j++] = 0;
      }
      dt->ok = true;
    }
    it = duffies_.emplace(n, std::move(dt)).first;
  }
  return it->second->ok ? it->second.get() : nullptr;
}

// Q_T(g) = |det E| Σ_k W_k g(v_0 + E t(u^(k))) (simplices.md, Lemma S7), g = (f − η)^power, with
// f at the interval node and η(x) = η(v_0) + Σ_j t_j (η(v_j) − η(v_0)) (exact barycentrics).
bool LeafIntegrator::duffy_sum(const Simplex& s, const AffineForm& eta, const Duffy& rule, long power,
                               I& out) {
  const auto d = static_cast<std::size_t>(d_);
  std::vector<std::vector<Q>> edge(d, std::vector<Q>(d));  // edge[j][i] = (v_{j+1} − v_0)_i
  std::vector<Q> deta(d);
  const Q eta0 = affine_at(eta, s.v[0]);
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t i = 0; i < d; ++i) edge[j][i] = s.v[j + 1][i] - s.v[0][i];
    deta[j] = affine_at(eta, s.v[j + 1]) - eta0;
  }
  const Q det = simplex_det(s).abs();
  mpfi_set_ui(acc_.get(), 0);
  for (std::size_t k = 0; k < rule.weight.size(); ++k) {
    const I* t = &rule.t[k * d];
    set_interval(val_, eta0);
    for (std::size_t i = 0; i < d; ++i) set_interval(node_[i], s.v[0][i]);
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t i = 0; i < d; ++i) {
        if (edge[j][i].sign() == 0) continue;
        mpfi_mul_q(tmp_.get(), t[j].get(), edge[j][i].get());
        mpfi_add(node_[i].get(), node_[i].get(), tmp_.get());
      }
      mpfi_mul_q(tmp_.get(), t[j].get(), deta[j].get());
      mpfi_add(val_.get(), val_.get(), tmp_.get());
    }
    const Jet& jf = points_.evaluate(node_, 0);
    if (!jf.defined || !finite(jf.c[0])) return false;
    mpfi_sub(val_.get(), jf.c[0].get(), val_.get());
    if (power == 1)
      mpfi_set(term_.get(), val_.get());
    else
      interval_ipow(term_, val_, power);
    mpfi_mul(term_.get(), term_.get(), rule.weight[k].get());
    mpfi_add(acc_.get(), acc_.get(), term_.get());
  }
  mpfi_mul_q(out.get(), acc_.get(), det.get());
  return finite(out);
}

// proofs/integration.md, Lemma I9 (T<n>, d >= 3, p = 1 or even). (c) The leaf B is cut at the
// axis kinks of h (a − ρ, a, b, b + ρ of every cutoff, I8(a); the grid lines of the hat grids
// within one index of an active node meeting B, as the producer)
// into cells, each cell into its d! Kuhn simplices (simplices.md S3), and these are split
// along their edges (I9(a), (b)) by the oblique kinks crossing the cell: the u_Q that take both
// strict signs at its corners, or for a hat grid whose single grid cell contains it, every
// u_a − u_b that does. On each piece h is certified affine with an exact form η by its vertices
// (I8(b) for cutoffs, one closed Kuhn simplex or no active node for hats). (d) With c, ρ the
// leaf's centre and half-widths, ε >= sup |a_{m+1}| of f along c + tδ, δ ∈ Π[−ρ_k, ρ_k] (S7(c):
// f − P_m on B), and M >= sup_T |f − η| from f(B):
//   even p, pm <= 2n − d:  ∫_T |r|^p ∈ Q_T(r^p) + 2|T| p (M + ε)^{p−1} ε [−1, 1];
//   p = 1, m = 2n − d:     ∫_T |r| ∈ Σ_k [σ_k Q_{T_k}(r) − 2|T_k|ε, σ_k Q_{T_k}(r) + 2|T_k|ε + 2β_k],
// T_k the pieces of T split by Λ = A − η (A, e: f's linear model on B, |f − A| <= e, I4(b) with
// h = 0), σ_k the sign of Λ on T_k, β_k = ∫_{T_k} (e − σ_k Λ)₊ exactly; both ∩ [0, |T| M^p].
// Refused pieces: |T|·[min |R|^p, max |R|^p] over their bounding box (C3.2). Soundness never
// depends on the cuts, the kink list or A (a missed kink only refuses a piece).
bool LeafIntegrator::simplicial(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs, int n,
                                const Q& p, I& out) {
  if (d_ < 3 || dense_grades_) return false;
  if (!cutoffs.varying.empty() && !hats_.empty()) return false;  // one kind of correction
  const bool l1 = p == Q(1);
  if (!l1 && !(even_integer(p) && mpz_fits_slong_p(mpq_numref(p.get())))) return false;
  const long p_int = mpz_get_si(mpq_numref(p.get()));
  const long excess = 2L * n - d_;
  if (excess < 1) return false;
  const long m = l1 ? excess : excess / p_int;
  if (m < 1 || m + 1 > SeriesEvaluator::max_order) return false;
  const Duffy* rule = duffy(n);
  if (rule == nullptr) return false;
  const auto d = static_cast<std::size_t>(d_);
  constexpr std::size_t max_pieces = affine_pieces_max_pieces;

  // The pieces with their forms η (I9 (c); affine_pieces.hpp).
  std::vector<AffinePiece> all;
  if (!affine_pieces(box, cutoffs, hats_, all)) return false;

  // f on the leaf: F ⊇ f(B), and for p = 1 the linear model of f alone (I4(b) with h = 0, as
  // R = f − 0 for the analysis with the zero form), its coefficients about c rounded down to
  // 20 bits and e raised by |δ_0| + Σ |δ_i| ρ_i (I8(i)).
  AffineForm model(d + 1);
  piece_->analyse_affine(box, model);
  if (!piece_->smooth() || !finite(piece_->range())) return false;
  const I f_range = piece_->range();
  const std::vector<Q> c = piece_->center(), rho = piece_->radius();
  Q e;
  if (l1) {
    Q a0;
    long bits = 0;
    if (!linear_model(*piece_, prec_, false, a0, b0_, e, bits)) return false;
    model[0] = dyadic_down(a0, 20);
    e = e + (a0 - model[0]);
    for (std::size_t i = 0; i < d; ++i) {
      model[1 + i] = dyadic_down(b0_[i], 20);
      e = e + (b0_[i] - model[1 + i]) * rho[i];
      model[0] = model[0] - model[1 + i] * c[i];
    }
  }
  // ε: the series of f along the direction δ over the base box B (I6, S7(c)).
  std::vector<I> dir(d, I(prec_));
  for (std::size_t i = 0; i < d; ++i) set_interval(dir[i], -rho[i], rho[i]);
  if (!series_.evaluate(piece_->box_intervals(), dir, static_cast<int>(m + 1))) return false;
  Q eps;
  {
    mpfr_t mag;
    mpfr_init2(mag, prec_);
    const bool ok = magnitude(mag, series_.result()[static_cast<std::size_t>(m + 1)]);
    if (ok) mpfr_get_q(eps.get(), mag);
    mpfr_clear(mag);
    if (!ok) return false;
  }

  std::vector<Simplex> parts;
  CutoffsOnBox sub;
  I piece(prec_), part(prec_), sym(prec_), x(prec_), cap(prec_);
  mpfi_set_ui(kink_acc_.get(), 0);
  for (const AffinePiece& ap : all) {
    const Simplex& t = ap.simplex;
    const AffineForm& eta = ap.eta;
    const bool affine = ap.affine;
    const Q vol = simplex_volume(t);
    bool done = false;
    if (affine) {
      // M >= sup_T |f − η|: F − [min η(v_i), max η(v_i)].
      Q eta_lo = affine_at(eta, t.v[0]), eta_hi = eta_lo;
      for (const auto& v : t.v) {
        const Q y = affine_at(eta, v);
        if (y < eta_lo) eta_lo = y;
        if (eta_hi < y) eta_hi = y;
      }
      set_interval(x, eta_lo, eta_hi);
      mpfi_sub(x.get(), f_range.get(), x.get());
      mpfr_t mag;
      mpfr_init2(mag, prec_);
      Q big_m;
      const bool ok = magnitude(mag, x);
      if (ok) mpfr_get_q(big_m.get(), mag);
      mpfr_clear(mag);
      if (ok && !l1) {
        // Even p: Q_T(r^p) + 2|T| p (M + ε)^{p−1} ε [−1, 1].
        done = duffy_sum(t, eta, *rule, p_int, piece);
        if (done) {
          set_interval(x, big_m + eps);
          interval_ipow(x, x, p_int - 1);
          const Q k = Q(2) * vol * p * eps;
          set_interval(sym, -k, k);
          mpfi_mul(x.get(), x.get(), sym.get());
          mpfi_add(piece.get(), piece.get(), x.get());
        }
      } else if (ok) {
        // p = 1: T split at the zero of Λ = A − η; on T_k with sign σ_k,
        // [σ_k Q_{T_k}(r) − 2|T_k|ε, σ_k Q_{T_k}(r) + 2|T_k|ε + 2β_k].
        AffineForm lambda(d + 1);
        for (std::size_t k = 0; k <= d; ++k) lambda[k] = model[k] - eta[k];
        parts.assign(1, t);
        done = split_by(parts, lambda, max_pieces);
        mpfi_set_ui(piece.get(), 0);
        for (const Simplex& tk : parts) {
          if (!done) break;
          const int sigma = sign_on(tk, lambda);
          done = sigma != 0 && duffy_sum(tk, eta, *rule, 1, part);
          if (!done) break;
          if (sigma < 0) mpfi_neg(part.get(), part.get());
          AffineForm slack(d + 1);
          slack[0] = e;
          for (std::size_t k = 0; k <= d; ++k)
            slack[k] = sigma > 0 ? slack[k] - lambda[k] : slack[k] + lambda[k];
          const Q vk = simplex_volume(tk);
          const Q band = Q(2) * vk * eps;
          set_interval(sym, -band, band + Q(2) * positive_part_integral(tk, slack));
          mpfi_add(part.get(), part.get(), sym.get());
          mpfi_add(piece.get(), piece.get(), part.get());
        }
      }
      if (done) {
        // 0 <= |r|^p <= M^p on T.
        set_interval(cap, big_m);
        interval_ipow(cap, cap, p_int);
        mpfi_mul_q(cap.get(), cap.get(), vol.get());
        mpfr_set_ui(cap.left(), 0, MPFR_RNDD);
        narrow(piece, cap, x);
        done = finite(piece);
      }
    }
    if (!done) {
      // Crude: |T|·[min |R|^p, max |R|^p], R over the bounding box (R = f − η there when
      // h = η on T, C2 with the exact form).
      const Box bb = bounding_box(t);
      if (affine) {
        piece_->analyse_affine(bb, eta);
      } else {
        restrict_cutoffs(cutoffs, bb, sub);
        piece_->analyse(bb, sub);
      }
      const I& range = piece_->range();
      if (!finite(range)) return false;
      mpfi_abs(x.get(), range.get());
      pow_nonneg(piece, x, p);
      mpfi_mul_q(piece.get(), piece.get(), vol.get());
    }
    mpfi_add(kink_acc_.get(), kink_acc_.get(), piece.get());
  }
  mpfi_set(out.get(), kink_acc_.get());
  an.crude_integral(p, crude_);
  narrow(out, crude_, tmp_);
  return finite(out);
}

void LeafIntegrator::add(const Box& box, const CutoffsOnBox& cutoffs, const LeafRule& rule, const Q& p,
                         int levels, mpfr_srcptr allowance, I& sum) {
  half_->analyse(box, cutoffs);
  const bool ok = enclose(*half_, box, cutoffs, rule, p, part_);
  bool split = levels > 0 && (!ok || !finite(part_));
  if (!split && levels > 0 && allowance != nullptr) {
    // Wider than allowance·vol (a heuristic: any enclosure is valid).
    mpfr_t w, lim;
    mpfr_init2(w, 64);
    mpfr_init2(lim, 64);
    mpfr_sub(w, part_.right(), part_.left(), MPFR_RNDU);
    mpfr_mul_q(lim, allowance, half_->volume().get(), MPFR_RNDD);
    split = mpfr_cmp(w, lim) > 0;
    mpfr_clear(w);
    mpfr_clear(lim);
  }
  if (!split) {
    mpfi_add(sum.get(), sum.get(), part_.get());
    return;
  }
  const Halves h = bisect(box, cutoffs);
  add(h.lower, h.lower_cutoffs, rule, p, levels - 1, allowance, sum);
  add(h.upper, h.upper_cutoffs, rule, p, levels - 1, allowance, sum);
}

}  // namespace mgdl::check
