// The checker's hat-scheme view (src/check/hats.cpp): the Kuhn interpolant
// takes the node values at nodes and is linear between them in 1D, the box
// enclosures contain h at random rational points (and are exact when
// affine), the rebuilt Lemma B0.1 block has the documented shape, and
// malformed structured forms are rejected.
#include "hats.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <random>

using mgdl::check::Box;
using mgdl::check::CorrectionEnclosure;
using mgdl::check::HatGrid;
using mgdl::check::Q;

namespace {

nlohmann::json grid_json(int d, int n) {
  nlohmann::json g = nlohmann::json::array();
  for (int i = 0; i < d; ++i) {
    nlohmann::json axis = nlohmann::json::array();
    for (int j = 0; j <= n; ++j) axis.push_back(std::to_string(j) + "/" + std::to_string(n));
    g.push_back(axis);
  }
  return g;
}

}  // namespace

TEST_CASE("checker hats: values, enclosures, block shape") {
  const unsigned seed = 4242U;
  std::printf("test_hats seed %u\n", seed);
  std::mt19937_64 rng(seed);
  for (int d = 1; d <= 3; ++d) {
    nlohmann::json j{{"scheme", "hat"}, {"dimension", d}, {"grid", grid_json(d, 3)}, {"nodes", nlohmann::json::array()}};
    // Nodes in lexicographic order, coefficients k/7 − 1/2 (nonzero).
    std::vector<std::vector<long>> all;
    std::vector<long> p(static_cast<std::size_t>(d), 0);
    for (;;) {
      all.push_back(p);
      std::size_t i = p.size();
      bool done = true;
      while (i-- > 0) {
        if (p[i] < 3) {
          ++p[i];
          done = false;
          break;
        }
        p[i] = 0;
      }
      if (done) break;
    }
    long k = 0;
    for (const auto& idx : all) {
      if (rng() % 3 == 0) continue;
      const long num = 2 * (k++ % 7) - 7;
      j["nodes"].push_back({{"index", idx}, {"c", std::to_string(num) + "/14"}});
    }
    const HatGrid h = mgdl::check::read_hat_correction(j, d, "c");
    for (std::size_t n = 0; n < h.c.size(); ++n) CHECK(mgdl::check::hat_value(h, mgdl::check::hat_node_point(h, n)) == h.c[n]);
    const auto block = mgdl::check::rebuild_hat_block(h, d);
    CHECK(block.layers.size() == h.c.size() * static_cast<std::size_t>(d + 1) + 1);
    int width = 0;
    for (const auto& l : block.layers) width = std::max(width, l.outputs);
    CHECK(width == (d == 1 ? 5 : (d == 2 ? 8 : d + 8)));
    for (int b = 0; b < 30; ++b) {
      Box box;
      for (int i = 0; i < d; ++i) {
        Q x(static_cast<long>(rng() % 60), 59UL), y(static_cast<long>(rng() % 60), 59UL);
        if (b % 2 == 0) y = x + (y - x) * Q(1, 32);
        if (y < x) std::swap(x, y);
        box.lo.push_back(x);
        box.hi.push_back(y);
      }
      std::vector<Q> center;
      for (int i = 0; i < d; ++i) center.push_back((box.lo[static_cast<std::size_t>(i)] + box.hi[static_cast<std::size_t>(i)]) * Q(1, 2));
      CorrectionEnclosure e;
      e.reset(d);
      mgdl::check::add_hat_enclosure(h, box, center, e);
      CHECK(e.value == mgdl::check::hat_value(h, center));
      for (int t = 0; t < 20; ++t) {
        std::vector<Q> x;
        Q lo = e.value, hi = e.value;
        for (int i = 0; i < d; ++i) {
          const auto iu = static_cast<std::size_t>(i);
          x.push_back(box.lo[iu] + (box.hi[iu] - box.lo[iu]) * Q(static_cast<long>(rng() % 33), 32UL));
          const Q dx = x[iu] - center[iu];
          const Q a = e.glo[iu] * dx, c = e.ghi[iu] * dx;
          lo = lo + mgdl::check::qmin(a, c);
          hi = hi + mgdl::check::qmax(a, c);
        }
        const Q v = mgdl::check::hat_value(h, x);
        CHECK(e.lo <= v);
        CHECK(v <= e.hi);
        CHECK(lo <= v);
        CHECK(v <= hi);
        if (e.affine) CHECK(v == lo);
      }
    }
  }
  // 1D: linear between nodes.
  nlohmann::json j1{{"scheme", "hat"}, {"dimension", 1}, {"grid", grid_json(1, 4)}, {"nodes", {{{"index", {1}}, {"c", "1"}}}}};
  const HatGrid h1 = mgdl::check::read_hat_correction(j1, 1, "c");
  CHECK(mgdl::check::hat_value(h1, {Q(1, 8)}) == Q(1, 2));
  CHECK(mgdl::check::hat_value(h1, {Q(3, 8)}) == Q(1, 2));
  CHECK(mgdl::check::hat_value(h1, {Q(1, 2)}) == Q());
}

TEST_CASE("checker hats: malformed structured forms are rejected") {
  nlohmann::json j{{"scheme", "hat"}, {"dimension", 1}, {"grid", grid_json(1, 4)},
                   {"nodes", {{{"index", {2}}, {"c", "1"}}, {{"index", {1}}, {"c", "1"}}}}};
  CHECK_THROWS_WITH_AS(mgdl::check::read_hat_correction(j, 1, "c"),
                       "c.nodes[1]: nodes must be in increasing lexicographic index order", mgdl::check::MalformedError);
  j["nodes"] = {{{"index", {5}}, {"c", "1"}}};
  CHECK_THROWS_AS(mgdl::check::read_hat_correction(j, 1, "c"), mgdl::check::MalformedError);
  j["nodes"] = nlohmann::json::array();
  j["grid"] = {{"0", "1/2", "1/2", "1"}};
  CHECK_THROWS_WITH_AS(mgdl::check::read_hat_correction(j, 1, "c"), "c.grid[0]: breakpoints must increase strictly",
                       mgdl::check::MalformedError);
}

TEST_CASE("checker hats: cell diagonals and affine pieces equal h exactly (Lemma I8(h))") {
  std::mt19937_64 rng(1204U);
  nlohmann::json j{
      {"scheme", "hat"}, {"dimension", 2}, {"grid", grid_json(2, 4)}, {"nodes", nlohmann::json::array()}};
  for (long a = 0; a <= 4; ++a)
    for (long b = 0; b <= 4; ++b)
      if (rng() % 4 != 0)
        j["nodes"].push_back({{"index", {a, b}}, {"c", std::to_string(long(rng() % 11) - 5) + "/3"}});
  const HatGrid h = mgdl::check::read_hat_correction(j, 2, "c");
  auto value = [](const std::vector<Q>& f, const std::vector<Q>& x) {
    return f[0] + f[1] * x[0] + f[2] * x[1];
  };
  int pieces = 0, refused = 0;
  for (int trial = 0; trial < 200; ++trial) {
    // A sub-box of a random grid cell.
    const long ci = long(rng() % 4), cj = long(rng() % 4);
    Box cell;
    for (long c : {ci, cj}) {
      Q s(long(rng() % 8), 16UL), t(long(8 + rng() % 9), 16UL);
      cell.lo.push_back((Q(c) + s) * Q(1, 4));
      cell.hi.push_back((Q(c) + t) * Q(1, 4));
    }
    std::vector<std::vector<Q>> lines;
    mgdl::check::hat_cell_lines(h, cell, lines);
    REQUIRE(lines.size() <= 1);
    // Four random points of the cell: h's form on their hull, when proven, is exact at each and at their
    // mean.
    std::vector<std::vector<Q>> pts;
    for (int k = 0; k < 4; ++k)
      pts.push_back({cell.lo[0] + (cell.hi[0] - cell.lo[0]) * Q(long(rng() % 17), 16UL),
                     cell.lo[1] + (cell.hi[1] - cell.lo[1]) * Q(long(rng() % 17), 16UL)});
    std::vector<Q> f{Q(), Q(), Q()};
    if (!mgdl::check::hat_affine_on(h, pts, f)) {
      ++refused;
      // Refused only when the points lie strictly on both sides of the diagonal.
      REQUIRE(lines.size() == 1);
      bool pos = false, neg = false;
      for (const auto& x : pts) {
        pos = pos || value(lines[0], x).sign() > 0;
        neg = neg || value(lines[0], x).sign() < 0;
      }
      CHECK((pos && neg));
      continue;
    }
    ++pieces;
    std::vector<Q> mean{Q(), Q()};
    for (const auto& x : pts) {
      CHECK(value(f, x) == mgdl::check::hat_value(h, x));
      mean[0] = mean[0] + x[0] * Q(1, 4);
      mean[1] = mean[1] + x[1] * Q(1, 4);
    }
    CHECK(value(f, mean) == mgdl::check::hat_value(h, mean));
  }
  CHECK(pieces > 50);
  CHECK(refused > 10);
}
