// Exact interval propagation through a ReLU network (proofs/certification.md, C2).
//
// Every neuron carries a linear enclosure on the box B (center c, half-widths r):
// its exact value at c, a hull [glo, ghi] of its Clarke gradient over B, a
// range hull, and whether it is exactly affine on B. Rules:
//  - affine map y = Σ w_j u_j + b: values add exactly; hulls and ranges add as
//    intervals (Clarke sum rule ∂Σ ⊆ Σ∂); affine iff all inputs used are.
//  - ReLU of u: range >= 0: u itself; range <= 0: 0 (affine); else value
//    max(u(c), 0), gradient hull [0,1]·[glo, ghi] (chain rule for σ, whose
//    Clarke derivative lies in [0,1]), range [0, rhi], not affine.
// By the Lipschitz mean value theorem h(x) ∈ h(c) + [glo, ghi]·(x − c) on B.
#include "mgdl/certify/dense_correction.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <utility>

namespace mgdl::certify {

using num::Rational;

namespace {

struct Lin {
  Rational value;
  std::vector<Rational> glo, ghi;
  Rational rlo, rhi;
  bool affine = true;
};

// Tightens the range with value + gradient hull · [−r, r].
void tighten(Lin& u, const std::vector<Rational>& radius) {
  Rational spread(0);
  for (std::size_t i = 0; i < radius.size(); ++i) {
    Rational m = std::max(Rational(abs(u.glo[i])), Rational(abs(u.ghi[i])));
    spread += m * radius[i];
  }
  Rational lo = u.value - spread, hi = u.value + spread;
  if (u.affine) {
    u.rlo = lo;
    u.rhi = hi;
  } else {
    if (lo > u.rlo) u.rlo = lo;
    if (hi < u.rhi) u.rhi = hi;
  }
}

std::vector<Lin> apply_affine(const net::AffineLayer& layer, const std::vector<Lin>& in, std::size_t d,
                              const std::vector<Rational>& radius) {
  std::vector<Lin> out(static_cast<std::size_t>(layer.outputs));
  for (std::size_t r = 0; r < out.size(); ++r) {
    Lin& y = out[r];
    y.value = layer.bias[r];
    y.glo.assign(d, Rational(0));
    y.ghi.assign(d, Rational(0));
    y.rlo = layer.bias[r];
    y.rhi = layer.bias[r];
  }
  for (const auto& e : layer.weights) {
    Lin& y = out[static_cast<std::size_t>(e.row)];
    const Lin& u = in[static_cast<std::size_t>(e.col)];
    const Rational& w = e.value;
    y.value += w * u.value;
    const bool pos = w > 0;
    for (std::size_t i = 0; i < d; ++i) {
      y.glo[i] += w * (pos ? u.glo[i] : u.ghi[i]);
      y.ghi[i] += w * (pos ? u.ghi[i] : u.glo[i]);
    }
    y.rlo += w * (pos ? u.rlo : u.rhi);
    y.rhi += w * (pos ? u.rhi : u.rlo);
    y.affine = y.affine && u.affine;
  }
  for (Lin& y : out) tighten(y, radius);
  return out;
}

void apply_relu(std::vector<Lin>& v) {
  for (Lin& u : v) {
    if (u.rlo >= 0) continue;
    if (u.rhi <= 0) {
      u.value = 0;
      std::fill(u.glo.begin(), u.glo.end(), Rational(0));
      std::fill(u.ghi.begin(), u.ghi.end(), Rational(0));
      u.rlo = 0;
      u.rhi = 0;
      u.affine = true;
      continue;
    }
    if (u.value < 0) u.value = 0;
    for (std::size_t i = 0; i < u.glo.size(); ++i) {
      if (u.glo[i] > 0) u.glo[i] = 0;
      if (u.ghi[i] < 0) u.ghi[i] = 0;
    }
    u.rlo = 0;
    u.affine = false;
  }
}

// Runs the propagation for grades first..m on the box (the sum of their
// read-outs); `pre` sees every hidden neuron's pre-activation before its
// activation (and whether that is a ReLU).
Lin propagate(const net::MultigradeNetwork& network, int first, int m, const net::Box& box,
              const std::function<void(const Lin&, bool relu)>& pre) {
  const std::size_t d = static_cast<std::size_t>(box.dimension());
  std::vector<Rational> c = box.center();
  std::vector<Rational> radius(d);
  for (std::size_t i = 0; i < d; ++i) radius[i] = (box.hi[i] - box.lo[i]) / 2;
  std::vector<Lin> v(d);
  for (std::size_t i = 0; i < d; ++i) {
    v[i].value = c[i];
    v[i].glo.assign(d, Rational(0));
    v[i].glo[i] = 1;
    v[i].ghi = v[i].glo;
    v[i].rlo = box.lo[i];
    v[i].rhi = box.hi[i];
  }
  Lin sum;
  for (int k = 1; k <= m; ++k) {
    const net::GradeBlock& block = network.block(k);
    for (const net::AffineLayer& layer : block.layers) {
      v = apply_affine(layer, v, d, radius);
      if (pre)
        for (const Lin& u : v) pre(u, layer.activation == net::Activation::relu);
      if (layer.activation == net::Activation::relu) apply_relu(v);
    }
    if (k < first) continue;
    Lin out = apply_affine(block.readout, v, d, radius).at(0);
    if (k == first) {
      sum = std::move(out);
      continue;
    }
    // Sum rule (C2.2): values and hulls add; the range is re-tightened.
    sum.value += out.value;
    for (std::size_t i = 0; i < d; ++i) {
      sum.glo[i] += out.glo[i];
      sum.ghi[i] += out.ghi[i];
    }
    sum.rlo += out.rlo;
    sum.rhi += out.rhi;
    sum.affine = sum.affine && out.affine;
    tighten(sum, radius);
  }
  return sum;
}

}  // namespace

DenseCorrection::DenseCorrection(std::shared_ptr<const net::MultigradeNetwork> network, int m, int first)
    : network_(std::move(network)), grade_(m), first_(first == 0 ? m : first) {
  if (!network_ || m < 1 || m > network_->grades() || first_ < 1 || first_ > m)
    throw std::invalid_argument("dense correction: grade " + std::to_string(m) + " out of range");
}

namespace {
std::shared_ptr<const net::MultigradeNetwork> single(int dimension, net::GradeBlock block) {
  auto n = std::make_shared<net::MultigradeNetwork>(dimension);
  n->add_grade(std::move(block));
  return n;
}
}  // namespace

DenseCorrection::DenseCorrection(int dimension, net::GradeBlock block)
    : DenseCorrection(single(dimension, std::move(block)), 1) {}

int DenseCorrection::dimension() const {
  return network_->input_dimension();
}

Rational DenseCorrection::evaluate(const std::vector<Rational>& x) const {
  if (first_ == grade_) return network_->evaluate_grade(x, grade_);
  return network_->evaluate(x, grade_) - network_->evaluate(x, first_ - 1);
}

net::LinearEnclosure DenseCorrection::enclose(const net::Box& box) const {
  Lin h = propagate(*network_, first_, grade_, box, nullptr);
  net::LinearEnclosure out;
  out.value_at_center = std::move(h.value);
  out.gradient_lo = std::move(h.glo);
  out.gradient_hi = std::move(h.ghi);
  out.affine = h.affine;
  out.range_lo = std::move(h.rlo);
  out.range_hi = std::move(h.rhi);
  return out;
}

std::vector<Rational> DenseCorrection::axis_breakpoints(const net::Box& box, int axis) const {
  std::vector<Rational> out;
  const std::size_t a = static_cast<std::size_t>(axis);
  std::vector<Rational> c = box.center();
  propagate(*network_, first_, grade_, box, [&](const Lin& u, bool) {
    if (!u.affine || u.glo[a] == 0 || !(u.rlo < 0 && u.rhi > 0)) return;
    for (std::size_t i = 0; i < u.glo.size(); ++i)
      if (i != a && u.glo[i] != 0) return;
    // u(x) = value + g·(x_a − c_a) = 0.
    Rational t = c[a] - u.value / u.glo[a];
    if (t > box.lo[a] && t < box.hi[a]) out.push_back(std::move(t));
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// proofs/integration.md, Lemma I8(f): the zero lines of the ReLU inputs that
// are affine on the cell and take both signs there. A ReLU input that is not
// affine on the cell and may change sign there bends at a kink of an earlier
// neuron: its kink is not a line, and the cell is refused.
bool DenseCorrection::oblique_kinks(const net::Box& cell, std::vector<net::AffineForm>& out) const {
  const std::size_t d = static_cast<std::size_t>(dimension());
  if (cell.lo.size() != d || cell.hi.size() != d) return false;
  const std::vector<Rational> c = cell.center();
  bool ok = true;
  const std::size_t start = out.size();
  propagate(*network_, first_, grade_, cell, [&](const Lin& u, bool relu) {
    if (!ok || !relu || !(u.rlo < 0 && u.rhi > 0)) return;
    if (!u.affine) {
      ok = false;
      return;
    }
    net::AffineForm l;  // u(x) = value + g·(x − c)
    l.constant = u.value;
    l.gradient = u.glo;
    for (std::size_t i = 0; i < d; ++i) l.constant -= u.glo[i] * c[i];
    out.push_back(std::move(l));
  });
  if (!ok) out.resize(start);
  return ok;
}

// proofs/integration.md, Lemma I8(f): exact affine forms through the layers on
// the convex polygon conv(vertices); a ReLU input with one sign at every vertex
// has it on the polygon, so the ReLU is the identity or zero there.
bool DenseCorrection::add_affine_on(const net::Box& cell, const std::vector<std::vector<Rational>>& vertices,
                                    net::AffineForm& out) const {
  const std::size_t d = static_cast<std::size_t>(dimension()), w = d + 1;
  if (cell.lo.size() != d || vertices.empty()) return false;
  for (const auto& v : vertices)
    if (v.size() != d) return false;
  if (out.gradient.size() != d) out.gradient.resize(d, Rational(0));
  // Form k: f[k*w] + Σ_i f[k*w + 1 + i] x_i.
  std::vector<Rational> f(d * w, Rational(0)), g;
  for (std::size_t i = 0; i < d; ++i) f[i * w + 1 + i] = 1;
  auto apply = [&](const net::AffineLayer& layer, const std::vector<Rational>& in, std::vector<Rational>& y) {
    y.assign(static_cast<std::size_t>(layer.outputs) * w, Rational(0));
    for (std::size_t r = 0; r < static_cast<std::size_t>(layer.outputs); ++r) y[r * w] = layer.bias[r];
    for (const auto& e : layer.weights) {
      Rational* dst = &y[static_cast<std::size_t>(e.row) * w];
      const Rational* src = &in[static_cast<std::size_t>(e.col) * w];
      for (std::size_t k = 0; k < w; ++k)
        if (src[k] != 0) dst[k] += e.value * src[k];
    }
  };
  auto sign_on = [&](const Rational* form) {  // 1: >= 0 at every vertex, −1: <= 0, 0: both signs
    bool nonneg = true, nonpos = true;
    for (const auto& v : vertices) {
      Rational x = form[0];
      for (std::size_t i = 0; i < d; ++i)
        if (form[1 + i] != 0) x += form[1 + i] * v[i];
      nonneg = nonneg && x.sign() >= 0;
      nonpos = nonpos && x.sign() <= 0;
    }
    return nonneg ? 1 : nonpos ? -1 : 0;
  };
  for (int k = 1; k <= grade_; ++k) {
    const net::GradeBlock& block = network_->block(k);
    for (const net::AffineLayer& layer : block.layers) {
      apply(layer, f, g);
      if (layer.activation == net::Activation::relu) {
        for (std::size_t r = 0; r < static_cast<std::size_t>(layer.outputs); ++r) {
          const int s = sign_on(&g[r * w]);
          if (s == 0) return false;
          if (s < 0)
            std::fill(g.begin() + static_cast<std::ptrdiff_t>(r * w),
                      g.begin() + static_cast<std::ptrdiff_t>((r + 1) * w), Rational(0));
        }
      } else if (layer.activation != net::Activation::identity) {
        return false;
      }
      f.swap(g);
    }
    if (k < first_) continue;
    apply(block.readout, f, g);
    out.constant += g[0];
    for (std::size_t i = 0; i < d; ++i) out.gradient[i] += g[1 + i];
  }
  return true;
}

std::vector<net::Box> DenseCorrection::support_boxes() const {
  return {net::Box::unit(dimension())};
}

std::size_t DenseCorrection::active_units() const {
  std::size_t n = 0;
  for (int k = first_; k <= grade_; ++k)
    for (const auto& layer : network_->block(k).layers) n += static_cast<std::size_t>(layer.outputs);
  return n;
}

net::GradeBlock DenseCorrection::realise() const {
  if (first_ != grade_) throw std::logic_error("dense correction: a sum of grades has no single block");
  return network_->block(grade_);
}

}  // namespace mgdl::certify
