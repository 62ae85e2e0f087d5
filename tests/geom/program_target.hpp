// geom::LocalTarget for an expr::Program on the unit cube (tests and
// bench_simplex): box jets from BallEvaluator::derivatives2 (value and gradient at
// the box's midpoint, Hessian over the box; proofs/certification.md, C2) and
// line series from SeriesEvaluator on g(t, c, δ) = f(c + tδ), a Program in
// 2d + 1 variables (proofs/integration.md, Lemma I6: the coefficients along t
// enclose those at every point of the base box t ∈ [0, 1], δ ∈ delta).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mgdl/expr/program.hpp"
#include "mgdl/expr/series.hpp"
#include "mgdl/geom/simplex_sup.hpp"

namespace mgdl::testing {

class ProgramTarget : public geom::LocalTarget {
 public:
  ProgramTarget(const expr::Expression& f, slong prec)
      : program_(expr::Program::compile(f, expr::Domain::unit(f.dimension()))),
        line_(expr::Program::compile(along_line(f), expr::Domain::unit(2 * f.dimension() + 1))),
        ev_(program_, prec),
        series_(line_, prec),
        d_(f.dimension()),
        base_(static_cast<std::size_t>(2 * d_ + 1)) {
    arb_zero_pm_one(base_[0].arb());
    arb_nonnegative_part(base_[0].arb(), base_[0].arb());  // t ∈ [0, 1]
  }
  int dimension() const override { return d_; }
  void box_jet(const num::Ball* lo, const num::Ball* hi, geom::BoxJet& out) override {
    ev_.derivatives2(lo, hi, jet_);  // the range is not needed: S6.1 bounds the pieces
    out.value = jet_.value;
    out.gradient = jet_.gradient;
    out.hessian = jet_.hessian;
  }
  void point(const num::Ball* x, num::Ball& out) override { ev_.point(x, out); }
  bool line_series(const num::Ball* c, const num::Ball* delta, int order,
                   std::vector<num::Ball>& out) override {
    for (int k = 0; k < d_; ++k) {
      base_[static_cast<std::size_t>(1 + k)] = c[k];
      base_[static_cast<std::size_t>(1 + d_ + k)] = delta[k];
    }
    return series_.evaluate(base_.data(), 0, order, out);
  }

  // f(c + tδ) with t = x1, c = x2..x(d+1), δ = x(d+2)..x(2d+1).
  static expr::Expression along_line(const expr::Expression& f) {
    const int d = f.dimension();
    auto var = [](int i) {
      auto n = std::make_shared<expr::Node>();
      n->op = expr::Op::variable;
      n->variable = i;
      return std::shared_ptr<const expr::Node>(n);
    };
    auto bin = [](expr::Op op, std::shared_ptr<const expr::Node> a, std::shared_ptr<const expr::Node> b) {
      auto n = std::make_shared<expr::Node>();
      n->op = op;
      n->args = {std::move(a), std::move(b)};
      return std::shared_ptr<const expr::Node>(n);
    };
    std::function<std::shared_ptr<const expr::Node>(const expr::Node&)> walk = [&](const expr::Node& node) {
      if (node.op == expr::Op::variable)
        return bin(expr::Op::add, var(1 + node.variable),
                   bin(expr::Op::mul, var(0), var(1 + d + node.variable)));
      auto n = std::make_shared<expr::Node>(node);
      for (auto& a : n->args) a = walk(*a);
      return std::shared_ptr<const expr::Node>(n);
    };
    std::vector<std::string> names;
    for (int i = 1; i <= 2 * d + 1; ++i) names.push_back("x" + std::to_string(i));
    return expr::Expression(walk(f.root()), names, f.source());
  }

 private:
  expr::Program program_, line_;
  expr::BallEvaluator ev_;
  expr::SeriesEvaluator series_;
  int d_;
  expr::Taylor2 jet_;
  std::vector<num::Ball> base_;
};

}  // namespace mgdl::testing
