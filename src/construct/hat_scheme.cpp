// Construction B (SPEC section 5). The proofs this code relies on are in
// proofs/hat.md: B0 (the hats and the node boxes Σ_z, through net::HatCorrection),
// B1 (balanced: the sign and mu facts) and B2 (contraction: the refinement
// conditions (a)/(b), checked with the rounded coefficient), both tested by
// detail::SupportCover (support_tester.hpp) with threshold theta·M, B0.1 (the
// dense block, built by net::HatCorrection::realise).
#include "mgdl/construct/hat_scheme.hpp"

#include "mgdl/num/ball.hpp"
#include "parallel.hpp"
#include "support_tester.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace mgdl::construct {

namespace {

using num::Rational;
using Clock = std::chrono::steady_clock;
using detail::parallel_for;
using detail::seconds_since;

struct NodeVerdict {
  bool refine = true;  // neither (a) nor (b) certified
  int sign = 0;        // +1 / -1: sign·r >= mu > 0 certified on `box`
  Rational mu;         // the rounded |c_z| (C4)
  net::Box box;
  std::string tree;
  std::vector<char> axes;  // when refine: the axes whose cells next to z get bisected
};

// The node test with threshold theta·M (design note 2, Lemma B2): refine
// unless (a) or (b) is decided.
NodeVerdict to_verdict(detail::SupportDecision d) {
  NodeVerdict v;
  v.refine = !d.decided;
  v.sign = d.sign;
  v.mu = std::move(d.mu);
  v.box = std::move(d.box);
  v.tree = std::move(d.tree);
  return v;
}

// The coefficient |c_z| for a decided node (HatOptions::level). Any value in
// [lo, mu] is certified: lo = peak − bound for (b) (Lemma B2 with the rounded
// coefficient), lo = 0 when (a) holds; mu is the certified lower bound of
// s·r on the node box (Lemma B1). The target |r(z)| − level·bound is a double
// heuristic; only the exact comparisons with lo and mu decide. A magnitude 0
// means "leave the node inactive" (it happens only under (a)). off_target:
// (b) alone holds and the target was outside [lo, mu].
struct Magnitude {
  Rational value;
  bool off_target = false;
};

Magnitude choose_magnitude(const detail::SupportDecision& d, const Rational& bound, const Rational& level,
                           double r_at_node, long bits) {
  const Rational lo = d.small ? Rational(0) : Rational(d.peak - bound);
  if (level == 0 || !std::isfinite(r_at_node)) return {d.mu, false};
  const double target = std::max(0.0, std::fabs(r_at_node) - num::to_double_approx(level * bound));
  Rational c = num::round_down(Rational(target), bits);
  if (c > d.mu) return {d.mu, !d.small};
  if (c < lo) {
    Rational up = num::round_up(lo, bits);
    return {up <= d.mu ? std::move(up) : d.mu, true};
  }
  return {std::move(c), false};
}

Rational narrowest_side(const net::Box& box) {
  Rational w = box.width(0);
  for (int i = 1; i < box.dimension(); ++i) w = std::min(w, Rational(box.width(i)));
  return w;
}

// Which axes to refine around a node that decided neither (a) nor (b): those
// along which r varies by at least half the largest variation, estimated in
// doubles from r at z and its grid neighbours (a heuristic; it only steers
// where lines go, never a claim). Near a zero line of r parallel to an axis
// this refines across the line only, which keeps the tensor grid small.
std::vector<char> axes_to_refine(resid::ResidualEvaluator& ev, const net::HatCorrection& shape,
                                 const std::vector<int>& idx) {
  const std::size_t d = idx.size();
  std::vector<char> out(d, 1);
  const std::vector<Rational> z = shape.node_point(idx);
  const double rz = ev.at_point(z).mid_approx();
  std::vector<double> variation(d, 0.0);
  double largest = 0;
  for (std::size_t i = 0; i < d; ++i) {
    const auto& axis = shape.grid()[i];
    const auto j = static_cast<std::size_t>(idx[i]);
    std::vector<Rational> y = z;
    if (j > 0) {
      y[i] = axis[j - 1];
      variation[i] += std::fabs(ev.at_point(y).mid_approx() - rz);
    }
    if (j + 1 < axis.size()) {
      y[i] = axis[j + 1];
      variation[i] += std::fabs(ev.at_point(y).mid_approx() - rz);
    }
    if (!std::isfinite(variation[i])) return out;
    largest = std::max(largest, variation[i]);
  }
  if (!(largest > 0)) return out;
  for (std::size_t i = 0; i < d; ++i) out[i] = variation[i] >= 0.5 * largest ? 1 : 0;
  return out;
}

// Dyadic breakpoint t = a / 2^L as the integer a (identifies nodes across rounds).
std::int64_t scaled(const Rational& t, int level) {
  const Rational s = t * Rational(num::Integer(1) << level);
  return static_cast<std::int64_t>(numerator(s));
}

}  // namespace

int HatOptions::resolved_initial_level() const { return initial_level >= 0 ? initial_level : 2; }

int HatOptions::resolved_enclosure_depth(int dimension) const {
  return enclosure_depth >= 0 ? enclosure_depth : std::min(4 * dimension + 2, 16);
}

int HatOptions::resolved_enclosure_budget(int dimension) const {
  return enclosure_budget >= 0 ? enclosure_budget : 16 * dimension + 8;
}

int HatOptions::resolved_sample_per_axis(int dimension) const {
  if (sample_per_axis >= 0) return sample_per_axis;
  switch (dimension) {
    case 1: return 4097;
    case 2: return 257;
    case 3: return 33;
    default: return 17;
  }
}

void HatOptions::validate(int dimension) const {
  if (dimension < 1 || dimension > 4)
    throw std::invalid_argument("hat scheme: dimension must be between 1 and 4, got " + std::to_string(dimension));
  if (theta <= 0 || theta >= 1) throw std::invalid_argument("hat scheme: theta must be in (0, 1)");
  const int k = resolved_initial_level();
  if (k > 20) throw std::invalid_argument("hat scheme: initial_level must be between 0 and 20");
  if (max_level < k || max_level > 48)
    throw std::invalid_argument("hat scheme: max_level must be between initial_level and 48");
  if (!initial_grid.empty()) {
    if (static_cast<int>(initial_grid.size()) != dimension)
      throw std::invalid_argument("hat scheme: initial_grid must have one breakpoint list per axis");
    const Rational unit(num::Integer(1), num::Integer(1) << max_level);
    for (const auto& axis : initial_grid) {
      if (axis.size() < 2 || axis.front() != 0 || axis.back() != 1)
        throw std::invalid_argument("hat scheme: initial_grid axes must run from 0 to 1");
      for (std::size_t j = 0; j < axis.size(); ++j) {
        if (j > 0 && !(axis[j - 1] < axis[j]))
          throw std::invalid_argument("hat scheme: initial_grid breakpoints must increase strictly");
        if (denominator(Rational(axis[j] / unit)) != 1)
          throw std::invalid_argument("hat scheme: initial_grid breakpoints must be multiples of 2^-max_level");
      }
    }
  }
  if (max_nodes < 2) throw std::invalid_argument("hat scheme: max_nodes must be >= 2");
  if (enclosure_depth > 16) throw std::invalid_argument("hat scheme: enclosure_depth must be <= 16");
  if (enclosure_budget > 100000) throw std::invalid_argument("hat scheme: enclosure_budget must be <= 100000");
  if (enclosure_tolerance <= 0 || enclosure_tolerance > 1)
    throw std::invalid_argument("hat scheme: enclosure_tolerance must be in (0, 1]");
  if (level < 0 || level > 1) throw std::invalid_argument("hat scheme: level must be in [0, 1]");
  if (coefficient_bits < 2 || coefficient_bits > 4096)
    throw std::invalid_argument("hat scheme: coefficient_bits must be between 2 and 4096");
  if (precision < 32 || precision > 1000000) throw std::invalid_argument("hat scheme: precision must be >= 32 bits");
  if (threads < 1 || threads > 1024) throw std::invalid_argument("hat scheme: threads must be between 1 and 1024");
  if (sample_per_axis == 1 || sample_per_axis > 1000000)
    throw std::invalid_argument("hat scheme: sample_per_axis must be 0, -1 or >= 2");
}

HatConstruction build_hat_correction(const resid::Residual& r, const num::LowerBound& sup_lower,
                                     const HatOptions& options,
                                     const std::function<void(const ConstructionProgress&)>& progress) {
  const int d = r.dimension();
  options.validate(d);
  const auto du = static_cast<std::size_t>(d);
  const Clock::time_point start = Clock::now();
  HatConstruction out;
  out.theta = options.theta;
  auto fail = [&](BuildStopReason why, std::string message) {
    out.status = BuildStatus::not_certified;
    out.stop_reason = why;
    out.reason = std::move(message);
    out.seconds_approx = seconds_since(start);
    return out;
  };
  if (sup_lower.value() <= 0) return fail(BuildStopReason::invalid_bound, "the lower bound M of ||r||_inf is not positive");

  // theta·M·(1 − 2^-10): the slack lets a certified upper bound of
  // ||r − h||_inf within a relative gap of 1e-6 still show a ratio <= theta.
  const Rational bound = options.theta * sup_lower.value() * Rational(1023, 1024);
  const Rational tolerance = sup_lower.value() * options.enclosure_tolerance;
  const int depth = options.resolved_enclosure_depth(d);
  const int budget = options.resolved_enclosure_budget(d);
  const int workers = options.threads;
  const int level = options.max_level;

  std::vector<std::unique_ptr<resid::ResidualEvaluator>> evaluators;
  for (int w = 0; w < workers; ++w)
    evaluators.push_back(std::make_unique<resid::ResidualEvaluator>(r, options.precision));

  // The tensor grid (design note 4): breakpoints per axis, refined by whole lines.
  std::vector<std::vector<Rational>> grid = options.initial_grid;
  if (grid.empty()) {
    const int n = 1 << options.resolved_initial_level();
    grid.assign(du, {});
    for (auto& axis : grid)
      for (int j = 0; j <= n; ++j) axis.push_back(Rational(j, n));
  }
  const Rational floor_width(num::Integer(1), num::Integer(1) << level);
  const Rational coarse_floor = floor_width * 64;

  // Verdicts by node coordinates. A node box only shrinks when lines are
  // inserted, and facts on a box hold on every sub-box, so a decided verdict
  // stays valid; undecided nodes are re-tested on their new, smaller box.
  std::map<std::vector<std::int64_t>, NodeVerdict> verdicts;
  std::atomic<int> interrupt{0};  // 1 = deadline, 2 = cancelled
  auto check_interrupt = [&]() {
    if (options.cancel != nullptr && options.cancel->load()) {
      interrupt.store(2);
    } else if (options.deadline && Clock::now() >= *options.deadline) {
      int expected = 0;
      interrupt.compare_exchange_strong(expected, 1);
    }
    return interrupt.load() != 0;
  };
  auto interrupted_result = [&]() {
    return interrupt.load() == 2 ? fail(BuildStopReason::cancelled, "cancelled while refining the grid")
                                 : fail(BuildStopReason::deadline, "time limit reached while refining the grid");
  };

  std::size_t evaluated_total = 0;
  std::vector<std::vector<int>> all;  // every node's multi-index, lexicographic
  for (int round = 1;; ++round) {
    out.rounds = round;
    if (check_interrupt()) return interrupted_result();
    long double count = 1;
    for (const auto& axis : grid) count *= static_cast<long double>(axis.size());
    if (count > static_cast<long double>(options.max_nodes))
      return fail(BuildStopReason::max_cutoffs, "more than " + std::to_string(options.max_nodes) + " grid nodes would be needed");
    std::vector<std::vector<std::int64_t>> scaled_grid(du);
    for (std::size_t i = 0; i < du; ++i)
      for (const Rational& t : grid[i]) scaled_grid[i].push_back(scaled(t, level));
    net::HatCorrection shape(d, grid, {});
    all.clear();
    std::vector<int> p(du, 0);
    for (bool more = true; more;) {
      all.push_back(p);
      more = false;
      for (std::size_t i = du; i-- > 0;) {
        if (p[i] + 1 < static_cast<int>(grid[i].size())) {
          ++p[i];
          more = true;
          break;
        }
        p[i] = 0;
      }
    }
    auto key_of = [&](const std::vector<int>& idx) {
      std::vector<std::int64_t> key(du);
      for (std::size_t i = 0; i < du; ++i) key[i] = scaled_grid[i][static_cast<std::size_t>(idx[i])];
      return key;
    };
    std::vector<std::size_t> dirty;
    for (std::size_t k = 0; k < all.size(); ++k)
      if (verdicts.find(key_of(all[k])) == verdicts.end()) dirty.push_back(k);
    if (dirty.empty()) break;
    std::vector<NodeVerdict> results(dirty.size());
    parallel_for(dirty.size(), workers, [&](std::size_t w, std::size_t k) {
      if (check_interrupt()) return;
      detail::SupportCover cover(*evaluators[w], bound, tolerance, depth, budget, options.coefficient_bits);
      detail::SupportDecision decision = cover.decide(shape.node_box(all[dirty[k]]));
      if (decision.decided && decision.sign != 0) {
        const double rz = options.level == 0 ? 0.0 : evaluators[w]->at_point(shape.node_point(all[dirty[k]])).mid_approx();
        Magnitude m = choose_magnitude(decision, bound, options.level, rz, options.coefficient_bits);
        decision.mu = std::move(m.value);
        if (decision.mu == 0) decision.sign = 0;
        // Smoothness demand (a heuristic that only steers refinement): a node
        // whose target lies outside its certified interval leaves a bump in
        // the next residual, so it is refined like an undecided node, unless
        // its cells are already within 2^6 of the finest spacing allowed.
        if (m.off_target && narrowest_side(decision.box) > coarse_floor) decision.decided = false;
      }
      results[k] = to_verdict(std::move(decision));
      if (results[k].refine) results[k].axes = axes_to_refine(*evaluators[w], shape, all[dirty[k]]);
    });
    if (interrupt.load() != 0) return interrupted_result();
    evaluated_total += dirty.size();
    // Cells to bisect: those next to a node that decided neither (a) nor (b),
    // or missed the smoothness demand.
    std::vector<std::set<int>> cells(du);
    for (std::size_t k = 0; k < dirty.size(); ++k) {
      const std::vector<int>& idx = all[dirty[k]];
      if (!results[k].refine) {
        verdicts.emplace(key_of(idx), std::move(results[k]));
        continue;
      }
      for (std::size_t i = 0; i < du; ++i) {
        if (!results[k].axes[i]) continue;
        if (idx[i] > 0) cells[i].insert(idx[i] - 1);
        if (idx[i] + 1 < static_cast<int>(grid[i].size())) cells[i].insert(idx[i]);
      }
    }
    bool any = false;
    for (std::size_t i = 0; i < du; ++i) {
      if (cells[i].empty()) continue;
      any = true;
      std::vector<Rational> next;
      next.reserve(grid[i].size() + cells[i].size());
      for (std::size_t j = 0; j + 1 < grid[i].size(); ++j) {
        next.push_back(grid[i][j]);
        if (cells[i].count(static_cast<int>(j))) {
          if (grid[i][j + 1] - grid[i][j] <= floor_width)
            return fail(BuildStopReason::min_box_size,
                        "a grid spacing would get smaller than 2^-" + std::to_string(level));
          next.push_back((grid[i][j] + grid[i][j + 1]) / 2);
        }
      }
      next.push_back(grid[i].back());
      grid[i] = std::move(next);
    }
    if (!any) break;
    if (progress) {
      ConstructionProgress pr;
      pr.round = round;
      pr.cores = all.size();
      pr.evaluated = evaluated_total;
      pr.elapsed_seconds = seconds_since(start);
      progress(pr);
    }
  }

  // Coefficients c_z = s_z·mu_z (Lemma B1), in lexicographic node order,
  // which is the order HatCorrection keeps.
  std::vector<std::vector<std::int64_t>> scaled_grid(du);
  for (std::size_t i = 0; i < du; ++i)
    for (const Rational& t : grid[i]) scaled_grid[i].push_back(scaled(t, level));
  std::vector<net::HatNode> active;
  std::vector<NodeFact> facts;
  for (const std::vector<int>& idx : all) {
    std::vector<std::int64_t> key(du);
    for (std::size_t i = 0; i < du; ++i) key[i] = scaled_grid[i][static_cast<std::size_t>(idx[i])];
    auto it = verdicts.find(key);
    if (it == verdicts.end() || it->second.sign == 0) continue;
    NodeVerdict& v = it->second;
    NodeFact f;
    f.node = active.size();
    f.sign = v.sign;
    f.mu = v.mu;
    f.box = std::move(v.box);
    f.tree = std::move(v.tree);
    active.push_back(net::HatNode{idx, Rational(v.sign) * v.mu});
    facts.push_back(std::move(f));
  }
  auto correction = std::make_shared<const net::HatCorrection>(d, grid, std::move(active));
  out.status = BuildStatus::built;
  out.stop_reason = BuildStopReason::none;
  out.nodes = all.size();
  for (const auto& axis : grid) out.cells.push_back(static_cast<int>(axis.size()) - 1);
  out.active_nodes = correction->active_units();
  out.facts = std::move(facts);
  out.block = correction->realise();
  out.block_depth = out.block.depth();
  out.block_width = out.block.width();
  out.correction = correction;
  const int per_axis = options.resolved_sample_per_axis(d);
  if (per_axis >= 2) out.residual_sup_approx = sup_norm_approx(r.with(correction), per_axis);
  out.seconds_approx = seconds_since(start);
  return out;
}

}  // namespace mgdl::construct
