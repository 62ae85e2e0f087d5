// Assembles certificate.json (SPEC section 7, docs/certificate-format.md) and
// the --json summary from a run. Every claimed number is written as an exact
// rational string; doubles appear only under keys ending in _approx.
#pragma once

#include <nlohmann/json.hpp>

#include "mgdl/certify/lp_norm.hpp"
#include "mgdl/expr/expression.hpp"
#include "mgdl/run/driver.hpp"
#include "options.hpp"

namespace mgdl::cli {

// The certificate; `dense_file` names the sibling file holding the dense network.
nlohmann::json build_certificate(const run::RunResult& result, const expr::Expression& target,
                                 const expr::Domain& domain, const VerifyOptions& options,
                                 const std::string& dense_file);

// The `lp` object of a residual's evidence: tree, bounds and (high-order rules)
// the per-leaf `rules` string of every proven L^p norm, or with `any_finite` of
// every one with finite bounds (whatever gap it reached); empty when none.
nlohmann::json lp_cover_evidence(const std::vector<certify::LpNormResult>& lp, bool any_finite = false);

// The certificate's "initial" object (R_0 = f) and one entry of its "grades"
// array, also used to print table rows as soon as a grade is done.
nlohmann::json initial_json(const run::NormRecord& norms, const VerifyOptions& options);
nlohmann::json grade_json(const run::GradeRecord& grade, const VerifyOptions& options);

// The per-grade summary printed by --json (the certificate without network and evidence).
nlohmann::json build_summary(const nlohmann::json& certificate, int exit_code, const std::string& out_dir);

}  // namespace mgdl::cli
