// Construction A (SPEC section 4). The proofs this code relies on are in
// proofs/cutoff.md: A1 (cutoff properties, used through net::Cutoff), A2 (the
// margin rule bounds kappa; the code counts kappa anyway), A3 (balanced: the
// sign and mu facts) and A4 (contraction: the refinement rule), both tested by
// detail::SupportCover (support_tester.hpp) with threshold M/2, A5 (the dense
// block, built by net::CutoffCorrection::realise).
#include "mgdl/construct/cutoff_scheme.hpp"

#include "mgdl/construct/partition.hpp"
#include "mgdl/num/ball.hpp"
#include "parallel.hpp"
#include "support_tester.hpp"

#include <flint/flint.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace mgdl::construct {

namespace {

using num::Rational;
using Clock = std::chrono::steady_clock;
using detail::parallel_for;
using detail::seconds_since;

// The outcome of testing one core's support against the refinement rule.
struct CoreVerdict {
  bool evaluated = false;
  bool split = true;
  int sign = 0;     // +1 / -1 when sign·r >= mu > 0 is certified on `box`
  Rational mu;      // rounded down (C4)
  net::Box box;     // closed support ∩ Ω
  std::string tree;
  int finest_at_evaluation = -1;
  int enclosures = 0;
};

// The support test with threshold M/2 (Lemma A4): split unless decided.
CoreVerdict to_verdict(detail::SupportDecision d, int finest) {
  CoreVerdict v;
  v.evaluated = true;
  v.split = !d.decided;
  v.sign = d.sign;
  v.mu = std::move(d.mu);
  v.box = std::move(d.box);
  v.tree = std::move(d.tree);
  v.finest_at_evaluation = finest;
  v.enclosures = d.enclosures;
  return v;
}

// closed support of the core ∩ Ω
net::Box clipped_support(const net::Box& core, const Rational& rho) {
  net::Box s = core;
  for (std::size_t i = 0; i < s.lo.size(); ++i) {
    s.lo[i] -= rho;
    s.hi[i] += rho;
    if (s.lo[i] < 0) s.lo[i] = 0;
    if (s.hi[i] > 1) s.hi[i] = 1;
  }
  return s;
}

}  // namespace

int CutoffOptions::resolved_initial_level() const { return initial_level >= 0 ? initial_level : 2; }

int CutoffOptions::resolved_enclosure_depth(int dimension) const {
  return enclosure_depth >= 0 ? enclosure_depth : std::min(4 * dimension + 2, 16);
}

int CutoffOptions::resolved_enclosure_budget(int dimension) const {
  return enclosure_budget >= 0 ? enclosure_budget : 16 * dimension + 8;
}

int CutoffOptions::resolved_sample_per_axis(int dimension) const {
  if (sample_per_axis >= 0) return sample_per_axis;
  switch (dimension) {
    case 1: return 4097;
    case 2: return 257;
    case 3: return 33;
    default: return 17;
  }
}

void CutoffOptions::validate(int dimension) const {
  if (dimension < 1 || dimension > 4)
    throw std::invalid_argument("cutoff scheme: dimension must be between 1 and 4, got " + std::to_string(dimension));
  const int k = resolved_initial_level();
  if (k > 20) throw std::invalid_argument("cutoff scheme: initial_level must be between 0 and 20");
  if (max_level < k || max_level > 48)
    throw std::invalid_argument("cutoff scheme: max_level must be between initial_level and 48");
  if (max_cutoffs < 1) throw std::invalid_argument("cutoff scheme: max_cutoffs must be >= 1");
  if (enclosure_depth > 16) throw std::invalid_argument("cutoff scheme: enclosure_depth must be <= 16");
  if (enclosure_budget > 100000) throw std::invalid_argument("cutoff scheme: enclosure_budget must be <= 100000");
  if (enclosure_tolerance <= 0 || enclosure_tolerance > 1)
    throw std::invalid_argument("cutoff scheme: enclosure_tolerance must be in (0, 1]");
  if (coefficient_bits < 2 || coefficient_bits > 4096)
    throw std::invalid_argument("cutoff scheme: coefficient_bits must be between 2 and 4096");
  if (precision < 32 || precision > 1000000) throw std::invalid_argument("cutoff scheme: precision must be >= 32 bits");
  if (threads < 1 || threads > 1024) throw std::invalid_argument("cutoff scheme: threads must be between 1 and 1024");
  if (sample_per_axis == 1 || sample_per_axis > 1000000)
    throw std::invalid_argument("cutoff scheme: sample_per_axis must be 0, -1 or >= 2");
}

const char* to_string(BuildStatus status) {
  return status == BuildStatus::built ? "built" : "not-certified";
}

const char* to_string(BuildStopReason reason) {
  switch (reason) {
    case BuildStopReason::none: return "none";
    case BuildStopReason::invalid_bound: return "invalid-bound";
    case BuildStopReason::min_box_size: return "min-box-size";
    case BuildStopReason::max_cutoffs: return "max-cutoffs";
    case BuildStopReason::deadline: return "time";
    case BuildStopReason::cancelled: return "cancelled";
  }
  return "unknown";
}

CutoffConstruction build_cutoff_correction(const resid::Residual& r, const num::LowerBound& sup_lower,
                                           const CutoffOptions& options,
                                           const std::function<void(const ConstructionProgress&)>& progress) {
  const int d = r.dimension();
  options.validate(d);
  const Clock::time_point start = Clock::now();
  CutoffConstruction out;
  auto fail = [&](BuildStopReason why, std::string message) {
    out.status = BuildStatus::not_certified;
    out.stop_reason = why;
    out.reason = std::move(message);
    out.seconds_approx = seconds_since(start);
    return out;
  };
  if (sup_lower.value() <= 0) return fail(BuildStopReason::invalid_bound, "the lower bound M of ||r||_inf is not positive");

  const Rational half_m = sup_lower.value() / 2;
  const Rational tolerance = sup_lower.value() * options.enclosure_tolerance;
  const int depth = options.resolved_enclosure_depth(d);
  const int budget = options.resolved_enclosure_budget(d);
  const int workers = options.threads;

  std::vector<std::unique_ptr<resid::ResidualEvaluator>> evaluators;
  for (int w = 0; w < workers; ++w) evaluators.push_back(std::make_unique<resid::ResidualEvaluator>(r, options.precision));

  DyadicPartition partition(d, options.resolved_initial_level());
  std::vector<CoreVerdict> verdicts;  // by node id
  std::size_t evaluated_total = 0;
  std::atomic<int> interrupt{0};      // 1 = deadline, 2 = cancelled
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
    return interrupt.load() == 2 ? fail(BuildStopReason::cancelled, "cancelled while building the cores")
                                 : fail(BuildStopReason::deadline, "time limit reached while building the cores");
  };

  // Refinement to the fixed point. Margins depend on the neighbours, so a
  // split shrinks the supports of the cores next to it. New cores are tested
  // at once; a core whose support shrank after its test keeps its verdict
  // while others are still splitting (a verdict on a support holds on any
  // subset of it) and is re-tested on its exact final support once no new
  // cores appear, so every fact below is about the support actually used.
  std::vector<std::size_t> leaves;
  std::vector<int> finest;
  for (int round = 1;; ++round) {
    out.rounds = round;
    if (check_interrupt()) return interrupted_result();
    leaves = partition.leaves();
    finest.assign(leaves.size(), 0);
    parallel_for(leaves.size(), workers,
                 [&](std::size_t, std::size_t i) { finest[i] = partition.finest_touching_level(leaves[i]); });
    verdicts.resize(partition.node_count());
    std::vector<std::size_t> dirty, stale;  // positions in `leaves`
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      const CoreVerdict& v = verdicts[leaves[i]];
      if (!v.evaluated) {
        dirty.push_back(i);
      } else if (v.finest_at_evaluation != finest[i]) {
        stale.push_back(i);
      }
    }
    if (dirty.empty()) dirty.swap(stale);
    if (dirty.empty()) break;
    parallel_for(dirty.size(), workers, [&](std::size_t w, std::size_t k) {
      if (check_interrupt()) return;
      const std::size_t i = dirty[k];
      const std::size_t id = leaves[i];
      const Rational rho = DyadicPartition::margin_for_level(finest[i]);
      detail::SupportCover cover(*evaluators[w], half_m, tolerance, depth, budget, options.coefficient_bits);
      verdicts[id] = to_verdict(cover.decide(clipped_support(partition.core(id), rho)), finest[i]);
    });
    if (interrupt.load() != 0) return interrupted_result();
    evaluated_total += dirty.size();
    for (std::size_t i : dirty) out.enclosures += static_cast<std::size_t>(verdicts[leaves[i]].enclosures);
    std::size_t splits = 0;
    for (std::size_t i : dirty) {
      const std::size_t id = leaves[i];
      if (!verdicts[id].split) continue;
      if (partition.node(id).level + 1 > options.max_level)
        return fail(BuildStopReason::min_box_size,
                    "a core would get smaller than 2^-" + std::to_string(options.max_level));
      ++splits;
    }
    const std::size_t children = std::size_t{1} << d;
    if (partition.leaf_count() + splits * (children - 1) > options.max_cutoffs)
      return fail(BuildStopReason::max_cutoffs,
                  "more than " + std::to_string(options.max_cutoffs) + " cores would be needed");
    for (std::size_t i : dirty) {
      const std::size_t id = leaves[i];
      if (verdicts[id].split) partition.split(id);
    }
    if (progress) {
      ConstructionProgress p;
      p.round = round;
      p.cores = partition.leaf_count();
      p.evaluated = evaluated_total;
      p.elapsed_seconds = seconds_since(start);
      progress(p);
    }
  }

  // kappa over all cores' supports: computed, never assumed (Lemma A2).
  std::vector<net::Cutoff> all;
  all.reserve(leaves.size());
  for (std::size_t i = 0; i < leaves.size(); ++i)
    all.push_back(partition.cutoff(leaves[i], DyadicPartition::margin_for_level(finest[i]), Rational(1)));
  const int kappa = net::overlap_number(d, all);
  if (kappa < 1) return fail(BuildStopReason::invalid_bound, "the overlap number of the supports is not positive");

  // Coefficients c_Q = sign · mu_Q / kappa (Lemma A3).
  std::vector<net::Cutoff> active;
  std::vector<SupportFact> facts;
  std::vector<std::vector<Rational>> corners;  // lower corner of each fact's core
  int finest_level = 0;
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    finest_level = std::max(finest_level, partition.node(leaves[i]).level);
    CoreVerdict& v = verdicts[leaves[i]];
    if (v.sign == 0) continue;
    net::Cutoff c = std::move(all[i]);
    c.coefficient = Rational(v.sign) * v.mu / kappa;
    SupportFact f;
    corners.push_back(c.a);
    f.sign = v.sign;
    f.mu = std::move(v.mu);
    f.box = std::move(v.box);
    f.tree = std::move(v.tree);
    facts.push_back(std::move(f));
    active.push_back(std::move(c));
  }
  const std::size_t cores = leaves.size();
  auto correction = std::make_shared<const net::CutoffCorrection>(d, std::move(active), kappa);
  // The correction stores its cutoffs in a canonical order; point each fact
  // at its cutoff there (cores are distinct, so the lower corner identifies it).
  std::map<std::vector<Rational>, std::size_t> position;
  for (std::size_t k = 0; k < correction->cutoffs().size(); ++k) position.emplace(correction->cutoffs()[k].a, k);
  for (std::size_t k = 0; k < facts.size(); ++k) facts[k].cutoff = position.at(corners[k]);
  std::sort(facts.begin(), facts.end(),
            [](const SupportFact& x, const SupportFact& y) { return x.cutoff < y.cutoff; });

  out.status = BuildStatus::built;
  out.stop_reason = BuildStopReason::none;
  out.kappa = kappa;
  out.epsilon = Rational(1, 2 * kappa);
  out.cores = cores;
  out.tests = evaluated_total;
  out.active_cutoffs = correction->active_units();
  out.finest_level = finest_level;
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

double sup_norm_approx(const resid::Residual& r, int per_axis, slong prec) {
  const int d = r.dimension();
  if (per_axis < 2) return 0;
  resid::ResidualEvaluator ev(r, prec);
  std::vector<int> idx(static_cast<std::size_t>(d), 0);
  std::vector<Rational> x(static_cast<std::size_t>(d));
  const Rational step(1, per_axis - 1);
  double best = 0;
  for (;;) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = step * idx[i];
    num::Ball v = ev.at_point(x);
    if (!v.is_finite()) return std::numeric_limits<double>::infinity();
    best = std::max(best, std::fabs(v.mid_approx()));
    std::size_t axis = 0;
    while (axis < idx.size() && ++idx[axis] == per_axis) idx[axis++] = 0;
    if (axis == idx.size()) break;
  }
  return best;
}

}  // namespace mgdl::construct
