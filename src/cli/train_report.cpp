#include "train_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mgdl/report/svg.hpp"
#include "mgdl/train/spectrum.hpp"

namespace mgdl::cli {

namespace {

namespace svg = report::svg;

const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                         "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
std::string color(std::size_t k) {
  return kColors[k % 8];
}

std::string table(const TrainedRun& r) {
  std::string s =
      "<table><tr><th>grade</th><th>parameters</th><th>steps</th><th>seconds</th><th>train RSE</th>"
      "<th>test RSE</th><th>max |f−Φ| (grid)</th><th>|r<sub>k</sub>|&gt;|r<sub>k−1</sub>|</th>";
  if (!r.certified.empty())
    s += "<th>certified sup [L, U]</th><th>certified L² [L, U]</th><th>norms to "
         "rel-gap</th><th>P1</th><th>P3 (L²)</th>";
  s += "</tr>\n";
  for (std::size_t k = 0; k < r.result.grades.size(); ++k) {
    const train::GradeSummary& g = r.result.grades[k];
    s += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
        g.grade, g.parameters, g.steps, g.seconds, svg::number(g.train_rse, 3), svg::number(g.test_rse, 3),
        svg::number(r.grid_max_error[k], 3), svg::number(r.grid_increase[k], 3));
    if (k < r.certified.size()) {
      const auto& c = r.certified[k];
      s += "<td>[" + c[0] + ", " + c[1] + "]</td><td>[" + c[2] + ", " + c[3] + "]</td><td>" + c[4] +
           "</td><td>" + c[5] + "</td><td>" + c[7] + "</td>";
    }
    s += "</tr>\n";
  }
  s += "</table>\n";
  if (!r.certify_note.empty())
    s += "<p class=\"note\">Certification: " + svg::escape(r.certify_note) + "</p>\n";
  return s;
}

std::string loss_plot(const TrainedRun& r) {
  svg::LinePlot p;
  p.title = "RSE during training (" + r.name + ")";
  p.x_label = "step";
  p.y_label = "RSE";
  p.log_y = true;
  p.log_min_ratio = 1e-12;
  svg::Series train{"train", {}, {}, "#1f77b4"}, test{"test", {}, {}, "#d62728"};
  long offset = 0, last_step = 0;
  int grade = 1;
  double start = 0;
  for (const train::HistoryRow& h : r.history) {
    if (h.grade != grade) {  // a new grade starts: steps continue from the previous grade's last
      p.bands.push_back(
          {start, static_cast<double>(offset + last_step), grade % 2 ? "#bbb" : "#666", 1.0, 0});
      offset += last_step;
      start = static_cast<double>(offset);
      grade = h.grade;
    }
    last_step = h.step;
    train.x.push_back(static_cast<double>(offset + h.step));
    train.y.push_back(h.train_rse);
    test.x.push_back(static_cast<double>(offset + h.step));
    test.y.push_back(h.test_rse);
  }
  if (!r.history.empty())
    p.bands.push_back({start, static_cast<double>(offset + last_step), grade % 2 ? "#bbb" : "#666", 1.0, 0});
  test.dashed = true;
  p.series = {train, test};
  return "<figure>" + svg::line_plot(p) + "</figure>\n";
}

std::string residual_plots(const TrainReportInput& in, const TrainedRun& r) {
  std::string s;
  const std::size_t n = in.grid_n;
  if (in.d == 1) {
    svg::LinePlot res;
    res.title = "residual f − Φ_k after each grade (" + r.name + ")";
    res.x_label = "x";
    svg::LinePlot spec;
    spec.title = "amplitude spectrum of the residual (" + r.name + ")";
    spec.x_label = "frequency (cycles per domain)";
    spec.log_y = true;
    spec.log_min_ratio = 1e-10;
    auto add = [&](const std::vector<double>& v, const std::string& label, std::size_t k) {
      svg::Series a{label, {}, {}, color(k)};
      const std::size_t stride = std::max<std::size_t>(1, n / 1024);
      for (std::size_t i = 0; i < n; i += stride) {
        a.x.push_back(in.lo[0] + (in.hi[0] - in.lo[0]) * static_cast<double>(i) / static_cast<double>(n));
        a.y.push_back(v[i]);
      }
      res.series.push_back(a);
      const std::vector<double> amp = train::amplitude_spectrum(v);
      svg::Series b{label, {}, {}, color(k)};
      for (std::size_t f = 0; f < std::min<std::size_t>(amp.size(), 257); ++f) {
        b.x.push_back(static_cast<double>(f));
        b.y.push_back(amp[f]);
      }
      spec.series.push_back(b);
    };
    add(in.grid_f, "f", 7);
    for (std::size_t k = 0; k < r.grid_phi.size(); ++k) {
      std::vector<double> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = in.grid_f[i] - r.grid_phi[k][i];
      add(v, "r_" + std::to_string(k + 1), k);
    }
    s += "<figure>" + svg::line_plot(res) + "</figure>\n<figure>" + svg::line_plot(spec) + "</figure>\n";
  } else if (in.d == 2) {
    svg::LinePlot spec;
    spec.title = "radial amplitude spectrum of the residual (" + r.name + ")";
    spec.x_label = "radial frequency";
    spec.log_y = true;
    spec.log_min_ratio = 1e-10;
    for (std::size_t k = 0; k <= r.grid_phi.size(); ++k) {
      std::vector<double> v(n * n);
      for (std::size_t i = 0; i < n * n; ++i) v[i] = in.grid_f[i] - (k == 0 ? 0.0 : r.grid_phi[k - 1][i]);
      // grid_f is row-major with the last axis (y) fastest; the heat map wants rows = y.
      svg::HeatMap h;
      h.title = k == 0 ? "f" : "r_" + std::to_string(k);
      h.n = n;
      h.size = 160;
      h.x0 = in.lo[0];
      h.x1 = in.hi[0];
      h.y0 = in.lo[1];
      h.y1 = in.hi[1];
      h.grid.resize(n * n);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) h.grid[j * n + i] = v[i * n + j];
      s += "<figure class=\"small\">" + svg::heat_map(h) + "</figure>";
      const std::vector<double> amp = train::radial_spectrum(v, n);
      svg::Series b{k == 0 ? "f" : "r_" + std::to_string(k), {}, {}, color(k == 0 ? 7 : k - 1)};
      for (std::size_t f = 0; f < amp.size(); ++f) {
        b.x.push_back(static_cast<double>(f));
        b.y.push_back(amp[f]);
      }
      spec.series.push_back(b);
    }
    s += "\n<figure>" + svg::line_plot(spec) + "</figure>\n";
  }
  return s;
}

}  // namespace

std::string train_report_html(const TrainReportInput& in) {
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mgdl-verify train: " +
      svg::escape(in.target) +
      "</title>\n<style>body{font-family:sans-serif;margin:1.5em;max-width:1400px}"
      "table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;padding:2px 6px;"
      "text-align:right}.runs{display:flex;flex-wrap:wrap;gap:2em}.run{flex:1;min-width:580px}"
      ".note{color:#555;font-size:90%}figure{margin:0.5em 0}figure.small{display:inline-block}"
      "pre{background:#f6f6f6;padding:0.5em;font-size:80%}</style></head><body>\n";
  s += "<h1>Training " + svg::escape(in.target) + "</h1>\n";
  s += "<p class=\"note\">Loss = ½·mean (y − ŷ)²; RSE = Σ(y − ŷ)²/Σy². Grey bands under the curves mark the "
       "grades. "
       "Grid columns use " +
       std::to_string(in.grid_n) +
       " points per axis. Training is in binary64; the network files hold the exact "
       "dyadic values of the trained weights, and certified columns are claims about that exact "
       "network.</p>\n";
  s += "<div class=\"runs\">\n";
  for (const TrainedRun& r : in.runs) {
    s += "<div class=\"run\"><h2>" + svg::escape(r.name) + " " + svg::escape(r.architecture) + "</h2>\n";
    if (r.result.grades.empty()) s += "<p>No grade finished.</p>\n";
    s += table(r) + loss_plot(r) + residual_plots(in, r) + "</div>\n";
  }
  s += "</div>\n<h2>Configuration</h2>\n<pre>" + svg::escape(in.config_text) + "</pre>\n</body></html>\n";
  return s;
}

}  // namespace mgdl::cli
