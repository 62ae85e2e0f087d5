// Covers of a box by dyadic sub-boxes, kept as a binary tree of midpoint
// splits, printed in the pre-order format of docs/certificate-format.md:
// 'a'+i = split at the midpoint of axis i (lower half first), '.' = leaf.
//
//   CoverTree t(net::Box::unit(1));
//   int lo = t.split(0, 0);        // children lo and lo + 1
//   t.to_string() == "a..";
//   CoverTree::leaves("a..", net::Box::unit(1));   // [0,1/2], [1/2,1]
#pragma once

#include "mgdl/net/box.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mgdl::certify {

// The half of `box` below (upper = false) or above the midpoint of `axis`.
net::Box half_box(const net::Box& box, int axis, bool upper);

class CoverTree {
 public:
  explicit CoverTree(net::Box root);
  const net::Box& root_box() const { return root_; }
  static constexpr int root() { return 0; }

  // Splits leaf `node` along `axis`; returns the lower child (the upper one is +1).
  int split(int node, int axis);
  bool is_leaf(int node) const { return nodes_[static_cast<std::size_t>(node)].axis < 0; }
  int axis(int node) const { return nodes_[static_cast<std::size_t>(node)].axis; }
  int lower_child(int node) const { return nodes_[static_cast<std::size_t>(node)].lower; }
  std::size_t size() const { return nodes_.size(); }
  std::size_t leaf_count() const { return (nodes_.size() + 1) / 2; }

  // Pre-order string (iterative; depth does not matter).
  std::string to_string() const;
  // The leaf nodes in the order to_string() lists their '.'s.
  std::vector<int> leaf_order() const;

  // The leaf boxes of a tree string over `root`, in pre-order. Throws
  // std::invalid_argument on a malformed string (bad letter, axis >= d,
  // trailing or missing symbols).
  static std::vector<net::Box> leaves(const std::string& tree, const net::Box& root);

 private:
  struct Node {
    std::int8_t axis = -1;
    std::int32_t lower = -1;
  };
  net::Box root_;
  std::vector<Node> nodes_;
};

}  // namespace mgdl::certify
