// proofs/networks.md, Lemma N9.
#include "piece_table.hpp"

#include <algorithm>
#include <utility>

namespace mgdl::netcert::detail {

using num::Ball;
using num::Rational;

namespace {

// One interval [lo, next lo] of the partition, with every neuron of the current
// layer affine on it: u_i(x) = a_i + b_i x; and grade k's read-out sa[k-1] + sb[k-1] x.
struct Piece {
  Rational lo;
  std::vector<Rational> a, b;
  std::vector<Rational> sa, sb;
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

bool NetworkPieces::build(const net::MultigradeNetwork& network, int last, std::size_t max_pieces,
                          double max_work) {
  left_.clear();
  sa_.clear();
  sb_.clear();
  last_ = 0;
  if (network.input_dimension() != 1 || last < 1 || last > network.grades()) return false;
  std::vector<Piece> pieces(1);
  pieces[0].lo = 0;
  pieces[0].a = {Rational(0)};
  pieces[0].b = {Rational(1)};  // F_0 = x
  for (int k = 1; k <= last; ++k)
    for (const net::AffineLayer& layer : network.block(k).layers)
      if (!net::piecewise_linear(layer.activation)) return false;
  double work = 0;  // exact multiply-adds so far (a double: it only bounds the effort)
  int done = 0;     // grades whose read-outs are affine on every piece
  for (int k = 1; k <= last; ++k) {
    const net::GradeBlock& block = network.block(k);
    std::vector<Piece> saved = pieces;  // the partition for grades < k, kept if grade k does not fit
    bool fits = true;
    for (const net::AffineLayer& layer : block.layers) {
      work +=
          static_cast<double>(pieces.size()) * static_cast<double>(layer.weights.size() + layer.bias.size());
      if (work > max_work) {
        fits = false;
        break;
      }
      affine(layer, pieces);
      if (layer.activation == net::Activation::relu) relu(pieces, max_pieces, fits);
      if (!fits) break;
    }
    if (!fits) {
      pieces = std::move(saved);
      break;
    }
    for (Piece& p : pieces) {  // grade k's read-out (identity)
      Rational sa = block.readout.bias.at(0), sb(0);
      for (const auto& e : block.readout.weights) {
        const auto c = static_cast<std::size_t>(e.col);
        sa += e.value * p.a[c];
        sb += e.value * p.b[c];
      }
      p.sa.push_back(std::move(sa));
      p.sb.push_back(std::move(sb));
    }
    done = k;
  }
  if (done == 0) return false;
  for (Piece& p : pieces) {
    left_.push_back(std::move(p.lo));
    sa_.push_back(std::move(p.sa));
    sb_.push_back(std::move(p.sb));
  }
  last_ = done;
  return true;
}

bool NetworkPieces::table(int first, int m, PieceTable& out) const {
  if (first < 1 || first > m || m > last_) return false;
  out.left_.clear();
  out.slope_.clear();
  out.value_.clear();
  out.kinks_.clear();
  // N9(b): neighbours with equal slope are one affine piece (h is continuous).
  for (std::size_t i = 0; i < left_.size(); ++i) {
    Rational a(0), b(0);
    for (int k = first; k <= m; ++k) {
      a += sa_[i][static_cast<std::size_t>(k - 1)];
      b += sb_[i][static_cast<std::size_t>(k - 1)];
    }
    if (i > 0 && b == out.slope_.back()) continue;
    if (i > 0) out.kinks_.push_back(left_[i]);
    out.value_.push_back(a + b * left_[i]);
    out.left_.push_back(left_[i]);
    out.slope_.push_back(std::move(b));
  }
  return true;
}

bool PieceTable::build(const net::MultigradeNetwork& network, int first, int m, std::size_t max_pieces,
                       double max_work) {
  NetworkPieces all;
  return first >= 1 && first <= m && all.build(network, m, max_pieces, max_work) &&
         all.table(first, m, *this);
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
