#include "mgdl/net/cutoff_correction.hpp"
#include "net_test_util.hpp"

#include <doctest/doctest.h>

using mgdl::net::Cutoff;
using mgdl::net::overlap_number;
using mgdl::num::Rational;
using namespace mgdl::net::testing;

TEST_CASE("overlap number equals brute force on random cutoff lists") {
  const std::uint64_t seed = 9101;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    for (int trial = 0; trial < 12; ++trial) {
      const auto cutoffs = random_cutoffs(rng, d, 3 + trial * (d == 3 ? 1 : 2));
      INFO("d=" << d << " trial=" << trial);
      CHECK(overlap_number(d, cutoffs) == brute_overlap(d, cutoffs));
    }
  }
}

TEST_CASE("overlap number on margin-rule partitions: brute force and kappa <= 2^d (Lemma A2)") {
  const std::uint64_t seed = 9201;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int d = 1; d <= 3; ++d) {
    for (int trial = 0; trial < 5; ++trial) {
      const int level = d == 1 ? 2 + trial : (d == 2 ? 1 + trial % 2 : 1);
      const auto cutoffs = margin_rule_cutoffs(rng, dyadic_partition(rng, d, level, trial * (d == 3 ? 1 : 3)));
      const int kappa = overlap_number(d, cutoffs);
      INFO("d=" << d << " trial=" << trial << " cutoffs=" << cutoffs.size());
      CHECK(kappa == brute_overlap(d, cutoffs));
      CHECK(kappa <= (1 << d));
      CHECK(kappa >= 2);  // neighbouring supports always overlap
    }
  }
}

TEST_CASE("overlap number: hand cases") {
  Cutoff q;
  q.a = {Rational(0)};
  q.b = {Rational(1, 2)};
  q.rho = {Rational(1, 4)};
  q.coefficient = 1;
  Cutoff p = q;
  p.a = {Rational(3, 4)};
  p.b = {Rational(1)};
  // Open supports (−1/4, 3/4) and (1/2, 5/4) overlap on (1/2, 3/4).
  CHECK(overlap_number(1, {q, p}) == 2);
  p.a = {Rational(1)};
  // (−1/4, 3/4) and (3/4, 5/4) only touch: open supports do not overlap.
  CHECK(overlap_number(1, {q, p}) == 1);
  // A support entirely outside Ω counts nowhere.
  p.a = {Rational(2)};
  p.b = {Rational(3)};
  CHECK(overlap_number(1, {q, p}) == 1);
  CHECK(overlap_number(2, {}) == 0);
}
