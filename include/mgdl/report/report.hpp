// The human-readable views of a certificate: the per-grade table the command
// line prints, report.md, and the self-contained report.html with SVG plots.
//
//   nlohmann::json cert = nlohmann::json::parse(file);
//   std::cout << report::render_summary_table(cert);
//   write("report.md", report::render_markdown(cert));
//   write("report.html", report::render_html(cert, plots));
//
// Input is data only (the certificate of docs/certificate-format.md and
// sampled plots); the report links no construction or certification code.
// Certified numbers are shown as decimals rounded in the safe direction
// (decimal.hpp). Outputs are deterministic: same input, same bytes.
// Malformed certificates throw std::invalid_argument with a one-line message.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "mgdl/report/plot_data.hpp"

namespace mgdl::report {

// Aligned plain-text table: grade, cutoffs, depth, width, sup-norm [L, U],
// L^2 [L, U] (or the first p when 2 is absent), ratio to the previous grade,
// status. Row 0 is the target f. Ends with a newline. Columns have fixed
// widths; an enclosure that stopped short of the requested gap is marked "*".
std::string render_summary_table(const nlohmann::json& certificate);
// The same table line by line, for printing rows as grades finish: the header
// (two lines) for the L^p column `p` ("2", or none), and the row of one entry
// of the certificate's "grades" array or of its "initial" object.
std::string render_summary_header(const std::optional<std::string>& p);
std::string render_summary_row(const nlohmann::json& grade, const std::optional<std::string>& p);

// One line naming the enclosures that stopped short of the requested gap
// (certificate "gaps_not_reached"), or empty when every gap was reached.
std::string render_gap_note(const nlohmann::json& certificate);

// report.md: what was proven, the run parameters, the table, per-grade claims,
// and how to re-check.
std::string render_markdown(const nlohmann::json& certificate);

// report.html: one file, inline CSS and SVG, no external resource.
std::string render_html(const nlohmann::json& certificate, const PlotData& plots);

}  // namespace mgdl::report
