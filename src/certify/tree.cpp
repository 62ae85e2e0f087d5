#include "mgdl/certify/tree.hpp"

#include <stdexcept>
#include <utility>

namespace mgdl::certify {

net::Box half_box(const net::Box& box, int axis, bool upper) {
  net::Box out = box;
  const auto a = static_cast<std::size_t>(axis);
  num::Rational mid = (box.lo[a] + box.hi[a]) / 2;
  if (upper) {
    out.lo[a] = mid;
  } else {
    out.hi[a] = mid;
  }
  return out;
}

CoverTree::CoverTree(net::Box root) : root_(std::move(root)) { nodes_.emplace_back(); }

int CoverTree::split(int node, int axis) {
  const int lower = static_cast<int>(nodes_.size());
  Node& n = nodes_[static_cast<std::size_t>(node)];
  n.axis = static_cast<std::int8_t>(axis);
  n.lower = lower;
  nodes_.emplace_back();
  nodes_.emplace_back();
  return lower;
}

std::string CoverTree::to_string() const {
  std::string out;
  out.reserve(nodes_.size());
  std::vector<int> stack{0};
  while (!stack.empty()) {
    const Node& n = nodes_[static_cast<std::size_t>(stack.back())];
    stack.pop_back();
    if (n.axis < 0) {
      out.push_back('.');
    } else {
      out.push_back(static_cast<char>('a' + n.axis));
      stack.push_back(n.lower + 1);
      stack.push_back(n.lower);
    }
  }
  return out;
}

std::vector<int> CoverTree::leaf_order() const {
  std::vector<int> out;
  out.reserve(leaf_count());
  std::vector<int> stack{0};
  while (!stack.empty()) {
    const int node = stack.back();
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    stack.pop_back();
    if (n.axis < 0) {
      out.push_back(node);
    } else {
      stack.push_back(n.lower + 1);
      stack.push_back(n.lower);
    }
  }
  return out;
}

std::vector<net::Box> CoverTree::leaves(const std::string& tree, const net::Box& root) {
  std::vector<net::Box> out;
  std::vector<net::Box> stack{root};
  std::size_t pos = 0;
  while (!stack.empty()) {
    if (pos >= tree.size()) throw std::invalid_argument("cover tree ends early at position " + std::to_string(pos));
    net::Box box = std::move(stack.back());
    stack.pop_back();
    const char c = tree[pos++];
    if (c == '.') {
      out.push_back(std::move(box));
      continue;
    }
    const int axis = c - 'a';
    if (axis < 0 || axis >= root.dimension())
      throw std::invalid_argument("cover tree has bad symbol '" + std::string(1, c) + "' at position " +
                                  std::to_string(pos - 1));
    stack.push_back(half_box(box, axis, true));
    stack.push_back(half_box(box, axis, false));
  }
  if (pos != tree.size()) throw std::invalid_argument("cover tree has trailing symbols at position " + std::to_string(pos));
  return out;
}

}  // namespace mgdl::certify
