#include "progress.hpp"

#include <fmt/core.h>

#include <ostream>

#include "certificate.hpp"
#include "mgdl/report/decimal.hpp"
#include "mgdl/report/report.hpp"

namespace mgdl::cli {

std::string progress_line(double elapsed_seconds, const std::string& text) {
  return fmt::format("[{:7.2f} s] {}\n", elapsed_seconds, text);
}

Progress::Progress(const VerifyOptions& options, std::ostream* lines, std::ostream* table)
    : options_(options), lines_(lines), table_(table) {
  // The column render_summary_table shows: L^2 when listed, else the smallest p.
  for (const auto& p : options.p)
    if (p == 2) table_p_ = "2";
  if (!table_p_ && !options.p.empty()) {
    num::Rational smallest = options.p.front();
    for (const auto& p : options.p)
      if (p < smallest) smallest = p;
    table_p_ = num::to_string(smallest);
  }
}

void Progress::line(const run::RunProgress& e, const std::string& text) {
  if (lines_ == nullptr) return;
  const std::string who = e.phase == "done" ? std::string() : fmt::format("grade {}: ", e.grade);
  *lines_ << progress_line(e.elapsed_seconds, who + text) << std::flush;
}

void Progress::row(const run::RunProgress& e) {
  if (table_ == nullptr) return;
  if (e.initial != nullptr) {
    *table_ << report::render_summary_header(table_p_)
            << report::render_summary_row(initial_json(*e.initial, options_), table_p_);
  } else if (e.grade_record != nullptr) {
    *table_ << report::render_summary_row(grade_json(*e.grade_record, options_), table_p_);
  }
  *table_ << std::flush;
}

void Progress::operator()(const run::RunProgress& e) {
  // The construction reports its growing core count often; one line says it started.
  const bool repeated = e.grade == last_grade_ && e.phase == last_phase_ && e.phase == "build";
  last_grade_ = e.grade;
  last_phase_ = e.phase;
  if (repeated) return;
  std::string sup;
  if (e.sup != nullptr && e.sup->upper.value() >= 0)
    sup =
        "sup-norm in " +
        report::decimal_interval(num::to_string(e.sup->lower.value()), num::to_string(e.sup->upper.value())) +
        "; ";
  if (e.phase == "build") {
    line(e, "building the correction");
  } else if (e.phase == "built") {
    line(e, fmt::format("construction done, {} units", e.count));
  } else if (e.phase == "sup-norm") {
    line(e, "certifying the sup-norm");
  } else if (e.phase == "lp-norm") {
    line(e, sup + "certifying L^" + e.p);
  } else if (e.phase == "balanced") {
    line(e, fmt::format("certifying P1 (support facts of {} units)", e.count));
  } else if (e.phase == "grade-done") {
    const std::string verdict = e.grade_record == nullptr
                                    ? "norms of f done"
                                    : std::string("done, ") + certify::to_string(e.grade_record->status);
    line(e, verdict);
    row(e);
  } else if (e.phase == "done") {
    line(e, fmt::format("run finished after {} grades", e.grade));
  }
}

}  // namespace mgdl::cli
