// Exact cutoff enclosures, the overlap number and the rebuilt dense block.
#include "cutoff_helpers.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace mgdl::check;

namespace {

std::vector<Q> apply(const DenseLayer& l, const std::vector<Q>& x) {
  std::vector<Q> y = l.bias;
  for (const auto& e : l.weights) y[static_cast<std::size_t>(e.row)] = y[static_cast<std::size_t>(e.row)] + e.value * x[static_cast<std::size_t>(e.col)];
  if (l.relu)
    for (auto& v : y)
      if (v.sign() < 0) v = Q();
  return y;
}

std::vector<CutoffData> random_cutoffs(std::mt19937& rng, int d, int n) {
  std::vector<CutoffData> cs;
  for (int k = 0; k < n; ++k) {
    std::vector<Q> a, b, rho;
    for (int i = 0; i < d; ++i) {
      long lo = static_cast<long>(rng() % 8);
      a.push_back(Q(lo, 8));
      b.push_back(Q(lo + 1 + static_cast<long>(rng() % 2), 8));
      rho.push_back(Q(1 + static_cast<long>(rng() % 3), 32));
    }
    long c = static_cast<long>(rng() % 7) - 3;
    cs.push_back(cutoff(a, b, rho, Q(c == 0 ? 1 : c, 5)));
  }
  return cs;
}

}  // namespace

TEST_CASE("psi: 1 on the core, 0 outside the support, exact ramps (A1)") {
  CutoffData q = cutoff({Q(1, 4)}, {Q(1, 2)}, {Q(1, 8)}, Q(1));
  CHECK(psi(q, {Q(1, 3)}) == Q(1));
  CHECK(psi(q, {Q(1, 8)}) == Q(0));
  CHECK(psi(q, {Q(3, 16)}) == Q(1, 2));
  CHECK(psi(q, {Q(9, 16)}) == Q(1, 2));
  CHECK(psi(q, {Q(1)}) == Q(0));
}

TEST_CASE("enclosures contain h at points; affine pieces are exact") {
  unsigned seed = 4242;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int d = 1; d <= 2; ++d) {
    auto cs = random_cutoffs(rng, d, 6);
    std::vector<const CutoffData*> ptrs;
    for (const auto& q : cs) ptrs.push_back(&q);
    for (int trial = 0; trial < 200; ++trial) {
      Box b;
      std::vector<Q> m;
      for (int i = 0; i < d; ++i) {
        long k = static_cast<long>(rng() % 32);
        b.lo.push_back(Q(k, 32));
        b.hi.push_back(Q(k + 1, 32));
        m.push_back(Q(2 * k + 1, 64));
      }
      CorrectionEnclosure e;
      e.reset(d);
      add_enclosure(ptrs, b, m, e);
      Q hm;
      for (const auto& q : cs) hm = hm + q.c * psi(q, m);
      CHECK(e.value == hm);
      for (int k = 0; k < 9; ++k) {
        std::vector<Q> x;
        for (int i = 0; i < d; ++i) x.push_back(b.lo[static_cast<std::size_t>(i)] + Q(static_cast<long>(rng() % 9), 8) * Q(1, 32));
        Q hx;
        for (const auto& q : cs) hx = hx + q.c * psi(q, x);
        CHECK(e.lo <= hx);
        CHECK(hx <= e.hi);
        // h(x) − h(m) ∈ Σ G_i (x_i − m_i)
        Q lo, hi;
        for (int i = 0; i < d; ++i) {
          auto iu = static_cast<std::size_t>(i);
          Q dx = x[iu] - m[iu];
          Q p = e.glo[iu] * dx, r = e.ghi[iu] * dx;
          lo = lo + qmin(p, r);
          hi = hi + qmax(p, r);
        }
        CHECK(lo <= hx - hm);
        CHECK(hx - hm <= hi);
        if (e.affine) CHECK(lo == hi);
      }
    }
  }
}

TEST_CASE("overlap number equals brute-force counting (A2)") {
  unsigned seed = 99;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int d = 1; d <= 2; ++d)
    for (int trial = 0; trial < 30; ++trial) {
      auto cs = random_cutoffs(rng, d, 1 + static_cast<int>(rng() % (trial < 20 ? 10 : 60)));
      // Brute force on the cells of the grid of all support ends (multiples of 1/32).
      int brute = 0;
      const long n = 32;
      for (long i = 0; i < n; ++i)
        for (long j = 0; j < (d == 2 ? n : 1); ++j) {
          std::vector<Q> x{Q(2 * i + 1, 2 * n)};
          if (d == 2) x.push_back(Q(2 * j + 1, 2 * n));
          int count = 0;
          for (const auto& q : cs) {
            bool in = true;
            for (std::size_t k = 0; k < x.size(); ++k)
              in = in && q.a[k] - q.rho[k] < x[k] && x[k] < q.b[k] + q.rho[k];
            count += in ? 1 : 0;
          }
          brute = std::max(brute, count);
        }
      CHECK(overlap_number(d, cs) == brute);
    }
}

TEST_CASE("the rebuilt dense block computes h exactly (A5)") {
  unsigned seed = 2024;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int d = 1; d <= 3; ++d) {
    auto cs = random_cutoffs(rng, d, 4);
    for (int input : {d, d + 2}) {
      DenseBlock blk = rebuild_block(d, input, cs);
      CHECK(blk.layers.size() == 2 * cs.size() + 1);
      CHECK(compare_blocks(blk, blk).empty());
      for (int trial = 0; trial < 30; ++trial) {
        std::vector<Q> x;
        for (int i = 0; i < input; ++i) x.push_back(Q(static_cast<long>(rng() % 65), 64));
        std::vector<Q> y = x;
        for (const auto& l : blk.layers) y = apply(l, y);
        Q out = apply(blk.readout, y)[0];
        Q h;
        std::vector<Q> xd(x.begin(), x.begin() + d);
        for (const auto& q : cs) h = h + q.c * psi(q, xd);
        CHECK(out == h);
      }
    }
    DenseBlock changed = rebuild_block(d, d, cs);
    changed.layers[0].bias[static_cast<std::size_t>(d)] = changed.layers[0].bias[static_cast<std::size_t>(d)] + Q(1);
    CHECK(compare_blocks(rebuild_block(d, d, cs), changed).find("bias") != std::string::npos);
  }
}

TEST_CASE("cutoff index: the same cutoffs, in the same order, as a scan of all") {
  unsigned seed = 31337;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int d = 1; d <= 3; ++d)
    for (int n : {0, 1, 2, 7, 150}) {
      auto cs = random_cutoffs(rng, d, n);
      // A few wide supports among narrow ones (the case a fixed window misses).
      if (n > 2) {
        cs[1].rho[0] = Q(3, 8);
        finish_cutoff(cs[1]);
      }
      std::vector<const CutoffData*> ptrs;
      for (const auto& q : cs) ptrs.push_back(&q);
      CutoffIndex index(ptrs);
      CHECK(index.size() == cs.size());
      for (int trial = 0; trial < 300; ++trial) {
        Box b;
        for (int i = 0; i < d; ++i) {
          long u = static_cast<long>(rng() % 97), v = static_cast<long>(rng() % 97);
          if (u == v) ++v;
          b.lo.push_back(Q(std::min(u, v) - 8, 80));
          b.hi.push_back(Q(std::max(u, v) - 8, 80));
        }
        std::vector<const CutoffData*> scan, found;
        for (const CutoffData* q : ptrs)
          if (support_meets_open(*q, b)) scan.push_back(q);
        index.meeting(b, found);
        CHECK(found == scan);
      }
    }
}

TEST_CASE("enclosures with kinks inside the box contain h at points (C2)") {
  unsigned seed = 5150;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int d = 1; d <= 2; ++d) {
    auto cs = random_cutoffs(rng, d, 8);
    std::vector<const CutoffData*> ptrs;
    for (const auto& q : cs) ptrs.push_back(&q);
    CorrectionEnclosure e;
    for (int trial = 0; trial < 300; ++trial) {
      Box b;
      std::vector<Q> m;
      for (int i = 0; i < d; ++i) {
        long k = static_cast<long>(rng() % 90), w = 1 + static_cast<long>(rng() % 12);
        b.lo.push_back(Q(k, 96));
        b.hi.push_back(Q(k + w, 96));
        m.push_back(Q(2 * k + w, 192));
      }
      e.reset(d);  // reused: the scratch must not leak between boxes
      add_enclosure(ptrs, b, m, e);
      Q hm;
      for (const auto& q : cs) hm = hm + q.c * psi(q, m);
      CHECK(e.value == hm);
      for (int k = 0; k <= 12; ++k) {
        std::vector<Q> x;
        for (int i = 0; i < d; ++i) {
          auto iu = static_cast<std::size_t>(i);
          Q frac(static_cast<long>(rng() % 13), 12);
          x.push_back(b.lo[iu] + frac * (b.hi[iu] - b.lo[iu]));
        }
        Q hx;
        for (const auto& q : cs) hx = hx + q.c * psi(q, x);
        CHECK(e.lo <= hx);
        CHECK(hx <= e.hi);
        Q lo, hi;
        for (int i = 0; i < d; ++i) {
          auto iu = static_cast<std::size_t>(i);
          Q dx = x[iu] - m[iu];
          Q p = e.glo[iu] * dx, r = e.ghi[iu] * dx;
          lo = lo + qmin(p, r);
          hi = hi + qmax(p, r);
        }
        CHECK(lo <= hx - hm);
        CHECK(hx - hm <= hi);
      }
    }
  }
}

TEST_CASE("folding cutoffs that are 1 on a box gives the same enclosure as the full list") {
  unsigned seed = 6061;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int d = 1; d <= 2; ++d) {
    auto cs = random_cutoffs(rng, d, 30);
    std::vector<const CutoffData*> ptrs;
    for (const auto& q : cs) ptrs.push_back(&q);
    CutoffsOnBox all;
    all.varying = ptrs;
    int folded = 0;
    for (int trial = 0; trial < 400; ++trial) {
      Box b;
      std::vector<Q> m;
      for (int i = 0; i < d; ++i) {
        long k = static_cast<long>(rng() % 120), w = 1 + static_cast<long>(rng() % 8);
        b.lo.push_back(Q(k, 128));
        b.hi.push_back(Q(k + w, 128));
        m.push_back(Q(2 * k + w, 256));
      }
      CutoffsOnBox on_box;
      restrict_cutoffs(all, b, on_box);
      // Restricting again to a sub-box agrees with restricting the full list.
      Box sub = b;
      sub.hi[0] = (b.lo[0] + b.hi[0]) * Q(1, 2);
      CutoffsOnBox twice, once;
      restrict_cutoffs(on_box, sub, twice);
      restrict_cutoffs(all, sub, once);
      CHECK(twice.varying == once.varying);
      CHECK(twice.constant == once.constant);
      folded += on_box.varying.size() < ptrs.size() && on_box.constant.sign() != 0 ? 1 : 0;
      CorrectionEnclosure full, fold;
      full.reset(d);
      fold.reset(d);
      add_enclosure(ptrs, b, m, full);
      add_enclosure(on_box, b, m, fold);
      CHECK(full.value == fold.value);
      CHECK(full.lo == fold.lo);
      CHECK(full.hi == fold.hi);
      CHECK(full.glo == fold.glo);
      CHECK(full.ghi == fold.ghi);
      CHECK(full.affine == fold.affine);
    }
    CHECK(folded > 20);  // the test exercises folding
  }
}
