#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <limits>

#include "mgdl/train/architecture.hpp"
#include "mgdl/train/network.hpp"
#include "mgdl/train/rng.hpp"
#include "mgdl/train/spectrum.hpp"

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
