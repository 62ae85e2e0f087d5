// Construction A (or B) grade by grade, without the certification: cores,
// active cutoffs, kappa, block depth and width, a float estimate of
// ||R_m||_inf on a grid, and the build time per grade, as a Markdown table.
//
//   bench_construct EXPR GRADES [THREADS [PER_AXIS [hat [LEVEL [BUDGET [DEPTH]]]]]]
//   bench_construct "sin(32*pi*x)" 6
//   bench_construct "sin(2*pi*x)*cos(2*pi*y)" 4 1 257 hat 1/2
//
// For the hat scheme the columns are grid nodes, active hats, cells per axis
// (in the kappa column), depth and width; LEVEL, BUDGET and DEPTH are
// HatOptions::level, enclosure_budget and enclosure_depth.
//
// M for grade m is the largest certified lower bound of |R_{m-1}| at the grid
// points (a point evaluation in ball arithmetic: a valid M <= ||R_{m-1}||_inf).
#include "mgdl/construct/cutoff_scheme.hpp"
#include "mgdl/construct/hat_scheme.hpp"
#include "mgdl/num/bounds.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace construct = mgdl::construct;
namespace expr = mgdl::expr;
namespace num = mgdl::num;
namespace resid = mgdl::resid;

namespace {

struct GridScan {
  num::LowerBound lower{num::Rational(0)};
  double sup_approx = 0;
};

GridScan scan(const resid::Residual& r, int per_axis) {
  resid::ResidualEvaluator ev(r, 128);
  GridScan s;
  const int d = r.dimension();
  std::vector<int> idx(static_cast<std::size_t>(d), 0);
  std::vector<num::Rational> x(static_cast<std::size_t>(d));
  for (;;) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = num::Rational(idx[i], per_axis - 1);
    num::Ball v = ev.at_point(x);
    s.lower = num::LowerBound::tighter(s.lower, num::abs_lower_bound(v));
    s.sup_approx = std::max(s.sup_approx, std::fabs(v.mid_approx()));
    std::size_t axis = 0;
    while (axis < idx.size() && ++idx[axis] == per_axis) idx[axis++] = 0;
    if (axis == idx.size()) break;
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_construct EXPR GRADES [THREADS [PER_AXIS]]\n");
    return 2;
  }
  const std::string text = argv[1];
  const int grades = std::atoi(argv[2]);
  const expr::Expression e = expr::Expression::parse(text);
  const int d = e.dimension();
  construct::CutoffOptions opt;
  opt.threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const int per_axis = argc > 4 ? std::atoi(argv[4]) : opt.resolved_sample_per_axis(d);
  opt.sample_per_axis = 0;  // the bench scans the grid itself (it also needs M)
  if (per_axis < 2) {
    std::fprintf(stderr, "bench_construct: PER_AXIS must be >= 2\n");
    return 2;
  }
  opt.validate(d);

  resid::Residual r(expr::Program::compile(e, expr::Domain::unit(d)));
  GridScan s = scan(r, per_axis);
  std::printf("target `%s`, d = %d, %d threads, float sup-norm estimate on a grid of %d^%d points\n\n", text.c_str(),
              d, opt.threads, per_axis, d);
  double total = 0;
  const bool hat = argc > 5 && std::string(argv[5]) == "hat";
  construct::HatOptions hopt;
  hopt.threads = opt.threads;
  hopt.sample_per_axis = 0;
  if (argc > 6) hopt.level = num::parse_rational(argv[6]);
  if (argc > 7) hopt.enclosure_budget = std::atoi(argv[7]);
  if (argc > 8) hopt.enclosure_depth = std::atoi(argv[8]);
  if (hat)
    std::printf("| grade | grid nodes | active hats | cells per axis | depth | width | sup-norm estimate | ratio | time (s) |\n");
  else
    std::printf("| grade | cores | active cutoffs | kappa | depth | width | sup-norm estimate | ratio | time (s) |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  std::printf("| 0 | | | | | | %.6g | | |\n", s.sup_approx);
  // One loop for both schemes: build the grade, print its row, move on to
  // its residual. `columns` gives the three scheme-specific cells.
  auto run = [&](auto build, auto columns) {
    for (int m = 1; m <= grades; ++m) {
      const double previous = s.sup_approx;
      const auto g = build();
      if (g.status != construct::BuildStatus::built) {
        std::printf("| %d | not certified: %s | | | | | | | %.2f |\n", m, g.reason.c_str(), g.seconds_approx);
        return false;
      }
      total += g.seconds_approx;
      r = r.with(g.correction);
      s = scan(r, per_axis);
      std::printf("| %d | %s | %d | %d | %.6g | %.3f | %.2f |\n", m, columns(g).c_str(), g.block_depth, g.block_width,
                  s.sup_approx, s.sup_approx / previous, g.seconds_approx);
      std::fflush(stdout);
    }
    return true;
  };
  const bool built =
      hat ? run([&] { return construct::build_hat_correction(r, s.lower, hopt); },
                [](const construct::HatConstruction& g) {
                  std::string cells;
                  for (int c : g.cells) cells += (cells.empty() ? "" : "x") + std::to_string(c);
                  return std::to_string(g.nodes) + " | " + std::to_string(g.active_nodes) + " | " + cells;
                })
          : run([&] { return construct::build_cutoff_correction(r, s.lower, opt); },
                [](const construct::CutoffConstruction& g) {
                  return std::to_string(g.cores) + " | " + std::to_string(g.active_cutoffs) + " | " +
                         std::to_string(g.kappa);
                });
  if (!built) return 1;
  std::printf("\nbuild time total %.2f s (grid scans excluded)\n", total);
  return 0;
}
