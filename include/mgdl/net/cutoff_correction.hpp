// h = Σ_Q c_Q ψ_Q for a list of cutoffs, with a spatial index so that
// evaluation at a point or over a box touches only the cutoffs whose support
// meets it.
#pragma once

#include "mgdl/net/correction.hpp"

#include <memory>

namespace mgdl::net {

class CutoffCorrection final : public Correction {
 public:
  // kappa: the exact overlap number of the supports (the scheme computes it;
  // see overlap_number()). Cutoffs with zero coefficient are dropped.
  CutoffCorrection(int dimension, std::vector<Cutoff> cutoffs, int kappa);
  ~CutoffCorrection() override;

  int dimension() const override;
  std::string scheme() const override { return "cutoff"; }
  num::Rational evaluate(const std::vector<num::Rational>& x) const override;
  LinearEnclosure enclose(const Box& box) const override;
  std::vector<num::Rational> axis_breakpoints(const Box& box, int axis) const override;
  bool oblique_kinks(const Box& cell, std::vector<AffineForm>& out) const override;
  bool add_affine_on(const Box& cell, const std::vector<std::vector<num::Rational>>& vertices,
                     AffineForm& out) const override;
  std::vector<Box> support_boxes() const override;
  std::size_t active_units() const override;
  // Lemma A5 layout, for n cutoffs in list order (x = the d carried inputs,
  // read from the first d coordinates of the block's input):
  //   layer 2k-1: [x, 2d ramps of Q_k, A+ (+c_{k-1}^+ ψ_{k-1}), A- (+c_{k-1}^- ψ_{k-1})]  width 3d+2
  //   layer 2k  : [x, ψ_k, A+, A-]                                                     width d+3
  //   layer 2n+1: [x, A+ + c_n^+ ψ_n, A- + c_n^- ψ_n]                                  width d+2
  //   read-out  : A+ − A-
  // ramps of Q: σ((a_i − x_i)/ρ_i), σ((x_i − b_i)/ρ_i) for i = 1..d in that order;
  // ψ = σ(1 − Σ ramps). Width 3d+2 (d+2 when n = 0), depth 2n+2 (2n+1 hidden
  // layers plus the read-out). The block's output is [x, A+, A-].
  GradeBlock realise() const override;

  const std::vector<Cutoff>& cutoffs() const;
  int kappa() const;

  struct Index;

 private:
  int dimension_;
  std::vector<Cutoff> cutoffs_;
  int kappa_;
  std::unique_ptr<Index> index_;
};

// Exact overlap number max_x #{Q : x ∈ S(Q)} of the open supports
// Π(a_i − rho_i, b_i + rho_i) over Ω (proofs/cutoff.md, Lemma A2: the code
// never assumes the bound, it counts).
int overlap_number(int dimension, const std::vector<Cutoff>& cutoffs);

}  // namespace mgdl::net
