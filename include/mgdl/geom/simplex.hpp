// Exact rational simplices in R^d (proofs/simplices.md, Lemmas S1–S4).
//
//   Simplex t = kuhn_simplex({0, 0}, {1, 1}, {1, 0});   // conv{(0,0), (0,1), (1,1)}
//   Rational v = volume(t);                              // 1/2
//   auto [left, right] = bisect_longest_edge(t);
//   QuadraticRange r = quadratic_range(q, t);            // exact min and max of q on t
//
// Everything is exact (num::Rational); the range of a quadratic is the exact
// min and max together with points of the simplex attaining them.
#pragma once

#include <utility>
#include <vector>

#include "mgdl/num/ball.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::geom {

using num::Rational;
using Point = std::vector<Rational>;
using Matrix = std::vector<std::vector<Rational>>;  // row-major

// conv{v_0, .., v_d} in R^d. The constructor checks d + 1 vertices of length
// d and non-degeneracy (std::invalid_argument, one line).
class Simplex {
 public:
  explicit Simplex(std::vector<Point> vertices);
  int dimension() const { return static_cast<int>(vertices_.size()) - 1; }
  const std::vector<Point>& vertices() const { return vertices_; }
  const Point& vertex(int i) const { return vertices_[static_cast<std::size_t>(i)]; }

 private:
  std::vector<Point> vertices_;
};

// |det E| / d! (Lemma S1).
Rational volume(const Simplex& t);
// λ with Σ λ_i v_i = x, Σ λ_i = 1 (Lemma S1); x ∈ t iff all λ_i >= 0.
std::vector<Rational> barycentric(const Simplex& t, const Point& x);
// Σ λ_i v_i.
Point from_barycentric(const Simplex& t, const std::vector<Rational>& lambda);
Point centroid(const Simplex& t);
// Largest squared edge length (exact).
Rational squared_diameter(const Simplex& t);
// The two halves across the midpoint of the longest edge (Lemma S2; ties:
// first (i, j) in lexicographic order). first has v_j replaced, second v_i.
std::pair<Simplex, Simplex> bisect_longest_edge(const Simplex& t);

// Kuhn simplex of the cell Π[lo_k, hi_k] for the permutation perm of
// {0..d-1} (Lemma S3): v_0 = lo, v_j = v_{j-1} + (hi − lo)_{perm[j-1]} e_{perm[j-1]}.
Simplex kuhn_simplex(const Point& lo, const Point& hi, const std::vector<int>& perm);
// All d! Kuhn simplices of the cell, permutations in lexicographic order.
std::vector<Simplex> kuhn_simplices(const Point& lo, const Point& hi);

// A simplex as its vertex list with its exact volume carried along (a split
// scales the volume, Lemma I9 (a): no determinant per piece), and l's values at
// the vertices for the split in progress.
struct MeasuredSimplex {
  std::vector<Point> vertex;  // d + 1 points of R^d, non-degenerate
  Rational volume;
};
MeasuredSimplex measured(const Simplex& t);
// proofs/integration.md, Lemma I9 (b): appends the pieces of t split by the
// hyperplane l(x) = constant + gradient·x = 0 (edge splits at the exact zeros
// of l, Lemma I9 (a)); on each piece l >= 0 at every vertex or l <= 0 at every
// vertex; the pieces tile t.
void split_by_hyperplane(const MeasuredSimplex& t, const Rational& constant,
                         const std::vector<Rational>& gradient, std::vector<MeasuredSimplex>& out);
// ∫_t l_+ exactly (Lemma I9 (d)): t split by l, |piece| · mean of l at its
// vertices over the pieces where l >= 0.
Rational positive_part_integral(const MeasuredSimplex& t, const Rational& constant,
                                const std::vector<Rational>& gradient);

// q(x) = a + b·(x − c) + ½ (x − c)ᵀ H (x − c), H symmetric.
struct Quadratic {
  Rational a;
  std::vector<Rational> b;
  Matrix hessian;
  Point center;
  Rational operator()(const Point& x) const;
};

struct QuadraticRange {
  Rational min, max;
  Point argmin, argmax;  // points of the simplex with q = min, q = max
};

// Exact min and max of q over t: vertices and the stationary points of faces
// with non-singular restricted Hessian that lie in their face (Lemma S4).
QuadraticRange quadratic_range(const Quadratic& q, const Simplex& t);

// q as above with ball coefficients and centre (hessian row-major d×d,
// symmetric), on a simplex whose vertices are given as balls (row per vertex).
struct BallQuadratic {
  num::Ball a;
  std::vector<num::Ball> b, hessian, center;
};
struct BallRange {
  num::Ball max, min;                  // max's upper end >= max_T q, min's lower end <= min_T q
  std::vector<double> argmax, argmin;  // approximate extremal points: steering only
};
// Lemma S6: S4's candidates in ball arithmetic, valid for every q in the family.
BallRange quadratic_range_ball(const BallQuadratic& q, const std::vector<std::vector<num::Ball>>& vertices,
                               slong prec);

// The solution of A x = rhs by exact Gaussian elimination, or false when A is
// singular (A square).
bool solve_linear(Matrix a, std::vector<Rational> rhs, std::vector<Rational>& x);
// det A (A square), exact.
Rational determinant(Matrix a);

}  // namespace mgdl::geom
