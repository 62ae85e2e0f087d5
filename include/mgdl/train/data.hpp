// Training data drawn from a target expression, evaluated in double (training
// steers nothing that is claimed; certification re-evaluates f rigorously).
//
//   DoubleTarget f(expr::Expression::parse("sin(32*pi*x)"));
//   Rng rng(7);
//   Dataset train = sample(f, box, {Sampling::grid, 1024}, 0.0, rng);
#pragma once

#include <vector>

#include "mgdl/expr/expression.hpp"
#include "mgdl/train/rng.hpp"

namespace mgdl::train {

// f in double by walking the expression tree (constants rounded to nearest).
class DoubleTarget {
 public:
  explicit DoubleTarget(expr::Expression expression);
  int dimension() const { return expression_.dimension(); }
  const expr::Expression& expression() const { return expression_; }
  double operator()(const double* x) const;

 private:
  expr::Expression expression_;
};

// An axis-aligned box in user coordinates, lo[i] < hi[i].
struct BoxD {
  std::vector<double> lo, hi;
  int dimension() const { return static_cast<int>(lo.size()); }
};

struct Sampling {
  enum Kind { grid, uniform } kind = uniform;
  long points = 1024;  // a grid uses round(points^(1/d)) per axis, endpoints included
};

// Point i is x[i*d .. i*d+d-1]; y[i] is its (possibly noisy) target value.
struct Dataset {
  int d = 0;
  std::vector<double> x, y;
  long size() const { return static_cast<long>(y.size()); }
};

// The grid of n points per axis on the box (row-major, last axis fastest).
Dataset grid(const DoubleTarget& f, const BoxD& box, long per_axis);
// noise > 0 adds N(0, noise^2) to every y.
Dataset sample(const DoubleTarget& f, const BoxD& box, const Sampling& sampling, double noise, Rng& rng);

}  // namespace mgdl::train
