// The dyadic partition and the margin rule: the overlap number counted by
// net::overlap_number equals a brute-force count over the cells of the
// endpoint grid, and stays <= 2^d under random adaptive refinements
// (proofs/cutoff.md, Lemma A2).
#include "mgdl/construct/partition.hpp"
#include "mgdl/net/cutoff_correction.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

using mgdl::num::Rational;
namespace construct = mgdl::construct;
namespace net = mgdl::net;

namespace {

std::vector<net::Cutoff> cutoffs_of(const construct::DyadicPartition& p) {
  std::vector<net::Cutoff> out;
  for (std::size_t id : p.leaves()) {
    const Rational rho = construct::DyadicPartition::margin_for_level(p.finest_touching_level(id));
    out.push_back(p.cutoff(id, rho, Rational(1)));
  }
  return out;
}

// max over x in Ω of the number of open supports containing x: the count is
// constant on the open cells of the grid of all clipped endpoints, and every
// point of a support has a neighbourhood in such a cell, so the midpoints of
// the cells are enough.
int brute_force_overlap(int d, const std::vector<net::Cutoff>& cs) {
  std::vector<std::vector<Rational>> mids(static_cast<std::size_t>(d));
  for (int i = 0; i < d; ++i) {
    std::set<Rational> ends{Rational(0), Rational(1)};
    for (const auto& c : cs) {
      const auto a = static_cast<std::size_t>(i);
      ends.insert(std::max(Rational(0), Rational(c.a[a] - c.rho[a])));
      ends.insert(std::min(Rational(1), Rational(c.b[a] + c.rho[a])));
    }
    std::vector<Rational> e(ends.begin(), ends.end());
    for (std::size_t k = 0; k + 1 < e.size(); ++k) mids[static_cast<std::size_t>(i)].push_back((e[k] + e[k + 1]) / 2);
  }
  int best = 0;
  std::vector<std::size_t> idx(static_cast<std::size_t>(d), 0);
  for (;;) {
    int count = 0;
    for (const auto& c : cs) {
      bool inside = true;
      for (std::size_t i = 0; i < idx.size() && inside; ++i) {
        const Rational& x = mids[i][idx[i]];
        inside = c.a[i] - c.rho[i] < x && x < c.b[i] + c.rho[i];
      }
      count += inside ? 1 : 0;
    }
    best = std::max(best, count);
    std::size_t axis = 0;
    while (axis < idx.size() && ++idx[axis] == mids[axis].size()) idx[axis++] = 0;
    if (axis == idx.size()) break;
  }
  return best;
}

}  // namespace

TEST_CASE("uniform grid: cores tile Omega, margins are a quarter of the width") {
  for (int d = 1; d <= 3; ++d) {
    construct::DyadicPartition p(d, 2);
    CHECK(p.leaf_count() == (std::size_t{1} << (2 * d)));
    Rational volume = 0;
    for (std::size_t id : p.leaves()) {
      volume += p.core(id).volume();
      CHECK(p.finest_touching_level(id) == 2);
    }
    CHECK(volume == 1);
    CHECK(construct::DyadicPartition::margin_for_level(2) == Rational(1, 16));
    const auto cs = cutoffs_of(p);
    const int kappa = net::overlap_number(d, cs);
    CHECK(kappa == (1 << d));
    CHECK(kappa == brute_force_overlap(d, cs));
  }
}

TEST_CASE("finest touching level sees neighbours across faces, edges and corners") {
  construct::DyadicPartition p(2, 1);  // 2 x 2
  auto leaves = p.leaves();
  // Split the core [0,1/2]^2 twice at its upper corner: the diagonal core
  // [1/2,1]^2 touches the refined region only at the point (1/2, 1/2).
  p.split(leaves[0]);
  auto after = p.leaves();
  std::size_t corner_child = after[3];  // offset bits 11: [1/4,1/2]^2
  CHECK(p.core(corner_child).hi[0] == Rational(1, 2));
  p.split(corner_child);
  std::size_t diagonal = 0;
  for (std::size_t id : p.leaves())
    if (p.core(id).lo[0] == Rational(1, 2) && p.core(id).lo[1] == Rational(1, 2)) diagonal = id;
  CHECK(p.node(diagonal).level == 1);
  CHECK(p.finest_touching_level(diagonal) == 3);
}

TEST_CASE("kappa: overlap_number equals brute force and is <= 2^d on random refinements") {
  const unsigned seed = 20240611U;
  std::printf("test_partition seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int d = 1; d <= 3; ++d) {
    const int trials = d == 3 ? 4 : 8;
    for (int t = 0; t < trials; ++t) {
      construct::DyadicPartition p(d, d == 3 ? 1 : 2);
      const int splits = d == 1 ? 40 : (d == 2 ? 14 : 5);
      for (int s = 0; s < splits; ++s) {
        auto leaves = p.leaves();
        std::size_t id = leaves[rng() % leaves.size()];
        if (p.node(id).level < 7) p.split(id);
      }
      const auto cs = cutoffs_of(p);
      const int kappa = net::overlap_number(d, cs);
      INFO("d = " << d << ", trial " << t << ", cores " << cs.size());
      CHECK(kappa == brute_force_overlap(d, cs));
      CHECK(kappa <= (1 << d));
      CHECK(kappa >= 1);
    }
  }
}

TEST_CASE("brute force overlap can see a violation of the margin rule") {
  // Margins of half the width (twice the rule) make three supports overlap in 1D.
  construct::DyadicPartition p(1, 2);
  std::vector<net::Cutoff> cs;
  for (std::size_t id : p.leaves()) cs.push_back(p.cutoff(id, Rational(3, 16), Rational(1)));
  CHECK(brute_force_overlap(1, cs) == 3);
  CHECK(net::overlap_number(1, cs) == 3);
}
