#include "certify_command.hpp"

#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "mgdl/expr/expression.hpp"
#include "mgdl/expr/program.hpp"
#include "mgdl/io/network_file.hpp"
#include "mgdl/net/serialize.hpp"
#include "mgdl/netcert/certify_network.hpp"
#include "network_certificate.hpp"
#include "options.hpp"
#include "output_files.hpp"
#include "progress.hpp"

namespace mgdl::cli {
namespace {

std::atomic<bool> g_cancel{false};
extern "C" void on_certify_sigint(int) {
  g_cancel.store(true);
}

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A network file read exactly (io: ONNX, safetensors, mgdl JSON, detected by
// content), with its bytes for the copy beside the certificate.
struct LoadedNetwork {
  io::ImportedNetwork imported;
  std::string bytes;
};

LoadedNetwork load_network(const std::string& path, int grades) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read network file '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  LoadedNetwork out;
  out.bytes = buffer.str();
  try {
    out.imported = io::read_network_bytes(out.bytes, path);
    if (grades > 0) out.imported = io::regroup(std::move(out.imported), grades);
  } catch (const io::InputError& e) {
    throw InputError(e.what());
  }
  return out;
}

expr::Domain make_domain(const std::vector<std::pair<num::Rational, num::Rational>>& axes, int d) {
  if (axes.empty()) return expr::Domain::unit(d);
  if (axes.size() != 1 && static_cast<int>(axes.size()) != d)
    throw InputError(
        fmt::format("--domain: {} intervals given for a target in {} variables", axes.size(), d));
  expr::Domain dom;
  for (int i = 0; i < d; ++i) {
    const auto& a = axes.size() == 1 ? axes.front() : axes[static_cast<std::size_t>(i)];
    dom.lo.push_back(a.first);
    dom.hi.push_back(a.second);
  }
  return dom;
}

std::string extension(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  return e.empty() ? ".bin" : e;
}

int invalid(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return kInvalidInput;
}

}  // namespace

void validate(const CertifyOptions& o) {
  if (o.precision < 53 || o.precision > 4096)
    throw UsageError("--precision: " + std::to_string(o.precision) + " is outside 53..4096");
  if (o.threads < 0 || o.threads > 256)
    throw UsageError("--threads: " + std::to_string(o.threads) + " is outside 0..256");
  if (o.time_limit_seconds && !(*o.time_limit_seconds > 0 && *o.time_limit_seconds <= 1e7))
    throw UsageError("--time-limit: must be a positive number of seconds");
  if (o.rel_gap < num::Rational(1, 1000000000000) || o.rel_gap > num::Rational(1, 2))
    throw UsageError("--rel-gap: must lie in 1e-12..0.5");
  if (o.out_dir.empty()) throw UsageError("--out: empty directory name");
  if (o.grades < 0 || o.grades > 1000)
    throw UsageError("--grades: " + std::to_string(o.grades) + " is outside 1..1000");
}

int run_certify(const CertifyOptions& opt) {
  LoadedNetwork loaded;
  std::optional<expr::Expression> target;
  expr::Domain domain;
  std::string text;
  try {
    loaded = load_network(opt.network, opt.grades);
    if (opt.expression) {
      text = *opt.expression;
    } else if (loaded.imported.target) {
      text = *loaded.imported.target;
    } else {
      throw InputError("no target: give EXPR (the network file's metadata names none)");
    }
    try {
      target = expr::Expression::parse(text);
    } catch (const expr::ParseError& e) {
      throw InputError(e.problem());
    }
    domain = make_domain(opt.domain.empty() ? loaded.imported.domain : opt.domain, target->dimension());
  } catch (const InputError& e) {
    return invalid(e.what());
  }
  expr::Program program = expr::Program::compile(*target, domain);
  if (std::string why = netcert::network_problem(loaded.imported.network, program); !why.empty())
    return invalid(why);
  expr::DomainCheck continuity = expr::check_domain(program);
  if (continuity.status == expr::DomainCheck::Status::rejected)
    return invalid("target is not defined and continuous on the domain: " + continuity.message);
  if (continuity.status == expr::DomainCheck::Status::undecided)
    return invalid("could not prove the target continuous on the domain: " + continuity.message);

  netcert::Options options;
  options.p = opt.p;
  options.certify.rel_gap = opt.rel_gap;
  options.certify.precision = opt.precision;
  options.certify.max_precision = std::max<slong>(1024, opt.precision);
  const unsigned cores = std::thread::hardware_concurrency();
  options.certify.threads = opt.threads > 0 ? opt.threads : static_cast<int>(cores == 0 ? 1 : cores);
  if (opt.time_limit_seconds)
    options.certify.deadline =
        std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                               std::chrono::duration<double>(*opt.time_limit_seconds));
  options.certify.cancel = &g_cancel;
  // One line as each claim is done, on stderr with or without a terminal, as the main command does
  // (a long certification must not look hung when its output goes to a log).
  if (!opt.quiet) {
    const auto start = std::chrono::steady_clock::now();
    options.progress = [start](const std::string& s) {
      const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr << progress_line(t, s + " done") << std::flush;
    };
  }
  if (std::string why = options.certify.problem(); !why.empty()) return invalid(why);
  try {
    ensure_directory(opt.out_dir);
  } catch (const std::runtime_error& e) {
    return invalid(e.what());
  }

  std::signal(SIGINT, on_certify_sigint);
  netcert::NetworkCertification c = netcert::certify_network(loaded.imported.network, program, options);
  std::signal(SIGINT, SIG_DFL);

  NetworkSource source{opt.network, "network-source" + extension(opt.network), loaded.imported.format,
                       loaded.imported.sha256};
  nlohmann::json cert =
      build_network_certificate(c, loaded.imported.network, *target, domain, options, source);
  const int code = c.complete ? kCertified : kNotCertified;
  const std::string dir = opt.out_dir + "/";
  write_file_atomically(dir + source.copy_name, loaded.bytes);
  std::vector<std::string> written{"certificate.json", "report.html", "report.md", source.copy_name};
  for (const auto& g : c.grades) {
    if (g.p1.verdict != netcert::Verdict::refuted) continue;
    std::vector<num::Rational> x = netcert::to_user_coordinates(g.p1.witness, domain);
    const std::string name = fmt::format("counterexample-grade{}.txt", g.index);
    write_file_atomically(dir + name, vnn_counterexample(x, g.p1.witness_output));
    written.push_back(name);
  }
  write_file_atomically(dir + "certificate.json", cert.dump(1) + "\n");
  write_file_atomically(dir + "report.md", render_network_markdown(cert));
  write_file_atomically(dir + "report.html", render_network_html(cert));

  if (opt.json) {
    nlohmann::json s = cert;
    s.erase("evidence");
    s["network"].erase("exact");
    s["format"] = "mgdl-network-summary";
    s["exit_code"] = code;
    s["out_dir"] = opt.out_dir;
    std::cout << s.dump(2) << "\n";
  } else if (!opt.quiet) {
    std::cout << render_network_summary(cert);
    std::string files;
    for (const auto& w : written) files += (files.empty() ? "" : ", ") + w;
    std::cout << fmt::format("{}: {}; wrote {}{{{}}}\n", code == kCertified ? "certified" : "not certified",
                             c.message, dir, files);
  }
  return code;
}

}  // namespace mgdl::cli
