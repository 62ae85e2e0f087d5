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

// Σ_z ∩ Ω of node k (the root box of its fact; design note 1).
Box hat_node_box(const HatGrid& h, std::size_t k);
// The point z of node k.
std::vector<Q> hat_node_point(const HatGrid& h, std::size_t k);

// The Lemma B0.1 block for the active nodes in lexicographic index order,
// reading x from the first d of `input_size` inputs.
DenseBlock rebuild_hat_block(const HatGrid& h, int input_size);

}  // namespace mgdl::check
