// h = Σ_z c_z φ_z for the nodal hat functions of the Kuhn subdivision of a
// rectilinear (tensor-product) grid on Ω = [0,1]^d (SPEC section 5;
// proofs/hat.md, Lemmas B0, B0.1).
//
//   std::vector<std::vector<Rational>> grid = {{0, 1/4, 1/2, 1}};   // breakpoints per axis
//   HatCorrection h(1, grid, {{{1}, Rational(1, 3)}});               // c = 1/3 at node 1/4
//   Rational v = h.evaluate({Rational(1, 8)});                        // 1/6
//   GradeBlock block = h.realise();                                   // Lemma B0.1 layout
//
// The grid must have, on every axis, strictly increasing rational breakpoints
// 0 = ξ_0 < ... < ξ_N = 1 (N >= 1). Nodes are multi-indices (j_0, .., j_{d-1})
// with 0 <= j_i <= N_i, at the point (ξ_{0,j_0}, ..). On Ω, φ_z(x) = Φ(χ(x) − χ(z))
// with Φ(t) = σ(1 − max(0, t) + min(0, t)) and χ the piecewise-linear map
// sending ξ_{i,j} to j (Lemma B0(d)); so Σ_z φ_z = 1 and h is, on each Kuhn
// simplex of the grid, the affine interpolant of the node coefficients.
#pragma once

#include "mgdl/net/correction.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

namespace mgdl::net {

struct HatNode {
  std::vector<int> index;     // grid multi-index, 0 <= index[i] <= N_i
  num::Rational coefficient;  // c_z (nonzero for stored nodes)
};

class HatCorrection final : public Correction {
 public:
  // Throws std::invalid_argument (one line) on a malformed grid, a node index
  // out of range or a repeated node. Nodes with zero coefficient are dropped;
  // the rest are kept in lexicographic order of their index (axis 0 first),
  // which is the order of the dense layout.
  HatCorrection(int dimension, std::vector<std::vector<num::Rational>> grid, std::vector<HatNode> nodes);
  ~HatCorrection() override;

  int dimension() const override;
  std::string scheme() const override { return "hat"; }
  // h(x) exactly for x ∈ Ω (0 outside Ω): the affine interpolant on the Kuhn
  // simplex of the grid cell holding χ(x) (Lemma B0(a), (d)).
  num::Rational evaluate(const std::vector<num::Rational>& x) const override;
  // On a box in Ω: value at the center exactly; gradient hull = hull of the
  // gradients of the Kuhn simplices the box meets (one cell: the simplices
  // whose order of the cell coordinates the box admits; several cells: all
  // edge difference quotients of the cells met); affine iff the hull is a
  // single point (then h is affine on the box; e.g. a box inside one simplex,
  // or one where all coefficients vanish); range exact when affine, else the
  // hull of the node values of the cells met intersected with the mean-value
  // bound (proofs/certification.md, C2).
  LinearEnclosure enclose(const Box& box) const override;
  // d = 1, a box inside one cell or a point: from the cell's affine piece
  // h = c_j + s_j (x − ξ_j), cached as balls (exact for dyadic data); else
  // the exact forms above, rounded.
  void enclose_balls(const Box& box, slong prec, BallEnclosure& out) const override;
  num::Ball evaluate_ball(const std::vector<num::Rational>& x, slong prec) const override;
  // Grid lines of `axis` strictly inside the box, among those where h can
  // have a kink (within one cell of an active node). In d >= 2 the diagonals
  // of the Kuhn simplices are further, oblique kinks.
  std::vector<num::Rational> axis_breakpoints(const Box& box, int axis) const override;
  // In 1D a scan from the box's first cell that stops at `limit` kinks.
  std::vector<num::Rational> first_axis_breakpoints(const Box& box, int axis, std::size_t limit) const override;
  // Stops at the first kink line found (any d).
  bool has_axis_breakpoints(const Box& box, int axis) const override;
  // proofs/integration.md, Lemma I8(h). A cell inside one grid cell: the
  // forms u_i − u_j (u the cell coordinates) whose zero planes cross the open
  // cell and separate Kuhn simplices with different gradients of h. A cell
  // meeting several grid cells (h ≡ 0 there when no axis kink is inside): none.
  bool oblique_kinks(const Box& cell, std::vector<AffineForm>& out) const override;
  // The polytope's vertices in one grid cell and one Kuhn simplex of it (all
  // sorted by the same order of u): adds that simplex's interpolant; in several
  // cells: true (adds 0) only when no active node touches them.
  bool add_affine_on(const Box& cell, const std::vector<std::vector<num::Rational>>& vertices,
                     AffineForm& out) const override;
  // The node boxes Σ_z ∩ Ω of the active nodes (proofs/hat.md, design note 1).
  std::vector<Box> support_boxes() const override;
  std::size_t active_units() const override;

  // Lemma B0.1, non-uniform form, for the n active nodes in list order. x = the
  // d carried inputs (the first d coordinates of the block's input; ≥ 0 on Ω).
  // For node z and axis l: h_l^+ = ξ_{l,j+1} − ξ_{l,j}, h_l^- = ξ_{l,j} − ξ_{l,j−1}
  // (j = z's index on axis l); a missing side (z_l = 0 or 1) takes the spacing
  // of the present side (its channel is 0 on Ω anyway). Write
  // e_l^± = σ(±(x_l − z_l)), y_l = e_l^+/h_l^+ − e_l^-/h_l^-, M_l^± = max(0, ±y_1..±y_l),
  // p_l = σ(y_l − M_{l−1}^+), q_l = σ(−y_l − M_{l−1}^-), c^± = max(±c, 0).
  // Hat k uses d+1 layers (channels in this order):
  //   layer 1      : [x, M1+ = σ((x_1−z_1)/h_1^+), M1- = σ((z_1−x_1)/h_1^-),
  //                   (d ≥ 2) e_2^+, e_2^-, A+ (+ c_{k−1}^+ φ_{k−1}), A- (+ c_{k−1}^- φ_{k−1})]
  //   layer l=2..d : [x, M_{l−1}^+, M_{l−1}^-, p_l, q_l, (l < d) e_{l+1}^+, e_{l+1}^-, A+, A-]
  //                  where M_1^± is carried as σ(M_1^±) and, for l ≥ 3,
  //                  M_{l−1}^± = σ(M_{l−2}^± + p_{l−1} resp. q_{l−1});
  //                  pre-activation of p_l: e_l^+/h_l^+ − e_l^-/h_l^- − M_{l−1}^+ (q_l: negated y, M^-)
  //   layer d+1    : [x, φ_k = σ(1 − M_d^+ − M_d^-), A+, A-]   (M_d^± = M_{d−1}^± + p_d resp. q_d; d = 1: M_1^±)
  // then a closing layer [x, A+ + c_n^+ φ_n, A- + c_n^- φ_n] (width d+2) and
  // the read-out A+ − A-. Hat 1 reads only x (A± start at 0). Widths: d = 1: 5,
  // d = 2: 8, d >= 3: d+8 (all <= 5d); n = 0 gives width d+2. Depth
  // n(d+1) + 2 (n(d+1)+1 hidden layers plus the read-out). Output [x, A+, A-].
  // Within each layer the weights are sorted by (row, col); zero weights are
  // not stored; unused biases are 0.
  GradeBlock realise() const override;

  const std::vector<std::vector<num::Rational>>& grid() const { return grid_; }
  const std::vector<HatNode>& nodes() const { return nodes_; }
  // The point z of a grid multi-index.
  std::vector<num::Rational> node_point(const std::vector<int>& index) const;
  // Σ_z ∩ Ω = Π [ξ_{j−1}, ξ_{j+1}] clipped to [0, 1] (design note 1).
  Box node_box(const std::vector<int>& index) const;

 private:
  int slot(const std::vector<int>& index) const;  // position in nodes_, or -1
  std::uint64_t linear(const std::vector<int>& index) const;
  void cell_range(const Box& box, std::vector<int>& first, std::vector<int>& last) const;
  // cell_range plus nlast_i = last_i + 1: the node region first .. nlast of
  // the cells the box meets (h on the box depends only on its nodes); returns
  // its number of nodes.
  long double node_region(const Box& box, std::vector<int>& first, std::vector<int>& last,
                          std::vector<int>& nlast) const;
  // Small regions are walked node by node; large ones through the node list.
  bool small_region(long double region) const;
  // f on each active node of the region first .. nlast while f returns true.
  void for_each_active_node(const std::vector<int>& first, const std::vector<int>& nlast, long double region,
                            const std::function<bool(const std::vector<int>&)>& f) const;
  // Number of breakpoints of `axis` that are <= t (strict: < t).
  int count_below(std::size_t axis, const num::Rational& t, bool strict) const;
  // The affine function equal to h on the Kuhn simplex of grid cell k whose
  // cell coordinates satisfy u_order[0] >= u_order[1] >= ... (Lemma B0(a)).
  AffineForm simplex_form(const std::vector<int>& k, const std::vector<std::size_t>& order) const;
  // Index j of the cell [ξ_j, ξ_{j+1}] holding t (the right one on a grid
  // line, the last one at t = 1).
  int cell_of(std::size_t axis, const num::Rational& t) const;

  int dimension_;
  std::vector<std::vector<num::Rational>> grid_;
  std::vector<HatNode> nodes_;
  std::vector<std::uint64_t> stride_;
  std::unordered_map<std::uint64_t, int> slots_;
  // Breakpoints as doubles: they only guide the exact searches of count_below.
  std::vector<std::vector<double>> grid_approx_;
  // d = 1: per cell j, ξ_j, c_j and s_j = (c_{j+1} − c_j)/(ξ_{j+1} − ξ_j) as
  // balls at kCachePrec bits (enclose_balls, evaluate_ball).
  static constexpr slong kCachePrec = 512;
  std::vector<num::Ball> cell_left_, cell_value_, cell_slope_;
  std::vector<char> kink_line_;  // d = 1: line j is within one index of an active node
};

// φ_z(x) by the ReLU formula of SPEC section 5 (non-uniform y of Lemma B0.1),
// exactly, for any x (used to test Lemma B0: φ_z ≥ 0, Σ_z φ_z = 1 on Ω).
num::Rational hat_function(const std::vector<std::vector<num::Rational>>& grid, const std::vector<int>& index,
                           const std::vector<num::Rational>& x);

}  // namespace mgdl::net
