// Internal: the support test shared by Construction A (a cutoff's closed
// support ∩ Ω) and Construction B (a hat's node box Σ_z). Both ask, on a box,
// whether |r| <= threshold everywhere (condition (a)), or r has a constant
// sign s with s·r >= mu > 0 and (max s·r) − mu <= threshold (condition (b)),
// where mu is the rounded lower bound that becomes the coefficient.
// threshold = M/2 for cutoffs (proofs/cutoff.md, Lemmas A3 and A4),
// theta·M for hats (proofs/hat.md, Lemmas B1 and B2, design note 2).
//
//   SupportCover cover(ev, threshold, tolerance, max_depth, budget, bits);
//   SupportDecision d = cover.decide(box);
//   if (d.decided && d.sign != 0) { /* s·r >= d.mu > 0 on d.box, cover d.tree */ }
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mgdl/net/box.hpp"
#include "mgdl/num/rational.hpp"
#include "mgdl/resid/residual.hpp"

namespace mgdl::construct::detail {

struct SupportDecision {
  bool decided = false;  // (a) or (b) certified on `box`; false: certainly fails or budget spent
  int sign = 0;          // +1 / -1 when sign·r >= mu > 0 is certified on `box` (then (b) holds)
  num::Rational mu;      // rounded down to `bits` (C4); set only when sign != 0
  num::Rational peak;    // certified upper bound of sign·r on `box`; set only when sign != 0
  bool small = false;    // (a) certified: |r| <= threshold on `box`
  std::string tree;      // pre-order cover (docs/certificate-format.md, "Trees"); only when sign != 0
  net::Box box;          // the box tested
  int enclosures = 0;    // Arb enclosures computed
};

// Builds a cover of a box by bisection, best-first: it bisects the leaf that
// holds the lowest lower end or the highest upper end (the ones that decide
// (a) and (b)), until the test is decided, certainly fails, or the depth or
// enclosure budget is spent. Doubles never enter: every comparison is between
// exact endpoints of Arb balls and rationals. A child's enclosure is
// intersected with its parent's (the child box is inside the parent box), so
// bounds only tighten. `threshold` and `tolerance` are held by reference and
// must outlive the cover.
class SupportCover {
 public:
  SupportCover(resid::ResidualEvaluator& evaluator, const num::Rational& threshold,
               const num::Rational& tolerance, int max_depth, int budget, long bits)
      : ev_(evaluator),
        threshold_(threshold),
        tolerance_(tolerance),
        max_depth_(max_depth),
        budget_(budget),
        bits_(bits) {}

  SupportDecision decide(net::Box box);

 private:
  struct Node {
    net::Box box;
    int depth = 0;
    int first_child = -1;
    int axis = 0;
    bool finite = false;
    num::Rational l, u;
  };
  struct Summary {
    long unbounded = -1;
    std::size_t argmin_l = 0, argmax_u = 0;
    num::Rational lo, hi, max_l, min_u;
    bool have = false, all_pos = true, all_neg = true, all_small = true;
    bool seen_pos = false, seen_neg = false, certainly_big = false;
  };

  num::Rational width(std::size_t k) const { return nodes_[k].u - nodes_[k].l; }
  void add_node(net::Box box, int parent);
  bool refine(std::size_t k);
  Summary summarise() const;
  std::string tree() const;

  resid::ResidualEvaluator& ev_;
  const num::Rational& threshold_;
  const num::Rational& tolerance_;
  int max_depth_;
  int budget_;
  long bits_;
  std::vector<Node> nodes_;
  int enclosures_ = 0;
};

}  // namespace mgdl::construct::detail
