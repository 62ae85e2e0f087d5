// The checker's exact simplex geometry (simplices.hpp: proofs/simplices.md S1, S3;
// proofs/integration.md, Lemma I9 (a), (b)) and its rule T<n> (I9): Kuhn simplices tile random
// rational cells exactly, edge splits tile and separate signs exactly, ∫_T a₊ against closed
// forms, and the rule's enclosures on 3D leaves contain exact (or 600-bit MPFI) references,
// with stated widths, for smooth targets, a cutoff and a hat correction.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>

#include "cutoff_helpers.hpp"
#include "interval_helpers.hpp"
#include "lp_rules.hpp"
#include "simplices.hpp"

using namespace mgdl::check;

namespace {

constexpr mpfr_prec_t ref_prec = 600;

// A random rational p/q, |p| <= 40, 1 <= q <= 12.
struct RandomQ {
  std::mt19937 gen{20240611u};
  Q operator()() {
    std::uniform_int_distribution<long> num(-40, 40);
    std::uniform_int_distribution<unsigned long> den(1, 12);
    return Q(num(gen), den(gen));
  }
};

Box random_cell(RandomQ& rq, std::size_t d) {
  Box b;
  for (std::size_t i = 0; i < d; ++i) {
    Q a = rq(), w = rq().abs() + Q(1, 7);
    b.lo.push_back(a);
    b.hi.push_back(a + w);
  }
  return b;
}

Q cell_volume(const Box& b) {
  Q v(1);
  for (std::size_t i = 0; i < b.lo.size(); ++i) v = v * (b.hi[i] - b.lo[i]);
  return v;
}

Q factorial(long d) {
  Q f(1);
  for (long k = 2; k <= d; ++k) f = f * Q(k);
  return f;
}

// ∫_T a = |T| · mean of a at the vertices.
Q affine_integral(const Simplex& s, const AffineForm& a) {
  Q m;
  for (const auto& v : s.v) m = m + affine_at(a, v);
  return simplex_volume(s) * m / Q(static_cast<long>(s.v.size()));
}

AffineForm random_form(RandomQ& rq, std::size_t d) {
  AffineForm a;
  for (std::size_t k = 0; k <= d; ++k) a.push_back(rq());
  return a;
}

// The centre of a form's range over a cell at the cell's centre: a form that vanishes there.
AffineForm centred_form(RandomQ& rq, const Box& cell) {
  AffineForm a = random_form(rq, cell.lo.size());
  std::vector<Q> c;
  for (std::size_t i = 0; i < cell.lo.size(); ++i) c.push_back(midpoint(cell.lo[i], cell.hi[i]));
  a[0] = a[0] - affine_at(a, c);
  return a;
}

// J_+ of I4(a) for p = 1, computed here from the corner sum on the box (b_i ≠ 0 on every axis):
// ∫_B (a0 + Σ b_i (x_i − c_i))₊ = Σ_σ (Π σ_i)(a0 + Σ σ_i b_i r_i)₊^{d+1} / (Π b_i · (d+1)!).
Q j_plus_1(const Q& a0, const std::vector<Q>& b, const std::vector<Q>& r) {
  const std::size_t d = b.size();
  Q sum, prod(1);
  for (const Q& bi : b) prod = prod * bi;
  for (unsigned mask = 0; mask < (1u << d); ++mask) {
    Q v = a0;
    int sign = 1;
    for (std::size_t i = 0; i < d; ++i) {
      if (mask & (1u << i)) {
        v = v - b[i] * r[i];
        sign = -sign;
      } else {
        v = v + b[i] * r[i];
      }
    }
    if (v.sign() <= 0) continue;
    const Q t = qpow(v, static_cast<unsigned long>(d + 1));
    sum = sign > 0 ? sum + t : sum - t;
  }
  return sum / (prod * factorial(static_cast<long>(d + 1)));
}

// ∫_l^u t^k dt exactly.
Q monomial_integral(const Q& l, const Q& u, unsigned long k) {
  return (qpow(u, k + 1) - qpow(l, k + 1)) / Q(static_cast<long>(k + 1));
}

// ∫_l^u e^{a t} dt at 600 bits.
void exp_integral(I& out, const Q& a, const Q& l, const Q& u) {
  I x(ref_prec);
  const Q au = a * u, al = a * l;
  mpfi_set_q(out.get(), au.get());
  mpfi_exp(out.get(), out.get());
  mpfi_set_q(x.get(), al.get());
  mpfi_exp(x.get(), x.get());
  mpfi_sub(out.get(), out.get(), x.get());
  mpfi_div_q(out.get(), out.get(), a.get());
}

struct Leaf {
  Target target;
  ResidualAnalyzer an;
  LeafIntegrator li;
  Leaf(const std::string& text, std::vector<const HatGrid*> hats = {}, int d = 3)
      : target(unit_target(text, d)), an(target, 128), li(target, 128, hats) {
    an.set_hats(hats);
  }
  I run(const Box& b, const CutoffsOnBox& cs, const LeafRule& r, const Q& p, bool* applied = nullptr) {
    an.analyse(b, cs);
    I out(128);
    const bool ok = li.enclose(an, b, cs, r, p, out);
    if (applied != nullptr) *applied = ok;
    return out;
  }
};

Box box3(const Q& x0, const Q& x1, const Q& y0, const Q& y1, const Q& z0, const Q& z1) {
  Box b;
  b.lo = {x0, y0, z0};
  b.hi = {x1, y1, z1};
  return b;
}

}  // namespace

TEST_CASE("simplices: the Kuhn simplices of random rational 3D and 4D cells tile them exactly (S3)") {
  RandomQ rq;
  for (std::size_t d : {3u, 4u}) {
    CAPTURE(d);
    for (int trial = 0; trial < 5; ++trial) {
      const Box cell = random_cell(rq, d);
      const std::vector<Simplex> s = kuhn_simplices(cell);
      REQUIRE(s.size() ==
              static_cast<std::size_t>(mpz_get_ui(mpq_numref(factorial(static_cast<long>(d)).get()))));
      Q sum;
      for (const Simplex& t : s) {
        CHECK(simplex_volume(t) == cell_volume(cell) / factorial(static_cast<long>(d)));
        sum = sum + simplex_volume(t);
        for (const auto& v : t.v)  // vertices among the corners
          for (std::size_t i = 0; i < d; ++i) CHECK((v[i] == cell.lo[i] || v[i] == cell.hi[i]));
      }
      CHECK(sum == cell_volume(cell));
      // First moments tile too: Σ_T ∫_T a = ∫_cell a = vol · a(centre) for a random form.
      const AffineForm a = random_form(rq, d);
      std::vector<Q> c;
      for (std::size_t i = 0; i < d; ++i) c.push_back(midpoint(cell.lo[i], cell.hi[i]));
      Q moment;
      for (const Simplex& t : s) moment = moment + affine_integral(t, a);
      CHECK(moment == cell_volume(cell) * affine_at(a, c));
    }
  }
}

TEST_CASE(
    "simplices: edge splits by random rational forms tile exactly and separate the signs (I9 (a), (b))") {
  RandomQ rq;
  std::size_t most = 0;
  for (std::size_t d : {3u, 4u}) {
    CAPTURE(d);
    for (int trial = 0; trial < 6; ++trial) {
      const Box cell = random_cell(rq, d);
      std::vector<Simplex> pieces = kuhn_simplices(cell);
      const AffineForm g = random_form(rq, d);
      Q moment_before;
      for (const Simplex& t : pieces) moment_before = moment_before + affine_integral(t, g);
      std::vector<AffineForm> forms{centred_form(rq, cell), centred_form(rq, cell), centred_form(rq, cell)};
      for (const AffineForm& a : forms) {
        REQUIRE(split_by(pieces, a, 100000));
        for (const Simplex& t : pieces) {
          CHECK(sign_on(t, a) != 0);
          CHECK(simplex_volume(t).sign() > 0);
        }
      }
      // Every earlier form keeps one sign on every piece of the later splits.
      for (const AffineForm& a : forms)
        for (const Simplex& t : pieces) CHECK(sign_on(t, a) != 0);
      Q vol, moment;
      for (const Simplex& t : pieces) {
        vol = vol + simplex_volume(t);
        moment = moment + affine_integral(t, g);
      }
      CHECK(vol == cell_volume(cell));
      CHECK(moment == moment_before);
      most = std::max(most, pieces.size());
    }
  }
  CHECK(most > 48);  // the forms did cut (24 Kuhn simplices in 4D before)
  // A form of one sign leaves a simplex alone; too many pieces: refused.
  const Box unit = box3(Q(0), Q(1), Q(0), Q(1), Q(0), Q(1));
  std::vector<Simplex> s = kuhn_simplices(unit);
  REQUIRE(split_by(s, {Q(1), Q(1), Q(0), Q(0)}, 6));
  CHECK(s.size() == 6);
  CHECK_FALSE(split_by(s, {Q(-1, 2), Q(1), Q(1), Q(1)}, 6));
}

TEST_CASE("simplices: the exact ∫_T a₊ against closed forms") {
  // Standard simplex conv(0, e1, e2, e3): ∫ (x − a)₊ = ∫_a^1 (s − a)(1 − s)²/2 ds = (1 − a)⁴/24.
  Simplex std3;
  std3.v = {{Q(0), Q(0), Q(0)}, {Q(1), Q(0), Q(0)}, {Q(0), Q(1), Q(0)}, {Q(0), Q(0), Q(1)}};
  for (const Q& a : {Q(1, 3), Q(-1, 5), Q(7, 8)}) {
    const Q ref =
        a < Q() ? Q(1, 6) * (Q(1, 4) - a) : qpow(Q(1) - a, 4) / Q(24);  // a < 0: ∫ (x − a) = |T|(1/4 − a)
    CHECK(positive_part_integral(std3, {-a, Q(1), Q(0), Q(0)}) == ref);
  }
  // ∫ (a − x)₊ for a in (0, 1): ∫_0^a (a − s)(1 − s)²/2 ds = a²/4 − a³/6 + a⁴/24.
  const Q a(2, 5);
  CHECK(positive_part_integral(std3, {a, Q(-1), Q(0), Q(0)}) ==
        a * a / Q(4) - a * a * a / Q(6) + a * a * a * a / Q(24));
  // Random simplices and forms: positive at all vertices gives |T|·mean; g₊ − (−g)₊ = g.
  RandomQ rq;
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t d = trial % 2 == 0 ? 3 : 4;
    Simplex t;
    do {
      t.v.clear();
      for (std::size_t k = 0; k <= d; ++k) {
        std::vector<Q> v;
        for (std::size_t i = 0; i < d; ++i) v.push_back(rq());
        t.v.push_back(std::move(v));
      }
    } while (simplex_det(t).sign() == 0);
    AffineForm g = random_form(rq, d);
    AffineForm neg = g;
    for (Q& x : neg) x = -x;
    CHECK(positive_part_integral(t, g) - positive_part_integral(t, neg) == affine_integral(t, g));
    CHECK(positive_part_integral(t, g).sign() >= 0);
    // Shifted up to be positive at all vertices.
    Q lowest = affine_at(g, t.v[0]);
    for (const auto& v : t.v) lowest = qmin(lowest, affine_at(g, v));
    g[0] = g[0] - lowest + Q(1, 3);
    CHECK(positive_part_integral(t, g) == affine_integral(t, g));
    g[0] = g[0] - Q(1000000);  // negative at all vertices
    CHECK(positive_part_integral(t, g).sign() == 0);
  }
}

TEST_CASE("T rule: smooth 3D leaves, p = 1, against exact references; order d + 3 of the band term") {
  CutoffsOnBox none;
  {
    // f = x + y + z − 3/2 (affine): ε = 0, the model A = f exactly, the band β = 0.
    Leaf leaf("x + y + z - 3/2");
    const Box b = box3(Q(1, 8), Q(5, 8), Q(1, 4), Q(3, 4), Q(3, 8), Q(7, 8));
    const std::vector<Q> r{Q(1, 4), Q(1, 4), Q(1, 4)}, slope{Q(1), Q(1), Q(1)}, neg{Q(-1), Q(-1), Q(-1)};
    const Q a0 = Q(3, 8) + Q(1, 2) + Q(5, 8) - Q(3, 2);  // f at the centre: 0
    const Q ref = j_plus_1(a0, slope, r) + j_plus_1(-a0, neg, r);
    I exact(ref_prec);
    set_interval(exact, ref);
    bool applied = false;
    const I got = leaf.run(b, none, rule('T', 3), Q(1), &applied);
    REQUIRE(applied);
    CHECK(contains(got, exact));
    CAPTURE(width(got));
    CHECK(width(got) < 1e-30);
  }
  {
    // f = (x − 1/3) e^{y+z}: ∫|f| = ∫|x − 1/3| dx · ∫e^y dy · ∫e^z dz, the zero plane inside off
    // centre; the model's zero is oblique (its y- and z-slopes are f's at the centre).
    Leaf leaf("(x - 1/3)*exp(y + z)");
    double prev_t = 0, prev_z = 0;
    for (int level = 0; level < 4; ++level) {
      CAPTURE(level);
      const Q h(1, 16 << level), x0 = Q(1, 3) + h / Q(4);
      const Box b = box3(x0 - h, x0 + h, Q(1, 2) - h, Q(1, 2) + h, Q(3, 5) - h, Q(3, 5) + h);
      const Q l = b.lo[0] - Q(1, 3), u = b.hi[0] - Q(1, 3);  // l < 0 < u
      const Q ix = (l * l + u * u) / Q(2);
      I ref(ref_prec), ey(ref_prec), ez(ref_prec);
      exp_integral(ey, Q(1), b.lo[1], b.hi[1]);
      exp_integral(ez, Q(1), b.lo[2], b.hi[2]);
      mpfi_mul(ref.get(), ey.get(), ez.get());
      mpfi_mul_q(ref.get(), ref.get(), ix.get());
      bool applied = false;
      const I t = leaf.run(b, none, rule('T', 3), Q(1), &applied);
      REQUIRE(applied);
      CHECK(contains(t, ref));
      const I z = leaf.run(b, none, rule('Z'), Q(1));
      CHECK(contains(z, ref));
      const double wt = width(t), wz = width(z);
      CAPTURE(wt);
      CAPTURE(wz);
      CHECK(wt * 10 < wz);
      if (level > 0) {
        CAPTURE(prev_t / wt);
        CAPTURE(prev_z / wz);
        CHECK(prev_t / wt >= 0.8 * 64);  // β = O(w^{d+3}); Z's O(w^{d+2}) fails this
        CHECK(prev_z / wz < 40);
      }
      prev_t = wt;
      prev_z = wz;
    }
  }
}

TEST_CASE("T rule: smooth 3D leaves, p = 2, exact polynomial and exponential references") {
  CutoffsOnBox none;
  const Box b = box3(Q(1, 4), Q(1, 2), Q(1, 8), Q(1, 2), Q(0), Q(1, 4));
  {
    // f = (x − 1/2)(y + 1) − z/3, f² = (x − ½)²(y + 1)² − (2/3)(x − ½)(y + 1) z + z²/9 (degree 4).
    Leaf leaf("(x - 1/2)*(y + 1) - z/3");
    const Box s =
        box3(b.lo[0] - Q(1, 2), b.hi[0] - Q(1, 2), b.lo[1] + Q(1), b.hi[1] + Q(1), b.lo[2], b.hi[2]);
    auto mi = [&](std::size_t i, unsigned long k) { return monomial_integral(s.lo[i], s.hi[i], k); };
    const Q ref = mi(0, 2) * mi(1, 2) * mi(2, 0) - Q(2, 3) * mi(0, 1) * mi(1, 1) * mi(2, 1) +
                  mi(0, 0) * mi(1, 0) * mi(2, 2) / Q(9);
    I exact(ref_prec);
    set_interval(exact, ref);
    for (int n : {3, 4, 5}) {
      CAPTURE(n);
      bool applied = false;
      const I got = leaf.run(b, none, rule('T', n), Q(2), &applied);
      REQUIRE(applied);
      CHECK(contains(got, exact));
      CAPTURE(width(got));
      // n = 3: m = 1 < deg f, ε = sup |a_2| > 0; n = 4, 5: m >= 2 = deg f, ε = 0 and Q_T is
      // exact for the degree 4 of f².
      if (n == 3)
        CHECK(width(got) < 1e-2);
      else
        CHECK(width(got) < 1e-30);
    }
  }
  {
    // f = e^{x+y+z} − 2: ∫f² = Π∫e^{2t} − 4 Π∫e^t + 4 vol.
    Leaf leaf("exp(x + y + z) - 2");
    I ref(ref_prec), e1(ref_prec), t(ref_prec);
    mpfi_set_ui(ref.get(), 1);
    mpfi_set_ui(e1.get(), 1);
    for (std::size_t i = 0; i < 3; ++i) {
      exp_integral(t, Q(2), b.lo[i], b.hi[i]);
      mpfi_mul(ref.get(), ref.get(), t.get());
      exp_integral(t, Q(1), b.lo[i], b.hi[i]);
      mpfi_mul(e1.get(), e1.get(), t.get());
    }
    mpfi_mul_ui(e1.get(), e1.get(), 4);
    mpfi_sub(ref.get(), ref.get(), e1.get());
    const Q vol4 = Q(4) * cell_volume(b);
    mpfi_add_q(ref.get(), ref.get(), vol4.get());
    double prev = 1e300;
    for (int n : {4, 6, 8}) {
      CAPTURE(n);
      bool applied = false;
      const I got = leaf.run(b, none, rule('T', n), Q(2), &applied);
      REQUIRE(applied);
      CHECK(contains(got, ref));
      CAPTURE(width(got));
      // m = ⌊(2n − 3)/2⌋ grows by 2 per step; ε ≈ (Σρ)^{m+1} e^{Σc}/(m+1)!, Σρ = 7/16.
      CHECK(width(got) * 50 < prev);
      prev = width(got);
    }
    CHECK(prev < 1e-6);
    // p = 4 (m = ⌊21/4⌋ = 5 for n = 12): ∫f⁴ = Σ_k C(4, k) (−2)^{4−k} Π_i ∫e^{k t}.
    I ref4(ref_prec), term(ref_prec);
    mpfi_set_ui(ref4.get(), 0);
    const long binom[5] = {1, 4, 6, 4, 1};
    for (long k = 0; k <= 4; ++k) {
      set_interval(term, Q(binom[k]) * qpow(Q(-2), static_cast<unsigned long>(4 - k)));
      for (std::size_t i = 0; i < 3; ++i) {
        if (k == 0) {
          const Q side = b.hi[i] - b.lo[i];
          mpfi_mul_q(term.get(), term.get(), side.get());
          continue;
        }
        exp_integral(t, Q(k), b.lo[i], b.hi[i]);
        mpfi_mul(term.get(), term.get(), t.get());
      }
      mpfi_add(ref4.get(), ref4.get(), term.get());
    }
    bool applied = false;
    const I p4 = leaf.run(b, none, rule('T', 12), Q(4), &applied);
    REQUIRE(applied);
    CHECK(contains(p4, ref4));
    CAPTURE(width(p4));
    CHECK(width(p4) < 1e-4);
  }
}

TEST_CASE("T rule: a 3D leaf with a cutoff's axis and oblique kinks inside, exact references") {
  // ψ with core [9/32, 15/32]³ and margins 1/32 fills the leaf [1/4, 1/2]³ up to its faces. With
  // S the axes outside the core, ∫ψ = Σ_S Π_{i∉S}(b − a) Π_{i∈S} 2ρ / (|S| + 1)! and
  // ∫ψ² = Σ_S Π_{i∉S}(b − a) Π_{i∈S} 2ρ · 2/(|S| + 2)! (∫_{s>=0} (1 − Σs)₊^q over k axes).
  const Q c(1, 2), core(6, 32), two_rho(2, 32);
  const CutoffData q = cutoff({Q(9, 32), Q(9, 32), Q(9, 32)}, {Q(15, 32), Q(15, 32), Q(15, 32)},
                              {Q(1, 32), Q(1, 32), Q(1, 32)}, c);
  CutoffsOnBox cs;
  cs.varying = {&q};
  const Box b = box3(Q(1, 4), Q(1, 2), Q(1, 4), Q(1, 2), Q(1, 4), Q(1, 2));
  Q int_psi, int_psi2;
  for (long k = 0; k <= 3; ++k) {
    const Q binom(k == 0 || k == 3 ? 1 : 3);
    const Q w =
        binom * qpow(core, static_cast<unsigned long>(3 - k)) * qpow(two_rho, static_cast<unsigned long>(k));
    int_psi = int_psi + w / factorial(k + 1);
    int_psi2 = int_psi2 + w * Q(2) / factorial(k + 2);
  }
  const Q vol = cell_volume(b);
  {
    // R = 2 − cψ > 0: affine on every piece, so T is exact up to rounding.
    Leaf leaf("2");
    for (int p : {1, 2}) {
      CAPTURE(p);
      const Q ref = p == 1 ? Q(2) * vol - c * int_psi : Q(4) * vol - Q(4) * c * int_psi + c * c * int_psi2;
      I exact(ref_prec);
      set_interval(exact, ref);
      bool applied = false;
      const I got = leaf.run(b, cs, rule('T', 3), Q(p), &applied);  // m = 3 resp. 1
      REQUIRE(applied);
      CHECK(contains(got, exact));
      CAPTURE(width(got));
      CHECK(width(got) < 1e-30);
      const I mid = leaf.run(b, cs, rule('M'), Q(p));  // h is not affine on the leaf
      CHECK(width(mid) > 1e-4);
    }
  }
  {
    // R = e^{x+y+z} − cψ > 0: ∫R = Π∫e^t − c∫ψ; the remainders now matter.
    Leaf leaf("exp(x + y + z)");
    I ref(ref_prec), t(ref_prec);
    mpfi_set_ui(ref.get(), 1);
    for (std::size_t i = 0; i < 3; ++i) {
      exp_integral(t, Q(1), b.lo[i], b.hi[i]);
      mpfi_mul(ref.get(), ref.get(), t.get());
    }
    const Q cut = c * int_psi;
    mpfi_sub_q(ref.get(), ref.get(), cut.get());
    bool applied = false;
    const I t4 = leaf.run(b, cs, rule('T', 4), Q(1), &applied);
    REQUIRE(applied);
    const I t6 = leaf.run(b, cs, rule('T', 6), Q(1), &applied);
    REQUIRE(applied);
    CHECK(contains(t4, ref));
    CHECK(contains(t6, ref));
    CAPTURE(width(t4));
    CAPTURE(width(t6));
    CHECK(width(t6) < 1e-10);
    CHECK(width(t6) * 1e3 < width(t4));
    const I g = leaf.run(b, cs, rule('G', 6), Q(1));  // refused (h not affine): C
    CHECK(width(g) > 1e-3);
  }
}

TEST_CASE("T rule: a 3D leaf with a hat correction, exact references (I9 (c) for hats)") {
  // One hat at (1/2, 1/2, 1/2) on the uniform grid of step w = 1/4, leaf = its support
  // [1/4, 3/4]³: ∫φ = w³ and ∫φ² = 2w³/5 (the (d + 1)! Kuhn simplices of its star, ∫λ² =
  // 2|K|/((d + 1)(d + 2)) on each).
  HatGrid hat;
  hat.d = 3;
  const std::vector<Q> axis{Q(0), Q(1, 4), Q(1, 2), Q(3, 4), Q(1)};
  hat.grid = {axis, axis, axis};
  hat.index = {{2, 2, 2}};
  const Q c(3, 5);
  hat.c = {c};
  hat.slot[{2, 2, 2}] = 0;
  CutoffsOnBox none;
  const Box b = box3(Q(1, 4), Q(3, 4), Q(1, 4), Q(3, 4), Q(1, 4), Q(3, 4));
  const Q w3(1, 64), vol = cell_volume(b);
  // f = 2 + x − y/2 + z/3 > cφ: the star is symmetric about the node, so ∫f φ = f(node) w³, and
  // ∫(f − cφ)² = ∫f² − 2c f(node) w³ + c² 2w³/5, ∫(f − cφ) = ∫f − c w³.
  Leaf leaf("2 + x - y/2 + z/3", {&hat});
  const Q f_node = Q(2) + Q(1, 2) - Q(1, 4) + Q(1, 6);
  const std::vector<Q> g{Q(1), Q(-1, 2), Q(1, 3)};
  Q int_f, int_f2;
  {
    // ∫f and ∫f² over the cube [1/4, 3/4]³ (side 1/2, centre 1/2): with u = x − 1/2,
    // f = f_node + Σ g_i u_i, ∫u_i = 0, ∫u_i u_j = δ_ij (1/2)² (1/2)³/12.
    int_f = f_node * vol;
    Q second;
    for (const Q& gi : g) second = second + gi * gi;
    int_f2 = f_node * f_node * vol + second * vol * Q(1, 4) / Q(12);
  }
  for (int p : {1, 2}) {
    CAPTURE(p);
    const Q ref = p == 1 ? int_f - c * w3 : int_f2 - Q(2) * c * f_node * w3 + c * c * Q(2) * w3 / Q(5);
    I exact(ref_prec);
    set_interval(exact, ref);
    bool applied = false;
    const I got = leaf.run(b, none, rule('T', 3), Q(p), &applied);
    REQUIRE(applied);
    CHECK(contains(got, exact));
    CAPTURE(width(got));
    CHECK(width(got) < 1e-30);
  }
  // A leaf across the grid line x = 1/2, inside one grid cell on y and z: two orders agree, and
  // with the sum over the two halves (additivity).
  const Box off = box3(Q(3, 8), Q(5, 8), Q(9, 32), Q(5, 16), Q(1, 2), Q(9, 16));
  Leaf smooth("exp(x*y - z)", {&hat});
  bool applied = false;
  const I t5 = smooth.run(off, none, rule('T', 5), Q(2), &applied);
  REQUIRE(applied);
  const I t7 = smooth.run(off, none, rule('T', 7), Q(2), &applied);
  REQUIRE(applied);
  Box lower = off, upper = off;
  lower.hi[0] = Q(1, 2);
  upper.lo[0] = Q(1, 2);
  const I tl = smooth.run(lower, none, rule('T', 5), Q(2), &applied);
  REQUIRE(applied);
  const I tu = smooth.run(upper, none, rule('T', 5), Q(2), &applied);
  REQUIRE(applied);
  I halves(128), meet(128);
  mpfi_add(halves.get(), tl.get(), tu.get());
  for (const I* other : {&t7, static_cast<const I*>(&halves)}) {
    mpfi_intersect(meet.get(), t5.get(), other->get());
    CHECK_FALSE(mpfi_is_empty(meet.get()));
  }
  CAPTURE(width(t5));
  CAPTURE(width(t7));
  CHECK(width(t5) < 1e-7);
  CHECK(width(t7) < 1e-10);
  CHECK(width(t7) * 100 < width(t5));
  const I crude = smooth.run(off, none, rule('C'), Q(2));
  CHECK(width(crude) > 1e3 * width(t5));
}

TEST_CASE("T rule: a leaf across many grid lines is cut only near the active nodes (as the producer)") {
  // Grid step w = 1/16, one active node at (1/2, 1/2, 1/2); leaf Ω (16 grid lines inside per
  // axis, beyond the cap of 8): the kink lines are 7/16, 1/2, 9/16 only, h = 0 elsewhere.
  HatGrid hat;
  hat.d = 3;
  std::vector<Q> axis;
  for (long k = 0; k <= 16; ++k) axis.push_back(Q(k, 16));
  hat.grid = {axis, axis, axis};
  hat.index = {{8, 8, 8}};
  const Q c(-1, 3);
  hat.c = {c};
  hat.slot[{8, 8, 8}] = 0;
  const Box omega = box3(Q(0), Q(1), Q(0), Q(1), Q(0), Q(1));
  for (std::size_t i = 0; i < 3; ++i) {
    std::vector<Q> lines;
    hat_axis_kinks(hat, omega, i, lines);
    CHECK(lines == std::vector<Q>{Q(7, 16), Q(1, 2), Q(9, 16)});
  }
  std::vector<Q> none_far;
  hat_axis_kinks(hat, box3(Q(0), Q(1, 4), Q(0), Q(1), Q(0), Q(1)), 0, none_far);  // support misses it
  CHECK(none_far.empty());
  CutoffsOnBox none;
  Leaf leaf("2", {&hat});
  const Q w3(1, 4096);
  for (int p : {1, 2}) {
    CAPTURE(p);
    const Q ref = p == 1 ? Q(2) - c * w3 : Q(4) - Q(4) * c * w3 + c * c * Q(2) * w3 / Q(5);
    I exact(ref_prec);
    set_interval(exact, ref);
    bool applied = false;
    const I got = leaf.run(omega, none, rule('T', 3), Q(p), &applied);
    REQUIRE(applied);
    CHECK(contains(got, exact));
    CAPTURE(width(got));
    CHECK(width(got) < 1e-30);
  }
}

TEST_CASE("T rule: refused outside its hypotheses (then C, still valid)") {
  CutoffsOnBox none;
  const Box b = box3(Q(1, 4), Q(1, 2), Q(1, 4), Q(1, 2), Q(1, 4), Q(1, 2));
  Leaf leaf("exp(x) - 2");
  const I crude = leaf.run(b, none, rule('C'), Q(3));
  for (const Q& p : {Q(3), Q(3, 2)}) {  // odd and fractional p
    bool applied = true;
    const I got = leaf.run(b, none, rule('T', 4), p, &applied);
    CHECK_FALSE(applied);
    if (p == Q(3))
      CHECK((mpfr_equal_p(got.left(), crude.left()) && mpfr_equal_p(got.right(), crude.right())));
  }
  bool applied = true;
  leaf.run(b, none, rule('T', 1), Q(1), &applied);  // 2n − d < 1
  CHECK_FALSE(applied);
  leaf.run(b, none, rule('T', 2), Q(2), &applied);  // m = ⌊1/2⌋ = 0
  CHECK_FALSE(applied);
  leaf.run(b, none, rule('T', 2), Q(1), &applied);  // m = 1
  CHECK(applied);
  // A dense network subtracted as well.
  DenseNetwork net;
  net.d = 3;
  leaf.li.set_dense(&net, 1, 1, nullptr);
  leaf.run(b, none, rule('T', 4), Q(1), &applied);
  CHECK_FALSE(applied);
  // d = 2.
  Leaf flat("exp(x + y)", {}, 2);
  Box sq;
  sq.lo = {Q(0), Q(0)};
  sq.hi = {Q(1, 2), Q(1, 2)};
  flat.run(sq, none, rule('T', 4), Q(1), &applied);
  CHECK_FALSE(applied);
  // A target that is not smooth on the leaf.
  Leaf kink("abs(x - 3/8)");
  kink.run(b, none, rule('T', 4), Q(1), &applied);
  CHECK_FALSE(applied);
}

TEST_CASE("rules strings: T<n> only in d >= 3") {
  auto r = parse_rules("T4T24CT1", 4, 3, "w");
  REQUIRE(r.size() == 4);
  CHECK(r[0].kind == 'T');
  CHECK(r[0].n == 4);
  CHECK(r[1].n == 24);
  CHECK(describe_rules(r) == "1 T4, 1 T24, 1 C, 1 T1");
  CHECK(parse_rules("T8", 1, 4, "w").size() == 1);
  const auto bad = rules_error;
  CHECK(bad("CT4", 2, 2) ==
        "where: token 2 at position 2: the simplex rule T applies only in dimension 3 or more (here d = 2)");
  CHECK(bad("T4", 1, 1) ==
        "where: token 1 at position 1: the simplex rule T applies only in dimension 3 or more (here d = 1)");
  CHECK(bad("T0", 1, 3) == "where: token 1 at position 1: T takes 1 to 24 points, not 0");
  CHECK(bad("T25", 1, 3) == "where: token 1 at position 1: T takes 1 to 24 points, not 25");
  CHECK(bad("T08", 1, 3) == "where: token 1 at position 1: leading zero in 'T08'");
  CHECK(bad("T", 1, 3) == "where: token 1 at position 1: 'T' needs a number of points");
  CHECK(
      bad("t4", 1, 3) ==
      "where: token 1 at position 1: bad rule 't' (expected C, M, Z, G<n>, K<n>, P<n>, S<n>, T<n> or F<n>)");
}
