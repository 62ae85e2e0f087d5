// The kinks and linear pieces of a piecewise-linear network on a cell (d >= 2),
// for rule P (proofs/integration.md, Lemma I8(f)) at the cost of one ball
// pass per cell instead of exact interval propagation through every layer.
//
// A cell is classified once by ball propagation (proofs/networks.md, N8,
// N8.1): each ReLU input gets a certified sign on the cell or "may cross",
// and whether it is affine there. Exact rational work is then limited to the
// affine forms of the ReLU inputs that may cross (their zero lines), and to
// one exact affine form per activation pattern, memoised: neighbouring
// trapezoids and cells mostly share their pattern.
//
//   detail::KinkForms k(network, 1, 1);
//   std::vector<net::AffineForm> lines;
//   if (k.oblique_kinks(cell, lines)) { ...trapezoids...; k.add_affine_on(cell, corners, h); }
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "mgdl/net/correction.hpp"
#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/ball.hpp"

namespace mgdl::netcert::detail {

class KinkForms {
 public:
  // h = Σ_{first <= k <= m} g_k(F_k) of a network whose activations are ReLU
  // or the identity (std::invalid_argument otherwise).
  KinkForms(std::shared_ptr<const net::MultigradeNetwork> network, int first, int m);
  KinkForms(const KinkForms&) = delete;
  KinkForms& operator=(const KinkForms&) = delete;

  // The zeros x_axis = t, t in the open side, of ReLU inputs affine on the box
  // that depend on x_axis only (sorted, unique; exact).
  std::vector<num::Rational> axis_breakpoints(const net::Box& box, int axis) const;
  // Appends the exact zero lines of the ReLU inputs affine on the cell that may
  // cross it; false (nothing appended) when one that is not affine may cross.
  bool oblique_kinks(const net::Box& cell, std::vector<net::AffineForm>& out) const;
  // out += the exact affine form of h on conv(vertices) ⊆ cell; false when a
  // ReLU input's sign on the polygon is not certain (the cell's, or the exact
  // form's at every vertex).
  bool add_affine_on(const net::Box& cell, const std::vector<std::vector<num::Rational>>& vertices,
                     net::AffineForm& out) const;

  std::size_t patterns() const;  // memoised activation patterns (for tests)

 private:
  struct Unit {
    std::vector<std::pair<int, num::Rational>> in;  // (unit, weight); units 0..d−1 are x
    std::vector<num::Ball> w;                       // the weights as balls
    num::Rational bias;
    num::Ball bias_ball;
    bool relu = false;
    bool contiguous = false;  // in[k].first == in[0].first + k: arb_dot over the cell's arrays
  };
  struct Cell;  // one classified cell (per thread)
  const Cell& classify(const net::Box& box) const;
  // The exact form (constant, gradient) of unit u's pre-activation on the
  // classified cell; precondition: u is affine there.
  const std::vector<num::Rational>& form(const Cell& c, int u) const;

  std::shared_ptr<const net::MultigradeNetwork> network_;
  std::size_t d_;
  std::vector<Unit> units_;    // inputs first, then hidden units in order
  std::vector<int> readouts_;  // the read-out units of grades first..m (identity)
  std::uint64_t id_;           // tells the per-thread cell caches apart
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, net::AffineForm> memo_;  // pattern → h's form
  static std::atomic<std::uint64_t> next_id_;
};

}  // namespace mgdl::netcert::detail
