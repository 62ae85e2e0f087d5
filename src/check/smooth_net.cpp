// proofs/networks.md, Lemma N10: interval forward mode through a dense
// network. Each neuron u on a box B with centre c and half-widths r carries
// intervals V ∋ u(c), G_i ⊇ {∂_i u(x) : x ∈ B} (a Clarke hull at ReLU kinks)
// and R ⊇ u(B), and whether u is affine on B. An affine map acts on all of them
// by MPFI arithmetic with the exact rational weights, then R ∩= V + Σ G_i·[−r_i, r_i]
// (mean value theorem); an activation σ maps V to σ(V), R to σ(R) ∩ σ(ℝ) and
// G_i to σ'(R)·G_i, with σ'(R) ⊇ {σ'(z) : z ∈ R} (1 − tanh², 1/4 − (σ − 1/2)², cos).
#include "smooth_net.hpp"

#include <stdexcept>

#include "dense.hpp"

namespace mgdl::check {
namespace {

struct Unit {
  I value, range;
  std::vector<I> grad;
  bool affine = true;
  Unit(mpfr_prec_t p, std::size_t d) : value(p), range(p), grad(d, I(p)) {}
};

// x := x ∩ [lo, hi] (σ(ℝ) ⊆ [lo, hi]); kept when the intersection would be empty
// (it cannot be: both contain the true values).
void clamp(I& x, long lo, long hi, I& tmp) {
  mpfi_interv_si(tmp.get(), lo, hi);
  mpfi_intersect(tmp.get(), tmp.get(), x.get());
  if (!mpfi_is_empty(tmp.get())) mpfi_swap(x.get(), tmp.get());
}

// out ⊇ σ(x) and, when deriv is not null, *deriv ⊇ σ'(x) (N10).
void activate(Smooth s, const I& x, I& out, I* deriv, I& tmp) {
  switch (s) {
    case Smooth::tanh:
      mpfi_tanh(out.get(), x.get());
      clamp(out, -1, 1, tmp);
      if (deriv != nullptr) {  // 1 − tanh², with tanh(x) ∈ out
        mpfi_sqr(deriv->get(), out.get());
        mpfi_ui_sub(deriv->get(), 1, deriv->get());
        clamp(*deriv, 0, 1, tmp);
      }
      return;
    case Smooth::sigmoid:
      // σ(x) = 1 / (1 + e^{−x}); σ' = σ(1 − σ) = 1/4 − (σ − 1/2)².
      mpfi_neg(out.get(), x.get());
      mpfi_exp(out.get(), out.get());
      mpfi_add_ui(out.get(), out.get(), 1);
      mpfi_ui_div(out.get(), 1, out.get());
      clamp(out, 0, 1, tmp);
      if (deriv != nullptr) {
        mpfi_set_ui(tmp.get(), 1);
        mpfi_div_2ui(tmp.get(), tmp.get(), 1);  // 1/2, exact
        mpfi_sub(deriv->get(), out.get(), tmp.get());
        mpfi_sqr(deriv->get(), deriv->get());
        mpfi_div_2ui(tmp.get(), tmp.get(), 1);  // 1/4
        mpfi_sub(deriv->get(), tmp.get(), deriv->get());
        clamp(*deriv, 0, 1, tmp);
      }
      return;
    case Smooth::sin:
      mpfi_sin(out.get(), x.get());
      clamp(out, -1, 1, tmp);
      if (deriv != nullptr) {
        mpfi_cos(deriv->get(), x.get());
        clamp(*deriv, -1, 1, tmp);
      }
      return;
    case Smooth::none:
      break;
  }
  throw std::logic_error("smooth network: not a smooth activation");
}

// [max(a, 0), max(b, 0)] for x = [a, b].
void positive_part(I& x) {
  if (mpfr_sgn(x.left()) < 0) mpfr_set_ui(x.left(), 0, MPFR_RNDD);
  if (mpfr_sgn(x.right()) < 0) mpfr_set_ui(x.right(), 0, MPFR_RNDU);
}

// out := x·q, outward. A dyadic q = n/2^k (every binary32/64 weight) multiplies by the
// integer n and shifts, which MPFR does without the division of mpfr_mul_q.
void mul_weight(I& out, const I& x, const Q& q) {
  mpz_srcptr den = mpq_denref(q.get());
  const mp_bitcnt_t k = mpz_scan1(den, 0);
  if (mpz_sizeinbase(den, 2) == k + 1) {  // den = 2^k
    mpfi_mul_z(out.get(), x.get(), mpq_numref(q.get()));
    mpfi_div_2ui(out.get(), out.get(), k);
  } else {
    mpfi_mul_q(out.get(), x.get(), q.get());
  }
}

class Propagation {
 public:
  Propagation(std::size_t d, mpfr_prec_t prec, bool gradients)
      : d_(d), prec_(prec), gradients_(gradients), w_(prec), t_(prec), u_(prec), deriv_(prec) {}

  std::vector<Unit> affine(const DenseLayer& layer, const std::vector<Unit>& in,
                           const std::vector<I>& radius) {
    std::vector<Unit> out;
    out.reserve(static_cast<std::size_t>(layer.outputs));
    for (int r = 0; r < layer.outputs; ++r) {
      out.emplace_back(prec_, gradients_ ? d_ : 0);
      set_interval(out.back().value, layer.bias[static_cast<std::size_t>(r)]);
      mpfi_set(out.back().range.get(), out.back().value.get());
      for (I& g : out.back().grad) mpfi_set_ui(g.get(), 0);
    }
    for (const auto& e : layer.weights) {
      Unit& y = out[static_cast<std::size_t>(e.row)];
      const Unit& u = in[static_cast<std::size_t>(e.col)];
      mul_weight(t_, u.value, e.value);
      mpfi_add(y.value.get(), y.value.get(), t_.get());
      mul_weight(t_, u.range, e.value);
      mpfi_add(y.range.get(), y.range.get(), t_.get());
      for (std::size_t i = 0; i < y.grad.size(); ++i) {
        mul_weight(t_, u.grad[i], e.value);
        mpfi_add(y.grad[i].get(), y.grad[i].get(), t_.get());
      }
      y.affine = y.affine && u.affine;
    }
    if (gradients_)
      for (Unit& y : out) {
        mpfi_set(u_.get(), y.value.get());
        for (std::size_t i = 0; i < d_; ++i) {
          mpfi_mul(t_.get(), y.grad[i].get(), radius[i].get());
          mpfi_add(u_.get(), u_.get(), t_.get());
        }
        mpfi_intersect(t_.get(), u_.get(), y.range.get());
        if (!mpfi_is_empty(t_.get())) mpfi_set(y.range.get(), t_.get());
      }
    return out;
  }

  void activation(const DenseLayer& layer, std::vector<Unit>& v) {
    if (layer.smooth != Smooth::none) {
      for (Unit& u : v) {
        u.affine = false;
        activate(layer.smooth, u.value, t_, nullptr, w_);
        mpfi_swap(u.value.get(), t_.get());
        activate(layer.smooth, u.range, t_, gradients_ ? &deriv_ : nullptr, w_);
        mpfi_swap(u.range.get(), t_.get());
        for (I& g : u.grad) mpfi_mul(g.get(), g.get(), deriv_.get());
      }
      return;
    }
    if (!layer.relu) return;
    for (Unit& u : v) {
      // Clarke (C2.2): the identity where u >= 0 on B, zero where u <= 0, else
      // max(·, 0) with gradient hull conv({0} ∪ G_i), not affine.
      if (mpfr_sgn(u.range.left()) >= 0) continue;
      if (mpfr_sgn(u.range.right()) <= 0) {
        mpfi_set_ui(u.value.get(), 0);
        mpfi_set_ui(u.range.get(), 0);
        for (I& g : u.grad) mpfi_set_ui(g.get(), 0);
        u.affine = true;
        continue;
      }
      positive_part(u.value);
      positive_part(u.range);
      for (I& g : u.grad) {
        if (mpfr_sgn(g.left()) > 0) mpfr_set_ui(g.left(), 0, MPFR_RNDD);
        if (mpfr_sgn(g.right()) < 0) mpfr_set_ui(g.right(), 0, MPFR_RNDU);
      }
      u.affine = false;
    }
  }

  // The hidden units of grades 1..last in order: the sign of each pre-activation on the
  // box (+1: >= 0, −1: <= 0, 0: may change sign); false when a range is not finite.
  bool signs(const DenseNetwork& net, int last, std::vector<Unit> v, const std::vector<I>& radius,
             std::vector<signed char>& sign) {
    sign.clear();
    for (int k = 1; k <= last; ++k)
      for (const DenseLayer& l : net.blocks.at(static_cast<std::size_t>(k - 1)).layers) {
        v = affine(l, v, radius);
        for (const Unit& u : v) {
          if (!finite(u.range)) return false;
          sign.push_back(mpfr_sgn(u.range.left()) >= 0 ? 1 : mpfr_sgn(u.range.right()) <= 0 ? -1 : 0);
        }
        activation(l, v);
      }
    return true;
  }

  // The sum of grades first..last's read-outs (N10.1): V, G_i, R added.
  Unit run(const DenseNetwork& net, int first, int last, std::vector<Unit> v, const std::vector<I>& radius) {
    Unit sum(prec_, gradients_ ? d_ : 0);
    mpfi_set_ui(sum.value.get(), 0);
    mpfi_set_ui(sum.range.get(), 0);
    for (I& g : sum.grad) mpfi_set_ui(g.get(), 0);
    for (int k = 1; k <= last; ++k) {
      const DenseBlock& b = net.blocks.at(static_cast<std::size_t>(k - 1));
      for (const DenseLayer& l : b.layers) {
        v = affine(l, v, radius);
        activation(l, v);
      }
      if (k < first) continue;
      std::vector<Unit> out = affine(b.readout, v, radius);
      activation(b.readout, out);
      const Unit& h = out.at(0);
      mpfi_add(sum.value.get(), sum.value.get(), h.value.get());
      mpfi_add(sum.range.get(), sum.range.get(), h.range.get());
      for (std::size_t i = 0; i < sum.grad.size(); ++i)
        mpfi_add(sum.grad[i].get(), sum.grad[i].get(), h.grad[i].get());
      sum.affine = sum.affine && h.affine;
    }
    return sum;
  }

 private:
  std::size_t d_;
  mpfr_prec_t prec_;
  bool gradients_;
  I w_, t_, u_, deriv_;
};

Q lower_q(const I& x) {
  Q q;
  mpfr_get_q(q.get(), x.left());
  return q;
}
Q upper_q(const I& x) {
  Q q;
  mpfr_get_q(q.get(), x.right());
  return q;
}

bool bounded(const Unit& u) {
  if (!finite(u.value) || !finite(u.range)) return false;
  for (const I& g : u.grad)
    if (!finite(g)) return false;
  return true;
}

}  // namespace

bool has_smooth_activation(const DenseNetwork& net) {
  for (const DenseBlock& b : net.blocks) {
    if (b.readout.smooth != Smooth::none) return true;
    for (const DenseLayer& l : b.layers)
      if (l.smooth != Smooth::none) return true;
  }
  return false;
}

void smooth_value(const DenseNetwork& net, const std::vector<Q>& x, int first, int last, I& out) {
  const mpfr_prec_t prec = out.prec();
  Propagation p(x.size(), prec, false);
  std::vector<Unit> v;
  for (const Q& xi : x) {
    v.emplace_back(prec, 0);
    set_interval(v.back().value, xi);
    mpfi_set(v.back().range.get(), v.back().value.get());
  }
  Unit h = p.run(net, first, last, std::move(v), {});
  mpfi_set(out.get(), h.value.get());
}

namespace {

// The inputs x on the box: value at the centre, range, unit gradient; radius ±r_i.
std::vector<Unit> box_inputs(const Box& box, const std::vector<Q>& center, mpfr_prec_t prec,
                             std::vector<I>& radius) {
  const std::size_t d = box.lo.size();
  radius.assign(d, I(prec));
  std::vector<Unit> v;
  for (std::size_t i = 0; i < d; ++i) {
    const Q r = center[i] - box.lo[i];
    set_interval(radius[i], -r, r);
    v.emplace_back(prec, d);
    set_interval(v[i].value, center[i]);
    set_interval(v[i].range, box.lo[i], box.hi[i]);
    for (std::size_t j = 0; j < d; ++j) mpfi_set_ui(v[i].grad[j].get(), i == j ? 1 : 0);
  }
  return v;
}

}  // namespace

bool dense_relu_signs(const DenseNetwork& net, int last, const Box& box, const std::vector<Q>& center,
                      mpfr_prec_t prec, std::vector<signed char>& sign) {
  std::vector<I> radius;
  std::vector<Unit> v = box_inputs(box, center, prec, radius);
  Propagation p(box.lo.size(), prec, true);
  return p.signs(net, last, std::move(v), radius, sign);
}

void add_smooth_enclosure(const DenseNetwork& net, int first, int last, const Box& box,
                          const std::vector<Q>& center, mpfr_prec_t prec, CorrectionEnclosure& acc) {
  if (first > last) return;
  const std::size_t d = box.lo.size();
  Propagation p(d, prec, true);
  std::vector<I> radius;
  std::vector<Unit> v = box_inputs(box, center, prec, radius);
  const Unit h = p.run(net, first, last, std::move(v), radius);
  // Bounded in practice (every activation output is); an overflow is a defect, not a claim.
  if (!bounded(h)) throw std::runtime_error("smooth network: an interval enclosure is not finite");
  const Q vlo = lower_q(h.value), vhi = upper_q(h.value);
  const Q half(1, 2);
  acc.value = acc.value + (vlo + vhi) * half;
  acc.value_radius = acc.value_radius + (vhi - vlo) * half;
  acc.lo = acc.lo + lower_q(h.range);
  acc.hi = acc.hi + upper_q(h.range);
  for (std::size_t i = 0; i < d; ++i) {
    acc.glo[i] = acc.glo[i] + lower_q(h.grad[i]);
    acc.ghi[i] = acc.ghi[i] + upper_q(h.grad[i]);
  }
  // Affine rules (G<n>, Z, the midpoint rule) read the value and the gradient as exact:
  // claim "affine" only when MPFI kept them points (a bias like 1/3 after ReLUs that are
  // off on B gives an affine h with a rounded value; N10.1).
  bool exact = vlo == vhi;
  for (std::size_t i = 0; i < d; ++i) exact = exact && mpfr_equal_p(h.grad[i].left(), h.grad[i].right()) != 0;
  acc.affine = acc.affine && h.affine && exact;
}

}  // namespace mgdl::check
