// P1 for one grade: D = |R_m| − |R_{m−1}| <= 0 on Ω, proven by a cover or
// refuted by a witness; when refuted, the size of the violation (sup D_+ and
// the measure of {D > 0}). proofs/networks.md, N1..N6.
#pragma once

#include "mgdl/netcert/certify_network.hpp"
#include "mgdl/resid/residual.hpp"

namespace mgdl::netcert::detail {

// prev = R_{m−1}, cur = R_m = prev.with(h), h = the grade's correction;
// sup_cur >= ‖R_m‖_∞ certified (a fallback bound of D). `exact`: h.enclose()
// is available (piecewise-linear h); its exact ranges decide signs where a
// ball could not end exactly at 0.
PointwiseResult certify_pointwise(const resid::Residual& prev, const resid::Residual& cur,
                                  const net::Correction& h, const num::Rational& sup_cur,
                                  const Options& options, bool exact = false);

}  // namespace mgdl::netcert::detail
