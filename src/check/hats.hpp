// The checker's exact view of hat corrections h = Σ_z c_z φ_z on a
// Kuhn-subdivided tensor grid (SPEC section 5; proofs/hat.md B0, B0.1):
// exact values, per-box enclosures, and the dense block layout of
// include/mgdl/net/hat_correction.hpp rebuilt from scratch (read as a
// specification, not included).
#pragma once

#include "cutoffs.hpp"
#include "exact.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mgdl::check {

struct HatGrid {
  int d = 0;
  std::vector<std::vector<Q>> grid;         // breakpoints per axis, 0 = ξ_0 < .. < ξ_N = 1
  std::vector<std::vector<long>> index;     // active nodes in file order
  std::vector<Q> c;                         // their coefficients
  std::map<std::vector<long>, std::size_t> slot;  // index -> position
};

// {"scheme": "hat", "dimension": d, "grid": [[..]..], "nodes": [{"index": [..], "c": ".."}]}.
// Throws MalformedError ("<where>: ...") on bad input.
HatGrid read_hat_correction(const nlohmann::json& j, int d, const std::string& where);

// h(x) exactly for x ∈ Ω (Lemma B0(d): the interpolant on the Kuhn simplex of x).
Q hat_value(const HatGrid& h, const std::vector<Q>& x);

// Adds the enclosure of h on the box (box ⊆ Ω) to acc: value at the center,
// gradient hull of the Kuhn simplices the box meets (C2), range.
void add_hat_enclosure(const HatGrid& h, const Box& box, const std::vector<Q>& center, CorrectionEnclosure& acc);

// proofs/integration.md, Lemma I8(h), d = 2. A cell inside one grid cell
// [ξ_i, ξ_{i+1}] × [η_j, η_{j+1}]: appends the diagonal u_0 − u_1 = 0 as
// {constant, x-coefficient, y-coefficient} when it crosses the open cell. A
// cell meeting several grid cells: nothing (hat_affine_on decides).
void hat_cell_lines(const HatGrid& h, const Box& cell, std::vector<std::vector<Q>>& lines);
// form += h on the convex polygon `vertices` (d = 2): true when all vertices
// lie in one grid cell and one closed Kuhn simplex of it (h is that simplex's
// interpolant, Lemma B0), or when the cells they meet touch no active node
// (h ≡ 0); false otherwise (affinity not proven).
bool hat_affine_on(const HatGrid& h, const std::vector<std::vector<Q>>& vertices, std::vector<Q>& form);

// The grid lines on `axis` strictly inside the box that can be kinks of h there (appended to
// out): those within one index of an active node whose support meets the open box (φ_z has its
// axis-aligned kinks at ξ_{j−1}, ξ_j, ξ_{j+1}, j its index). Other lines only cost pieces; the
// rules never depend on the list for soundness.
void hat_axis_kinks(const HatGrid& h, const Box& box, std::size_t axis, std::vector<Q>& out);
// proofs/integration.md, Lemma I9 (c), any d. A cell inside one grid cell k: appends every
// u_a − u_b (a < b), u_a = (x_a − ξ^a_{k_a})/(ξ^a_{k_a+1} − ξ^a_{k_a}), as {constant,
// coefficients of x_1..x_d}, that takes both strict signs at the cell's corners. A cell
// meeting several grid cells: nothing (hat_affine_on_simplex decides).
void hat_cell_kinks(const HatGrid& h, const Box& cell, std::vector<std::vector<Q>>& forms);
// form += h on conv(vertices) (any d; form has d + 1 entries): true when all vertices lie in
// one closed grid cell and some permutation π has u_π(1) >= .. >= u_π(d) at each of them (h
// is that Kuhn simplex's interpolant, Lemma B0, simplices.md S3), or when the grid cells met
// by their bounding box touch no active node (h ≡ 0); false otherwise.
bool hat_affine_on_simplex(const HatGrid& h, const std::vector<std::vector<Q>>& vertices,
                           std::vector<Q>& form);

// Σ_z ∩ Ω of node k (the root box of its fact; design note 1).
Box hat_node_box(const HatGrid& h, std::size_t k);
// The point z of node k.
std::vector<Q> hat_node_point(const HatGrid& h, std::size_t k);

// The Lemma B0.1 block for the active nodes in lexicographic index order,
// reading x from the first d of `input_size` inputs.
DenseBlock rebuild_hat_block(const HatGrid& h, int input_size);

}  // namespace mgdl::check
