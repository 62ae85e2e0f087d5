#include "affine_pieces.hpp"

#include <algorithm>

namespace mgdl::check {

bool cell_u(const CutoffData& q, const Box& cell, std::vector<Q>& u) {
  const std::size_t d = cell.lo.size();
  u.assign(d + 1, Q());
  u[0] = Q(1);
  for (std::size_t i = 0; i < d; ++i) {
    if (cell.hi[i] <= q.a[i]) {
      u[0] = u[0] - q.a[i] * q.inv_rho[i];
      u[1 + i] = q.inv_rho[i];
    } else if (cell.lo[i] >= q.b[i]) {
      u[0] = u[0] + q.b[i] * q.inv_rho[i];
      u[1 + i] = -q.inv_rho[i];
    } else if (!(q.a[i] <= cell.lo[i] && cell.hi[i] <= q.b[i])) {
      return false;
    }
  }
  return true;
}

bool support_meets_closed(const CutoffData& q, const Box& b) {
  for (std::size_t i = 0; i < b.lo.size(); ++i)
    if (q.sup_lo[i] > b.hi[i] || q.sup_hi[i] < b.lo[i]) return false;
  return true;
}

bool affine_pieces(const Box& box, const CutoffsOnBox& cutoffs, const std::vector<const HatGrid*>& hats,
                   std::vector<AffinePiece>& out) {
  out.clear();
  const std::size_t d = box.lo.size();
  if (d < 2 || box.hi.size() != d) return false;
  if (!cutoffs.varying.empty() && !hats.empty()) return false;  // one kind of correction

  // Cells: the axis kinks strictly inside each side.
  std::vector<std::vector<Q>> axis_cuts(d);
  for (std::size_t i = 0; i < d; ++i) {
    std::vector<Q>& c = axis_cuts[i];
    c.push_back(box.lo[i]);
    for (const CutoffData* q : cutoffs.varying)
      for (const Q* t : {&q->sup_lo[i], &q->a[i], &q->b[i], &q->sup_hi[i]})
        if (box.lo[i] < *t && *t < box.hi[i]) c.push_back(*t);
    for (const HatGrid* hg : hats) hat_axis_kinks(*hg, box, i, c);  // lines near active nodes
    c.push_back(box.hi[i]);
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    if (c.size() > affine_pieces_max_cuts + 2) return false;
  }

  struct Active {
    const CutoffData* q;
    std::vector<Q> u;
  };
  std::vector<Active> active;
  std::vector<std::vector<Q>> forms;
  std::vector<Simplex> pieces;
  std::vector<Q> u;
  Box cell;
  std::vector<std::size_t> idx(d, 0);
  for (;;) {
    cell.lo.resize(d);
    cell.hi.resize(d);
    for (std::size_t i = 0; i < d; ++i) {
      cell.lo[i] = axis_cuts[i][idx[i]];
      cell.hi[i] = axis_cuts[i][idx[i] + 1];
    }
    // The oblique kinks of the cell.
    active.clear();
    forms.clear();
    for (const CutoffData* q : cutoffs.varying) {
      if (!support_meets_closed(*q, cell)) continue;  // ψ_Q = 0 on the cell (I8(a))
      if (!cell_u(*q, cell, u)) return false;         // an axis kink inside: cannot happen
      Q lo = u[0], hi = u[0];                         // u's range over the cell's corners
      for (std::size_t i = 0; i < d; ++i) {
        const Q a = u[1 + i] * cell.lo[i], b = u[1 + i] * cell.hi[i];
        lo = lo + qmin(a, b);
        hi = hi + qmax(a, b);
      }
      if (lo.sign() < 0 && hi.sign() > 0) forms.push_back(u);
      active.push_back({q, u});
    }
    for (const HatGrid* hg : hats) hat_cell_kinks(*hg, cell, forms);
    pieces = kuhn_simplices(cell);
    for (const std::vector<Q>& f : forms)
      if (!split_by(pieces, f, affine_pieces_max_pieces)) return false;
    if (out.size() + pieces.size() > affine_pieces_max_pieces) return false;

    for (Simplex& t : pieces) {
      // h on the piece (I9(c)): the constant of the cutoffs ≡ 1, plus c·u for every cutoff
      // with u >= 0 at all vertices (u <= 0 at all: ψ ≡ 0); hats by their vertex test.
      AffinePiece p;
      p.eta.assign(d + 1, Q());
      p.eta[0] = cutoffs.constant;
      bool affine = true;
      for (const Active& a : active) {
        const int s = sign_on(t, a.u);
        if (s < 0) continue;
        if (s == 0) {
          affine = false;
          break;
        }
        for (std::size_t k = 0; k <= d; ++k) p.eta[k] = p.eta[k] + a.q->c * a.u[k];
      }
      for (const HatGrid* hg : hats) affine = affine && hat_affine_on_simplex(*hg, t.v, p.eta);
      p.affine = affine;
      p.simplex = std::move(t);
      out.push_back(std::move(p));
    }
    std::size_t i = 0;
    while (i < d && ++idx[i] == axis_cuts[i].size() - 1) idx[i++] = 0;
    if (i == d) break;
  }
  return true;
}

}  // namespace mgdl::check
