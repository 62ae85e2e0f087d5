// The checker's exact pieces of a dense ReLU network in 1D (proofs/networks.md,
// N9), written from the lemma with the checker's own arithmetic: built once
// per residual, then each box's enclosure (N9(c)) and its kinks (for K<n>,
// proofs/integration.md I5(c)) are a binary search.
//
//   DensePieces p;
//   if (dense_pieces(unit, 1, k, 1 << 16, 3e7, p)) analyzer.set_dense_pieces(&p);
#pragma once

#include <cstddef>
#include <vector>

#include "cutoffs.hpp"
#include "dense.hpp"

namespace mgdl::check {

struct DensePieces {
  // Piece j is [left[j], left[j+1]] (left[0] = 0, the last ends at 1), where
  // h(x) = value[j] + slope[j]·(x − left[j]); neighbours have different slopes.
  std::vector<Q> left, slope, value;
};

// The pieces of Σ_{first <= k <= last} readout_k(F_k) on [0, 1] (d = 1, first <= last,
// affine read-outs). False when more than max_pieces pieces arise, the layers
// would cost more than max_work exact multiply-adds (pieces × weights), or the
// network is not of that kind (then no table: use add_dense_enclosure).
bool dense_pieces(const DenseNetwork& net, int first, int last, std::size_t max_pieces, double max_work,
                  DensePieces& out);

// N9(a) once through grades 1..last: one partition of [0, 1] on which every
// grade's read-out is affine (sa + sb x per piece and grade), so that the table
// of any sum of grades is a merge (N9(b)).
struct DenseGradePieces {
  std::vector<Q> left;                 // the partition's left ends (0 first)
  std::vector<std::vector<Q>> sa, sb;  // [piece][k − 1]
  int last = 0;
};
// Grades 1..last, or the first grades that fit max_pieces and max_work (out.last
// says how many); false when not even grade 1 fits or as for dense_pieces.
bool dense_grade_pieces(const DenseNetwork& net, int last, std::size_t max_pieces, double max_work,
                        DenseGradePieces& out);
// The table of Σ_{first <= k <= last} readout_k(F_k); false when out of range.
bool dense_table(const DenseGradePieces& all, int first, int last, DensePieces& out);

// Adds the enclosure of N9(c) of h on box ⊆ [0, 1] (centre `center`) to acc.
void add_pieces_enclosure(const DensePieces& p, const Box& box, const std::vector<Q>& center,
                          CorrectionEnclosure& acc);

// Appends the kinks of h in the open interval (l, u).
void pieces_kinks(const DensePieces& p, const Q& l, const Q& u, std::vector<Q>& out);

// Whether the 1D box lies in [0, 1] (where the table applies).
bool in_unit_interval(const Box& box);

}  // namespace mgdl::check
