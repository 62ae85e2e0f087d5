#include "mgdl/construct/partition.hpp"

#include <stdexcept>

namespace mgdl::construct {

num::Rational dyadic_power(int k) {
  num::Integer one = 1;
  num::Integer den = one << static_cast<unsigned>(k < 0 ? -k : k);
  return k >= 0 ? num::Rational(num::Integer(1), den) : num::Rational(den);
}

DyadicPartition::DyadicPartition(int dimension, int initial_level) : dimension_(dimension) {
  if (dimension < 1) throw std::invalid_argument("partition dimension must be >= 1");
  if (initial_level < 0 || initial_level > max_supported_level)
    throw std::invalid_argument("partition initial level out of range");
  Node root;
  root.level = 0;
  root.index.assign(static_cast<std::size_t>(dimension), 0);
  nodes_.push_back(root);
  leaf_count_ = 1;
  // Uniform grid: split every leaf initial_level times (breadth by level).
  for (int level = 0; level < initial_level; ++level) {
    for (std::size_t id : leaves()) split(id);
  }
}

std::vector<std::size_t> DyadicPartition::leaves() const {
  std::vector<std::size_t> out;
  out.reserve(leaf_count_);
  const std::size_t children = std::size_t{1} << dimension_;
  std::vector<std::size_t> stack{0};
  while (!stack.empty()) {
    std::size_t id = stack.back();
    stack.pop_back();
    const Node& n = nodes_[id];
    if (n.leaf()) {
      out.push_back(id);
      continue;
    }
    for (std::size_t c = children; c-- > 0;) stack.push_back(n.first_child + c);
  }
  return out;
}

void DyadicPartition::split(std::size_t id) {
  if (!nodes_.at(id).leaf()) throw std::invalid_argument("partition: split of a node that is not a core");
  if (nodes_[id].level >= max_supported_level) throw std::invalid_argument("partition: level too deep");
  const std::size_t children = std::size_t{1} << dimension_;
  const std::size_t first = nodes_.size();
  for (std::size_t c = 0; c < children; ++c) {
    Node child;
    child.level = nodes_[id].level + 1;
    child.index.resize(static_cast<std::size_t>(dimension_));
    for (int i = 0; i < dimension_; ++i) {
      auto axis = static_cast<std::size_t>(i);
      child.index[axis] = 2 * nodes_[id].index[axis] + static_cast<std::int64_t>((c >> i) & 1U);
    }
    nodes_.push_back(std::move(child));
  }
  nodes_[id].first_child = first;
  leaf_count_ += children - 1;
}

bool DyadicPartition::closures_meet(const Node& a, const Node& b) const {
  // Closed intervals [i, i+1]·2^-n; compare at the finer level L = max(n, l).
  const int finer = a.level > b.level ? a.level : b.level;
  const auto sa = static_cast<unsigned>(finer - a.level);
  const auto sb = static_cast<unsigned>(finer - b.level);
  for (std::size_t i = 0; i < a.index.size(); ++i) {
    const std::int64_t a_lo = a.index[i] << sa, a_hi = (a.index[i] + 1) << sa;
    const std::int64_t b_lo = b.index[i] << sb, b_hi = (b.index[i] + 1) << sb;
    if (a_lo > b_hi || b_lo > a_hi) return false;
  }
  return true;
}

int DyadicPartition::finest_touching_level(std::size_t id) const {
  const Node& target = nodes_.at(id);
  const std::size_t children = std::size_t{1} << dimension_;
  int finest = target.leaf() ? target.level : -1;
  std::vector<std::size_t> stack{0};
  while (!stack.empty()) {
    const Node& n = nodes_[stack.back()];
    stack.pop_back();
    if (!closures_meet(n, target)) continue;
    if (n.leaf()) {
      if (n.level > finest) finest = n.level;
      continue;
    }
    for (std::size_t c = 0; c < children; ++c) stack.push_back(n.first_child + c);
  }
  return finest;
}

num::Rational DyadicPartition::margin_for_level(int finest_level) {
  return dyadic_power(finest_level + 2);
}

net::Box DyadicPartition::core(std::size_t id) const {
  const Node& n = nodes_.at(id);
  const num::Rational side = dyadic_power(n.level);
  net::Box box;
  for (std::int64_t j : n.index) {
    num::Rational lo = num::Rational(num::Integer(j)) * side;
    box.lo.push_back(lo);
    box.hi.push_back(lo + side);
  }
  return box;
}

net::Cutoff DyadicPartition::cutoff(std::size_t id, const num::Rational& rho, const num::Rational& coefficient) const {
  net::Box q = core(id);
  net::Cutoff c;
  c.a = std::move(q.lo);
  c.b = std::move(q.hi);
  c.rho.assign(c.a.size(), rho);
  c.coefficient = coefficient;
  return c;
}

}  // namespace mgdl::construct
