// T<n> (proofs/integration.md, Lemma I9): a leaf of d >= 3 cut into simplices on
// which the corrections are affine, each by the Duffy-collapsed Gauss rule with
// a Taylor remainder (proofs/simplices.md, Lemma S7); p = 1 splits each piece
// at the zero of R's linear model and adds the exact band term. Own Arb code;
// the checker's MPFI version is separate.
#include "mgdl/certify/simplicial.hpp"

#include <utility>

#include "mgdl/certify/leaf_rules.hpp"

namespace mgdl::certify {

using num::Ball;
using num::Rational;

namespace {

net::AffineForm minus(const net::AffineForm& a, const net::AffineForm& b) {
  net::AffineForm out{a.constant - b.constant, a.gradient};
  for (std::size_t k = 0; k < out.gradient.size(); ++k) out.gradient[k] -= b.gradient[k];
  return out;
}

// The bounding box of a simplex's vertices.
net::Box bounding_box(const geom::MeasuredSimplex& t) {
  net::Box b{t.vertex[0], t.vertex[0]};
  for (const geom::Point& v : t.vertex)
    for (std::size_t k = 0; k < v.size(); ++k) {
      if (v[k] < b.lo[k]) b.lo[k] = v[k];
      if (v[k] > b.hi[k]) b.hi[k] = v[k];
    }
  return b;
}

}  // namespace

SimplicialRule::SimplicialRule(const resid::Residual& residual, slong prec)
    : residual_(&residual),
      f_(residual.target(), prec),
      series_(residual.target(), prec),
      prec_(prec),
      d_(residual.dimension()) {
  arb_one(factorial_.arb());
  for (int k = 2; k <= d_; ++k) arb_mul_ui(factorial_.arb(), factorial_.arb(), static_cast<ulong>(k), 64);
}

const std::vector<geom::DuffyNode>& SimplicialRule::nodes(int n) {
  if (rules_prec_ != prec_) {
    rules_.clear();
    rules_prec_ = prec_;
  }
  for (auto& r : rules_)
    if (r.first == n) return r.second;
  rules_.emplace_back(n, geom::duffy_nodes(d_, n, prec_ + 32));
  return rules_.back().second;
}

// Lemma I9 (c): cells at the axis kinks, their Kuhn simplices (S3), split at the
// oblique kinks (I9 (b)); h certified affine on each piece (I8(b), or the hat
// test of I9 (c)) by the corrections themselves.
bool affine_simplices(const resid::Residual& residual, const net::Box& box, std::size_t max_cuts,
                      std::size_t max_pieces, std::vector<AffineSimplex>& out) {
  out.clear();
  const int di = residual.dimension();
  const auto d = static_cast<std::size_t>(di);
  if (box.dimension() != di || di < 2) return false;
  std::vector<std::vector<Rational>> cuts(d);
  for (std::size_t i = 0; i < d; ++i) {
    std::vector<Rational>& c = cuts[i];
    c = residual.first_axis_breakpoints(box, static_cast<int>(i), max_cuts + 1);
    if (c.size() > max_cuts) return false;
    c.insert(c.begin(), box.lo[i]);
    c.push_back(box.hi[i]);
  }
  std::size_t cells = 1;
  for (const auto& c : cuts) cells *= c.size() - 1;
  std::size_t simplices_per_cell = 1;
  for (std::size_t k = 2; k <= d; ++k) simplices_per_cell *= k;
  if (cells * simplices_per_cell > max_pieces) return false;  // before any splitting
  std::vector<std::size_t> idx(d, 0);
  std::vector<net::AffineForm> lines;
  std::vector<geom::MeasuredSimplex> cur, next;
  net::Box cell{box.lo, box.hi};
  for (;;) {
    for (std::size_t i = 0; i < d; ++i) {
      cell.lo[i] = cuts[i][idx[i]];
      cell.hi[i] = cuts[i][idx[i] + 1];
    }
    lines.clear();
    if (!residual.oblique_kinks(cell, lines)) return false;
    cur.clear();
    for (const geom::Simplex& s : geom::kuhn_simplices(cell.lo, cell.hi)) cur.push_back(geom::measured(s));
    for (const net::AffineForm& l : lines) {
      next.clear();
      for (const geom::MeasuredSimplex& s : cur) geom::split_by_hyperplane(s, l.constant, l.gradient, next);
      std::swap(cur, next);
      if (out.size() + cur.size() > max_pieces) return false;
    }
    for (geom::MeasuredSimplex& s : cur) {
      AffineSimplex pc;
      pc.affine = residual.affine_on(cell, s.vertex, pc.h);
      pc.t = std::move(s);
      out.push_back(std::move(pc));
    }
    std::size_t i = 0;
    while (i < d && ++idx[i] == cuts[i].size() - 1) idx[i++] = 0;
    if (i == d) break;
  }
  return true;
}

bool SimplicialRule::prepare(const net::Box& box, resid::ResidualEvaluator& ev, slong prec, bool need_model) {
  prec_ = prec;
  if (f_.precision() != prec) f_.set_precision(prec);
  if (series_.precision() != prec) series_.set_precision(prec);
  crude_.clear();
  sup_.clear();
  have_model_ = false;
  series_order_ = -1;
  const auto d = static_cast<std::size_t>(d_);
  if (d_ < 3 || !affine_simplices(*residual_, box, kMaxCuts, kMaxPieces, pieces_)) {
    pieces_.clear();
    return false;
  }
  for (const AffineSimplex& pc : pieces_)
    crude_.push_back(pc.affine ? Ball() : ev.enclose(bounding_box(pc.t)));
  std::vector<Ball> lo, hi;
  box.to_balls(lo, hi, prec);
  f_.range(lo.data(), hi.data(), f_range_);
  if (!f_range_.is_finite()) {
    pieces_.clear();  // enclose and may_beat then refuse
    return false;
  }
  // M per piece does not depend on n or p: enclose and may_beat read it for every order.
  for (const AffineSimplex& pc : pieces_) sup_.push_back(pc.affine ? sup_bound(pc) : Ball());
  base_.resize(d);
  direction_.resize(d);
  for (std::size_t k = 0; k < d; ++k) {
    base_[k] = Ball::from_interval(box.lo[k], box.hi[k], prec);
    const Rational rho = box.width(static_cast<int>(k)) / 2;
    direction_[k] = Ball::from_interval(-rho, rho, prec);
  }
  if (need_model) {
    // I4(b) for f alone (h = 0), shortened to 20-bit coefficients about the
    // centre with e raised by the rounding (as I8(i)): keeps the splits' rationals small.
    resid::ResidualJet jet;
    net::AffineForm a{Rational(0), std::vector<Rational>(d, Rational(0))};
    ev.jet_affine(box, a, jet);
    Rational e;
    if (!resid::linear_model(jet, box, a, e)) return false;
    const std::vector<Rational> c = box.center();
    const Rational alpha = net::value_at(a, c), alpha_r = num::round_down(alpha, 20);
    e += alpha - alpha_r;
    model_ = net::AffineForm{alpha_r, std::vector<Rational>(d, Rational(0))};
    for (std::size_t k = 0; k < d; ++k) {
      model_.gradient[k] = num::round_down(a.gradient[k], 20);
      e += (a.gradient[k] - model_.gradient[k]) * (box.width(static_cast<int>(k)) / 2);
      model_.constant -= model_.gradient[k] * c[k];
    }
    e_ = num::round_up(e, 20);
    have_model_ = true;
  }
  return true;
}

Ball SimplicialRule::sup_bound(const AffineSimplex& pc) const {
  Rational lo = net::value_at(pc.h, pc.t.vertex[0]), hi = lo;
  for (const geom::Point& v : pc.t.vertex) {
    const Rational h = net::value_at(pc.h, v);
    if (h < lo) lo = h;
    if (h > hi) hi = h;
  }
  Ball diff;
  arb_sub(diff.arb(), f_range_.arb(), Ball::from_interval(lo, hi, prec_).arb(), prec_);
  Ball out;
  arb_get_abs_ubound_arf(arb_midref(out.arb()), diff.arb(), prec_);
  return out;
}

// Lemma S7: |det E| Σ_k W_k J_k (f − h)^power(v_0 + E t_k), in ball arithmetic.
bool SimplicialRule::node_sum(const std::vector<geom::DuffyNode>& rule, const geom::MeasuredSimplex& t,
                              const net::AffineForm& h, int power, Ball& out) {
  const auto d = static_cast<std::size_t>(d_);
  // Vertex 0, the edges v_j − v_0 and h's coefficients as balls.
  std::vector<Ball>& v0 = x_;
  v0.resize(d * (d + 2) + 1);
  Ball* edge = v0.data() + d;  // edge[j*d + k] = (v_{j+1} − v_0)_k
  Ball* hg = edge + d * d;     // h's gradient
  Ball& hc = v0[d * (d + 2)];  // h's constant
  for (std::size_t k = 0; k < d; ++k) {
    v0[k] = Ball::from_rational(t.vertex[0][k], prec_);
    hg[k] = Ball::from_rational(h.gradient[k], prec_);
    for (std::size_t j = 0; j < d; ++j)
      edge[j * d + k] = Ball::from_rational(t.vertex[j + 1][k] - t.vertex[0][k], prec_);
  }
  hc = Ball::from_rational(h.constant, prec_);
  std::vector<Ball> x(d);
  Ball fx, hx, r, term, sum;
  arb_zero(sum.arb());
  for (const geom::DuffyNode& nd : rule) {
    for (std::size_t k = 0; k < d; ++k) {
      arb_set(x[k].arb(), v0[k].arb());
      for (std::size_t j = 0; j < d; ++j) arb_addmul(x[k].arb(), nd.t[j].arb(), edge[j * d + k].arb(), prec_);
    }
    f_.point(x.data(), fx);
    arb_set(hx.arb(), hc.arb());
    for (std::size_t k = 0; k < d; ++k) arb_addmul(hx.arb(), hg[k].arb(), x[k].arb(), prec_);
    arb_sub(r.arb(), fx.arb(), hx.arb(), prec_);
    if (power == 1)
      arb_set(term.arb(), r.arb());
    else
      arb_pow_ui(term.arb(), r.arb(), static_cast<ulong>(power), prec_);
    arb_addmul(sum.arb(), nd.weight.arb(), term.arb(), prec_);
  }
  // |det E| = d! |t|.
  arb_mul(sum.arb(), sum.arb(), Ball::from_rational(t.volume, prec_).arb(), prec_);
  arb_mul(out.arb(), sum.arb(), factorial_.arb(), prec_);
  return out.is_finite();
}

bool SimplicialRule::remainder(int n, long power, Ball& eps) {
  if (pieces_.empty() || power < 1 || (power != 1 && power % 2 != 0)) return false;
  if (power == 1 && !have_model_) return false;
  const int m = power == 1 ? 2 * n - d_ : (2 * n - d_) / static_cast<int>(power);
  if (m < 1) return false;
  // f's series along δ ∈ Π[−ρ, ρ] over the leaf (S7(c)): coefficient m + 1 is ε.
  if (series_order_ == -2) return false;
  if (series_order_ < m + 1) {
    if (!series_.evaluate(base_.data(), direction_.data(), m + 1, series_out_)) {
      series_order_ = -2;
      return false;
    }
    series_order_ = m + 1;
  }
  arb_get_abs_ubound_arf(arb_midref(eps.arb()), series_out_[static_cast<std::size_t>(m + 1)].arb(), prec_);
  mag_zero(arb_radref(eps.arb()));
  return eps.is_finite();
}

// C3.2 on a piece where h is not certified affine: |t|·[min |R|^p, max |R|^p], R over its
// bounding box.
void SimplicialRule::crude_part(std::size_t i, const Rational& p, const Ball& vol, Ball& out) const {
  Ball a;
  arb_abs(a.arb(), crude_[i].arb());
  pow_nonneg(out, a, p, true, prec_);
  arb_mul(out.arb(), out.arb(), vol.arb(), prec_);
}

// I9 (e)'s remainder on an affine piece for an even p: 2|T| p (M + ε)^{p−1} ε, with M =
// m_sup, pb = p and vol = |T|.
void SimplicialRule::even_remainder(long power, const Ball& pb, const Ball& m_sup, const Ball& eps,
                                    const Ball& vol, Ball& out) const {
  Ball t;
  arb_add(t.arb(), m_sup.arb(), eps.arb(), prec_);
  arb_pow_ui(t.arb(), t.arb(), static_cast<ulong>(power - 1), prec_);
  arb_mul(out.arb(), t.arb(), eps.arb(), prec_);
  arb_mul(out.arb(), out.arb(), pb.arb(), prec_);
  arb_mul(out.arb(), out.arb(), vol.arb(), prec_);
  arb_mul_2exp_si(out.arb(), out.arb(), 1);
}

// The cap |T| M^p on an affine piece's integral, M = m_sup, vol = |T|.
void SimplicialRule::piece_cap(long power, const Ball& m_sup, const Ball& vol, Ball& out) const {
  arb_pow_ui(out.arb(), m_sup.arb(), static_cast<ulong>(power), prec_);
  arb_mul(out.arb(), out.arb(), vol.arb(), prec_);
}

bool SimplicialRule::may_beat(int n, const Rational& p, double width) {
  if (denominator(p) != 1 || p < 1) return false;
  const long power = numerator(p).convert_to<long>();
  Ball eps;
  if (!remainder(n, power, eps)) return false;
  // Each affine piece's enclosure is at least min(its remainder's half-width, |T| M^p) wide
  // (I9 (e): the node sum carries ± 2|T|ε for p = 1, ± 2|T| p (M + ε)^{p−1} ε for even p; the
  // cap [0, |T| M^p] may cut it), a refused piece its crude width; the sum of those estimates
  // the best width the rule can reach.
  const Ball pb = Ball::from_rational(p, prec_);
  Ball total, part, mp, vol;
  arb_zero(total.arb());
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    const AffineSimplex& pc = pieces_[i];
    vol = Ball::from_rational(pc.t.volume, prec_);
    if (!pc.affine) {
      crude_part(i, p, vol, part);  // its width: 2 rad
      arb_get_rad_arb(part.arb(), part.arb());
      arb_mul_2exp_si(part.arb(), part.arb(), 1);
      arb_add(total.arb(), total.arb(), part.arb(), prec_);
      continue;
    }
    const Ball& m_sup = sup_[i];
    if (power == 1) {
      arb_mul_2exp_si(part.arb(), eps.arb(), 1);
      arb_mul(part.arb(), part.arb(), vol.arb(), prec_);
    } else {
      even_remainder(power, pb, m_sup, eps, vol, part);
    }
    piece_cap(power, m_sup, vol, mp);
    arb_min(part.arb(), part.arb(), mp.arb(), prec_);
    arb_add(total.arb(), total.arb(), part.arb(), prec_);
  }
  if (!total.is_finite()) return true;
  return num::to_double_approx(num::lower_rational(total)) < width;
}

// Lemma I9 (d), (e).
bool SimplicialRule::enclose(int n, const Rational& p, Ball& out) {
  if (denominator(p) != 1 || p < 1) return false;
  const long power = numerator(p).convert_to<long>();
  Ball eps;
  if (!remainder(n, power, eps)) return false;
  const std::vector<geom::DuffyNode>& rule = nodes(n);
  const Ball pb = Ball::from_rational(p, prec_);
  Ball sum, part, q, rem, vol, mp, top, lo_sum;
  arb_zero(sum.arb());
  std::vector<geom::MeasuredSimplex> sides;
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    const AffineSimplex& pc = pieces_[i];
    vol = Ball::from_rational(pc.t.volume, prec_);
    if (!pc.affine) {
      crude_part(i, p, vol, part);
      arb_add(sum.arb(), sum.arb(), part.arb(), prec_);
      continue;
    }
    const Ball& m_sup = sup_[i];
    if (power == 1) {
      // Σ_k [σ_k Q(r) − 2|T_k|ε, σ_k Q(r) + 2|T_k|ε + 2β_k] over the sides of Λ = A − h.
      const net::AffineForm lambda = minus(model_, pc.h);
      sides.clear();
      geom::split_by_hyperplane(pc.t, lambda.constant, lambda.gradient, sides);
      arb_zero(lo_sum.arb());
      Rational band(0);
      for (const geom::MeasuredSimplex& s : sides) {
        bool nonneg = true;
        for (const geom::Point& v : s.vertex) nonneg = nonneg && net::value_at(lambda, v).sign() >= 0;
        const int sigma = nonneg ? 1 : -1;
        if (!node_sum(rule, s, pc.h, 1, q)) return false;
        if (sigma < 0) arb_neg(q.arb(), q.arb());
        arb_mul(rem.arb(), Ball::from_rational(s.volume, prec_).arb(), eps.arb(), prec_);
        arb_mul_2exp_si(rem.arb(), rem.arb(), 1);
        arb_add_error(q.arb(), rem.arb());
        arb_add(lo_sum.arb(), lo_sum.arb(), q.arb(), prec_);
        std::vector<Rational> g(lambda.gradient);
        for (Rational& x : g) x *= -sigma;
        band += geom::positive_part_integral(s, e_ - sigma * lambda.constant, g);
      }
      // lo_sum ⊇ Σ σ_k ∫_{T_k} r; the band widens the upper end only.
      const Rational lo = num::lower_rational(lo_sum), hi = num::upper_rational(lo_sum) + 2 * band;
      part = Ball::from_interval(lo, num::round_up(hi, 64), prec_);
    } else {
      // ∫_T r^p ∈ Q(r^p) ± 2|T| p (M + ε)^{p−1} ε.
      if (!node_sum(rule, pc.t, pc.h, static_cast<int>(power), part)) return false;
      even_remainder(power, pb, m_sup, eps, vol, rem);
      arb_get_abs_ubound_arf(arb_midref(top.arb()), rem.arb(), prec_);
      arb_add_error(part.arb(), top.arb());
    }
    // ∩ [0, |T| M^p].
    piece_cap(power, m_sup, vol, mp);
    Rational lo = num::lower_rational(part), hi = num::upper_rational(part);
    const Rational cap = num::upper_rational(mp);
    if (lo < 0) lo = 0;
    if (hi > cap) hi = cap;
    if (lo > hi) return false;  // both enclose one number: only a defect could get here; never claim
    arb_add(sum.arb(), sum.arb(), Ball::from_interval(lo, hi, prec_).arb(), prec_);
  }
  out = sum;
  return out.is_finite();
}

}  // namespace mgdl::certify
