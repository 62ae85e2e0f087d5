// proofs/integration.md, Lemma I8(f) with the signs of N8/N8.1 (proofs/networks.md).
#include "kink_forms.hpp"

#include <algorithm>
#include <stdexcept>

namespace mgdl::netcert::detail {

using num::Ball;
using num::Rational;

static_assert(sizeof(Ball) == sizeof(arb_struct), "Ball is laid out as one arb_struct");

namespace {
constexpr slong kPrec = 128;
constexpr std::size_t kMaxPatterns = 1u << 20;  // the memo is cleared beyond this
}  // namespace

std::atomic<std::uint64_t> KinkForms::next_id_{1};

// Per unit u (pre-activation: value at the centre, gradient hull, range; the
// output after the activation likewise), its state on the cell (+1: ReLU input
// >= 0 there, −1: <= 0, 0: may cross, 2: identity) and whether it is affine.
struct KinkForms::Cell {
  std::uint64_t owner = 0;
  net::Box box;
  std::vector<Ball> radius;
  std::vector<Ball> pv, pr, pg;   // pre-activation value, range, gradient (u*d + i)
  std::vector<Ball> ov, orr, og;  // output
  std::vector<signed char> state;
  std::vector<char> pre_affine, out_affine;
  std::vector<std::vector<Rational>> forms;  // exact pre-activation forms, computed on demand
  std::vector<char> have_form;
};

KinkForms::KinkForms(std::shared_ptr<const net::MultigradeNetwork> network, int first, int m)
    : network_(std::move(network)), id_(next_id_++) {
  if (!network_ || first < 1 || first > m || m > network_->grades())
    throw std::invalid_argument("kink forms: grades out of range");
  d_ = static_cast<std::size_t>(network_->input_dimension());
  units_.resize(d_);
  std::vector<int> features(d_);
  for (std::size_t i = 0; i < d_; ++i) features[i] = static_cast<int>(i);
  auto add_layer = [&](const net::AffineLayer& layer) {
    if (!net::piecewise_linear(layer.activation))
      throw std::invalid_argument("kink forms: not a piecewise-linear network");
    const int base = static_cast<int>(units_.size());
    units_.resize(units_.size() + static_cast<std::size_t>(layer.outputs));
    for (int r = 0; r < layer.outputs; ++r) {
      Unit& u = units_[static_cast<std::size_t>(base + r)];
      u.bias = layer.bias[static_cast<std::size_t>(r)];
      u.bias_ball = Ball::from_rational(u.bias, kPrec);
      u.relu = layer.activation == net::Activation::relu;
    }
    for (const auto& e : layer.weights) {
      if (e.value == 0) continue;
      Unit& u = units_[static_cast<std::size_t>(base + e.row)];
      u.in.emplace_back(features[static_cast<std::size_t>(e.col)], e.value);
      u.w.push_back(Ball::from_rational(e.value, kPrec));
    }
    std::vector<int> out(static_cast<std::size_t>(layer.outputs));
    for (int r = 0; r < layer.outputs; ++r) {
      out[static_cast<std::size_t>(r)] = base + r;
      Unit& u = units_[static_cast<std::size_t>(base + r)];
      u.contiguous = !u.in.empty();
      for (std::size_t k = 1; k < u.in.size() && u.contiguous; ++k)
        u.contiguous = u.in[k].first == u.in[0].first + static_cast<int>(k);
    }
    return out;
  };
  for (int k = 1; k <= m; ++k) {
    const net::GradeBlock& block = network_->block(k);
    for (const net::AffineLayer& layer : block.layers) features = add_layer(layer);
    if (k >= first) readouts_.push_back(add_layer(block.readout).at(0));
  }
}

const KinkForms::Cell& KinkForms::classify(const net::Box& box) const {
  thread_local Cell c;
  if (c.owner == id_ && c.box.lo == box.lo && c.box.hi == box.hi) return c;
  const std::size_t d = d_, n = units_.size();
  c.owner = 0;  // invalid until complete
  c.box = box;
  c.radius.assign(d, Ball());
  for (auto* v : {&c.pv, &c.pr, &c.ov, &c.orr}) v->assign(n, Ball());
  c.pg.assign(n * d, Ball());
  c.og.assign(n * d, Ball());
  c.state.assign(n, 2);
  c.pre_affine.assign(n, 1);
  c.out_affine.assign(n, 1);
  c.forms.assign(n, {});
  c.have_form.assign(n, 0);
  Ball t, unit_interval;
  arb_zero_pm_one(unit_interval.arb());
  arb_nonnegative_part(unit_interval.arb(), unit_interval.arb());  // [0, 1]
  for (std::size_t i = 0; i < d; ++i) {
    c.radius[i] = Ball::from_rational((box.hi[i] - box.lo[i]) / 2, kPrec);
    c.ov[i] = Ball::from_rational((box.lo[i] + box.hi[i]) / 2, kPrec);
    c.orr[i] = Ball::from_interval(box.lo[i], box.hi[i], kPrec);
    arb_one(c.og[i * d + i].arb());
  }
  for (std::size_t u = d; u < n; ++u) {
    const Unit& un = units_[u];
    Ball& v = c.pv[u];
    Ball& r = c.pr[u];
    v = un.bias_ball;
    r = un.bias_ball;
    Ball* g = &c.pg[u * d];
    bool affine = true;
    for (const auto& in : un.in) affine = affine && c.out_affine[static_cast<std::size_t>(in.first)];
    if (un.contiguous) {  // inputs first_in, first_in + 1, ...: one arb_dot per quantity
      const auto j0 = static_cast<std::size_t>(un.in.front().first);
      const auto len = static_cast<slong>(un.in.size());
      arb_srcptr w = reinterpret_cast<arb_srcptr>(un.w.data());
      arb_dot(v.arb(), v.arb(), 0, w, 1, reinterpret_cast<arb_srcptr>(&c.ov[j0]), 1, len, kPrec);
      arb_dot(r.arb(), r.arb(), 0, w, 1, reinterpret_cast<arb_srcptr>(&c.orr[j0]), 1, len, kPrec);
      for (std::size_t i = 0; i < d; ++i)
        arb_dot(g[i].arb(), nullptr, 0, w, 1, reinterpret_cast<arb_srcptr>(&c.og[j0 * d + i]),
                static_cast<slong>(d), len, kPrec);
    } else {
      for (std::size_t k = 0; k < un.in.size(); ++k) {
        const auto j = static_cast<std::size_t>(un.in[k].first);
        const Ball& w = un.w[k];
        arb_addmul(v.arb(), w.arb(), c.ov[j].arb(), kPrec);
        arb_addmul(r.arb(), w.arb(), c.orr[j].arb(), kPrec);
        for (std::size_t i = 0; i < d; ++i) arb_addmul(g[i].arb(), w.arb(), c.og[j * d + i].arb(), kPrec);
      }
    }
    // N8: the range also lies in value + Σ G_i·[−r_i, r_i] (mean value theorem).
    Ball spread = v, both;
    for (std::size_t i = 0; i < d; ++i) {
      arb_mul(t.arb(), g[i].arb(), c.radius[i].arb(), kPrec);
      arb_add_error(spread.arb(), t.arb());
    }
    if (arb_intersection(both.arb(), spread.arb(), r.arb(), kPrec)) r = both;
    c.pre_affine[u] = affine;
    Ball* og = &c.og[u * d];
    if (!un.relu || arb_is_nonnegative(r.arb())) {
      c.state[u] = un.relu ? 1 : 2;
      c.ov[u] = v;
      c.orr[u] = r;
      for (std::size_t i = 0; i < d; ++i) og[i] = g[i];
      c.out_affine[u] = affine;
    } else if (arb_is_nonpositive(r.arb())) {
      c.state[u] = -1;  // outputs stay 0, affine
    } else {
      c.state[u] = 0;
      Ball zero;
      arb_max(c.ov[u].arb(), v.arb(), zero.arb(), kPrec);
      arb_max(c.orr[u].arb(), r.arb(), zero.arb(), kPrec);
      for (std::size_t i = 0; i < d; ++i) arb_mul(og[i].arb(), g[i].arb(), unit_interval.arb(), kPrec);
      c.out_affine[u] = 0;
    }
  }
  c.owner = id_;
  return c;
}

const std::vector<Rational>& KinkForms::form(const Cell& cc, int u) const {
  Cell& c = const_cast<Cell&>(cc);  // the cache of forms belongs to the classified cell
  const auto uu = static_cast<std::size_t>(u);
  if (c.have_form[uu]) return c.forms[uu];
  std::vector<Rational> f(d_ + 1, Rational(0));
  if (uu < d_) {
    f[1 + uu] = 1;
  } else {
    if (!c.pre_affine[uu]) throw std::logic_error("kink forms: no exact form of a non-affine unit");
    const Unit& un = units_[uu];
    f[0] = un.bias;
    for (const auto& [j, w] : un.in) {
      const signed char s = c.state[static_cast<std::size_t>(j)];
      if (s == -1) continue;  // ReLU ≡ 0 on the cell
      const std::vector<Rational>& fj = form(c, j);
      for (std::size_t k = 0; k <= d_; ++k)
        if (fj[k] != 0) f[k] += w * fj[k];
    }
  }
  c.forms[uu] = std::move(f);
  c.have_form[uu] = 1;
  return c.forms[uu];
}

std::vector<Rational> KinkForms::axis_breakpoints(const net::Box& box, int axis) const {
  std::vector<Rational> out;
  if (box.lo.size() != d_ || axis < 0 || static_cast<std::size_t>(axis) >= d_) return out;
  const auto a = static_cast<std::size_t>(axis);
  const Cell& c = classify(box);
  for (std::size_t u = d_; u < units_.size(); ++u) {
    if (c.state[u] != 0 || !c.pre_affine[u]) continue;
    bool candidate = !arb_is_zero(c.pg[u * d_ + a].arb());
    for (std::size_t i = 0; i < d_ && candidate; ++i)
      if (i != a && !arb_contains_zero(c.pg[u * d_ + i].arb())) candidate = false;
    if (!candidate) continue;
    const std::vector<Rational>& f = form(c, static_cast<int>(u));
    bool only_a = f[1 + a] != 0;
    for (std::size_t i = 0; i < d_ && only_a; ++i)
      if (i != a && f[1 + i] != 0) only_a = false;
    if (!only_a) continue;
    Rational t = -f[0] / f[1 + a];
    if (t > box.lo[a] && t < box.hi[a]) out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool KinkForms::oblique_kinks(const net::Box& cell, std::vector<net::AffineForm>& out) const {
  if (cell.lo.size() != d_ || cell.hi.size() != d_) return false;
  const Cell& c = classify(cell);
  for (std::size_t u = d_; u < units_.size(); ++u)
    if (c.state[u] == 0 && !c.pre_affine[u]) return false;  // its kink bends inside the cell
  for (std::size_t u = d_; u < units_.size(); ++u) {
    if (c.state[u] != 0) continue;
    const std::vector<Rational>& f = form(c, static_cast<int>(u));
    net::AffineForm l;
    l.constant = f[0];
    l.gradient.assign(f.begin() + 1, f.end());
    out.push_back(std::move(l));
  }
  return true;
}

bool KinkForms::add_affine_on(const net::Box& cell, const std::vector<std::vector<Rational>>& vertices,
                              net::AffineForm& out) const {
  if (cell.lo.size() != d_ || cell.hi.size() != d_ || vertices.empty()) return false;
  for (const auto& v : vertices) {
    if (v.size() != d_) return false;
    for (std::size_t i = 0; i < d_; ++i)
      if (v[i] < cell.lo[i] || v[i] > cell.hi[i]) return false;
  }
  const Cell& c = classify(cell);
  // The pattern on the polygon: the cell's certain signs, and for a ReLU input
  // that may cross the cell, the sign of its exact form at every vertex.
  std::string pattern(units_.size(), '.');
  for (std::size_t u = d_; u < units_.size(); ++u) {
    signed char s = c.state[u];
    if (s == 0) {
      if (!c.pre_affine[u]) return false;
      const std::vector<Rational>& f = form(c, static_cast<int>(u));
      bool nonneg = true, nonpos = true;
      for (const auto& v : vertices) {
        Rational x = f[0];
        for (std::size_t i = 0; i < d_; ++i)
          if (f[1 + i] != 0) x += f[1 + i] * v[i];
        nonneg = nonneg && x >= 0;
        nonpos = nonpos && x <= 0;
      }
      if (!nonneg && !nonpos) return false;
      s = nonneg ? 1 : -1;
    }
    pattern[u] = s == -1 ? '0' : s == 1 ? '1' : '.';
  }
  net::AffineForm h;
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = memo_.find(pattern);
    if (it != memo_.end()) {
      h = it->second;
      found = true;
    }
  }
  if (!found) {
    // Lemma I8(f): each unit equals its form on the polygon, ReLUs of pattern 0 being 0.
    std::vector<std::vector<Rational>> f(units_.size(), std::vector<Rational>(d_ + 1, Rational(0)));
    for (std::size_t i = 0; i < d_; ++i) f[i][1 + i] = 1;
    for (std::size_t u = d_; u < units_.size(); ++u) {
      std::vector<Rational>& fu = f[u];
      fu[0] = units_[u].bias;
      for (const auto& [j, w] : units_[u].in) {
        if (pattern[static_cast<std::size_t>(j)] == '0') continue;
        const std::vector<Rational>& fj = f[static_cast<std::size_t>(j)];
        for (std::size_t k = 0; k <= d_; ++k)
          if (fj[k] != 0) fu[k] += w * fj[k];
      }
    }
    h.constant = 0;
    h.gradient.assign(d_, Rational(0));
    for (int r : readouts_) {
      const std::vector<Rational>& fr = f[static_cast<std::size_t>(r)];
      h.constant += fr[0];
      for (std::size_t i = 0; i < d_; ++i) h.gradient[i] += fr[1 + i];
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (memo_.size() >= kMaxPatterns) memo_.clear();
    memo_.emplace(std::move(pattern), h);
  }
  if (out.gradient.size() != d_) out.gradient.resize(d_, Rational(0));
  out.constant += h.constant;
  for (std::size_t i = 0; i < d_; ++i) out.gradient[i] += h.gradient[i];
  return true;
}

std::size_t KinkForms::patterns() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return memo_.size();
}

}  // namespace mgdl::netcert::detail
