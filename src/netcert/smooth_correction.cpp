// Ball propagation (proofs/networks.md, N8). Each neuron u on a box B with
// centre c carries balls V ∋ u(c), G_i ⊇ {∂_i u(x) : x ∈ B} (a generalised
// gradient hull for relu) and Rg ⊇ u(B). Affine maps act on all three by
// ball arithmetic (C0); an activation σ maps V to σ(V), Rg to σ(Rg) and G to
// σ'(Rg)·G (chain rule; for relu σ' ∈ [0, 1] on a range that meets 0).
// Rg is intersected with V + Σ G_i·[−r_i, r_i] (mean value theorem).
#include "mgdl/netcert/smooth_correction.hpp"

#include <mutex>
#include <stdexcept>

#include "kink_forms.hpp"
#include "piece_table.hpp"

namespace mgdl::netcert {

using num::Ball;
using num::Rational;

namespace {

struct Unit {
  Ball value, range;
  std::vector<Ball> grad;
  bool affine = true;  // every ReLU before it has a certain sign on the box, no smooth activation
};

// out ⊇ σ(x) and, when deriv is not null, *deriv ⊇ σ'(x).
void activate(net::Activation a, const Ball& x, Ball& out, Ball* deriv, slong prec) {
  switch (a) {
    case net::Activation::identity:
      out = x;
      if (deriv) arb_one(deriv->arb());
      return;
    case net::Activation::relu:
      if (arb_is_nonnegative(x.arb())) {
        out = x;
        if (deriv) arb_one(deriv->arb());
      } else if (arb_is_nonpositive(x.arb())) {
        arb_zero(out.arb());
        if (deriv) arb_zero(deriv->arb());
      } else {
        Ball zero;
        arb_max(out.arb(), x.arb(), zero.arb(), prec);
        if (deriv) {  // [0, 1]
          arb_set_d(deriv->arb(), 0.5);
          mag_set_d(arb_radref(deriv->arb()), 0.5);
        }
      }
      return;
    case net::Activation::tanh:
      arb_tanh(out.arb(), x.arb(), prec);
      if (deriv) {  // 1 − tanh²
        arb_sqr(deriv->arb(), out.arb(), prec);
        arb_neg(deriv->arb(), deriv->arb());
        arb_add_ui(deriv->arb(), deriv->arb(), 1, prec);
      }
      return;
    case net::Activation::sigmoid: {
      // 1 / (1 + e^{−x}); σ' = σ(1 − σ).
      Ball e;
      arb_neg(e.arb(), x.arb());
      arb_exp(e.arb(), e.arb(), prec);
      arb_add_ui(e.arb(), e.arb(), 1, prec);
      arb_inv(out.arb(), e.arb(), prec);
      if (deriv) {
        Ball one_minus;
        arb_sub_ui(one_minus.arb(), out.arb(), 1, prec);
        arb_neg(one_minus.arb(), one_minus.arb());
        arb_mul(deriv->arb(), out.arb(), one_minus.arb(), prec);
      }
      return;
    }
    case net::Activation::sin:
      arb_sin(out.arb(), x.arb(), prec);
      if (deriv) arb_cos(deriv->arb(), x.arb(), prec);
      return;
  }
}

static_assert(sizeof(Ball) == sizeof(arb_struct), "Ball is laid out as one arb_struct");
arb_srcptr raw(const std::vector<Ball>& v, std::size_t at = 0) {
  return reinterpret_cast<arb_srcptr>(v.data() + at);
}

}  // namespace

// A layer's weights and biases as balls, once (they are exact for binary32/64
// weights at kBallPrec; other rationals get a ball of radius 2^-kBallPrec, which
// still encloses them at any working precision). Dense row-major when the layer
// is dense enough for arb_dot, which is several times faster than a loop of
// arb_addmul.
struct LayerBalls {
  bool dense = false;
  std::vector<Ball> w;  // outputs × inputs, row-major (dense only)
  std::vector<Ball> bias;
};
struct NetworkBalls {
  std::vector<std::vector<LayerBalls>> grades;  // per grade: its hidden layers, then the read-out
};

namespace {

constexpr slong kBallPrec = 256;

LayerBalls layer_balls(const net::AffineLayer& layer) {
  LayerBalls b;
  const auto rows = static_cast<std::size_t>(layer.outputs), cols = static_cast<std::size_t>(layer.inputs);
  for (const Rational& v : layer.bias) b.bias.push_back(Ball::from_rational(v, kBallPrec));
  b.dense = rows * cols <= 4 * layer.weights.size() + 16;
  if (!b.dense) return b;
  b.w.assign(rows * cols, Ball());
  for (const auto& e : layer.weights) {
    Ball& w = b.w[static_cast<std::size_t>(e.row) * cols + static_cast<std::size_t>(e.col)];
    arb_add(w.arb(), w.arb(), Ball::from_rational(e.value, kBallPrec).arb(), kBallPrec);
  }
  return b;
}

std::vector<Unit> affine(const net::AffineLayer& layer, const std::vector<Unit>& in,
                         const std::vector<Ball>& radius, slong prec, const LayerBalls* balls) {
  const std::size_t d = radius.size();
  std::vector<Unit> out(static_cast<std::size_t>(layer.outputs));
  for (std::size_t r = 0; r < out.size(); ++r) {
    out[r].value = balls ? balls->bias[r] : Ball::from_rational(layer.bias[r], prec);
    out[r].range = out[r].value;
    out[r].grad.assign(d, Ball());
  }
  Ball w, t;
  for (const auto& e : layer.weights)
    out[static_cast<std::size_t>(e.row)].affine =
        out[static_cast<std::size_t>(e.row)].affine && in[static_cast<std::size_t>(e.col)].affine;
  if (balls && balls->dense && in.size() == static_cast<std::size_t>(layer.inputs)) {
    // Gather the inputs into contiguous arrays, then one arb_dot per output and quantity.
    const std::size_t cols = in.size();
    std::vector<Ball> iv(cols), ir(cols), ig(cols * d);
    for (std::size_t c = 0; c < cols; ++c) {
      iv[c] = in[c].value;
      ir[c] = in[c].range;
      for (std::size_t i = 0; i < d; ++i) ig[c * d + i] = in[c].grad[i];
    }
    for (std::size_t r = 0; r < out.size(); ++r) {
      Unit& y = out[r];
      arb_srcptr row = raw(balls->w, r * cols);
      arb_dot(y.value.arb(), y.value.arb(), 0, row, 1, raw(iv), 1, static_cast<slong>(cols), prec);
      arb_dot(y.range.arb(), y.range.arb(), 0, row, 1, raw(ir), 1, static_cast<slong>(cols), prec);
      for (std::size_t i = 0; i < d; ++i)
        arb_dot(y.grad[i].arb(), nullptr, 0, row, 1, raw(ig, i), static_cast<slong>(d),
                static_cast<slong>(cols), prec);
    }
  } else {
    for (const auto& e : layer.weights) {
      Unit& y = out[static_cast<std::size_t>(e.row)];
      const Unit& u = in[static_cast<std::size_t>(e.col)];
      w = Ball::from_rational(e.value, prec);
      arb_addmul(y.value.arb(), w.arb(), u.value.arb(), prec);
      arb_addmul(y.range.arb(), w.arb(), u.range.arb(), prec);
      for (std::size_t i = 0; i < d; ++i) arb_addmul(y.grad[i].arb(), w.arb(), u.grad[i].arb(), prec);
    }
  }
  for (Unit& y : out) {
    Ball spread = y.value;
    for (std::size_t i = 0; i < d; ++i) {
      arb_mul(t.arb(), y.grad[i].arb(), radius[i].arb(), prec);
      arb_add_error(spread.arb(), t.arb());  // + G_i·[−r_i, r_i] ⊆ ± |G_i| r_i
    }
    Ball both;
    if (arb_intersection(both.arb(), spread.arb(), y.range.arb(), prec)) y.range = both;
  }
  return out;
}

void apply_activation(net::Activation a, std::vector<Unit>& v, slong prec) {
  if (a == net::Activation::identity) return;
  Ball deriv, tmp;
  const bool smooth = !net::piecewise_linear(a);
  for (Unit& u : v) {
    // N8.1: relu is affine on the box exactly when its input has a certain sign there.
    if (smooth || (a == net::Activation::relu && !arb_is_nonnegative(u.range.arb()) &&
                   !arb_is_nonpositive(u.range.arb())))
      u.affine = false;
    activate(a, u.value, tmp, nullptr, prec);
    u.value = tmp;
    activate(a, u.range, tmp, &deriv, prec);
    u.range = tmp;
    for (Ball& g : u.grad) arb_mul(g.arb(), g.arb(), deriv.arb(), prec);
  }
}

// The sum of grades first..m's read-outs on the box (or at a point when lo == hi).
Unit propagate(const net::MultigradeNetwork& net, int first, int m, const net::Box& box, slong prec,
               const NetworkBalls* balls) {
  const std::size_t d = static_cast<std::size_t>(box.dimension());
  std::vector<Rational> c = box.center();
  std::vector<Ball> radius(d);
  std::vector<Unit> v(d);
  for (std::size_t i = 0; i < d; ++i) {
    radius[i] = Ball::from_rational((box.hi[i] - box.lo[i]) / 2, prec);
    v[i].value = Ball::from_rational(c[i], prec);
    v[i].range = Ball::from_interval(box.lo[i], box.hi[i], prec);
    v[i].grad.assign(d, Ball());
    arb_one(v[i].grad[i].arb());
  }
  Unit sum;
  for (int k = 1; k <= m; ++k) {
    const net::GradeBlock& block = net.block(k);
    const std::vector<LayerBalls>* gb = balls ? &balls->grades[static_cast<std::size_t>(k - 1)] : nullptr;
    for (std::size_t l = 0; l < block.layers.size(); ++l) {
      v = affine(block.layers[l], v, radius, prec, gb ? &(*gb)[l] : nullptr);
      apply_activation(block.layers[l].activation, v, prec);
    }
    if (k < first) continue;
    std::vector<Unit> out = affine(block.readout, v, radius, prec, gb ? &gb->back() : nullptr);
    apply_activation(block.readout.activation, out, prec);
    if (k == first) {
      sum = std::move(out.at(0));
      continue;
    }
    sum.affine = sum.affine && out[0].affine;
    arb_add(sum.value.arb(), sum.value.arb(), out[0].value.arb(), prec);
    arb_add(sum.range.arb(), sum.range.arb(), out[0].range.arb(), prec);
    for (std::size_t i = 0; i < d; ++i)
      arb_add(sum.grad[i].arb(), sum.grad[i].arb(), out[0].grad[i].arb(), prec);
  }
  return sum;
}

// The most pieces the piece table may hold, and the most exact multiply-adds
// its construction may cost (a few seconds), before it is given up (N9).
constexpr std::size_t kMaxPieces = std::size_t(1) << 16;
constexpr double kMaxWork = 1e8;

}  // namespace

class SharedPieces {
 public:
  explicit SharedPieces(std::shared_ptr<const net::MultigradeNetwork> n) : network(std::move(n)) {}
  // The pieces of all grades, or null (not 1D, not piecewise linear, over budget).
  const detail::NetworkPieces* get() {
    std::call_once(once, [this] {
      ok = network->piecewise_linear() && pieces.build(*network, network->grades(), kMaxPieces, kMaxWork);
    });
    return ok ? &pieces : nullptr;
  }
  // Every layer's weights as balls (N8), built on first use.
  const NetworkBalls* balls() {
    std::call_once(balls_once, [this] {
      for (int k = 1; k <= network->grades(); ++k) {
        std::vector<LayerBalls> g;
        for (const net::AffineLayer& layer : network->block(k).layers) g.push_back(layer_balls(layer));
        g.push_back(layer_balls(network->block(k).readout));
        all_balls.grades.push_back(std::move(g));
      }
    });
    return &all_balls;
  }
  std::shared_ptr<const net::MultigradeNetwork> network;

 private:
  std::once_flag once, balls_once;
  bool ok = false;
  detail::NetworkPieces pieces;
  NetworkBalls all_balls;
};

std::shared_ptr<SharedPieces> shared_pieces(std::shared_ptr<const net::MultigradeNetwork> network) {
  if (!network) throw std::invalid_argument("shared pieces: no network");
  return std::make_shared<SharedPieces>(std::move(network));
}

struct SmoothCorrection::Pieces {
  std::once_flag once;
  bool ok = false;
  detail::PieceTable table;
};

SmoothCorrection::SmoothCorrection(std::shared_ptr<const net::MultigradeNetwork> network, int m, int first,
                                   std::shared_ptr<SharedPieces> shared)
    : network_(std::move(network)), grade_(m), first_(first == 0 ? m : first), shared_(std::move(shared)) {
  if (!network_ || m < 1 || m > network_->grades() || first_ < 1 || first_ > m)
    throw std::invalid_argument("smooth correction: grade " + std::to_string(m) + " out of range");
  if (shared_ && shared_->network != network_)
    throw std::invalid_argument("smooth correction: the shared pieces belong to another network");
  if (network_->piecewise_linear()) {
    exact_ = std::make_shared<certify::DenseCorrection>(network_, m, first_);
    if (network_->input_dimension() >= 2) kinks_ = std::make_shared<detail::KinkForms>(network_, first_, m);
  }
  pieces_ = std::make_shared<Pieces>();
}

const detail::PieceTable* SmoothCorrection::pieces() const {
  if (!exact_ || dimension() != 1) return nullptr;
  std::call_once(pieces_->once, [this] {
    if (!shared_) {
      pieces_->ok = pieces_->table.build(*network_, first_, grade_, kMaxPieces, kMaxWork);
    } else if (const detail::NetworkPieces* all = shared_->get()) {
      pieces_->ok = all->table(first_, grade_, pieces_->table);
    }
  });
  return pieces_->ok ? &pieces_->table : nullptr;
}

namespace {
bool in_unit_interval(const net::Box& box) {
  return box.lo.size() == 1 && box.hi.size() == 1 && box.lo[0] >= 0 && box.lo[0] <= box.hi[0] &&
         box.hi[0] <= 1;
}
}  // namespace

Rational SmoothCorrection::evaluate(const std::vector<Rational>& x) const {
  if (const detail::PieceTable* t = pieces(); t != nullptr && x.size() == 1 && x[0] >= 0 && x[0] <= 1)
    return t->value(x[0]);
  if (exact_) return exact_->evaluate(x);
  throw std::domain_error("smooth correction: no exact value (use evaluate_ball)");
}

net::LinearEnclosure SmoothCorrection::enclose(const net::Box& box) const {
  if (const detail::PieceTable* t = pieces(); t != nullptr && in_unit_interval(box))
    return t->enclose(box.lo[0], box.hi[0]);
  if (exact_) return exact_->enclose(box);
  throw std::domain_error("smooth correction: no exact enclosure (use enclose_balls)");
}

std::vector<Rational> SmoothCorrection::first_axis_breakpoints(const net::Box& box, int axis,
                                                               std::size_t limit) const {
  // N9: the kinks of h in the open box are the table's points inside it.
  if (const detail::PieceTable* t = pieces(); t != nullptr && axis == 0 && in_unit_interval(box))
    return t->kinks_in(box.lo[0], box.hi[0], limit);
  return Correction::first_axis_breakpoints(box, axis, limit);
}

std::vector<Rational> SmoothCorrection::axis_breakpoints(const net::Box& box, int axis) const {
  if (const detail::PieceTable* t = pieces(); t != nullptr && axis == 0 && in_unit_interval(box))
    return t->kinks_in(box.lo[0], box.hi[0], t->kinks().size());
  if (kinks_) return kinks_->axis_breakpoints(box, axis);
  return exact_ ? exact_->axis_breakpoints(box, axis) : std::vector<Rational>{};
}

bool SmoothCorrection::has_axis_breakpoints(const net::Box& box, int axis) const {
  return !first_axis_breakpoints(box, axis, 1).empty();
}

bool SmoothCorrection::oblique_kinks(const net::Box& cell, std::vector<net::AffineForm>& out) const {
  return kinks_ && kinks_->oblique_kinks(cell, out);
}

bool SmoothCorrection::add_affine_on(const net::Box& cell, const std::vector<std::vector<Rational>>& vertices,
                                     net::AffineForm& out) const {
  return kinks_ && kinks_->add_affine_on(cell, vertices, out);
}

num::Ball SmoothCorrection::evaluate_ball(const std::vector<Rational>& x, slong prec) const {
  if (exact_) return Ball::from_rational(evaluate(x), prec);
  net::Box point{x, x};
  return propagate(*network_, first_, grade_, point, prec, shared_ ? shared_->balls() : nullptr).value;
}

void SmoothCorrection::enclose_balls(const net::Box& box, slong prec, net::BallEnclosure& out) const {
  if (const detail::PieceTable* t = pieces(); t != nullptr && in_unit_interval(box)) {
    t->enclose_balls(box.lo[0], box.hi[0], prec, out);  // N9
    return;
  }
  Unit h = propagate(*network_, first_, grade_, box, prec, shared_ ? shared_->balls() : nullptr);
  out.value_at_center = std::move(h.value);
  out.gradient = std::move(h.grad);
  out.range = std::move(h.range);
  out.affine = h.affine;
}

std::size_t SmoothCorrection::active_units() const {
  std::size_t n = 0;
  for (int k = first_; k <= grade_; ++k)
    for (const auto& layer : network_->block(k).layers) n += static_cast<std::size_t>(layer.outputs);
  return n;
}

}  // namespace mgdl::netcert
