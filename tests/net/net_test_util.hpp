// Generators and brute-force references for the net tests.
#pragma once

#include "mgdl/net/cutoff_correction.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace mgdl::net::testing {

using num::Rational;

// Seeds are printed by the tests (INFO) so a failure is reproducible.
using Rng = std::mt19937_64;

inline Rational random_rational(Rng& rng, long max_num, long max_den) {
  const long den = 1 + static_cast<long>(rng() % static_cast<std::uint64_t>(max_den));
  const long num = static_cast<long>(rng() % static_cast<std::uint64_t>(max_num + 1));
  return Rational(num, den);
}

// A rational in [0, 1] with a denominator up to max_den (not dyadic in general).
inline Rational random_unit(Rng& rng, long max_den = 97) {
  const long den = 1 + static_cast<long>(rng() % static_cast<std::uint64_t>(max_den));
  const long num = static_cast<long>(rng() % static_cast<std::uint64_t>(den + 1));
  return Rational(num, den);
}

inline Rational random_coefficient(Rng& rng) {
  Rational c(1 + static_cast<long>(rng() % 9), 1 + static_cast<long>(rng() % 7));
  return (rng() % 2) ? c : Rational(-c);
}

// Cutoffs with arbitrary rational cores (possibly overlapping) and margins.
inline std::vector<Cutoff> random_cutoffs(Rng& rng, int d, int n) {
  std::vector<Cutoff> out;
  for (int k = 0; k < n; ++k) {
    Cutoff q;
    for (int i = 0; i < d; ++i) {
      Rational x = random_unit(rng, 31), y = random_unit(rng, 31);
      if (x > y) std::swap(x, y);
      q.a.push_back(x);
      q.b.push_back(y);
      q.rho.push_back(Rational(1 + static_cast<long>(rng() % 5), 3 + static_cast<long>(rng() % 40)));
    }
    q.coefficient = random_coefficient(rng);
    out.push_back(q);
  }
  return out;
}

struct Core {
  std::vector<Rational> a, b;
};

// Leaves of a dyadic tree on [0,1]^d: a uniform grid of 2^level cells per
// axis, then `splits` random leaves halved along every axis.
inline std::vector<Core> dyadic_partition(Rng& rng, int d, int level, int splits) {
  std::vector<Core> cores;
  const long n = 1L << level;
  long total = 1;
  for (int i = 0; i < d; ++i) total *= n;
  for (long idx = 0; idx < total; ++idx) {
    Core c;
    long rest = idx;
    for (int i = 0; i < d; ++i) {
      c.a.push_back(Rational(rest % n, n));
      c.b.push_back(Rational(rest % n + 1, n));
      rest /= n;
    }
    cores.push_back(c);
  }
  for (int s = 0; s < splits; ++s) {
    const std::size_t pick = static_cast<std::size_t>(rng() % cores.size());
    Core parent = cores[pick];
    cores.erase(cores.begin() + static_cast<std::ptrdiff_t>(pick));
    for (long corner = 0; corner < (1L << d); ++corner) {
      Core child;
      for (int i = 0; i < d; ++i) {
        const Rational mid = (parent.a[static_cast<std::size_t>(i)] + parent.b[static_cast<std::size_t>(i)]) / 2;
        if (corner & (1L << i)) {
          child.a.push_back(mid);
          child.b.push_back(parent.b[static_cast<std::size_t>(i)]);
        } else {
          child.a.push_back(parent.a[static_cast<std::size_t>(i)]);
          child.b.push_back(mid);
        }
      }
      cores.push_back(child);
    }
  }
  return cores;
}

// The margin rule: ρ_i(Q) = (1/4)·min{w_i(Q') : closure(Q') meets closure(Q)}.
inline std::vector<Cutoff> margin_rule_cutoffs(Rng& rng, const std::vector<Core>& cores) {
  std::vector<Cutoff> out;
  for (const Core& q : cores) {
    const std::size_t d = q.a.size();
    Cutoff c;
    c.a = q.a;
    c.b = q.b;
    c.rho.assign(d, Rational(1));
    for (const Core& p : cores) {
      bool touches = true;
      for (std::size_t i = 0; i < d && touches; ++i) touches = p.a[i] <= q.b[i] && q.a[i] <= p.b[i];
      if (!touches) continue;
      for (std::size_t i = 0; i < d; ++i) {
        const Rational w = (p.b[i] - p.a[i]) / 4;
        if (w < c.rho[i]) c.rho[i] = w;
      }
    }
    c.coefficient = random_coefficient(rng);
    out.push_back(c);
  }
  return out;
}

// Brute force: h(x) = Σ c_Q ψ_Q(x) over all cutoffs (no index).
inline Rational brute_h(const std::vector<Cutoff>& cutoffs, const std::vector<Rational>& x) {
  Rational sum(0);
  for (const Cutoff& q : cutoffs) sum += q.coefficient * q.psi(x);
  return sum;
}

// Brute force overlap: the count is constant on open cells of the grid of all
// clipped support endpoints; try the center of every cell.
inline int brute_overlap(int d, const std::vector<Cutoff>& cutoffs) {
  const auto du = static_cast<std::size_t>(d);
  std::vector<std::vector<Rational>> mids(du);
  for (std::size_t i = 0; i < du; ++i) {
    std::vector<Rational> coords{Rational(0), Rational(1)};
    for (const Cutoff& q : cutoffs) {
      const Rational lo = q.a[i] - q.rho[i], hi = q.b[i] + q.rho[i];
      if (lo > 0 && lo < 1) coords.push_back(lo);
      if (hi > 0 && hi < 1) coords.push_back(hi);
    }
    std::sort(coords.begin(), coords.end());
    coords.erase(std::unique(coords.begin(), coords.end()), coords.end());
    for (std::size_t k = 0; k + 1 < coords.size(); ++k) mids[i].push_back((coords[k] + coords[k + 1]) / 2);
  }
  int best = 0;
  std::vector<std::size_t> pick(du, 0);
  std::vector<Rational> x(du);
  while (true) {
    for (std::size_t i = 0; i < du; ++i) x[i] = mids[i][pick[i]];
    int count = 0;
    for (const Cutoff& q : cutoffs) {
      bool inside = true;
      for (std::size_t i = 0; i < du && inside; ++i) inside = q.a[i] - q.rho[i] < x[i] && x[i] < q.b[i] + q.rho[i];
      count += inside ? 1 : 0;
    }
    best = std::max(best, count);
    std::size_t axis = 0;
    while (axis < du && ++pick[axis] == mids[axis].size()) pick[axis++] = 0;
    if (axis == du) break;
  }
  return best;
}

}  // namespace mgdl::net::testing
