// Taylor series of a Program along one axis, in Arb ball arithmetic, with a
// box (or a point) as the base (proofs/integration.md, Lemmas I3, I6):
//
//   SeriesEvaluator se(program, 128);
//   std::vector<num::Ball> a;
//   bool ok = se.evaluate(base, axis, 9, a);   // base: d balls in Ω coordinates
//   // a[k] ∋ ∂_axis^k f(x)/k! for every x in the box `base`, k = 0..9
//
// Each coefficient encloses the coefficient at every point of the base set:
// the series recurrences (arb_poly *_series) are run in ball arithmetic on
// the balls of the base. Returns false where f may not be analytic on the base
// set (a kink of abs/relu/min/max, log/sqrt/pow of a non-positive argument,
// division by a ball containing 0, a pole of tan) or a coefficient is not finite.
#pragma once

#include <memory>
#include <vector>

#include "mgdl/expr/program.hpp"
#include "mgdl/num/ball.hpp"

namespace mgdl::expr {

class SeriesEvaluator {
 public:
  SeriesEvaluator(const Program& program, slong prec);
  ~SeriesEvaluator();
  SeriesEvaluator(const SeriesEvaluator&) = delete;
  SeriesEvaluator& operator=(const SeriesEvaluator&) = delete;

  slong precision() const;
  void set_precision(slong prec);

  // out[k] for k = 0..order (out is resized to order + 1).
  bool evaluate(const num::Ball* base, int axis, int order, std::vector<num::Ball>& out);
  // Along a direction v (d balls): out[k] ∋ D_v^k f(x)/k! for every x in the
  // base box and every v in the direction balls.
  bool evaluate(const num::Ball* base, const num::Ball* direction, int order, std::vector<num::Ball>& out);

  struct State;

 private:
  bool evaluate_along(const num::Ball* base, int axis, const num::Ball* direction, int order,
                      std::vector<num::Ball>& out);
  std::unique_ptr<State> state_;
};

}  // namespace mgdl::expr
