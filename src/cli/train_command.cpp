#include "train_command.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mgdl/expr/program.hpp"
#include "mgdl/net/serialize.hpp"
#include "mgdl/netcert/certify_network.hpp"
#include "mgdl/report/decimal.hpp"
#include "mgdl/train/spectrum.hpp"
#include "mgdl/train/trainer.hpp"
#include "options.hpp"
#include "output_files.hpp"
#include "train_report.hpp"

namespace mgdl::cli {

namespace {

using nlohmann::json;

std::atomic<bool> g_stop{false};
extern "C" void mgdl_train_on_sigint(int) {
  g_stop = true;
}

struct TrainCommandOptions {
  std::string expression;
  std::string config;
  std::string domain;
  std::string mgdl, sgdl, resnet;
  std::string activation = "relu", sgdl_activation;
  std::string optimizer = "adam";
  std::string init = "uniform";
  std::string epochs = "1000", lr = "1e-3", lr_min, batch = "0";
  std::string sgdl_epochs, sgdl_lr, sgdl_lr_min, sgdl_batch;
  long finetune_epochs = 0;
  long stair_epochs = 0;
  std::string finetune_lr;
  long patience = 0, log_every = 0;
  std::uint64_t seed = 1;
  long train_points = 1024, val_points = 256, test_points = 1024;
  std::string train_sampling = "grid";
  double noise = 0;
  bool certify = false;
  std::string rel_gap = "1e-3";
  double certify_time_limit = 60;
  std::string out_dir = "mgdl-train";
  bool quiet = false;
};

void add_options(CLI::App& app, TrainCommandOptions& o) {
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("EXPR", o.expression, "target f, e.g. 'sin(32*pi*x)' (variables x,y,z set d = 1..3)");
  app.add_option("--config", o.config, "JSON file of options (keys = long option names, \"target\" = EXPR)");
  app.add_option("--domain", o.domain, "box: lo:hi for every axis, or lo:hi,... per axis (default 0:1)");
  app.add_option("--mgdl", o.mgdl, "grade-wise architecture, e.g. '[1,32,1],[32,32,1]x3'");
  app.add_option("--sgdl", o.sgdl, "end-to-end architecture, e.g. '[1,32,32,32,32,1]'");
  app.add_option("--resnet", o.resnet,
                 "end-to-end ResNet, e.g. '[1,32,32,32,32,1]': equal hidden widths, identity skips "
                 "h + relu(W h + b) after the first layer; trained with the SGDL options");
  app.add_option("--activation", o.activation, "relu, tanh or sin; a list gives one per grade")
      ->capture_default_str();
  app.add_option("--sgdl-activation", o.sgdl_activation,
                 "SGDL activation (default: the first of --activation)");
  app.add_option("--optimizer", o.optimizer, "adam or gd (full-batch GD when --batch 0)")
      ->capture_default_str();
  app.add_option("--init", o.init,
                 "initial weights: uniform (PyTorch's nn.Linear default, U(+-1/sqrt(fan_in)) weights and "
                 "biases) or he (N(0, 2/fan_in) weights, zero biases)")
      ->capture_default_str();
  app.add_option("--epochs", o.epochs, "epochs per grade, a list repeats its last")->capture_default_str();
  app.add_option("--lr", o.lr, "initial learning rate per grade")->capture_default_str();
  app.add_option("--lr-min", o.lr_min, "final learning rate per grade (exponential decay; default = --lr)");
  app.add_option("--batch", o.batch, "mini-batch size per grade, 0 = full batch")->capture_default_str();
  app.add_option("--sgdl-epochs", o.sgdl_epochs,
                 "SGDL and ResNet epochs (default: the sum over the MGDL grades)");
  app.add_option("--sgdl-lr", o.sgdl_lr, "SGDL and ResNet learning rate (default: the first of --lr)");
  app.add_option("--sgdl-lr-min", o.sgdl_lr_min,
                 "SGDL and ResNet final learning rate (default: the first of --lr-min)");
  app.add_option("--sgdl-batch", o.sgdl_batch, "SGDL and ResNet batch size (default: the first of --batch)");
  app.add_option("--finetune-epochs", o.finetune_epochs,
                 "then train all MGDL grades jointly (unfrozen), 0 = off")
      ->capture_default_str();
  app.add_option("--stair-epochs", o.stair_epochs,
                 "also train the MGDL stair end to end from its initial weights (no freezing), 0 = off")
      ->capture_default_str();
  app.add_option("--finetune-lr", o.finetune_lr,
                 "learning rate of the joint fine-tuning (default: last --lr-min)");
  app.add_option("--patience", o.patience,
                 "early stop after N epochs without a better validation loss (0 = off)")
      ->capture_default_str();
  app.add_option("--log-every", o.log_every, "epochs between history rows (0 = about 200 per grade)");
  app.add_option("--seed", o.seed, "seed of data, initialisation and batches")->capture_default_str();
  app.add_option("--train-points", o.train_points, "training points")->capture_default_str();
  app.add_option("--train-sampling", o.train_sampling, "grid or uniform")->capture_default_str();
  app.add_option("--val-points", o.val_points, "validation points (uniform)")->capture_default_str();
  app.add_option("--test-points", o.test_points, "test points (uniform)")->capture_default_str();
  app.add_option("--noise", o.noise, "standard deviation of Gaussian noise on training targets");
  app.add_flag("--certify", o.certify,
               "certify every trained network (sup-norm, L^2, P1, P3 per grade)");
  app.add_option("--rel-gap", o.rel_gap, "relative gap of the certified bounds")->capture_default_str();
  app.add_option("--certify-time-limit", o.certify_time_limit, "seconds per certified network")
      ->capture_default_str();
  app.add_option("--out", o.out_dir, "output directory")->capture_default_str();
  app.add_flag("--quiet", o.quiet, "no progress on stderr");
}

// The config file as command-line tokens (placed before the real ones, so
// that options given on the command line win).
std::vector<std::string> config_tokens(const std::string& path, const CLI::App& app) {
  std::ifstream in(path);
  if (!in) throw UsageError("--config: cannot read '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  const json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw UsageError("--config: '" + path + "' is not a JSON object");
  std::vector<std::string> out;
  for (const auto& [key, value] : j.items()) {
    if (key == "target") {
      if (!value.is_string()) throw UsageError("--config: \"target\" must be a string");
      out.push_back(value.get<std::string>());
      continue;
    }
    if (key == "config" || key == "_comment") continue;
    const CLI::Option* opt = app.get_option_no_throw("--" + key);
    if (opt == nullptr) throw UsageError("--config: unknown key \"" + key + "\"");
    auto scalar = [&](const json& v) -> std::string {
      if (v.is_string()) return v.get<std::string>();
      if (v.is_number_integer()) return std::to_string(v.get<long long>());
      if (v.is_number()) return fmt::format("{}", v.get<double>());
      throw UsageError("--config: \"" + key + "\" must be a string, a number or a list of them");
    };
    if (value.is_boolean()) {
      if (opt->get_expected_min() != 0) throw UsageError("--config: \"" + key + "\" is not a flag");
      if (value.get<bool>()) out.push_back("--" + key);
    } else if (value.is_array()) {
      std::string joined;
      for (const json& v : value) joined += (joined.empty() ? "" : ",") + scalar(v);
      out.push_back("--" + key);
      out.push_back(joined);
    } else {
      out.push_back("--" + key);
      out.push_back(scalar(value));
    }
  }
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

double parse_double(const std::string& s, const std::string& option) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
    throw UsageError(option + ": '" + s + "' is not a finite number");
  return v;
}

long parse_long(const std::string& s, const std::string& option) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size() || errno != 0)
    throw UsageError(option + ": '" + s + "' is not an integer");
  return v;
}

template <class F>
auto parse_list(const std::string& s, const std::string& option, F parse) {
  std::vector<decltype(parse(s, option))> out;
  for (const std::string& item : split(s)) out.push_back(parse(item, option));
  return out;
}

train::Activation parse_activation(const std::string& s) {
  if (s == "relu") return train::Activation::relu;
  if (s == "tanh") return train::Activation::tanh;
  if (s == "sin") return train::Activation::sin;
  throw UsageError("--activation: '" + s + "' is not relu, tanh or sin");
}

// Everything validated before training starts (and before the output directory is touched).
struct Plan {
  expr::Expression target = expr::Expression::parse("x");
  expr::Domain domain;
  train::BoxD box;
  train::Architecture mgdl, sgdl, resnet;
  train::TrainOptions mgdl_options, sgdl_options, finetune_options, stair_options;
  bool run_mgdl = false, run_sgdl = false, run_resnet = false;
  json config;
};

std::vector<train::GradeSchedule> schedules(const std::string& epochs, const std::string& lr,
                                            const std::string& lr_min, const std::string& batch) {
  const auto e = parse_list(epochs, "--epochs", parse_long);
  const auto l = parse_list(lr, "--lr", parse_double);
  const auto m = lr_min.empty() ? l : parse_list(lr_min, "--lr-min", parse_double);
  const auto b = parse_list(batch, "--batch", parse_long);
  const std::size_t n = std::max({e.size(), l.size(), m.size(), b.size()});
  std::vector<train::GradeSchedule> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back({e[std::min(i, e.size() - 1)], l[std::min(i, l.size() - 1)], m[std::min(i, m.size() - 1)],
                   b[std::min(i, b.size() - 1)]});
  return out;
}

void check_options(const train::TrainOptions& o, const char* what) {
  try {
    train::validate(o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string(what) + ": " + e.what());
  }
}

Plan make_plan(const TrainCommandOptions& o) {
  Plan p;
  if (o.expression.empty()) throw UsageError("train: no target (give EXPR or \"target\" in --config)");
  try {
    p.target = expr::Expression::parse(o.expression);
  } catch (const expr::ParseError& e) {
    throw UsageError("target: " + e.problem());
  }
  const int d = p.target.dimension();
  if (d < 1 || d > 3)
    throw UsageError("train: the target must have 1 to 3 variables, it has " + std::to_string(d));
  const auto axes =
      o.domain.empty() ? std::vector<std::pair<num::Rational, num::Rational>>{} : parse_domain(o.domain);
  if (axes.size() > 1 && static_cast<int>(axes.size()) != d)
    throw UsageError(
        fmt::format("--domain: {} intervals given for a target in {} variables", axes.size(), d));
  p.domain = expr::Domain::unit(d);
  for (int i = 0; i < d; ++i) {
    if (!axes.empty()) {
      const auto& a = axes.size() == 1 ? axes.front() : axes[static_cast<std::size_t>(i)];
      p.domain.lo[static_cast<std::size_t>(i)] = a.first;
      p.domain.hi[static_cast<std::size_t>(i)] = a.second;
    }
    p.box.lo.push_back(num::to_double_nearest(p.domain.lo[static_cast<std::size_t>(i)]));
    p.box.hi.push_back(num::to_double_nearest(p.domain.hi[static_cast<std::size_t>(i)]));
  }
  p.run_sgdl = !o.sgdl.empty();
  p.run_resnet = !o.resnet.empty();
  p.run_mgdl = !o.mgdl.empty() || (!p.run_sgdl && !p.run_resnet);
  try {
    if (p.run_mgdl) {
      p.mgdl = train::parse_architecture(!o.mgdl.empty() ? o.mgdl : fmt::format("[{},32,1],[32,32,1]x3", d));
      train::validate_architecture(p.mgdl, d);
    }
    if (p.run_sgdl) {
      p.sgdl = train::parse_architecture(o.sgdl);
      train::validate_architecture(p.sgdl, d);
      if (p.sgdl.size() != 1) throw train::ArchitectureError("--sgdl: an end-to-end network is one bracket");
    }
    if (p.run_resnet) {
      p.resnet = train::parse_architecture(o.resnet);
      if (p.resnet.size() != 1) throw train::ArchitectureError("--resnet: a residual network is one bracket");
      train::validate_resnet(p.resnet, d);
    }
  } catch (const train::ArchitectureError& e) {
    throw UsageError(e.what());
  }
  train::Optimizer opt;
  if (o.optimizer == "adam")
    opt = train::Optimizer::adam;
  else if (o.optimizer == "gd")
    opt = train::Optimizer::gd;
  else
    throw UsageError("--optimizer: '" + o.optimizer + "' is not adam or gd");
  train::Init init;
  if (o.init == "uniform")
    init = train::Init::uniform;
  else if (o.init == "he")
    init = train::Init::he;
  else
    throw UsageError("--init: '" + o.init + "' is not uniform or he");
  const auto sched = schedules(o.epochs, o.lr, o.lr_min, o.batch);
  std::vector<train::Activation> acts;
  for (const std::string& a : split(o.activation)) acts.push_back(parse_activation(a));
  p.mgdl_options.optimizer = opt;
  p.mgdl_options.schedule = sched;
  p.mgdl_options.activations = acts;
  p.mgdl_options.patience = o.patience;
  p.mgdl_options.log_every = o.log_every;
  p.mgdl_options.seed = o.seed;
  p.mgdl_options.init = init;
  check_options(p.mgdl_options, "--epochs/--lr/--batch");
  p.sgdl_options = p.mgdl_options;
  long total = 0;
  for (std::size_t k = 0; k < std::max<std::size_t>(1, p.mgdl.size()); ++k)
    total += p.mgdl_options.grade_schedule(static_cast<int>(k) + 1).epochs;
  train::GradeSchedule s = sched.front();
  s.epochs = o.sgdl_epochs.empty() ? total : parse_long(o.sgdl_epochs, "--sgdl-epochs");
  if (!o.sgdl_lr.empty()) s.lr_max = s.lr_min = parse_double(o.sgdl_lr, "--sgdl-lr");
  if (!o.sgdl_lr_min.empty()) s.lr_min = parse_double(o.sgdl_lr_min, "--sgdl-lr-min");
  if (!o.sgdl_batch.empty()) s.batch = parse_long(o.sgdl_batch, "--sgdl-batch");
  p.sgdl_options.schedule = {s};
  p.sgdl_options.activations = {o.sgdl_activation.empty() ? acts.front()
                                                          : parse_activation(o.sgdl_activation)};
  if (p.run_sgdl || p.run_resnet) check_options(p.sgdl_options, "SGDL");
  // Exported and certified as a plain ReLU network: the skips fold only through relu.
  if (p.run_resnet && p.sgdl_options.activations.front() != train::Activation::relu)
    throw UsageError("--resnet: the residual blocks are relu (their identity skips fold into ReLU layers)");
  p.finetune_options = p.mgdl_options;
  if (o.finetune_epochs != 0) {
    if (!p.run_mgdl) throw UsageError("--finetune-epochs: needs an MGDL run");
    train::GradeSchedule f = sched.back();
    f.epochs = o.finetune_epochs;
    f.lr_max = o.finetune_lr.empty() ? f.lr_min : parse_double(o.finetune_lr, "--finetune-lr");
    f.lr_min = std::min(f.lr_min, f.lr_max);
    p.finetune_options.schedule = {f};
    check_options(p.finetune_options, "--finetune-epochs/--finetune-lr");
  }
  p.stair_options = p.mgdl_options;
  if (o.stair_epochs != 0) {
    if (!p.run_mgdl) throw UsageError("--stair-epochs: needs an MGDL architecture");
    train::GradeSchedule st = sched.front();
    st.epochs = o.stair_epochs;
    p.stair_options.schedule = {st};
    check_options(p.stair_options, "--stair-epochs");
  }
  auto points = [](long n, const char* what) {
    if (n < 1 || n > 10000000) throw UsageError(fmt::format("{}: {} is outside 1..10^7", what, n));
  };
  points(o.train_points, "--train-points");
  if (o.val_points < 0 || o.val_points > 10000000) throw UsageError("--val-points: outside 0..10^7");
  if (o.test_points < 0 || o.test_points > 10000000) throw UsageError("--test-points: outside 0..10^7");
  if (o.train_sampling != "grid" && o.train_sampling != "uniform")
    throw UsageError("--train-sampling: '" + o.train_sampling + "' is not grid or uniform");
  if (!(o.noise >= 0 && o.noise <= 1e6)) throw UsageError("--noise: must be in [0, 10^6]");
  if (o.certify) {
    const double gap = parse_double(o.rel_gap, "--rel-gap");
    if (!(gap >= 1e-12 && gap < 1)) throw UsageError("--rel-gap: must be in [1e-12, 1)");
    if (!(o.certify_time_limit > 0 && o.certify_time_limit <= 1e7))
      throw UsageError("--certify-time-limit: must be a positive number of seconds");
  }
  if (o.out_dir.empty()) throw UsageError("--out: empty directory name");
  return p;
}

std::string csv_number(double v) {
  return fmt::format("{:.9e}", v);
}

// The dense grid: n points per axis at lo + (hi − lo)·j/n (a power of two, for spectra).
std::size_t grid_points_per_axis(int d) {
  return d == 1 ? 8192 : d == 2 ? 128 : 32;
}

std::vector<double> dense_grid(const train::BoxD& box, std::size_t n) {
  const int d = box.dimension();
  std::size_t total = 1;
  for (int i = 0; i < d; ++i) total *= n;
  std::vector<double> x;
  x.reserve(total * static_cast<std::size_t>(d));
  for (std::size_t k = 0; k < total; ++k) {
    std::size_t rest = k;
    std::vector<double> p(static_cast<std::size_t>(d));
    for (int i = d - 1; i >= 0; --i) {
      const auto u = static_cast<std::size_t>(i);
      p[u] = box.lo[u] + (box.hi[u] - box.lo[u]) * static_cast<double>(rest % n) / static_cast<double>(n);
      rest /= n;
    }
    x.insert(x.end(), p.begin(), p.end());
  }
  return x;
}

void grid_stats(TrainedRun& run, const std::vector<double>& x, const std::vector<double>& f) {
  run.grid_phi = train::cumulative_predictions(run.result.network, x);
  std::vector<double> prev = f;
  for (const std::vector<double>& phi : run.grid_phi) {
    double worst = 0;
    std::size_t up = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
      const double r = f[i] - phi[i];
      worst = std::max(worst, std::fabs(r));
      if (std::fabs(r) > std::fabs(prev[i])) ++up;
      prev[i] = r;
    }
    run.grid_max_error.push_back(worst);
    run.grid_increase.push_back(static_cast<double>(up) / static_cast<double>(f.size()));
  }
}

double rse(const train::Dataset& d, const std::vector<double>& phi) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < d.y.size(); ++i) {
    num += (d.y[i] - phi[i]) * (d.y[i] - phi[i]);
    den += d.y[i] * d.y[i];
  }
  return den > 0 ? num / den : num;
}

// A jointly trained stair reports one summary for the whole run; give each of
// its grades a row of its own (the RSE of Φ_k on train and test), as MGDL has.
void per_grade_rows(TrainedRun& run, const train::DataSets& data) {
  const std::size_t m = run.result.network.grades.size();
  if (run.result.grades.size() != 1 || m <= 1) return;
  const train::GradeSummary whole = run.result.grades.front();
  const auto train_phi = train::cumulative_predictions(run.result.network, data.train.x);
  const auto test_phi = train::cumulative_predictions(run.result.network, data.test.x);
  run.result.grades.clear();
  for (std::size_t k = 0; k < m; ++k) {
    train::GradeSummary g = whole;
    g.grade = static_cast<int>(k) + 1;
    g.parameters = run.result.network.grades[k].parameter_count();
    g.train_rse = rse(data.train, train_phi[k]);
    g.test_rse = data.test.size() > 0 ? rse(data.test, test_phi[k]) : 0.0;
    g.test_mse = 0;
    if (data.test.size() > 0) {
      double sq = 0;
      for (std::size_t i = 0; i < data.test.y.size(); ++i) sq += std::pow(data.test.y[i] - test_phi[k][i], 2);
      g.test_mse = sq / static_cast<double>(data.test.y.size());
    }
    run.result.grades.push_back(g);
  }
}

json exact_network_json(const train::StairNetwork& net, const Plan& p) {
  json j = net::to_json(train::to_multigrade(net));
  json dom = json::array();
  for (std::size_t i = 0; i < p.domain.lo.size(); ++i)
    dom.push_back(json::array({num::to_string(p.domain.lo[i]), num::to_string(p.domain.hi[i])}));
  j["metadata"] = {
      {"input_domain", dom}, {"target", p.target.to_string()}, {"producer", "mgdl-verify train"}};
  return j;
}

// A refutation's witness x* in user coordinates, exact ("p/q;p/q"), for grades.csv.
std::string witness_text(const netcert::PointwiseResult& p1, const expr::Domain& domain) {
  if (p1.verdict != netcert::Verdict::refuted) return "";
  std::string out;
  for (const num::Rational& x : netcert::to_user_coordinates(p1.witness, domain))
    out += (out.empty() ? "" : ";") + num::to_string(x);
  return out;
}

void certify_run(TrainedRun& run, const Plan& p, const TrainCommandOptions& o, bool quiet) {
  const net::MultigradeNetwork exact = train::to_multigrade(run.result.network);
  const expr::Program program = expr::Program::compile(p.target, p.domain);
  const std::string problem = netcert::network_problem(exact, program);
  if (!problem.empty()) {
    run.certify_note = "not certified: " + problem;
    return;
  }
  netcert::Options opt;
  opt.certify.rel_gap = num::parse_rational(o.rel_gap);
  opt.certify.deadline =
      std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                             std::chrono::duration<double>(o.certify_time_limit));
  opt.certify.cancel = &g_stop;
  opt.p = {num::Rational(2)};
  auto witness = [&](const netcert::PointwiseResult& p1) { return witness_text(p1, p.domain); };
  if (!quiet)
    opt.progress = [&](const std::string& what) {
      std::cerr << "certify " << run.name << ": " << what << "\n";
    };
  const netcert::NetworkCertification c = netcert::certify_network(exact, program, opt);
  for (const netcert::GradeResult& g : c.grades) {
    const auto& sup = g.norms.sup.bounds;
    const auto& l2 = g.norms.lp.front().bounds;
    // The enclosures are valid whatever their status; a negative upper end means unbounded.
    auto upper = [](const num::Rational& u) {
      return u < 0 ? std::string("inf") : report::decimal_upper(u, 4);
    };
    const bool reached =
        g.norms.sup.status == certify::Status::proven && g.norms.lp.front().status == certify::Status::proven;
    run.certified.push_back({report::decimal_lower(sup.lower.value(), 4), upper(sup.upper.value()),
                             report::decimal_lower(l2.lower.value(), 4), upper(l2.upper.value()),
                             reached ? "proven" : "not-certified", netcert::to_string(g.p1.verdict),
                             witness(g.p1), g.p3.empty() ? "-" : netcert::to_string(g.p3.front())});
  }
  run.certify_note = c.message;
}

std::string history_csv(const std::vector<TrainedRun>& runs) {
  std::string s =
      "run,grade,epoch,step,train_loss,val_loss,test_loss,train_rse,val_rse,test_rse,lr,seconds\n";
  for (const TrainedRun& r : runs)
    for (const train::HistoryRow& h : r.history)
      s += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{:.3f}\n", r.name, h.grade, h.epoch, h.step,
                       csv_number(h.train_loss), csv_number(h.val_loss), csv_number(h.test_loss),
                       csv_number(h.train_rse), csv_number(h.val_rse), csv_number(h.test_rse),
                       csv_number(h.lr), h.seconds);
  return s;
}

std::string grades_csv(const std::vector<TrainedRun>& runs, bool certified) {
  std::string s =
      "run,grade,parameters,epochs,steps,seconds,train_rse,test_rse,test_mse,grid_max_error,grid_frac_"
      "increase,stop";
  if (certified) s += ",sup_lower,sup_upper,l2_lower,l2_upper,norms,p1,p1_witness,p3_l2";
  s += "\n";
  for (const TrainedRun& r : runs)
    for (std::size_t k = 0; k < r.result.grades.size(); ++k) {
      const train::GradeSummary& g = r.result.grades[k];
      s += fmt::format("{},{},{},{},{},{:.3f},{},{},{},{},{},{}", r.name, g.grade, g.parameters, g.epochs,
                       g.steps, g.seconds, csv_number(g.train_rse), csv_number(g.test_rse),
                       csv_number(g.test_mse), csv_number(r.grid_max_error.at(k)),
                       csv_number(r.grid_increase.at(k)), g.stop_reason);
      if (certified) {
        if (k < r.certified.size())
          for (const std::string& c : r.certified[k]) s += "," + c;
        else
          s += ",,,,,not-certified,not-certified,,not-certified";
      }
      s += "\n";
    }
  return s;
}

}  // namespace

int run_train_command(int argc, const char* const* argv) {
  TrainCommandOptions o;
  Plan plan;
  try {
    CLI::App app{
        "mgdl-verify train: grade-wise (MGDL) and end-to-end (SGDL) training, exact networks, report"};
    app.name("mgdl-verify train");
    add_options(app, o);
    refuse_empty_values(app);
    std::vector<std::string> args(argv + 1, argv + argc);
    // --config FILE is read first; its tokens go before the command line's.
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string file;
      if (args[i] == "--config" && i + 1 < args.size())
        file = args[i + 1];
      else if (args[i].rfind("--config=", 0) == 0)
        file = args[i].substr(9);
      if (file.empty()) continue;
      std::vector<std::string> tokens = config_tokens(file, app);
      args.insert(args.begin(), tokens.begin(), tokens.end());
      break;
    }
    std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
    try {
      app.parse(args);
    } catch (const CLI::CallForHelp&) {
      std::cout << app.help();
      return kCertified;
    } catch (const CLI::ParseError& e) {
      throw UsageError(e.what());
    }
    plan = make_plan(o);
    ensure_directory(o.out_dir);
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kInvalidInput;
  } catch (const std::runtime_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kInvalidInput;
  }

  // Freed GEMM blocks stay in the heap: returning them to the system per step
  // was measured to slow small steps by up to 50x (issue 14).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  g_stop = false;
  const auto previous = std::signal(SIGINT, mgdl_train_on_sigint);

  const train::DoubleTarget f(plan.target);
  train::Rng rng(o.seed);
  train::DataSets data;
  try {
    data.train = train::sample(
        f, plan.box,
        {o.train_sampling == "grid" ? train::Sampling::grid : train::Sampling::uniform, o.train_points},
        o.noise, rng);
    data.val = train::sample(f, plan.box, {train::Sampling::uniform, o.val_points}, 0, rng);
    data.test = train::sample(f, plan.box, {train::Sampling::uniform, o.test_points}, 0, rng);
  } catch (const std::invalid_argument& e) {
    std::signal(SIGINT, previous);
    std::cerr << "error: " << e.what() << "\n";
    return kInvalidInput;
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<TrainedRun> runs;
  auto run = [&](const std::string& name, const std::string& arch, auto&& trainer) {
    TrainedRun r;
    r.name = name;
    r.architecture = arch;
    auto last_print = std::chrono::steady_clock::now() - std::chrono::seconds(10);
    train::Callbacks cb;
    cb.stop = &g_stop;
    cb.on_history = [&](const train::HistoryRow& h) {
      r.history.push_back(h);
      const auto now = std::chrono::steady_clock::now();
      if (!o.quiet && now - last_print > std::chrono::seconds(2)) {
        last_print = now;
        std::cerr << fmt::format(
            "train {} grade {} epoch {} loss {:.3e} val {:.3e} test RSE {:.3e} lr {:.2e} {:.1f}s\n", name,
            h.grade, h.epoch, h.train_loss, h.val_loss, h.test_rse, h.lr,
            std::chrono::duration<double>(now - start).count());
      }
    };
    cb.on_grade = [&](const train::GradeSummary& g) {
      if (!o.quiet)
        std::cerr << fmt::format(
            "train {} grade {} done: {} steps, train RSE {:.3e}, test RSE {:.3e}, {:.2f}s ({})\n", name,
            g.grade, g.steps, g.train_rse, g.test_rse, g.seconds, g.stop_reason);
    };
    r.result = trainer(cb);
    runs.push_back(std::move(r));
  };
  if (plan.run_mgdl)
    run("mgdl", train::to_string(plan.mgdl), [&](const train::Callbacks& cb) {
      return train::train_mgdl(plan.mgdl, data, plan.mgdl_options, cb);
    });
  if (plan.run_mgdl && o.finetune_epochs > 0 && !g_stop && !runs.back().result.network.grades.empty()) {
    const train::StairNetwork init = runs.back().result.network;
    run("finetune", train::to_string(plan.mgdl), [&](const train::Callbacks& cb) {
      return train::train_joint(init, data, plan.finetune_options, cb);
    });
  }
  if (plan.run_mgdl && o.stair_epochs > 0 && !g_stop)
    run("stair", train::to_string(plan.mgdl), [&](const train::Callbacks& cb) {
      return train::train_stair_end_to_end(plan.mgdl, data, plan.stair_options, cb);
    });
  if (plan.run_sgdl && !g_stop)
    run("sgdl", train::to_string(plan.sgdl), [&](const train::Callbacks& cb) {
      return train::train_sgdl(plan.sgdl, data, plan.sgdl_options, cb);
    });
  if (plan.run_resnet && !g_stop)
    run("resnet", train::to_string(plan.resnet), [&](const train::Callbacks& cb) {
      return train::train_resnet(plan.resnet, data, plan.sgdl_options, cb);
    });
  const bool interrupted = g_stop.load();

  TrainReportInput report;
  report.target = plan.target.to_string();
  report.d = plan.target.dimension();
  report.lo = plan.box.lo;
  report.hi = plan.box.hi;
  report.grid_n = grid_points_per_axis(report.d);
  const std::vector<double> grid_x = dense_grid(plan.box, report.grid_n);
  for (std::size_t i = 0; i < grid_x.size(); i += static_cast<std::size_t>(report.d))
    report.grid_f.push_back(f(grid_x.data() + i));
  for (TrainedRun& r : runs) {
    if (r.name != "mgdl") per_grade_rows(r, data);
    grid_stats(r, grid_x, report.grid_f);
    if (o.certify && !g_stop && !r.result.network.grades.empty()) certify_run(r, plan, o, o.quiet);
  }

  json config = {
      {"command", "mgdl-verify train"},
      {"target", plan.target.to_string()},
      {"dimension", report.d},
      {"domain", o.domain.empty() ? "0:1" : o.domain},
      {"mgdl", plan.run_mgdl ? train::to_string(plan.mgdl) : ""},
      {"sgdl", plan.run_sgdl ? train::to_string(plan.sgdl) : ""},
      {"resnet", plan.run_resnet ? train::to_string(plan.resnet) : ""},
      {"activation", o.activation},
      {"optimizer", o.optimizer},
      {"init", o.init},
      {"epochs", o.epochs},
      {"lr", o.lr},
      {"lr_min", o.lr_min.empty() ? o.lr : o.lr_min},
      {"batch", o.batch},
      {"sgdl_epochs", plan.sgdl_options.schedule.front().epochs},
      {"sgdl_lr", plan.sgdl_options.schedule.front().lr_max},
      {"sgdl_lr_min", plan.sgdl_options.schedule.front().lr_min},
      {"finetune_epochs", o.finetune_epochs},
      {"patience", o.patience},
      {"seed", o.seed},
      {"train_points", data.train.size()},
      {"train_sampling", o.train_sampling},
      {"val_points", o.val_points},
      {"test_points", o.test_points},
      {"noise", o.noise},
      {"loss", "0.5*mean((y-yhat)^2)"},
      {"certify", o.certify},
      {"versions",
       {{"mgdl", "0.1.0"}, {"linear_algebra", train::backend_version()}, {"compiler", __VERSION__}}},
      {"threads", 1},
      {"precision", "binary64 (training); exact dyadic weights in network.json"},
      {"interrupted", interrupted}};
  report.config_text = config.dump(2);
  try {
    write_file_atomically(o.out_dir + "/config.json", report.config_text + "\n");
    write_file_atomically(o.out_dir + "/history.csv", history_csv(runs));
    write_file_atomically(o.out_dir + "/grades.csv", grades_csv(runs, o.certify));
    for (const TrainedRun& r : runs) {
      if (r.result.network.grades.empty()) continue;
      const std::string file = r.name == "mgdl" ? "network.json" : r.name + "_network.json";
      write_file_atomically(o.out_dir + "/" + file,
                            exact_network_json(r.result.network, plan).dump(1) + "\n");
      // The same exact network for PyTorch users (trained weights are binary64, so exact).
      std::vector<io::Interval> domain;
      for (std::size_t i = 0; i < plan.domain.lo.size(); ++i)
        domain.emplace_back(plan.domain.lo[i], plan.domain.hi[i]);
      const std::string onnx = r.name == "mgdl" ? "network.onnx" : r.name + "_network.onnx";
      const std::string note = write_network_onnx(
          o.out_dir + "/" + onnx, train::to_multigrade(r.result.network), domain, plan.target.to_string());
      if (!note.empty()) std::cerr << "warning: " << note << "\n";
    }
    report.runs = std::move(runs);
    write_file_atomically(o.out_dir + "/report.html", train_report_html(report));
  } catch (const std::runtime_error& e) {
    std::signal(SIGINT, previous);
    std::cerr << "error: " << e.what() << "\n";
    return kInvalidInput;
  }
  std::signal(SIGINT, previous);
  if (!o.quiet) {
    for (const TrainedRun& r : report.runs)
      if (!r.result.grades.empty())
        std::cout << fmt::format("{} {}: {} grades, test RSE {:.3e}, max error on the grid {:.3e}\n", r.name,
                                 r.architecture, r.result.grades.size(), r.result.grades.back().test_rse,
                                 r.grid_max_error.back());
    std::cout << "wrote " << o.out_dir
              << "/{config.json,history.csv,grades.csv,network.json,network.onnx,report.html}\n";
  }
  if (interrupted) {
    std::cerr << "interrupted: kept the finished grades\n";
    return kNotCertified;
  }
  return kCertified;
}

}  // namespace mgdl::cli
