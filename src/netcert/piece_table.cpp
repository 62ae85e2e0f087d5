// proofs/networks.md, Lemma N9.
#include "piece_table.hpp"

#include <algorithm>
#include <utility>

namespace mgdl::netcert::detail {

using num::Ball;
using num::Rational;

namespace {

// One interval [lo, next lo] of the partition, with every neuron of the current
// layer affine on it: u_i(x) = a_i + b_i x; and the read-out sum h = sa + sb x.
struct Piece {
  Rational lo;
  std::vector<Rational> a, b;
  Rational sa, sb;
};

// z = W u + bias on every piece (exact; with dyadic weights the coefficients stay dyadic).
void affine(const net::AffineLayer& layer, std::vector<Piece>& pieces) {
  const auto rows = static_cast<std::size_t>(layer.outputs);
  std::vector<Rational> a, b;
  for (Piece& p : pieces) {
    a.assign(layer.bias.begin(), layer.bias.end());
    b.assign(rows, Rational(0));
    for (const auto& e : layer.weights) {
      const auto r = static_cast<std::size_t>(e.row), c = static_cast<std::size_t>(e.col);
      a[r] += e.value * p.a[c];
      b[r] += e.value * p.b[c];
    }
    p.a.swap(a);
    p.b.swap(b);
  }
}

// ReLU on every neuron: split each piece at the zeros −a/b of the
// pre-activations strictly inside it; on each sub-piece the sign is constant
// (decided at its midpoint), so relu(z) is z or 0 there.
void relu(std::vector<Piece>& pieces, std::size_t max_pieces, bool& ok) {
  std::vector<Piece> out;
  std::vector<Rational> cuts;
  for (std::size_t j = 0; j < pieces.size(); ++j) {
    Piece& p = pieces[j];
    const Rational hi = j + 1 < pieces.size() ? pieces[j + 1].lo : Rational(1);
    cuts.clear();
    for (std::size_t i = 0; i < p.a.size(); ++i) {
      if (p.b[i] == 0) continue;
      Rational t = -p.a[i] / p.b[i];
      if (p.lo < t && t < hi) cuts.push_back(std::move(t));
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t k = 0; k <= cuts.size(); ++k) {
      Piece q;
      q.lo = k == 0 ? p.lo : cuts[k - 1];
      const Rational mid = (q.lo + (k < cuts.size() ? cuts[k] : hi)) / 2;
      q.a = p.a;
      q.b = p.b;
      q.sa = p.sa;
      q.sb = p.sb;
      for (std::size_t i = 0; i < q.a.size(); ++i)
        if (q.a[i] + q.b[i] * mid < 0) {
          q.a[i] = 0;
          q.b[i] = 0;
        }
      out.push_back(std::move(q));
    }
    if (out.size() > max_pieces) {
      ok = false;
      return;
    }
  }
  pieces.swap(out);
}

}  // namespace

bool PieceTable::build(const net::MultigradeNetwork& network, int first, int m, std::size_t max_pieces,
                       double max_work) {
  left_.clear();
  slope_.clear();
  value_.clear();
  kinks_.clear();
  if (network.input_dimension() != 1 || first < 1 || first > m || m > network.grades()) return false;
  std::vector<Piece> pieces(1);
  pieces[0].lo = 0;
  pieces[0].a = {Rational(0)};
  pieces[0].b = {Rational(1)};  // F_0 = x
  bool ok = true;
  double work = 0;  // exact multiply-adds so far (a double: it only bounds the effort)
  for (int k = 1; k <= m && ok; ++k) {
    const net::GradeBlock& block = network.block(k);
    for (const net::AffineLayer& layer : block.layers) {
      if (!net::piecewise_linear(layer.activation)) return false;
      work +=
          static_cast<double>(pieces.size()) * static_cast<double>(layer.weights.size() + layer.bias.size());
      if (work > max_work) return false;
      affine(layer, pieces);
      if (layer.activation == net::Activation::relu) relu(pieces, max_pieces, ok);
      if (!ok) return false;
    }
    if (k < first) continue;
    for (Piece& p : pieces)  // the read-out (identity) adds to the sum
      for (const auto& e : block.readout.weights) {
        const auto c = static_cast<std::size_t>(e.col);
        p.sa += e.value * p.a[c];
        p.sb += e.value * p.b[c];
      }
    for (Piece& p : pieces) p.sa += block.readout.bias.at(0);
  }
  // N9: neighbours with equal slope are one affine piece (h is continuous).
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0 && pieces[i].sb == slope_.back()) continue;
    if (i > 0) kinks_.push_back(pieces[i].lo);
    value_.push_back(pieces[i].sa + pieces[i].sb * pieces[i].lo);
    left_.push_back(std::move(pieces[i].lo));
    slope_.push_back(std::move(pieces[i].sb));
  }
  return true;
}

std::size_t PieceTable::piece_of(const Rational& x) const {
  const auto it = std::upper_bound(left_.begin(), left_.end(), x);
  return it == left_.begin() ? 0 : static_cast<std::size_t>(it - left_.begin()) - 1;
}

std::vector<Rational> PieceTable::kinks_in(const Rational& l, const Rational& u, std::size_t limit) const {
  std::vector<Rational> out;
  for (auto it = std::upper_bound(kinks_.begin(), kinks_.end(), l);
       it != kinks_.end() && *it < u && out.size() < limit; ++it)
    out.push_back(*it);
  return out;
}

Rational PieceTable::value(const Rational& x) const {
  const std::size_t j = piece_of(x);
  return value_[j] + slope_[j] * (x - left_[j]);
}

net::LinearEnclosure PieceTable::enclose(const Rational& l, const Rational& u) const {
  net::LinearEnclosure out;
  const Rational c = (l + u) / 2;
  out.value_at_center = value(c);
  const std::size_t j = piece_of(l);
  // The pieces meeting (l, u) are j..k; the kinks inside are T_{j+1}..T_k.
  const auto below_u =
      static_cast<std::size_t>(std::lower_bound(left_.begin(), left_.end(), u) - left_.begin());
  const std::size_t k = std::max(j, below_u == 0 ? std::size_t(0) : below_u - 1);
  Rational lo = value(l), hi = value(u);
  if (hi < lo) std::swap(lo, hi);
  Rational g_lo = slope_[j], g_hi = slope_[j];
  for (std::size_t i = j + 1; i <= k; ++i) {  // a continuous PL function has its extremes at piece ends
    if (value_[i] < lo) lo = value_[i];
    if (hi < value_[i]) hi = value_[i];
    if (slope_[i] < g_lo) g_lo = slope_[i];
    if (g_hi < slope_[i]) g_hi = slope_[i];
  }
  out.affine = k == j;
  out.gradient_lo = {std::move(g_lo)};
  out.gradient_hi = {std::move(g_hi)};
  out.range_lo = std::move(lo);
  out.range_hi = std::move(hi);
  return out;
}

void PieceTable::enclose_balls(const Rational& l, const Rational& u, slong prec,
                               net::BallEnclosure& out) const {
  net::LinearEnclosure e = enclose(l, u);
  auto interval = [prec](const Rational& lo, const Rational& hi) {
    return lo == hi ? Ball::from_rational(lo, prec) : Ball::from_interval(lo, hi, prec);
  };
  out.value_at_center = Ball::from_rational(e.value_at_center, prec);
  out.gradient.resize(1);
  out.gradient[0] = interval(e.gradient_lo[0], e.gradient_hi[0]);
  out.affine = e.affine;
  out.range = interval(e.range_lo, e.range_hi);
}

}  // namespace mgdl::netcert::detail
