#include "cutoffs.hpp"

#include <algorithm>
#include <string>

namespace mgdl::check {
namespace {

// s(x) = σ((a − x)/ρ) + σ((x − b)/ρ), one axis of the ramp sum.
Q ramp(const Q& a, const Q& b, const Q& inv_rho, const Q& x) {
  if (x < a) return (a - x) * inv_rho;
  if (x > b) return (x - b) * inv_rho;
  return Q();
}

}  // namespace

void CorrectionEnclosure::reset(int d) {
  value = Q();
  lo = Q();
  hi = Q();
  glo.assign(static_cast<std::size_t>(d), Q());
  ghi.assign(static_cast<std::size_t>(d), Q());
  affine = true;
}

bool support_meets_open(const CutoffData& q, const Box& box) {
  for (std::size_t i = 0; i < q.a.size(); ++i) {
    if (!(box.lo[i] < q.b[i] + q.rho[i])) return false;
    if (!(box.hi[i] > q.a[i] - q.rho[i])) return false;
  }
  return true;
}

Q psi(const CutoffData& q, const std::vector<Q>& x) {
  Q s;
  for (std::size_t i = 0; i < q.a.size(); ++i) s = s + ramp(q.a[i], q.b[i], q.inv_rho[i], x[i]);
  Q one(1);
  return s < one ? one - s : Q();
}

// ψ = σ(1 − S), S = Σ_i s_i(x_i) separable and each s_i convex, so the range
// of S over a box is exact: max at an endpoint, min 0 where [l,h] meets [a,b].
void add_enclosure(const std::vector<const CutoffData*>& cutoffs, const Box& box, const std::vector<Q>& center,
                   CorrectionEnclosure& acc) {
  const std::size_t d = box.lo.size();
  const Q one(1);
  std::vector<Q> glo(d), ghi(d);
  for (const CutoffData* qp : cutoffs) {
    const CutoffData& q = *qp;
    if (!support_meets_open(q, box)) continue;
    Q s_center, s_min, s_max;
    bool kink = false;
    for (std::size_t i = 0; i < d; ++i) {
      const Q& l = box.lo[i];
      const Q& h = box.hi[i];
      s_center = s_center + ramp(q.a[i], q.b[i], q.inv_rho[i], center[i]);
      Q sl = ramp(q.a[i], q.b[i], q.inv_rho[i], l);
      Q sh = ramp(q.a[i], q.b[i], q.inv_rho[i], h);
      s_max = s_max + qmax(sl, sh);
      if (h <= q.a[i]) s_min = s_min + sh;
      else if (l >= q.b[i]) s_min = s_min + sl;
      if ((l < q.a[i] && q.a[i] < h) || (l < q.b[i] && q.b[i] < h)) kink = true;
      // ∂ψ/∂x_i ∈ {+1/ρ (x_i < a_i), 0, −1/ρ (x_i > b_i)} on the pieces met.
      if (h <= q.a[i]) glo[i] = ghi[i] = q.inv_rho[i];
      else if (l >= q.b[i]) glo[i] = ghi[i] = -q.inv_rho[i];
      else if (q.a[i] <= l && h <= q.b[i]) glo[i] = ghi[i] = Q();
      else {
        glo[i] = h > q.b[i] ? -q.inv_rho[i] : Q();
        ghi[i] = l < q.a[i] ? q.inv_rho[i] : Q();
      }
    }
    if (s_min >= one) continue;  // ψ ≡ 0 on the box
    const bool affine = !kink && s_max <= one;
    if (!affine) {
      acc.affine = false;
      for (std::size_t i = 0; i < d; ++i) {
        glo[i] = qmin(glo[i], Q());
        ghi[i] = qmax(ghi[i], Q());
      }
    }
    Q psi_c = s_center < one ? one - s_center : Q();
    Q psi_lo = s_max < one ? one - s_max : Q();
    Q psi_hi = one - s_min;
    acc.value = acc.value + q.c * psi_c;
    const bool pos = q.c.sign() > 0;
    acc.lo = acc.lo + q.c * (pos ? psi_lo : psi_hi);
    acc.hi = acc.hi + q.c * (pos ? psi_hi : psi_lo);
    for (std::size_t i = 0; i < d; ++i) {
      acc.glo[i] = acc.glo[i] + q.c * (pos ? glo[i] : ghi[i]);
      acc.ghi[i] = acc.ghi[i] + q.c * (pos ? ghi[i] : glo[i]);
    }
  }
}

int overlap_number(int d, const std::vector<CutoffData>& cutoffs) {
  const auto du = static_cast<std::size_t>(d);
  // Open supports clipped to Ω; the depth of open boxes is attained just
  // above a corner whose coordinates are lower ends of boxes of the clique.
  std::vector<Box> boxes;
  const Q zero, one(1);
  for (const auto& q : cutoffs) {
    Box b;
    bool empty = false;
    for (std::size_t i = 0; i < du; ++i) {
      b.lo.push_back(qmax(q.a[i] - q.rho[i], zero));
      b.hi.push_back(qmin(q.b[i] + q.rho[i], one));
      if (!(b.lo[i] < b.hi[i])) empty = true;
    }
    if (!empty) boxes.push_back(std::move(b));
  }
  if (boxes.empty()) return 0;
  std::sort(boxes.begin(), boxes.end(), [](const Box& x, const Box& y) { return x.lo[0] < y.lo[0]; });
  Q max_width;
  for (const auto& b : boxes) max_width = qmax(max_width, b.hi[0] - b.lo[0]);
  int best = 1;
  std::vector<const Box*> near;
  std::vector<std::vector<Q>> values(du);
  std::vector<std::size_t> idx(du);
  for (const Box& q : boxes) {
    near.clear();
    const Q from = q.lo[0] - max_width;
    auto first = std::lower_bound(boxes.begin(), boxes.end(), from,
                                  [](const Box& x, const Q& v) { return x.lo[0] < v; });
    for (auto it = first; it != boxes.end() && it->lo[0] < q.hi[0]; ++it) {
      bool meets = true;
      for (std::size_t i = 0; i < du && meets; ++i) meets = it->lo[i] < q.hi[i] && it->hi[i] > q.lo[i];
      if (meets) near.push_back(&*it);
    }
    for (std::size_t i = 0; i < du; ++i) {
      values[i].clear();
      values[i].push_back(q.lo[i]);
      for (const Box* p : near)
        if (q.lo[i] < p->lo[i] && p->lo[i] < q.hi[i]) values[i].push_back(p->lo[i]);
      std::sort(values[i].begin(), values[i].end());
      values[i].erase(std::unique(values[i].begin(), values[i].end()), values[i].end());
      idx[i] = 0;
    }
    if (static_cast<int>(near.size()) <= best) continue;
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
  if (e.relu != a.relu) return name + " has the wrong activation";
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
