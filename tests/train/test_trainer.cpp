#include <doctest/doctest.h>

#include <cmath>

#include "mgdl/train/trainer.hpp"

using namespace mgdl;
using namespace mgdl::train;

namespace {

DataSets sine_data(const char* f, long n) {
  DoubleTarget target(expr::Expression::parse(f));
  BoxD box{{0.0}, {1.0}};
  Rng rng(5);
  return {sample(target, box, {Sampling::grid, n}, 0, rng),
          sample(target, box, {Sampling::uniform, 64}, 0, rng),
          sample(target, box, {Sampling::uniform, 128}, 0, rng)};
}

TrainOptions quick(long epochs) {
  TrainOptions o;
  o.schedule = {{epochs, 1e-2, 1e-3, 32}};
  o.seed = 9;
  return o;
}

std::vector<HistoryRow> run(const Architecture& a, const DataSets& d, const TrainOptions& o,
                            TrainResult* out) {
  std::vector<HistoryRow> rows;
  Callbacks cb;
  cb.on_history = [&](const HistoryRow& h) { rows.push_back(h); };
  *out = train_mgdl(a, d, o, cb);
  return rows;
}

}  // namespace

TEST_CASE("data: grid and uniform samples of the target") {
  DoubleTarget f(expr::Expression::parse("x*y + 1"));
  Rng rng(1);
  const Dataset g = sample(f, {{0, -1}, {1, 1}}, {Sampling::grid, 9}, 0, rng);
  REQUIRE(g.size() == 9);
  CHECK(g.x[2 * 8] == 1.0);
  CHECK(g.x[2 * 8 + 1] == 1.0);
  CHECK(g.y[8] == 2.0);
  CHECK(g.y[1] == 1.0);  // (0, 0)
  const Dataset u = sample(f, {{0, -1}, {1, 1}}, {Sampling::uniform, 100}, 0.5, rng);
  double noise2 = 0;
  for (long i = 0; i < u.size(); ++i)
    noise2 += std::pow(u.y[static_cast<std::size_t>(i)] - (u.x[2 * i] * u.x[2 * i + 1] + 1), 2);
  CHECK(std::sqrt(noise2 / 100) == doctest::Approx(0.5).epsilon(0.3));
}

TEST_CASE("MGDL: grades reduce the residual, the prediction is the sum of heads") {
  const DataSets data = sine_data("sin(2*pi*x)", 256);
  TrainResult r;
  const auto rows = run(parse_architecture("[1,16,1],[16,16,1]x2"), data, quick(60), &r);
  REQUIRE(r.grades.size() == 3);
  REQUIRE_FALSE(r.interrupted);
  CHECK(r.grades[0].train_rse < 0.5);
  CHECK(r.grades[1].train_rse < 0.1 * r.grades[0].train_rse);  // measured 0.25 -> 0.005 -> 0.0016
  CHECK(r.grades[2].train_rse < r.grades[1].train_rse);
  CHECK(r.grades[0].parameters == 16 * 2 + 17);
  CHECK(r.grades[1].parameters == 16 * 17 + 17);
  CHECK(r.grades[0].steps == 60 * 8);
  CHECK(rows.back().grade == 3);
  // The reported train RSE is that of Φ_3 = Σ heads.
  const auto phi = cumulative_predictions(r.network, data.train.x);
  double num = 0, den = 0;
  for (long i = 0; i < data.train.size(); ++i) {
    const auto u = static_cast<std::size_t>(i);
    num += std::pow(data.train.y[u] - phi[2][u], 2);
    den += data.train.y[u] * data.train.y[u];
  }
  CHECK(num / den == doctest::Approx(r.grades[2].train_rse).epsilon(1e-9));
}

TEST_CASE("freezing is real: later grades leave earlier weights bit-identical") {
  const DataSets data = sine_data("sin(4*pi*x)", 128);
  TrainResult one, three;
  run(parse_architecture("[1,8,1]"), data, quick(20), &one);
  run(parse_architecture("[1,8,1],[8,8,1]x2"), data, quick(20), &three);
  REQUIRE(three.network.grades.size() == 3);
  CHECK(one.network.grades[0].hidden[0].weights == three.network.grades[0].hidden[0].weights);
  CHECK(one.network.grades[0].hidden[0].bias == three.network.grades[0].hidden[0].bias);
  CHECK(one.network.grades[0].head.weights == three.network.grades[0].head.weights);
  CHECK(one.network.grades[0].head.bias == three.network.grades[0].head.bias);
  // ... while joint fine-tuning does move them.
  TrainOptions o = quick(5);
  const TrainResult joint = train_joint(three.network, data, o, {});
  CHECK(joint.network.grades[0].hidden[0].weights != three.network.grades[0].hidden[0].weights);
  // The stair end to end starts from MGDL's initial weights (the same seeds) and moves every grade.
  const TrainResult e2e =
      train_stair_end_to_end(parse_architecture("[1,8,1],[8,8,1]x2"), data, quick(20), {});
  REQUIRE(e2e.network.grades.size() == 3);
  CHECK(e2e.grades.size() == 1);
  CHECK(e2e.grades[0].steps == 20 * 4);
  CHECK(e2e.network.grades[0].hidden[0].weights != three.network.grades[0].hidden[0].weights);
  CHECK(e2e.grades[0].parameters == three.network.parameter_count());
}

TEST_CASE("determinism: one seed, the same history apart from the time") {
  const DataSets data = sine_data("sin(4*pi*x)", 128);
  TrainResult a, b, c;
  TrainOptions o = quick(10);
  auto ha = run(parse_architecture("[1,8,1],[8,8,1]"), data, o, &a);
  auto hb = run(parse_architecture("[1,8,1],[8,8,1]"), data, o, &b);
  o.seed = 10;
  auto hc = run(parse_architecture("[1,8,1],[8,8,1]"), data, o, &c);
  REQUIRE(ha.size() == hb.size());
  for (std::size_t i = 0; i < ha.size(); ++i) {
    CHECK(ha[i].train_loss == hb[i].train_loss);
    CHECK(ha[i].val_loss == hb[i].val_loss);
    CHECK(ha[i].test_rse == hb[i].test_rse);
  }
  CHECK(ha.back().train_loss != hc.back().train_loss);
}

TEST_CASE("SGDL, full-batch GD, early stopping and interruption") {
  const DataSets data = sine_data("sin(2*pi*x)", 128);
  TrainOptions o;
  o.schedule = {{300, 1e-2, 1e-2, 0}};
  const TrainResult s = train_sgdl(parse_architecture("[1,16,16,1]"), data, o, {});
  CHECK(s.grades.at(0).steps == 300);
  CHECK(s.grades.at(0).train_rse < 0.5);
  o.optimizer = Optimizer::gd;
  o.schedule = {{200, 0.05, 0.05, 0}};
  const TrainResult g = train_sgdl(parse_architecture("[1,16,1]"), data, o, {});
  CHECK(g.grades.at(0).train_rse < 1.0);
  // Early stop: a learning rate too large to improve makes the validation loss stall.
  o.optimizer = Optimizer::adam;
  o.schedule = {{5000, 10, 10, 0}};
  o.patience = 50;
  o.log_every = 10;
  const TrainResult e = train_sgdl(parse_architecture("[1,8,1]"), data, o, {});
  CHECK(e.grades.at(0).stop_reason == "early stop");
  CHECK(e.grades.at(0).epochs < 5000);
  std::atomic<bool> stop{false};
  Callbacks cb;
  cb.stop = &stop;
  cb.on_grade = [&](const GradeSummary&) { stop = true; };  // Ctrl-C right after grade 1
  const TrainResult i = train_mgdl(parse_architecture("[1,8,1],[8,8,1]x2"), data, quick(5), cb);
  CHECK(i.interrupted);
  CHECK(i.network.grades.size() == 1);
  CHECK_THROWS_WITH(train_sgdl(parse_architecture("[1,8,1],[8,8,1]"), data, o, {}),
                    "an end-to-end network is one bracket, e.g. [1,32,32,1]");
  o.schedule = {{0, 1, 1, 0}};
  CHECK_THROWS_WITH(train_sgdl(parse_architecture("[1,8,1]"), data, o, {}),
                    "epochs must be in 1..10^8, got 0");
}

TEST_CASE("ResNet: trained end to end from SGDL's initial weights, folded into the same function") {
  const DataSets data = sine_data("sin(2*pi*x)", 128);
  TrainOptions o;
  o.schedule = {{300, 1e-2, 1e-3, 0}};
  const Architecture arch = parse_architecture("[1,8,8,8,1]");
  const TrainResult r = train_resnet(arch, data, o, {});
  REQUIRE(r.network.grades.size() == 1);
  const Grade& g = r.network.grades.front();
  REQUIRE(g.hidden.size() == 3);
  CHECK(!g.hidden[0].residual);
  CHECK(g.hidden[1].residual);
  CHECK(g.hidden[2].residual);
  CHECK(r.grades.at(0).parameters == 2 * 8 + 2 * 72 + 9);  // as the plain [1,8,8,8,1]
  CHECK(r.grades.at(0).steps == 300);
  CHECK(r.grades.at(0).train_rse < 0.5);

  // The folded exact network equals the trained ResNet's double forward pass (to rounding).
  const net::MultigradeNetwork folded = to_multigrade(r.network);
  std::vector<double> xs;
  for (int k = 0; k <= 32; ++k) xs.push_back(k / 32.0);
  const auto phi = cumulative_predictions(r.network, xs);
  double worst = 0;
  for (std::size_t i = 0; i < xs.size(); ++i)
    worst = std::max(
        worst, std::fabs(phi[0][i] - num::to_double_nearest(folded.evaluate({exact_rational(xs[i])}, 1))));
  CHECK(worst < 1e-12);
  // The same network without its skips is another function (the fold kept them).
  StairNetwork plain = r.network;
  for (DenseLayer& l : plain.grades[0].hidden) l.residual = false;
  const auto phi_plain = cumulative_predictions(plain, xs);
  double apart = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) apart = std::max(apart, std::fabs(phi_plain[0][i] - phi[0][i]));
  CHECK(apart > 1e-3);

  // One step at lr 1e-9 leaves the initial weights: the ResNet's are SGDL's.
  o.schedule = {{1, 1e-9, 1e-9, 0}};
  const Grade a = train_resnet(arch, data, o, {}).network.grades.front();
  const Grade b = train_sgdl(arch, data, o, {}).network.grades.front();
  for (std::size_t l = 0; l < a.hidden.size(); ++l)
    for (std::size_t i = 0; i < a.hidden[l].weights.size(); ++i)
      REQUIRE(std::fabs(a.hidden[l].weights[i] - b.hidden[l].weights[i]) < 1e-8);
  CHECK_THROWS_WITH(train_resnet(parse_architecture("[1,8,4,1]"), data, o, {}),
                    "resnet: [1,8,4,1] has unequal hidden widths (identity skips need one width)");
}

TEST_CASE("initial weights: PyTorch's uniform default, or He normal with zero biases") {
  const DataSets data = sine_data("sin(4*pi*x)", 64);
  const Architecture a = parse_architecture("[1,64,1],[64,64,1]");
  TrainOptions o = quick(1);
  o.schedule = {{1, 1e-12, 1e-12, 0}};  // one step of lr 1e-12: the weights are their initial values
  o.optimizer = Optimizer::gd;
  TrainResult uniform, he;
  run(a, data, o, &uniform);
  o.init = Init::he;
  run(a, data, o, &he);
  // Grade 2's hidden layer: fan_in 64, 4096 weights. Uniform on ±1/8 has variance 1/192 and
  // no |w| above 1/8; He normal has variance 2/64 and P(|w| > 1/8) = P(|Z| > 1/√2) = 0.4795.
  auto moments = [](const std::vector<double>& w, double bound) {
    double s2 = 0;
    long above = 0;
    for (double v : w) {
      s2 += v * v;
      above += std::fabs(v) > bound;
    }
    return std::pair<double, double>{s2 / static_cast<double>(w.size()),
                                     static_cast<double>(above) / static_cast<double>(w.size())};
  };
  const DenseLayer& lu = uniform.network.grades[1].hidden[0];
  const DenseLayer& lh = he.network.grades[1].hidden[0];
  const auto [vu, au] = moments(lu.weights, 0.125 + 1e-9);
  const auto [vh, ah] = moments(lh.weights, 0.125);
  CHECK(vu == doctest::Approx(1.0 / 192).epsilon(0.08));
  CHECK(au == 0.0);
  CHECK(vh == doctest::Approx(2.0 / 64).epsilon(0.08));
  CHECK(ah == doctest::Approx(0.4795).epsilon(0.06));
  for (const Grade& g : he.network.grades) {
    for (double b : g.hidden[0].bias) CHECK(std::fabs(b) < 1e-9);  // zero up to the one tiny step
    CHECK(std::fabs(g.head.bias[0]) < 1e-9);
  }
  double bu = 0;
  for (double b : lu.bias) bu = std::max(bu, std::fabs(b));
  CHECK(bu > 0.05);
  CHECK(bu <= 0.125 + 1e-9);
}
