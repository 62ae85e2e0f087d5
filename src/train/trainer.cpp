#include "mgdl/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "stair_model.hpp"

namespace mgdl::train {

using detail::Index;
using detail::Mat;
using detail::StairModel;
using detail::Vec;

const GradeSchedule& TrainOptions::grade_schedule(int grade) const {
  return schedule.at(std::min(schedule.size(), static_cast<std::size_t>(grade)) - 1);
}

Activation TrainOptions::grade_activation(int grade) const {
  return activations.at(std::min(activations.size(), static_cast<std::size_t>(grade)) - 1);
}

void validate(const TrainOptions& o) {
  auto fail = [](const std::string& m) { throw std::invalid_argument(m); };
  if (o.schedule.empty()) fail("no training schedule");
  if (o.activations.empty()) fail("no activation");
  for (const GradeSchedule& s : o.schedule) {
    if (s.epochs < 1 || s.epochs > 100000000)
      fail("epochs must be in 1..10^8, got " + std::to_string(s.epochs));
    if (!(s.lr_max > 0 && s.lr_max <= 10))
      fail("learning rate must be in (0, 10], got " + std::to_string(s.lr_max));
    if (!(s.lr_min > 0 && s.lr_min <= s.lr_max))
      fail("final learning rate must be in (0, initial learning rate], got " + std::to_string(s.lr_min));
    if (s.batch < 0) fail("batch size must be >= 0 (0 = full batch)");
  }
  if (o.patience < 0) fail("patience must be >= 0");
  if (o.log_every < 0) fail("log interval must be >= 0");
  for (Activation a : o.activations)
    if (a == Activation::identity) fail("hidden layers need a nonlinear activation");
}

namespace {

using Clock = std::chrono::steady_clock;

// One data set as the trainer sees it: inputs (features) column-major, the
// current target (the residual for MGDL) and Σy² of the original target.
struct Set {
  Mat x;
  Vec target;
  double y2 = 1;
  Index size() const { return target.size(); }
};

Set make_set(const Dataset& d) {
  Set s;
  s.x = Eigen::Map<const Mat>(d.x.data(), d.d, d.size());
  s.target = Eigen::Map<const Vec>(d.y.data(), d.size());
  s.y2 = s.target.squaredNorm();
  if (!(s.y2 > 0)) s.y2 = 1;  // RSE of an all-zero target is the plain sum of squares
  return s;
}

// Σ (target − ŷ)² over a whole set, in chunks of the model's capacity.
double sum_squares(StairModel& model, const Set& s) {
  double sum = 0;
  for (Index at = 0; at < s.size(); at += model.capacity()) {
    const Index n = std::min(model.capacity(), s.size() - at);
    auto yhat = model.forward(s.x.data() + at * s.x.rows(), n);
    sum += (yhat.transpose() - s.target.segment(at, n)).squaredNorm();
  }
  return sum;
}

DenseLayer init_layer(int in, int out, Activation act, Init init, Rng& rng) {
  DenseLayer l;
  l.inputs = in;
  l.outputs = out;
  l.activation = act;
  l.weights.resize(static_cast<std::size_t>(in) * static_cast<std::size_t>(out));
  l.bias.resize(static_cast<std::size_t>(out));
  if (init == Init::he) {  // N(0, 2/in) weights, zero biases
    const double sd = std::sqrt(2.0 / static_cast<double>(in));
    for (double& w : l.weights) w = sd * rng.normal();
    for (double& b : l.bias) b = 0.0;
    return l;
  }
  // PyTorch's nn.Linear default: U(-1/√in, 1/√in) for weights and biases.
  const double a = 1.0 / std::sqrt(static_cast<double>(in));
  for (double& w : l.weights) w = rng.uniform(-a, a);
  for (double& b : l.bias) b = rng.uniform(-a, a);
  return l;
}

Grade init_grade(const std::vector<int>& widths, Activation act, Init init, Rng& rng) {
  Grade g;
  for (std::size_t i = 0; i + 2 < widths.size(); ++i)
    g.hidden.push_back(init_layer(widths[i], widths[i + 1], act, init, rng));
  g.head = init_layer(widths[widths.size() - 2], 1, Activation::identity, init, rng);
  return g;
}

struct FitResult {
  long epochs = 0, steps = 0;
  std::string stop_reason = "epochs";
  double train_loss = 0, train_rse = 0, val_rse = 0, test_rse = 0, test_mse = 0;
};

// Trains every parameter of `model` on sets[0] (train); sets[1], sets[2] are
// validation and test. Optimiser, schedule, logging and early stopping.
FitResult fit(StairModel& model, Set (&sets)[3], const TrainOptions& options, const GradeSchedule& sched,
              int grade, std::uint64_t seed, const Callbacks& cb, Clock::time_point start) {
  const Index N = sets[0].size();
  const Index B = sched.batch <= 0 || sched.batch >= N ? N : sched.batch;
  const bool mini = B < N;
  const Index largest = std::max({N, sets[1].size(), sets[2].size()});
  model.reserve(std::max(B, std::min<Index>(largest, 4096)));
  const Index in = model.input_size();
  Mat xb(mini ? in : 0, mini ? B : 0);
  Vec yb(mini ? B : 0);
  std::vector<Index> order(static_cast<std::size_t>(N));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng(seed);
  detail::Adam adam(model.parameter_count());
  Vec best = model.theta;
  double best_val = std::numeric_limits<double>::infinity();
  long since_best = 0;

  const long steps_per_epoch = static_cast<long>((N + B - 1) / B);
  const double total = static_cast<double>(sched.epochs) * static_cast<double>(steps_per_epoch);
  const double decay = total > 1 ? std::log(sched.lr_min / sched.lr_max) / (total - 1) : 0.0;
  const long log_every = options.log_every > 0 ? options.log_every : std::max(1L, sched.epochs / 200);

  FitResult r;
  double lr = sched.lr_max;
  auto record = [&](long epoch) {
    double ss[3];
    for (int i = 0; i < 3; ++i) ss[i] = sets[i].size() > 0 ? sum_squares(model, sets[i]) : 0.0;
    auto loss = [&](int i) {
      return sets[i].size() > 0 ? 0.5 * ss[i] / static_cast<double>(sets[i].size()) : 0.0;
    };
    HistoryRow h;
    h.grade = grade;
    h.epoch = epoch;
    h.step = r.steps;
    h.train_loss = loss(0);
    h.val_loss = loss(1);
    h.test_loss = loss(2);
    h.train_rse = ss[0] / sets[0].y2;
    h.val_rse = ss[1] / sets[1].y2;
    h.test_rse = ss[2] / sets[2].y2;
    h.lr = lr;
    h.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (cb.on_history) cb.on_history(h);
    return h;
  };

  for (long epoch = 1; epoch <= sched.epochs; ++epoch) {
    if (cb.stop != nullptr && cb.stop->load()) {
      r.stop_reason = "interrupted";
      return r;
    }
    if (mini)
      for (Index i = N - 1; i > 0; --i)
        std::swap(order[static_cast<std::size_t>(i)],
                  order[static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(i) + 1))]);
    for (Index at = 0; at < N; at += B) {
      const Index n = std::min(B, N - at);
      const double* x = sets[0].x.data() + at * in;
      const double* y = sets[0].target.data() + at;
      if (mini) {
        for (Index j = 0; j < n; ++j) {
          const Index src = order[static_cast<std::size_t>(at + j)];
          xb.col(j) = sets[0].x.col(src);
          yb[j] = sets[0].target[src];
        }
        x = xb.data();
        y = yb.data();
      }
      lr = sched.lr_max * std::exp(decay * static_cast<double>(r.steps));
      model.forward(x, n);
      model.backward(x, y, n);
      if (options.optimizer == Optimizer::adam)
        adam.step(model.theta, model.grad, lr);
      else
        model.theta -= lr * model.grad;
      ++r.steps;
    }
    r.epochs = epoch;
    if (epoch % log_every == 0 || epoch == sched.epochs) {
      const HistoryRow h = record(epoch);
      if (options.patience > 0 && sets[1].size() > 0) {
        if (h.val_loss < best_val) {
          best_val = h.val_loss;
          best = model.theta;
          since_best = 0;
        } else if ((since_best += log_every) >= options.patience) {
          r.stop_reason = "early stop";
          break;
        }
      }
    }
  }
  if (options.patience > 0 && sets[1].size() > 0 && std::isfinite(best_val)) model.theta = best;
  double ss[3];
  for (int i = 0; i < 3; ++i) ss[i] = sets[i].size() > 0 ? sum_squares(model, sets[i]) : 0.0;
  r.train_loss = 0.5 * ss[0] / static_cast<double>(N);
  r.train_rse = ss[0] / sets[0].y2;
  r.val_rse = ss[1] / sets[1].y2;
  r.test_rse = ss[2] / sets[2].y2;
  r.test_mse = sets[2].size() > 0 ? ss[2] / static_cast<double>(sets[2].size()) : 0.0;
  return r;
}

GradeSummary summary(int grade, std::size_t params, const FitResult& f, double seconds) {
  GradeSummary s;
  s.grade = grade;
  s.parameters = params;
  s.epochs = f.epochs;
  s.steps = f.steps;
  s.seconds = seconds;
  s.train_loss = f.train_loss;
  s.train_rse = f.train_rse;
  s.val_rse = f.val_rse;
  s.test_rse = f.test_rse;
  s.test_mse = f.test_mse;
  s.stop_reason = f.stop_reason;
  return s;
}

void check_data(const DataSets& data, int d) {
  for (const Dataset* s : {&data.train, &data.val, &data.test})
    if (s->size() > 0 && s->d != d)
      throw std::invalid_argument("data dimension " + std::to_string(s->d) +
                                  " does not match the network's " + std::to_string(d));
  if (data.train.size() == 0) throw std::invalid_argument("no training points");
}

std::uint64_t grade_seed(std::uint64_t seed, int grade, std::uint64_t salt) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(grade) * 1000003ULL + salt;
}

// Trains `grades` end to end (one StairModel) from x.
TrainResult train_stair(std::vector<Grade> grades, int d, const DataSets& data, const TrainOptions& options,
                        const Callbacks& cb) {
  check_data(data, d);
  const auto start = Clock::now();
  StairModel model(grades);
  Set sets[3] = {make_set(data.train), make_set(data.val), make_set(data.test)};
  const FitResult f =
      fit(model, sets, options, options.grade_schedule(1), 1, grade_seed(options.seed, 1, 2), cb, start);
  TrainResult result;
  result.network.input_dimension = d;
  if (f.stop_reason == "interrupted") {
    result.interrupted = true;
    return result;
  }
  result.network.grades = model.grades();
  result.grades.push_back(summary(1, static_cast<std::size_t>(model.parameter_count()), f,
                                  std::chrono::duration<double>(Clock::now() - start).count()));
  if (cb.on_grade) cb.on_grade(result.grades.back());
  return result;
}

}  // namespace

TrainResult train_mgdl(const Architecture& arch, const DataSets& data, const TrainOptions& options,
                       const Callbacks& cb) {
  validate(options);
  validate_architecture(arch, data.train.d);
  check_data(data, arch.front().front());
  const auto start = Clock::now();
  Set sets[3] = {make_set(data.train), make_set(data.val), make_set(data.test)};
  TrainResult result;
  result.network.input_dimension = data.train.d;
  for (std::size_t k = 0; k < arch.size(); ++k) {
    const int grade = static_cast<int>(k) + 1;
    const auto grade_start = Clock::now();
    Rng init(grade_seed(options.seed, grade, 1));
    StairModel model({init_grade(arch[k], options.grade_activation(grade), options.init, init)});
    const FitResult f = fit(model, sets, options, options.grade_schedule(grade), grade,
                            grade_seed(options.seed, grade, 2), cb, start);
    if (f.stop_reason == "interrupted") {
      result.interrupted = true;
      break;
    }
    result.network.grades.push_back(model.grades().front());
    // Freeze: the next grade reads this grade's features and fits what is left.
    for (Set& s : sets) {
      Mat features(model.grades().front().feature_size(), s.size());
      for (Index at = 0; at < s.size(); at += model.capacity()) {
        const Index n = std::min(model.capacity(), s.size() - at);
        model.forward(s.x.data() + at * s.x.rows(), n);
        features.middleCols(at, n) = model.features(n);
        s.target.segment(at, n) -= model.head(n).transpose();
      }
      s.x = std::move(features);
    }
    result.grades.push_back(summary(grade, static_cast<std::size_t>(model.parameter_count()), f,
                                    std::chrono::duration<double>(Clock::now() - grade_start).count()));
    if (cb.on_grade) cb.on_grade(result.grades.back());
  }
  return result;
}

TrainResult train_sgdl(const Architecture& arch, const DataSets& data, const TrainOptions& options,
                       const Callbacks& cb) {
  validate(options);
  validate_architecture(arch, data.train.d);
  if (arch.size() != 1) throw ArchitectureError("an end-to-end network is one bracket, e.g. [1,32,32,1]");
  Rng init(grade_seed(options.seed, 1, 1));
  return train_stair({init_grade(arch.front(), options.grade_activation(1), options.init, init)},
                     data.train.d, data, options, cb);
}

TrainResult train_resnet(const Architecture& arch, const DataSets& data, const TrainOptions& options,
                         const Callbacks& cb) {
  validate(options);
  validate_resnet(arch, data.train.d);
  Rng init(grade_seed(options.seed, 1, 1));
  Grade g = init_grade(arch.front(), options.grade_activation(1), options.init, init);
  for (std::size_t l = 1; l < g.hidden.size(); ++l) g.hidden[l].residual = true;
  return train_stair({std::move(g)}, data.train.d, data, options, cb);
}

TrainResult train_stair_end_to_end(const Architecture& arch, const DataSets& data,
                                   const TrainOptions& options, const Callbacks& cb) {
  validate(options);
  validate_architecture(arch, data.train.d);
  std::vector<Grade> grades;
  for (std::size_t k = 0; k < arch.size(); ++k) {
    const int grade = static_cast<int>(k) + 1;
    Rng init(grade_seed(options.seed, grade, 1));
    grades.push_back(init_grade(arch[k], options.grade_activation(grade), options.init, init));
  }
  return train_stair(std::move(grades), data.train.d, data, options, cb);
}

TrainResult train_joint(const StairNetwork& initial, const DataSets& data, const TrainOptions& options,
                        const Callbacks& cb) {
  validate(options);
  if (initial.grades.empty()) throw std::invalid_argument("joint training needs at least one grade");
  return train_stair(initial.grades, initial.input_dimension, data, options, cb);
}

std::string backend_version() {
  return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
         std::to_string(EIGEN_MINOR_VERSION);
}

std::vector<std::vector<double>> cumulative_predictions(const StairNetwork& network,
                                                        const std::vector<double>& x) {
  const int d = network.input_dimension;
  const Index n_points = static_cast<Index>(x.size()) / d;
  std::vector<std::vector<double>> out(network.grades.size(),
                                       std::vector<double>(static_cast<std::size_t>(n_points)));
  Mat inputs = Eigen::Map<const Mat>(x.data(), d, n_points);
  Vec sum = Vec::Zero(n_points);
  for (std::size_t k = 0; k < network.grades.size(); ++k) {
    StairModel model({network.grades[k]});
    model.reserve(std::min<Index>(std::max<Index>(n_points, 1), 4096));
    Mat features(network.grades[k].feature_size(), n_points);
    for (Index at = 0; at < n_points; at += model.capacity()) {
      const Index n = std::min(model.capacity(), n_points - at);
      model.forward(inputs.data() + at * inputs.rows(), n);
      features.middleCols(at, n) = model.features(n);
      sum.segment(at, n) += model.head(n).transpose();
    }
    inputs = std::move(features);
    Eigen::Map<Vec>(out[k].data(), n_points) = sum;
  }
  return out;
}

}  // namespace mgdl::train
