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
