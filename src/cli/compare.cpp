#include "compare.hpp"

#include "mgdl/expr/expression.hpp"
#include "mgdl/expr/program.hpp"
#include "mgdl/report/decimal.hpp"
#include "mgdl/report/svg.hpp"
#include "mgdl/run/driver.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace mgdl::cli {
namespace {

struct Row {
  int grade = 0;
  long neurons = 0;  // hidden neurons of the network up to this grade
  int depth = 0;     // layers of the network up to this grade (hidden + read-outs)
  num::Rational sup_upper, l2_upper;
  bool has_l2 = false;
  std::string status;
  double seconds = 0;
};

struct SchemeRun {
  std::string scheme;
  std::vector<Row> rows;
  std::string stop;
  bool certified = false;
  double seconds = 0;
};

SchemeRun run_scheme(const expr::Program& program, const VerifyOptions& opt, const std::string& scheme) {
  run::RunOptions ro = to_run_options(opt, nullptr);
  ro.scheme = scheme;
  const run::RunResult r = run::run_multigrade(program, opt.expression, ro);
  SchemeRun out;
  out.scheme = scheme;
  out.stop = std::string(run::to_string(r.stop_reason)) + ": " + r.stop_message;
  out.certified = r.status == certify::Status::proven;
  out.seconds = r.seconds_approx;
  std::size_t l2 = opt.p.size();
  for (std::size_t k = 0; k < opt.p.size(); ++k)
    if (opt.p[k] == 2) l2 = k;
  Row row0;
  row0.sup_upper = r.initial.sup.bounds.upper.value();
  if (l2 < r.initial.lp.size()) {
    row0.l2_upper = r.initial.lp[l2].bounds.upper.value();
    row0.has_l2 = true;
  }
  row0.status = "target f";
  out.rows.push_back(row0);
  long neurons = 0;
  int depth = 0;
  for (const auto& g : r.grades) {
    const auto& block = r.network.block(g.index);
    for (const auto& layer : block.layers) neurons += layer.outputs;
    depth += block.depth();
    Row row;
    row.grade = g.index;
    row.neurons = neurons;
    row.depth = depth;
    row.sup_upper = g.norms.sup.bounds.upper.value();
    if (l2 < g.norms.lp.size()) {
      row.l2_upper = g.norms.lp[l2].bounds.upper.value();
      row.has_l2 = true;
    }
    row.status = certify::to_string(g.status);
    row.seconds = g.seconds_approx;
    out.rows.push_back(row);
  }
  return out;
}

std::string up(const num::Rational& q) { return report::decimal_upper(q, 4); }

std::string table(const std::vector<SchemeRun>& runs) {
  std::string s = "| grade | scheme | neurons | depth | sup-norm upper | L^2 upper | time (s) | status |\n"
                  "|---:|---|---:|---:|---:|---:|---:|---|\n";
  std::size_t rows = 0;
  for (const auto& r : runs) rows = std::max(rows, r.rows.size());
  for (std::size_t k = 0; k < rows; ++k)
    for (const auto& r : runs) {
      if (k >= r.rows.size()) continue;
      const Row& row = r.rows[k];
      s += fmt::format("| {} | {} | {} | {} | {} | {} | {:.2f} | {} |\n", row.grade, r.scheme, row.neurons, row.depth,
                       up(row.sup_upper), row.has_l2 ? up(row.l2_upper) : "-", row.seconds, row.status);
    }
  return s;
}

std::string plot(const std::vector<SchemeRun>& runs) {
  report::svg::LinePlot p;
  p.title = "certified sup-norm upper bound against neurons";
  p.x_label = "hidden neurons (all grades so far)";
  p.y_label = "sup-norm upper bound";
  p.log_y = true;
  const char* colors[] = {"#1f77b4", "#d62728"};
  for (std::size_t k = 0; k < runs.size(); ++k) {
    report::svg::Series s;
    s.label = runs[k].scheme;
    s.color = colors[k % 2];
    s.markers = true;
    for (const Row& row : runs[k].rows) {
      if (row.grade == 0) continue;
      s.x.push_back(static_cast<double>(row.neurons));
      s.y.push_back(num::to_double_approx(row.sup_upper));
    }
    p.series.push_back(std::move(s));
  }
  return report::svg::line_plot(p);
}

}  // namespace

int run_compare(const VerifyOptions& opt) {
  expr::Expression e = [&] {
    try {
      return expr::Expression::parse(opt.expression);
    } catch (const std::exception& ex) {
      std::cerr << "error: " << ex.what() << "\n";
      throw;
    }
  }();
  expr::Domain dom = expr::Domain::unit(e.dimension());
  if (!opt.domain.empty()) {
    dom.lo.clear();
    dom.hi.clear();
    for (int i = 0; i < e.dimension(); ++i) {
      const auto& axis = opt.domain.size() == 1 ? opt.domain.front() : opt.domain[static_cast<std::size_t>(i)];
      dom.lo.push_back(axis.first);
      dom.hi.push_back(axis.second);
    }
  }
  const expr::Program program = expr::Program::compile(e, dom);
  std::vector<SchemeRun> runs;
  for (const char* scheme : {"cutoff", "hat"}) {
    if (!opt.quiet) std::cerr << "compare: running the " << scheme << " scheme\n";
    runs.push_back(run_scheme(program, opt, scheme));
  }
  const std::string t = table(runs);
  std::string md = "# Cutoff scheme against hat scheme: `" + opt.expression + "`\n\n" + t + "\n";
  for (const auto& r : runs)
    md += fmt::format("- {}: {} ({}), {:.1f} s\n", r.scheme, r.certified ? "certified" : "not certified", r.stop,
                      r.seconds);
  std::string html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>mgdl compare</title></head><body>\n<h1>"
                     "Cutoff scheme against hat scheme: <code>" +
                     report::svg::escape(opt.expression) + "</code></h1>\n<table border=\"1\" cellpadding=\"3\">\n";
  html += "<tr><th>grade</th><th>scheme</th><th>neurons</th><th>depth</th><th>sup-norm upper</th><th>L<sup>2</sup> "
          "upper</th><th>time (s)</th><th>status</th></tr>\n";
  std::size_t rows = 0;
  for (const auto& r : runs) rows = std::max(rows, r.rows.size());
  for (std::size_t k = 0; k < rows; ++k)
    for (const auto& r : runs) {
      if (k >= r.rows.size()) continue;
      const Row& row = r.rows[k];
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td><td>{}"
                          "</td></tr>\n",
                          row.grade, r.scheme, row.neurons, row.depth, up(row.sup_upper),
                          row.has_l2 ? up(row.l2_upper) : "-", row.seconds, report::svg::escape(row.status));
    }
  html += "</table>\n" + plot(runs) + "\n</body></html>\n";
  std::filesystem::create_directories(opt.out_dir);
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"compare.md", md}, {"compare.html", html}}) {
    const std::filesystem::path path = std::filesystem::path(opt.out_dir) / name;
    const std::filesystem::path tmp = path.string() + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary);
      f << text;
    }
    std::filesystem::rename(tmp, path);
  }
  if (!opt.quiet) std::cout << t;
  bool all = true;
  for (const auto& r : runs) all = all && r.certified;
  return all ? 0 : 1;
}

}  // namespace mgdl::cli
