// The checker's in-memory form of a certificate (docs/certificate-format.md),
// validated while it is read: every malformation is a MalformedError.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cutoffs.hpp"
#include "hats.hpp"
#include "exact.hpp"
#include "lp_rules.hpp"
#include "target.hpp"

namespace mgdl::check {

// The verdict fields of one enclosure, all optional in the file: "status"
// (proven: finite bounds backed by evidence), "gap" (an upper bound of
// (U − L)/U) and "gap_reached". The checker recomputes them from the bounds.
struct GapClaim {
  std::string status;  // "" when absent
  bool has_gap = false;
  Q gap;
  bool has_reached = false;
  bool reached = false;
};

struct SupClaim {
  GapClaim verdict;
  Q lower, upper;
  std::vector<Q> witness;
};

struct LpClaim {
  GapClaim verdict;
  std::string key;  // "1", "2", ...
  Q p;
  Q lower, upper;
};

struct GradeClaims {
  long index = 0;
  std::string status;  // "proven" | "not-certified"
  long width = 0, depth = 0, cutoffs = 0;
  bool has_kappa = false;
  long kappa = 0;
  bool has_sup = false;
  SupClaim sup;
  std::vector<LpClaim> lp;
  std::string pointwise;           // "proven" | "not-certified" | ""
  bool has_ratio = false;
  Q ratio;
  std::string contraction_proven;  // "proven" | "not-certified" | ""
  std::vector<std::pair<std::string, std::string>> lp_strict;  // key -> status
  bool has_nontrivial = false;
  std::vector<Q> nontrivial_witness;
  Q nontrivial_value;
};

struct SupportFact {
  long cutoff = 0;  // the node index for hat-scheme facts ("node")
  bool node = false;
  int sign = 0;
  Q mu;
  std::string tree;
};

struct LpEvidence {
  std::string key;
  Q p;
  std::string tree;
  Q lower, upper;
  std::vector<LeafRule> rules;  // one per leaf of tree (proofs/integration.md); empty: every leaf M
};

// The sup-norm and L^p cover evidence of one residual (both certificate kinds).
struct CoverEvidence {
  bool has_sup = false;
  std::string sup_tree;
  Q sup_upper;
  std::vector<LpEvidence> lp;
};

struct ResidualEvidence : CoverEvidence {
  long residual = -1;
  bool has_facts = false;
  std::vector<SupportFact> facts;
};

struct CorrectionData {
  long kappa = 0;
  std::vector<CutoffData> cutoffs;
  bool hat = false;  // hat scheme: the nodes are in hat_grid, cutoffs is empty
  HatGrid hat_grid;
};

struct Certificate {
  std::string status;
  bool incomplete = false;
  // The run's goal and requested gap (certificate "options"), when given.
  bool has_goal_grades = false;
  long goal_grades = 0;
  bool has_tolerance = false;
  Q tolerance;
  bool has_rel_gap = false;
  Q rel_gap;
  // "gaps_not_reached": (residual k, norm "sup" or the key of p).
  bool has_short_gaps = false;
  std::vector<std::pair<long, std::string>> short_gaps;
  Target target;
  std::string expression;
  int d = 0;
  std::string scheme;
  bool has_epsilon = false;
  Q epsilon;
  long width = 0;
  bool has_initial = false;
  SupClaim initial_sup;
  std::vector<LpClaim> initial_lp;
  std::vector<GradeClaims> grades;
  std::vector<CorrectionData> corrections;
  bool has_dense = false;
  std::vector<DenseBlock> dense;
  long precision = 0;
  std::vector<ResidualEvidence> evidence;  // sorted by residual, unique
};

// Throws MalformedError. `dense` is the sibling network file when the
// certificate names one (null if it could not be given).
Certificate read_certificate(const nlohmann::json& j, const nlohmann::json* dense);

// Number of leaves of a pre-order tree over d axes; throws MalformedError
// ("<what>: ...") when it is not a well-formed tree.
std::size_t validate_tree(const std::string& tree, int d, const std::string& what);

// The sibling network file named by the certificate, or "" when none.
std::string dense_file_name(const nlohmann::json& certificate);

}  // namespace mgdl::check
