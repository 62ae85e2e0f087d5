// h = Σ_Q c_Q ψ_Q: exact evaluation, linear enclosures over boxes, kinks, and
// the dense fixed-width realisation (proofs/cutoff.md, Lemmas A1 and A5;
// proofs/certification.md, C2).
#include "mgdl/net/cutoff_correction.hpp"

#include "cutoff_index.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace mgdl::net {

using num::Rational;

namespace {

bool cutoff_less(const Cutoff& x, const Cutoff& y) {
  if (x.a != y.a) return x.a < y.a;
  if (x.b != y.b) return x.b < y.b;
  if (x.rho != y.rho) return x.rho < y.rho;
  return x.coefficient < y.coefficient;
}

}  // namespace

namespace {

// Scratch kept per thread so that the hot paths do not allocate.
struct Scratch {
  std::vector<double> qlo, qhi;
  std::vector<Rational> center;
  std::vector<signed char> slope_lo, slope_hi;
  Rational t0, t1, t2, s_max, s_min, s_center, u_center, u_min, u_max, psi_value, range_lo, range_hi;
};

Scratch& scratch(int d) {
  thread_local Scratch s;
  const auto du = static_cast<std::size_t>(d);
  if (s.qlo.size() != du) {
    s.qlo.resize(du);
    s.qhi.resize(du);
    s.center.resize(du);
    s.slope_lo.resize(du);
    s.slope_hi.resize(du);
  }
  return s;
}

void query_doubles(const std::vector<Rational>& lo, const std::vector<Rational>& hi, Scratch& s) {
  for (std::size_t i = 0; i < lo.size(); ++i) {
    s.qlo[i] = detail::lower_double(lo[i]);
    s.qhi[i] = detail::upper_double(hi[i]);
  }
}

// out = ramp sum of one axis at t: σ((a − t)/ρ) + σ((t − b)/ρ).
void axis_ramps(const Rational& t, const Rational& a, const Rational& b, const Rational& inv_rho, Rational& out) {
  out = 0;
  if (t < a) out = (a - t) * inv_rho;
  if (t > b) out += (t - b) * inv_rho;
}

}  // namespace

CutoffCorrection::CutoffCorrection(int dimension, std::vector<Cutoff> cutoffs, int kappa)
    : dimension_(dimension), kappa_(kappa) {
  if (dimension < 1) throw std::invalid_argument("cutoff correction: dimension must be >= 1");
  if (kappa < 0) throw std::invalid_argument("cutoff correction: kappa must be >= 0");
  const auto du = static_cast<std::size_t>(dimension);
  for (std::size_t k = 0; k < cutoffs.size(); ++k) {
    Cutoff& q = cutoffs[k];
    const std::string where = "cutoff correction: cutoff " + std::to_string(k);
    if (q.a.size() != du || q.b.size() != du || q.rho.size() != du)
      throw std::invalid_argument(where + ": a, b, rho must have " + std::to_string(dimension) + " entries");
    for (std::size_t i = 0; i < du; ++i) {
      if (q.a[i] > q.b[i]) throw std::invalid_argument(where + ": a > b on axis " + std::to_string(i));
      if (q.rho[i] <= 0) throw std::invalid_argument(where + ": rho must be > 0 on axis " + std::to_string(i));
    }
    if (q.coefficient != 0) cutoffs_.push_back(std::move(q));
  }
  // Canonical order (lexicographic in (a, b), then rho, c): the dense layout
  // follows this list, so equal inputs give byte-identical networks.
  std::sort(cutoffs_.begin(), cutoffs_.end(), cutoff_less);
  index_ = std::make_unique<Index>(dimension_, cutoffs_);
}

CutoffCorrection::~CutoffCorrection() = default;

int CutoffCorrection::dimension() const { return dimension_; }
const std::vector<Cutoff>& CutoffCorrection::cutoffs() const { return cutoffs_; }
int CutoffCorrection::kappa() const { return kappa_; }
std::size_t CutoffCorrection::active_units() const { return cutoffs_.size(); }

std::vector<Box> CutoffCorrection::support_boxes() const {
  std::vector<Box> out;
  out.reserve(cutoffs_.size());
  for (const Cutoff& q : cutoffs_) out.push_back(q.support());
  return out;
}

Rational CutoffCorrection::evaluate(const std::vector<Rational>& x) const {
  // A wrong-size point is a caller bug; no value would be meaningful.
  if (static_cast<int>(x.size()) != dimension_)
    throw std::invalid_argument("cutoff correction: point of dimension " + std::to_string(x.size()) + ", expected " +
                                std::to_string(dimension_));
  Rational sum(0);
  Scratch& s = scratch(dimension_);
  query_doubles(x, x, s);
  const auto du = static_cast<std::size_t>(dimension_);
  index_->visit(s.qlo.data(), s.qhi.data(), [&](int k) {
    // ψ_Q(x) = σ(1 − Σ ramps) (Lemma A1), with precomputed 1/ρ_i.
    const Cutoff& q = cutoffs_[static_cast<std::size_t>(k)];
    const std::size_t base = static_cast<std::size_t>(k) * du;
    s.t0 = 0;
    for (std::size_t i = 0; i < du; ++i) {
      axis_ramps(x[i], q.a[i], q.b[i], index_->inv_rho[base + i], s.t1);
      s.t0 += s.t1;
      if (s.t0 >= 1) return;
    }
    sum += q.coefficient * (Rational(1) - s.t0);
  });
  return sum;
}

// Linear enclosure of h on a box (proofs/certification.md, C2; proofs/cutoff.md, A1).
//
// Per cutoff Q meeting the box, write u = 1 − Σ_i s_i(x_i) with the separable
// axis ramps s_i(t) = σ((a_i − t)/ρ_i) + σ((t − b_i)/ρ_i), and ψ_Q = σ(u).
// - Each s_i is convex, monotone on either side of [a_i, b_i]; its exact range on
//   [lo_i, hi_i] is [0 or the value at the nearer end, max of the end values].
//   u is separable, so its exact range is 1 − (Σ max s_i) .. 1 − (Σ min s_i) (A1).
// - u is affine on the box iff no a_i, b_i lies strictly inside (lo_i, hi_i);
//   otherwise, along any segment in the box, u's derivative is a.e. a gradient of
//   one of the linear pieces met by the open box, so the per-axis hull of the
//   slopes of the pieces met (+1/ρ_i left of a_i, 0 on [a_i, b_i], −1/ρ_i right
//   of b_i) is a valid generalised-gradient hull for the mean-value form.
// - ψ = σ(u): if min u ≥ 0, ψ = u on the box; if max u ≤ 0, ψ ≡ 0; else ψ is
//   not affine, its gradients lie in hull{0, ∇u}, and its exact range is [0, max u].
// h = Σ c_Q ψ_Q: values add exactly, gradient hulls add as intervals scaled by
// c_Q, ranges likewise. When every term is affine, h is affine and its exact
// range is v ± Σ |g_i| w_i / 2. Otherwise the range is the sum of the term
// ranges intersected with the mean-value bound v ± Σ max|G_i| w_i / 2.
LinearEnclosure CutoffCorrection::enclose(const Box& box) const {
  const auto du = static_cast<std::size_t>(dimension_);
  LinearEnclosure out;
  out.value_at_center = 0;
  out.gradient_lo.assign(du, Rational(0));
  out.gradient_hi.assign(du, Rational(0));
  out.affine = true;
  out.range_lo = 0;
  out.range_hi = 0;
  // A wrong-size box is a caller bug; an enclosure of it cannot be certified.
  if (box.lo.size() != du || box.hi.size() != du)
    throw std::invalid_argument("cutoff correction: box of dimension " + std::to_string(box.lo.size()) +
                                ", expected " + std::to_string(dimension_));
  Scratch& s = scratch(dimension_);
  query_doubles(box.lo, box.hi, s);
  for (std::size_t i = 0; i < du; ++i) s.center[i] = (box.lo[i] + box.hi[i]) / 2;
  s.range_lo = 0;
  s.range_hi = 0;
  index_->visit(s.qlo.data(), s.qhi.data(), [&](int k) {
    if (!index_->meets(k, box.lo, box.hi)) return;
    const Cutoff& q = cutoffs_[static_cast<std::size_t>(k)];
    const std::size_t base = static_cast<std::size_t>(k) * du;
    s.s_max = 0;
    s.s_min = 0;
    s.s_center = 0;
    bool kinked = false;
    for (std::size_t i = 0; i < du; ++i) {
      const Rational& lo = box.lo[i];
      const Rational& hi = box.hi[i];
      const Rational& a = q.a[i];
      const Rational& b = q.b[i];
      const Rational& r = index_->inv_rho[base + i];
      const bool left = lo < a;                    // u has slope +1/ρ left of a
      const bool right = hi > b;                   // and −1/ρ right of b
      if (!left && !right) {                       // [lo, hi] ⊂ [a, b]: no ramp
        s.slope_lo[i] = s.slope_hi[i] = 0;
        continue;
      }
      // Ramp sum at the ends (t0 at lo, t1 at hi); the exact min is 0 when the
      // interval meets [a, b], else the value at the nearer end.
      if (left) {
        s.t0 = a - lo;
        s.t0 *= r;
      } else if (lo > b) {
        s.t0 = lo - b;
        s.t0 *= r;
      } else {
        s.t0 = 0;
      }
      if (right) {
        s.t1 = hi - b;
        s.t1 *= r;
      } else if (hi < a) {
        s.t1 = a - hi;
        s.t1 *= r;
      } else {
        s.t1 = 0;
      }
      s.s_max += s.t0 > s.t1 ? s.t0 : s.t1;
      if (hi < a) {
        s.s_min += s.t1;
      } else if (lo > b) {
        s.s_min += s.t0;
      }
      if (s.s_min >= 1) return;  // u <= 0, ψ ≡ 0 on the box
      // Pieces met by the open box: left iff lo < a, right iff hi > b, the flat
      // middle iff (lo, hi) ∩ (a, b) ≠ ∅. A degenerate axis (lo == hi) is here
      // left or right of [a, b] and meets that piece only.
      const bool middle = lo != hi && (lo > a ? lo : a) < (hi < b ? hi : b);
      s.slope_hi[i] = static_cast<signed char>(left ? 1 : (middle ? 0 : -1));
      s.slope_lo[i] = static_cast<signed char>(right ? -1 : (middle ? 0 : 1));
      if (s.slope_lo[i] != s.slope_hi[i]) {
        kinked = true;
        axis_ramps(s.center[i], a, b, r, s.t2);
        s.s_center += s.t2;
      } else {
        // One affine piece on [lo, hi]: the center value is the mean of the ends.
        s.t2 = s.t0 + s.t1;
        s.s_center += s.t2 / 2;
      }
    }
    s.u_max = 1;
    s.u_max -= s.s_min;
    if (s.u_max <= 0) return;  // ψ ≡ 0 on the box
    s.u_min = 1;
    s.u_min -= s.s_max;
    s.u_center = 1;
    s.u_center -= s.s_center;
    if (s.u_min >= 0) {
      // ψ = u on the box.
      s.psi_value = s.u_center;
      s.t0 = s.u_min;
      if (kinked) out.affine = false;
    } else {
      // ψ = σ(u) with u changing sign: gradients in hull{0, ∇u}, range [0, max u].
      s.psi_value = s.u_center > 0 ? s.u_center : Rational(0);
      s.t0 = 0;
      for (std::size_t i = 0; i < du; ++i) {
        if (s.slope_lo[i] > 0) s.slope_lo[i] = 0;
        if (s.slope_hi[i] < 0) s.slope_hi[i] = 0;
      }
      out.affine = false;
    }
    const Rational& c = q.coefficient;
    out.value_at_center += c * s.psi_value;
    const bool positive = c > 0;
    for (std::size_t i = 0; i < du; ++i) {
      // c·slope·(1/ρ_i) = slope·coef_inv_rho; the order flips when c < 0.
      const Rational& cr = index_->coef_inv_rho[base + i];
      const signed char low = positive ? s.slope_lo[i] : s.slope_hi[i];
      const signed char high = positive ? s.slope_hi[i] : s.slope_lo[i];
      if (low > 0) out.gradient_lo[i] += cr;
      if (low < 0) out.gradient_lo[i] -= cr;
      if (high > 0) out.gradient_hi[i] += cr;
      if (high < 0) out.gradient_hi[i] -= cr;
    }
    if (positive) {
      s.range_lo += c * s.t0;
      s.range_hi += c * s.u_max;
    } else {
      s.range_lo += c * s.u_max;
      s.range_hi += c * s.t0;
    }
  });
  // Mean-value radius Σ max(|G_lo|, |G_hi|)·w_i/2 (exact when affine: G_lo = G_hi).
  s.t0 = 0;
  for (std::size_t i = 0; i < du; ++i) {
    const Rational& gl = out.gradient_lo[i];
    const Rational& gh = out.gradient_hi[i];
    s.t1 = abs(gl) > abs(gh) ? Rational(abs(gl)) : Rational(abs(gh));
    s.t0 += s.t1 * (box.hi[i] - box.lo[i]);
  }
  s.t0 /= 2;
  out.range_lo = out.value_at_center - s.t0;
  out.range_hi = out.value_at_center + s.t0;
  if (!out.affine) {
    if (s.range_lo > out.range_lo) out.range_lo = s.range_lo;
    if (s.range_hi < out.range_hi) out.range_hi = s.range_hi;
  }
  return out;
}

namespace {

// u = 1 − Σ_i R_i(x_i) of cutoff q as an affine form on the cell, where each
// ramp sum R_i is affine on [lo_i, hi_i] (no a_i, b_i strictly inside):
// (a_i − t)/ρ_i left of a_i, 0 on [a_i, b_i], (t − b_i)/ρ_i right of b_i
// (proofs/integration.md, Lemma I8(a)). False when some a_i or b_i is inside.
bool cutoff_u_on_cell(const Cutoff& q, const Rational* inv_rho, const Box& cell, AffineForm& u) {
  const std::size_t d = cell.lo.size();
  u.constant = 1;
  u.gradient.assign(d, Rational(0));
  for (std::size_t i = 0; i < d; ++i) {
    const Rational& lo = cell.lo[i];
    const Rational& hi = cell.hi[i];
    if (hi <= q.a[i]) {
      u.constant -= q.a[i] * inv_rho[i];
      u.gradient[i] = inv_rho[i];
    } else if (lo >= q.b[i]) {
      u.constant += q.b[i] * inv_rho[i];
      u.gradient[i] = -inv_rho[i];
    } else if (!(q.a[i] <= lo && hi <= q.b[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

// proofs/integration.md, Lemma I8(a): on the cell, ψ_Q = σ(u_Q) with u_Q affine;
// its only kink in the open cell is the line u_Q = 0 when u_Q takes both signs
// at the corners (an affine function's extremes over a box are at corners).
bool CutoffCorrection::oblique_kinks(const Box& cell, std::vector<AffineForm>& out) const {
  const auto du = static_cast<std::size_t>(dimension_);
  if (cell.lo.size() != du || cell.hi.size() != du) return false;
  Scratch& s = scratch(dimension_);
  query_doubles(cell.lo, cell.hi, s);
  bool ok = true;
  AffineForm u;
  index_->visit(s.qlo.data(), s.qhi.data(), [&](int k) {
    if (!ok || !index_->meets(k, cell.lo, cell.hi)) return;
    const Cutoff& q = cutoffs_[static_cast<std::size_t>(k)];
    if (!cutoff_u_on_cell(q, &index_->inv_rho[static_cast<std::size_t>(k) * du], cell, u)) {
      ok = false;
      return;
    }
    if (changes_sign_on(u, cell)) out.push_back(u);
  });
  return ok;
}

// proofs/integration.md, Lemma I8(b): if u_Q >= 0 at every vertex of the convex
// polygon, ψ_Q = u_Q on it; if u_Q <= 0 at every vertex, ψ_Q = 0 there.
bool CutoffCorrection::add_affine_on(const Box& cell, const std::vector<std::vector<Rational>>& vertices,
                                     AffineForm& out) const {
  const auto du = static_cast<std::size_t>(dimension_);
  if (!polygon_in_cell(cell, vertices, du)) return false;
  if (out.gradient.size() != du) out.gradient.resize(du, Rational(0));
  Scratch& s = scratch(dimension_);
  query_doubles(cell.lo, cell.hi, s);
  bool ok = true;
  AffineForm u;
  index_->visit(s.qlo.data(), s.qhi.data(), [&](int k) {
    if (!ok || !index_->meets(k, cell.lo, cell.hi)) return;
    const Cutoff& q = cutoffs_[static_cast<std::size_t>(k)];
    if (!cutoff_u_on_cell(q, &index_->inv_rho[static_cast<std::size_t>(k) * du], cell, u)) {
      ok = false;
      return;
    }
    bool nonneg = true, nonpos = true;
    for (const auto& v : vertices) {
      const int sg = value_at(u, v).sign();
      nonneg = nonneg && sg >= 0;
      nonpos = nonpos && sg <= 0;
    }
    if (nonpos) return;  // ψ_Q ≡ 0 on the polygon
    if (!nonneg) {
      ok = false;
      return;
    }
    out.constant += q.coefficient * u.constant;
    for (std::size_t i = 0; i < du; ++i) out.gradient[i] += q.coefficient * u.gradient[i];
  });
  return ok;
}

std::vector<Rational> CutoffCorrection::axis_breakpoints(const Box& box, int axis) const {
  std::vector<Rational> out;
  const auto du = static_cast<std::size_t>(dimension_);
  if (axis < 0 || axis >= dimension_ || box.lo.size() != du || box.hi.size() != du) return out;
  const auto ax = static_cast<std::size_t>(axis);
  Scratch& s = scratch(dimension_);
  query_doubles(box.lo, box.hi, s);
  const Rational& lo = box.lo[ax];
  const Rational& hi = box.hi[ax];
  index_->visit(s.qlo.data(), s.qhi.data(), [&](int k) {
    if (!index_->meets(k, box.lo, box.hi)) return;
    const Cutoff& q = cutoffs_[static_cast<std::size_t>(k)];
    const std::size_t j = static_cast<std::size_t>(k) * du + ax;
    const Rational* candidates[4] = {&index_->support_lo[j], &q.a[ax], &q.b[ax], &index_->support_hi[j]};
    for (const Rational* t : candidates)
      if (lo < *t && *t < hi) out.push_back(*t);
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Lemma A5 layout (see the header): x carried by σ(x_i) = x_i (x ∈ Ω, x ≥ 0),
// the accumulators A± ≥ 0 carried by σ, c⁺ψ and c⁻ψ added into A± by the
// affine map after ψ. The block reads the first d coordinates of its input;
// its first layer declares d inputs (see with_input_size in relu_network.hpp).
GradeBlock CutoffCorrection::realise() const {
  const int d = dimension_;
  const auto n = cutoffs_.size();
  GradeBlock block;
  auto carry_x = [d](AffineLayer& layer) {
    for (int i = 0; i < d; ++i) layer.weights.push_back({i, i, Rational(1)});
  };
  auto add = [](AffineLayer& layer, int row, int col, const Rational& value) {
    if (value != 0) layer.weights.push_back({row, col, value});
  };
  // Accumulator rows of the layer after ψ_{k-1}: A± (+ c^± ψ), reading
  // [x, ψ, A+, A-] (psi_col = d). Entries are pushed in column order.
  auto accumulate = [&](AffineLayer& layer, int row_plus, const Cutoff* previous) {
    const Rational zero(0);
    const Rational c_plus = previous && previous->coefficient > 0 ? previous->coefficient : zero;
    const Rational c_minus = previous && previous->coefficient < 0 ? Rational(-previous->coefficient) : zero;
    if (previous) {
      add(layer, row_plus, d, c_plus);
      add(layer, row_plus, d + 1, Rational(1));
      add(layer, row_plus + 1, d, c_minus);
      add(layer, row_plus + 1, d + 2, Rational(1));
    }
  };
  const Cutoff* previous = nullptr;
  for (std::size_t k = 0; k < n; ++k) {
    const Cutoff& q = cutoffs_[k];
    // Layer 2k-1: [x, ramps, A+, A-], width 3d+2.
    AffineLayer ramps;
    ramps.inputs = previous ? d + 3 : d;
    ramps.outputs = 3 * d + 2;
    ramps.bias.assign(static_cast<std::size_t>(ramps.outputs), Rational(0));
    carry_x(ramps);
    for (int i = 0; i < d; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      const Rational inv = Rational(1) / q.rho[ui];
      ramps.weights.push_back({d + 2 * i, i, Rational(-inv)});
      ramps.bias[static_cast<std::size_t>(d + 2 * i)] = q.a[ui] * inv;
      ramps.weights.push_back({d + 2 * i + 1, i, inv});
      ramps.bias[static_cast<std::size_t>(d + 2 * i + 1)] = -q.b[ui] * inv;
    }
    accumulate(ramps, 3 * d, previous);
    block.layers.push_back(std::move(ramps));
    // Layer 2k: [x, ψ, A+, A-], width d+3.
    AffineLayer psi;
    psi.inputs = 3 * d + 2;
    psi.outputs = d + 3;
    psi.bias.assign(static_cast<std::size_t>(psi.outputs), Rational(0));
    carry_x(psi);
    for (int j = 0; j < 2 * d; ++j) psi.weights.push_back({d, d + j, Rational(-1)});
    psi.bias[static_cast<std::size_t>(d)] = 1;
    psi.weights.push_back({d + 1, 3 * d, Rational(1)});
    psi.weights.push_back({d + 2, 3 * d + 1, Rational(1)});
    block.layers.push_back(std::move(psi));
    previous = &q;
  }
  // Layer 2n+1: [x, A+ + c_n^+ ψ_n, A- + c_n^- ψ_n], width d+2.
  AffineLayer last;
  last.inputs = previous ? d + 3 : d;
  last.outputs = d + 2;
  last.bias.assign(static_cast<std::size_t>(last.outputs), Rational(0));
  carry_x(last);
  accumulate(last, d, previous);
  block.layers.push_back(std::move(last));
  // Read-out A+ − A- (no ReLU).
  block.readout.inputs = d + 2;
  block.readout.outputs = 1;
  block.readout.activation = Activation::identity;
  block.readout.bias.assign(1, Rational(0));
  block.readout.weights.push_back({0, d, Rational(1)});
  block.readout.weights.push_back({0, d + 1, Rational(-1)});
  return block;
}

}  // namespace mgdl::net
