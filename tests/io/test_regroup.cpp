// regroup (--grades): merging grades keeps Φ_M exactly and earlier Φ_m unchanged.
#include "mgdl/io/network_file.hpp"

#include <doctest/doctest.h>

using mgdl::net::Activation;
using mgdl::net::AffineLayer;
using mgdl::net::GradeBlock;
using mgdl::num::Rational;
namespace io = mgdl::io;

namespace {

AffineLayer layer(int in, int out, Activation act, int seed) {
  AffineLayer l;
  l.inputs = in;
  l.outputs = out;
  l.activation = act;
  for (int r = 0; r < out; ++r) {
    for (int c = 0; c < in; ++c) {
      const int v = (seed * 7 + r * 5 + c * 3) % 9 - 4;
      if (v != 0) l.weights.push_back({r, c, Rational(v, 3)});
    }
    l.bias.push_back(Rational((seed + r) % 5 - 2, 4));
  }
  return l;
}

GradeBlock grade(int in, int width, Activation act, int seed) {
  GradeBlock b;
  b.layers.push_back(layer(in, width, act, seed));
  b.readout = layer(width, 1, Activation::identity, seed + 1);
  return b;
}

io::ImportedNetwork three_grades(Activation second) {
  io::ImportedNetwork n;
  n.network = mgdl::net::MultigradeNetwork(1);
  n.network.add_grade(grade(1, 3, Activation::relu, 1));
  n.network.add_grade(grade(3, 2, second, 2));
  GradeBlock two_layers = grade(2, 2, Activation::relu, 3);
  two_layers.layers.push_back(layer(2, 2, Activation::relu, 4));
  two_layers.readout = layer(2, 1, Activation::identity, 5);
  n.network.add_grade(two_layers);
  n.layer_names = {"a", "head1", "b", "head2", "c", "d", "head3"};
  return n;
}

}  // namespace

TEST_CASE("merged grades carry the partial sum exactly through relu and identity layers") {
  for (Activation second : {Activation::relu, Activation::identity}) {
    const io::ImportedNetwork n = three_grades(second);
    for (int g = 1; g <= 3; ++g) {
      const io::ImportedNetwork r = io::regroup(n, g);
      REQUIRE(r.network.grades() == g);
      for (int k = -30; k <= 30; ++k) {
        const std::vector<Rational> x{Rational(k, 8)};
        CHECK(r.network.evaluate(x, g) == n.network.evaluate(x, 3));
        for (int m = 1; m < g; ++m) CHECK(r.network.evaluate(x, m) == n.network.evaluate(x, m));
      }
    }
    CHECK(io::regroup(n, 2).layer_names ==
          std::vector<std::string>{"a", "head1", "b", "c", "d", "heads of grades 2..3"});
  }
}

TEST_CASE("a smooth layer cannot carry the partial sum") {
  const io::ImportedNetwork n = three_grades(Activation::tanh);
  CHECK_THROWS_WITH_AS(
      io::regroup(n, 1),
      "--grades 1: cannot merge grades 1..3: layer 'b' is tanh and cannot carry the partial sum",
      io::InputError);
  CHECK(io::regroup(n, 2).network.grades() == 2);  // grade 2's own tanh layer carries nothing
}
