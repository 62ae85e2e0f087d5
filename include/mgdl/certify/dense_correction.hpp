// The generic path: any exact ReLU network as a net::Correction, so that
// f − Φ can be certified for a network given layer by layer (e.g. read from a
// file). Enclosures come from exact interval propagation through the layers
// (proofs/certification.md, C2): a neuron whose pre-activation has a certain
// sign on the box is affine there and tracked exactly; otherwise its output
// gets the Clarke-gradient hull [0,1]·∇u.
//
//   auto h = std::make_shared<certify::DenseCorrection>(network, 1);   // g_1(F_1(x))
//   resid::Residual r = resid::Residual(program).with(h);
#pragma once

#include <memory>

#include "mgdl/net/correction.hpp"
#include "mgdl/net/relu_network.hpp"

namespace mgdl::certify {

class DenseCorrection final : public net::Correction {
 public:
  // h = g_m(F_m(x)), the correction of grade m (1-based) of the network; with
  // first < m, h = Σ_{first <= k <= m} g_k(F_k(x)) (e.g. first = 1: Φ_m in one
  // propagation instead of m). Throws std::invalid_argument when m or first is
  // out of range.
  DenseCorrection(std::shared_ptr<const net::MultigradeNetwork> network, int m, int first = 0);
  // A single grade block reading x directly (input size d).
  DenseCorrection(int dimension, net::GradeBlock block);

  int dimension() const override;
  std::string scheme() const override { return "dense"; }
  num::Rational evaluate(const std::vector<num::Rational>& x) const override;
  net::LinearEnclosure enclose(const net::Box& box) const override;
  // Kinks x_axis = t of neurons whose pre-activation is exactly affine on the
  // box and depends on x_axis only (all first-layer kinks in 1D; deeper kinks
  // appear once the box is small enough for their inputs to be affine).
  std::vector<num::Rational> axis_breakpoints(const net::Box& box, int axis) const override;
  // Lemma I8(f): the lines of ReLU inputs affine on the cell that cross it;
  // false when a non-affine one may cross (its kink bends inside the cell).
  bool oblique_kinks(const net::Box& cell, std::vector<net::AffineForm>& out) const override;
  // Lemma I8(f): h on the polygon by exact affine forms, each ReLU input of one
  // sign at every vertex; false otherwise.
  bool add_affine_on(const net::Box& cell, const std::vector<std::vector<num::Rational>>& vertices,
                     net::AffineForm& out) const override;
  std::vector<net::Box> support_boxes() const override;  // Ω
  std::size_t active_units() const override;             // hidden neurons of grade m
  net::GradeBlock realise() const override;

 private:
  std::shared_ptr<const net::MultigradeNetwork> network_;
  int grade_, first_;
};

}  // namespace mgdl::certify
