// report.html of a training run: tables, loss curves with grade boundaries,
// the residual after each grade and its amplitude spectrum, MGDL and SGDL side by side.
#pragma once

#include <string>
#include <vector>

#include "mgdl/train/trainer.hpp"

namespace mgdl::cli {

struct TrainedRun {
  std::string name;  // "mgdl", "sgdl", "finetune"
  std::string architecture;
  train::TrainResult result;
  std::vector<train::HistoryRow> history;
  // On the dense grid: Φ_k per grade, and per grade max|f − Φ_k| and the
  // fraction of points where |r_k| > |r_{k−1}| (r_0 = f).
  std::vector<std::vector<double>> grid_phi;
  std::vector<double> grid_max_error, grid_increase;
  // Certified columns per grade (empty when not asked or not possible).
  std::vector<std::vector<std::string>> certified;  // sup [L,U], L2 [L,U], P1, P3
  std::string certify_note;
};

struct TrainReportInput {
  std::string target;
  int d = 1;
  std::vector<double> lo, hi;
  std::size_t grid_n = 0;      // points per axis of the dense grid
  std::vector<double> grid_f;  // f on it (row-major, last axis fastest)
  std::vector<TrainedRun> runs;
  std::string config_text;  // the echoed config (JSON)
};

std::string train_report_html(const TrainReportInput& input);

}  // namespace mgdl::cli
