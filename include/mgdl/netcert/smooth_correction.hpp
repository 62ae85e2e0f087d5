// A grade of a network with any activations (tanh, sigmoid, sin, relu,
// identity) as a net::Correction: ball propagation through the layers
// (proofs/networks.md, N8), the fast path of the engines. For a smooth network
// there are no exact values: evaluate() and enclose() throw std::domain_error.
// For a piecewise-linear one they are exact (certify::DenseCorrection), kinks
// come from the exact propagation (1D), and the balls report `affine` when every
// ReLU has a certain sign on the box (N8.1); in d >= 2 the kinks and linear
// pieces of a cell come from one ball pass (Lemma I8(f)). In 1D the kinks of a
// piecewise-linear h are computed once, exactly (N9), and each box's kinks
// are then a binary search in that table.
#pragma once

#include <memory>
#include <vector>

#include "mgdl/certify/dense_correction.hpp"
#include "mgdl/net/correction.hpp"
#include "mgdl/net/relu_network.hpp"

namespace mgdl::netcert {
namespace detail {
class PieceTable;
class KinkForms;
}

// The exact 1D pieces of one network (N9), built once on first use and shared
// by the corrections of its grades (one pass through the layers for all of them).
class SharedPieces;
std::shared_ptr<SharedPieces> shared_pieces(std::shared_ptr<const net::MultigradeNetwork> network);

class SmoothCorrection final : public net::Correction {
 public:
  // h = g_m(F_m(t)), grade m (1-based) of a network reading t ∈ [0,1]^d;
  // with first < m the sum of grades first..m (one propagation). `shared`
  // (from shared_pieces of the same network, else std::invalid_argument)
  // supplies the 1D piece table.
  SmoothCorrection(std::shared_ptr<const net::MultigradeNetwork> network, int m, int first = 0,
                   std::shared_ptr<SharedPieces> shared = nullptr);

  int dimension() const override { return network_->input_dimension(); }
  std::string scheme() const override { return "smooth"; }
  num::Rational evaluate(const std::vector<num::Rational>& x) const override;
  net::LinearEnclosure enclose(const net::Box& box) const override;
  num::Ball evaluate_ball(const std::vector<num::Rational>& x, slong prec) const override;
  void enclose_balls(const net::Box& box, slong prec, net::BallEnclosure& out) const override;
  std::vector<num::Rational> axis_breakpoints(const net::Box& box, int axis) const override;
  std::vector<num::Rational> first_axis_breakpoints(const net::Box& box, int axis,
                                                    std::size_t limit) const override;
  bool has_axis_breakpoints(const net::Box& box, int axis) const override;
  // Piecewise-linear networks only (proofs/integration.md, Lemma I8(f)); false otherwise.
  bool oblique_kinks(const net::Box& cell, std::vector<net::AffineForm>& out) const override;
  bool add_affine_on(const net::Box& cell, const std::vector<std::vector<num::Rational>>& vertices,
                     net::AffineForm& out) const override;
  std::vector<net::Box> support_boxes() const override { return {net::Box::unit(dimension())}; }
  std::size_t active_units() const override;
  net::GradeBlock realise() const override { return network_->block(grade_); }

 private:
  std::shared_ptr<const net::MultigradeNetwork> network_;
  int grade_, first_;
  std::shared_ptr<const certify::DenseCorrection> exact_;  // piecewise-linear networks only
  // d >= 2, piecewise-linear: kinks and pieces per cell from one ball pass
  // (proofs/integration.md, Lemma I8(f)).
  std::shared_ptr<const detail::KinkForms> kinks_;
  struct Pieces;
  // 1D piecewise-linear h: the exact piece table (N9), built on first use; null
  // otherwise or when it did not finish within its budget (then the per-box
  // exact propagation and the balls of N8 are used).
  const detail::PieceTable* pieces() const;
  std::shared_ptr<Pieces> pieces_;
  std::shared_ptr<SharedPieces> shared_;
};

}  // namespace mgdl::netcert
