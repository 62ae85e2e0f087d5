// Branch and bound over simplices for sup |f − ℓ| (proofs/simplices.md,
// Lemmas S2, S5, S6, S6.1). Vertices, ℓ's values and all bounds are Arb
// balls; doubles steer (heap order, edge choice, witness placement) only.
#include "mgdl/geom/simplex_sup.hpp"

#include <stdexcept>
#include <string>

#include "piece_bounder.hpp"

namespace mgdl::geom {

using detail::Arf;
using detail::Piece;
using num::Ball;
using num::Rational;

namespace {

// The bounder's form of a piece (vertices and ℓ's values as balls); `who` names the caller in errors.
Piece to_piece(const AffinePiece& a, std::size_t d, slong prec, const char* who) {
  const std::size_t n = d + 1;
  if (a.vertex.size() != n || a.value.size() != n)
    throw std::invalid_argument(std::string(who) + ": a piece needs d + 1 vertices and values");
  Piece p;
  p.data.resize(n * (d + 1));
  for (std::size_t i = 0; i < n; ++i) {
    if (a.vertex[i].size() != d)
      throw std::invalid_argument(std::string(who) + ": a vertex needs d coordinates");
    for (std::size_t k = 0; k < d; ++k) p.data[i * (d + 1) + k] = Ball::from_rational(a.vertex[i][k], prec);
    p.data[i * (d + 1) + d] = Ball::from_rational(a.value[i], prec);
  }
  return p;
}

}  // namespace

SupResult certify_sup(LocalTarget& target, const std::vector<AffinePiece>& pieces,
                      const SupOptions& options) {
  const int di = target.dimension();
  if (di < 1 || di > 8) throw std::invalid_argument("certify_sup: dimension must be 1..8");
  const std::size_t d = static_cast<std::size_t>(di);
  const slong prec = options.prec;
  detail::Bounder bounder(target, prec);
  SupResult res;
  Arf lower;
  arf_zero(lower.x);
  std::vector<Piece> heap;
  heap.reserve(pieces.size() * 2);
  auto less = [](const Piece& a, const Piece& b) { return a.key < b.key; };
  auto push = [&](Piece p) {
    bounder.bound(p, lower.x, res.witness);
    heap.push_back(std::move(p));
    std::push_heap(heap.begin(), heap.end(), less);
  };
  for (const AffinePiece& a : pieces) {
    push(to_piece(a, d, prec, "certify_sup"));
  }
  // keep = 1 − rel_gap; stop when the top piece's upper · keep <= lower.
  const Ball keep = Ball::from_rational(1 - options.rel_gap, prec);
  Ball t;
  Arf tu;
  while (!heap.empty()) {
    const Piece& top = heap.front();
    if (top.finite) {
      arb_mul(t.arb(), top.upper.arb(), keep.arb(), prec);
      arb_get_ubound_arf(tu.x, t.arb(), prec);
      if (arf_cmp(tu.x, lower.x) <= 0) break;
    }
    if (heap.size() >= options.max_pieces) break;
    std::pop_heap(heap.begin(), heap.end(), less);
    Piece p = std::move(heap.back());
    heap.pop_back();
    auto halves = detail::bisect(std::move(p), d, prec);
    push(std::move(halves.first));
    push(std::move(halves.second));
  }
  // Lemma C1: the pieces cover the domain; the claimed upper bound is their
  // exact maximum.
  res.all_finite = true;
  Arf up;
  arf_set(up.x, lower.x);
  for (const Piece& p : heap) {
    res.all_finite = res.all_finite && p.finite;
    if (p.finite && arf_cmp(arb_midref(p.upper.arb()), up.x) > 0) arf_set(up.x, arb_midref(p.upper.arb()));
  }
  res.lower = detail::arf_to_rational(lower.x);
  res.upper = detail::arf_to_rational(up.x);
  res.proven = res.all_finite && res.upper * (1 - options.rel_gap) <= res.lower;
  res.evaluations = bounder.evaluations;
  res.leaves = heap.size();
  return res;
}

SimplexBounder::SimplexBounder(LocalTarget& target, slong prec)
    : impl_(std::make_unique<detail::Bounder>(target, prec)), prec_(prec) {}

SimplexBounder::~SimplexBounder() = default;

bool SimplexBounder::bound(const AffinePiece& piece, Rational& upper, std::vector<double>& at) {
  const std::size_t d = impl_->ud(), n = d + 1;
  Piece p = to_piece(piece, d, prec_, "SimplexBounder");
  Arf never;  // +inf: the bounder's own witness search is skipped (the caller evaluates R itself)
  arf_pos_inf(never.x);
  std::vector<double> unused;
  impl_->bound(p, never.x, unused);
  if (!p.finite) return false;
  upper = detail::arf_to_rational(arb_midref(p.upper.arb()));
  const std::vector<double>& lambda = impl_->extremum();
  at.assign(d, 0.0);
  for (std::size_t i = 0; i < n && i < lambda.size(); ++i)
    for (std::size_t k = 0; k < d; ++k) at[k] += lambda[i] * num::to_double_approx(piece.vertex[i][k]);
  return true;
}

}  // namespace mgdl::geom
