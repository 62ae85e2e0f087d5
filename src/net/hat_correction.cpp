// h = Σ_z c_z φ_z on a Kuhn-subdivided tensor grid: exact evaluation, linear
// enclosures over boxes, kinks, and the dense fixed-width realisation
// (proofs/hat.md, Lemmas B0 and B0.1; proofs/certification.md, C2).
#include "mgdl/net/hat_correction.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace mgdl::net {

using num::Rational;

namespace {

struct Hull {
  bool any = false;
  Rational lo, hi;
  void add(const Rational& v) {
    if (!any) {
      lo = v;
      hi = v;
      any = true;
      return;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
};

// Sorted (row, col), duplicates summed, zeros dropped (the AffineLayer contract).
void normalise(AffineLayer& layer) {
  auto& w = layer.weights;
  std::sort(w.begin(), w.end(), [](const AffineLayer::Entry& a, const AffineLayer::Entry& b) {
    return a.row < b.row || (a.row == b.row && a.col < b.col);
  });
  std::vector<AffineLayer::Entry> out;
  out.reserve(w.size());
  for (auto& e : w) {
    if (!out.empty() && out.back().row == e.row && out.back().col == e.col) {
      out.back().value += e.value;
    } else {
      out.push_back(std::move(e));
    }
  }
  out.erase(std::remove_if(out.begin(), out.end(), [](const AffineLayer::Entry& e) { return e.value == 0; }),
            out.end());
  w = std::move(out);
}

AffineLayer make_layer(int inputs, int outputs) {
  AffineLayer layer;
  layer.inputs = inputs;
  layer.outputs = outputs;
  layer.activation = Activation::relu;
  layer.bias.assign(static_cast<std::size_t>(outputs), Rational(0));
  return layer;
}

void put(AffineLayer& layer, int row, int col, const Rational& value) {
  if (value != 0) layer.weights.push_back({row, col, value});
}

// Spacings h^+ and h^- next to breakpoint j; a missing side takes the other's.
void spacings(const std::vector<Rational>& axis, int j, Rational& plus, Rational& minus) {
  const int n = static_cast<int>(axis.size()) - 1;
  const auto uj = static_cast<std::size_t>(j);
  if (j < n) plus = axis[uj + 1] - axis[uj];
  if (j > 0) minus = axis[uj] - axis[uj - 1];
  if (j == n) plus = minus;
  if (j == 0) minus = plus;
}

}  // namespace

HatCorrection::HatCorrection(int dimension, std::vector<std::vector<Rational>> grid, std::vector<HatNode> nodes)
    : dimension_(dimension), grid_(std::move(grid)) {
  if (dimension < 1) throw std::invalid_argument("hat correction: dimension must be >= 1");
  const auto du = static_cast<std::size_t>(dimension);
  if (grid_.size() != du)
    throw std::invalid_argument("hat correction: grid has " + std::to_string(grid_.size()) + " axes, expected " +
                                std::to_string(dimension));
  stride_.assign(du, 1);
  long double total = 1;
  for (std::size_t i = du; i-- > 0;) {
    const auto& axis = grid_[i];
    const std::string where = "hat correction: grid axis " + std::to_string(i);
    if (axis.size() < 2) throw std::invalid_argument(where + ": needs at least the breakpoints 0 and 1");
    if (axis.front() != 0 || axis.back() != 1) throw std::invalid_argument(where + ": must start at 0 and end at 1");
    for (std::size_t j = 1; j < axis.size(); ++j)
      if (!(axis[j - 1] < axis[j])) throw std::invalid_argument(where + ": breakpoints must increase strictly");
    if (i + 1 < du) stride_[i] = stride_[i + 1] * static_cast<std::uint64_t>(grid_[i + 1].size());
    total *= static_cast<long double>(axis.size());
  }
  if (total > static_cast<long double>(std::numeric_limits<std::uint64_t>::max() / 4))
    throw std::invalid_argument("hat correction: too many grid nodes");
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    HatNode& z = nodes[k];
    const std::string where = "hat correction: node " + std::to_string(k);
    if (z.index.size() != du)
      throw std::invalid_argument(where + ": index must have " + std::to_string(dimension) + " entries");
    for (std::size_t i = 0; i < du; ++i)
      if (z.index[i] < 0 || z.index[i] >= static_cast<int>(grid_[i].size()))
        throw std::invalid_argument(where + ": index out of range on axis " + std::to_string(i));
    if (z.coefficient != 0) nodes_.push_back(std::move(z));
  }
  std::sort(nodes_.begin(), nodes_.end(), [](const HatNode& a, const HatNode& b) { return a.index < b.index; });
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    if (!slots_.emplace(linear(nodes_[k].index), static_cast<int>(k)).second)
      throw std::invalid_argument("hat correction: node index repeated");
  }
  grid_approx_.resize(du);
  for (std::size_t i = 0; i < du; ++i)
    for (const Rational& t : grid_[i]) grid_approx_[i].push_back(num::to_double_approx(t));
  if (dimension_ == 1) {
    const auto& axis = grid_[0];
    const std::size_t cells = axis.size() - 1;
    std::vector<Rational> c(axis.size(), Rational(0));
    for (const HatNode& z : nodes_) c[static_cast<std::size_t>(z.index[0])] = z.coefficient;
    cell_left_.resize(cells);
    cell_value_.resize(cells);
    cell_slope_.resize(cells);
    for (std::size_t j = 0; j < cells; ++j) {
      cell_left_[j] = num::Ball::from_rational(axis[j], kCachePrec);
      cell_value_[j] = num::Ball::from_rational(c[j], kCachePrec);
      cell_slope_[j] = num::Ball::from_rational((c[j + 1] - c[j]) / (axis[j + 1] - axis[j]), kCachePrec);
    }
    kink_line_.assign(axis.size(), 0);
    for (const HatNode& z : nodes_)
      for (int j = z.index[0] - 1; j <= z.index[0] + 1; ++j)
        if (j >= 0 && j < static_cast<int>(axis.size())) kink_line_[static_cast<std::size_t>(j)] = 1;
  }
}

int HatCorrection::count_below(std::size_t axis, const Rational& t, bool strict) const {
  const auto& g = grid_[axis];
  const auto& a = grid_approx_[axis];
  const double td = num::to_double_approx(t);
  // Guess from the doubles, then move to the exact boundary of the monotone
  // predicate "breakpoint i is counted".
  int k = static_cast<int>(std::upper_bound(a.begin(), a.end(), td) - a.begin());
  const int size = static_cast<int>(g.size());
  auto counted = [&](int i) {
    const Rational& b = g[static_cast<std::size_t>(i)];
    return strict ? b < t : b <= t;
  };
  while (k > 0 && !counted(k - 1)) --k;
  while (k < size && counted(k)) ++k;
  return k;
}

int HatCorrection::cell_of(std::size_t axis, const Rational& t) const {
  const int n = static_cast<int>(grid_[axis].size()) - 1;
  return std::clamp(count_below(axis, t, false) - 1, 0, n - 1);
}

HatCorrection::~HatCorrection() = default;

int HatCorrection::dimension() const { return dimension_; }
std::size_t HatCorrection::active_units() const { return nodes_.size(); }

std::uint64_t HatCorrection::linear(const std::vector<int>& index) const {
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < index.size(); ++i) key += stride_[i] * static_cast<std::uint64_t>(index[i]);
  return key;
}

int HatCorrection::slot(const std::vector<int>& index) const {
  auto it = slots_.find(linear(index));
  return it == slots_.end() ? -1 : it->second;
}

std::vector<Rational> HatCorrection::node_point(const std::vector<int>& index) const {
  std::vector<Rational> z(index.size());
  for (std::size_t i = 0; i < index.size(); ++i) z[i] = grid_[i][static_cast<std::size_t>(index[i])];
  return z;
}

Box HatCorrection::node_box(const std::vector<int>& index) const {
  Box b;
  for (std::size_t i = 0; i < index.size(); ++i) {
    const auto& axis = grid_[i];
    const auto j = static_cast<std::size_t>(index[i]);
    b.lo.push_back(axis[j > 0 ? j - 1 : 0]);
    b.hi.push_back(axis[j + 1 < axis.size() ? j + 1 : j]);
  }
  return b;
}

std::vector<Box> HatCorrection::support_boxes() const {
  std::vector<Box> out;
  out.reserve(nodes_.size());
  for (const HatNode& z : nodes_) out.push_back(node_box(z.index));
  return out;
}

// Lemma B0(a), (d): with t = χ(x), k the cell and u = t − k ∈ [0,1]^d sorted
// decreasingly by π, h(x) = (1 − u_π1) c(k) + Σ_j (u_πj − u_π(j+1)) c(v_j) with
// v_j = k + e_π1 + .. + e_πj and u_π(d+1) = 0.
Rational HatCorrection::evaluate(const std::vector<Rational>& x) const {
  Rational sum(0);
  const auto du = static_cast<std::size_t>(dimension_);
  if (x.size() != du || nodes_.empty()) return sum;
  std::vector<int> k(du);
  std::vector<Rational> u(du);
  for (std::size_t i = 0; i < du; ++i) {
    if (x[i] < 0 || x[i] > 1) return sum;
    const auto& axis = grid_[i];
    k[i] = cell_of(i, x[i]);
    const auto j = static_cast<std::size_t>(k[i]);
    u[i] = (x[i] - axis[j]) / (axis[j + 1] - axis[j]);
  }
  std::vector<std::size_t> order(du);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return u[a] > u[b]; });
  std::vector<int> v = k;
  auto coefficient = [&](const std::vector<int>& at) -> const Rational* {
    const int s = slot(at);
    return s < 0 ? nullptr : &nodes_[static_cast<std::size_t>(s)].coefficient;
  };
  if (const Rational* c = coefficient(v)) sum += (Rational(1) - u[order[0]]) * *c;
  for (std::size_t j = 0; j < du; ++j) {
    ++v[order[j]];
    if (const Rational* c = coefficient(v)) {
      Rational w = u[order[j]];
      if (j + 1 < du) w -= u[order[j + 1]];
      sum += w * *c;
    }
  }
  return sum;
}

void HatCorrection::cell_range(const Box& box, std::vector<int>& first, std::vector<int>& last) const {
  const auto du = static_cast<std::size_t>(dimension_);
  first.resize(du);
  last.resize(du);
  for (std::size_t i = 0; i < du; ++i) {
    const auto& axis = grid_[i];
    const int n = static_cast<int>(axis.size()) - 1;
    const Rational lo = std::clamp(box.lo[i], Rational(0), Rational(1));
    const Rational hi = std::clamp(box.hi[i], Rational(0), Rational(1));
    first[i] = cell_of(i, lo);
    if (lo >= hi) {
      last[i] = first[i];
      continue;
    }
    // Last cell whose open interior meets (lo, hi): the one ending at the
    // first breakpoint >= hi.
    const int m = count_below(i, hi, true);
    last[i] = std::clamp(m - 1, first[i], n - 1);
  }
}

namespace {

// Visits the region of node indices first_i .. last_i (inclusive) in
// lexicographic order while f returns true.
template <class F>
void for_each_index(const std::vector<int>& first, const std::vector<int>& last, F&& f) {
  std::vector<int> p = first;
  for (;;) {
    if (!f(p)) return;
    std::size_t i = p.size();
    while (i > 0) {
      --i;
      if (p[i] < last[i]) {
        ++p[i];
        break;
      }
      p[i] = first[i];
      if (i == 0) return;
    }
    if (p.empty()) return;
  }
}

}  // namespace

long double HatCorrection::node_region(const Box& box, std::vector<int>& first, std::vector<int>& last,
                                       std::vector<int>& nlast) const {
  cell_range(box, first, last);
  nlast = last;
  long double region = 1;
  for (std::size_t i = 0; i < nlast.size(); ++i) {
    nlast[i] = last[i] + 1;
    region *= static_cast<long double>(nlast[i] - first[i] + 1);
  }
  return region;
}

bool HatCorrection::small_region(long double region) const {
  return region <= static_cast<long double>(4 * nodes_.size() + 64);
}

void HatCorrection::for_each_active_node(const std::vector<int>& first, const std::vector<int>& nlast,
                                         long double region,
                                         const std::function<bool(const std::vector<int>&)>& f) const {
  if (small_region(region)) {
    for_each_index(first, nlast, [&](const std::vector<int>& p) { return slot(p) < 0 || f(p); });
    return;
  }
  for (const HatNode& z : nodes_) {
    bool inside = true;
    for (std::size_t i = 0; i < z.index.size() && inside; ++i)
      inside = z.index[i] >= first[i] && z.index[i] <= nlast[i];
    if (inside && !f(z.index)) return;
  }
}

LinearEnclosure HatCorrection::enclose(const Box& box) const {
  const auto du = static_cast<std::size_t>(dimension_);
  LinearEnclosure out;
  out.value_at_center = 0;
  out.gradient_lo.assign(du, Rational(0));
  out.gradient_hi.assign(du, Rational(0));
  out.affine = true;
  out.range_lo = 0;
  out.range_hi = 0;
  if (box.lo.size() != du || box.hi.size() != du || nodes_.empty()) return out;

  // Node region of the cells met: h on the box depends only on these nodes.
  std::vector<int> first, last, nlast;
  const long double region = node_region(box, first, last, nlast);
  const std::vector<int>& nfirst = first;
  auto in_region = [&](const std::vector<int>& p) {
    for (std::size_t i = 0; i < du; ++i)
      if (p[i] < nfirst[i] || p[i] > nlast[i]) return false;
    return true;
  };
  auto coefficient = [&](const std::vector<int>& p) {
    const int s = slot(p);
    return s < 0 ? Rational(0) : nodes_[static_cast<std::size_t>(s)].coefficient;
  };
  std::vector<Hull> grad(du);
  Hull values;
  const bool single = first == last;
  if (single) {
    // One cell: the Kuhn simplices met are those whose order π of the cell
    // coordinates u admits a point of the box (greedy feasibility from the
    // smallest coordinate up; a closed-box superset is enough).
    std::vector<Rational> w(du), ulo(du), uhi(du);
    for (std::size_t i = 0; i < du; ++i) {
      const auto& axis = grid_[i];
      const auto j = static_cast<std::size_t>(first[i]);
      w[i] = axis[j + 1] - axis[j];
      ulo[i] = std::clamp(Rational((box.lo[i] - axis[j]) / w[i]), Rational(0), Rational(1));
      uhi[i] = std::clamp(Rational((box.hi[i] - axis[j]) / w[i]), Rational(0), Rational(1));
    }
    std::vector<std::size_t> perm(du);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::vector<int> v(du);
    do {
      bool feasible = true;
      Rational current = ulo[perm[du - 1]];
      for (std::size_t j = du; j-- > 0 && feasible;) {
        if (ulo[perm[j]] > current) current = ulo[perm[j]];
        if (current > uhi[perm[j]]) feasible = false;
      }
      if (!feasible) continue;
      v = first;
      Rational previous = coefficient(v);
      for (std::size_t j = 0; j < du; ++j) {
        ++v[perm[j]];
        Rational next = coefficient(v);
        grad[perm[j]].add((next - previous) / w[perm[j]]);
        previous = std::move(next);
      }
    } while (std::next_permutation(perm.begin(), perm.end()));
    for_each_index(nfirst, nlast, [&](const std::vector<int>& p) {
      values.add(coefficient(p));
      return true;
    });
  } else if (small_region(region)) {
    // Every edge of the cells met: each simplex gradient component is one of
    // these difference quotients (Lemma B0(a)).
    for_each_index(nfirst, nlast, [&](const std::vector<int>& p) {
      const Rational cp = coefficient(p);
      values.add(cp);
      std::vector<int> q = p;
      for (std::size_t i = 0; i < du; ++i) {
        if (p[i] >= nlast[i]) continue;
        ++q[i];
        const auto j = static_cast<std::size_t>(p[i]);
        grad[i].add((coefficient(q) - cp) / (grid_[i][j + 1] - grid_[i][j]));
        --q[i];
      }
      return true;
    });
  } else {
    // A large region: only edges touching an active node can be nonzero; the
    // region holds inactive nodes, so 0 is a value and a difference quotient.
    values.add(Rational(0));
    for (std::size_t i = 0; i < du; ++i) grad[i].add(Rational(0));
    std::vector<int> q;
    for (const HatNode& z : nodes_) {
      if (!in_region(z.index)) continue;
      values.add(z.coefficient);
      q = z.index;
      for (std::size_t i = 0; i < du; ++i) {
        const auto j = static_cast<std::size_t>(z.index[i]);
        if (z.index[i] > nfirst[i]) {
          --q[i];
          grad[i].add((z.coefficient - coefficient(q)) / (grid_[i][j] - grid_[i][j - 1]));
          ++q[i];
        }
        if (z.index[i] < nlast[i]) {
          ++q[i];
          grad[i].add((coefficient(q) - z.coefficient) / (grid_[i][j + 1] - grid_[i][j]));
          --q[i];
        }
      }
    }
  }
  const std::vector<Rational> center = box.center();
  out.value_at_center = evaluate(center);
  Rational radius(0);
  for (std::size_t i = 0; i < du; ++i) {
    out.gradient_lo[i] = grad[i].any ? grad[i].lo : Rational(0);
    out.gradient_hi[i] = grad[i].any ? grad[i].hi : Rational(0);
    if (out.gradient_lo[i] != out.gradient_hi[i]) out.affine = false;
    const Rational glo = abs(out.gradient_lo[i]);
    const Rational ghi = abs(out.gradient_hi[i]);
    radius += (glo > ghi ? glo : ghi) * (box.hi[i] - box.lo[i]);
  }
  radius /= 2;
  // Affine: the range is exactly value ± Σ|g_i| w_i / 2. Otherwise the values
  // are convex combinations of the node values (B0(a)), and the mean-value bound.
  out.range_lo = out.value_at_center - radius;
  out.range_hi = out.value_at_center + radius;
  if (!out.affine && values.any) {
    if (values.lo > out.range_lo) out.range_lo = values.lo;
    if (values.hi < out.range_hi) out.range_hi = values.hi;
  }
  return out;
}

num::Ball HatCorrection::evaluate_ball(const std::vector<Rational>& x, slong prec) const {
  if (dimension_ != 1 || prec > kCachePrec || x.size() != 1) return Correction::evaluate_ball(x, prec);
  num::Ball out;
  if (nodes_.empty() || x[0] < 0 || x[0] > 1) return out;  // 0
  const auto j = static_cast<std::size_t>(cell_of(0, x[0]));
  // Lemma B0(a) in 1D: h = c_j + s_j (x − ξ_j) on cell j.
  num::Ball t = num::Ball::from_rational(x[0], prec);
  arb_sub(t.arb(), t.arb(), cell_left_[j].arb(), prec);
  arb_mul(t.arb(), t.arb(), cell_slope_[j].arb(), prec);
  arb_add(out.arb(), t.arb(), cell_value_[j].arb(), prec);
  return out;
}

void HatCorrection::enclose_balls(const Box& box, slong prec, BallEnclosure& out) const {
  const bool one_axis = dimension_ == 1 && box.lo.size() == 1 && box.hi.size() == 1;
  if (!one_axis || prec > kCachePrec || nodes_.empty() || box.lo[0] < 0 || box.hi[0] > 1) {
    Correction::enclose_balls(box, prec, out);
    return;
  }
  const auto j = static_cast<std::size_t>(cell_of(0, box.lo[0]));
  if (box.hi[0] > grid_[0][j + 1]) {  // several cells
    Correction::enclose_balls(box, prec, out);
    return;
  }
  // One cell: h is affine there (Lemma B0(a)), value c_j + s_j (m − ξ_j) at
  // the center m, gradient s_j, range value ± |s_j| r (r the half-width).
  num::Ball lo = num::Ball::from_rational(box.lo[0], prec);
  num::Ball hi = num::Ball::from_rational(box.hi[0], prec);
  num::Ball mid, rad;
  arb_add(mid.arb(), lo.arb(), hi.arb(), prec);
  arb_mul_2exp_si(mid.arb(), mid.arb(), -1);
  arb_sub(rad.arb(), hi.arb(), lo.arb(), prec);
  arb_mul_2exp_si(rad.arb(), rad.arb(), -1);
  arb_sub(mid.arb(), mid.arb(), cell_left_[j].arb(), prec);
  arb_mul(mid.arb(), mid.arb(), cell_slope_[j].arb(), prec);
  arb_add(out.value_at_center.arb(), mid.arb(), cell_value_[j].arb(), prec);
  out.gradient.resize(1);
  arb_set(out.gradient[0].arb(), cell_slope_[j].arb());
  out.affine = true;
  arb_mul(rad.arb(), rad.arb(), cell_slope_[j].arb(), prec);
  arb_set(out.range.arb(), out.value_at_center.arb());
  arb_add_error(out.range.arb(), rad.arb());
}

std::vector<Rational> HatCorrection::first_axis_breakpoints(const Box& box, int axis, std::size_t limit) const {
  const bool inside = dimension_ == 1 && axis == 0 && box.lo.size() == 1 && box.hi.size() == 1 && box.lo[0] >= 0 &&
                      box.hi[0] <= 1 && box.lo[0] < box.hi[0];
  if (!inside || nodes_.empty()) return Correction::first_axis_breakpoints(box, axis, limit);
  std::vector<Rational> out;
  // The lines strictly inside are those after the cell holding lo and below
  // hi; a line is a kink candidate when a node within one index of it is
  // active (the rule of axis_breakpoints). The first few lines are compared
  // with hi one by one (a box inside one cell costs one comparison); past
  // them the last line below hi is found by search.
  const int n = static_cast<int>(grid_[0].size()) - 1;
  int j = cell_of(0, box.lo[0]) + 1;
  for (int steps = 0; j < n && out.size() < limit; ++j, ++steps) {
    if (steps == 4) {
      const int last = count_below(0, box.hi[0], true) - 1;  // ξ_last < hi <= ξ_{last+1}
      for (; j <= last && out.size() < limit; ++j)
        if (kink_line_[static_cast<std::size_t>(j)]) out.push_back(grid_[0][static_cast<std::size_t>(j)]);
      break;
    }
    const Rational& t = grid_[0][static_cast<std::size_t>(j)];
    if (!(t < box.hi[0])) break;
    if (kink_line_[static_cast<std::size_t>(j)]) out.push_back(t);
  }
  return out;
}

bool HatCorrection::has_axis_breakpoints(const Box& box, int axis) const {
  const auto du = static_cast<std::size_t>(dimension_);
  if (axis < 0 || axis >= dimension_ || box.lo.size() != du || box.hi.size() != du || nodes_.empty()) return false;
  if (dimension_ == 1) return !first_axis_breakpoints(box, axis, 1).empty();
  const auto ax = static_cast<std::size_t>(axis);
  std::vector<int> first, last, nlast;
  const long double region = node_region(box, first, last, nlast);
  const auto& line = grid_[ax];
  const int n = static_cast<int>(line.size()) - 1;
  // The rule of axis_breakpoints: lines p_ax − 1 .. p_ax + 1 of an active
  // node p of the region, strictly inside the box; stop at the first.
  bool found = false;
  for_each_active_node(first, nlast, region, [&](const std::vector<int>& p) {
    for (int j = std::max(0, p[ax] - 1); j <= std::min(n, p[ax] + 1) && !found; ++j) {
      const Rational& t = line[static_cast<std::size_t>(j)];
      found = box.lo[ax] < t && t < box.hi[ax];
    }
    return !found;
  });
  return found;
}

AffineForm HatCorrection::simplex_form(const std::vector<int>& k,
                                       const std::vector<std::size_t>& order) const {
  // h = (1 − u_π1) c(v_0) + Σ_j (u_πj − u_π(j+1)) c(v_j) = c(v_0) + Σ_j u_πj (c(v_j) − c(v_{j−1})),
  // with u_i = (x_i − ξ_{i,k_i}) / (ξ_{i,k_i+1} − ξ_{i,k_i}).
  const auto du = static_cast<std::size_t>(dimension_);
  auto coefficient = [&](const std::vector<int>& at) {
    const int s = slot(at);
    return s < 0 ? Rational(0) : nodes_[static_cast<std::size_t>(s)].coefficient;
  };
  AffineForm out;
  out.gradient.assign(du, Rational(0));
  std::vector<int> v = k;
  Rational previous = coefficient(v);
  out.constant = previous;
  for (std::size_t j = 0; j < du; ++j) {
    const std::size_t i = order[j];
    ++v[i];
    const Rational next = coefficient(v);
    const auto& axis = grid_[i];
    const auto ki = static_cast<std::size_t>(k[i]);
    const Rational slope = (next - previous) / (axis[ki + 1] - axis[ki]);
    out.gradient[i] = slope;
    out.constant -= slope * axis[ki];
    previous = next;
  }
  return out;
}

namespace {

// u_i − u_j on grid cell k as an exact form in x.
AffineForm coordinate_difference(const std::vector<std::vector<Rational>>& grid, const std::vector<int>& k,
                                 std::size_t i, std::size_t j) {
  AffineForm f;
  f.gradient.assign(grid.size(), Rational(0));
  const auto ki = static_cast<std::size_t>(k[i]), kj = static_cast<std::size_t>(k[j]);
  const Rational wi = grid[i][ki + 1] - grid[i][ki], wj = grid[j][kj + 1] - grid[j][kj];
  f.gradient[i] = 1 / wi;
  f.gradient[j] = -1 / wj;
  f.constant = grid[j][kj] / wj - grid[i][ki] / wi;
  return f;
}

}  // namespace

bool HatCorrection::oblique_kinks(const Box& cell, std::vector<AffineForm>& out) const {
  const auto du = static_cast<std::size_t>(dimension_);
  if (cell.lo.size() != du || cell.hi.size() != du) return false;
  if (nodes_.empty() || du < 2) return true;
  std::vector<int> first, last;
  cell_range(cell, first, last);
  if (first != last) return true;  // see add_affine_on: h ≡ 0 or the pieces fail their affinity test
  for (std::size_t i = 0; i < du; ++i)
    for (std::size_t j = i + 1; j < du; ++j) {
      const AffineForm f = coordinate_difference(grid_, first, i, j);
      if (!changes_sign_on(f, cell)) continue;
      // In 2D the diagonal separates the simplices of orders (0, 1) and (1, 0);
      // it is a kink unless their gradients agree. In d >= 3 it is kept.
      if (du > 2 || simplex_form(first, {0, 1}).gradient != simplex_form(first, {1, 0}).gradient)
        out.push_back(f);
    }
  return true;
}

bool HatCorrection::add_affine_on(const Box& cell, const std::vector<std::vector<Rational>>& vertices,
                                  AffineForm& out) const {
  const auto du = static_cast<std::size_t>(dimension_);
  if (!polygon_in_cell(cell, vertices, du) || !polygon_in_cell(Box::unit(dimension_), vertices, du)) return false;
  if (out.gradient.size() != du) out.gradient.resize(du, Rational(0));
  if (nodes_.empty()) return true;
  std::vector<int> first, last, nlast;
  const long double region = node_region(cell, first, last, nlast);
  if (first != last) {
    // Several grid cells: h depends only on the nodes of their region (Lemma B0(a)).
    bool active = false;
    for_each_active_node(first, nlast, region, [&](const std::vector<int>&) {
      active = true;
      return false;
    });
    return !active;
  }
  // One grid cell: the simplex of the vertices' centroid; every vertex must
  // obey its order, so the convex hull lies in that closed simplex.
  std::vector<Rational> centroid(du, Rational(0));
  for (const auto& v : vertices)
    for (std::size_t i = 0; i < du; ++i) centroid[i] += v[i];
  std::vector<Rational> u(du);
  for (std::size_t i = 0; i < du; ++i) {
    const auto ki = static_cast<std::size_t>(first[i]);
    u[i] = (centroid[i] / Rational(static_cast<long>(vertices.size())) - grid_[i][ki]) /
           (grid_[i][ki + 1] - grid_[i][ki]);
  }
  std::vector<std::size_t> order(du);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return u[a] > u[b]; });
  bool one_simplex = true;
  for (std::size_t j = 0; j + 1 < du && one_simplex; ++j) {
    const AffineForm f = coordinate_difference(grid_, first, order[j], order[j + 1]);
    for (const auto& v : vertices) one_simplex = one_simplex && value_at(f, v) >= 0;
  }
  AffineForm h = simplex_form(first, order);
  if (!one_simplex) {
    // In 2D both triangles with one gradient (no kink, oblique_kinks omits
    // the diagonal): one affine function on the whole cell.
    if (du != 2) return false;
    const AffineForm other = simplex_form(first, {order[1], order[0]});
    if (other.gradient != h.gradient || other.constant != h.constant) return false;
  }
  out.constant += h.constant;
  for (std::size_t i = 0; i < du; ++i) out.gradient[i] += h.gradient[i];
  return true;
}

std::vector<Rational> HatCorrection::axis_breakpoints(const Box& box, int axis) const {
  std::vector<Rational> out;
  const auto du = static_cast<std::size_t>(dimension_);
  if (axis < 0 || axis >= dimension_ || box.lo.size() != du || box.hi.size() != du || nodes_.empty()) return out;
  const auto ax = static_cast<std::size_t>(axis);
  std::vector<int> first, last, nlast;
  const long double region = node_region(box, first, last, nlast);
  const auto& line = grid_[ax];
  const int n = static_cast<int>(line.size()) - 1;
  // Only lines j in [first - 1, nlast + 1] can be marked: keep the flags for
  // that window (offset j0), not for the whole axis.
  const int j0 = std::max(0, first[ax] - 1);
  const int j1 = std::min(n, nlast[ax] + 1);
  std::vector<char> kink(static_cast<std::size_t>(j1 - j0 + 1), 0);
  // φ_z has axis-aligned kinks at ξ_{j−1}, ξ_j, ξ_{j+1} (j = z's index on the axis).
  auto mark = [&](const std::vector<int>& p) {
    for (int j = p[ax] - 1; j <= p[ax] + 1; ++j)
      if (j >= j0 && j <= j1) kink[static_cast<std::size_t>(j - j0)] = 1;
  };
  for_each_active_node(first, nlast, region, [&](const std::vector<int>& p) {
    mark(p);
    return true;
  });
  for (int j = j0; j <= j1; ++j) {
    const Rational& t = line[static_cast<std::size_t>(j)];
    if (kink[static_cast<std::size_t>(j - j0)] && box.lo[ax] < t && t < box.hi[ax]) out.push_back(t);
  }
  return out;
}

GradeBlock HatCorrection::realise() const {
  const int d = dimension_;
  const auto du = static_cast<std::size_t>(d);
  GradeBlock block;
  auto carry_x = [d](AffineLayer& layer) {
    for (int i = 0; i < d; ++i) layer.weights.push_back({i, i, Rational(1)});
  };
  const HatNode* previous = nullptr;
  std::vector<Rational> plus(du), minus(du);
  for (const HatNode& z : nodes_) {
    const std::vector<Rational> point = node_point(z.index);
    for (std::size_t i = 0; i < du; ++i) spacings(grid_[i], z.index[i], plus[i], minus[i]);
    // Layer 1: [x, M1+, M1-, (d >= 2) e2+, e2-, A+, A-].
    {
      const int outputs = d + 2 + (d >= 2 ? 2 : 0) + 2;
      AffineLayer layer = make_layer(previous ? d + 3 : d, outputs);
      carry_x(layer);
      put(layer, d, 0, Rational(1) / plus[0]);
      layer.bias[du] = -point[0] / plus[0];
      put(layer, d + 1, 0, Rational(-1) / minus[0]);
      layer.bias[du + 1] = point[0] / minus[0];
      if (d >= 2) {
        put(layer, d + 2, 1, Rational(1));
        layer.bias[du + 2] = -point[1];
        put(layer, d + 3, 1, Rational(-1));
        layer.bias[du + 3] = point[1];
      }
      if (previous) {
        const Rational& c = previous->coefficient;
        put(layer, outputs - 2, d, c > 0 ? c : Rational(0));
        put(layer, outputs - 2, d + 1, Rational(1));
        put(layer, outputs - 1, d, c < 0 ? Rational(-c) : Rational(0));
        put(layer, outputs - 1, d + 2, Rational(1));
      }
      normalise(layer);
      block.layers.push_back(std::move(layer));
    }
    // Layers l = 2..d: [x, M+_{l-1}, M-_{l-1}, p_l, q_l, (l < d) e_{l+1}^±, A+, A-].
    for (int l = 2; l <= d; ++l) {
      const int prev_outputs = block.layers.back().outputs;
      const int e_col = l - 1 == 1 ? d + 2 : d + 4;  // e_l^+ in layer l-1 (e_l^- next)
      const int outputs = d + 4 + (l < d ? 2 : 0) + 2;
      const auto axis = static_cast<std::size_t>(l - 1);
      AffineLayer layer = make_layer(prev_outputs, outputs);
      carry_x(layer);
      put(layer, d, d, Rational(1));
      put(layer, d + 1, d + 1, Rational(1));
      if (l >= 3) {
        put(layer, d, d + 2, Rational(1));
        put(layer, d + 1, d + 3, Rational(1));
      }
      const Rational ip = Rational(1) / plus[axis];
      const Rational im = Rational(1) / minus[axis];
      put(layer, d + 2, e_col, ip);
      put(layer, d + 2, e_col + 1, Rational(-im));
      put(layer, d + 2, d, Rational(-1));
      put(layer, d + 3, e_col, Rational(-ip));
      put(layer, d + 3, e_col + 1, im);
      put(layer, d + 3, d + 1, Rational(-1));
      if (l >= 3) {
        put(layer, d + 2, d + 2, Rational(-1));
        put(layer, d + 3, d + 3, Rational(-1));
      }
      if (l < d) {
        put(layer, d + 4, l, Rational(1));
        layer.bias[du + 4] = -point[static_cast<std::size_t>(l)];
        put(layer, d + 5, l, Rational(-1));
        layer.bias[du + 5] = point[static_cast<std::size_t>(l)];
      }
      put(layer, outputs - 2, prev_outputs - 2, Rational(1));
      put(layer, outputs - 1, prev_outputs - 1, Rational(1));
      normalise(layer);
      block.layers.push_back(std::move(layer));
    }
    // Layer d+1: [x, φ = σ(1 − M_d^+ − M_d^-), A+, A-].
    {
      const int prev_outputs = block.layers.back().outputs;
      AffineLayer layer = make_layer(prev_outputs, d + 3);
      carry_x(layer);
      layer.bias[du] = 1;
      put(layer, d, d, Rational(-1));
      put(layer, d, d + 1, Rational(-1));
      if (d >= 2) {
        put(layer, d, d + 2, Rational(-1));
        put(layer, d, d + 3, Rational(-1));
      }
      put(layer, d + 1, prev_outputs - 2, Rational(1));
      put(layer, d + 2, prev_outputs - 1, Rational(1));
      normalise(layer);
      block.layers.push_back(std::move(layer));
    }
    previous = &z;
  }
  // Closing layer [x, A+ + c_n^+ φ_n, A- + c_n^- φ_n].
  AffineLayer last = make_layer(previous ? d + 3 : d, d + 2);
  carry_x(last);
  if (previous) {
    const Rational& c = previous->coefficient;
    put(last, d, d, c > 0 ? c : Rational(0));
    put(last, d, d + 1, Rational(1));
    put(last, d + 1, d, c < 0 ? Rational(-c) : Rational(0));
    put(last, d + 1, d + 2, Rational(1));
  }
  normalise(last);
  block.layers.push_back(std::move(last));
  block.readout = make_layer(d + 2, 1);
  block.readout.activation = Activation::identity;
  block.readout.weights.push_back({0, d, Rational(1)});
  block.readout.weights.push_back({0, d + 1, Rational(-1)});
  return block;
}

Rational hat_function(const std::vector<std::vector<Rational>>& grid, const std::vector<int>& index,
                      const std::vector<Rational>& x) {
  Rational max_y(0), min_y(0), plus, minus;
  for (std::size_t i = 0; i < index.size() && i < x.size() && i < grid.size(); ++i) {
    const auto& axis = grid[i];
    spacings(axis, index[i], plus, minus);
    const Rational& z = axis[static_cast<std::size_t>(index[i])];
    const Rational y = x[i] >= z ? Rational((x[i] - z) / plus) : Rational((x[i] - z) / minus);
    if (y > max_y) max_y = y;
    if (y < min_y) min_y = y;
  }
  Rational v = Rational(1) - max_y + min_y;
  return v > 0 ? v : Rational(0);
}

}  // namespace mgdl::net
