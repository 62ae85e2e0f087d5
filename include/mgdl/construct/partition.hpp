// The adaptive dyadic partition of Ω = [0,1]^d into cores, and the margin rule
// of Construction A (SPEC section 4, steps 1-2; proofs/cutoff.md, Lemma A2).
//
//   DyadicPartition p(2, 2);                  // 4 x 4 uniform cells
//   p.split(p.leaves().front());              // halves that core along every axis
//   net::Cutoff psi = p.cutoff(id, c);        // core, margins and coefficient c
//
// Every core is a cube of side 2^-level with dyadic corners; a split replaces
// it by its 2^d children. The margin of a core Q (the same along every axis) is
// rho(Q) = (1/4) min{ width(Q') : Q' a core whose closure meets the closure of Q },
// Q included, which is the margin rule under which Lemma A2 gives kappa <= 2^d.
#pragma once

#include "mgdl/net/box.hpp"
#include "mgdl/net/correction.hpp"
#include "mgdl/num/rational.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mgdl::construct {

class DyadicPartition {
 public:
  struct Node {
    int level = 0;                    // side 2^-level
    std::vector<std::int64_t> index;  // the cube is Π [index_i, index_i + 1] · 2^-level
    std::size_t first_child = none;   // children are first_child .. first_child + 2^d - 1
    bool leaf() const { return first_child == none; }
  };
  static constexpr std::size_t none = static_cast<std::size_t>(-1);

  // Uniform grid of 2^initial_level cells per axis. Preconditions: dimension >= 1,
  // 0 <= initial_level <= max_supported_level.
  DyadicPartition(int dimension, int initial_level);

  static constexpr int max_supported_level = 60;

  int dimension() const { return dimension_; }
  const Node& node(std::size_t id) const { return nodes_.at(id); }
  // Node ids of the cores, in depth-first order with children in the order of
  // their offset bits (bit i set = upper half along axis i). Deterministic.
  std::vector<std::size_t> leaves() const;
  std::size_t leaf_count() const { return leaf_count_; }
  std::size_t node_count() const { return nodes_.size(); }
  // Replaces the leaf `id` by its 2^d children. Precondition: node(id).leaf().
  void split(std::size_t id);

  // Largest level among the cores whose closure meets the closure of node `id`
  // (the node itself included when it is a core).
  int finest_touching_level(std::size_t id) const;
  // rho = 2^-(finest_touching_level(id) + 2): the margin rule (Lemma A2).
  static num::Rational margin_for_level(int finest_level);

  net::Box core(std::size_t id) const;
  // The cutoff of core `id` with margin rho (all axes) and the given coefficient.
  net::Cutoff cutoff(std::size_t id, const num::Rational& rho, const num::Rational& coefficient) const;

 private:
  bool closures_meet(const Node& a, const Node& b) const;

  int dimension_;
  std::vector<Node> nodes_;
  std::size_t leaf_count_ = 0;
};

// 2^-k exactly.
num::Rational dyadic_power(int k);

}  // namespace mgdl::construct
