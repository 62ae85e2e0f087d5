#include "cutoffs.hpp"

#include <algorithm>
#include <string>
#include <tuple>

namespace mgdl::check {
namespace {

// s(x) = σ((a − x)/ρ) + σ((x − b)/ρ), one axis of the ramp sum.
Q ramp(const Q& a, const Q& b, const Q& inv_rho, const Q& x) {
  if (x < a) return (a - x) * inv_rho;
  if (x > b) return (x - b) * inv_rho;
  return Q();
}

// out := ramp(a, b, inv_rho, x) without temporaries (out must not alias the inputs).
void ramp_into(mpq_ptr out, const Q& a, const Q& b, const Q& inv_rho, const Q& x) {
  if (x < a) {
    mpq_sub(out, a.get(), x.get());
    mpq_mul(out, out, inv_rho.get());
  } else if (x > b) {
    mpq_sub(out, x.get(), b.get());
    mpq_mul(out, out, inv_rho.get());
  } else {
    mpq_set_ui(out, 0, 1);
  }
}

}  // namespace

Q midpoint(const Q& lo, const Q& hi) {
  Q mid;
  mpq_add(mid.get(), lo.get(), hi.get());
  mpq_div_2exp(mid.get(), mid.get(), 1);
  return mid;
}

std::pair<Box, Box> bisect(const Box& b) {
  std::size_t axis = 0;
  for (std::size_t i = 1; i < b.lo.size(); ++i)
    if (b.hi[i] - b.lo[i] > b.hi[axis] - b.lo[axis]) axis = i;
  Q mid = midpoint(b.lo[axis], b.hi[axis]);
  Box l = b, u = b;
  l.hi[axis] = mid;
  u.lo[axis] = mid;
  return {l, u};
}

void CorrectionEnclosure::reset(int d) {
  mpq_set_ui(value.get(), 0, 1);
  mpq_set_ui(value_radius.get(), 0, 1);
  mpq_set_ui(lo.get(), 0, 1);
  mpq_set_ui(hi.get(), 0, 1);
  glo.resize(static_cast<std::size_t>(d));
  ghi.resize(static_cast<std::size_t>(d));
  for (auto& g : glo) mpq_set_ui(g.get(), 0, 1);
  for (auto& g : ghi) mpq_set_ui(g.get(), 0, 1);
  affine = true;
}

void finish_cutoff(CutoffData& q) {
  q.inv_rho.clear();
  q.sup_lo.clear();
  q.sup_hi.clear();
  for (std::size_t i = 0; i < q.rho.size(); ++i) {
    q.inv_rho.push_back(Q(1) / q.rho[i]);
    q.sup_lo.push_back(q.a[i] - q.rho[i]);
    q.sup_hi.push_back(q.b[i] + q.rho[i]);
  }
}

bool support_meets_open(const CutoffData& q, const Box& box) {
  for (std::size_t i = 0; i < q.a.size(); ++i) {
    if (!(box.lo[i] < q.sup_hi[i])) return false;
    if (!(box.hi[i] > q.sup_lo[i])) return false;
  }
  return true;
}

CutoffIndex::CutoffIndex(std::vector<const CutoffData*> cutoffs) {
  std::vector<std::size_t> order(cutoffs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return cutoffs[x]->sup_lo[0] < cutoffs[y]->sup_lo[0]; });
  for (std::size_t i : order) {
    sorted_.push_back(cutoffs[i]);
    position_.push_back(i);
  }
  original_ = std::move(cutoffs);
  if (sorted_.empty()) return;
  max_hi_.assign(4 * sorted_.size(), nullptr);
  // Iterative post-order build of the tree visited by visit().
  struct Node {
    std::size_t node, lo, hi;
    bool expanded;
  };
  std::vector<Node> stack{{1, 0, sorted_.size(), false}};
  while (!stack.empty()) {
    Node n = stack.back();
    stack.pop_back();
    if (n.hi - n.lo == 1) {
      max_hi_[n.node] = &sorted_[n.lo]->sup_hi[0];
      continue;
    }
    const std::size_t mid = n.lo + (n.hi - n.lo) / 2;
    if (!n.expanded) {
      stack.push_back({n.node, n.lo, n.hi, true});
      stack.push_back({2 * n.node, n.lo, mid, false});
      stack.push_back({2 * n.node + 1, mid, n.hi, false});
      continue;
    }
    const Q* l = max_hi_[2 * n.node];
    const Q* r = max_hi_[2 * n.node + 1];
    max_hi_[n.node] = *l < *r ? r : l;
  }
}

void CutoffIndex::visit(std::size_t node, std::size_t lo, std::size_t hi, std::size_t end, const Box& box,
                        std::vector<std::size_t>& found) const {
  if (lo >= end || !(box.lo[0] < *max_hi_[node])) return;
  if (hi - lo == 1) {
    if (support_meets_open(*sorted_[lo], box)) found.push_back(position_[lo]);
    return;
  }
  const std::size_t mid = lo + (hi - lo) / 2;
  visit(2 * node, lo, mid, end, box, found);
  visit(2 * node + 1, mid, hi, end, box, found);
}

void CutoffIndex::positions_meeting(const Box& box, std::vector<std::size_t>& out) const {
  if (sorted_.empty()) return;
  // Only cutoffs with sup_lo[0] < box.hi[0] can meet the box: a prefix.
  auto end = std::partition_point(sorted_.begin(), sorted_.end(),
                                  [&](const CutoffData* q) { return q->sup_lo[0] < box.hi[0]; });
  const std::size_t first = out.size();
  visit(1, 0, sorted_.size(), static_cast<std::size_t>(end - sorted_.begin()), box, out);
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

void CutoffIndex::meeting(const Box& box, std::vector<const CutoffData*>& out) const {
  std::vector<std::size_t> found;
  positions_meeting(box, found);
  for (std::size_t i : found) out.push_back(original_[i]);
}

Q psi(const CutoffData& q, const std::vector<Q>& x) {
  Q s;
  for (std::size_t i = 0; i < q.a.size(); ++i) s = s + ramp(q.a[i], q.b[i], q.inv_rho[i], x[i]);
  Q one(1);
  return s < one ? one - s : Q();
}

// ψ = σ(1 − S), S = Σ_i s_i(x_i) separable and each s_i convex, so the range
// of S over a box is exact: max at an endpoint, min 0 where [l,h] meets [a,b].
// In-place GMP arithmetic on the scratch of `acc` (this is the checker's
// innermost loop; the values are the same exact rationals as with operators).
void add_enclosure(const std::vector<const CutoffData*>& cutoffs, const Box& box, const std::vector<Q>& center,
                   CorrectionEnclosure& acc) {
  const std::size_t d = box.lo.size();
  auto& w = acc.scratch;
  if (w.glo.size() != d) {
    w.glo.assign(d, Q());
    w.ghi.assign(d, Q());
  }
  mpq_ptr t = w.t.get();
  mpq_ptr s_center = w.s_center.get();
  mpq_ptr s_min = w.s_min.get();
  mpq_ptr s_max = w.s_max.get();
  mpq_ptr sl = w.sl.get();
  mpq_ptr sh = w.sh.get();
  for (const CutoffData* qp : cutoffs) {
    const CutoffData& q = *qp;
    if (!support_meets_open(q, box)) continue;
    mpq_set_ui(s_center, 0, 1);
    mpq_set_ui(s_min, 0, 1);
    mpq_set_ui(s_max, 0, 1);
    bool kink = false;
    for (std::size_t i = 0; i < d; ++i) {
      const Q& l = box.lo[i];
      const Q& h = box.hi[i];
      const Q& a = q.a[i];
      const Q& b = q.b[i];
      ramp_into(t, a, b, q.inv_rho[i], center[i]);
      mpq_add(s_center, s_center, t);
      ramp_into(sl, a, b, q.inv_rho[i], l);
      ramp_into(sh, a, b, q.inv_rho[i], h);
      mpq_add(s_max, s_max, mpq_cmp(sl, sh) < 0 ? sh : sl);
      const bool below = h <= a;  // the box lies left of the core on this axis
      const bool above = l >= b;  // right of it
      if (below) mpq_add(s_min, s_min, sh);
      else if (above) mpq_add(s_min, s_min, sl);
      if ((l < a && a < h) || (l < b && b < h)) kink = true;
      // ∂ψ/∂x_i ∈ {+1/ρ (x_i < a_i), 0, −1/ρ (x_i > b_i)} on the pieces met.
      mpq_ptr glo = w.glo[i].get();
      mpq_ptr ghi = w.ghi[i].get();
      if (below) {
        mpq_set(glo, q.inv_rho[i].get());
        mpq_set(ghi, q.inv_rho[i].get());
      } else if (above) {
        mpq_neg(glo, q.inv_rho[i].get());
        mpq_set(ghi, glo);
      } else if (a <= l && h <= b) {
        mpq_set_ui(glo, 0, 1);
        mpq_set_ui(ghi, 0, 1);
      } else {
        if (h > b) mpq_neg(glo, q.inv_rho[i].get());
        else mpq_set_ui(glo, 0, 1);
        if (l < a) mpq_set(ghi, q.inv_rho[i].get());
        else mpq_set_ui(ghi, 0, 1);
      }
    }
    if (mpq_cmp_ui(s_min, 1, 1) >= 0) continue;  // ψ ≡ 0 on the box
    const bool affine = !kink && mpq_cmp_ui(s_max, 1, 1) <= 0;
    if (!affine) {
      acc.affine = false;
      for (std::size_t i = 0; i < d; ++i) {
        if (w.glo[i].sign() > 0) mpq_set_ui(w.glo[i].get(), 0, 1);
        if (w.ghi[i].sign() < 0) mpq_set_ui(w.ghi[i].get(), 0, 1);
      }
    }
    // ψ(center) = max(1 − S(center), 0); ψ over the box ∈ [max(1 − S_max, 0), 1 − S_min].
    const Q& c = q.c;
    const bool pos = c.sign() > 0;
    auto add_c_times = [&](mpq_ptr sum, mpq_srcptr x) {
      if (mpq_sgn(x) == 0) return;
      mpq_mul(t, c.get(), x);
      mpq_add(sum, sum, t);
    };
    auto one_minus = [](mpq_ptr x) {  // x := max(1 − x, 0) in place
      if (mpq_cmp_ui(x, 1, 1) >= 0) {
        mpq_set_ui(x, 0, 1);
      } else {
        mpq_neg(x, x);
        mpz_add(mpq_numref(x), mpq_numref(x), mpq_denref(x));  // (−p + q)/q, still canonical
      }
    };
    one_minus(s_center);
    one_minus(s_max);  // now ψ_lo
    one_minus(s_min);  // now ψ_hi (S_min < 1 here)
    add_c_times(acc.value.get(), s_center);
    add_c_times(acc.lo.get(), pos ? s_max : s_min);
    add_c_times(acc.hi.get(), pos ? s_min : s_max);
    for (std::size_t i = 0; i < d; ++i) {
      add_c_times(acc.glo[i].get(), (pos ? w.glo[i] : w.ghi[i]).get());
      add_c_times(acc.ghi[i].get(), (pos ? w.ghi[i] : w.glo[i]).get());
    }
  }
}

bool core_contains(const CutoffData& q, const Box& box) {
  for (std::size_t i = 0; i < q.a.size(); ++i)
    if (box.lo[i] < q.a[i] || q.b[i] < box.hi[i]) return false;
  return true;
}

void restrict_cutoffs(const CutoffsOnBox& from, const Box& box, CutoffsOnBox& to) {
  mpq_set(to.constant.get(), from.constant.get());
  to.varying.clear();
  for (const CutoffData* q : from.varying) {
    if (!support_meets_open(*q, box)) continue;
    if (core_contains(*q, box)) mpq_add(to.constant.get(), to.constant.get(), q->c.get());
    else to.varying.push_back(q);
  }
}

Halves bisect(const Box& box, const CutoffsOnBox& cutoffs) {
  Halves h;
  std::tie(h.lower, h.upper) = bisect(box);
  restrict_cutoffs(cutoffs, h.lower, h.lower_cutoffs);
  restrict_cutoffs(cutoffs, h.upper, h.upper_cutoffs);
  return h;
}

void add_enclosure(const CutoffsOnBox& cutoffs, const Box& box, const std::vector<Q>& center,
                   CorrectionEnclosure& acc) {
  add_enclosure(cutoffs.varying, box, center, acc);
  if (cutoffs.constant.sign() == 0) return;
  mpq_add(acc.value.get(), acc.value.get(), cutoffs.constant.get());
  mpq_add(acc.lo.get(), acc.lo.get(), cutoffs.constant.get());
  mpq_add(acc.hi.get(), acc.hi.get(), cutoffs.constant.get());
}

int overlap_number(int d, const std::vector<CutoffData>& cutoffs) {
  const auto du = static_cast<std::size_t>(d);
  // Open supports clipped to Ω; the depth of open boxes is attained just
  // above a corner whose coordinates are lower ends of boxes of the clique.
  std::vector<Box> boxes;
  std::vector<const CutoffData*> members;
  const Q zero, one(1);
  for (const auto& q : cutoffs) {
    Box b;
    bool empty = false;
    for (std::size_t i = 0; i < du; ++i) {
      b.lo.push_back(qmax(q.sup_lo[i], zero));
      b.hi.push_back(qmin(q.sup_hi[i], one));
      if (!(b.lo[i] < b.hi[i])) empty = true;
    }
    if (!empty) {
      boxes.push_back(std::move(b));
      members.push_back(&q);
    }
  }
  if (boxes.empty()) return 0;
  // For a clipped box q ⊆ Ω, a clipped box p meets q's interior exactly when
  // p's support does, so the index (O(log n) per box met) finds the neighbours.
  const CutoffIndex index(members);
  int best = 1;
  std::vector<std::size_t> met;
  std::vector<const Box*> near;
  std::vector<std::vector<Q>> values(du);
  std::vector<std::size_t> idx(du);
  for (const Box& q : boxes) {
    met.clear();
    index.positions_meeting(q, met);
    if (static_cast<int>(met.size()) <= best) continue;
    near.clear();
    for (std::size_t k : met) near.push_back(&boxes[k]);
    for (std::size_t i = 0; i < du; ++i) {
      values[i].clear();
      values[i].push_back(q.lo[i]);
      for (const Box* p : near)
        if (q.lo[i] < p->lo[i] && p->lo[i] < q.hi[i]) values[i].push_back(p->lo[i]);
      std::sort(values[i].begin(), values[i].end());
      values[i].erase(std::unique(values[i].begin(), values[i].end()), values[i].end());
      idx[i] = 0;
    }
    for (;;) {
      int count = 0;
      for (const Box* p : near) {
        bool in = true;
        for (std::size_t i = 0; i < du && in; ++i) in = p->lo[i] <= values[i][idx[i]] && values[i][idx[i]] < p->hi[i];
        count += in ? 1 : 0;
      }
      best = std::max(best, count);
      std::size_t i = 0;
      while (i < du && ++idx[i] == values[i].size()) idx[i++] = 0;
      if (i == du) break;
    }
  }
  return best;
}

namespace {

void put(DenseLayer& layer, int row, int col, const Q& v) {
  if (v.sign() != 0) layer.weights.push_back({row, col, v});
}

DenseLayer make_layer(int inputs, int outputs, bool relu) {
  DenseLayer l;
  l.inputs = inputs;
  l.outputs = outputs;
  l.bias.assign(static_cast<std::size_t>(outputs), Q());
  l.relu = relu;
  return l;
}

}  // namespace

// proofs/cutoff.md, Lemma A5: the layout documented in cutoff_correction.hpp.
DenseBlock rebuild_block(int d, int input_size, const std::vector<CutoffData>& cutoffs) {
  DenseBlock block;
  const Q one(1), zero;
  const std::size_t n = cutoffs.size();
  auto carry_x = [&](DenseLayer& l) {
    for (int j = 0; j < d; ++j) put(l, j, j, one);
  };
  auto ramps = [&](DenseLayer& l, const CutoffData& q) {
    for (int i = 0; i < d; ++i) {
      auto iu = static_cast<std::size_t>(i);
      int r = d + 2 * i;
      put(l, r, i, -q.inv_rho[iu]);
      l.bias[static_cast<std::size_t>(r)] = q.a[iu] * q.inv_rho[iu];
      put(l, r + 1, i, q.inv_rho[iu]);
      l.bias[static_cast<std::size_t>(r + 1)] = -(q.b[iu] * q.inv_rho[iu]);
    }
  };
  // The accumulators read from [x, ψ, A+, A-] and add c^± ψ.
  auto accumulate = [&](DenseLayer& l, int row_plus, const CutoffData* prev) {
    if (prev != nullptr) {
      const Q cp = prev->c.sign() > 0 ? prev->c : zero;
      const Q cm = prev->c.sign() < 0 ? -prev->c : zero;
      put(l, row_plus, d, cp);
      put(l, row_plus, d + 1, one);
      put(l, row_plus + 1, d, cm);
      put(l, row_plus + 1, d + 2, one);
    }
  };
  const CutoffData* prev = nullptr;
  int in = input_size;
  for (std::size_t k = 0; k < n; ++k) {
    DenseLayer ramp_layer = make_layer(in, 3 * d + 2, true);
    carry_x(ramp_layer);
    ramps(ramp_layer, cutoffs[k]);
    accumulate(ramp_layer, 3 * d, prev);
    block.layers.push_back(std::move(ramp_layer));
    DenseLayer psi_layer = make_layer(3 * d + 2, d + 3, true);
    carry_x(psi_layer);
    for (int r = d; r < 3 * d; ++r) put(psi_layer, d, r, -one);
    psi_layer.bias[static_cast<std::size_t>(d)] = one;
    put(psi_layer, d + 1, 3 * d, one);
    put(psi_layer, d + 2, 3 * d + 1, one);
    block.layers.push_back(std::move(psi_layer));
    prev = &cutoffs[k];
    in = d + 3;
  }
  DenseLayer last = make_layer(in, d + 2, true);
  carry_x(last);
  accumulate(last, d, prev);
  block.layers.push_back(std::move(last));
  block.readout = make_layer(d + 2, 1, false);
  put(block.readout, 0, d, one);
  put(block.readout, 0, d + 1, -one);
  for (auto& l : block.layers)
    std::sort(l.weights.begin(), l.weights.end(),
              [](const auto& x, const auto& y) { return x.row != y.row ? x.row < y.row : x.col < y.col; });
  return block;
}

namespace {

std::string compare_layer(const DenseLayer& e, const DenseLayer& a, const std::string& name) {
  if (e.inputs != a.inputs || e.outputs != a.outputs)
    return name + " has shape " + std::to_string(a.outputs) + "x" + std::to_string(a.inputs) + ", expected " +
           std::to_string(e.outputs) + "x" + std::to_string(e.inputs);
  if (e.relu != a.relu || e.smooth != a.smooth) return name + " has the wrong activation";
  for (std::size_t r = 0; r < e.bias.size(); ++r)
    if (e.bias[r] != a.bias[r])
      return name + " bias " + std::to_string(r) + " is " + show(a.bias[r]) + ", expected " + show(e.bias[r]);
  std::size_t i = 0, j = 0;
  while (i < e.weights.size() || j < a.weights.size()) {
    if (i < e.weights.size() && j < a.weights.size() && e.weights[i].row == a.weights[j].row &&
        e.weights[i].col == a.weights[j].col) {
      if (e.weights[i].value != a.weights[j].value)
        return name + " weight (" + std::to_string(a.weights[j].row) + ", " + std::to_string(a.weights[j].col) +
               ") is " + show(a.weights[j].value) + ", expected " + show(e.weights[i].value);
      ++i;
      ++j;
      continue;
    }
    bool take_e = j == a.weights.size() ||
                  (i < e.weights.size() && (e.weights[i].row != a.weights[j].row ? e.weights[i].row < a.weights[j].row
                                                                                  : e.weights[i].col < a.weights[j].col));
    if (take_e)
      return name + " weight (" + std::to_string(e.weights[i].row) + ", " + std::to_string(e.weights[i].col) +
             ") is 0, expected " + show(e.weights[i].value);
    if (a.weights[j].value.sign() != 0)
      return name + " weight (" + std::to_string(a.weights[j].row) + ", " + std::to_string(a.weights[j].col) +
             ") is " + show(a.weights[j].value) + ", expected 0";
    ++j;
  }
  return "";
}

}  // namespace

std::string compare_blocks(const DenseBlock& expected, const DenseBlock& actual) {
  if (expected.layers.size() != actual.layers.size())
    return "has " + std::to_string(actual.layers.size()) + " hidden layers, expected " +
           std::to_string(expected.layers.size());
  for (std::size_t k = 0; k < expected.layers.size(); ++k) {
    std::string m = compare_layer(expected.layers[k], actual.layers[k], "layer " + std::to_string(k + 1));
    if (!m.empty()) return m;
  }
  return compare_layer(expected.readout, actual.readout, "read-out");
}

}  // namespace mgdl::check
