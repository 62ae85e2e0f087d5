#include "mgdl/report/plot_data.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "mgdl/num/rational.hpp"

namespace mgdl::report {
namespace {

double approx(const nlohmann::json& value, const std::string& where) {
  if (!value.is_string()) throw std::invalid_argument("certificate: " + where + " is not an exact string");
  try {
    return num::to_double_approx(num::parse_rational(value.get<std::string>()));
  } catch (const std::exception& e) {
    throw std::invalid_argument("certificate: " + where + ": " + e.what());
  }
}

std::vector<double> approx_vector(const nlohmann::json& cutoff, const char* key, int dimension,
                                  const std::string& where) {
  const auto it = cutoff.find(key);
  if (it == cutoff.end() || !it->is_array() || static_cast<int>(it->size()) != dimension) {
    throw std::invalid_argument("certificate: " + where + "." + key + " must be an array of " +
                                std::to_string(dimension) + " exact numbers");
  }
  std::vector<double> out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    out.push_back(approx((*it)[i], where + "." + key + "[" + std::to_string(i) + "]"));
  }
  return out;
}

}  // namespace

PlotData sample_residuals(int dimension, int grades, std::size_t points,
                          const std::function<double(int, const std::vector<double>&)>& evaluate) {
  PlotData plots;
  plots.dimension = dimension;
  if (dimension < 1 || points < 2) return plots;
  const double step = 1.0 / static_cast<double>(points - 1);
  for (int m = 0; m <= grades; ++m) {
    ResidualSamples samples;
    samples.grade = m;
    if (dimension == 1) {
      for (std::size_t i = 0; i < points; ++i) {
        const double x = static_cast<double>(i) * step;
        samples.x.push_back(x);
        samples.value.push_back(evaluate(m, {x}));
      }
    } else {
      samples.n = points;
      samples.fixed.assign(static_cast<std::size_t>(dimension - 2), 0.5);
      samples.grid.reserve(points * points);
      std::vector<double> x(2);
      x.insert(x.end(), samples.fixed.begin(), samples.fixed.end());
      for (std::size_t i = 0; i < points; ++i) {
        for (std::size_t j = 0; j < points; ++j) {
          x[0] = static_cast<double>(j) * step;
          x[1] = static_cast<double>(i) * step;
          samples.grid.push_back(evaluate(m, x));
        }
      }
    }
    plots.residuals.push_back(std::move(samples));
  }
  return plots;
}

CutoffLayout cutoff_layout(const nlohmann::json& certificate, int grade) {
  const std::string where = "network.corrections[" + std::to_string(grade - 1) + "]";
  if (!certificate.is_object() || !certificate.contains("network") || !certificate["network"].is_object() ||
      !certificate["network"].contains("corrections") || !certificate["network"]["corrections"].is_array()) {
    throw std::invalid_argument("certificate: network.corrections is missing");
  }
  const auto& corrections = certificate["network"]["corrections"];
  if (grade < 1 || static_cast<std::size_t>(grade) > corrections.size()) {
    throw std::invalid_argument("certificate: " + where + " does not exist");
  }
  const auto& c = corrections[static_cast<std::size_t>(grade - 1)];
  const auto scheme = c.is_object() ? c.find("scheme") : c.end();
  if (!c.is_object() || scheme == c.end() || !scheme->is_string() ||
      scheme->get_ref<const std::string&>() != "cutoff") {
    throw std::invalid_argument("certificate: " + where + " is not a cutoff correction");
  }
  if (!c.contains("kappa") || !c["kappa"].is_number_integer() || !c.contains("cutoffs") ||
      !c["cutoffs"].is_array()) {
    throw std::invalid_argument("certificate: " + where + " needs an integer kappa and a cutoffs array");
  }
  CutoffLayout layout;
  layout.grade = grade;
  layout.kappa = c["kappa"].get<int>();
  const auto& variables = certificate.at("target").at("variables");
  layout.dimension = static_cast<int>(variables.size());
  for (std::size_t k = 0; k < c["cutoffs"].size(); ++k) {
    const auto& q = c["cutoffs"][k];
    const std::string at = where + ".cutoffs[" + std::to_string(k) + "]";
    if (!q.is_object()) throw std::invalid_argument("certificate: " + at + " is not an object");
    CutoffBox box;
    box.core_lower = approx_vector(q, "a", layout.dimension, at);
    box.core_upper = approx_vector(q, "b", layout.dimension, at);
    box.rho = approx_vector(q, "rho", layout.dimension, at);
    if (!q.contains("c")) throw std::invalid_argument("certificate: " + at + ".c is missing");
    box.coefficient = approx(q["c"], at + ".c");
    for (int i = 0; i < layout.dimension; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      box.support_lower.push_back(std::max(0.0, box.core_lower[ui] - box.rho[ui]));
      box.support_upper.push_back(std::min(1.0, box.core_upper[ui] + box.rho[ui]));
    }
    layout.cutoffs.push_back(std::move(box));
  }
  return layout;
}

double correction_approx(const CutoffLayout& layout, const std::vector<double>& x) {
  // ψ_Q(x) = σ(1 − Σ_i [σ((a_i − x_i)/ρ_i) + σ((x_i − b_i)/ρ_i)])  (proofs/cutoff.md, A1).
  double h = 0;
  for (const auto& q : layout.cutoffs) {
    double ramps = 0;
    for (std::size_t i = 0; i < x.size() && i < q.core_lower.size() && i < q.rho.size(); ++i) {
      if (!(q.rho[i] > 0)) continue;
      if (x[i] < q.core_lower[i]) ramps += (q.core_lower[i] - x[i]) / q.rho[i];
      if (x[i] > q.core_upper[i]) ramps += (x[i] - q.core_upper[i]) / q.rho[i];
    }
    h += q.coefficient * std::max(0.0, 1.0 - ramps);
  }
  return h;
}

}  // namespace mgdl::report
