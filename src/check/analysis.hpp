// Enclosures of a residual R = f − Σ c_Q ψ_Q over boxes and at points, and the
// L^p midpoint-rule enclosure (proofs/certification.md, C2 and C3).
#pragma once

#include <memory>
#include <vector>

#include "cutoffs.hpp"
#include "dense.hpp"
#include "dense_pieces.hpp"
#include "hats.hpp"
#include "target.hpp"

namespace mgdl::check {

class ResidualAnalyzer {
 public:
  ResidualAnalyzer(const Target& target, mpfr_prec_t prec);

  // Encloses R over the box; afterwards range() ⊇ R(box).
  void analyse(const Box& box, const std::vector<const CutoffData*>& cutoffs);
  void analyse(const Box& box, const CutoffsOnBox& cutoffs);
  // Encloses f − ℓ over the box, ℓ = h[0] + Σ h[1+i] x_i exact, ignoring the
  // corrections: R's range on any part of the box where they sum to ℓ
  // (proofs/integration.md, Lemma I8(b), (f)).
  void analyse_affine(const Box& box, const std::vector<Q>& h);
  // Hat corrections subtracted in R as well (added to every analyse()).
  void set_hats(std::vector<const HatGrid*> hats) { hats_ = std::move(hats); }
  // Grades first..last of a dense network subtracted as well (proofs/networks.md).
  void set_dense(const DenseNetwork* net, int first, int last) {
    dense_ = net;
    dense_first_ = first;
    dense_last_ = last;
  }
  // The same dense grades as a 1D piece table (proofs/networks.md, N9): used
  // instead of the propagation on boxes inside [0, 1]. Null: none.
  void set_dense_pieces(const DensePieces* pieces) { dense_pieces_ = pieces; }
  const I& range() const { return range_; }
  // ⊇ ∫_box |R|^p after analyse() (C3; falls back to vol·[min|R|^p, max|R|^p]).
  void lp_integral(const Q& p, I& out);
  // True when the last box allowed the midpoint rule for this p.
  bool lp_smooth(const Q& p) const;
  // ⊇ ∫_box |R|^p from the range alone, vol·[min|R|^p, max|R|^p] (C3.2; the C rule).
  void crude_integral(const Q& p, I& out);

  // The state of the last analyse(), read by the leaf rules (lp_rules.hpp).
  bool smooth() const { return smooth_; }  // f's jets valid on the box and at its centre
  const CorrectionEnclosure& correction() const { return corr_; }
  const I& center_value() const { return value_c_; }     // ⊇ R(m)
  const Jet& center_jet() const { return center_jet_; }  // f, ∇f at m (order 1)
  const Jet& box_jet() const { return box_jet_; }        // f, ∇f, H_f over the box
  int hessian_index(int i, int j) const { return jets_.hessian_index(i, j); }
  const std::vector<Q>& center() const { return center_; }
  const std::vector<Q>& radius() const { return radius_; }  // half-widths
  const Q& volume() const { return volume_; }
  const std::vector<I>& box_intervals() const { return t_box_; }
  const std::vector<const HatGrid*>& hats() const { return hats_; }

 private:
  void prepare(const Box& box);  // centre, radius, volume and f's jets
  void finish();                 // R's range and Taylor data from f's jets and corr_
  void one_dimensional_form(I& taylor);

  mpfr_prec_t prec_;
  int d_;
  JetEvaluator jets_;
  std::vector<I> t_box_, t_center_;
  Jet box_jet_, center_jet_;
  CorrectionEnclosure corr_;
  std::vector<const HatGrid*> hats_;
  const DenseNetwork* dense_ = nullptr;
  int dense_first_ = 1, dense_last_ = 0;
  const DensePieces* dense_pieces_ = nullptr;
  std::vector<Q> center_, radius_;
  CutoffsOnBox listed_;  // for the list form of analyse()
  Q volume_;
  Q q0_, q1_;  // scratch rationals (no allocation per leaf)
  I range_, value_c_;
  std::vector<I> grad_box_;  // ∇R over the box (valid when smooth_ && corr_.affine)
  bool smooth_ = false;
  I t0_, t1_, t2_, taylor_, both_;
  I l_vol_, l_coarse_, l_a_, l_mig_, l_u_, l_uc_, l_f1_, l_f2_, l_gc_, l_tmp_, l_gg_, l_acc_, l_both_;
};

// |x|^p for an interval x >= 0 (p >= 1 rational), directed.
void pow_nonneg(I& out, const I& x, const Q& p);

}  // namespace mgdl::check
