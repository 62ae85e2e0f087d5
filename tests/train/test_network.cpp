#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <limits>

#include "mgdl/train/architecture.hpp"
#include "mgdl/train/network.hpp"
#include "mgdl/train/rng.hpp"
#include "mgdl/train/spectrum.hpp"
#include "mgdl/train/trainer.hpp"

using namespace mgdl;
using train::exact_rational;

TEST_CASE("exact_rational: doubles convert exactly to dyadic rationals") {
  CHECK(exact_rational(0.0) == 0);
  CHECK(exact_rational(-0.0) == 0);
  CHECK(exact_rational(1.5) == num::Rational(3, 2));
  CHECK(exact_rational(-0.75) == num::Rational(-3, 4));
  // 0.1 is 3602879701896397 / 2^55, not 1/10.
  CHECK(num::to_string(exact_rational(0.1)) == "3602879701896397/36028797018963968");
  // The smallest subnormal and the largest double.
  num::Integer two54(1);
  two54 <<= 1074;
  CHECK(exact_rational(std::numeric_limits<double>::denorm_min()) == num::Rational(num::Integer(1), two54));
  CHECK(num::to_double_nearest(exact_rational(DBL_MAX)) == DBL_MAX);
  CHECK_THROWS_AS(exact_rational(std::nan("")), std::domain_error);
  CHECK_THROWS_AS(exact_rational(std::numeric_limits<double>::infinity()), std::domain_error);
  train::Rng rng(11);
  for (int i = 0; i < 2000; ++i) {
    const double x = std::ldexp(rng.uniform(-1, 1), static_cast<int>(rng.below(2000)) - 1000);
    const num::Rational r = exact_rational(x);
    REQUIRE(num::is_dyadic(r));
    REQUIRE(num::to_double_nearest(r) == x);
    // Doubling is exact in binary64 (no overflow here), so it must commute with the conversion.
    REQUIRE(exact_rational(2 * x) == 2 * r);
  }
}

TEST_CASE("to_multigrade: the exact network equals the double one at its points") {
  train::Rng rng(3);
  train::StairNetwork net;
  net.input_dimension = 1;
  auto layer = [&](int in, int out, net::Activation a) {
    train::DenseLayer l{in, out, a, {}, {}};
    for (int i = 0; i < in * out; ++i) l.weights.push_back(rng.uniform(-1, 1));
    for (int i = 0; i < out; ++i) l.bias.push_back(rng.uniform(-1, 1));
    return l;
  };
  net.grades.push_back({{layer(1, 4, net::Activation::relu)}, layer(4, 1, net::Activation::identity)});
  net.grades.push_back({{layer(4, 3, net::Activation::relu)}, layer(3, 1, net::Activation::identity)});
  net.grades[0].hidden[0].weights[2] = 0.0;  // zero weights are dropped, not stored
  const net::MultigradeNetwork exact = train::to_multigrade(net);
  CHECK(exact.grades() == 2);
  CHECK(exact.block(1).layers[0].weights.size() == 3);
  CHECK(exact.block(1).readout.activation == net::Activation::identity);
  CHECK(exact.block(2).layers[0].bias[1] == exact_rational(net.grades[1].hidden[0].bias[1]));
  CHECK(exact.block(2).readout.weights[2].value == exact_rational(net.grades[1].head.weights[2]));
}

namespace {

train::DenseLayer random_dense(int in, int out, net::Activation a, train::Rng& rng, bool residual = false) {
  train::DenseLayer l{in, out, a, {}, {}, residual};
  for (int i = 0; i < in * out; ++i) l.weights.push_back(rng.uniform(-1, 1));
  for (int i = 0; i < out; ++i) l.bias.push_back(rng.uniform(-1, 1));
  return l;
}

// Φ_1..Φ_M of the unfolded network, exactly in rationals: every weight as
// exact_rational, residual layers as h + relu(W h + b), by the definition.
std::vector<num::Rational> exact_stair(const train::StairNetwork& net, std::vector<num::Rational> h) {
  std::vector<num::Rational> phi;
  num::Rational sum(0);
  auto affine = [](const train::DenseLayer& l, const std::vector<num::Rational>& in) {
    std::vector<num::Rational> z;
    for (int r = 0; r < l.outputs; ++r) {
      num::Rational v = exact_rational(l.bias[static_cast<std::size_t>(r)]);
      for (int c = 0; c < l.inputs; ++c)
        v += exact_rational(l.weights[static_cast<std::size_t>(r * l.inputs + c)]) *
             in[static_cast<std::size_t>(c)];
      z.push_back(v);
    }
    return z;
  };
  for (const train::Grade& g : net.grades) {
    for (const train::DenseLayer& l : g.hidden) {
      REQUIRE(l.activation == net::Activation::relu);
      std::vector<num::Rational> z = affine(l, h);
      for (std::size_t i = 0; i < z.size(); ++i) {
        if (z[i] < 0) z[i] = 0;
        if (l.residual) z[i] += h[i];
      }
      h = std::move(z);
    }
    sum += affine(g.head, h).front();
    phi.push_back(sum);
  }
  return phi;
}

}  // namespace

TEST_CASE("to_multigrade folds a ResNet into a ReLU network that is the same function, exactly") {
  train::Rng rng(5);
  const int w = 5;
  train::StairNetwork resnet;
  resnet.input_dimension = 1;
  // [1,5,5,5,1]: lift, two residual blocks, linear head.
  resnet.grades.push_back(
      {{random_dense(1, w, net::Activation::relu, rng), random_dense(w, w, net::Activation::relu, rng, true),
        random_dense(w, w, net::Activation::relu, rng, true)},
       random_dense(w, 1, net::Activation::identity, rng)});
  const net::MultigradeNetwork folded = train::to_multigrade(resnet);
  REQUIRE(folded.grades() == 1);
  // h >= 0 after the ReLU lift, so each block needs relu(W h + b) and relu(h) = h only: width 2w.
  const net::GradeBlock& b = folded.block(1);
  REQUIRE(b.layers.size() == 3);
  CHECK(b.layers[0].outputs == w);
  CHECK(b.layers[1].inputs == w);
  CHECK(b.layers[1].outputs == 2 * w);
  CHECK(b.layers[2].inputs == 2 * w);
  CHECK(b.layers[2].outputs == 2 * w);
  CHECK(b.readout.inputs == 2 * w);
  CHECK(folded.piecewise_linear());
  // The readout reads h_3 = [I, I]·u_3: each head weight twice, unchanged (no rounding).
  CHECK(b.readout.weights[0].value == exact_rational(resnet.grades[0].head.weights[0]));
  CHECK(b.readout.weights[static_cast<std::size_t>(w)].value ==
        exact_rational(resnet.grades[0].head.weights[0]));

  // Exactly the ResNet's function at dyadic points (in and outside [0, 1]).
  std::vector<double> xs;
  for (int k = -8; k <= 24; ++k) {
    const num::Rational x(k, 16);
    CAPTURE(k);
    REQUIRE(folded.evaluate({x}, 1) == exact_stair(resnet, {x}).front());
    xs.push_back(k / 16.0);
  }
  // The trainer's double forward pass agrees to rounding.
  const auto phi = train::cumulative_predictions(resnet, xs);
  for (std::size_t i = 0; i < xs.size(); ++i)
    CHECK(
        phi[0][i] ==
        doctest::Approx(num::to_double_nearest(folded.evaluate({exact_rational(xs[i])}, 1))).epsilon(1e-12));
  // Without the skips the function differs (so the equality above tests the fold).
  train::StairNetwork plain = resnet;
  for (train::DenseLayer& l : plain.grades[0].hidden) l.residual = false;
  bool differs = false;
  for (int k = -8; k <= 24; ++k)
    differs |=
        exact_stair(plain, {num::Rational(k, 16)}).front() != folded.evaluate({num::Rational(k, 16)}, 1);
  CHECK(differs);
}

TEST_CASE(
    "to_multigrade: a skip on inputs of either sign takes relu(h) − relu(−h) (width 3w), also across "
    "grades") {
  train::Rng rng(9);
  train::StairNetwork net;
  net.input_dimension = 2;
  // Grade 1: a residual block on x itself (x may be negative), then a ReLU layer;
  // grade 2: a residual block on grade 1's (nonnegative) features.
  net.grades.push_back(
      {{random_dense(2, 2, net::Activation::relu, rng, true), random_dense(2, 3, net::Activation::relu, rng)},
       random_dense(3, 1, net::Activation::identity, rng)});
  net.grades.push_back({{random_dense(3, 3, net::Activation::relu, rng, true)},
                        random_dense(3, 1, net::Activation::identity, rng)});
  const net::MultigradeNetwork folded = train::to_multigrade(net);
  REQUIRE(folded.grades() == 2);
  CHECK(folded.block(1).layers[0].outputs == 6);  // [relu(Wx+b); relu(x); relu(−x)]
  CHECK(folded.block(1).layers[1].inputs == 6);
  CHECK(folded.block(2).layers[0].inputs == 3);
  CHECK(folded.block(2).layers[0].outputs == 6);  // features >= 0: 2w
  CHECK(folded.block(2).readout.inputs == 6);
  int negative = 0;
  for (int i = -4; i <= 4; ++i)
    for (int j = -4; j <= 4; ++j) {
      const std::vector<num::Rational> x = {num::Rational(i, 4), num::Rational(j, 8)};
      negative += (i < 0 || j < 0) ? 1 : 0;
      const std::vector<num::Rational> phi = exact_stair(net, x);
      CAPTURE(i);
      CAPTURE(j);
      REQUIRE(folded.evaluate(x, 1) == phi[0]);
      REQUIRE(folded.evaluate(x, 2) == phi[1]);
    }
  CHECK(negative > 0);  // points where relu(x) ≠ x, so the −I rows are exercised

  // Only ReLU skips fold (h = relu(h) − relu(−h) needs the ReLU); a non-square skip is malformed.
  train::StairNetwork smooth = net;
  smooth.grades[0].hidden[0].activation = net::Activation::tanh;
  CHECK_THROWS_AS(train::to_multigrade(smooth), std::invalid_argument);
  train::StairNetwork oblong = net;
  oblong.grades[0].hidden[1].residual = true;  // 2 -> 3
  CHECK_THROWS_AS(train::to_multigrade(oblong), std::invalid_argument);
}

TEST_CASE("resnet architectures: one bracket of equal hidden widths") {
  CHECK_NOTHROW(train::validate_resnet(train::parse_architecture("[1,32,32,32,32,1]"), 1));
  CHECK_NOTHROW(train::validate_resnet(train::parse_architecture("[2,8,1]"), 2));
  CHECK_THROWS_WITH(train::validate_resnet(train::parse_architecture("[1,32,16,1]"), 1),
                    "resnet: [1,32,16,1] has unequal hidden widths (identity skips need one width)");
  CHECK_THROWS_WITH(train::validate_resnet(train::parse_architecture("[1,8,1],[8,8,1]"), 1),
                    "resnet: a residual network is one bracket, e.g. [1,32,32,32,1]");
  CHECK_THROWS_WITH(train::validate_resnet(train::parse_architecture("[1,8,8,1]"), 2),
                    "architecture: grade 1 reads 1 inputs but the target has d = 2");
}

TEST_CASE("architecture strings") {
  using train::parse_architecture;
  CHECK(train::to_string(parse_architecture("[1,32,1],[32,32,1]x3")) ==
        "[1,32,1],[32,32,1],[32,32,1],[32,32,1]");
  CHECK(parse_architecture(" [2, 64, 64, 1] ").size() == 1);
  CHECK(parse_architecture("[1,256,256,1],[256,128,128,64,1],[64,64,32,32,1]").size() == 3);
  struct Bad {
    const char* text;
    const char* message;
  };
  for (const Bad& b : {
           Bad{"", "malformed architecture: expected '[' at column 1"},
           Bad{"[1,32,1", "malformed architecture: expected ',' or ']' at column 8"},
           Bad{"[1,32,1],[16,32,1]",
               "architecture: grade 2 [16,32,1] reads 16 features but grade 1's last hidden "
               "layer has 32"},
           Bad{"[1,32,2]", "architecture: grade 1 [1,32,2] must end in 1 (a scalar head)"},
           Bad{"[1,1]", "architecture: grade 1 [1,1] needs [inputs, hidden..., 1]"},
           Bad{"[1,0,1]", "malformed architecture: width 0 at column 4"},
           Bad{"[1,99999,1]", "malformed architecture: a width above 4096 at column 4"},
           Bad{"[1,32,1]x0", "malformed architecture: repeat count 0 at column 10"},
           Bad{"[1,32,1]x65", "malformed architecture: a repeat count above 64 at column 10"},
           Bad{"[1,a,1]", "malformed architecture: expected a width at column 4"},
           Bad{"[1,32,1] extra", "malformed architecture: unexpected 'e' at column 10"},
           Bad{"[1,4096,4096,4096,1]", "architecture: more than 10^7 parameters"},
       }) {
    CAPTURE(b.text);
    try {
      parse_architecture(b.text);
      FAIL("accepted");
    } catch (const train::ArchitectureError& e) {
      CHECK(std::string(e.what()) == b.message);
    }
  }
  CHECK_THROWS_WITH(train::validate_architecture(parse_architecture("[1,8,1]"), 2),
                    "architecture: grade 1 reads 1 inputs but the target has d = 2");
}

TEST_CASE("spectra: a sampled sine shows its frequency and amplitude") {
  const std::size_t n = 256;
  std::vector<double> v(n), g(64 * 64);
  for (std::size_t j = 0; j < n; ++j) {
    const double x = static_cast<double>(j) / n;
    v[j] = 0.5 + 3 * std::sin(2 * M_PI * 16 * x) + 0.25 * std::cos(2 * M_PI * 40 * x);
  }
  const std::vector<double> a = train::amplitude_spectrum(v);
  REQUIRE(a.size() == n / 2 + 1);
  CHECK(a[0] == doctest::Approx(0.5));
  CHECK(a[16] == doctest::Approx(3.0));
  CHECK(a[40] == doctest::Approx(0.25));
  CHECK(a[17] < 1e-12);
  for (std::size_t i = 0; i < 64; ++i)
    for (std::size_t j = 0; j < 64; ++j)
      g[i * 64 + j] = std::sin(2 * M_PI * 3 * i / 64.0) * std::sin(2 * M_PI * 4 * j / 64.0);
  const std::vector<double> r = train::radial_spectrum(g, 64);
  std::size_t peak = 0;
  for (std::size_t k = 0; k < r.size(); ++k)
    if (r[k] > r[peak]) peak = k;
  CHECK(peak == 5);  // √(3² + 4²)
  CHECK_THROWS(train::amplitude_spectrum(std::vector<double>(100)));
}
