// The Eigen side of training: a stair of grades with all parameters in one
// flat vector (so optimisers, best-weight copies and freezing are vector
// operations), forward and backward passes into workspaces sized once.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "mgdl/train/network.hpp"

namespace mgdl::train::detail {

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;
using Index = Eigen::Index;
using Cols = Eigen::Block<Mat, Eigen::Dynamic, Eigen::Dynamic, true>;  // leftCols(n) of a workspace

class StairModel {
 public:
  // Takes shapes and values from `grades` (grade k+1 reads grade k's last hidden layer).
  explicit StairModel(const std::vector<Grade>& grades);
  std::vector<Grade> grades() const;  // the current values
  int input_size() const { return input_size_; }
  Index parameter_count() const { return theta.size(); }

  // Sizes the workspaces for batches of up to `columns` points. Call before forward().
  void reserve(Index columns);
  Index capacity() const { return capacity_; }

  // ŷ for the n <= capacity() columns of X (input_size() × n, column-major).
  Cols forward(const double* X, Index n);
  // After forward(X, n): L = ½ mean (ŷ − y)² and its gradient into `grad`.
  double backward(const double* X, const double* y, Index n);
  // After forward: the last grade's features F (feature rows × n) and head output.
  Cols features(Index n) { return act_.back().back().leftCols(n); }
  Cols head(Index n) { return head_.back().leftCols(n); }

  Vec theta, grad;
  // Fused loops for the ReLU layers (bias, activation and derivative in one
  // pass) and the rank-one products (one input, the head's transpose),
  // written to give the same bits as the Eigen expressions they replace
  // (false: those expressions; tests/train/test_gradients.cpp compares).
  bool fused = true;

 private:
  struct Slot {
    int in, out;
    Activation act;
    bool residual;  // output = input + act(W input + b)
    Index w, b;     // offsets into theta / grad
  };
  Eigen::Map<Mat> weights(const Slot& s) { return {theta.data() + s.w, s.out, s.in}; }
  Eigen::Map<Vec> bias(const Slot& s) { return {theta.data() + s.b, s.out}; }

  int input_size_ = 0;
  Index capacity_ = 0;
  std::vector<std::vector<Slot>> hidden_;  // per grade
  std::vector<Slot> heads_;
  // Workspaces per grade and hidden layer: pre-activation, activation, and
  // the derivative of L with respect to the activation (then pre-activation).
  std::vector<std::vector<Mat>> pre_, act_, dact_;
  std::vector<Mat> head_;  // per grade, 1 × capacity
  Mat yhat_, dy_;          // 1 × capacity
};

// Adam as torch.optim.Adam (no weight decay): denominators √v/√(1−β2^t) + ε.
class Adam {
 public:
  explicit Adam(Index size) : m_(Vec::Zero(size)), v_(Vec::Zero(size)) {}
  void step(Vec& theta, const Vec& grad, double lr);

 private:
  Vec m_, v_;
  long t_ = 0;
};

}  // namespace mgdl::train::detail
