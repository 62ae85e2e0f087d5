// Exact interval propagation (proofs/certification.md C2.2): each neuron u on
// a box B with centre m carries u(m) exactly, a hull [glo, ghi] of its
// generalised gradient over B, a range [lo, hi] ⊇ u(B), and whether it is
// affine on B. Affine maps add these exactly (Clarke sum rule); a ReLU of u is
// u when lo >= 0, 0 when hi <= 0, else max(u(m), 0), gradient hull
// conv({0} ∪ [glo, ghi]) per axis, range [0, hi], not affine.
#include "dense.hpp"

#include <algorithm>
#include <stdexcept>

#include "smooth_net.hpp"

namespace mgdl::check {
namespace {

struct Neuron {
  Q value, lo, hi;
  std::vector<Q> glo, ghi;
  bool affine = true;
};

// lo/hi := value ∓ Σ max(|glo_i|, |ghi_i|)·r_i, intersected with the hull when not affine.
void tighten(Neuron& u, const std::vector<Q>& radius) {
  Q spread;
  for (std::size_t i = 0; i < radius.size(); ++i)
    spread = spread + qmax(u.glo[i].abs(), u.ghi[i].abs()) * radius[i];
  Q lo = u.value - spread, hi = u.value + spread;
  if (u.affine || u.lo < lo) u.lo = lo;
  if (u.affine || hi < u.hi) u.hi = hi;
}

std::vector<Neuron> affine(const DenseLayer& layer, const std::vector<Neuron>& in,
                           const std::vector<Q>& radius) {
  const std::size_t d = radius.size();
  std::vector<Neuron> out(static_cast<std::size_t>(layer.outputs));
  for (std::size_t r = 0; r < out.size(); ++r) {
    out[r].value = layer.bias[r];
    out[r].lo = layer.bias[r];
    out[r].hi = layer.bias[r];
    out[r].glo.assign(d, Q());
    out[r].ghi.assign(d, Q());
  }
  for (const auto& e : layer.weights) {
    Neuron& y = out[static_cast<std::size_t>(e.row)];
    const Neuron& u = in[static_cast<std::size_t>(e.col)];
    const bool pos = e.value.sign() > 0;
    y.value = y.value + e.value * u.value;
    for (std::size_t i = 0; i < d; ++i) {
      y.glo[i] = y.glo[i] + e.value * (pos ? u.glo[i] : u.ghi[i]);
      y.ghi[i] = y.ghi[i] + e.value * (pos ? u.ghi[i] : u.glo[i]);
    }
    y.lo = y.lo + e.value * (pos ? u.lo : u.hi);
    y.hi = y.hi + e.value * (pos ? u.hi : u.lo);
    y.affine = y.affine && u.affine;
  }
  for (Neuron& y : out) tighten(y, radius);
  return out;
}

void relu(std::vector<Neuron>& v) {
  for (Neuron& u : v) {
    if (u.lo.sign() >= 0) continue;
    if (u.hi.sign() <= 0) {
      u = Neuron{Q(), Q(), Q(), std::vector<Q>(u.glo.size()), std::vector<Q>(u.glo.size()), true};
      continue;
    }
    if (u.value.sign() < 0) u.value = Q();
    for (std::size_t i = 0; i < u.glo.size(); ++i) {
      if (u.glo[i].sign() > 0) u.glo[i] = Q();
      if (u.ghi[i].sign() < 0) u.ghi[i] = Q();
    }
    u.lo = Q();
    u.affine = false;
  }
}

std::vector<Q> apply(const DenseLayer& layer, const std::vector<Q>& x) {
  if (layer.smooth != Smooth::none)
    throw std::logic_error("dense network: no exact value through a smooth activation");
  std::vector<Q> y(layer.bias.begin(), layer.bias.end());
  for (const auto& e : layer.weights)
    y[static_cast<std::size_t>(e.row)] =
        y[static_cast<std::size_t>(e.row)] + e.value * x[static_cast<std::size_t>(e.col)];
  if (layer.relu)
    for (Q& v : y)
      if (v.sign() < 0) v = Q();
  return y;
}

void fold(DenseLayer& layer, const std::vector<Q>& lo, const std::vector<Q>& hi) {
  for (auto& e : layer.weights) {
    const auto c = static_cast<std::size_t>(e.col);
    layer.bias[static_cast<std::size_t>(e.row)] =
        layer.bias[static_cast<std::size_t>(e.row)] + e.value * lo[c];
    e.value = e.value * (hi[c] - lo[c]);
  }
}

}  // namespace

DenseNetwork fold_domain(DenseNetwork net, const std::vector<Q>& lo, const std::vector<Q>& hi) {
  for (DenseBlock& b : net.blocks) {
    if (!b.layers.empty()) {
      fold(b.layers.front(), lo, hi);
      break;  // later blocks read F_k, not x
    }
    fold(b.readout, lo, hi);  // F_k = x still
  }
  return net;
}

Q dense_value(const DenseNetwork& net, const std::vector<Q>& x, int first, int last) {
  std::vector<Q> f = x;
  Q sum;
  for (int k = 1; k <= last; ++k) {
    const DenseBlock& b = net.blocks[static_cast<std::size_t>(k - 1)];
    for (const DenseLayer& l : b.layers) f = apply(l, f);
    if (k >= first) sum = sum + apply(b.readout, f)[0];
  }
  return sum;
}

namespace {

std::vector<Q> center_of(const Box& b) {
  std::vector<Q> c(b.lo.size());
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = midpoint(b.lo[i], b.hi[i]);
  return c;
}

// C2.2 on the box for grades first..last; `pre` sees each hidden neuron's
// pre-activation (with whether a ReLU follows), `add` each read-out.
template <class Pre, class Add>
void propagate(const DenseNetwork& net, int first, int last, const Box& box, const std::vector<Q>& center,
               Pre&& pre, Add&& add) {
  const std::size_t d = box.lo.size();
  std::vector<Q> radius(d);
  std::vector<Neuron> v(d);
  for (std::size_t i = 0; i < d; ++i) {
    radius[i] = center[i] - box.lo[i];
    v[i].value = center[i];
    v[i].lo = box.lo[i];
    v[i].hi = box.hi[i];
    v[i].glo.assign(d, Q());
    v[i].glo[i] = Q(1);
    v[i].ghi = v[i].glo;
  }
  for (int k = 1; k <= last; ++k) {
    const DenseBlock& b = net.blocks[static_cast<std::size_t>(k - 1)];
    for (const DenseLayer& l : b.layers) {
      v = affine(l, v, radius);
      for (const Neuron& u : v) pre(u, l.relu);
      if (l.relu) relu(v);
    }
    if (k < first) continue;
    std::vector<Neuron> out = affine(b.readout, v, radius);
    if (b.readout.relu) relu(out);
    add(out.at(0));
  }
}

}  // namespace

void add_dense_enclosure(const DenseNetwork& net, int first, int last, const Box& box,
                         const std::vector<Q>& center, mpfr_prec_t prec, CorrectionEnclosure& acc) {
  if (first > last) return;
  if (has_smooth_activation(net)) {
    add_smooth_enclosure(net, first, last, box, center, prec, acc);
    return;
  }
  const std::size_t d = box.lo.size();
  propagate(
      net, first, last, box, center, [](const Neuron&, bool) {},
      [&](const Neuron& h) {
        acc.value = acc.value + h.value;
        acc.lo = acc.lo + h.lo;
        acc.hi = acc.hi + h.hi;
        for (std::size_t i = 0; i < d; ++i) {
          acc.glo[i] = acc.glo[i] + h.glo[i];
          acc.ghi[i] = acc.ghi[i] + h.ghi[i];
        }
        acc.affine = acc.affine && h.affine;
      });
}

void dense_axis_kinks(const DenseNetwork& net, int first, int last, const Box& box, int axis,
                      std::vector<Q>& out) {
  if (first > last || has_smooth_activation(net)) return;
  const auto a = static_cast<std::size_t>(axis);
  const std::vector<Q> c = center_of(box);
  propagate(
      net, first, last, box, c,
      [&](const Neuron& u, bool is_relu) {
        if (!is_relu || !u.affine || u.glo[a].sign() == 0 || !(u.lo.sign() < 0 && u.hi.sign() > 0)) return;
        for (std::size_t i = 0; i < u.glo.size(); ++i)
          if (i != a && u.glo[i].sign() != 0) return;
        const Q t = c[a] - u.value / u.glo[a];  // u = value + g (x_a − c_a) = 0
        if (box.lo[a] < t && t < box.hi[a]) out.push_back(t);
      },
      [](const Neuron&) {});
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

bool dense_cell_lines(const DenseNetwork& net, int first, int last, const Box& cell,
                      std::vector<std::vector<Q>>& lines) {
  if (first > last) return true;
  if (has_smooth_activation(net)) return false;
  const std::size_t d = cell.lo.size();
  const std::vector<Q> c = center_of(cell);
  bool ok = true;
  propagate(
      net, first, last, cell, c,
      [&](const Neuron& u, bool is_relu) {
        if (!ok || !is_relu || !(u.lo.sign() < 0 && u.hi.sign() > 0)) return;
        if (!u.affine) {
          ok = false;  // its kink bends inside the cell
          return;
        }
        std::vector<Q> l(d + 1);
        l[0] = u.value;
        for (std::size_t i = 0; i < d; ++i) {
          l[1 + i] = u.glo[i];
          l[0] = l[0] - u.glo[i] * c[i];
        }
        lines.push_back(std::move(l));
      },
      [](const Neuron&) {});
  return ok;
}

bool dense_affine_on(const DenseNetwork& net, int first, int last,
                     const std::vector<std::vector<Q>>& vertices, std::vector<Q>& h) {
  if (first > last) return true;
  if (has_smooth_activation(net) || vertices.empty()) return false;
  const std::size_t d = static_cast<std::size_t>(net.d), w = d + 1;
  if (h.size() != w) return false;
  std::vector<Q> f(d * w), g;  // form k: f[k w] + Σ_i f[k w + 1 + i] x_i
  for (std::size_t i = 0; i < d; ++i) f[i * w + 1 + i] = Q(1);
  auto apply_forms = [&](const DenseLayer& l) {
    g.assign(static_cast<std::size_t>(l.outputs) * w, Q());
    for (std::size_t r = 0; r < static_cast<std::size_t>(l.outputs); ++r) g[r * w] = l.bias[r];
    for (const auto& e : l.weights)
      for (std::size_t k = 0; k < w; ++k) {
        const Q& src = f[static_cast<std::size_t>(e.col) * w + k];
        if (src.sign() != 0) {
          Q& dst = g[static_cast<std::size_t>(e.row) * w + k];
          dst = dst + e.value * src;
        }
      }
  };
  // A ReLU of a form with one sign at every vertex is the form or 0 on the hull.
  auto rectify = [&]() {
    for (std::size_t r = 0; r * w < g.size(); ++r) {
      bool nonneg = true, nonpos = true;
      for (const std::vector<Q>& v : vertices) {
        Q x = g[r * w];
        for (std::size_t i = 0; i < d; ++i) x = x + g[r * w + 1 + i] * v[i];
        nonneg = nonneg && x.sign() >= 0;
        nonpos = nonpos && x.sign() <= 0;
      }
      if (nonneg) continue;
      if (!nonpos) return false;
      for (std::size_t k = 0; k < w; ++k) g[r * w + k] = Q();
    }
    return true;
  };
  for (int k = 1; k <= last; ++k) {
    const DenseBlock& b = net.blocks[static_cast<std::size_t>(k - 1)];
    for (const DenseLayer& l : b.layers) {
      apply_forms(l);
      if (l.relu && !rectify()) return false;
      f.swap(g);
    }
    if (k < first) continue;
    apply_forms(b.readout);
    if (b.readout.relu && !rectify()) return false;
    for (std::size_t i = 0; i < w; ++i) h[i] = h[i] + g[i];
  }
  return true;
}

}  // namespace mgdl::check
