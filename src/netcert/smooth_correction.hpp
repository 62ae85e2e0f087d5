// A grade of a network with smooth activations (tanh, sigmoid, sin; relu and
// identity allowed too) as a net::Correction: ball propagation through the
// layers (proofs/networks.md, N8). Not piecewise linear, so there are no exact
// values: evaluate() and enclose() throw std::domain_error and the ball forms
// are the ones the engines use.
#pragma once

#include <memory>

#include "mgdl/net/correction.hpp"
#include "mgdl/net/relu_network.hpp"

namespace mgdl::netcert {

class SmoothCorrection final : public net::Correction {
 public:
  // h = g_m(F_m(t)), grade m (1-based) of a network reading t ∈ [0,1]^d.
  SmoothCorrection(std::shared_ptr<const net::MultigradeNetwork> network, int m);

  int dimension() const override { return network_->input_dimension(); }
  std::string scheme() const override { return "smooth"; }
  num::Rational evaluate(const std::vector<num::Rational>& x) const override;
  net::LinearEnclosure enclose(const net::Box& box) const override;
  num::Ball evaluate_ball(const std::vector<num::Rational>& x, slong prec) const override;
  void enclose_balls(const net::Box& box, slong prec, net::BallEnclosure& out) const override;
  std::vector<num::Rational> axis_breakpoints(const net::Box&, int) const override { return {}; }
  std::vector<net::Box> support_boxes() const override { return {net::Box::unit(dimension())}; }
  std::size_t active_units() const override;
  net::GradeBlock realise() const override { return network_->block(grade_); }

 private:
  std::shared_ptr<const net::MultigradeNetwork> network_;
  int grade_;
};

}  // namespace mgdl::netcert
