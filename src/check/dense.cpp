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
  // In place (y += w·u through one scratch): no temporaries per multiply-add.
  Q t;
  auto addmul = [&t](Q& acc, const Q& w, const Q& x) {
    if (x.sign() == 0) return;
    mpq_mul(t.get(), w.get(), x.get());
    mpq_add(acc.get(), acc.get(), t.get());
  };
  for (const auto& e : layer.weights) {
    Neuron& y = out[static_cast<std::size_t>(e.row)];
    const Neuron& u = in[static_cast<std::size_t>(e.col)];
    const bool pos = e.value.sign() > 0;
    addmul(y.value, e.value, u.value);
    for (std::size_t i = 0; i < d; ++i) {
      addmul(y.glo[i], e.value, pos ? u.glo[i] : u.ghi[i]);
      addmul(y.ghi[i], e.value, pos ? u.ghi[i] : u.glo[i]);
    }
    addmul(y.lo, e.value, pos ? u.lo : u.hi);
    addmul(y.hi, e.value, pos ? u.hi : u.lo);
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

// C2.2 on the box for grades first..last; `add` sees each read-out.
template <class Add>
void propagate(const DenseNetwork& net, int first, int last, const Box& box, const std::vector<Q>& center,
               Add&& add) {
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
  if (box.lo.size() >= 2) {
    // The exact rational propagation below costs ~7 rational multiply-adds per weight and
    // box (tens of ms through 64×64 layers); the MPFI propagation of N10 (ReLU by N8.1) is
    // far cheaper. At 512 bits the sums of products of binary32/64 weights and dyadic box
    // centres stay exact through the usual depths, so an affine h keeps a point value and
    // gradient (N10.1).
    add_smooth_enclosure(net, first, last, box, center, std::max<mpfr_prec_t>(prec, 512), acc);
    return;
  }
  const std::size_t d = box.lo.size();
  propagate(net, first, last, box, center, [&](const Neuron& h) {
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

namespace {

// Exact pre-activation forms [c, g_1, .., g_d] (u = c + g·x) of the hidden units of
// grades 1..last on a box, from the certified signs of their inputs there (I8(f)): an
// input ReLU of sign +1 passes its form, of sign −1 gives 0, of sign 0 has none (a unit
// reading it has no exact form on the box). Computed on demand, each at most once.
class HiddenForms {
 public:
  HiddenForms(const DenseNetwork& net, int last, std::vector<signed char> sign)
      : sign_(std::move(sign)), d_(net.d) {
    long input = -1;  // the layer the next one reads (−1: x)
    std::size_t offset = 0;
    for (int k = 1; k <= last; ++k)
      for (const DenseLayer& l : net.blocks[static_cast<std::size_t>(k - 1)].layers) {
        Layer y{&l, offset, input, {}};
        y.row_start.assign(static_cast<std::size_t>(l.outputs) + 1, 0);
        for (const auto& e : l.weights) ++y.row_start[static_cast<std::size_t>(e.row) + 1];
        for (std::size_t r = 0; r < static_cast<std::size_t>(l.outputs); ++r)
          y.row_start[r + 1] += y.row_start[r];
        layer_of_.insert(layer_of_.end(), static_cast<std::size_t>(l.outputs), layers_.size());
        input = static_cast<long>(layers_.size());
        offset += static_cast<std::size_t>(l.outputs);
        layers_.push_back(std::move(y));
      }
    state_.assign(offset, 0);
    forms_.assign(offset, {});
  }
  std::size_t units() const { return state_.size(); }
  bool relu(std::size_t u) const { return layers_[layer_of_[u]].layer->relu; }
  signed char sign(std::size_t u) const { return u < sign_.size() ? sign_[u] : 0; }
  // The form of unit u, or null when it has none on the box.
  const std::vector<Q>* form(std::size_t u) {
    if (state_[u] == 0) state_[u] = compute(u) ? 1 : 2;
    return state_[u] == 1 ? &forms_[u] : nullptr;
  }

 private:
  struct Layer {
    const DenseLayer* layer;
    std::size_t offset;
    long input;                          // index into layers_, −1: x
    std::vector<std::size_t> row_start;  // weights are sorted by (row, col)
  };
  bool compute(std::size_t u) {
    const Layer& y = layers_[layer_of_[u]];
    const std::size_t r = u - y.offset, w = static_cast<std::size_t>(d_) + 1;
    std::vector<Q> f(w);
    f[0] = y.layer->bias[r];
    Q t;
    for (std::size_t k = y.row_start[r]; k < y.row_start[r + 1]; ++k) {
      const auto& e = y.layer->weights[k];
      const auto j = static_cast<std::size_t>(e.col);
      if (y.input < 0) {  // reads x_j
        f[1 + j] = f[1 + j] + e.value;
        continue;
      }
      const Layer& in = layers_[static_cast<std::size_t>(y.input)];
      const std::size_t v = in.offset + j;
      if (in.layer->relu && sign(v) < 0) continue;  // ReLU ≡ 0 on the box
      if (in.layer->relu && sign(v) == 0) return false;
      const std::vector<Q>* g = form(v);
      if (g == nullptr) return false;
      for (std::size_t i = 0; i < w; ++i)
        if ((*g)[i].sign() != 0) {
          mpq_mul(t.get(), e.value.get(), (*g)[i].get());
          mpq_add(f[i].get(), f[i].get(), t.get());
        }
    }
    forms_[u] = std::move(f);
    return true;
  }

  std::vector<signed char> sign_;
  int d_;
  std::vector<Layer> layers_;
  std::vector<std::size_t> layer_of_;
  std::vector<char> state_;  // 0: not computed, 1: forms_[u] holds it, 2: none
  std::vector<std::vector<Q>> forms_;
};

// The signs of the ReLU inputs on the box by MPFI (N10, N8.1); 256 bits keep the sums of
// products of binary32/64 weights and dyadic corners exact, so a sign is lost to
// rounding only for an input within 2^-256 of 0 (then it only counts as "may cross").
constexpr mpfr_prec_t kSignPrec = 256;

}  // namespace

void dense_axis_kinks(const DenseNetwork& net, int first, int last, const Box& box, int axis,
                      std::vector<Q>& out) {
  if (first > last || has_smooth_activation(net)) return;
  const auto a = static_cast<std::size_t>(axis);
  std::vector<signed char> sign;
  if (!dense_relu_signs(net, last, box, center_of(box), kSignPrec, sign)) return;
  HiddenForms forms(net, last, std::move(sign));
  for (std::size_t u = 0; u < forms.units(); ++u) {
    if (!forms.relu(u) || forms.sign(u) != 0) continue;
    const std::vector<Q>* f = forms.form(u);
    if (f == nullptr || (*f)[1 + a].sign() == 0) continue;
    bool only_a = true;
    for (std::size_t i = 0; i + 1 < f->size(); ++i) only_a = only_a && (i == a || (*f)[1 + i].sign() == 0);
    if (!only_a) continue;
    const Q t = -(*f)[0] / (*f)[1 + a];  // c + g_a x_a = 0
    if (box.lo[a] < t && t < box.hi[a]) out.push_back(t);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

bool dense_cell_lines(const DenseNetwork& net, int first, int last, const Box& cell,
                      std::vector<std::vector<Q>>& lines) {
  if (first > last) return true;
  if (has_smooth_activation(net)) return false;
  std::vector<signed char> sign;
  if (!dense_relu_signs(net, last, cell, center_of(cell), kSignPrec, sign)) return false;
  HiddenForms forms(net, last, std::move(sign));
  for (std::size_t u = 0; u < forms.units(); ++u) {
    if (!forms.relu(u) || forms.sign(u) != 0) continue;
    const std::vector<Q>* f = forms.form(u);
    if (f == nullptr) return false;  // its kink bends inside the cell
    lines.push_back(*f);
  }
  return true;
}

bool dense_affine_on(const DenseNetwork& net, int first, int last,
                     const std::vector<std::vector<Q>>& vertices, std::vector<Q>& h) {
  if (first > last) return true;
  if (has_smooth_activation(net) || vertices.empty()) return false;
  const std::size_t d = static_cast<std::size_t>(net.d), w = d + 1;
  if (h.size() != w) return false;
  std::vector<Q> f(d * w), g;  // form k: f[k w] + Σ_i f[k w + 1 + i] x_i
  for (std::size_t i = 0; i < d; ++i) f[i * w + 1 + i] = Q(1);
  Q t;
  auto apply_forms = [&](const DenseLayer& l) {
    g.assign(static_cast<std::size_t>(l.outputs) * w, Q());
    for (std::size_t r = 0; r < static_cast<std::size_t>(l.outputs); ++r) g[r * w] = l.bias[r];
    for (const auto& e : l.weights)
      for (std::size_t k = 0; k < w; ++k) {
        const Q& src = f[static_cast<std::size_t>(e.col) * w + k];
        if (src.sign() != 0) {  // dst += w·src in place
          Q& dst = g[static_cast<std::size_t>(e.row) * w + k];
          mpq_mul(t.get(), e.value.get(), src.get());
          mpq_add(dst.get(), dst.get(), t.get());
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
