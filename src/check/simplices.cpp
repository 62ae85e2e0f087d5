#include "simplices.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace mgdl::check {

Q affine_at(const AffineForm& a, const std::vector<Q>& x) {
  Q s = a[0];
  for (std::size_t i = 0; i < x.size(); ++i)
    if (a[1 + i].sign() != 0) s = s + a[1 + i] * x[i];
  return s;
}

Q simplex_det(const Simplex& s) {
  const std::size_t d = s.v.size() - 1;
  // Rows are the edges v_j − v_0 (det E = det Eᵀ).
  std::vector<std::vector<Q>> m(d, std::vector<Q>(d));
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t i = 0; i < d; ++i) m[j][i] = s.v[j + 1][i] - s.v[0][i];
  Q det(1);
  for (std::size_t col = 0; col < d; ++col) {
    std::size_t piv = col;
    while (piv < d && m[piv][col].sign() == 0) ++piv;
    if (piv == d) return Q();
    if (piv != col) {
      std::swap(m[piv], m[col]);
      det = -det;
    }
    det = det * m[col][col];
    for (std::size_t r = col + 1; r < d; ++r) {
      if (m[r][col].sign() == 0) continue;
      const Q f = m[r][col] / m[col][col];
      for (std::size_t c = col; c < d; ++c) m[r][c] = m[r][c] - f * m[col][c];
    }
  }
  return det;
}

Q simplex_volume(const Simplex& s) {
  Q fact(1);
  for (long k = 2; k < static_cast<long>(s.v.size()); ++k) fact = fact * Q(k);
  return simplex_det(s).abs() / fact;
}

std::vector<Simplex> kuhn_simplices(const Box& cell) {
  const std::size_t d = cell.lo.size();
  std::vector<std::size_t> perm(d);
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::vector<Simplex> out;
  do {
    Simplex s;
    s.v.push_back(cell.lo);
    for (std::size_t j = 0; j < d; ++j) {
      std::vector<Q> next = s.v.back();
      next[perm[j]] = cell.hi[perm[j]];  // v_{j−1} + (u − l)_{π(j−1)} e_{π(j−1)}
      s.v.push_back(std::move(next));
    }
    out.push_back(std::move(s));
  } while (std::next_permutation(perm.begin(), perm.end()));
  return out;
}

int sign_on(const Simplex& s, const AffineForm& a) {
  bool pos = false, neg = false;
  for (const auto& x : s.v) {
    const int g = affine_at(a, x).sign();
    pos = pos || g > 0;
    neg = neg || g < 0;
  }
  return pos && neg ? 0 : neg ? -1 : 1;
}

namespace {

// Lemma I9 (a), (b): split at the first edge with strict opposite signs, recurse on both
// children; `val` holds a at the vertices (the new vertex has a = 0 exactly, so every child
// has one strict vertex less: depth <= d + 1).
bool split_one(Simplex&& s, std::vector<Q>&& val, std::vector<Simplex>& out, std::size_t max_pieces) {
  const std::size_t k = s.v.size();
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = i + 1; j < k; ++j) {
      if (val[i].sign() * val[j].sign() >= 0) continue;
      const Q t = val[i] / (val[i] - val[j]);  // a(v_i + t (v_j − v_i)) = 0, 0 < t < 1
      std::vector<Q> x(s.v[i].size());
      for (std::size_t c = 0; c < x.size(); ++c) x[c] = s.v[i][c] + t * (s.v[j][c] - s.v[i][c]);
      Simplex other = s;
      std::vector<Q> other_val = val;
      s.v[j] = x;  // child 1: v_j replaced by x
      val[j] = Q();
      other.v[i] = std::move(x);  // child 2: v_i replaced by x
      other_val[i] = Q();
      return split_one(std::move(s), std::move(val), out, max_pieces) &&
             split_one(std::move(other), std::move(other_val), out, max_pieces);
    }
  if (out.size() >= max_pieces) return false;
  out.push_back(std::move(s));
  return true;
}

}  // namespace

bool split_by(std::vector<Simplex>& pieces, const AffineForm& a, std::size_t max_pieces) {
  std::vector<Simplex> out;
  out.reserve(pieces.size());
  for (Simplex& s : pieces) {
    std::vector<Q> val;
    val.reserve(s.v.size());
    for (const auto& x : s.v) val.push_back(affine_at(a, x));
    if (!split_one(std::move(s), std::move(val), out, max_pieces)) return false;
  }
  pieces = std::move(out);
  return true;
}

Q positive_part_integral(const Simplex& s, const AffineForm& a) {
  std::vector<Simplex> parts{s};
  // At most 2^(d+1) pieces (one strict vertex less per generation).
  split_by(parts, a, std::size_t{1} << 20);
  Q sum;
  for (const Simplex& t : parts) {
    if (sign_on(t, a) < 0) continue;
    Q mean;
    for (const auto& x : t.v) mean = mean + affine_at(a, x);
    mean = mean / Q(static_cast<long>(t.v.size()));
    if (mean.sign() != 0) sum = sum + simplex_volume(t) * mean;
  }
  return sum;
}

Box bounding_box(const Simplex& s) {
  Box b;
  b.lo = s.v[0];
  b.hi = s.v[0];
  for (const auto& x : s.v)
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (x[i] < b.lo[i]) b.lo[i] = x[i];
      if (b.hi[i] < x[i]) b.hi[i] = x[i];
    }
  return b;
}

}  // namespace mgdl::check
