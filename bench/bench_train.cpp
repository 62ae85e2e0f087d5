// Training speed of mgdl's trainer (src/train, Eigen) on one case; the same
// case runs in PyTorch with bench/bench_train_torch.py; bench/run_train_bench.sh
// runs both side by side. One JSON line per grade on stdout, peak RSS last.
//
//   bench_train --mgdl '[1,32,1],[32,32,1]x3' --points 1024 --batch 0 --epochs 2000
//   bench_train --sgdl '[1,256,256,1]' --points 6000 --batch 32 --epochs 5
#include <malloc.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "mgdl/train/trainer.hpp"

using namespace mgdl;

int main(int argc, char** argv) {
  std::string mgdl_arch, sgdl_arch,
      activation = "relu",
      target = "sin(2*pi*x+6.0652933)+sin(2*pi*5.5*x+1.9772031)+sin(2*pi*10*x+3.9774444)";
  long points = 1024, batch = 0, epochs = 1000;
  double lr = 1e-3;
  bool keep_heap = true;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value after %s\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    const std::string a = argv[i];
    if (a == "--mgdl")
      mgdl_arch = next();
    else if (a == "--sgdl")
      sgdl_arch = next();
    else if (a == "--points")
      points = std::stol(next());
    else if (a == "--batch")
      batch = std::stol(next());
    else if (a == "--epochs")
      epochs = std::stol(next());
    else if (a == "--lr")
      lr = std::stod(next());
    else if (a == "--activation")
      activation = next();
    else if (a == "--target")
      target = next();
    else if (a == "--no-mallopt")
      keep_heap = false;
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (keep_heap) {  // as mgdl-verify train does
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
  }
  train::DoubleTarget f(expr::Expression::parse(target));
  train::Rng rng(1);
  train::DataSets data;
  data.train = train::sample(f, {{0.0}, {1.0}}, {train::Sampling::grid, points}, 0, rng);
  data.val = train::sample(f, {{0.0}, {1.0}}, {train::Sampling::uniform, 0}, 0, rng);
  data.test = data.val;
  train::TrainOptions o;
  o.schedule = {{epochs, lr, lr, batch}};
  o.activations = {activation == "sin"    ? train::Activation::sin
                   : activation == "tanh" ? train::Activation::tanh
                                          : train::Activation::relu};
  o.log_every = epochs;  // one evaluation per grade, at its end (the torch script does the same)
  train::Callbacks cb;
  cb.on_grade = [](const train::GradeSummary& g) {
    std::printf(
        "{\"grade\": %d, \"steps\": %ld, \"seconds\": %.6f, \"us_per_step\": %.3f, \"train_loss\": %.6e}\n",
        g.grade, g.steps, g.seconds, 1e6 * g.seconds / static_cast<double>(g.steps), g.train_loss);
  };
  if (!mgdl_arch.empty())
    train::train_mgdl(train::parse_architecture(mgdl_arch), data, o, cb);
  else
    train::train_sgdl(train::parse_architecture(sgdl_arch), data, o, cb);
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf("{\"peak_rss_mb\": %.1f}\n", static_cast<double>(u.ru_maxrss) / 1024.0);
  return 0;
}
