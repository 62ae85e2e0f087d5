// Exact overlap number κ = max_{x ∈ Ω} #{Q : x ∈ S(Q)} of the open supports
// (proofs/cutoff.md, Lemma A2 bounds it for the margin rule; here we count).
#include "mgdl/net/cutoff_correction.hpp"

#include "cutoff_index.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace mgdl::net {

using num::Rational;

// Reduction to open cells: each S(Q) ∩ Ω is relatively open in Ω, so if x lies
// in a set of supports, so does a neighbourhood of x in Ω, and that
// neighbourhood meets the interior of a cell of any finite grid. Hence the
// maximum over Ω equals the maximum over interior points of cells.
//
// d = 1: sweep the clipped intervals (a − ρ, b + ρ) ∩ [0, 1], closing before
// opening at equal coordinates (open intervals).
//
// d >= 2: let M be a maximal set of supports with a common point. Their
// intersection is an open box whose lower corner p has p_i = max_{P ∈ M} lo_P,i,
// attained on axis 0 by some Q ∈ M. Every P ∈ M meets S(Q) openly, so p_i is a
// lower end of a neighbour of Q and the point just above p (p_i plus half the
// gap to the next endpoint among the neighbours) lies in every P ∈ M. So it is
// enough to try, for each Q, the points with coordinate 0 just above lo_Q,0 and
// coordinates i >= 1 just above lower ends of Q's neighbours inside S(Q),
// counting the neighbours containing each point.
int overlap_number(int dimension, const std::vector<Cutoff>& cutoffs) {
  if (dimension < 1 || cutoffs.empty()) return 0;
  const auto du = static_cast<std::size_t>(dimension);
  const Rational zero(0), one(1);
  // Clipped open supports; empty ones (no point of Ω) are dropped.
  std::vector<Cutoff> boxes;
  boxes.reserve(cutoffs.size());
  for (const Cutoff& q : cutoffs) {
    if (q.a.size() != du || q.b.size() != du || q.rho.size() != du) continue;
    Cutoff c;
    c.a.resize(du);
    c.b.resize(du);
    c.rho.assign(du, Rational(0));
    bool empty = false;
    for (std::size_t i = 0; i < du; ++i) {
      Rational lo = q.a[i] - q.rho[i];
      Rational hi = q.b[i] + q.rho[i];
      if (lo < zero) lo = zero;
      if (hi > one) hi = one;
      if (!(lo < hi)) empty = true;
      c.a[i] = std::move(lo);
      c.b[i] = std::move(hi);
    }
    if (!empty) boxes.push_back(std::move(c));
  }
  if (boxes.empty()) return 0;

  if (dimension == 1) {
    std::vector<std::pair<Rational, int>> events;
    events.reserve(2 * boxes.size());
    for (const Cutoff& c : boxes) {
      events.emplace_back(c.a[0], +1);
      events.emplace_back(c.b[0], -1);
    }
    std::sort(events.begin(), events.end());  // at equal coordinates −1 sorts first
    int count = 0, best = 0;
    for (const auto& e : events) {
      count += e.second;
      best = std::max(best, count);
    }
    return best;
  }

  // The index over the clipped boxes (rho = 0, so supports = [lo, hi]).
  CutoffCorrection::Index index(dimension, boxes);
  int best = 1;
  std::vector<int> neighbours;
  std::vector<std::vector<Rational>> ends(du), starts(du), mids(du);
  std::vector<double> qlo(du), qhi(du);
  std::vector<std::size_t> pick(du);
  std::vector<Rational> point(du);
  for (std::size_t k = 0; k < boxes.size(); ++k) {
    const Cutoff& q = boxes[k];
    for (std::size_t i = 0; i < du; ++i) {
      qlo[i] = index.lo_d[k * du + i];
      qhi[i] = index.hi_d[k * du + i];
    }
    neighbours.clear();
    index.visit(qlo.data(), qhi.data(), [&](int j) {
      const Cutoff& p = boxes[static_cast<std::size_t>(j)];
      for (std::size_t i = 0; i < du; ++i)
        if (!(p.a[i] < q.b[i] && p.b[i] > q.a[i])) return;
      neighbours.push_back(j);
    });
    if (static_cast<int>(neighbours.size()) <= best) continue;
    for (std::size_t i = 0; i < du; ++i) {
      ends[i].clear();
      starts[i].clear();
      for (int j : neighbours) {
        const Cutoff& p = boxes[static_cast<std::size_t>(j)];
        ends[i].push_back(p.a[i]);
        ends[i].push_back(p.b[i]);
        if (p.a[i] >= q.a[i] && p.a[i] < q.b[i] && (i > 0 || p.a[i] == q.a[i])) starts[i].push_back(p.a[i]);
      }
      std::sort(ends[i].begin(), ends[i].end());
      ends[i].erase(std::unique(ends[i].begin(), ends[i].end()), ends[i].end());
      std::sort(starts[i].begin(), starts[i].end());
      starts[i].erase(std::unique(starts[i].begin(), starts[i].end()), starts[i].end());
      mids[i].clear();
      for (const Rational& s : starts[i]) {
        const auto next = std::upper_bound(ends[i].begin(), ends[i].end(), s);  // exists: q.b[i] > s
        mids[i].push_back((s + *next) / 2);
      }
    }
    // Enumerate the product of candidate coordinates.
    std::fill(pick.begin(), pick.end(), 0);
    while (true) {
      for (std::size_t i = 0; i < du; ++i) point[i] = mids[i][pick[i]];
      int count = 0;
      for (int j : neighbours) {
        const Cutoff& p = boxes[static_cast<std::size_t>(j)];
        bool inside = true;
        for (std::size_t i = 0; i < du && inside; ++i) inside = p.a[i] < point[i] && point[i] < p.b[i];
        if (inside) ++count;
      }
      best = std::max(best, count);
      std::size_t axis = 0;
      while (axis < du && ++pick[axis] == mids[axis].size()) pick[axis++] = 0;
      if (axis == du) break;
    }
  }
  return best;
}

}  // namespace mgdl::net
