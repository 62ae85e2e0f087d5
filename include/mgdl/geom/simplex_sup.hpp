// Certified sup-norm of r = f − ℓ over a union of simplices, ℓ affine on each
// (proofs/simplices.md, Lemmas S2, S5, S6, S6.1), in any dimension d <= 8.
//
//   geom::SupOptions o;  o.rel_gap = Rational(1, 1000000);
//   geom::SupResult s = geom::certify_sup(target, pieces, o);   // pieces: vertices + ℓ's values
//   // s.proven: s.lower <= sup |r| <= s.upper and (s.upper − s.lower) <= rel_gap · s.upper
//
// The target f is supplied through LocalTarget (geom sits below expr; the
// caller adapts expr::BallEvaluator). Branch and bound, best first: a piece is
// bounded by the Taylor form of f about its bounding box's midpoint with the
// quadratic part maximised over the simplex (S6.1), refined by longest-edge
// bisection (S2); ℓ's values at a new vertex are the mean of the edge's ends.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::geom {

// What the bounds need from f on a box B = Π[lo_k, hi_k] (balls with exact
// endpoints). Contract (Lemma S5's hypotheses): value and gradient enclose
// f(c) and ∇f(c) at the exact midpoint c = (lo + hi)/2, hessian (row-major d×d,
// symmetric) encloses ∂_ij f over all of B; f is C² near B where all are finite.
struct BoxJet {
  num::Ball value;
  std::vector<num::Ball> gradient, hessian;
};
class LocalTarget {
 public:
  virtual ~LocalTarget() = default;
  virtual int dimension() const = 0;
  virtual void box_jet(const num::Ball* lo, const num::Ball* hi, BoxJet& out) = 0;
  // An enclosure of f over the ball x (a point given as balls).
  virtual void point(const num::Ball* x, num::Ball& out) = 0;
  // Series along segments, for the L^p rules (Lemma S7): out[k] (k = 0..order)
  // must contain (d/dt)^k f(c + tδ) / k! for every t in [0, 1] and every δ in
  // the balls delta (c a point given as balls). False where f may not be
  // analytic there (the default: not supported).
  virtual bool line_series(const num::Ball* c, const num::Ball* delta, int order,
                           std::vector<num::Ball>& out) {
    (void)c;
    (void)delta;
    (void)order;
    out.clear();
    return false;
  }
};

// A simplex with ℓ's values at its vertices: vertex[i] has d coordinates,
// value[i] = ℓ(vertex[i]) (exact rationals; ℓ is the affine interpolant).
struct AffinePiece {
  std::vector<std::vector<num::Rational>> vertex;
  std::vector<num::Rational> value;
};

struct SupOptions {
  num::Rational rel_gap{1, 1000000};
  std::size_t max_pieces = 50000000;  // live pieces
  slong prec = 64;
};

struct SupResult {
  bool proven = false;
  num::Rational lower{0}, upper{0};  // lower <= sup |r| <= upper when every piece was finite
  bool all_finite = false;
  long evaluations = 0;         // pieces bounded (one box jet each)
  std::size_t leaves = 0;       // pieces covering the domain at the end
  std::vector<double> witness;  // approximately the point where |r| >= lower was shown (reporting only)
};

namespace detail {
class Bounder;
}

// Lemma S6.1 on one simplex at a time, without branching: for callers with a
// cover of their own (certify's sup-norm engine on boxes cut at the kinks,
// proofs/certification.md C2.7). Not thread-safe: one per thread.
class SimplexBounder {
 public:
  SimplexBounder(LocalTarget& target, slong prec);
  ~SimplexBounder();
  SimplexBounder(const SimplexBounder&) = delete;
  SimplexBounder& operator=(const SimplexBounder&) = delete;
  // True with upper >= sup_T |f − ℓ| (exact) when f's jet over T's bounding box
  // is finite; `at` is then approximately the point of T where S6's extremum
  // of the quadratic lies (steering only: a witness candidate).
  bool bound(const AffinePiece& piece, num::Rational& upper, std::vector<double>& at);

 private:
  std::unique_ptr<detail::Bounder> impl_;
  slong prec_;
};

// Pieces must have disjoint interiors (their union is the domain the claim is
// about); each must be non-degenerate and of dimension target.dimension().
SupResult certify_sup(LocalTarget& target, const std::vector<AffinePiece>& pieces, const SupOptions& options);

}  // namespace mgdl::geom
