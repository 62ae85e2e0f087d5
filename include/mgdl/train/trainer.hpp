// Grade-wise (MGDL) and end-to-end (SGDL) training of stair networks.
//
//   TrainOptions opt;  opt.schedule = {{2000, 1e-2, 1e-4, 0}};
//   TrainResult r = train_mgdl(parse_architecture("[1,32,1],[32,32,1]x3"), data, opt, {});
//
// MGDL: grade k is trained alone on (F_{k-1}, y − Φ_{k-1}); earlier grades are
// frozen (their features are computed once and never touched again). SGDL,
// ResNets and joint fine-tuning train every grade at once through the whole stair.
// The objective is L = ½·mean (y − ŷ)²; RSE = Σ(y − ŷ)²/Σy². Steps do not
// allocate: workspaces are sized once per grade.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mgdl/train/architecture.hpp"
#include "mgdl/train/data.hpp"
#include "mgdl/train/network.hpp"

namespace mgdl::train {

enum class Optimizer { adam, gd };

// Initial weights of every layer. uniform: PyTorch's nn.Linear default,
// U(±1/√fan_in) for weights and biases (kaiming_uniform with a = √5);
// he: N(0, 2/fan_in) weights and zero biases (He normal, as in Fang & Xu's JAX code).
enum class Init { uniform, he };

struct GradeSchedule {
  long epochs = 1000;
  double lr_max = 1e-3, lr_min = 1e-3;  // exponential decay per step, lr_max -> lr_min over the grade
  long batch = 0;                       // 0 (or >= N): full batch
};

struct TrainOptions {
  Optimizer optimizer = Optimizer::adam;  // Adam: β 0.9/0.999, ε 1e-8, fresh state per grade
  std::vector<GradeSchedule> schedule =
      std::vector<GradeSchedule>(1);  // per grade; a shorter list repeats its last entry
  std::vector<Activation> activations =
      std::vector<Activation>(1, Activation::relu);  // per grade, repeating the last
  long patience = 0;   // stop a grade after this many epochs without a better validation loss, restoring the
                       // best (0 = off)
  long log_every = 0;  // epochs between history rows (0: about 200 rows per grade)
  std::uint64_t seed = 1;
  Init init = Init::uniform;
  const GradeSchedule& grade_schedule(int grade) const;  // 1-based
  Activation grade_activation(int grade) const;
};

// Throws std::invalid_argument with a one-line message (epochs 1..10^8,
// 0 < lr_min <= lr_max <= 10, batch >= 0, patience >= 0).
void validate(const TrainOptions& options);

struct DataSets {
  Dataset train, val, test;
};

struct HistoryRow {
  int grade = 0;  // 1-based; end-to-end runs report 1
  long epoch = 0, step = 0;
  double train_loss = 0, val_loss = 0, test_loss = 0;
  double train_rse = 0, val_rse = 0, test_rse = 0;
  double lr = 0, seconds = 0;
};

struct GradeSummary {
  int grade = 0;
  std::size_t parameters = 0;  // trainable parameters of this grade (all, end to end)
  long epochs = 0, steps = 0;
  double seconds = 0;
  double train_loss = 0, train_rse = 0, val_rse = 0, test_rse = 0, test_mse = 0;
  std::string stop_reason;  // "epochs", "early stop", "interrupted"
};

struct Callbacks {
  std::function<void(const HistoryRow&)> on_history;
  std::function<void(const GradeSummary&)> on_grade;
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT): finish nothing more, keep finished grades
};

struct TrainResult {
  StairNetwork network;  // finished grades only
  std::vector<GradeSummary> grades;
  bool interrupted = false;
};

// Throws ArchitectureError / std::invalid_argument on bad input.
TrainResult train_mgdl(const Architecture& arch, const DataSets& data, const TrainOptions& options,
                       const Callbacks& callbacks);
// arch must be one grade; trained end to end.
TrainResult train_sgdl(const Architecture& arch, const DataSets& data, const TrainOptions& options,
                       const Callbacks& callbacks);
// A ResNet (validate_resnet) trained end to end, as train_sgdl: the same
// initialisation of every layer (a residual block starts as h + act(W h + b)
// with W, b as nn.Linear's), optimiser and schedule.
TrainResult train_resnet(const Architecture& arch, const DataSets& data, const TrainOptions& options,
                         const Callbacks& callbacks);
// The MGDL stair (same architecture, same initial weights as train_mgdl)
// trained end to end from the start: the residual structure without freezing.
TrainResult train_stair_end_to_end(const Architecture& arch, const DataSets& data,
                                   const TrainOptions& options, const Callbacks& callbacks);
// Every grade of `initial` trained jointly (unfrozen), with schedule(1).
TrainResult train_joint(const StairNetwork& initial, const DataSets& data, const TrainOptions& options,
                        const Callbacks& callbacks);

// "Eigen 3.4.0": the linear-algebra backend, for the run's config echo.
std::string backend_version();

// Φ_1..Φ_M at every point of x (point-major, d values each): out[m-1][i].
std::vector<std::vector<double>> cumulative_predictions(const StairNetwork& network,
                                                        const std::vector<double>& x);

}  // namespace mgdl::train
