#include "mgdl/train/data.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mgdl::train {

namespace {

double eval(const expr::Node& n, const double* x) {
  using expr::Op;
  auto a = [&](std::size_t i) { return eval(*n.args[i], x); };
  switch (n.op) {
    case Op::constant:
      return num::to_double_nearest(n.value);
    case Op::pi:
      return 3.14159265358979323846;
    case Op::e:
      return 2.71828182845904523536;
    case Op::variable:
      return x[n.variable];
    case Op::add:
      return a(0) + a(1);
    case Op::sub:
      return a(0) - a(1);
    case Op::mul:
      return a(0) * a(1);
    case Op::div:
      return a(0) / a(1);
    case Op::pow:
      return std::pow(a(0), a(1));
    case Op::neg:
      return -a(0);
    case Op::sin:
      return std::sin(a(0));
    case Op::cos:
      return std::cos(a(0));
    case Op::tan:
      return std::tan(a(0));
    case Op::exp:
      return std::exp(a(0));
    case Op::log:
      return std::log(a(0));
    case Op::sqrt:
      return std::sqrt(a(0));
    case Op::abs:
      return std::fabs(a(0));
    case Op::min:
      return std::min(a(0), a(1));
    case Op::max:
      return std::max(a(0), a(1));
    case Op::tanh:
      return std::tanh(a(0));
    case Op::atan:
      return std::atan(a(0));
    case Op::sinh:
      return std::sinh(a(0));
    case Op::cosh:
      return std::cosh(a(0));
    case Op::relu:
      return std::max(a(0), 0.0);
  }
  return std::nan("");
}

void push(Dataset& d, const DoubleTarget& f, const std::vector<double>& p) {
  const double y = f(p.data());
  if (!std::isfinite(y)) throw std::invalid_argument("the target is not finite at a training point");
  d.x.insert(d.x.end(), p.begin(), p.end());
  d.y.push_back(y);
}

}  // namespace

DoubleTarget::DoubleTarget(expr::Expression expression) : expression_(std::move(expression)) {}

double DoubleTarget::operator()(const double* x) const {
  return eval(expression_.root(), x);
}

Dataset grid(const DoubleTarget& f, const BoxD& box, long per_axis) {
  const int d = box.dimension();
  if (d != f.dimension()) throw std::invalid_argument("the box and the target have different dimensions");
  if (per_axis < 1) throw std::invalid_argument("a grid needs at least one point per axis");
  Dataset out;
  out.d = d;
  long total = 1;
  for (int i = 0; i < d; ++i) total *= per_axis;
  std::vector<double> p(static_cast<std::size_t>(d));
  for (long k = 0; k < total; ++k) {
    long rest = k;
    for (int i = d - 1; i >= 0; --i) {
      const long j = rest % per_axis;
      rest /= per_axis;
      const auto u = static_cast<std::size_t>(i);
      p[u] = per_axis == 1 ? 0.5 * (box.lo[u] + box.hi[u])
                           : box.lo[u] + (box.hi[u] - box.lo[u]) * static_cast<double>(j) /
                                             static_cast<double>(per_axis - 1);
    }
    push(out, f, p);
  }
  return out;
}

Dataset sample(const DoubleTarget& f, const BoxD& box, const Sampling& sampling, double noise, Rng& rng) {
  const int d = box.dimension();
  if (sampling.points < 0) throw std::invalid_argument("a negative number of points");
  Dataset out;
  if (sampling.kind == Sampling::grid) {
    if (sampling.points == 0) {
      out.d = d;
      return out;
    }
    out = grid(f, box, std::max(1L, std::lround(std::pow(static_cast<double>(sampling.points), 1.0 / d))));
  } else {
    if (d != f.dimension()) throw std::invalid_argument("the box and the target have different dimensions");
    out.d = d;
    std::vector<double> p(static_cast<std::size_t>(d));
    for (long k = 0; k < sampling.points; ++k) {
      for (int i = 0; i < d; ++i) {
        const auto u = static_cast<std::size_t>(i);
        p[u] = rng.uniform(box.lo[u], box.hi[u]);
      }
      push(out, f, p);
    }
  }
  if (noise > 0)
    for (double& y : out.y) y += noise * rng.normal();
  return out;
}

}  // namespace mgdl::train
