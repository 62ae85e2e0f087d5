#include "hats.hpp"

#include <algorithm>
#include <numeric>

namespace mgdl::check {
namespace {

[[noreturn]] void bad(const std::string& where, const std::string& what) { throw MalformedError(where + ": " + what); }

const nlohmann::json& member(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) bad(where, std::string("missing \"") + key + "\"");
  return j.at(key);
}

Q exact_string(const nlohmann::json& v, const std::string& where) {
  if (!v.is_string()) bad(where, "expected an exact rational string");
  return parse_exact(v.get<std::string>());
}

// Cell j with ξ_j <= t <= ξ_{j+1} (the right one on an inner grid line).
long cell_of(const std::vector<Q>& axis, const Q& t) {
  const long n = static_cast<long>(axis.size()) - 1;
  long lo = 0, hi = n;  // find the largest j in [0, n-1] with ξ_j <= t
  while (hi - lo > 1) {
    long mid = (lo + hi) / 2;
    if (axis[static_cast<std::size_t>(mid)] <= t) lo = mid; else hi = mid;
  }
  return lo;
}

const Q* coefficient(const HatGrid& h, const std::vector<long>& p) {
  auto it = h.slot.find(p);
  return it == h.slot.end() ? nullptr : &h.c[it->second];
}

Q coef_or_zero(const HatGrid& h, const std::vector<long>& p) {
  const Q* c = coefficient(h, p);
  return c ? *c : Q();
}

void spacings(const std::vector<Q>& axis, long j, Q& plus, Q& minus) {
  const long n = static_cast<long>(axis.size()) - 1;
  const auto u = static_cast<std::size_t>(j);
  if (j < n) plus = axis[u + 1] - axis[u];
  if (j > 0) minus = axis[u] - axis[u - 1];
  if (j == n) plus = minus;
  if (j == 0) minus = plus;
}

}  // namespace

HatGrid read_hat_correction(const nlohmann::json& j, int d, const std::string& where) {
  HatGrid h;
  h.d = d;
  if (const auto* dim = j.contains("dimension") ? &j.at("dimension") : nullptr)
    if (!dim->is_number_integer() || dim->get<long>() != d) bad(where + ".dimension", "differs from the target's dimension");
  const auto& grid = member(j, "grid", where);
  if (!grid.is_array() || grid.size() != static_cast<std::size_t>(d)) bad(where + ".grid", "expected d breakpoint arrays");
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const auto& axis = grid[i];
    const std::string w = where + ".grid[" + std::to_string(i) + "]";
    if (!axis.is_array() || axis.size() < 2) bad(w, "expected at least the breakpoints 0 and 1");
    std::vector<Q> line;
    for (const auto& t : axis) line.push_back(exact_string(t, w));
    if (line.front() != Q() || line.back() != Q(1)) bad(w, "must start at 0 and end at 1");
    for (std::size_t k = 1; k < line.size(); ++k)
      if (!(line[k - 1] < line[k])) bad(w, "breakpoints must increase strictly");
    h.grid.push_back(std::move(line));
  }
  const auto& nodes = member(j, "nodes", where);
  if (!nodes.is_array()) bad(where + ".nodes", "expected an array");
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const std::string w = where + ".nodes[" + std::to_string(k) + "]";
    const auto& idx = member(nodes[k], "index", w);
    if (!idx.is_array() || idx.size() != static_cast<std::size_t>(d)) bad(w + ".index", "expected d integers");
    std::vector<long> p;
    for (std::size_t i = 0; i < idx.size(); ++i) {
      if (!idx[i].is_number_integer()) bad(w + ".index", "expected integers");
      const long v = idx[i].get<long>();
      if (v < 0 || v >= static_cast<long>(h.grid[i].size())) bad(w + ".index", "out of range");
      p.push_back(v);
    }
    Q c = exact_string(member(nodes[k], "c", w), w + ".c");
    if (c.sign() == 0) bad(w + ".c", "zero coefficients are not stored");
    if (!h.index.empty() && !(h.index.back() < p)) bad(w, "nodes must be in increasing lexicographic index order");
    h.slot.emplace(p, h.index.size());
    h.index.push_back(std::move(p));
    h.c.push_back(std::move(c));
  }
  return h;
}

// B0(a), (d): t = χ(x), cell k, u = t − k sorted decreasingly by π:
// h = (1 − u_π1) c(k) + Σ_j (u_πj − u_π(j+1)) c(k + e_π1 + .. + e_πj).
Q hat_value(const HatGrid& h, const std::vector<Q>& x) {
  const auto d = static_cast<std::size_t>(h.d);
  Q sum;
  if (h.c.empty() || x.size() != d) return sum;
  std::vector<long> k(d);
  std::vector<Q> u(d);
  for (std::size_t i = 0; i < d; ++i) {
    if (x[i] < Q() || Q(1) < x[i]) return sum;
    k[i] = cell_of(h.grid[i], x[i]);
    const auto j = static_cast<std::size_t>(k[i]);
    u[i] = (x[i] - h.grid[i][j]) / (h.grid[i][j + 1] - h.grid[i][j]);
  }
  std::vector<std::size_t> order(d);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return u[a] > u[b]; });
  std::vector<long> v = k;
  if (const Q* c = coefficient(h, v)) sum = sum + (Q(1) - u[order[0]]) * *c;
  for (std::size_t j = 0; j < d; ++j) {
    ++v[order[j]];
    if (const Q* c = coefficient(h, v)) sum = sum + (j + 1 < d ? u[order[j]] - u[order[j + 1]] : u[order[j]]) * *c;
  }
  return sum;
}

void add_hat_enclosure(const HatGrid& h, const Box& box, const std::vector<Q>& center, CorrectionEnclosure& acc) {
  const auto d = static_cast<std::size_t>(h.d);
  if (h.c.empty()) return;
  // Cells met by the open box (one cell on a degenerate axis).
  std::vector<long> first(d), last(d);
  for (std::size_t i = 0; i < d; ++i) {
    const auto& axis = h.grid[i];
    const long n = static_cast<long>(axis.size()) - 1;
    const Q lo = qmax(box.lo[i], Q()), hi = qmin(box.hi[i], Q(1));
    first[i] = cell_of(axis, lo);
    last[i] = first[i];
    if (lo < hi)
      while (last[i] + 1 < n && axis[static_cast<std::size_t>(last[i] + 1)] < hi) ++last[i];
  }
  std::vector<bool> any(d, false);
  std::vector<Q> glo(d), ghi(d);
  auto add_g = [&](std::size_t i, const Q& g) {
    if (!any[i]) {
      glo[i] = g;
      ghi[i] = g;
      any[i] = true;
    } else {
      if (g < glo[i]) glo[i] = g;
      if (ghi[i] < g) ghi[i] = g;
    }
  };
  bool have_values = false;
  Q vmin, vmax;
  // Every node of the cells met: values (h is a convex combination of them).
  std::vector<long> p = first;
  for (;;) {
    const Q c = coef_or_zero(h, p);
    if (!have_values || c < vmin) vmin = c;
    if (!have_values || vmax < c) vmax = c;
    have_values = true;
    std::size_t i = d;
    bool done = true;
    while (i-- > 0) {
      if (p[i] < last[i] + 1) {
        ++p[i];
        done = false;
        break;
      }
      p[i] = first[i];
    }
    if (done) break;
  }
  if (first == last) {
    // One cell: gradients of the Kuhn simplices whose coordinate order the box admits.
    std::vector<Q> w(d), ul(d), uh(d);
    for (std::size_t i = 0; i < d; ++i) {
      const auto j = static_cast<std::size_t>(first[i]);
      w[i] = h.grid[i][j + 1] - h.grid[i][j];
      ul[i] = qmax(Q(), (box.lo[i] - h.grid[i][j]) / w[i]);
      uh[i] = qmin(Q(1), (box.hi[i] - h.grid[i][j]) / w[i]);
    }
    std::vector<std::size_t> perm(d);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    do {
      // u_π1 >= .. >= u_πd feasible in the box: raise from the smallest.
      Q cur = ul[perm[d - 1]];
      bool feasible = true;
      for (std::size_t j = d; j-- > 0 && feasible;) {
        cur = qmax(cur, ul[perm[j]]);
        feasible = cur <= uh[perm[j]];
      }
      if (!feasible) continue;
      std::vector<long> v = first;
      Q prev = coef_or_zero(h, v);
      for (std::size_t j = 0; j < d; ++j) {
        ++v[perm[j]];
        Q next = coef_or_zero(h, v);
        add_g(perm[j], (next - prev) / w[perm[j]]);
        prev = next;
      }
    } while (std::next_permutation(perm.begin(), perm.end()));
  } else {
    // Several cells: every edge difference quotient of the cells met.
    p = first;
    for (;;) {
      const Q cp = coef_or_zero(h, p);
      for (std::size_t i = 0; i < d; ++i) {
        if (p[i] > last[i]) continue;
        std::vector<long> q = p;
        ++q[i];
        const auto j = static_cast<std::size_t>(p[i]);
        add_g(i, (coef_or_zero(h, q) - cp) / (h.grid[i][j + 1] - h.grid[i][j]));
      }
      std::size_t i = d;
      bool done = true;
      while (i-- > 0) {
        if (p[i] < last[i] + 1) {
          ++p[i];
          done = false;
          break;
        }
        p[i] = first[i];
      }
      if (done) break;
    }
  }
  const Q value = hat_value(h, center);
  Q radius;
  bool affine = true;
  for (std::size_t i = 0; i < d; ++i) {
    if (!any[i]) glo[i] = ghi[i] = Q();
    if (glo[i] != ghi[i]) affine = false;
    radius = radius + qmax(glo[i].abs(), ghi[i].abs()) * (box.hi[i] - box.lo[i]) * Q(1, 2);
  }
  Q lo = value - radius, hi = value + radius;
  if (!affine) {
    lo = qmax(lo, vmin);
    hi = qmin(hi, vmax);
  }
  acc.value = acc.value + value;
  for (std::size_t i = 0; i < d; ++i) {
    acc.glo[i] = acc.glo[i] + glo[i];
    acc.ghi[i] = acc.ghi[i] + ghi[i];
  }
  acc.lo = acc.lo + lo;
  acc.hi = acc.hi + hi;
  acc.affine = acc.affine && affine;
}

namespace {

// The cells [first_i, last_i] meeting the closed hull of the points, per axis.
void cells_met(const HatGrid& h, const std::vector<std::vector<Q>>& pts, std::vector<long>& first,
               std::vector<long>& last) {
  const auto d = static_cast<std::size_t>(h.d);
  first.assign(d, 0);
  last.assign(d, 0);
  for (std::size_t i = 0; i < d; ++i) {
    Q lo = pts[0][i], hi = pts[0][i];
    for (const auto& v : pts) {
      if (v[i] < lo) lo = v[i];
      if (hi < v[i]) hi = v[i];
    }
    first[i] = cell_of(h.grid[i], lo);
    last[i] = cell_of(h.grid[i], hi);
    // hi on an inner grid line belongs to the cell on its left as well.
    if (last[i] > first[i] && h.grid[i][static_cast<std::size_t>(last[i])] == hi) --last[i];
  }
}

// u_0 − u_1 on grid cell (i, j) as {constant, a, b}: constant + a x + b y.
std::vector<Q> cell_diagonal(const HatGrid& h, long i, long j) {
  const auto ui = static_cast<std::size_t>(i), uj = static_cast<std::size_t>(j);
  const Q wx = h.grid[0][ui + 1] - h.grid[0][ui], wy = h.grid[1][uj + 1] - h.grid[1][uj];
  return {h.grid[1][uj] / wy - h.grid[0][ui] / wx, Q(1) / wx, Q(-1) / wy};
}

}  // namespace

void hat_cell_lines(const HatGrid& h, const Box& cell, std::vector<std::vector<Q>>& lines) {
  if (h.d != 2 || h.c.empty()) return;
  std::vector<long> first, last;
  cells_met(h, {cell.lo, cell.hi}, first, last);
  if (first != last) return;
  const std::vector<Q> u = cell_diagonal(h, first[0], first[1]);
  bool pos = false, neg = false;
  for (const Q& x : {cell.lo[0], cell.hi[0]})
    for (const Q& y : {cell.lo[1], cell.hi[1]}) {
      const int s = (u[0] + u[1] * x + u[2] * y).sign();
      pos = pos || s > 0;
      neg = neg || s < 0;
    }
  if (pos && neg) lines.push_back(u);
}

bool hat_affine_on(const HatGrid& h, const std::vector<std::vector<Q>>& vertices, std::vector<Q>& form) {
  if (h.d != 2 || vertices.empty() || form.size() != 3) return false;
  for (const auto& v : vertices)
    if (v.size() != 2 || v[0] < Q() || Q(1) < v[0] || v[1] < Q() || Q(1) < v[1]) return false;
  if (h.c.empty()) return true;
  std::vector<long> first, last;
  cells_met(h, vertices, first, last);
  if (first != last) {
    // h on these cells is a combination of the nodes first .. last + 1 only.
    for (const auto& p : h.index)
      if (first[0] <= p[0] && p[0] <= last[0] + 1 && first[1] <= p[1] && p[1] <= last[1] + 1) return false;
    return true;
  }
  const long i = first[0], j = first[1];
  const std::vector<Q> u = cell_diagonal(h, i, j);
  bool upper = true, lower = true;  // u_0 >= u_1 resp. u_0 <= u_1 at every vertex
  for (const auto& v : vertices) {
    const int s = (u[0] + u[1] * v[0] + u[2] * v[1]).sign();
    upper = upper && s >= 0;
    lower = lower && s <= 0;
  }
  if (!upper && !lower) return false;
  // Kuhn simplex of order (0, 1) (u_0 >= u_1): c00 + u_0 (c10 − c00) + u_1 (c11 − c10);
  // of order (1, 0): c00 + u_1 (c01 − c00) + u_0 (c11 − c01).
  const Q c00 = coef_or_zero(h, {i, j}), c10 = coef_or_zero(h, {i + 1, j}), c01 = coef_or_zero(h, {i, j + 1}),
          c11 = coef_or_zero(h, {i + 1, j + 1});
  const Q du0 = upper ? c10 - c00 : c11 - c01, du1 = upper ? c11 - c10 : c01 - c00;
  const auto ui = static_cast<std::size_t>(i), uj = static_cast<std::size_t>(j);
  const Q gx = du0 / (h.grid[0][ui + 1] - h.grid[0][ui]), gy = du1 / (h.grid[1][uj + 1] - h.grid[1][uj]);
  form[0] = form[0] + c00 - gx * h.grid[0][ui] - gy * h.grid[1][uj];
  form[1] = form[1] + gx;
  form[2] = form[2] + gy;
  return true;
}

void hat_axis_kinks(const HatGrid& h, const Box& box, std::size_t axis, std::vector<Q>& out) {
  const auto d = static_cast<std::size_t>(h.d);
  if (h.c.empty() || box.lo.size() != d || axis >= d) return;
  std::vector<long> first, last;
  cells_met(h, {box.lo, box.hi}, first, last);  // nodes first .. last + 1 meet the open box
  const long j0 = first[axis] - 1, j1 = last[axis] + 2;
  std::vector<char> kink(static_cast<std::size_t>(j1 - j0 + 1), 0);
  auto mark = [&](const std::vector<long>& p) {
    for (long j = p[axis] - 1; j <= p[axis] + 1; ++j)
      if (j >= j0 && j <= j1) kink[static_cast<std::size_t>(j - j0)] = 1;
  };
  // The window of node indices, or all active nodes when there are fewer.
  std::size_t window = 1;
  for (std::size_t a = 0; a < d && window <= h.index.size(); ++a)
    window *= static_cast<std::size_t>(last[a] - first[a] + 2);
  if (window <= h.index.size()) {
    std::vector<long> p = first;
    for (;;) {
      if (h.slot.count(p) != 0) mark(p);
      std::size_t a = 0;
      for (; a < d && ++p[a] > last[a] + 1; ++a) p[a] = first[a];
      if (a == d) break;
    }
  } else {
    for (const auto& p : h.index) {
      bool inside = true;
      for (std::size_t a = 0; a < d && inside; ++a) inside = first[a] <= p[a] && p[a] <= last[a] + 1;
      if (inside) mark(p);
    }
  }
  const std::vector<Q>& line = h.grid[axis];
  for (long j = std::max(j0, 0L); j <= j1 && j < static_cast<long>(line.size()); ++j) {
    const Q& t = line[static_cast<std::size_t>(j)];
    if (kink[static_cast<std::size_t>(j - j0)] && box.lo[axis] < t && t < box.hi[axis]) out.push_back(t);
  }
}

void hat_cell_kinks(const HatGrid& h, const Box& cell, std::vector<std::vector<Q>>& forms) {
  const auto d = static_cast<std::size_t>(h.d);
  if (h.c.empty() || cell.lo.size() != d) return;
  std::vector<long> first, last;
  cells_met(h, {cell.lo, cell.hi}, first, last);
  if (first != last) return;
  std::vector<Q> w(d), xi(d);
  for (std::size_t a = 0; a < d; ++a) {
    const auto k = static_cast<std::size_t>(first[a]);
    xi[a] = h.grid[a][k];
    w[a] = h.grid[a][k + 1] - xi[a];
  }
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = a + 1; b < d; ++b) {
      // u_a − u_b depends on x_a, x_b only: its corner values are those of the four pairs.
      std::vector<Q> f(d + 1);
      f[0] = xi[b] / w[b] - xi[a] / w[a];
      f[1 + a] = Q(1) / w[a];
      f[1 + b] = Q(-1) / w[b];
      bool pos = false, neg = false;
      for (const Q* x : {&cell.lo[a], &cell.hi[a]})
        for (const Q* y : {&cell.lo[b], &cell.hi[b]}) {
          const int s = (f[0] + f[1 + a] * *x + f[1 + b] * *y).sign();
          pos = pos || s > 0;
          neg = neg || s < 0;
        }
      if (pos && neg) forms.push_back(std::move(f));
    }
}

bool hat_affine_on_simplex(const HatGrid& h, const std::vector<std::vector<Q>>& vertices,
                           std::vector<Q>& form) {
  const auto d = static_cast<std::size_t>(h.d);
  if (vertices.empty() || form.size() != d + 1) return false;
  for (const auto& v : vertices) {
    if (v.size() != d) return false;
    for (const Q& x : v)
      if (x < Q() || Q(1) < x) return false;
  }
  if (h.c.empty()) return true;
  std::vector<long> first, last;
  cells_met(h, vertices, first, last);
  if (first == last) {
    std::vector<Q> xi(d), w(d);
    for (std::size_t a = 0; a < d; ++a) {
      const auto k = static_cast<std::size_t>(first[a]);
      xi[a] = h.grid[a][k];
      w[a] = h.grid[a][k + 1] - xi[a];
    }
    // The candidate π: u sorted decreasingly at the vertices' sum (a valid π orders the sum
    // too; a pair tied there but not at every vertex has no valid order). Then verified.
    std::vector<Q> sum(d);
    for (const auto& v : vertices)
      for (std::size_t a = 0; a < d; ++a) sum[a] = sum[a] + (v[a] - xi[a]) / w[a];
    std::vector<std::size_t> pi(d);
    std::iota(pi.begin(), pi.end(), std::size_t{0});
    std::stable_sort(pi.begin(), pi.end(), [&](std::size_t a, std::size_t b) { return sum[b] < sum[a]; });
    bool ordered = true;
    for (const auto& v : vertices)
      for (std::size_t j = 0; j + 1 < d && ordered; ++j) {
        const std::size_t a = pi[j], b = pi[j + 1];
        ordered = (v[b] - xi[b]) / w[b] <= (v[a] - xi[a]) / w[a];
      }
    if (ordered) {
      // h = c(k) + Σ_j u_π(j) (c(k + e_π(1) + .. + e_π(j)) − c(k + e_π(1) + .. + e_π(j−1))).
      std::vector<long> node = first;
      Q prev = coef_or_zero(h, node);
      form[0] = form[0] + prev;
      for (std::size_t j = 0; j < d; ++j) {
        const std::size_t a = pi[j];
        ++node[a];
        const Q next = coef_or_zero(h, node);
        const Q g = (next - prev) / w[a];
        form[0] = form[0] - g * xi[a];
        form[1 + a] = form[1 + a] + g;
        prev = next;
      }
      return true;
    }
  }
  // h on these cells is a combination of the nodes first .. last + 1 only.
  for (const auto& p : h.index) {
    bool inside = true;
    for (std::size_t a = 0; a < d && inside; ++a) inside = first[a] <= p[a] && p[a] <= last[a] + 1;
    if (inside) return false;
  }
  return true;
}

Box hat_node_box(const HatGrid& h, std::size_t k) {
  Box b;
  for (std::size_t i = 0; i < static_cast<std::size_t>(h.d); ++i) {
    const auto& axis = h.grid[i];
    const auto j = static_cast<std::size_t>(h.index[k][i]);
    b.lo.push_back(axis[j > 0 ? j - 1 : 0]);
    b.hi.push_back(axis[j + 1 < axis.size() ? j + 1 : j]);
  }
  return b;
}

std::vector<Q> hat_node_point(const HatGrid& h, std::size_t k) {
  std::vector<Q> z;
  for (std::size_t i = 0; i < static_cast<std::size_t>(h.d); ++i)
    z.push_back(h.grid[i][static_cast<std::size_t>(h.index[k][i])]);
  return z;
}

namespace {

struct LayerMaker {
  DenseLayer layer;
  LayerMaker(int inputs, int outputs) {
    layer.inputs = inputs;
    layer.outputs = outputs;
    layer.bias.assign(static_cast<std::size_t>(outputs), Q());
  }
  void w(int row, int col, const Q& v) {
    if (v.sign() != 0) layer.weights.push_back({row, col, v});
  }
  DenseLayer done() {
    std::sort(layer.weights.begin(), layer.weights.end(), [](const DenseLayer::Entry& a, const DenseLayer::Entry& b) {
      return a.row < b.row || (a.row == b.row && a.col < b.col);
    });
    return layer;
  }
};

}  // namespace

// include/mgdl/net/hat_correction.hpp, realise(): per hat d+1 layers, then a
// closing fold-in layer and the read-out A+ − A-.
DenseBlock rebuild_hat_block(const HatGrid& h, int input_size) {
  const int d = h.d;
  DenseBlock block;
  const Q one(1);
  const std::size_t n = h.c.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::vector<Q> z = hat_node_point(h, k);
    std::vector<Q> hp(static_cast<std::size_t>(d)), hm(static_cast<std::size_t>(d));
    for (std::size_t i = 0; i < static_cast<std::size_t>(d); ++i) spacings(h.grid[i], h.index[k][i], hp[i], hm[i]);
    // Layer 1: [x, M1+, M1-, (d >= 2) e2+, e2-, A+, A-].
    {
      const int out = d + 2 + (d >= 2 ? 2 : 0) + 2;
      LayerMaker m(k == 0 ? input_size : d + 3, out);
      for (int i = 0; i < d; ++i) m.w(i, i, one);
      m.w(d, 0, one / hp[0]);
      m.layer.bias[static_cast<std::size_t>(d)] = -z[0] / hp[0];
      m.w(d + 1, 0, -(one / hm[0]));
      m.layer.bias[static_cast<std::size_t>(d + 1)] = z[0] / hm[0];
      if (d >= 2) {
        m.w(d + 2, 1, one);
        m.layer.bias[static_cast<std::size_t>(d + 2)] = -z[1];
        m.w(d + 3, 1, -one);
        m.layer.bias[static_cast<std::size_t>(d + 3)] = z[1];
      }
      if (k > 0) {
        const Q& c = h.c[k - 1];
        m.w(out - 2, d, c.sign() > 0 ? c : Q());
        m.w(out - 2, d + 1, one);
        m.w(out - 1, d, c.sign() < 0 ? -c : Q());
        m.w(out - 1, d + 2, one);
      }
      block.layers.push_back(m.done());
    }
    for (int l = 2; l <= d; ++l) {
      const int in = block.layers.back().outputs;
      const int e = l == 2 ? d + 2 : d + 4;  // e_l^+ (e_l^- next) in layer l-1
      const int out = d + 4 + (l < d ? 2 : 0) + 2;
      const auto ax = static_cast<std::size_t>(l - 1);
      LayerMaker m(in, out);
      for (int i = 0; i < d; ++i) m.w(i, i, one);
      // M_{l-1}^± = σ(M_{l-2}^± + p_{l-1} / q_{l-1}) (just M_1^± when l = 2).
      m.w(d, d, one);
      if (l >= 3) m.w(d, d + 2, one);
      m.w(d + 1, d + 1, one);
      if (l >= 3) m.w(d + 1, d + 3, one);
      // p_l = σ(y_l − M_{l-1}^+), q_l = σ(−y_l − M_{l-1}^-), y_l = e^+/h^+ − e^-/h^-.
      m.w(d + 2, d, -one);
      if (l >= 3) m.w(d + 2, d + 2, -one);
      m.w(d + 2, e, one / hp[ax]);
      m.w(d + 2, e + 1, -(one / hm[ax]));
      m.w(d + 3, d + 1, -one);
      if (l >= 3) m.w(d + 3, d + 3, -one);
      m.w(d + 3, e, -(one / hp[ax]));
      m.w(d + 3, e + 1, one / hm[ax]);
      if (l < d) {
        m.w(d + 4, l, one);
        m.layer.bias[static_cast<std::size_t>(d + 4)] = -z[static_cast<std::size_t>(l)];
        m.w(d + 5, l, -one);
        m.layer.bias[static_cast<std::size_t>(d + 5)] = z[static_cast<std::size_t>(l)];
      }
      m.w(out - 2, in - 2, one);
      m.w(out - 1, in - 1, one);
      block.layers.push_back(m.done());
    }
    {
      const int in = block.layers.back().outputs;
      LayerMaker m(in, d + 3);
      for (int i = 0; i < d; ++i) m.w(i, i, one);
      m.layer.bias[static_cast<std::size_t>(d)] = one;
      m.w(d, d, -one);
      m.w(d, d + 1, -one);
      if (d >= 2) {
        m.w(d, d + 2, -one);
        m.w(d, d + 3, -one);
      }
      m.w(d + 1, in - 2, one);
      m.w(d + 2, in - 1, one);
      block.layers.push_back(m.done());
    }
  }
  LayerMaker last(n > 0 ? d + 3 : input_size, d + 2);
  for (int i = 0; i < d; ++i) last.w(i, i, one);
  if (n > 0) {
    const Q& c = h.c[n - 1];
    last.w(d, d, c.sign() > 0 ? c : Q());
    last.w(d, d + 1, one);
    last.w(d + 1, d, c.sign() < 0 ? -c : Q());
    last.w(d + 1, d + 2, one);
  }
  block.layers.push_back(last.done());
  LayerMaker ro(d + 2, 1);
  ro.layer.relu = false;
  ro.w(0, d, one);
  ro.w(0, d + 1, -one);
  block.readout = ro.done();
  return block;
}

}  // namespace mgdl::check
