// Exact numbers, the checker's own target parser and its MPFI jets.
#include "analysis.hpp"
#include "exact.hpp"
#include "target.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <random>
#include <string>

using namespace mgdl::check;

namespace {

Target parse1(const std::string& text, int d = 1) {
  std::vector<std::string> vars = d == 1 ? std::vector<std::string>{"x"} : std::vector<std::string>{"x", "y"};
  std::vector<Q> lo(static_cast<std::size_t>(d), Q(0)), hi(static_cast<std::size_t>(d), Q(1));
  return parse_target(text, vars, lo, hi);
}

// f at an exact point at high precision (reference).
I at(const Target& t, const std::vector<Q>& x, mpfr_prec_t prec) {
  JetEvaluator ev(t, prec);
  std::vector<I> pt(x.size(), I(prec));
  for (std::size_t i = 0; i < x.size(); ++i) mpfi_set_q(pt[i].get(), x[i].get());
  return ev.evaluate(pt, 0).c[0];
}

bool contains(const I& outer, const I& inner) {
  return finite(outer) && finite(inner) && mpfr_cmp(outer.left(), inner.left()) <= 0 &&
         mpfr_cmp(inner.right(), outer.right()) <= 0;
}

}  // namespace

TEST_CASE("exact numbers parse exactly and refuse huge ones") {
  CHECK(parse_exact("1.25e-3") == Q(1, 800));
  CHECK(parse_exact("-6/8") == Q(-3, 4));
  CHECK(parse_exact("0.017") == Q(17, 1000));  // leading zero is decimal, not octal
  CHECK(parse_exact("007") == Q(7));
  CHECK_THROWS_AS(parse_exact("1e999999"), MalformedError);
  CHECK_THROWS_AS(parse_exact(std::string(1000000, '9')), MalformedError);
  CHECK_THROWS_AS(parse_exact("1/0"), MalformedError);
  CHECK_THROWS_AS(parse_exact("0x10"), MalformedError);
  CHECK_THROWS_AS(parse_exact(""), MalformedError);
  CHECK_THROWS_AS(parse_exact("1.2.3"), MalformedError);
}

TEST_CASE("target parser: precedence, exact constants, errors with columns") {
  // -x^2 = -(x^2); 2^3^2 = 2^9; "(1/3)" is the exact constant 1/3.
  Target t = parse1("-x^2 + 2^3^2 + (1/3)");
  I v = at(t, {Q(1, 2)}, 200);
  I ref(200);
  Q expected = Q(-1, 4) + Q(512) + Q(1, 3);
  mpfi_set_q(ref.get(), expected.get());
  CHECK(contains(v, ref));
  CHECK_THROWS_WITH_AS(parse1("sin(x"), "target expression: expected ')' after the argument of sin at column 6",
                       MalformedError);
  CHECK_THROWS_WITH_AS(parse1("x + w"), "target expression: unknown name 'w' at column 5", MalformedError);
  CHECK_THROWS_AS(parse1("x +"), MalformedError);
  CHECK_THROWS_AS(parse1("1/0"), MalformedError);
  CHECK_THROWS_AS(parse1("foo(x)"), MalformedError);
  CHECK_THROWS_AS(parse1(std::string(300, '(') + "x" + std::string(300, ')')), MalformedError);
  CHECK_THROWS_AS(parse1("1e999999*x"), MalformedError);
}

TEST_CASE("target: every function; ranges contain high-precision point values") {
  const char* exprs[] = {"sin(3*x)+cos(2*x)", "tan(x/2)", "exp(-x)*log(1+x)", "sqrt(x+1/10)",  "abs(x-1/3)",
                         "min(x, 1/2) + max(x, 1/4)", "pow(x + 1, 1/3)", "tanh(4*x) - atan(x)", "sinh(x)*cosh(x)",
                         "relu(x - 1/2)", "pi*e*x", "(x-1/2)^3", "x^(-2)*0 + 1/(x+1)", "2^x"};
  unsigned seed = 12345;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (const char* e : exprs) {
    CAPTURE(e);
    Target t = parse1(e);
    JetEvaluator ev(t, 128);
    for (int trial = 0; trial < 20; ++trial) {
      long a = static_cast<long>(rng() % 1000), w = static_cast<long>(1 + rng() % 100);
      Q lo(a, 1000), hi = Q(a, 1000) + Q(w, 1000);
      if (Q(1) < hi) hi = Q(1);
      if (std::string(e).find("x^(-2)") != std::string::npos) continue;
      std::vector<I> box(1, I(128));
      mpfi_interv_q(box[0].get(), lo.get(), hi.get());
      I range = ev.evaluate(box, 0).c[0];
      REQUIRE(finite(range));
      for (int k = 0; k <= 4; ++k) {
        Q x = lo + (hi - lo) * Q(k, 4);
        CHECK(contains(range, at(t, {x}, 512)));
      }
    }
  }
}

TEST_CASE("undefined operations give entire intervals") {
  for (const char* e : {"log(x - 1/2)", "sqrt(x - 1/2)", "1/(x - 3/10)", "pow(x - 1/2, 1/3)", "tan(4*x)"}) {
    CAPTURE(e);
    Target t = parse1(e);
    JetEvaluator ev(t, 128);
    std::vector<I> box(1, I(128));
    mpfi_interv_si(box[0].get(), 0, 1);
    CHECK_FALSE(finite(ev.evaluate(box, 0).c[0]));
  }
}

TEST_CASE("residual Taylor form contains R at points and is tight (C2)") {
  // R = sin(2 pi x) cos(y) − c ψ over small boxes.
  Target t = parse1("sin(2*pi*x)*cos(y) + x*y^2", 2);
  CutoffData q;
  q.a = {Q(1, 4), Q(1, 4)};
  q.b = {Q(1, 2), Q(3, 4)};
  q.rho = {Q(1, 16), Q(1, 8)};
  finish_cutoff(q);
  q.c = Q(3, 10);
  std::vector<const CutoffData*> cs{&q};
  ResidualAnalyzer an(t, 128);
  unsigned seed = 777;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 200; ++trial) {
    Box b;
    for (int i = 0; i < 2; ++i) {
      long k = static_cast<long>(rng() % 64);
      b.lo.push_back(Q(k, 64));
      b.hi.push_back(Q(k + 1, 64));
    }
    an.analyse(b, cs);
    const I& r = an.range();
    REQUIRE(finite(r));
    mpfr_t diam;
    mpfr_init2(diam, 64);
    mpfi_diam_abs(diam, r.get());
    CHECK(mpfr_cmp_d(diam, 0.5) < 0);  // a radius limit: [−inf, inf] fails
    mpfr_clear(diam);
    for (int k = 0; k < 5; ++k) {
      std::vector<Q> x{b.lo[0] + Q(static_cast<long>(rng() % 9), 8) * (b.hi[0] - b.lo[0]),
                       b.lo[1] + Q(static_cast<long>(rng() % 9), 8) * (b.hi[1] - b.lo[1])};
      I v = at(t, x, 512);
      Q hx = q.c * psi(q, x);
      mpfi_sub_q(v.get(), v.get(), hx.get());
      CHECK(contains(r, v));
    }
  }
}

TEST_CASE("1D: the parabola form contains R at points and beats C2 near a maximum (C2.6)") {
  Target t = parse1("sin(32*pi*x) + x^3");
  CutoffData q;
  q.a = {Q(1, 4)};
  q.b = {Q(1, 2)};
  q.rho = {Q(1, 16)};
  finish_cutoff(q);
  q.c = Q(-7, 10);
  std::vector<const CutoffData*> cs{&q};
  ResidualAnalyzer an(t, 128);
  const unsigned seed = 4242;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 400; ++trial) {
    const long k = static_cast<long>(rng() % 1000), w = 1 + static_cast<long>(rng() % 24);
    Box b;
    b.lo.push_back(Q(k, 1024));
    b.hi.push_back(Q(k + w, 1024));
    an.analyse(b, cs);
    const I& r = an.range();
    REQUIRE(finite(r));
    for (int j = 0; j <= 16; ++j) {
      std::vector<Q> x{b.lo[0] + Q(j, 16) * (b.hi[0] - b.lo[0])};
      I v = at(t, x, 512);
      Q hx = q.c * psi(q, x);
      mpfi_sub_q(v.get(), v.get(), hx.get());
      CHECK(contains(r, v));
    }
  }
  // f = sin(32 pi x) on [2/256, 5/256]: the maximum 1 (at 1/64) is inside, off
  // center; C2 alone gives 1.0957 (linear term 19.6·1.5/256), the concave
  // parabola's vertex 1.0077. The ±100x spoils the direct range f(B), so the
  // Taylor forms decide.
  Target s1 = parse1("sin(32*pi*x) + 100*x - 100*x");
  ResidualAnalyzer an1(s1, 128);
  Box b;
  b.lo.push_back(Q(2, 256));
  b.hi.push_back(Q(5, 256));
  an1.analyse(b, std::vector<const CutoffData*>{});
  REQUIRE(finite(an1.range()));
  CHECK(mpfr_cmp_d(an1.range().right(), 1.0) >= 0);
  CHECK(mpfr_cmp_d(an1.range().right(), 1.01) < 0);
}

TEST_CASE("L^p midpoint enclosure contains the exact integral of a polynomial (C3)") {
  // ∫_[1/4,1/2] (x^2 + 1)^1 dx and ^2: exact rationals.
  Target t = parse1("x^2 + 1");
  ResidualAnalyzer an(t, 128);
  Box b{{Q(1, 4)}, {Q(1, 2)}};
  an.analyse(b, std::vector<const CutoffData*>{});
  I out(128);
  an.lp_integral(Q(1), out);
  // ∫ x^2 + 1 = [x^3/3 + x] = (1/24 + 1/2) − (1/192 + 1/4)
  Q exact1 = Q(1, 24) + Q(1, 2) - Q(1, 192) - Q(1, 4);
  CHECK(certainly_le(out, exact1 + Q(1, 100000)));
  CHECK(certainly_ge(out, exact1 - Q(1, 100000)));
  CHECK(mpfr_cmp_q(out.left(), exact1.get()) <= 0);
  CHECK(mpfr_cmp_q(out.right(), exact1.get()) >= 0);
  an.lp_integral(Q(2), out);
  // ∫ (x^2+1)^2 = x^5/5 + 2x^3/3 + x
  auto prim = [](const Q& x) { return qpow(x, 5) * Q(1, 5) + qpow(x, 3) * Q(2, 3) + x; };
  Q exact2 = prim(Q(1, 2)) - prim(Q(1, 4));
  CHECK(mpfr_cmp_q(out.left(), exact2.get()) <= 0);
  CHECK(mpfr_cmp_q(out.right(), exact2.get()) >= 0);
}

TEST_CASE("SinCos: contains sin and cos at points, and equals MPFI's hull up to rounding") {
  unsigned seed = 8080;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  const mpfr_prec_t prec = 128, ref_prec = 512;
  SinCos sc(prec);
  I s(prec), c(prec), ms(prec), mc(prec), x(prec), half_pi(prec);
  mpfi_const_pi(half_pi.get());
  mpfi_div_2ui(half_pi.get(), half_pi.get(), 1);
  const long half_widths[] = {0, 1, 1000, 100000, 700000, 1400000, 1600000, 3000000, 9000000};  // / 2^20
  mpfr_t gap;
  mpfr_init2(gap, prec);
  for (int trial = 0; trial < 4000; ++trial) {
    Q center(static_cast<long>(rng() % 40001) - 20000, 1000);
    if (trial % 4 == 0) {
      // Centred on k·π/2 (an extremum of sin or cos), up to 2^-100.
      long k = static_cast<long>(rng() % 25) - 12;
      I kp(prec);
      mpfi_mul_si(kp.get(), half_pi.get(), k);
      mpfr_get_q(center.get(), kp.left());
    }
    // Index 9: a rounding-blurred point (width 2^-109, the one-call path).
    const auto pick = rng() % 10;
    Q hw = pick == 9 ? qpow(Q(1, 2), 110) : Q(half_widths[pick], 1UL << 20);
    Q lo = center - hw, hi = center + hw;
    mpfi_interv_q(x.get(), lo.get(), hi.get());
    sc(s, c, x);
    mpfi_sin(ms.get(), x.get());
    mpfi_cos(mc.get(), x.get());
    for (const I* pair : {&s, &c}) {
      CHECK(finite(*pair));
      CHECK(mpfr_cmp_si(pair->left(), -1) >= 0);
      CHECK(mpfr_cmp_ui(pair->right(), 1) <= 0);
    }
    // Not looser than MPFI by more than rounding, nor tighter (MPFI's hull is
    // tight up to rounding, so a missed extremum would show here).
    for (auto [ours, theirs] : {std::pair<const I*, const I*>{&s, &ms}, {&c, &mc}}) {
      mpfr_sub(gap, theirs->left(), ours->left(), MPFR_RNDU);
      CHECK(mpfr_cmp_d(gap, 0x1p-100) < 0);
      CHECK(mpfr_cmp_d(gap, -0x1p-100) > 0);
      mpfr_sub(gap, ours->right(), theirs->right(), MPFR_RNDU);
      CHECK(mpfr_cmp_d(gap, 0x1p-100) < 0);
      CHECK(mpfr_cmp_d(gap, -0x1p-100) > 0);
    }
    // Containment of high-precision values at exact points of the interval.
    for (int k = 0; k <= 8; ++k) {
      Q p = lo + (hi - lo) * Q(k, 8);
      I pt(ref_prec), rs(ref_prec), rc(ref_prec);
      mpfi_set_q(pt.get(), p.get());
      mpfi_sin(rs.get(), pt.get());
      mpfi_cos(rc.get(), pt.get());
      CHECK(mpfr_cmp(s.left(), rs.left()) <= 0);
      CHECK(mpfr_cmp(rs.right(), s.right()) <= 0);
      CHECK(mpfr_cmp(c.left(), rc.left()) <= 0);
      CHECK(mpfr_cmp(rc.right(), c.right()) <= 0);
    }
  }
  mpfr_clear(gap);
}

TEST_CASE("set_interval rounds outward exactly as mpfi_interv_q / mpfi_set_q") {
  unsigned seed = 1212;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (mpfr_prec_t prec : {53, 64, 128, 200}) {
    I ours(prec), theirs(prec);
    for (int trial = 0; trial < 2000; ++trial) {
      // Dyadic (the fast path), odd denominators, and numerators longer than prec.
      Q a(static_cast<long>(rng()) - (1L << 31), 1UL << (rng() % 60));
      Q b(static_cast<long>(rng() % 1000) + 1, 3 + 2 * (rng() % 50));
      Q big = qpow(Q(static_cast<long>(rng() % 1000) + 3, 1UL << 7), 40);
      const Q* pick[] = {&a, &b, &big};
      const Q& x = *pick[trial % 3];
      Q y = x + Q(static_cast<long>(rng() % 5), 1UL << (rng() % 62));
      set_interval(ours, x, y);
      mpfi_interv_q(theirs.get(), x.get(), y.get());
      CHECK(mpfr_equal_p(ours.left(), theirs.left()));
      CHECK(mpfr_equal_p(ours.right(), theirs.right()));
      set_interval(ours, x);
      mpfi_set_q(theirs.get(), x.get());
      CHECK(mpfr_equal_p(ours.left(), theirs.left()));
      CHECK(mpfr_equal_p(ours.right(), theirs.right()));
    }
  }
}

TEST_CASE("value-only calls that reuse unchanged axes give the endpoints of a fresh evaluation") {
  // Tensor-grid order (the Gauss rules'): the last axis changes fastest. Mixed in:
  // repeated points, a wider point of higher precision whose rounding equals an
  // earlier one, order-1 calls (which must not be reused), and undefined values.
  const Target t = parse1("sin(2*pi*x)*cos(3*y) + x^2 - sqrt(y - 1/3) + 1/(x - 1/2)", 2);
  JetEvaluator reused(t, 128);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> grid(0, 4), kind(0, 9);
  std::vector<I> pt(2, I(128));
  int compared = 0, undefined = 0;
  for (int step = 0; step < 400; ++step) {
    const int k = kind(rng);
    std::vector<I> next = pt;
    const auto axis = static_cast<std::size_t>(step % 2 == 0 ? 1 : grid(rng) % 2);
    if (k == 0) {
      // The same axis at 256 bits, a hair wider than its 128-bit value.
      next[axis] = I(256);
      mpfi_set(next[axis].get(), pt[axis].get());
      mpfr_nextabove(next[axis].right());
    } else if (k != 1) {
      mpfi_set_q(next[axis].get(), Q(grid(rng), 4).get());
    }
    pt = next;
    const int order = k == 9 ? 1 : 0;
    const Jet& got = reused.evaluate(pt, order);
    JetEvaluator fresh(t, 128);
    const Jet& want = fresh.evaluate(pt, order);
    CHECK(got.defined == want.defined);
    if (!want.defined) {
      ++undefined;
      continue;
    }
    CHECK(mpfr_equal_p(got.c[0].left(), want.c[0].left()));
    CHECK(mpfr_equal_p(got.c[0].right(), want.c[0].right()));
    ++compared;
  }
  CHECK(compared > 100);
  CHECK(undefined > 10);
  // A 256-bit interval, then its outward rounding to 128 bits: different
  // arguments, though the second is what the first would be stored as at 128
  // bits. On [0, 3]^2 (x = 3t) the first gives a narrower enclosure of x.
  const Target scaled = parse_target("sin(2*pi*x)*cos(3*y) + x^2", {"x", "y"}, {Q(0), Q(0)}, {Q(3), Q(3)});
  JetEvaluator again(scaled, 128);
  std::vector<I> narrow(2, I(256)), wide(2, I(128));
  mpfi_set_q(narrow[0].get(), Q(1, 7).get());
  mpfi_set_q(narrow[1].get(), Q(5, 7).get());
  for (std::size_t i = 0; i < 2; ++i) mpfi_set(wide[i].get(), narrow[i].get());
  REQUIRE_FALSE(mpfr_equal_p(wide[0].right(), narrow[0].right()));
  again.evaluate(narrow, 0);
  const Jet& got = again.evaluate(wide, 0);
  JetEvaluator fresh(scaled, 128);
  const Jet& want = fresh.evaluate(wide, 0);
  CHECK(mpfr_equal_p(got.c[0].left(), want.c[0].left()));
  CHECK(mpfr_equal_p(got.c[0].right(), want.c[0].right()));
}
