// The checker's exact view of cutoff corrections h = Σ c_Q ψ_Q (SPEC section 4):
// exact values, exact per-box enclosures, the exact overlap number, and the
// dense block layout of include/mgdl/net/cutoff_correction.hpp rebuilt from
// scratch (read as a specification, not included).
#pragma once

#include "exact.hpp"

#include <utility>
#include <vector>

namespace mgdl::check {

struct CutoffData {
  std::vector<Q> a, b, rho;
  std::vector<Q> inv_rho;         // 1/ρ, set by finish_cutoff
  std::vector<Q> sup_lo, sup_hi;  // a − ρ and b + ρ (the closed support), set by finish_cutoff
  Q c;
  int grade = 0;
};

// Fills inv_rho, sup_lo and sup_hi from a, b and rho (every rho_i > 0).
void finish_cutoff(CutoffData& q);

struct Box {
  std::vector<Q> lo, hi;
};

// (lo + hi)/2 exactly.
Q midpoint(const Q& lo, const Q& hi);
// The two halves of a box split at the midpoint of its longest axis (the first one on ties).
std::pair<Box, Box> bisect(const Box& b);

// Enclosure of h on a box B with center m (proofs/certification.md, C2):
// h(m) exactly, a hull [glo, ghi] of the generalised gradient of h over B, so
// h(x) − h(m) ∈ Σ_i [glo_i, ghi_i](x_i − m_i) (Lebourg's mean value theorem),
// and a range [lo, hi] ⊇ h(B). When `affine`, h is affine on B and glo = ghi.
struct CorrectionEnclosure {
  Q value;
  Q value_radius;  // h(centre) ∈ value ± value_radius (0: exact; smooth networks, N10)
  std::vector<Q> glo, ghi;
  Q lo, hi;
  bool affine = true;
  void reset(int d);
  // Work space of add_enclosure (kept here so the hot loop does not allocate).
  struct Scratch {
    Q t, s_center, s_min, s_max, sl, sh;
    std::vector<Q> glo, ghi;
  } scratch;
};

// Adds c·ψ_Q for every listed cutoff (cutoffs whose support misses the open
// box contribute 0 and may be listed).
void add_enclosure(const std::vector<const CutoffData*>& cutoffs, const Box& box, const std::vector<Q>& center,
                   CorrectionEnclosure& acc);

// The cutoffs that matter on a box: those whose support meets its interior
// and that are not ≡ 1 on it, and the sum of c over those that are (a box in
// the core of Q on every axis has ψ_Q ≡ 1 on it: value and range c, gradient
// 0, exactly what add_enclosure would add). Folding them once where a tree
// node first lies in a core keeps the per-leaf lists short.
struct CutoffsOnBox {
  std::vector<const CutoffData*> varying;
  Q constant;
};

// ψ_Q ≡ 1 on the closed box: a_i <= lo_i and hi_i <= b_i on every axis.
bool core_contains(const CutoffData& q, const Box& box);

// `to` := the cutoffs of `from` (valid on a box containing `box`) for `box`.
void restrict_cutoffs(const CutoffsOnBox& from, const Box& box, CutoffsOnBox& to);

// The halves of bisect(box), each with its cutoffs restricted from `cutoffs`.
struct Halves {
  Box lower, upper;
  CutoffsOnBox lower_cutoffs, upper_cutoffs;
};
Halves bisect(const Box& box, const CutoffsOnBox& cutoffs);

// add_enclosure of the varying cutoffs, plus the constant.
void add_enclosure(const CutoffsOnBox& cutoffs, const Box& box, const std::vector<Q>& center,
                   CorrectionEnclosure& acc);

// ψ_Q(x) exactly (proofs/cutoff.md, Lemma A1).
Q psi(const CutoffData& q, const std::vector<Q>& x);

// True when the closed support of q meets the open box (else ψ_Q = 0 on B).
bool support_meets_open(const CutoffData& q, const Box& box);

// The cutoffs whose closed support meets an open box, found in O(log n + k log n)
// (k reported) instead of a scan: sorted by sup_lo[0], with a segment tree of
// the largest sup_hi[0] per range; the other axes are then tested exactly.
class CutoffIndex {
 public:
  explicit CutoffIndex(std::vector<const CutoffData*> cutoffs);
  // Appends to `out` the cutoffs meeting the open box, in construction order.
  void meeting(const Box& box, std::vector<const CutoffData*>& out) const;
  // The same as positions in the construction list, ascending.
  void positions_meeting(const Box& box, std::vector<std::size_t>& out) const;
  std::size_t size() const { return sorted_.size(); }

 private:
  void visit(std::size_t node, std::size_t lo, std::size_t hi, std::size_t end, const Box& box,
             std::vector<std::size_t>& found) const;
  std::vector<const CutoffData*> original_;
  std::vector<const CutoffData*> sorted_;  // by sup_lo[0]
  std::vector<std::size_t> position_;      // index in the construction order
  std::vector<const Q*> max_hi_;           // segment tree over sorted_ (node 1 = root)
};

// max over x ∈ Ω of #{Q : x ∈ S(Q)} with S(Q) the open support (exact;
// proofs/cutoff.md, Lemma A2 — counted, not assumed).
int overlap_number(int d, const std::vector<CutoffData>& cutoffs);

// A smooth activation of a network from elsewhere (proofs/networks.md, N10);
// such a layer has relu == false.
enum class Smooth : unsigned char { none, tanh, sigmoid, sin };

struct DenseLayer {
  struct Entry {
    int row, col;
    Q value;
  };
  int inputs = 0, outputs = 0;
  std::vector<Entry> weights;  // sorted by (row, col), no zeros
  std::vector<Q> bias;
  bool relu = true;
  Smooth smooth = Smooth::none;
};

struct DenseBlock {
  std::vector<DenseLayer> layers;
  DenseLayer readout;
};

// The Lemma A5 block for the cutoffs in list order, reading x from the first
// d of `input_size` inputs.
DenseBlock rebuild_block(int d, int input_size, const std::vector<CutoffData>& cutoffs);

// "" when equal, else a one-line description of the first difference.
std::string compare_blocks(const DenseBlock& expected, const DenseBlock& actual);

}  // namespace mgdl::check
