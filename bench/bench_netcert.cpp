// `mgdl-verify certify` benchmarks (issue 12; bench/RESULTS.md, "netcert").
//
//   bench_netcert stair1d.json [mlp2d.json] [seconds]
//
// 1D: a trained 4-grade stair network Φ against sin(2πx), certified to rel-gap
// 1e-6 (sup-norm, L^1, L^2 of R_4 = f − Φ_4; then every claim of every grade),
// side by side in the same run with the piecewise-linear interpolant of f on as
// many uniform pieces as Φ_4 has (counted exactly), as the engine's structured
// hat correction and as the dense ReLU network that realises it.
// 2D: a trained [2,64,64,1] MLP against sin(2πx)cos(2πy) to rel-gap 1e-4.
// One thread. Bench inputs come from bench/netcert_train.py.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "mgdl/certify/dense_correction.hpp"
#include "mgdl/net/hat_correction.hpp"
#include "mgdl/net/serialize.hpp"
#include "mgdl/netcert/certify_network.hpp"
#include "mgdl/netcert/smooth_correction.hpp"

using namespace mgdl;
using num::Rational;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

net::MultigradeNetwork load(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return net::network_from_json(nlohmann::json::parse(s.str()));
}

certify::Options opts(const Rational& gap) {
  certify::Options o;
  o.rel_gap = gap;
  o.threads = 1;
  return o;
}

// "12 K8, 3 G4" from a rules string (docs/certificate-format.md).
std::string rule_counts(const std::string& rules) {
  std::vector<std::pair<std::string, int>> counts;
  for (std::size_t i = 0; i < rules.size();) {
    std::size_t j = i + 1;
    while (j < rules.size() && rules[j] >= '0' && rules[j] <= '9') ++j;
    const std::string token = rules.substr(i, j - i);
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == token; });
    if (it == counts.end())
      counts.emplace_back(token, 1);
    else
      ++it->second;
    i = j;
  }
  std::string out;
  for (const auto& [token, n] : counts) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + token;
  return out.empty() ? "-" : out;
}

// Sup-norm, L^1 and L^2 of one residual; returns seconds.
double norms(const resid::Residual& r, const Rational& gap, const char* label) {
  const double t0 = now();
  auto s = certify::certify_sup_norm(r, opts(gap));
  const double t1 = now();
  auto l1 = certify::certify_lp_norm(r, Rational(1), opts(gap));
  const double t2 = now();
  auto l2 = certify::certify_lp_norm(r, Rational(2), opts(gap));
  const double t = now() - t0;
  std::printf("  %-28s %8.3f s  sup [%.7g, %.7g] %s (%ld boxes)  L1 %s (%ld boxes)  L2 %s (%ld boxes)\n",
              label, t, num::to_double_approx(s.bounds.lower.value()),
              num::to_double_approx(s.bounds.upper.value()), certify::to_string(s.status), s.boxes,
              certify::to_string(l1.status), l1.boxes, certify::to_string(l2.status), l2.boxes);
  std::printf("  %-28s split: sup %.3f s, L1 %.3f s, L2 %.3f s\n", "", t1 - t0, t2 - t1, t0 + t - t2);
  std::printf("  %-28s rules: L1 %s; L2 %s\n", "", rule_counts(l1.rules).c_str(),
              rule_counts(l2.rules).c_str());
  return t;
}

// Exact number of affine pieces of Φ on [0,1] (1D, piecewise linear): split at
// the kinks the enclosures expose, bisect where they cannot yet, then merge
// neighbours with equal slope.
std::size_t count_pieces(const std::vector<std::shared_ptr<const net::Correction>>& hs) {
  std::vector<std::pair<net::Box, Rational>> pieces;  // box, slope
  std::vector<net::Box> stack{net::Box::unit(1)};
  while (!stack.empty()) {
    net::Box b = stack.back();
    stack.pop_back();
    std::vector<Rational> cuts;
    bool affine = true;
    Rational slope(0);
    for (const auto& h : hs) {
      net::LinearEnclosure e = h->enclose(b);
      affine = affine && e.affine;
      if (e.affine) slope += e.gradient_lo[0];
      for (auto& t : h->axis_breakpoints(b, 0)) cuts.push_back(t);
    }
    if (affine) {
      pieces.emplace_back(b, slope);
      continue;
    }
    Rational cut = cuts.empty() ? (b.lo[0] + b.hi[0]) / 2 : cuts.front();
    net::Box lo = b, hi = b;
    lo.hi[0] = cut;
    hi.lo[0] = cut;
    stack.push_back(hi);
    stack.push_back(lo);
  }
  std::sort(pieces.begin(), pieces.end(),
            [](const auto& a, const auto& b) { return a.first.lo[0] < b.first.lo[0]; });
  std::size_t n = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i)
    if (i == 0 || pieces[i].second != pieces[i - 1].second) ++n;
  return n;
}

// The interpolant of f on N uniform pieces (node values rounded to 2^-60):
// hat form, and the dense network v_0 + Σ_i (s_i − s_{i−1}) relu(x − i/N).
void interpolants(const expr::Program& f, std::size_t N, std::shared_ptr<const net::Correction>& hat,
                  std::shared_ptr<const net::Correction>& dense) {
  std::vector<Rational> grid, v;
  std::vector<net::HatNode> nodes;
  for (std::size_t i = 0; i <= N; ++i) {
    Rational t(static_cast<long>(i), static_cast<long>(N));
    num::Ball b = expr::evaluate_point(f, {t}, 128);
    Rational y = num::round_down(num::lower_rational(b), 60);
    grid.push_back(t);
    v.push_back(y);
    nodes.push_back({{static_cast<int>(i)}, y});
  }
  hat = std::make_shared<net::HatCorrection>(1, std::vector<std::vector<Rational>>{grid}, nodes);
  net::GradeBlock b;
  net::AffineLayer hidden;
  hidden.inputs = 1;
  hidden.outputs = static_cast<int>(N);
  net::AffineLayer out;
  out.inputs = static_cast<int>(N);
  out.outputs = 1;
  out.activation = net::Activation::identity;
  out.bias = {v[0]};
  Rational prev(0);
  for (std::size_t i = 0; i < N; ++i) {
    hidden.weights.push_back({static_cast<int>(i), 0, Rational(1)});
    hidden.bias.push_back(-grid[i]);
    Rational s = (v[i + 1] - v[i]) * static_cast<long>(N);
    if (s != prev) out.weights.push_back({0, static_cast<int>(i), s - prev});
    prev = s;
  }
  b.layers.push_back(hidden);
  b.readout = out;
  auto n = std::make_shared<net::MultigradeNetwork>(1);
  n->add_grade(b);
  dense = std::make_shared<netcert::SmoothCorrection>(n, 1);  // the engines' network path (N8.1)
}

void whole(const net::MultigradeNetwork& n, const expr::Program& f, const Rational& gap, double seconds,
           const char* label) {
  netcert::Options o;
  o.certify = opts(gap);
  o.certify.deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  const double t0 = now();
  double last = t0;
  // Where the time goes: seconds spent up to each finished stage.
  o.progress = [&](const std::string& stage) {
    const double t = now();
    std::printf("    %-34s %7.3f s\n", stage.c_str(), t - last);
    last = t;
  };
  auto c = netcert::certify_network(n, f, o);
  std::printf("  %-28s %8.3f s  %s: %s\n", label, now() - t0, c.complete ? "complete" : "incomplete",
              c.message.c_str());
  for (const auto& g : c.grades)
    std::printf("    grade %d: sup U %.7g  P1 %s  ratio %.4g\n", g.index,
                num::to_double_approx(g.norms.sup.bounds.upper.value()), netcert::to_string(g.p1.verdict),
                g.ratio_upper ? num::to_double_approx(*g.ratio_upper) : -1.0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_netcert stair1d.json [mlp2d.json] [seconds]\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const double seconds = argc > 3 ? std::atof(argv[3]) : 600;
  const Rational gap1(1, 1000000);
  {
    auto net1 = std::make_shared<net::MultigradeNetwork>(load(argv[1]));
    auto f = expr::Program::compile(expr::Expression::parse("sin(2*pi*x)"), expr::Domain::unit(1));
    std::vector<std::shared_ptr<const net::Correction>> hs;
    for (int m = 1; m <= net1->grades(); ++m)
      hs.push_back(std::make_shared<certify::DenseCorrection>(net1, m));
    // R_G as certify_network forms it: Φ_G as one correction (N8.1).
    resid::Residual r =
        resid::Residual(f).with(std::make_shared<netcert::SmoothCorrection>(net1, net1->grades(), 1));
    const std::size_t N = count_pieces(hs);
    std::printf("1D: %d-grade stair, width %d, Phi_%d has %zu pieces; rel-gap 1e-6, 1 thread\n",
                net1->grades(), net1->block(1).width(), net1->grades(), N);
    std::shared_ptr<const net::Correction> hat, dense;
    interpolants(f, N, hat, dense);
    const double t_net = norms(r, gap1, "R_G of the stair");
    const double t_hat = norms(resid::Residual(f).with(hat), gap1, "f - PL interpolant (hat)");
    const double t_dense = norms(resid::Residual(f).with(dense), gap1, "f - PL interpolant (dense)");
    std::printf("  ratio stair / hat interpolant = %.2f, stair / dense interpolant = %.2f\n", t_net / t_hat,
                t_net / t_dense);
    whole(*net1, f, gap1, seconds, "certify, all claims");
  }
  if (argc > 2) {
    auto net2 = load(argv[2]);
    auto f2 =
        expr::Program::compile(expr::Expression::parse("sin(2*pi*x)*cos(2*pi*y)"), expr::Domain::unit(2));
    std::printf("2D: [2,%d,%d,1] MLP; rel-gap 1e-4, 1 thread, limit %.0f s\n",
                net2.block(1).layers[0].outputs, net2.block(1).layers[1].outputs, seconds);
    whole(net2, f2, Rational(1, 10000), seconds, "certify, all claims");
  }
  return 0;
}
