#include "cover.hpp"

#include <algorithm>

namespace mgdl::check {
namespace {

// end[i] = one past the last character of the subtree whose code starts at i.
std::vector<std::size_t> subtree_ends(const std::string& tree) {
  std::vector<std::size_t> end(tree.size(), 0);
  std::vector<std::size_t> open;  // starts of splits whose subtree is not closed
  std::vector<unsigned char> pending;
  for (std::size_t i = 0; i < tree.size(); ++i) {
    if (tree[i] != '.') {
      open.push_back(i);
      pending.push_back(2);
      continue;
    }
    end[i] = i + 1;
    while (!open.empty() && --pending.back() == 0) {
      end[open.back()] = i + 1;
      open.pop_back();
      pending.pop_back();
    }
  }
  return end;
}

// The halves of `box` at the midpoint of `axis`, each with the cutoffs of
// `cutoffs` (valid on `box`) restricted to it.
void halve(Box&& box, const CutoffsOnBox& cutoffs, std::size_t axis, Box& lower, CutoffsOnBox& lower_cutoffs,
           Box& upper, CutoffsOnBox& upper_cutoffs) {
  Q mid = midpoint(box.lo[axis], box.hi[axis]);
  lower = box;
  upper = std::move(box);
  lower.hi[axis] = mid;
  upper.lo[axis] = std::move(mid);
  restrict_cutoffs(cutoffs, lower, lower_cutoffs);
  restrict_cutoffs(cutoffs, upper, upper_cutoffs);
}

CoverPart root_part(const std::string& tree, const Box& root, const CutoffIndex& index) {
  CoverPart p;
  p.box = root;
  CutoffsOnBox met;
  index.meeting(root, met.varying);
  restrict_cutoffs(met, root, p.cutoffs);
  p.end = tree.size();
  return p;
}

// The halves of a split part (its code starts with an axis letter).
void split_part(const std::string& tree, CoverPart& f, std::size_t lower_end, CoverPart& lower,
                CoverPart& upper) {
  halve(std::move(f.box), f.cutoffs, static_cast<std::size_t>(tree[f.begin] - 'a'), lower.box, lower.cutoffs,
        upper.box, upper.cutoffs);
  lower.begin = f.begin + 1;
  lower.end = lower_end;
  upper.begin = lower_end;
  upper.end = f.end;
  lower.first_leaf = f.first_leaf;
  // A full binary tree with n nodes has (n + 1)/2 leaves.
  upper.first_leaf = f.first_leaf + (lower_end - lower.begin + 1) / 2;
}

}  // namespace

Box unit_box(int d) {
  Box b;
  for (int i = 0; i < d; ++i) {
    b.lo.emplace_back(0);
    b.hi.emplace_back(1);
  }
  return b;
}

std::vector<CoverPart> split_cover(const std::string& tree, const Box& root, const CutoffIndex& index,
                                   std::size_t parts) {
  const std::size_t limit = std::max<std::size_t>(1, tree.size() / std::max<std::size_t>(1, parts));
  std::vector<CoverPart> out;
  if (tree.size() <= limit) {
    out.push_back(root_part(tree, root, index));
    return out;
  }
  const std::vector<std::size_t> end = subtree_ends(tree);
  std::vector<CoverPart> stack;
  stack.push_back(root_part(tree, root, index));
  while (!stack.empty()) {
    CoverPart f = std::move(stack.back());
    stack.pop_back();
    if (f.end - f.begin <= limit || tree[f.begin] == '.') {
      out.push_back(std::move(f));
      continue;
    }
    CoverPart lower, upper;
    split_part(tree, f, end[f.begin + 1], lower, upper);
    stack.push_back(std::move(upper));
    stack.push_back(std::move(lower));
  }
  return out;
}

void walk_part(const std::string& tree, const CoverPart& part, const LeafVisitor& leaf) {
  struct Frame {
    Box box;
    CutoffsOnBox cutoffs;
  };
  std::vector<Frame> stack;
  stack.push_back({part.box, part.cutoffs});
  std::size_t leaves = part.first_leaf;
  for (std::size_t pos = part.begin; pos < part.end; ++pos) {
    Frame f = std::move(stack.back());
    stack.pop_back();
    const char c = tree[pos];
    if (c == '.') {
      leaf(leaves++, f.box, f.cutoffs);
      continue;
    }
    Frame lower, upper;
    halve(std::move(f.box), f.cutoffs, static_cast<std::size_t>(c - 'a'), lower.box, lower.cutoffs, upper.box,
          upper.cutoffs);
    stack.push_back(std::move(upper));
    stack.push_back(std::move(lower));
  }
}

void walk_tree(const std::string& tree, const Box& root, const CutoffIndex& index, const LeafVisitor& leaf) {
  walk_part(tree, root_part(tree, root, index), leaf);
}

int thread_count(int threads) {
  if (threads > 0) return threads;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

}  // namespace mgdl::check
