// The checker's truncated power series (series.hpp) and its certified
// Gauss–Legendre nodes and constants (gauss.hpp), against high-precision
// references of closed forms (MPFI at 600 bits, so the references are rigorous too).
#include <doctest/doctest.h>

#include <cstdio>
#include <functional>
#include <random>
#include <string>

#include "gauss.hpp"
#include "series.hpp"

using namespace mgdl::check;

namespace {

constexpr mpfr_prec_t ref_prec = 600;

Target parse1(const std::string& text) {
  return parse_target(text, {"x"}, {Q(0)}, {Q(1)});
}

bool contains(const I& outer, const I& inner) {
  return finite(outer) && finite(inner) && mpfr_cmp(outer.left(), inner.left()) <= 0 &&
         mpfr_cmp(inner.right(), outer.right()) <= 0;
}

// Width of x relative to max(1, |x|), as a double (a test measure only).
double rel_width(const I& x) {
  if (!finite(x)) return 1e300;
  mpfr_t w, m;
  mpfr_inits2(x.prec(), w, m, static_cast<mpfr_ptr>(nullptr));
  mpfi_diam_abs(w, x.get());
  magnitude(m, x);
  double wd = mpfr_get_d(w, MPFR_RNDU), md = mpfr_get_d(m, MPFR_RNDU);
  mpfr_clears(w, m, static_cast<mpfr_ptr>(nullptr));
  return wd / (md > 1 ? md : 1);
}

Q binomial(const Q& alpha, int k) {
  Q r(1);
  for (int j = 0; j < k; ++j) r = r * (alpha - Q(j)) / Q(j + 1);
  return r;
}

void factorial_div(I& x, int k) {
  for (int j = 2; j <= k; ++j) mpfi_div_ui(x.get(), x.get(), static_cast<unsigned long>(j));
}

// a_k of (1 + x)^α at x0: binom(α, k) (1 + x0)^{α − k}.
void power_ref(I& out, const Q& x0, const Q& alpha, int k) {
  I b(ref_prec);
  Q base = Q(1) + x0;
  mpfi_set_q(b.get(), base.get());
  mpfi_log(b.get(), b.get());
  Q e = alpha - Q(k);
  mpfi_mul_q(b.get(), b.get(), e.get());
  mpfi_exp(out.get(), b.get());
  Q c = binomial(alpha, k);
  mpfi_mul_q(out.get(), out.get(), c.get());
}

// Derivative polynomials of tan (sign +1) and tanh (−1): P_0 = t, P_{k+1} = (1 ± t²) P_k'.
std::vector<std::vector<Q>> derivative_polys(int sign, int k_max) {
  std::vector<std::vector<Q>> p{{Q(0), Q(1)}};
  for (int k = 0; k < k_max; ++k) {
    const auto& cur = p.back();
    std::vector<Q> der(cur.size() > 1 ? cur.size() - 1 : 1);
    for (std::size_t j = 1; j < cur.size(); ++j) der[j - 1] = cur[j] * Q(static_cast<long>(j));
    std::vector<Q> next(der.size() + 2);
    for (std::size_t j = 0; j < der.size(); ++j) {
      next[j] = next[j] + der[j];
      next[j + 2] = next[j + 2] + der[j] * Q(sign);
    }
    p.push_back(next);
  }
  return p;
}

void poly_at(I& out, const std::vector<Q>& poly, const I& t) {
  I acc(ref_prec);
  mpfi_set_ui(acc.get(), 0);
  for (std::size_t j = poly.size(); j-- > 0;) {
    mpfi_mul(acc.get(), acc.get(), t.get());
    mpfi_add_q(acc.get(), acc.get(), poly[j].get());
  }
  mpfi_set(out.get(), acc.get());
}

using Reference = std::function<void(I&, const Q&, int)>;  // a_k at x0

struct Case {
  const char* expr;
  Reference ref;
};

std::vector<Case> cases() {
  auto trig = [](bool sine, long a) {
    return [sine, a](I& out, const Q& x0, int k) {
      // a^k sin(a x0 + kπ/2)/k! (cos likewise)
      I arg(ref_prec), pi(ref_prec);
      Q ax = Q(a) * x0;
      mpfi_set_q(arg.get(), ax.get());
      mpfi_const_pi(pi.get());
      mpfi_mul_ui(pi.get(), pi.get(), static_cast<unsigned long>(k));
      mpfi_div_2ui(pi.get(), pi.get(), 1);
      mpfi_add(arg.get(), arg.get(), pi.get());
      if (sine)
        mpfi_sin(out.get(), arg.get());
      else
        mpfi_cos(out.get(), arg.get());
      Q ak = qpow(Q(a), static_cast<unsigned long>(k));
      mpfi_mul_q(out.get(), out.get(), ak.get());
      factorial_div(out, k);
    };
  };
  auto hyper = [](bool sinh_first) {
    return [sinh_first](I& out, const Q& x0, int k) {
      mpfi_set_q(out.get(), x0.get());
      if ((k % 2 == 0) == sinh_first)
        mpfi_sinh(out.get(), out.get());
      else
        mpfi_cosh(out.get(), out.get());
      factorial_div(out, k);
    };
  };
  auto tan_like = [](int sign) {
    auto polys = derivative_polys(sign, 40);
    return [sign, polys](I& out, const Q& x0, int k) {
      I t(ref_prec);
      mpfi_set_q(t.get(), x0.get());
      if (sign > 0)
        mpfi_tan(t.get(), t.get());
      else
        mpfi_tanh(t.get(), t.get());
      poly_at(out, polys[static_cast<std::size_t>(k)], t);  // P_k(tan x) = d^k/dx^k tan x
      factorial_div(out, k);
    };
  };
  return {
      {"exp(3*x)",
       [](I& out, const Q& x0, int k) {
         Q a = Q(3) * x0;
         mpfi_set_q(out.get(), a.get());
         mpfi_exp(out.get(), out.get());
         Q p = qpow(Q(3), static_cast<unsigned long>(k));
         mpfi_mul_q(out.get(), out.get(), p.get());
         factorial_div(out, k);
       }},
      {"sin(2*x)", trig(true, 2)},
      {"cos(2*x)", trig(false, 2)},
      {"sinh(x)", hyper(true)},
      {"cosh(x)", hyper(false)},
      {"log(1+x)",
       [](I& out, const Q& x0, int k) {
         Q b = Q(1) + x0;
         if (k == 0) {
           mpfi_set_q(out.get(), b.get());
           mpfi_log(out.get(), out.get());
           return;
         }
         Q v = Q(k % 2 == 1 ? 1 : -1) / (Q(k) * qpow(b, static_cast<unsigned long>(k)));
         mpfi_set_q(out.get(), v.get());
       }},
      {"1/(1+x)", [](I& out, const Q& x0, int k) { power_ref(out, x0, Q(-1), k); }},
      {"(1+x)^(-3)", [](I& out, const Q& x0, int k) { power_ref(out, x0, Q(-3), k); }},
      {"(1+x)^5", [](I& out, const Q& x0, int k) { power_ref(out, x0, Q(5), k); }},
      {"sqrt(1+x)", [](I& out, const Q& x0, int k) { power_ref(out, x0, Q(1, 2), k); }},
      {"(1+x)^(1/3)", [](I& out, const Q& x0, int k) { power_ref(out, x0, Q(1, 3), k); }},
      {"pow(1+x, -5/2)", [](I& out, const Q& x0, int k) { power_ref(out, x0, Q(-5, 2), k); }},
      {"2^x",
       [](I& out, const Q& x0, int k) {
         // (ln 2)^k 2^{x0} / k!
         I l(ref_prec);
         mpfi_const_log2(l.get());
         mpfi_set_q(out.get(), x0.get());
         mpfi_mul(out.get(), out.get(), l.get());
         mpfi_exp(out.get(), out.get());
         for (int j = 0; j < k; ++j) mpfi_mul(out.get(), out.get(), l.get());
         factorial_div(out, k);
       }},
      {"atan(x)",
       [](I& out, const Q& x0, int k) {
         // (−1)^{k−1} sin(k·acot x0) / (k (1 + x0²)^{k/2}), x0 > 0
         mpfi_set_q(out.get(), x0.get());
         if (k == 0) {
           mpfi_atan(out.get(), out.get());
           return;
         }
         I th(ref_prec), den(ref_prec);
         mpfi_inv(th.get(), out.get());
         mpfi_atan(th.get(), th.get());
         mpfi_mul_ui(th.get(), th.get(), static_cast<unsigned long>(k));
         mpfi_sin(out.get(), th.get());
         Q q = Q(1) + x0 * x0;
         mpfi_set_q(den.get(), q.get());
         mpfi_sqrt(den.get(), den.get());
         for (int j = 0; j < k; ++j) mpfi_div(out.get(), out.get(), den.get());
         mpfi_div_ui(out.get(), out.get(), static_cast<unsigned long>(k));
         if (k % 2 == 0) mpfi_neg(out.get(), out.get());
       }},
      {"tan(x)", tan_like(1)},
      {"tanh(x)", tan_like(-1)},
      // Non-smooth primitives of certain sign on [0, 1]: identities.
      {"abs(x-2) + relu(x+1) + min(x, x+1) - max(x-3, x) + relu(x-5)",
       [](I& out, const Q&, int k) {
         // (2 − x) + (x + 1) + x − x + 0 = 3
         mpfi_set_ui(out.get(), k == 0 ? 3 : 0);
       }},
  };
}

// The last series of `se` against the references at x0: contained, relative width below max_rel.
void check_coefficients(const SeriesEvaluator& se, const Case& cs, const Q& x0, int order, double max_rel) {
  for (int k = 0; k <= order; ++k) {
    CAPTURE(k);
    I ref(ref_prec);
    cs.ref(ref, x0, k);
    const I& got = se.result()[static_cast<std::size_t>(k)];
    CHECK(contains(got, ref));
    CHECK(rel_width(got) < max_rel);
  }
}

}  // namespace

TEST_CASE("series: coefficients at points enclose closed-form references, narrowly (K = 40)") {
  const int order = 40;
  const unsigned seed = 20251202;
  std::mt19937 rng(seed);
  CAPTURE(seed);
  for (const Case& cs : cases()) {
    std::string expr_name = cs.expr;
    CAPTURE(expr_name);
    Target t = parse1(cs.expr);
    SeriesEvaluator se(t, 256);
    for (int trial = 0; trial < 4; ++trial) {
      Q x0(static_cast<long>(1 + rng() % 999), 1000);
      CAPTURE(x0.str());
      std::vector<I> box(1, I(256));
      set_interval(box[0], x0);
      REQUIRE(se.evaluate(box, 0, order));
      check_coefficients(se, cs, x0, order, 1e-50);
    }
  }
}

TEST_CASE("series: a box as base point encloses the coefficients at every point of it") {
  const int order = 24;
  const unsigned seed = 777;
  std::mt19937 rng(seed);
  CAPTURE(seed);
  for (const Case& cs : cases()) {
    std::string expr_name = cs.expr;
    CAPTURE(expr_name);
    Target t = parse1(cs.expr);
    SeriesEvaluator se(t, 128);
    const Q lo(3, 10), hi(3, 10);
    const Q delta(1, 1 << 20);
    std::vector<I> box(1, I(128));
    set_interval(box[0], lo - delta, hi + delta);
    REQUIRE(se.evaluate(box, 0, order));
    for (int trial = 0; trial < 6; ++trial) {
      Q x0 = lo - delta + delta * Q(static_cast<long>(rng() % 1001), 500);
      // Over a box of radius 2^-20: Lipschitz-narrow (finite, not entire).
      check_coefficients(se, cs, x0, order, 1e-2);
    }
  }
}

TEST_CASE("series: 2D, along each axis, with a mapped domain") {
  // f = exp(x)·sin(y) on the user box [1, 3] × [0, 2]: x = 1 + 2 t0, y = 2 t1.
  Target t = parse_target("exp(x)*sin(y)", {"x", "y"}, {Q(1), Q(0)}, {Q(3), Q(2)});
  SeriesEvaluator se(t, 256);
  const Q t0(1, 3), t1(3, 7);
  std::vector<I> box(2, I(256));
  set_interval(box[0], t0);
  set_interval(box[1], t1);
  for (int axis = 0; axis < 2; ++axis) {
    REQUIRE(se.evaluate(box, axis, 12));
    for (int k = 0; k <= 12; ++k) {
      CAPTURE(axis);
      CAPTURE(k);
      // ∂_t0^k = 2^k exp(x) sin(y); ∂_t1^k = 2^k exp(x) sin(y + kπ/2).
      I ex(ref_prec), s(ref_prec), pi(ref_prec);
      Q x = Q(1) + Q(2) * t0, y = Q(2) * t1;
      mpfi_set_q(ex.get(), x.get());
      mpfi_exp(ex.get(), ex.get());
      mpfi_set_q(s.get(), y.get());
      if (axis == 1) {
        mpfi_const_pi(pi.get());
        mpfi_mul_ui(pi.get(), pi.get(), static_cast<unsigned long>(k));
        mpfi_div_2ui(pi.get(), pi.get(), 1);
        mpfi_add(s.get(), s.get(), pi.get());
      }
      mpfi_sin(s.get(), s.get());
      mpfi_mul(ex.get(), ex.get(), s.get());
      mpfi_mul_2ui(ex.get(), ex.get(), static_cast<unsigned long>(k));
      factorial_div(ex, k);
      CHECK(contains(se.result()[static_cast<std::size_t>(k)], ex));
      CHECK(rel_width(se.result()[static_cast<std::size_t>(k)]) < 1e-60);
    }
  }
}

TEST_CASE("series: no numbers where a primitive is not smooth on the box") {
  std::vector<I> box(1, I(128));
  set_interval(box[0], Q(1, 4), Q(3, 4));
  for (const char* e : {"abs(x-1/2)", "relu(x-1/2)", "min(x, 1-x)", "max(x, 1/2)", "sqrt(x-1/4)",
                        "log(x-1/4)", "1/(x-1/2)", "(x-1/2)^(-2)", "(x-1/4)^(1/2)", "tan(2*pi*x)"}) {
    CAPTURE(e);
    Target t = parse1(e);
    SeriesEvaluator se(t, 128);
    CHECK_FALSE(se.evaluate(box, 0, 8));
  }
  // The same primitives of certain sign are fine; (x − 1/2)^4 is a polynomial.
  for (const char* e : {"abs(x-1)", "relu(x+1)", "min(x, x+1)", "sqrt(x+1/4)", "(x-1/2)^4"}) {
    CAPTURE(e);
    Target t = parse1(e);
    SeriesEvaluator se(t, 128);
    CHECK(se.evaluate(box, 0, 8));
  }
}

TEST_CASE("series arithmetic: powers of a series, exact cases") {
  // a = 1/2 + t: a^3 = 1/8 + 3/4 t + 3/2 t² + t³; a^(1/2) against binomials; a^(-2).
  Target t = parse1("x");
  SeriesEvaluator se(t, 256);
  Series a(9, I(256)), out(9, I(256));
  mpfi_set_q(a[0].get(), Q(1, 2).get());
  mpfi_set_ui(a[1].get(), 1);
  for (int k = 2; k <= 8; ++k) mpfi_set_ui(a[static_cast<std::size_t>(k)].get(), 0);
  REQUIRE(se.ipow(out, a, 3, 8));
  const Q cube[] = {Q(1, 8), Q(3, 4), Q(3, 2), Q(1), Q(0), Q(0), Q(0), Q(0), Q(0)};
  for (int k = 0; k <= 8; ++k) {
    I ref(256);
    mpfi_set_q(ref.get(), cube[k].get());
    CHECK(contains(out[static_cast<std::size_t>(k)], ref));
    CHECK(rel_width(out[static_cast<std::size_t>(k)]) < 1e-70);
  }
  for (const Q& alpha : {Q(1, 2), Q(-2), Q(7, 3)}) {
    const bool rational = !alpha.is_integer();
    REQUIRE((rational ? se.pow_rational(out, a, alpha, 8) : se.ipow(out, a, -2, 8)));
    for (int k = 0; k <= 8; ++k) {
      I ref(ref_prec);
      power_ref(ref, Q(-1, 2), alpha, k);  // (1 + x0)^α with 1 + x0 = 1/2
      CHECK(contains(out[static_cast<std::size_t>(k)], ref));
    }
  }
  // Negative powers and fractional powers need a_0 away from 0.
  mpfi_set_ui(a[0].get(), 0);
  CHECK_FALSE(se.ipow(out, a, -1, 4));
  CHECK_FALSE(se.pow_rational(out, a, Q(1, 2), 4));
  CHECK(se.ipow(out, a, 2, 4));  // t² is fine
}

TEST_CASE("Gauss-Legendre: certified nodes and weights for n = 1..24") {
  for (int n = 1; n <= gauss_max_points; ++n) {
    CAPTURE(n);
    GaussRule g;
    REQUIRE(gauss_legendre(n, 128, g));
    REQUIRE(g.nodes.size() == static_cast<std::size_t>(n));
    I sum(128), moment(128), x2k(128), term(128), ref(256);
    mpfi_set_ui(sum.get(), 0);
    for (std::size_t j = 0; j < g.nodes.size(); ++j) {
      CHECK(rel_width(g.nodes[j]) < 1e-34);
      CHECK(strictly_pos(g.weights[j]));
      if (j > 0) CHECK(mpfr_cmp(g.nodes[j - 1].right(), g.nodes[j].left()) < 0);
      mpfi_add(sum.get(), sum.get(), g.weights[j].get());
    }
    mpfi_set_ui(ref.get(), 2);
    CHECK(contains(sum, ref));
    CHECK(rel_width(sum) < 1e-33);
    // Exact for x^{2k}, k < n: Σ ω ξ^{2k} = 2/(2k+1). At degree 2n the error is the
    // signed Gauss remainder κ_n 2^{2n+1} (g^{(2n)}/(2n)! = 1): that pins κ_n and its sign.
    for (int k = 0; k <= n; ++k) {
      mpfi_set_ui(moment.get(), 0);
      for (std::size_t j = 0; j < g.nodes.size(); ++j) {
        interval_ipow(x2k, g.nodes[j], 2 * k);
        mpfi_mul(term.get(), x2k.get(), g.weights[j].get());
        mpfi_add(moment.get(), moment.get(), term.get());
      }
      Q exact = Q(2) / Q(2 * k + 1);
      mpfi_set_q(ref.get(), exact.get());
      if (k < n) {
        CHECK(contains(moment, ref));
      } else {
        CHECK_FALSE(contains(moment, ref));  // not exact at degree 2n
        Q err = gauss_kappa(n) * qpow(Q(2), static_cast<unsigned long>(2 * n + 1));
        mpfi_add_q(moment.get(), moment.get(), err.get());
        CHECK(contains(moment, ref));
      }
    }
  }
}

TEST_CASE("Gauss-Legendre: known nodes, weights and constants") {
  GaussRule g;
  REQUIRE(gauss_legendre(3, 200, g));
  I ref(400);
  mpfi_set_q(ref.get(), Q(3, 5).get());
  mpfi_sqrt(ref.get(), ref.get());
  CHECK(contains(g.nodes[2], ref));
  mpfi_neg(ref.get(), ref.get());
  CHECK(contains(g.nodes[0], ref));
  mpfi_set_ui(ref.get(), 0);
  CHECK(contains(g.nodes[1], ref));
  mpfi_set_q(ref.get(), Q(5, 9).get());
  CHECK(contains(g.weights[0], ref));
  mpfi_set_q(ref.get(), Q(8, 9).get());
  CHECK(contains(g.weights[1], ref));
  CHECK(gauss_kappa(1) == Q(1, 12));   // midpoint: w³ g''/24
  CHECK(gauss_kappa(2) == Q(1, 180));  // two points: w⁵ g''''/4320
  CHECK(inverse_rising(Q(3, 2), 2) == Q(4, 35));
  CHECK(inverse_rising(Q(2), 3) == Q(1, 60));  // 2!/5!
  CHECK(inverse_rising(Q(1), 0) == Q(1));
  CHECK_FALSE(gauss_legendre(0, 128, g));
  CHECK_FALSE(gauss_legendre(25, 128, g));
}
