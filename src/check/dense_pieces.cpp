// proofs/networks.md, Lemma N9 (a)–(c), in the checker's arithmetic.
#include "dense_pieces.hpp"

#include <algorithm>
#include <utility>

#include "smooth_net.hpp"

namespace mgdl::check {
namespace {

// An interval [lo, next lo] on which every neuron of the current layer is
// u_i = a_i + b_i x, and grade k's read-out is sa[k−1] + sb[k−1] x.
struct Piece {
  Q lo;
  std::vector<Q> a, b;
  std::vector<Q> sa, sb;
};

void affine_layer(const DenseLayer& layer, std::vector<Piece>& pieces) {
  const auto rows = static_cast<std::size_t>(layer.outputs);
  for (Piece& p : pieces) {
    std::vector<Q> a(layer.bias.begin(), layer.bias.end()), b(rows);
    for (const auto& e : layer.weights) {
      const auto r = static_cast<std::size_t>(e.row), c = static_cast<std::size_t>(e.col);
      a[r] = a[r] + e.value * p.a[c];
      b[r] = b[r] + e.value * p.b[c];
    }
    p.a = std::move(a);
    p.b = std::move(b);
  }
}

// N9(a): split at the zeros of the pre-activations inside each piece; the sign
// of each on a sub-piece is its sign at the sub-piece's midpoint.
bool relu_layer(std::vector<Piece>& pieces, std::size_t max_pieces) {
  std::vector<Piece> out;
  std::vector<Q> cuts;
  for (std::size_t j = 0; j < pieces.size(); ++j) {
    const Piece& p = pieces[j];
    const Q hi = j + 1 < pieces.size() ? pieces[j + 1].lo : Q(1);
    cuts.clear();
    for (std::size_t i = 0; i < p.a.size(); ++i) {
      if (p.b[i].sign() == 0) continue;
      Q t = -(p.a[i] / p.b[i]);
      if (p.lo < t && t < hi) cuts.push_back(std::move(t));
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t k = 0; k <= cuts.size(); ++k) {
      Piece q = p;
      if (k > 0) q.lo = cuts[k - 1];
      const Q mid = midpoint(q.lo, k < cuts.size() ? cuts[k] : hi);
      for (std::size_t i = 0; i < q.a.size(); ++i)
        if ((q.a[i] + q.b[i] * mid).sign() < 0) {
          q.a[i] = Q();
          q.b[i] = Q();
        }
      out.push_back(std::move(q));
    }
    if (out.size() > max_pieces) return false;
  }
  pieces = std::move(out);
  return true;
}

// The last j with left[j] <= x (left[0] = 0 <= x).
std::size_t piece_of(const DensePieces& p, const Q& x) {
  const auto it = std::upper_bound(p.left.begin(), p.left.end(), x);
  return it == p.left.begin() ? 0 : static_cast<std::size_t>(it - p.left.begin()) - 1;
}

Q value_at(const DensePieces& p, std::size_t j, const Q& x) {
  return p.value[j] + p.slope[j] * (x - p.left[j]);
}

}  // namespace

bool dense_grade_pieces(const DenseNetwork& net, int last, std::size_t max_pieces, double max_work,
                        DenseGradePieces& out) {
  out = DenseGradePieces{};
  if (net.d != 1 || last < 1 || last > static_cast<int>(net.blocks.size())) return false;
  if (has_smooth_activation(net)) return false;  // not piecewise linear (smooth_net.hpp, N10)
  std::vector<Piece> pieces(1);
  pieces[0].a = {Q()};
  pieces[0].b = {Q(1)};  // F_0 = x
  double work = 0;       // exact multiply-adds (a double: it only bounds the effort)
  int done = 0;          // grades whose read-outs are affine on every piece
  for (int k = 1; k <= last; ++k) {
    const DenseBlock& block = net.blocks[static_cast<std::size_t>(k - 1)];
    if (block.readout.relu || block.readout.outputs != 1) return false;
    std::vector<Piece> saved = pieces;  // the partition for grades < k, kept if grade k does not fit
    bool fits = true;
    for (const DenseLayer& layer : block.layers) {
      work +=
          static_cast<double>(pieces.size()) * static_cast<double>(layer.weights.size() + layer.bias.size());
      fits = work <= max_work;
      if (!fits) break;
      affine_layer(layer, pieces);
      fits = !layer.relu || relu_layer(pieces, max_pieces);
      if (!fits) break;
    }
    if (!fits) {
      pieces = std::move(saved);
      break;
    }
    for (Piece& p : pieces) {  // grade k's read-out on the piece
      Q a = block.readout.bias.at(0), b;
      for (const auto& e : block.readout.weights) {
        const auto c = static_cast<std::size_t>(e.col);
        a = a + e.value * p.a[c];
        b = b + e.value * p.b[c];
      }
      p.sa.push_back(std::move(a));
      p.sb.push_back(std::move(b));
    }
    done = k;
  }
  if (done == 0) return false;
  for (Piece& p : pieces) {
    out.left.push_back(std::move(p.lo));
    out.sa.push_back(std::move(p.sa));
    out.sb.push_back(std::move(p.sb));
  }
  out.last = done;
  return true;
}

bool dense_table(const DenseGradePieces& all, int first, int last, DensePieces& out) {
  out = DensePieces{};
  if (first < 1 || first > last || last > all.last) return false;
  // N9(b): neighbours with equal slope are one piece (h is continuous).
  for (std::size_t i = 0; i < all.left.size(); ++i) {
    Q a, b;
    for (int k = first; k <= last; ++k) {
      a = a + all.sa[i][static_cast<std::size_t>(k - 1)];
      b = b + all.sb[i][static_cast<std::size_t>(k - 1)];
    }
    if (i > 0 && b == out.slope.back()) continue;
    out.value.push_back(a + b * all.left[i]);
    out.left.push_back(all.left[i]);
    out.slope.push_back(std::move(b));
  }
  return true;
}

bool dense_pieces(const DenseNetwork& net, int first, int last, std::size_t max_pieces, double max_work,
                  DensePieces& out) {
  DenseGradePieces all;
  out = DensePieces{};
  return first >= 1 && first <= last && dense_grade_pieces(net, last, max_pieces, max_work, all) &&
         dense_table(all, first, last, out);
}

bool in_unit_interval(const Box& box) {
  return box.lo.size() == 1 && box.hi.size() == 1 && box.lo[0].sign() >= 0 && box.lo[0] <= box.hi[0] &&
         box.hi[0] <= Q(1);
}

// N9(c): value at the centre exactly, slopes of the pieces meeting (l, u) as
// the gradient hull, the range from h at l, u and the kinks inside, affine iff
// no kink is inside.
void add_pieces_enclosure(const DensePieces& p, const Box& box, const std::vector<Q>& center,
                          CorrectionEnclosure& acc) {
  const Q& l = box.lo[0];
  const Q& u = box.hi[0];
  const std::size_t j = piece_of(p, l);
  std::size_t k = j;
  while (k + 1 < p.left.size() && p.left[k + 1] < u) ++k;
  Q lo = value_at(p, j, l), hi = value_at(p, k, u);
  if (hi < lo) std::swap(lo, hi);
  Q glo = p.slope[j], ghi = p.slope[j];
  for (std::size_t i = j + 1; i <= k; ++i) {
    if (p.value[i] < lo) lo = p.value[i];
    if (hi < p.value[i]) hi = p.value[i];
    if (p.slope[i] < glo) glo = p.slope[i];
    if (ghi < p.slope[i]) ghi = p.slope[i];
  }
  acc.value = acc.value + value_at(p, piece_of(p, center[0]), center[0]);
  acc.lo = acc.lo + lo;
  acc.hi = acc.hi + hi;
  acc.glo[0] = acc.glo[0] + glo;
  acc.ghi[0] = acc.ghi[0] + ghi;
  acc.affine = acc.affine && k == j;
}

void pieces_kinks(const DensePieces& p, const Q& l, const Q& u, std::vector<Q>& out) {
  for (auto it = std::upper_bound(p.left.begin() + 1, p.left.end(), l); it != p.left.end() && *it < u; ++it)
    out.push_back(*it);
}

}  // namespace mgdl::check
