// Per-grade claims of a network from elsewhere (proofs/networks.md).
#include "mgdl/netcert/certify_network.hpp"

#include <fmt/core.h>

#include <chrono>
#include <memory>
#include <stdexcept>

#include "mgdl/netcert/claim_budget.hpp"
#include "mgdl/netcert/smooth_correction.hpp"
#include "pointwise.hpp"

namespace mgdl::netcert {

using num::Rational;

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::proven:
      return "proven";
    case Verdict::refuted:
      return "refuted";
    case Verdict::not_certified:
      return "not-certified";
  }
  return "not-certified";
}

namespace {

// y = W x + b with x = lo + diag(w) t:  W' = W diag(w), b' = b + W lo (N0).
void fold_domain(net::AffineLayer& layer, const expr::Domain& dom) {
  for (auto& e : layer.weights) {
    const auto c = static_cast<std::size_t>(e.col);
    layer.bias[static_cast<std::size_t>(e.row)] += e.value * dom.lo[c];
    e.value *= dom.hi[c] - dom.lo[c];
  }
}

NormRecord certify_norms(const resid::Residual& r, const Options& o, ClaimBudget& budget,
                         const std::string& name) {
  NormRecord n;
  n.sup = certify::certify_sup_norm(r, budget.next(o.certify, ClaimBudget::Clock::now()));
  if (o.progress) o.progress(name + " sup-norm");
  // The leaf rules (G<n>, Z, K<n>) go into the `rules` evidence; the network
  // checker re-verifies them (src/check/verify_network.cpp, proofs/integration.md).
  // The exponents share one cover (certify_lp_norms), with their claims' shares of the time.
  n.lp = certify::certify_lp_norms(
      r, o.p, budget.next(o.certify, ClaimBudget::Clock::now(), static_cast<int>(o.p.size())));
  if (o.progress)
    for (const auto& p : o.p) o.progress(name + " L^" + num::to_string(p));
  return n;
}

// P3 for each p: strict decrease proven by the enclosures (U_p(m) < L_p(m−1)),
// or from P1 with a strict point (N4); refuted when h_m ≡ 0 (N4.1) or L_p(m) > U_p(m−1) (N4.2).
void strict_decrease(const NormRecord& prev, GradeResult& g) {
  for (std::size_t i = 0; i < g.norms.lp.size(); ++i) {
    const auto& now = g.norms.lp[i].bounds;
    const auto& before = prev.lp[i].bounds;
    if (now.upper.value() < before.lower.value()) {
      g.p3.push_back(Verdict::proven);
      g.p3_via.emplace_back("bounds");
    } else if (g.p1.verdict == Verdict::proven && !g.p1.strict_point.empty()) {
      g.p3.push_back(Verdict::proven);
      g.p3_via.emplace_back("pointwise");
    } else if (g.p1.verdict == Verdict::proven && g.p1.correction_zero) {
      g.p3.push_back(Verdict::refuted);  // R_m = R_{m−1}: equal norms (N4.1)
      g.p3_via.emplace_back("identical");
    } else if (now.lower.value() > before.upper.value()) {
      g.p3.push_back(Verdict::refuted);
      g.p3_via.emplace_back("bounds");
    } else {
      g.p3.push_back(Verdict::not_certified);
      g.p3_via.emplace_back("");
    }
  }
}

std::string first_undecided(const NetworkCertification& c) {
  auto norms = [](const NormRecord& n, const std::string& name) -> std::string {
    if (n.sup.status != certify::Status::proven) return name + " sup-norm: " + n.sup.message;
    for (const auto& l : n.lp)
      if (l.status != certify::Status::proven)
        return name + " L^" + num::to_string(l.p) + " norm: " + l.message;
    return "";
  };
  if (std::string s = norms(c.initial, "initial"); !s.empty()) return s;
  for (const auto& g : c.grades) {
    const std::string name = "grade " + std::to_string(g.index);
    if (std::string s = norms(g.norms, name); !s.empty()) return s;
    if (g.p1.verdict == Verdict::not_certified) return name + " P1: " + g.p1.message;
    if (g.p1.verdict == Verdict::refuted && g.p1.violation_status != certify::Status::proven)
      return name + " P1 violation size: not certified to the rel-gap";
    if (g.p1.verdict == Verdict::refuted && g.p1.measure_status != certify::Status::proven)
      return name + " P1 violation measure: not certified to the rel-gap";
    for (std::size_t i = 0; i < g.p3.size(); ++i)
      if (g.p3[i] == Verdict::not_certified)
        return name + " P3 (p = " + num::to_string(g.norms.lp[i].p) + "): the L^p enclosures overlap";
  }
  return "";
}

}  // namespace

net::MultigradeNetwork to_unit_coordinates(const net::MultigradeNetwork& network,
                                           const expr::Domain& domain) {
  net::MultigradeNetwork out(network.input_dimension());
  bool reads_x = true;  // F_0 = x; a block without hidden layers passes x on
  for (int m = 1; m <= network.grades(); ++m) {
    net::GradeBlock block = network.block(m);
    if (reads_x) {
      if (!block.layers.empty()) {
        fold_domain(block.layers.front(), domain);
        reads_x = false;
      } else {
        fold_domain(block.readout, domain);
      }
    }
    out.add_grade(std::move(block));
  }
  return out;
}

std::vector<Rational> to_user_coordinates(const std::vector<Rational>& t, const expr::Domain& domain) {
  std::vector<Rational> x(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) x[i] = domain.lo[i] + (domain.hi[i] - domain.lo[i]) * t[i];
  return x;
}

std::string network_problem(const net::MultigradeNetwork& network, const expr::Program& target) {
  if (network.input_dimension() != target.dimension())
    return fmt::format("the network reads {} inputs but the target has {} variables",
                       network.input_dimension(), target.dimension());
  if (network.grades() < 1) return "the network has no grades";
  return "";
}

NetworkCertification certify_network(const net::MultigradeNetwork& network, const expr::Program& target,
                                     const Options& options) {
  if (std::string why = network_problem(network, target); !why.empty()) throw std::invalid_argument(why);
  options.certify.validate();
  const auto start = std::chrono::steady_clock::now();
  NetworkCertification c;
  auto unit = std::make_shared<net::MultigradeNetwork>(to_unit_coordinates(network, target.domain()));
  c.unit_network = *unit;

  // In 1D, the exact pieces of all grades, once (N9).
  const std::shared_ptr<SharedPieces> pieces = shared_pieces(unit);
  // Per grade: the sup-norm, each L^p and P1; the initial norms once.
  const int norms = 1 + static_cast<int>(options.p.size());
  ClaimBudget budget(options.certify.deadline, norms + unit->grades() * (norms + 1));
  resid::Residual prev(target);
  c.initial = certify_norms(prev, options, budget, "initial");
  const NormRecord* prev_norms = &c.initial;
  for (int m = 1; m <= unit->grades(); ++m) {
    // h_m alone (P1), and Φ_m as one correction, so R_m costs one
    // propagation per box instead of m (C2.2 sum rule, N8).
    // Enclosures by balls (N8, N8.1); exact values and kinks for piecewise-linear networks.
    auto h = std::make_shared<SmoothCorrection>(unit, m, m, pieces);
    auto phi = std::make_shared<SmoothCorrection>(unit, m, 1, pieces);
    resid::Residual cur = resid::Residual(target).with(phi);
    GradeResult g;
    g.index = m;
    g.width = unit->block(m).width();
    g.depth = unit->block(m).depth();
    g.parameters = unit->block(m).parameter_count();
    const std::string name = "grade " + std::to_string(m);
    g.norms = certify_norms(cur, options, budget, name);
    Options p1_options = options;
    p1_options.certify = budget.next(options.certify, ClaimBudget::Clock::now());
    // h's exact ranges (C2.2) are cheap in 1D (the piece table, N9); in d >= 2 the
    // exact propagation costs ~10x the balls of N8 per box, for slightly tighter ranges.
    g.p1 = detail::certify_pointwise(prev, cur, *h, g.norms.sup.bounds.upper.value(), p1_options,
                                     unit->piecewise_linear() && unit->input_dimension() == 1);
    if (options.progress) options.progress(name + " P1");
    if (g.p1.verdict == Verdict::refuted) {
      if (unit->piecewise_linear()) {
        g.p1.witness_output = unit->evaluate(g.p1.witness, m);
      } else {
        num::Ball y = cur.correction_at(g.p1.witness, 2 * options.certify.precision);
        g.p1.witness_output = num::lower_rational(y) / 2 + num::upper_rational(y) / 2;
        g.p1.witness_output_exact = false;
      }
    }
    const Rational& lower_prev = prev_norms->sup.bounds.lower.value();
    if (lower_prev > 0) g.ratio_upper = g.norms.sup.bounds.upper.value() / lower_prev;  // P2 (N5.2)
    strict_decrease(*prev_norms, g);
    c.grades.push_back(std::move(g));
    prev_norms = &c.grades.back().norms;
    prev = std::move(cur);
  }
  c.message = first_undecided(c);
  c.complete = c.message.empty();
  if (c.complete) c.message = "all claims decided";
  c.seconds_approx = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return c;
}

}  // namespace mgdl::netcert
