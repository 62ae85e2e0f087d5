// Sampled data for the report's plots. Doubles only: everything drawn from
// this struct is labelled "sampled, not certified" and never enters a claim.
//
//   report::PlotData plots = report::sample_residuals(1, grades, 257,
//       [&](int m, const std::vector<double>& x) { return residual_approx(m, x); });
//   std::string html = report::render_html(certificate, plots);
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

namespace mgdl::report {

// R_m sampled on a uniform grid of Ω = [0,1]^d (Ω coordinates, not the
// user's box; the report maps axis labels to the user's domain).
struct ResidualSamples {
  int grade = 0;  // m: 0 is the target f itself
  // d = 1: points (x[i], value[i]), x uniform in [0,1], increasing.
  std::vector<double> x;
  std::vector<double> value;
  // d >= 2: an n×n grid, grid[i*n + j] = R_m(x_1 = j/(n-1), x_2 = i/(n-1), fixed).
  std::size_t n = 0;
  std::vector<double> grid;
  // d >= 3: the slice's other coordinates x_3..x_d (Ω coordinates: the
  // centre 1/2 of each axis); empty for d <= 2.
  std::vector<double> fixed;
};

struct PlotData {
  int dimension = 0;                       // d
  std::vector<ResidualSamples> residuals;  // any subset of m = 0..G, increasing m
  int layout_grade = -1;                   // grade whose cutoffs to draw; -1 = choose
};

// Samples R_m for m = 0..grades with `evaluate(m, x)` (x in Ω coordinates):
// `points` per axis (>= 2); for d >= 3 on the (x_1, x_2) slice through the
// cube's centre (x_3 = .. = x_d = 1/2), where a 3D picture would hide the
// interior.
PlotData sample_residuals(int dimension, int grades, std::size_t points,
                          const std::function<double(int, const std::vector<double>&)>& evaluate);

// One cutoff ψ_Q of a grade, as doubles for drawing: core Q = Π[a_i, b_i],
// support S(Q) = Π[a_i − ρ_i, b_i + ρ_i] (clipped to Ω), coefficient c_Q.
struct CutoffBox {
  std::vector<double> core_lower, core_upper;
  std::vector<double> support_lower, support_upper;
  std::vector<double> rho;  // margins ρ_i
  double coefficient = 0.0;
};

struct CutoffLayout {
  int grade = 0;
  int dimension = 0;
  int kappa = 0;
  std::vector<CutoffBox> cutoffs;
};

// Reads certificate["network"]["corrections"][grade - 1] (the structured
// form of net/serialize.hpp: {"scheme":"cutoff","kappa":k,"cutoffs":[{"a","b","rho","c"}]}).
// Throws std::invalid_argument with a one-line message when it is missing or
// malformed or not a cutoff correction.
CutoffLayout cutoff_layout(const nlohmann::json& certificate, int grade);

// h_m(x) = Σ c_Q ψ_Q(x) in doubles, for plots (proofs/cutoff.md, Lemma A1 formula).
double correction_approx(const CutoffLayout& layout, const std::vector<double>& x);

}  // namespace mgdl::report
