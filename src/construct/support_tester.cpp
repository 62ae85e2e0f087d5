#include "support_tester.hpp"

#include <utility>

#include "mgdl/num/ball.hpp"

namespace mgdl::construct::detail {

using num::Rational;

SupportDecision SupportCover::decide(net::Box box) {
  nodes_.clear();
  enclosures_ = 0;
  SupportDecision out;
  add_node(std::move(box), -1);
  for (;;) {
    const Summary s = summarise();
    if (s.unbounded >= 0) {
      if (!refine(static_cast<std::size_t>(s.unbounded))) break;
      continue;
    }
    // (a): |r| <= threshold on the whole box (all_small). (b): constant sign
    // and (max s·r) − mu <= threshold, with mu the rounded lower bound that
    // becomes the coefficient (|c_Q|·kappa, Lemma A3; |c_z|, Lemma B1), so (b)
    // is checked with the rounded coefficient (Lemma A4; Lemma B2 without the
    // rounding variant).
    int sign = 0;
    Rational mu;
    if (s.all_pos) {
      mu = num::round_down(s.lo, bits_);
      if (mu > 0 && (s.all_small || s.hi - mu <= threshold_)) sign = 1;
    } else if (s.all_neg) {
      mu = num::round_down(-s.hi, bits_);
      if (mu > 0 && (s.all_small || -s.lo - mu <= threshold_)) sign = -1;
    }
    if (sign != 0 || s.all_small) {
      // Decided. While the sign is known, sharpen mu on the leaf that holds it
      // (a heuristic: the test re-runs on the refined cover).
      if (sign != 0) {
        const std::size_t k = sign > 0 ? s.argmin_l : s.argmax_u;
        if (width(k) > tolerance_ && refine(k)) continue;
      }
      out.decided = true;
      out.sign = sign;
      out.small = s.all_small;
      if (sign != 0) {
        out.peak = sign > 0 ? s.hi : -s.lo;
        out.mu = std::move(mu);
        out.tree = tree();
      }
      break;
    }
    // |r| > threshold somewhere for sure, and r changes sign or varies by more
    // than threshold for sure: no cover can decide for this box.
    const bool certainly_not_b = (s.seen_pos && s.seen_neg) || (s.max_l - s.min_u > threshold_);
    if (s.certainly_big && certainly_not_b) break;
    const std::size_t first = width(s.argmin_l) >= width(s.argmax_u) ? s.argmin_l : s.argmax_u;
    const std::size_t second = first == s.argmin_l ? s.argmax_u : s.argmin_l;
    if (refine(first)) continue;
    if (refine(second)) continue;
    break;
  }
  out.box = std::move(nodes_.front().box);
  out.enclosures = enclosures_;
  return out;
}

void SupportCover::add_node(net::Box box, int parent) {
  Node n;
  n.box = std::move(box);
  n.depth = parent >= 0 ? nodes_[static_cast<std::size_t>(parent)].depth + 1 : 0;
  num::Ball ball = ev_.enclose(n.box);
  ++enclosures_;
  n.finite = ball.is_finite();
  if (n.finite) {
    n.l = num::lower_rational(ball);
    n.u = num::upper_rational(ball);
  }
  if (parent >= 0) {
    const Node& p = nodes_[static_cast<std::size_t>(parent)];
    if (p.finite) {
      if (!n.finite) {
        n.finite = true;
        n.l = p.l;
        n.u = p.u;
      } else {
        if (p.l > n.l) n.l = p.l;
        if (p.u < n.u) n.u = p.u;
      }
    }
  }
  nodes_.push_back(std::move(n));
}

// Bisects leaf k at the midpoint of its widest axis; false when the depth or
// the budget does not allow it.
bool SupportCover::refine(std::size_t k) {
  if (nodes_[k].depth >= max_depth_ || enclosures_ + 2 > budget_) return false;
  const net::Box& box = nodes_[k].box;
  int axis = 0;
  for (int i = 1; i < box.dimension(); ++i)
    if (box.width(i) > box.width(axis)) axis = i;
  const auto a = static_cast<std::size_t>(axis);
  const Rational mid = (box.lo[a] + box.hi[a]) / 2;
  net::Box lower = box, upper = box;
  lower.hi[a] = mid;
  upper.lo[a] = mid;
  nodes_[k].first_child = static_cast<int>(nodes_.size());
  nodes_[k].axis = axis;
  add_node(std::move(lower), static_cast<int>(k));
  add_node(std::move(upper), static_cast<int>(k));
  return true;
}

SupportCover::Summary SupportCover::summarise() const {
  Summary s;
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    const Node& n = nodes_[k];
    if (n.first_child >= 0) continue;
    if (!n.finite) {
      s.unbounded = static_cast<long>(k);
      return s;
    }
    if (!s.have) {
      s.lo = n.l;
      s.hi = n.u;
      s.max_l = n.l;
      s.min_u = n.u;
      s.argmin_l = s.argmax_u = k;
      s.have = true;
    } else {
      if (n.l < s.lo) {
        s.lo = n.l;
        s.argmin_l = k;
      }
      if (n.u > s.hi) {
        s.hi = n.u;
        s.argmax_u = k;
      }
      if (n.l > s.max_l) s.max_l = n.l;
      if (n.u < s.min_u) s.min_u = n.u;
    }
    s.all_pos = s.all_pos && n.l > 0;
    s.all_neg = s.all_neg && n.u < 0;
    s.all_small = s.all_small && n.u <= threshold_ && n.l >= -threshold_;
    s.seen_pos = s.seen_pos || n.l > 0;
    s.seen_neg = s.seen_neg || n.u < 0;
    s.certainly_big = s.certainly_big || n.l > threshold_ || n.u < -threshold_;
  }
  return s;
}

// Pre-order form of the cover (docs/certificate-format.md, "Trees").
std::string SupportCover::tree() const {
  std::string out;
  std::vector<std::size_t> stack{0};
  while (!stack.empty()) {
    const Node& n = nodes_[stack.back()];
    stack.pop_back();
    if (n.first_child < 0) {
      out.push_back('.');
      continue;
    }
    out.push_back(static_cast<char>('a' + n.axis));
    stack.push_back(static_cast<std::size_t>(n.first_child) + 1);
    stack.push_back(static_cast<std::size_t>(n.first_child));
  }
  return out;
}

}  // namespace mgdl::construct::detail
