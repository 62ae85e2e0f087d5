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
  std::vector<Box> support_boxes() const override;
  std::size_t active_units() const override;
  // Lemma A5: width 3d+2, depth 2n+1 for n cutoffs (n = 0: a zero read-out on
  // one carried layer).
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
