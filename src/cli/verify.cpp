#include "verify.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <thread>

#include "certificate.hpp"
#include "mgdl/expr/expression.hpp"
#include "mgdl/expr/program.hpp"
#include "mgdl/net/serialize.hpp"
#include "mgdl/report/plot_data.hpp"
#include "mgdl/report/report.hpp"
#include "mgdl/run/driver.hpp"
#include "output_files.hpp"
#include "progress.hpp"

namespace mgdl::cli {
namespace {

std::atomic<bool> g_cancel{false};

extern "C" void on_sigint(int) { g_cancel.store(true); }

int invalid(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return kInvalidInput;
}

expr::Domain make_domain(const VerifyOptions& opt, int d) {
  if (opt.domain.empty()) return expr::Domain::unit(d);
  if (opt.domain.size() != 1 && static_cast<int>(opt.domain.size()) != d)
    throw UsageError(fmt::format("--domain: {} intervals given for a target in {} variables", opt.domain.size(), d));
  expr::Domain dom;
  for (int i = 0; i < d; ++i) {
    const auto& axis = opt.domain.size() == 1 ? opt.domain.front() : opt.domain[static_cast<std::size_t>(i)];
    dom.lo.push_back(axis.first);
    dom.hi.push_back(axis.second);
  }
  return dom;
}

// R_m sampled in doubles for the plots only ("sampled, not certified").
report::PlotData sample_plots(const run::RunResult& r) {
  const int d = r.target.dimension();
  const std::size_t points = d == 1 ? 1025 : 65;
  expr::BallEvaluator f(r.target, 64);
  const auto& corrections = r.residual.corrections();
  std::vector<num::Ball> xb(static_cast<std::size_t>(d));
  num::Ball out;
  return report::sample_residuals(
      d, static_cast<int>(r.grades.size()), points, [&](int m, const std::vector<double>& x) {
        std::vector<num::Rational> q(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
          q[i] = num::Rational(x[i]);
          xb[i] = num::Ball::from_rational(q[i], 64);
        }
        f.point(xb.data(), out);
        double value = out.mid_approx();
        for (int k = 0; k < m && k < static_cast<int>(corrections.size()); ++k)
          value -= num::to_double_approx(corrections[static_cast<std::size_t>(k)]->evaluate(q));
        return value;
      });
}

}  // namespace

int run_verify(const VerifyOptions& opt) {
  std::optional<expr::Expression> target;
  try {
    target = expr::Expression::parse(opt.expression);
  } catch (const expr::ParseError& e) {
    std::cerr << e.what() << "\n";
    if (::isatty(STDERR_FILENO)) std::cerr << e.caret_line(opt.expression) << "\n";
    return kInvalidInput;
  }
  const int d = target->dimension();
  if (d > 4) return invalid(fmt::format("the target has {} variables; at most 4 are supported", d));

  expr::Domain domain;
  try {
    domain = make_domain(opt, d);
  } catch (const UsageError& e) {
    return invalid(e.what());
  }
  expr::Program program = expr::Program::compile(*target, domain);
  expr::DomainCheck continuity = expr::check_domain(program);
  if (continuity.status == expr::DomainCheck::Status::rejected)
    return invalid("target is not defined and continuous on the domain: " + continuity.message);
  if (continuity.status == expr::DomainCheck::Status::undecided)
    return invalid("could not prove the target continuous on the domain: " + continuity.message);

  run::RunOptions ro = to_run_options(opt, &g_cancel);
  try {
    ro.validate(d);
  } catch (const std::invalid_argument& e) {
    return invalid(e.what());
  }
  try {
    ensure_directory(opt.out_dir);
  } catch (const std::runtime_error& e) {
    return invalid(e.what());
  }

  std::signal(SIGINT, on_sigint);
  // Phase lines on stderr and table rows on stdout as the run goes (not with
  // --quiet; with --json stdout holds the summary only).
  Progress printer(opt, opt.quiet ? nullptr : &std::cerr, opt.quiet || opt.json ? nullptr : &std::cout);
  run::ProgressCallback progress;
  if (!opt.quiet) progress = [&printer](const run::RunProgress& e) { printer(e); };
  run::RunResult result = run::run_multigrade(program, opt.expression, ro, progress);
  std::signal(SIGINT, SIG_DFL);

  const std::string dense_file = "network.json";
  nlohmann::json cert = build_certificate(result, *target, domain, opt, dense_file);
  const int code = result.status == certify::Status::proven ? kCertified : kNotCertified;

  const std::string dir = opt.out_dir + "/";
  write_file_atomically(dir + dense_file, net::to_json(result.network).dump() + "\n");
  write_file_atomically(dir + "network-float.json", net::to_float_json(result.network).dump() + "\n");
  std::vector<io::Interval> axes;
  for (std::size_t i = 0; i < domain.lo.size(); ++i) axes.emplace_back(domain.lo[i], domain.hi[i]);
  const std::string onnx_note =
      write_network_onnx(dir + "network.onnx", io::to_user_coordinates(result.network, axes), axes, opt.expression);
  write_file_atomically(dir + "certificate.json", cert.dump(1) + "\n");
  write_file_atomically(dir + "report.md", report::render_markdown(cert));
  write_file_atomically(dir + "report.html", report::render_html(cert, sample_plots(result)));

  if (opt.json) {
    std::cout << build_summary(cert, code, opt.out_dir).dump(2) << "\n";
  } else if (!opt.quiet) {
    const std::string gaps = report::render_gap_note(cert);
    if (!gaps.empty()) std::cout << gaps << "\n";
    const std::size_t short_gaps = cert["gaps_not_reached"].size();
    const std::string gap_note =
        short_gaps == 0 ? "" : fmt::format("; {} requested gaps not reached (*)", short_gaps);
    std::cout << fmt::format(
        "{}: {} ({}){}; wrote {}certificate.json, report.html, report.md, network.json, network.onnx{}\n",
        code == kCertified ? "certified" : "not certified", result.stop_message, run::to_string(result.stop_reason),
        gap_note, dir, onnx_note.empty() ? "" : " (" + onnx_note + ")");
  }
  return code;
}

}  // namespace mgdl::cli
