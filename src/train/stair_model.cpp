#include "stair_model.hpp"

#include <cmath>
#include <stdexcept>

namespace mgdl::train::detail {

namespace {

// A = act(Z), elementwise.
template <class Dst, class Src>
void activate(Activation act, Dst&& a, const Src& z) {
  switch (act) {
    case Activation::relu:
      a = z.cwiseMax(0.0);
      return;
    case Activation::tanh:
      a = z.array().tanh().matrix();
      return;
    case Activation::sin:
      a = z.array().sin().matrix();
      return;
    case Activation::sigmoid:
      a = (1.0 / (1.0 + (-z.array()).exp())).matrix();
      return;
    case Activation::identity:
      a = z;
      return;
  }
}

// dZ = dA ⊙ act'(Z), in place; act' from Z or from A = act(Z) (from Z alone
// for a residual layer, whose A = X + act(Z)).
template <class D, class Z, class A>
void derivative(Activation act, D&& d, const Z& z, const A& a, bool residual) {
  if (residual && act == Activation::tanh) {
    d.array() *= 1.0 - z.array().tanh().square();
    return;
  }
  if (residual && act == Activation::sigmoid) {
    d.array() *= (1.0 / (1.0 + (-z.array()).exp())) * (1.0 - 1.0 / (1.0 + (-z.array()).exp()));
    return;
  }
  switch (act) {
    case Activation::relu:
      d.array() *= (z.array() > 0.0).template cast<double>();
      return;
    case Activation::tanh:
      d.array() *= 1.0 - a.array().square();
      return;
    case Activation::sin:
      d.array() *= z.array().cos();
      return;
    case Activation::sigmoid:
      d.array() *= a.array() * (1.0 - a.array());
      return;
    case Activation::identity:
      return;
  }
}

// Z = b + act(W X) for a ReLU layer in one pass over Z (column-major, `rows`
// × n, contiguous): Z_ij += b_i, A_ij = max(Z_ij, 0) as Eigen's cwiseMax(0.0)
// (std::max order: a NaN or a signed zero passes through).
void bias_relu(double* __restrict z, double* __restrict a, const double* __restrict b, Index rows, Index n) {
  for (Index j = 0; j < n; ++j, z += rows, a += rows)
    for (Index i = 0; i < rows; ++i) {
      const double v = z[i] + b[i];
      z[i] = v;
      a[i] = v < 0.0 ? 0.0 : v;
    }
}

// dZ = dA ⊙ [Z > 0], as Eigen's dA * (Z > 0).cast<double>().
// (Branch-free and unaliased, so that the compiler vectorises it.)
void relu_derivative(double* __restrict d, const double* __restrict z, Index size) {
  for (Index i = 0; i < size; ++i) {
    const double m = z[i] > 0.0 ? 1.0 : 0.0;
    d[i] = d[i] * m;
  }
}

// C = u vᵀ (C `rows` × n, contiguous; v with stride `vstride`), or C += u vᵀ,
// entry by entry as Eigen's GEMM computes an inner dimension of 1: its
// accumulator starts at 0, so C_ij = 0 + u_i v_j (a signed zero becomes +0).
void rank_one(double* __restrict c, const double* __restrict u, const double* __restrict v, Index vstride,
              Index rows, Index n, bool add) {
  for (Index j = 0; j < n; ++j, c += rows) {
    const double vj = v[j * vstride];
    if (add)
      for (Index i = 0; i < rows; ++i) c[i] += 0.0 + u[i] * vj;
    else
      for (Index i = 0; i < rows; ++i) c[i] = 0.0 + u[i] * vj;
  }
}

}  // namespace

StairModel::StairModel(const std::vector<Grade>& grades) {
  if (grades.empty()) throw std::invalid_argument("stair model: no grades");
  input_size_ = grades.front().input_size();
  Index size = 0;
  auto place = [&size](const DenseLayer& l) {
    if (l.residual && l.inputs != l.outputs)
      throw std::invalid_argument("stair model: a residual layer must have as many outputs as inputs");
    Slot s{l.inputs, l.outputs, l.activation, l.residual, size, size + Index{l.inputs} * l.outputs};
    size = s.b + l.outputs;
    return s;
  };
  for (const Grade& g : grades) {
    hidden_.emplace_back();
    for (const DenseLayer& l : g.hidden) hidden_.back().push_back(place(l));
    heads_.push_back(place(g.head));
  }
  theta.resize(size);
  grad = Vec::Zero(size);
  auto load = [this](const Slot& s, const DenseLayer& l) {
    // DenseLayer is row-major; the slot is column-major.
    for (int r = 0; r < s.out; ++r)
      for (int c = 0; c < s.in; ++c)
        theta[s.w + Index{c} * s.out + r] =
            l.weights[static_cast<std::size_t>(r) * static_cast<std::size_t>(s.in) +
                      static_cast<std::size_t>(c)];
    for (int r = 0; r < s.out; ++r) theta[s.b + r] = l.bias[static_cast<std::size_t>(r)];
  };
  for (std::size_t k = 0; k < grades.size(); ++k) {
    for (std::size_t l = 0; l < grades[k].hidden.size(); ++l) load(hidden_[k][l], grades[k].hidden[l]);
    load(heads_[k], grades[k].head);
  }
  pre_.resize(grades.size());
  act_.resize(grades.size());
  dact_.resize(grades.size());
  for (std::size_t k = 0; k < grades.size(); ++k) {
    pre_[k].resize(hidden_[k].size());
    act_[k].resize(hidden_[k].size());
    dact_[k].resize(hidden_[k].size());
  }
  head_.resize(grades.size());
}

std::vector<Grade> StairModel::grades() const {
  auto store = [this](const Slot& s) {
    DenseLayer l;
    l.inputs = s.in;
    l.outputs = s.out;
    l.activation = s.act;
    l.residual = s.residual;
    l.weights.resize(static_cast<std::size_t>(s.in) * static_cast<std::size_t>(s.out));
    l.bias.resize(static_cast<std::size_t>(s.out));
    for (int r = 0; r < s.out; ++r) {
      for (int c = 0; c < s.in; ++c)
        l.weights[static_cast<std::size_t>(r) * static_cast<std::size_t>(s.in) +
                  static_cast<std::size_t>(c)] = theta[s.w + Index{c} * s.out + r];
      l.bias[static_cast<std::size_t>(r)] = theta[s.b + r];
    }
    return l;
  };
  std::vector<Grade> out(heads_.size());
  for (std::size_t k = 0; k < heads_.size(); ++k) {
    for (const Slot& s : hidden_[k]) out[k].hidden.push_back(store(s));
    out[k].head = store(heads_[k]);
  }
  return out;
}

void StairModel::reserve(Index columns) {
  if (columns <= capacity_) return;
  capacity_ = columns;
  for (std::size_t k = 0; k < hidden_.size(); ++k) {
    for (std::size_t l = 0; l < hidden_[k].size(); ++l) {
      pre_[k][l].resize(hidden_[k][l].out, columns);
      act_[k][l].resize(hidden_[k][l].out, columns);
      dact_[k][l].resize(hidden_[k][l].out, columns);
    }
    head_[k].resize(1, columns);
  }
  yhat_.resize(1, columns);
  dy_.resize(1, columns);
}

Cols StairModel::forward(const double* X, Index n) {
  const Eigen::Map<const Mat> x(X, input_size_, n);
  for (std::size_t k = 0; k < hidden_.size(); ++k) {
    for (std::size_t l = 0; l < hidden_[k].size(); ++l) {
      const Slot& s = hidden_[k][l];
      const Eigen::Ref<const Mat> prev = l > 0   ? Eigen::Ref<const Mat>(act_[k][l - 1].leftCols(n))
                                         : k > 0 ? Eigen::Ref<const Mat>(act_[k - 1].back().leftCols(n))
                                                 : Eigen::Ref<const Mat>(x);
      auto z = pre_[k][l].leftCols(n);
      if (fused && s.in == 1)
        rank_one(z.data(), theta.data() + s.w, prev.data(), prev.outerStride(), s.out, n, false);
      else
        z.noalias() = weights(s) * prev;
      if (fused && s.act == Activation::relu && !s.residual) {
        bias_relu(z.data(), act_[k][l].data(), theta.data() + s.b, s.out, n);
        continue;
      }
      z.colwise() += bias(s);
      activate(s.act, act_[k][l].leftCols(n), z);
      if (s.residual) act_[k][l].leftCols(n) += prev;
    }
    auto h = head_[k].leftCols(n);
    h.noalias() = weights(heads_[k]) * act_[k].back().leftCols(n);
    h.array() += theta[heads_[k].b];
    if (k == 0)
      yhat_.leftCols(n) = h;
    else
      yhat_.leftCols(n) += h;
  }
  return yhat_.leftCols(n);
}

double StairModel::backward(const double* X, const double* y, Index n) {
  const Eigen::Map<const Mat> x(X, input_size_, n);
  const Eigen::Map<const Eigen::RowVectorXd> target(y, n);
  auto dy = dy_.leftCols(n);
  dy = yhat_.leftCols(n) - target;
  const double loss = 0.5 * dy.squaredNorm() / static_cast<double>(n);
  dy /= static_cast<double>(n);
  for (std::size_t k = hidden_.size(); k-- > 0;) {
    const Slot& hs = heads_[k];
    auto last = act_[k].back().leftCols(n);
    Eigen::Map<Mat>(grad.data() + hs.w, 1, hs.in).noalias() = dy * last.transpose();
    grad[hs.b] = dy.sum();
    auto dlast = dact_[k].back().leftCols(n);
    // The last features feed this grade's head and (when k is not the last
    // grade) the next grade, whose contribution is already in dlast.
    if (fused)
      rank_one(dlast.data(), theta.data() + hs.w, dy.data(), 1, hs.in, n, k + 1 < hidden_.size());
    else if (k + 1 == hidden_.size())
      dlast.noalias() = weights(hs).transpose() * dy;
    else
      dlast.noalias() += weights(hs).transpose() * dy;
    for (std::size_t l = hidden_[k].size(); l-- > 0;) {
      const Slot& s = hidden_[k][l];
      auto d = dact_[k][l].leftCols(n);
      // The input's gradient: through W, plus (identity skip) this layer's output gradient.
      Mat* dprev = l > 0 ? &dact_[k][l - 1] : k > 0 ? &dact_[k - 1].back() : nullptr;
      if (s.residual && dprev != nullptr) dprev->leftCols(n) = d;
      if (fused && s.act == Activation::relu)
        relu_derivative(d.data(), pre_[k][l].data(), Index{s.out} * n);
      else
        derivative(s.act, d, pre_[k][l].leftCols(n), act_[k][l].leftCols(n), s.residual);
      const Eigen::Ref<const Mat> prev = l > 0   ? Eigen::Ref<const Mat>(act_[k][l - 1].leftCols(n))
                                         : k > 0 ? Eigen::Ref<const Mat>(act_[k - 1].back().leftCols(n))
                                                 : Eigen::Ref<const Mat>(x);
      Eigen::Map<Mat>(grad.data() + s.w, s.out, s.in).noalias() = d * prev.transpose();
      Eigen::Map<Vec>(grad.data() + s.b, s.out).noalias() = d.rowwise().sum();
      if (dprev != nullptr) {
        if (s.residual)
          dprev->leftCols(n).noalias() += weights(s).transpose() * d;
        else
          dprev->leftCols(n).noalias() = weights(s).transpose() * d;
      }
    }
  }
  return loss;
}

void Adam::step(Vec& theta, const Vec& grad, double lr) {
  constexpr double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  ++t_;
  const double c1 = 1.0 - std::pow(b1, static_cast<double>(t_));
  const double c2 = std::sqrt(1.0 - std::pow(b2, static_cast<double>(t_)));
  m_.array() = b1 * m_.array() + (1.0 - b1) * grad.array();
  v_.array() = b2 * v_.array() + (1.0 - b2) * grad.array().square();
  theta.array() -= (lr / c1) * m_.array() / (v_.array().sqrt() / c2 + eps);
}

}  // namespace mgdl::train::detail
