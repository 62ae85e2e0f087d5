// The producer's high-order L^p leaf rules (proofs/integration.md): G<n>,
// tensor Gauss–Legendre with the signed Taylor remainder (Lemmas I1–I3, I6).
// The independent checker re-implements the same rules (src/check/lp_rules.cpp);
// the evidence names one token per leaf (docs/certificate-format.md, `rules`).
//
//   certify::GaussLeafRule g(residual, 128);
//   num::Ball out;
//   if (g.enclose(box, jet.range, 8, num::Rational(2), 128, out)) ...  // out ∋ ∫_box |R|²
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mgdl/certify/gauss_legendre.hpp"
#include "mgdl/certify/trapezoids.hpp"
#include "mgdl/expr/series.hpp"
#include "mgdl/net/box.hpp"
#include "mgdl/num/ball.hpp"
#include "mgdl/resid/residual.hpp"

namespace mgdl::certify {

// One token of the evidence string `rules`: 'C', 'M', 'G', 'Z', 'K', 'P', 'S', 'T', 'F' (all but C, M, Z with
// n).
struct LeafRule {
  char kind = 'M';
  int n = 0;
  std::string token() const {
    return kind == 'C' || kind == 'M' || kind == 'Z' ? std::string(1, kind) : kind + std::to_string(n);
  }
};

// x^p for a ball x >= 0 (p >= 1 rational; p_integer: exact integer powers).
// When the ball reaches 0 the result is [0, upper(x)^p] (t ↦ t^p is increasing).
void pow_nonneg(num::Ball& out, const num::Ball& x, const num::Rational& p, bool p_integer, slong prec);

// Z (Lemma I4) for an integer p >= 1: out ∋ ∫_box |R|^p from the order-2 jet (valid
// when jet.smooth: h affine, f C² on the box), with no sign condition. The affine
// model A = a0 + Σ b_i (x_i − c_i) uses the midpoints of R(c) and ∇R(c) (exact
// rationals); ∫|A|^p is exact, the Lagrange error e gives ±vol·p·U^{p−1}·e.
// False for a rational non-integer p or a non-finite jet.
bool zero_crossing_rule(const resid::ResidualJet& jet, const net::Box& box, const num::Rational& p, slong prec,
                        num::Ball& out);

// F<n>'s band (proofs/integration.md, Lemma I10; p = 1) on a smooth leaf (the
// corrections affine there): over the axes on which ∂_a R is certified of one
// sign (∂_a R(c) + Σ_j H_aj(B)[−r_j, r_j]), the smallest band ν >= R⁻ (sign = +1:
// ∫|R| ∈ [∫R, ∫R + 2 vol ν]) or μ >= R⁺ (sign = −1), from R over the face where R
// is least or greatest. False when no axis is monotone.
bool face_band(resid::ResidualEvaluator& ev, const resid::ResidualJet& jet, const net::Box& box, slong prec,
               int& sign, num::Rational& band);

// Not thread-safe: one per thread.
class GaussLeafRule {
 public:
  GaussLeafRule(const resid::Residual& residual, slong prec);

  // Starts a new leaf: forgets the values kept for the previous leaf's trapezoids
  // (the rules for several exponents on one leaf share them).
  void begin_leaf();

  // out ∋ ∫_box |R|^p by G<n> (Lemma I1), with `range` ⊇ R(box). Hypotheses:
  // the corrections are affine on the box, f is analytic on it (its series
  // exist, I6) and R has a certified sign on it (from `range`) or p is an even
  // integer. Returns false when they fail or the result is not finite.
  // signed_integral = ±1 (p = 1 only): out ∋ ∫_box s·R instead, with no sign
  // condition (Lemmas I8(i), I10: the rule never uses the sign of its integrand).
  bool enclose(const net::Box& box, const num::Ball& range, int n, const num::Rational& p, slong prec,
               num::Ball& out, int signed_integral = 0);
  // F<n> (Lemma I10; p = 1): out ∋ ∫_box |R| as [∫ s·R, ∫ s·R + 2·vol·band], the
  // signed integral by G<n>, with (sign, band) from face_band on this box.
  bool enclose_from_face(const net::Box& box, const num::Ball& range, int n, int sign,
                         const num::Rational& band, slong prec, num::Ball& out);
  // out ∋ ∫_T |R|^p by the trapezoid rule of Lemma I8(d) (d = 2), where h = `h`
  // (an affine form) on T and `range` ⊇ R(T) (null when p is an even integer:
  // no sign is needed then). Hypotheses as for enclose, with f's series over
  // T's bounding box.
  bool enclose_trapezoid(const Trapezoid& t, const net::AffineForm& h, const num::Ball* range, int n,
                         const num::Rational& p, slong prec, num::Ball& out);
  // out ∋ ∫_T |R| (p = 1) by Lemma I8(i), where |R − a| <= e on T and h = `h` on T
  // (a the linear model of R, I4(b)); R may change sign. Hypotheses as for
  // enclose_trapezoid otherwise.
  bool enclose_abs_split(const Trapezoid& t, const net::AffineForm& a, const num::Rational& e,
                         const net::AffineForm& h, int n, slong prec, num::Ball& out);

 private:
  // ∫_T (sign·(f − h))^p by Lemma I8(d); the caller has established when the
  // result equals ∫_T |R|^p.
  bool trapezoid_rule(const Trapezoid& t, const net::AffineForm& h, int sign, int n, const num::Rational& p,
                      slong prec, num::Ball& out);
  const GaussLegendre& table(int n, slong prec);
  // The series of g = (s·R)^p from f's series `f` (of the given order) along an
  // axis or a direction from base points, with `h_base` ⊇ h(base), `range` ⊇
  // R(base) (null: none) and `slope` the derivative of h along it (Lemma I6).
  bool g_from_f(const std::vector<num::Ball>& f, int order, int sign, const num::Rational& p,
                const num::Ball& h_base, const num::Ball* range, const num::Ball& slope, slong prec,
                std::vector<num::Ball>& g);

  // f at a piece's Gauss nodes and its remainder series (trapezoid_rule, enclose),
  // for one trapezoid or box, n and precision.
  struct PieceValues {
    bool is_box = false;
    Trapezoid t;
    net::Box box;
    int n = 0;
    slong prec = 0;
    bool ok = false;  // false: f failed on the piece (or the entry is being filled)
    std::vector<num::Ball> fx;
    std::vector<std::vector<num::Ball>> series;
    std::size_t series_done = 0;  // series are filled in order 0, 1, ...
  };
  // The piece's kept values (fresh = false), or a new entry for `nodes` values to
  // fill (fresh = true); null when f is known to fail on it. t or box is null.
  PieceValues* values_for(const Trapezoid* t, const net::Box* box, int n, slong prec, std::size_t nodes,
                          bool& fresh);
  // Series q of f along `axis` (or `dir`) from `base`, computed once per entry.
  const std::vector<num::Ball>* series_for(PieceValues& v, std::size_t q, const num::Ball* base, int axis,
                                           const num::Ball* dir, int order);
  static constexpr std::size_t kMaxCached = 256;

  const resid::Residual* residual_;
  expr::BallEvaluator f_;
  expr::SeriesEvaluator series_;
  std::map<std::pair<int, slong>, GaussLegendre> tables_;
  net::BallEnclosure h_;
  std::vector<num::Ball> center_, radius_, base_, point_, g_, g2_;
  std::vector<std::vector<num::Ball>> coords_, offsets_;
  std::vector<Trapezoid> sides_;
  std::vector<PieceValues> cache_;  // the first cached_ are this leaf's
  std::size_t cached_ = 0;
  PieceValues scratch_;  // when the cache is full
};

}  // namespace mgdl::certify
