// The checker's Lemma C2.7 (piece_sup.hpp, affine_pieces.hpp; proofs/certification.md C2.7,
// proofs/simplices.md S4, S6, S6.1): the S6 range of a quadratic over a simplex against exact
// brute force in d = 2, 3, 4; the pieces of a box tile it with h = η exactly on each (d = 2, 3);
// the piecewise sup bound on a 2D box crossed by a hat grid's Kuhn diagonal and on a 3D box
// crossed by a cutoff's oblique kink plane against dense samples of R at 600 bits (at least the
// sampled sup, at most sup·(1 + 1e-6), while the plain C2 bound is well above); planted false
// bounds rejected.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <random>
#include <string>

#include "cover.hpp"
#include "cutoff_helpers.hpp"
#include "interval_helpers.hpp"
#include "mgdl/check/check.hpp"
#include "piece_sup.hpp"

using namespace mgdl::check;

namespace {

constexpr mpfr_prec_t ref_prec = 600;

struct RandomQ {
  std::mt19937 gen{20250117u};
  // p/q, |p| <= num, 1 <= q <= den.
  Q operator()(long num = 40, unsigned long den = 12) {
    std::uniform_int_distribution<long> n(-num, num);
    std::uniform_int_distribution<unsigned long> q(1, den);
    return Q(n(gen), q(gen));
  }
};

Q quad_value(const Q& a, const std::vector<Q>& b, const std::vector<Q>& H, const std::vector<Q>& c,
             const std::vector<Q>& x) {
  const std::size_t d = c.size();
  Q v = a;
  for (std::size_t k = 0; k < d; ++k) {
    const Q dk = x[k] - c[k];
    v = v + b[k] * dk;
    for (std::size_t l = 0; l < d; ++l) v = v + H[k * d + l] * dk * (x[l] - c[l]) / Q(2);
  }
  return v;
}

// Every barycentric point λ = i / n (Σ i = n) of the simplex, vertices included.
std::vector<std::vector<Q>> barycentric_grid(const Simplex& s, long n) {
  const std::size_t nv = s.v.size(), d = nv - 1;
  std::vector<std::vector<Q>> out;
  std::vector<long> i(nv, 0);
  std::function<void(std::size_t, long)> rec = [&](std::size_t k, long left) {
    if (k + 1 == nv) {
      i[k] = left;
      std::vector<Q> x(d);
      for (std::size_t j = 0; j < nv; ++j)
        if (i[j] != 0)
          for (std::size_t c = 0; c < d; ++c)
            x[c] = x[c] + Q(i[j], static_cast<unsigned long>(n)) * s.v[j][c];
      out.push_back(std::move(x));
      return;
    }
    for (long m = 0; m <= left; ++m) {
      i[k] = m;
      rec(k + 1, left - m);
    }
  };
  rec(0, n);
  return out;
}

Q to_q(mpfr_srcptr x) {
  Q q;
  mpfr_get_q(q.get(), x);
  return q;
}

// Sampled |R| = |f − h| on a tensor grid of n + 1 points per axis over the box, f at 600 bits:
// lo <= max over the samples of |R| <= hi (so lo <= sup_box |R|).
struct Sampled {
  Q lo, hi;
};
template <class H>
Sampled sample_residual(const Target& target, const Box& box, long n, const H& h) {
  const std::size_t d = box.lo.size();
  JetEvaluator ev(target, ref_prec);
  std::vector<I> t(d, I(ref_prec));
  std::vector<long> idx(d, 0);
  std::vector<Q> x(d);
  I r(ref_prec), m(ref_prec);
  mpfr_t lo, hi;
  mpfr_init2(lo, ref_prec);
  mpfr_init2(hi, ref_prec);
  Sampled out;
  bool first = true;
  for (;;) {
    for (std::size_t i = 0; i < d; ++i) {
      x[i] = box.lo[i] + (box.hi[i] - box.lo[i]) * Q(idx[i], static_cast<unsigned long>(n));
      mpfi_set_q(t[i].get(), x[i].get());
    }
    const Q hx = h(x);
    mpfi_sub_q(r.get(), ev.evaluate(t, 0).c[0].get(), hx.get());
    REQUIRE(finite(r));
    mpfi_abs(m.get(), r.get());
    const Q l = to_q(m.left()), u = to_q(m.right());
    if (first || out.lo < l) out.lo = l;
    if (first || out.hi < u) out.hi = u;
    first = false;
    std::size_t i = 0;
    while (i < d && ++idx[i] > n) idx[i++] = 0;
    if (i == d) break;
  }
  mpfr_clear(lo);
  mpfr_clear(hi);
  return out;
}

Q plain_bound(const Target& target, const Box& box, const CutoffsOnBox& cs,
              const std::vector<const HatGrid*>& hats) {
  ResidualAnalyzer an(target, 128);
  an.set_hats(hats);
  an.analyse(box, cs);
  mpfr_t m;
  mpfr_init2(m, 128);
  REQUIRE(magnitude(m, an.range()));
  const Q out = to_q(m);
  mpfr_clear(m);
  return out;
}

Q piecewise_bound(PieceSupBounder& ps, const Box& box, const CutoffsOnBox& cs) {
  mpfr_t m;
  mpfr_init2(m, 128);
  const bool ok = ps.bound(box, cs, m);
  REQUIRE(ok);
  const Q out = to_q(m);
  mpfr_clear(m);
  return out;
}

double dbl(const Q& q) {
  return mpq_get_d(q.get());
}

// v ∈ x.
bool encloses(const I& x, const Q& v) {
  return finite(x) && mpfr_cmp_q(x.left(), v.get()) <= 0 && mpfr_cmp_q(x.right(), v.get()) >= 0;
}

Q box_volume(const Box& b) {
  Q v(1);
  for (std::size_t i = 0; i < b.lo.size(); ++i) v = v * (b.hi[i] - b.lo[i]);
  return v;
}

// The pieces tile the box (volumes add up, vertices inside) and h = η exactly at each piece's
// vertices and centroid (h affine there, so at every point of it).
template <class H>
void check_pieces(const Box& box, const CutoffsOnBox& cs, const std::vector<const HatGrid*>& hats, const H& h,
                  std::size_t min_pieces) {
  std::vector<AffinePiece> pieces;
  REQUIRE(affine_pieces(box, cs, hats, pieces));
  CHECK(pieces.size() >= min_pieces);
  Q vol;
  const std::size_t d = box.lo.size();
  for (const AffinePiece& p : pieces) {
    REQUIRE(p.affine);
    const Q v = simplex_volume(p.simplex);
    CHECK(v.sign() > 0);
    vol = vol + v;
    std::vector<Q> centroid(d);
    for (const auto& x : p.simplex.v) {
      for (std::size_t i = 0; i < d; ++i) {
        CHECK(box.lo[i] <= x[i]);
        CHECK(x[i] <= box.hi[i]);
        centroid[i] = centroid[i] + x[i] / Q(static_cast<long>(d + 1));
      }
      CHECK(affine_at(p.eta, x) == h(x));
    }
    CHECK(affine_at(p.eta, centroid) == h(centroid));
  }
  CHECK(vol == box_volume(box));
}

}  // namespace

TEST_CASE(
    "piece sup: the S6 range of random quadratics on random simplices against brute force (d = 2, 3, 4)") {
  RandomQ rq;
  for (std::size_t d = 2; d <= 4; ++d) {
    const long n = d == 2 ? 30 : d == 3 ? 16 : 10;
    const int trials = d == 2 ? 40 : d == 3 ? 20 : 8;
    double worst = 0;
    for (int trial = 0; trial < trials; ++trial) {
      CAPTURE(d);
      CAPTURE(trial);
      Simplex s;
      do {
        s.v.assign(d + 1, std::vector<Q>(d));
        for (auto& x : s.v)
          for (Q& xi : x) xi = rq(20, 8) / Q(10);
      } while (simplex_det(s).sign() == 0);
      const Q a = rq();
      std::vector<Q> b(d), H(d * d), c(d);
      for (std::size_t k = 0; k < d; ++k) {
        b[k] = rq();
        c[k] = rq(10, 8) / Q(10);
        for (std::size_t l = k; l < d; ++l) H[k * d + l] = H[l * d + k] = rq(60, 6);
      }
      if (trial == 0) {  // rank one: singular faces
        for (std::size_t k = 0; k < d; ++k)
          for (std::size_t l = 0; l < d; ++l)
            H[k * d + l] = Q(static_cast<long>(k + 1) * static_cast<long>(l + 1));
      }
      if (trial == 1) H.assign(d * d, Q());  // affine q: the range is the vertex hull
      I ai(128), out(128);
      set_interval(ai, a);
      std::vector<I> bi(d, I(128));
      for (std::size_t k = 0; k < d; ++k) set_interval(bi[k], b[k]);
      REQUIRE(quadratic_range_on_simplex(s, ai, bi, H, c, out));
      Q smin, smax;
      bool first = true;
      for (const auto& x : barycentric_grid(s, n)) {
        const Q v = quad_value(a, b, H, c, x);
        if (first || v < smin) smin = v;
        if (first || smax < v) smax = v;
        first = false;
      }
      // Contains every sampled value; beyond them by at most the sampling error, a few per cent
      // of the range for a quadratic (the maximiser is within 1/n of a sample in barycentric terms).
      CHECK(encloses(out, smax));
      CHECK(encloses(out, smin));
      const Q range = smax - smin;
      REQUIRE(range.sign() > 0);
      const double over = dbl((to_q(out.right()) - smax) / range) + dbl((smin - to_q(out.left())) / range);
      CHECK(over >= 0);
      CHECK(over < 0.03);
      if (over > worst) worst = over;
      if (trial == 1) {
        Q vmin, vmax;
        for (std::size_t i = 0; i <= d; ++i) {
          const Q v = quad_value(a, b, H, c, s.v[i]);
          if (i == 0 || v < vmin) vmin = v;
          if (i == 0 || vmax < v) vmax = v;
        }
        // Up to the 64-bit midpoints of a, b (their radii enter the family's widening).
        CHECK(dbl(to_q(out.right()) - vmax) < 1e-16);
        CHECK(dbl(vmin - to_q(out.left())) < 1e-16);
      }
      // A family: a and b widened by r. Every member at a corner of the balls is contained, and
      // the bound grows by at most the members' spread (r (1 + Σ |x − c|_1) on the simplex).
      const Q r(1, 1000);
      set_interval(ai, a - r, a + r);
      for (std::size_t k = 0; k < d; ++k) set_interval(bi[k], b[k] - r, b[k] + r);
      I fam(128);
      REQUIRE(quadratic_range_on_simplex(s, ai, bi, H, c, fam));
      CHECK(contains(fam, out));
      for (unsigned corner = 0; corner < (1u << (d + 1)); ++corner) {
        const Q am = corner & 1u ? a + r : a - r;
        std::vector<Q> bm(d);
        for (std::size_t k = 0; k < d; ++k) bm[k] = (corner >> (k + 1)) & 1u ? b[k] + r : b[k] - r;
        for (const auto& x : barycentric_grid(s, 4)) {
          const Q v = quad_value(am, bm, H, c, x);
          CHECK(encloses(fam, v));
        }
      }
      Q spread(1);
      for (std::size_t k = 0; k < d; ++k) {
        Q m;
        for (const auto& x : s.v) m = qmax(m, (x[k] - c[k]).abs());
        spread = spread + m;
      }
      const double grow = width(fam) - width(out);
      CHECK(grow <= 2 * dbl(r * spread) * (1 + 1e-9) + 2 * dbl(range) * 0.03);
    }
    MESSAGE("d = " << d << ": worst overshoot / range " << worst);
  }
}

TEST_CASE("piece sup: a 2D box crossed by a hat grid's Kuhn diagonal") {
  HatGrid hat;
  hat.d = 2;
  const std::vector<Q> axis{Q(0), Q(1, 4), Q(1, 2), Q(3, 4), Q(1)};
  hat.grid = {axis, axis};
  hat.index = {{1, 1}, {2, 2}};
  hat.c = {Q(-2, 7), Q(3, 5)};
  hat.slot[{1, 1}] = 0;
  hat.slot[{2, 2}] = 1;
  const std::vector<const HatGrid*> hats{&hat};
  const auto h = [&](const std::vector<Q>& x) { return hat_value(hat, x); };
  CutoffsOnBox none;
  const Target target = unit_target("exp(x)*sin(2*y) + 1", 2);
  // x ∈ [76/256, 78/256], y ∈ [77/256, 79/256]: inside the grid cell [1/4, 1/2]², crossed by
  // its Kuhn diagonal x = y, which is not the box's own diagonal.
  Box box;
  box.lo = {Q(76, 256), Q(77, 256)};
  box.hi = {Q(78, 256), Q(79, 256)};
  check_pieces(box, none, hats, h, 3);
  // Pieces tile a box across grid lines and both diagonals as well (d = 2, axis kinks).
  Box wide;
  wide.lo = {Q(3, 16), Q(5, 16)};
  wide.hi = {Q(9, 16), Q(5, 8)};
  check_pieces(wide, none, hats, h, 8);

  PieceSupBounder ps(target, 128, hats);
  const Sampled ref = sample_residual(target, box, 64, h);
  const Q bound = piecewise_bound(ps, box, none);
  const Q plain = plain_bound(target, box, none, hats);
  MESSAGE("2D hat: sampled sup " << dbl(ref.lo) << ", piecewise / sup - 1 " << dbl(bound / ref.lo - Q(1))
                                 << " (" << ps.pieces() << " pieces), plain / sup - 1 "
                                 << dbl(plain / ref.lo - Q(1)));
  CHECK(ref.lo <= bound);
  CHECK(bound <= ref.lo * Q(1000001, 1000000));
  // The plain C2 bound is first order across the kink: well above both.
  CHECK(plain > ref.lo * Q(100002, 100000));
  CHECK(plain - ref.lo > Q(50) * (bound - ref.lo));
  // (c) A planted bound below the sampled sup is rejected; the bound itself and 1 + 1e-6 above
  // the sampled sup are confirmed.
  CHECK_FALSE(ps.at_most(box, none, ref.lo * Q(999999999, 1000000000)));
  CHECK(ps.at_most(box, none, bound));
  CHECK(ps.at_most(box, none, ref.lo * Q(1000001, 1000000)));
}

TEST_CASE("piece sup: a 3D box crossed by a cutoff's oblique kink plane") {
  // Core [1/2, 3/4]³, margins 1/4: below the core on every axis u = 1 − 4 Σ (1/2 − x_i), whose
  // zero plane Σ x_i = 5/4 crosses the box [211/512, 215/512]³ (no axis kink inside).
  const CutoffData q =
      cutoff({Q(1, 2), Q(1, 2), Q(1, 2)}, {Q(3, 4), Q(3, 4), Q(3, 4)}, {Q(1, 4), Q(1, 4), Q(1, 4)}, Q(1, 2));
  CutoffsOnBox cs;
  cs.varying = {&q};
  const auto h = [&](const std::vector<Q>& x) { return q.c * psi(q, x); };
  const Target target = unit_target("exp(x - y/2 + z/3) + 1", 3);
  Box box;
  box.lo = {Q(211, 512), Q(211, 512), Q(211, 512)};
  box.hi = {Q(215, 512), Q(215, 512), Q(215, 512)};
  check_pieces(box, cs, {}, h, 7);
  // A box with axis kinks of the cutoff inside as well.
  Box wide;
  wide.lo = {Q(3, 8), Q(3, 8), Q(7, 16)};
  wide.hi = {Q(9, 16), Q(5, 8), Q(9, 16)};
  check_pieces(wide, cs, {}, h, 12);

  PieceSupBounder ps(target, 128, {});
  const Sampled ref = sample_residual(target, box, 24, h);
  const Q bound = piecewise_bound(ps, box, cs);
  const Q plain = plain_bound(target, box, cs, {});
  MESSAGE("3D cutoff: sampled sup " << dbl(ref.lo) << ", piecewise / sup - 1 " << dbl(bound / ref.lo - Q(1))
                                    << " (" << ps.pieces() << " pieces), plain / sup - 1 "
                                    << dbl(plain / ref.lo - Q(1)));
  CHECK(ref.lo <= bound);
  CHECK(bound <= ref.lo * Q(1000001, 1000000));
  CHECK(plain > ref.lo * Q(100002, 100000));
  CHECK(plain - ref.lo > Q(50) * (bound - ref.lo));
  // (c)
  CHECK_FALSE(ps.at_most(box, cs, ref.lo * Q(999999999, 1000000000)));
  CHECK(ps.at_most(box, cs, bound));
  CHECK(ps.at_most(box, cs, ref.lo * Q(1000001, 1000000)));
}

TEST_CASE("piece sup: refused outside its hypotheses") {
  mpfr_t m;
  mpfr_init2(m, 64);
  // d = 1.
  {
    const Target t1 = unit_target("exp(x)", 1);
    PieceSupBounder ps(t1, 128, {});
    Box b;
    b.lo = {Q(0)};
    b.hi = {Q(1, 2)};
    CHECK_FALSE(ps.bound(b, CutoffsOnBox{}, m));
    CHECK_FALSE(ps.at_most(b, CutoffsOnBox{}, Q(100)));
  }
  // f not C² on the box (the kink of |x − 3/8| inside): no bound, whatever u.
  {
    const Target t2 = unit_target("abs(x - 3/8) + y", 2);
    PieceSupBounder ps(t2, 128, {});
    Box b;
    b.lo = {Q(1, 4), Q(1, 4)};
    b.hi = {Q(1, 2), Q(1, 2)};
    CHECK_FALSE(ps.at_most(b, CutoffsOnBox{}, Q(100)));
    // Without the kink: a smooth box with no correction is two Kuhn simplices, bound ~ |R| there.
    Box s;
    s.lo = {Q(1, 2), Q(1, 4)};
    s.hi = {Q(3, 4), Q(1, 2)};
    REQUIRE(ps.bound(s, CutoffsOnBox{}, m));
    CHECK(ps.pieces() == 2);
    // R = x − 3/8 + y on s: max 3/4 − 3/8 + 1/2 = 7/8, exactly affine: the bound is 7/8 + rounding.
    CHECK(mpfr_cmp_d(m, 0.875) >= 0);
    CHECK(mpfr_cmp_d(m, 0.875 + 1e-30) <= 0);
    CHECK(ps.at_most(s, CutoffsOnBox{}, Q(7, 8)));
    CHECK_FALSE(ps.at_most(s, CutoffsOnBox{}, Q(7, 8) - Q(1, 1000000000)));
  }
  // Both kinds of correction at once, and too many axis cuts.
  {
    const Target t3 = unit_target("exp(x + y)", 2);
    HatGrid hat;
    hat.d = 2;
    std::vector<Q> axis;
    for (long k = 0; k <= 32; ++k) axis.push_back(Q(k, 32));
    hat.grid = {axis, axis};
    for (long k = 4; k <= 28; ++k) {
      hat.index.push_back({k, 16});
      hat.c.push_back(Q(1, 3));
      hat.slot[{k, 16}] = hat.c.size() - 1;
    }
    const CutoffData q = cutoff({Q(1, 4), Q(1, 4)}, {Q(3, 4), Q(3, 4)}, {Q(1, 8), Q(1, 8)}, Q(1));
    CutoffsOnBox cs;
    cs.varying = {&q};
    Box b;
    b.lo = {Q(1, 16), Q(1, 16)};
    b.hi = {Q(15, 16), Q(15, 16)};
    PieceSupBounder both(t3, 128, {&hat});
    CHECK_FALSE(both.bound(b, cs, m));
    CHECK_FALSE(both.bound(b, CutoffsOnBox{}, m));  // > 8 grid lines near active nodes on x
    PieceSupBounder cut(t3, 128, {});
    CHECK(cut.bound(b, cs, m));
  }
  mpfr_clear(m);
}

TEST_CASE("piece sup: the checker confirms a one-leaf sup cover by C2.7 and rejects a planted lower bound") {
  // data/certificates/xy2d: f = x + y, three 2D cutoffs, sup |R_1| = 7/4 at (1, 1). With the
  // grade's cover replaced by the single leaf Ω and no extra bisection, the plain C2 enclosure
  // (first order across the kinks) exceeds 7/4; C2.7 is exact here (f affine: H = 0, ε = 0).
  const std::string dir = std::string(MGDL_SOURCE_DIR) + "/data/certificates/xy2d/";
  std::ifstream cin(dir + "certificate.json"), nin(dir + "network.json");
  nlohmann::json cert = nlohmann::json::parse(cin), net = nlohmann::json::parse(nin);
  CheckOptions o;
  o.extra_levels = 0;
  o.threads = 1;
  REQUIRE(check_certificate(cert, &net, o).exit_code == 0);
  nlohmann::json& cover = cert["evidence"]["grades"][1]["sup_cover"];
  REQUIRE(cover["upper"] == "7/4");
  cover["tree"] = ".";
  {
    // The plain enclosure on Ω alone is above 7/4 (so only C2.7 can confirm the leaf).
    const Target t = unit_target("x + y", 2);
    std::vector<CutoffData> qs;
    for (const auto& c : cert["network"]["corrections"][0]["cutoffs"]) {
      std::vector<Q> a, b, rho;
      for (int i = 0; i < 2; ++i) {
        a.push_back(parse_exact(c["a"][i].get<std::string>()));
        b.push_back(parse_exact(c["b"][i].get<std::string>()));
        rho.push_back(parse_exact(c["rho"][i].get<std::string>()));
      }
      qs.push_back(cutoff(a, b, rho, parse_exact(c["c"].get<std::string>())));
    }
    CutoffsOnBox cs;
    for (const CutoffData& q : qs) cs.varying.push_back(&q);
    const Box omega = unit_box(2);
    CHECK(plain_bound(t, omega, cs, {}) > Q(7, 4) + Q(1, 10));
    PieceSupBounder ps(t, 128, {});
    mpfr_t m;
    mpfr_init2(m, 128);
    REQUIRE(ps.bound(omega, cs, m));
    CHECK(mpfr_cmp_q(m, Q(7, 4).get()) == 0);
    mpfr_clear(m);
  }
  const CheckResult ok = check_certificate(cert, &net, o);
  CHECK(ok.exit_code == 0);
  // A planted cover bound below the sup (and the claim with it) is rejected at that leaf.
  cover["upper"] = "1749999999/1000000000";
  cert["grades"][0]["sup_norm"]["upper"] = "1749999999/1000000000";
  cert["grades"][0]["sup_norm"]["lower"] = "17/10";
  const CheckResult bad = check_certificate(cert, &net, o);
  CHECK(bad.exit_code == 1);
  bool named = false;
  for (const auto& l : bad.lines) named = named || l.rfind("FAILED: grade 1 sup-norm upper: leaf 0", 0) == 0;
  CHECK(named);
}
