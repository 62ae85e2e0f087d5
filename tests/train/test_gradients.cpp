// Backpropagation against central finite differences in double, for every
// activation, through a two-grade stair (so the gradient also flows from
// grade 2 back into grade 1, as in joint training and SGDL), with and
// without residual layers (identity skips, as in a ResNet).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

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

namespace {

// max_i |fd_i − g_i| / max(1e-3, |g_i|) for central differences of the loss.
double worst_relative_error(detail::StairModel& model, const std::vector<double>& x,
                            const std::vector<double>& y, const detail::Vec& grad) {
  const auto n = static_cast<detail::Index>(y.size());
  auto loss = [&] {
    model.forward(x.data(), n);
    return model.backward(x.data(), y.data(), n);
  };
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
  return worst;
}

}  // namespace

TEST_CASE("residual layers: gradients agree with finite differences, and the skip is what they see") {
  for (Activation act : {Activation::relu, Activation::tanh, Activation::sin, Activation::sigmoid}) {
    CAPTURE(net::to_string(act));
    Rng rng(7);
    const int d = 2, w = 4;
    // A ResNet grade (lift, two residual blocks, head), then a grade whose first
    // layer is residual on grade 1's features (the skip into an earlier grade).
    std::vector<Grade> grades;
    grades.push_back(
        {{random_layer(d, w, act, rng), random_layer(w, w, act, rng), random_layer(w, w, act, rng)},
         random_layer(w, 1, Activation::identity, rng)});
    grades.push_back({{random_layer(w, w, act, rng), random_layer(w, 3, act, rng)},
                      random_layer(3, 1, Activation::identity, rng)});
    grades[0].hidden[1].residual = grades[0].hidden[2].residual = grades[1].hidden[0].residual = true;
    detail::StairModel model(grades);
    const int n = 9;
    std::vector<double> x, y;
    for (int i = 0; i < n * d; ++i) x.push_back(rng.uniform(-1, 1));
    for (int i = 0; i < n; ++i) y.push_back(rng.uniform(-1, 1));
    model.reserve(n);
    model.forward(x.data(), n);
    model.backward(x.data(), y.data(), n);
    const detail::Vec grad = model.grad;
    REQUIRE(grad.norm() > 1e-3);
    CHECK(worst_relative_error(model, x, y, grad) < 1e-5);

    // The same weights without the skips: a different function, whose finite
    // differences the residual gradient does not match (the test would catch a
    // backward pass that forgot the identity path, or a forward pass that lost it).
    for (Grade& g : grades)
      for (DenseLayer& l : g.hidden) l.residual = false;
    detail::StairModel plain(grades);
    plain.reserve(n);
    CHECK(worst_relative_error(plain, x, y, grad) > 1e-2);
    // And the grades() round trip keeps the flags.
    CHECK(model.grades()[0].hidden[1].residual);
    CHECK(!model.grades()[0].hidden[0].residual);
  }
  std::vector<Grade> bad;
  Rng rng(1);
  bad.push_back({{random_layer(1, 3, Activation::relu, rng), random_layer(3, 2, Activation::relu, rng)},
                 random_layer(2, 1, Activation::identity, rng)});
  bad[0].hidden[1].residual = true;
  CHECK_THROWS_AS(detail::StairModel{bad}, std::invalid_argument);
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

namespace {

bool same_bits(const double* a, const double* b, detail::Index n) {
  return std::memcmp(a, b, sizeof(double) * static_cast<std::size_t>(n)) == 0;
}

}  // namespace

TEST_CASE("the fused ReLU and rank-one loops give the Eigen expressions' bits") {
  Rng rng(7);
  std::vector<Grade> grades;
  DenseLayer first = random_layer(1, 6, Activation::relu, rng);
  first.bias[0] = -0.0;  // with x = ±0 below, a signed zero the rank-one loop must turn into +0
  DenseLayer skip = random_layer(6, 6, Activation::relu, rng);
  skip.residual = true;
  grades.push_back({{first, skip}, random_layer(6, 1, Activation::identity, rng)});
  grades.push_back(
      {{random_layer(6, 5, Activation::relu, rng)}, random_layer(5, 1, Activation::identity, rng)});
  grades.push_back(
      {{random_layer(5, 4, Activation::tanh, rng)}, random_layer(4, 1, Activation::identity, rng)});
  const int n = 33;
  std::vector<double> x, y;
  for (int i = 0; i < n; ++i) x.push_back(i == 0 ? -0.0 : i == 1 ? 0.0 : rng.uniform(-1, 1));
  for (int i = 0; i < n; ++i) y.push_back(rng.uniform(-1, 1));
  const Grade lone{{first}, random_layer(6, 1, Activation::identity, rng)};
  for (bool whole : {true, false}) {  // the stair, and `first` alone (its activations are the features)
    CAPTURE(whole);
    const std::vector<Grade> g = whole ? grades : std::vector<Grade>{lone};
    detail::StairModel fused(g), plain(g);
    plain.fused = false;
    fused.reserve(n);
    plain.reserve(n);
    int steps_alike = 0;
    for (int step = 0; step < 10; ++step) {
      const auto a = fused.forward(x.data(), n);
      const auto b = plain.forward(x.data(), n);
      const bool out = same_bits(a.data(), b.data(), n);
      const bool feat =
          same_bits(fused.features(n).data(), plain.features(n).data(), fused.features(n).size());
      const double la = fused.backward(x.data(), y.data(), n), lb = plain.backward(x.data(), y.data(), n);
      const bool grad = la == lb && same_bits(fused.grad.data(), plain.grad.data(), fused.grad.size());
      steps_alike += out && feat && grad;
      fused.theta -= 0.1 * fused.grad;
      plain.theta -= 0.1 * plain.grad;
    }
    CHECK(steps_alike == 10);
    CHECK(same_bits(fused.theta.data(), plain.theta.data(), fused.theta.size()));
    CHECK(fused.grad.norm() > 1e-3);
  }
  // The signed zero is there to be seen: the first unit at x = -0 has pre-activation
  // (0 + w·(-0)) + (-0) = +0 where w·(-0) + (-0) would be -0 (w > 0 here).
  REQUIRE(first.weights[0] > 0);
  CHECK(std::signbit(first.weights[0] * x[0] + first.bias[0]));
}
