// The exact pieces of a continuous piecewise-linear h on [0, 1] (d = 1), built
// once from the exact propagation of a ReLU network (proofs/networks.md, N9):
// kinks 0 < T_1 < ... < T_J < 1, and on piece j = [T_j, T_{j+1}] (T_0 = 0,
// T_{J+1} = 1) h(x) = h(T_j) + γ_j (x − T_j). Values, kinks and enclosures on a
// box then cost a binary search and a few rational operations.
//
//   PieceTable t;
//   if (t.build(network, 1, m, 1 << 16, 1e8)) { auto e = t.enclose(Rational(1, 4), Rational(1, 2)); }
#pragma once

#include <cstddef>
#include <vector>

#include "mgdl/net/correction.hpp"
#include "mgdl/net/relu_network.hpp"

namespace mgdl::netcert::detail {

class PieceTable;

// N9(a) run once through grades 1..last of a 1D network: one common partition
// of [0, 1] on which every grade's read-out is affine, so that the table of any
// sum of grades first..m (m <= last) is a merge (N9(b)), not a new propagation.
class NetworkPieces {
 public:
  // Grades 1..last, or the first grades that fit `max_pieces` and `max_work`
  // (see PieceTable::build); false when not even grade 1 fits or the network
  // is not 1D piecewise linear.
  bool build(const net::MultigradeNetwork& network, int last, std::size_t max_pieces, double max_work);
  int grades() const { return last_; }  // the grades built
  // The table of Σ_{first <= k <= m} g_k(F_k); false when out of range.
  bool table(int first, int m, PieceTable& out) const;

 private:
  std::vector<num::Rational> left_;                  // the partition's left ends (0 first)
  std::vector<std::vector<num::Rational>> sa_, sb_;  // [piece][k − 1]: g_k = sa + sb x there
  int last_ = 0;
};

class PieceTable {
 public:
  // h = Σ_{first <= k <= m} g_k(F_k) of a network reading t ∈ [0, 1] with
  // ReLU or identity activations: every neuron propagated exactly as one
  // affine function per piece, pieces split at the zeros of ReLU inputs, then
  // neighbours with equal slope merged (N9). False when more than `max_pieces`
  // pieces arise, the layers would cost more than `max_work` exact
  // multiply-adds (pieces × weights), or the network is not of that kind (the
  // table is then unusable).
  bool build(const net::MultigradeNetwork& network, int first, int m, std::size_t max_pieces,
             double max_work);

  // T_1..T_J.
  const std::vector<num::Rational>& kinks() const { return kinks_; }
  // The first min(limit, all) kinks inside the open interval (l, u).
  std::vector<num::Rational> kinks_in(const num::Rational& l, const num::Rational& u,
                                      std::size_t limit) const;
  // h(x) exactly, 0 <= x <= 1.
  num::Rational value(const num::Rational& x) const;
  // The enclosure of h on [l, u] ⊆ [0, 1] (N9): exact value at the centre,
  // gradient hull [min γ, max γ] over the pieces meeting (l, u), the exact
  // range, affine exactly when no kink lies in (l, u).
  net::LinearEnclosure enclose(const num::Rational& l, const num::Rational& u) const;
  void enclose_balls(const num::Rational& l, const num::Rational& u, slong prec,
                     net::BallEnclosure& out) const;

 private:
  friend class NetworkPieces;
  std::size_t piece_of(const num::Rational& x) const;  // the last j with T_j <= x

  std::vector<num::Rational> left_;   // T_0 = 0, T_1, ..., T_J
  std::vector<num::Rational> slope_;  // γ_j
  std::vector<num::Rational> value_;  // h(T_j)
  std::vector<num::Rational> kinks_;  // T_1..T_J
};

}  // namespace mgdl::netcert::detail
