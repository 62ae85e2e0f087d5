// RateWatch: the projection N·(W/W*)^(1/α) from the observed order α, and the stop
// only after `patience` projections past the budget in a row.
#include <doctest/doctest.h>

#include <cmath>

#include "mgdl/certify/rate_watch.hpp"

using mgdl::certify::RateWatch;

namespace {

// W(N) = c·N^(−alpha), observed at every box count up to `until`; returns the box count at
// which the watch stalled, or −1.
long run(RateWatch& w, double c, double alpha, double target, long until) {
  for (long n = 1; n <= until; ++n)
    if (w.observe(n, c * std::pow(static_cast<double>(n), -alpha), target)) return n;
  return -1;
}

}  // namespace

TEST_CASE("rate watch: the projection is N (W/W*)^(1/alpha) at the observed order") {
  RateWatch w(1000000000L, 1024, 2);
  // W = N^-2: from N = 2048, W* = 2^-40 is reached at N = 2^20 exactly.
  CHECK(w.observe(1024, std::pow(2.0, -20), std::pow(2.0, -40)) == false);
  CHECK(w.projected() < 0);  // one checkpoint: no rate yet
  CHECK(w.observe(2048, std::pow(2.0, -22), std::pow(2.0, -40)) == false);
  CHECK(w.projected() == doctest::Approx(1048576.0).epsilon(1e-9));
}

TEST_CASE("rate watch: an enclosure that would reach its gap within budget is never stopped") {
  // Second order from a width of 1 to 1e-12: 1e6 boxes, budget 2e6.
  RateWatch w(2000000, 1024, 2);
  CHECK(run(w, 1.0, 2.0, 1e-12, 1000000) == -1);
  CHECK_FALSE(w.stalled());
}

TEST_CASE("rate watch: too slow for the budget stops after two checkpoints past it in a row") {
  // Order 1/3 (first order in d = 3) from 1 to 1e-6 would take 1e18 boxes.
  RateWatch w(20000000, 1024, 2);
  // Checkpoints 1024 (no rate), 2048 (first strike), 4096 (second: stalled).
  CHECK(run(w, 1.0, 1.0 / 3, 1e-6, 100000) == 4096);
  CHECK(w.stalled());
  CHECK(w.projected() > 1e17);
  // It stays stalled.
  CHECK(w.observe(8192, 1e-9, 1e-6));
}

TEST_CASE("rate watch: a width that does not shrink projects to never; one good rate resets the count") {
  RateWatch w(1000000, 1024, 2);
  CHECK_FALSE(w.observe(1024, 1.0, 1e-6));
  CHECK_FALSE(w.observe(2048, 1.0, 1e-6));  // α = 0: a strike
  CHECK(std::isinf(w.projected()));
  CHECK_FALSE(w.observe(4096, 1e-5, 1e-6));  // α ≈ 16.6: on course, the strikes reset
  CHECK_FALSE(w.observe(8192, 1e-5, 1e-6));  // a strike
  CHECK(w.observe(16384, 1e-5, 1e-6));       // the second in a row
}

TEST_CASE("rate watch: an unbounded width forgets the rate; a width at the target is on course") {
  RateWatch w(1000000, 1024, 2);
  CHECK_FALSE(w.observe(1024, 1.0, 1e-6));
  CHECK_FALSE(w.observe(2048, 1.0, 1e-6));    // a strike
  CHECK_FALSE(w.observe(4096, -1.0, 1e-6));   // unbounded: no rate, strikes reset
  CHECK_FALSE(w.observe(8192, 1.0, 1e-6));    // first checkpoint again
  CHECK_FALSE(w.observe(16384, 1.0, 1e-6));   // one strike
  CHECK_FALSE(w.observe(32768, 1e-7, 1e-6));  // at the target
  CHECK_FALSE(w.stalled());
  // Between checkpoints nothing is recorded.
  RateWatch v(1000, 1024, 1);
  CHECK_FALSE(v.observe(1500, 1.0, 1e-6));
  CHECK_FALSE(v.observe(1900, 1.0, 1e-6));
  CHECK(v.observe(2048, 1.0, 1e-6));  // patience 1: the first projection past 1000 stops
}
