// Internal to mgdl_geom: Lemma S8 (v) (proofs/simplices.md), the L^1 rule for
// a triangle that the zero set of r = f − ℓ crosses, cut along a parabola arc
// (a quadratic Bézier curve) that follows the zero set of r's cubic Taylor
// model instead of a straight line. The part at the lone vertex a is
// integrated by a tensor Gauss rule in the arc's polar coordinates from a; the
// band where σ_k r may be negative is bounded along the rays from a.
#pragma once

#include <cstddef>
#include <vector>

#include "mgdl/geom/simplex_sup.hpp"
#include "mgdl/num/ball.hpp"

namespace mgdl::geom::detail {

// r's cubic model about c in 2D (Lemma S7 (c) with m = 3):
// m(x) = a + b·δ + ½ δᵀHδ + ⅙ T[δ]³, δ = x − c, |r − m| <= eps on the piece.
struct Cubic2 {
  num::Ball c[2];
  num::Ball a, b[2];
  num::Ball h[3];  // H_xx, H_xy, H_yy
  num::Ball t[4];  // T_xxx, T_xxy, T_xyy, T_yyy
  num::Ball eps;
};

class CurvedCut {
 public:
  // `degree`: the Taylor degree m of Lemma S7 (c) that the quadrature must
  // integrate exactly over the curved part.
  CurvedCut(int degree, slong prec);

  // Plans the cut of the triangle v[0..2] (each x, y, ℓ as balls): each vertex
  // is tried as the lone vertex a, the arc running from P on edge ab to Q on
  // edge ac, and the one whose band is estimated narrowest (doubles, steering
  // only) is certified, if that estimate is under `limit`. False when no arc
  // is certified; else sigma() = the sign on a's side T1, area() = |T1| and
  // band() >= Σ_k ∫_{T_k} (σ_k r)⁻ (exact upper endpoint), finite.
  bool plan(const num::Ball* const (&v)[3], const Cubic2& m, double limit);
  int sigma() const { return sigma_; }
  bool whole() const { return whole_; }  // T1 = T (no crossing): ∫_T σr needs no second rule
  // The plan's lone vertex (an index into v) and the arc's exact fractions
  // t_b, t_c, κ_b, κ_c (tests).
  std::size_t lone() const { return lone_; }
  void fractions(double& tb, double& tc, double& kb, double& kc) const {
    tb = steer_.tb, tc = steer_.tc, kb = steer_.kb, kc = steer_.kc;
  }
  const num::Ball& area() const { return area_; }
  const num::Ball& band() const { return band_; }

  // After plan(): sum with ∫_{T1} r ∈ sum ± 2 |T1| ε_m (the rule's remainder).
  void integrate(LocalTarget& target, num::Ball& sum);

 private:
  static constexpr int kDegree = 6;  // of the polynomials in s along the arc
  static constexpr int kParts = 2;   // the parts of [0, 1] the band is bounded on
  struct Poly {
    num::Ball c[kDegree + 1];  // monomial basis in s
  };
  // The model in λ (x = v_a + E λ): F0 + F1(λ) + F2(λ) + F3(λ), F_k homogeneous
  // of degree k with coefficients f[k][i] of λ_b^{k−i} λ_c^i.
  struct Lambda {
    double f[4][4];
  };
  struct Steer {
    double tb = 0, tc = 0, kb = 0, kc = 0;  // dyadic: P = (t_b, 0), Q = (0, t_c), K = (κ_b, κ_c) in λ
    int sigma = 1;
  };
  static void jacobian(const Steer& st, double (&j)[3]);
  static bool steer(const Lambda& m, Steer& st);
  static double estimate(const Lambda& m, const Steer& st, double eps);
  bool certify(const Cubic2& m);
  void bernstein(const Poly& p, Poly& out) const;
  void halve(const Poly& in, Poly& left, Poly& right) const;
  void range(const Poly& p, num::Ball& lo, num::Ball& hi) const;
  void fibre_band(const num::Ball& g, const num::Ball& a, const num::Ball& c2, const num::Ball& c3,
                  const num::Ball& u_max, num::Ball& out) const;

  slong prec_;
  std::vector<num::Ball> s_node_, s_weight_, t_node_, t_weight_;  // Gauss–Legendre on [0, 1]
  num::Ball binom_ratio_[kDegree + 1][kDegree + 1];               // C(k, i) / C(6, i)
  // The plan.
  const num::Ball *va_ = nullptr, *vb_ = nullptr, *vc_ = nullptr;
  Steer steer_;
  double j_[3] = {0, 0, 0};  // J's coefficients for the plan
  int sigma_ = 1;
  bool whole_ = false;
  std::size_t lone_ = 0;
  num::Ball tb_, tc_, kb_, kc_, eb_[2], ec_[2], det_, area_, band_;
};

}  // namespace mgdl::geom::detail
