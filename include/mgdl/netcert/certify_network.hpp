// Certification of a network mgdl did not build (issue 12): for every grade m
// of an exact multigrade network Φ, the certified norms of R_m = f − Φ_m and
// the verdicts P1 (pointwise non-increase), P2 (ratio) and P3 (strict L^p
// decay). Proofs: proofs/networks.md (N1..N6).
//
//   netcert::Options opt;                         // rel-gap 1e-6, p = 1, 2
//   netcert::NetworkCertification c = netcert::certify_network(network, program, opt);
//   for (const auto& g : c.grades) ... g.p1.verdict, g.ratio_upper, g.p3[i] ...
//
// The network reads the user's coordinates (the target's Program domain);
// every claim is about the real function the exact weights define.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/certify/options.hpp"
#include "mgdl/certify/status.hpp"
#include "mgdl/certify/sup_norm.hpp"
#include "mgdl/expr/program.hpp"
#include "mgdl/net/relu_network.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::netcert {

// A claim about a network from elsewhere may be false: it is proven, refuted
// (with a certified counterexample), or neither within the budget.
enum class Verdict { proven, refuted, not_certified };
// "proven", "refuted", "not-certified" (the certificate's spelling).
const char* to_string(Verdict verdict);

struct Options {
  certify::Options certify;  // rel_gap, precision, threads, deadline, cancel, box budgets
  std::vector<num::Rational> p{num::Rational(1), num::Rational(2)};  // L^p exponents >= 1
  long pointwise_max_boxes = 400000;  // per grade and per P1 phase (prove/refute, sup, measure)
  // Called after each claim ("grade 2 sup-norm"), for progress display only.
  std::function<void(const std::string&)> progress;
};

struct NormRecord {
  certify::SupNormResult sup;
  std::vector<certify::LpNormResult> lp;  // in the order of Options::p
};

// P1: |R_m| <= |R_{m−1}| on Ω, with D = |R_m| − |R_{m−1}|.
struct PointwiseResult {
  Verdict verdict = Verdict::not_certified;
  std::string message;  // one line: why not certified, or where refuted
  // proven: a cover of Ω (tree format of docs/certificate-format.md) whose
  // every leaf is certified D <= 0 (N2).
  std::string tree;
  // refuted: an exact point of Ω (unit coordinates) and a certified lower
  // bound of D there, > 0 (N3).
  std::vector<num::Rational> witness;
  num::Rational margin_lower{0};
  // Φ_m(witness): exact for piecewise-linear networks, else the midpoint of a
  // ball of radius witness_output_radius (for the VNN-COMP file only).
  num::Rational witness_output{0};
  bool witness_output_exact = true;
  // refuted: sup_Ω D_+ in [violation_lower, violation_upper] (N5), and the
  // Lebesgue measure of {D > 0} ⊆ Ω = [0,1]^d in [measure_lower, measure_upper] (N6).
  num::Rational violation_lower{0}, violation_upper{0};
  certify::Status violation_status = certify::Status::not_certified;
  num::Rational measure_lower{0}, measure_upper{1};
  certify::Status measure_status = certify::Status::not_certified;
  // refuted: the evidence of the two enclosures (docs/certificate-format.md).
  // violation_tree: the cover of the final branch and bound of N5; D <= violation_upper
  // on every leaf. measure_tree: the cover of N6, and measure_leaves one letter per
  // leaf in pre-order: 'V' D > 0 on the leaf, 'S' D <= 0 on it, 'U' undecided.
  std::string violation_tree, measure_tree, measure_leaves;
  // proven: a point where D < 0 is certified (strict decrease somewhere, N4), if found.
  std::vector<num::Rational> strict_point;
  // proven: h_m ≡ 0 on every leaf of the tree, so R_m = R_{m−1} (N4.1).
  bool correction_zero = false;
  long boxes = 0;
};

struct GradeResult {
  int index = 0;  // m, 1-based
  int width = 0, depth = 0;
  std::size_t parameters = 0;
  NormRecord norms;  // of R_m
  PointwiseResult p1;
  std::optional<num::Rational> ratio_upper;  // P2: U_m / L_{m−1}; none when L_{m−1} = 0
  std::vector<Verdict> p3;                   // per p: strict ‖R_m‖_p < ‖R_{m−1}‖_p
  std::vector<std::string> p3_via;           // "bounds", "pointwise", "identical" or ""
};

struct NetworkCertification {
  net::MultigradeNetwork unit_network{1};  // the network composed with the domain map (Ω coordinates)
  NormRecord initial;                      // R_0 = f
  std::vector<GradeResult> grades;
  // Every enclosure reached the rel-gap and every verdict is proven or refuted
  // (a refutation with certified violation bounds).
  bool complete = false;
  std::string message;  // one line: the first claim left undecided, or "all claims decided"
  double seconds_approx = 0;
};

// Φ(lo + (hi − lo) t) as a network reading t ∈ [0,1]^d: the domain map is
// folded exactly into the layers that read x (N0).
net::MultigradeNetwork to_unit_coordinates(const net::MultigradeNetwork& network, const expr::Domain& domain);
// lo + (hi − lo) t exactly.
std::vector<num::Rational> to_user_coordinates(const std::vector<num::Rational>& t,
                                               const expr::Domain& domain);

// Empty when the network can be certified against the target, else a one-line
// reason (input dimension differs from the target's variables, no grades).
// Smooth activations (tanh, sigmoid, sin) are certified by ball propagation
// (N8): no exact values, so L^p norms converge only at first order.
std::string network_problem(const net::MultigradeNetwork& network, const expr::Program& target);

// Precondition: network_problem() is empty and options.certify.validate()
// passes (throws std::invalid_argument otherwise). Budgets and deadlines give
// not-certified verdicts, never exceptions.
NetworkCertification certify_network(const net::MultigradeNetwork& network, const expr::Program& target,
                                     const Options& options);

}  // namespace mgdl::netcert
