#include "mgdl/net/relu_network.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using mgdl::net::AffineLayer;
using mgdl::net::GradeBlock;
using mgdl::net::MultigradeNetwork;
using mgdl::num::Rational;

namespace {

// |x − 1/3| in one hidden layer of two ReLUs.
GradeBlock abs_block() {
  GradeBlock block;
  AffineLayer hidden;
  hidden.inputs = 1;
  hidden.outputs = 2;
  hidden.weights = {{0, 0, Rational(1)}, {1, 0, Rational(-1)}};
  hidden.bias = {Rational(-1, 3), Rational(1, 3)};
  block.layers.push_back(hidden);
  block.readout.inputs = 2;
  block.readout.outputs = 1;
  block.readout.activation = mgdl::net::Activation::identity;
  block.readout.weights = {{0, 0, Rational(1)}, {0, 1, Rational(1)}};
  block.readout.bias = {Rational(0)};
  return block;
}

}  // namespace

TEST_CASE("affine layers apply exactly, with and without ReLU") {
  AffineLayer layer;
  layer.inputs = 2;
  layer.outputs = 2;
  layer.weights = {{0, 0, Rational(1, 3)}, {0, 1, Rational(-2)}, {1, 1, Rational(5, 7)}};
  layer.bias = {Rational(1), Rational(-1)};
  const std::vector<Rational> x{Rational(3), Rational(1, 5)};
  CHECK(layer.apply(x) == std::vector<Rational>{Rational(8, 5), Rational(0)});
  layer.activation = mgdl::net::Activation::identity;
  CHECK(layer.apply(x) == std::vector<Rational>{Rational(8, 5), Rational(-6, 7)});
  CHECK_THROWS_AS(layer.apply({Rational(1)}), std::invalid_argument);
}

TEST_CASE("multigrade network: sizes, counts and exact evaluation") {
  MultigradeNetwork net(1);
  net.add_grade(abs_block());
  CHECK(net.grades() == 1);
  CHECK(net.feature_size() == 2);
  CHECK(net.block(1).width() == 2);
  CHECK(net.block(1).depth() == 2);
  CHECK(net.block(1).parameter_count() == 2 + 2 + 2 + 1);
  CHECK(net.evaluate({Rational(1, 2)}, 1) == Rational(1, 6));
  CHECK(net.evaluate({Rational(0)}, 1) == Rational(1, 3));
  CHECK(net.evaluate({Rational(0)}, 0) == 0);
  // The second grade must read the first grade's 2 features.
  CHECK_THROWS_WITH_AS(net.add_grade(abs_block()), "grade 2 layer 1: reads 1 inputs, previous gives 2",
                       std::invalid_argument);
  net.add_grade(mgdl::net::with_input_size(abs_block(), 2));
  CHECK(net.evaluate_grade({Rational(0)}, 2) == Rational(1, 3) + Rational(0));  // reads F_1 = (0, 1/3)
  CHECK(net.evaluate({Rational(0)}, 2) == Rational(2, 3));
  CHECK_THROWS_AS(net.evaluate({Rational(0)}, 3), std::invalid_argument);
  CHECK_THROWS_AS(mgdl::net::with_input_size(abs_block(), 0), std::invalid_argument);
}

TEST_CASE("add_grade rejects malformed blocks") {
  MultigradeNetwork net(1);
  GradeBlock b = abs_block();
  b.layers[0].bias.pop_back();
  CHECK_THROWS_WITH_AS(net.add_grade(b), "grade 1 layer 1: bias has 1 entries, expected 2", std::invalid_argument);
  b = abs_block();
  b.readout.activation = mgdl::net::Activation::relu;
  CHECK_THROWS_WITH_AS(net.add_grade(b), "grade 1 read-out: must have no activation (identity)", std::invalid_argument);
  b = abs_block();
  std::swap(b.layers[0].weights[0], b.layers[0].weights[1]);
  CHECK_THROWS_AS(net.add_grade(b), std::invalid_argument);
  b = abs_block();
  b.layers[0].weights[0].value = 0;
  CHECK_THROWS_AS(net.add_grade(b), std::invalid_argument);
  b = abs_block();
  b.readout.inputs = 3;
  CHECK_THROWS_AS(net.add_grade(b), std::invalid_argument);
  CHECK(net.grades() == 0);
}
