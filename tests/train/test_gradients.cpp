// Backpropagation against central finite differences in double, for every
// activation, through a two-grade stair (so the gradient also flows from
// grade 2 back into grade 1, as in joint training and SGDL).
#include <doctest/doctest.h>

#include <cmath>

#include "mgdl/train/rng.hpp"
#include "stair_model.hpp"

using namespace mgdl;
using namespace mgdl::train;

namespace {

DenseLayer random_layer(int in, int out, Activation a, Rng& rng) {
  DenseLayer l{in, out, a, {}, {}};
  for (int i = 0; i < in * out; ++i) l.weights.push_back(rng.uniform(-1, 1));
  for (int i = 0; i < out; ++i) l.bias.push_back(rng.uniform(-1, 1));
  return l;
}

}  // namespace

TEST_CASE("gradients agree with finite differences for every activation") {
  for (Activation act : {Activation::relu, Activation::tanh, Activation::sin, Activation::sigmoid}) {
    CAPTURE(net::to_string(act));
    Rng rng(42);
    const int d = 2;
    std::vector<Grade> grades;
    grades.push_back({{random_layer(d, 5, act, rng), random_layer(5, 4, act, rng)},
                      random_layer(4, 1, Activation::identity, rng)});
    grades.push_back({{random_layer(4, 3, act, rng)}, random_layer(3, 1, Activation::identity, rng)});
    detail::StairModel model(grades);
    const int n = 7;
    std::vector<double> x, y;
    for (int i = 0; i < n * d; ++i) x.push_back(rng.uniform(-1, 1));
    for (int i = 0; i < n; ++i) y.push_back(rng.uniform(-1, 1));
    model.reserve(n);
    auto loss = [&] {
      model.forward(x.data(), n);
      return model.backward(x.data(), y.data(), n);
    };
    loss();
    const detail::Vec grad = model.grad;
    REQUIRE(grad.size() == (2 * 5 + 5) + (5 * 4 + 4) + (4 + 1) + (4 * 3 + 3) + (3 + 1));
    const double h = 1e-6;
    double worst = 0;
    for (detail::Index i = 0; i < model.theta.size(); ++i) {
      const double t = model.theta[i];
      model.theta[i] = t + h;
      const double up = loss();
      model.theta[i] = t - h;
      const double down = loss();
      model.theta[i] = t;
      const double fd = (up - down) / (2 * h);
      worst = std::max(worst, std::fabs(fd - grad[i]) / std::max(1e-3, std::fabs(grad[i])));
    }
    CHECK(worst < 1e-5);
    // A wrong gradient (e.g. a dropped grade-2 contribution) is far off: the test can fail.
    CHECK(grad.norm() > 1e-3);
  }
}

TEST_CASE("Adam's first step moves every parameter by lr against its gradient's sign") {
  // With bias correction, step 1 is lr · g/(|g| + ε') ≈ lr · sign(g).
  detail::Vec theta = detail::Vec::Zero(3), g(3);
  g << 2.0, -0.5, 1e-3;
  detail::Adam adam(3);
  adam.step(theta, g, 0.1);
  CHECK(theta[0] == doctest::Approx(-0.1).epsilon(1e-6));
  CHECK(theta[1] == doctest::Approx(0.1).epsilon(1e-6));
  CHECK(theta[2] == doctest::Approx(-0.1).epsilon(1e-4));
}
