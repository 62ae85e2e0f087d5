// Internal: the spatial index over cutoff supports shared by
// CutoffCorrection and overlap_number. Not a public header.
#pragma once

#include "mgdl/net/cutoff_correction.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <vector>

namespace mgdl::net {

using num::Rational;

namespace detail {

// Doubles that bracket a rational: they only prune the index search (a
// candidate rejected by the doubles is certainly disjoint, because the double
// boxes contain the rational ones); every accepted candidate is re-checked exactly.
// mpq_get_d truncates towards zero, so r lies within one ulp of the result
// on the side away from zero; one step outward in both directions brackets it.
inline double lower_double(const Rational& r) {
  const double v = mpq_get_d(r.backend().data());
  if (!std::isfinite(v)) return -std::numeric_limits<double>::infinity();
  return std::nextafter(v, -std::numeric_limits<double>::infinity());
}

inline double upper_double(const Rational& r) {
  const double v = mpq_get_d(r.backend().data());
  if (!std::isfinite(v)) return std::numeric_limits<double>::infinity();
  return std::nextafter(v, std::numeric_limits<double>::infinity());
}

}  // namespace detail

// Spatial index over the closed supports. In 1D: supports sorted by their lower
// end with a running maximum of upper ends (a query walks back from the last
// support starting at or before the box's upper end and stops once no earlier
// support can reach the box). In d >= 2: a bounding-volume hierarchy over the
// support boxes (median splits), robust to the very different cell sizes of an
// adaptive partition. Both prune with outward-rounded doubles only.
struct CutoffCorrection::Index {
  int d = 0;
  std::size_t n = 0;
  std::vector<Rational> support_lo, support_hi;  // n*d, closed support
  std::vector<Rational> inv_rho;                 // n*d, 1/ρ_i
  std::vector<Rational> coef_inv_rho;            // n*d, c_Q/ρ_i (gradient of c_Q·ramp)
  std::vector<double> lo_d, hi_d;                // n*d, outward

  // 1D
  std::vector<int> order;
  std::vector<double> order_lo_d, prefix_hi_d;

  // d >= 2
  struct Node {
    int begin = 0, end = 0, left = -1, right = -1;
  };
  std::vector<Node> nodes;
  std::vector<double> node_lo, node_hi;  // nodes*d
  std::vector<int> items;

  static constexpr int kLeafSize = 4;

  int build(int begin, int end) {
    const int id = static_cast<int>(nodes.size());
    nodes.push_back(Node{begin, end, -1, -1});
    const auto du = static_cast<std::size_t>(d);
    std::vector<double> blo(du, std::numeric_limits<double>::infinity());
    std::vector<double> bhi(du, -std::numeric_limits<double>::infinity());
    for (int k = begin; k < end; ++k) {
      const std::size_t base = static_cast<std::size_t>(items[static_cast<std::size_t>(k)]) * du;
      for (std::size_t i = 0; i < du; ++i) {
        blo[i] = std::min(blo[i], lo_d[base + i]);
        bhi[i] = std::max(bhi[i], hi_d[base + i]);
      }
    }
    node_lo.insert(node_lo.end(), blo.begin(), blo.end());
    node_hi.insert(node_hi.end(), bhi.begin(), bhi.end());
    if (end - begin <= kLeafSize) return id;
    std::size_t axis = 0;
    double best = -1;
    for (std::size_t i = 0; i < du; ++i)
      if (bhi[i] - blo[i] > best) {
        best = bhi[i] - blo[i];
        axis = i;
      }
    const int mid = begin + (end - begin) / 2;
    auto center = [&](int item) {
      const std::size_t j = static_cast<std::size_t>(item) * du + axis;
      return lo_d[j] + hi_d[j];
    };
    std::nth_element(items.begin() + begin, items.begin() + mid, items.begin() + end,
                     [&](int x, int y) { return center(x) < center(y) || (center(x) == center(y) && x < y); });
    const int left = build(begin, mid);
    const int right = build(mid, end);
    nodes[static_cast<std::size_t>(id)].left = left;
    nodes[static_cast<std::size_t>(id)].right = right;
    return id;
  }

  Index(int dimension, const std::vector<Cutoff>& cutoffs) : d(dimension), n(cutoffs.size()) {
    const auto du = static_cast<std::size_t>(d);
    support_lo.resize(n * du);
    support_hi.resize(n * du);
    inv_rho.resize(n * du);
    coef_inv_rho.resize(n * du);
    lo_d.resize(n * du);
    hi_d.resize(n * du);
    for (std::size_t k = 0; k < n; ++k) {
      const Cutoff& q = cutoffs[k];
      for (std::size_t i = 0; i < du; ++i) {
        const std::size_t j = k * du + i;
        support_lo[j] = q.a[i] - q.rho[i];
        support_hi[j] = q.b[i] + q.rho[i];
        // rho = 0 only for overlap_number's clipped boxes, which never use 1/ρ.
        inv_rho[j] = q.rho[i] != 0 ? Rational(Rational(1) / q.rho[i]) : Rational(0);
        coef_inv_rho[j] = q.coefficient * inv_rho[j];
        lo_d[j] = detail::lower_double(support_lo[j]);
        hi_d[j] = detail::upper_double(support_hi[j]);
      }
    }
    if (n == 0) return;
    if (d == 1) {
      order.resize(n);
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int x, int y) {
        const auto ux = static_cast<std::size_t>(x), uy = static_cast<std::size_t>(y);
        return lo_d[ux] < lo_d[uy] || (lo_d[ux] == lo_d[uy] && x < y);
      });
      order_lo_d.resize(n);
      prefix_hi_d.resize(n);
      double running = -std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < n; ++k) {
        const auto idx = static_cast<std::size_t>(order[k]);
        order_lo_d[k] = lo_d[idx];
        running = std::max(running, hi_d[idx]);
        prefix_hi_d[k] = running;
      }
    } else {
      items.resize(n);
      std::iota(items.begin(), items.end(), 0);
      build(0, static_cast<int>(n));
    }
  }

  // Calls f(k) for every cutoff k whose outward double support box meets the
  // double query box [qlo, qhi] (a superset of those whose support meets the box).
  template <class F>
  void visit(const double* qlo, const double* qhi, F&& f) const {
    if (n == 0) return;
    if (d == 1) {
      auto it = std::upper_bound(order_lo_d.begin(), order_lo_d.end(), qhi[0]);
      for (auto k = static_cast<std::ptrdiff_t>(it - order_lo_d.begin()) - 1; k >= 0; --k) {
        const auto uk = static_cast<std::size_t>(k);
        if (prefix_hi_d[uk] < qlo[0]) break;
        const int idx = order[uk];
        if (hi_d[static_cast<std::size_t>(idx)] >= qlo[0]) f(idx);
      }
      return;
    }
    const auto du = static_cast<std::size_t>(d);
    std::array<int, 256> stack{};
    std::size_t top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const Node& node = nodes[static_cast<std::size_t>(stack[--top])];
      const std::size_t base = static_cast<std::size_t>(&node - nodes.data()) * du;
      bool meets = true;
      for (std::size_t i = 0; i < du && meets; ++i)
        meets = node_lo[base + i] <= qhi[i] && node_hi[base + i] >= qlo[i];
      if (!meets) continue;
      if (node.left < 0) {
        for (int k = node.begin; k < node.end; ++k) {
          const int idx = items[static_cast<std::size_t>(k)];
          const std::size_t ib = static_cast<std::size_t>(idx) * du;
          bool hit = true;
          for (std::size_t i = 0; i < du && hit; ++i) hit = lo_d[ib + i] <= qhi[i] && hi_d[ib + i] >= qlo[i];
          if (hit) f(idx);
        }
      } else {
        stack[top++] = node.right;
        stack[top++] = node.left;
      }
    }
  }

  // Exact: the closed support of cutoff k meets the closed box [lo, hi].
  bool meets(int k, const std::vector<Rational>& lo, const std::vector<Rational>& hi) const {
    const std::size_t base = static_cast<std::size_t>(k) * static_cast<std::size_t>(d);
    for (std::size_t i = 0; i < static_cast<std::size_t>(d); ++i)
      if (support_lo[base + i] > hi[i] || support_hi[base + i] < lo[i]) return false;
    return true;
  }
};

}  // namespace mgdl::net
