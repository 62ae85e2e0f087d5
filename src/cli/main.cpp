// mgdl-verify: build, certify and check multigrade ReLU networks (SPEC section 8).
#include "certify_command.hpp"
#include "compare.hpp"
#include "mgdl/check/check.hpp"
#include "options.hpp"
#include "train_command.hpp"
#include "verify.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <string>

namespace {

constexpr const char* kFooter = R"(Examples:
  mgdl-verify                                   # the default target, sin(8*pi*x)
  mgdl-verify 'sin(32*pi*x)' --grades 6
  mgdl-verify 'exp(-x^2)*cos(20*y)' --domain -1:1 --grades 3
  mgdl-verify 'sin(2*pi*x)*cos(2*pi*y)' --tol 0.5 --p 1,2,4 --out run2d
  mgdl-verify check mgdl-out/certificate.json
  mgdl-verify certify net.onnx 'sin(2*pi*x)' --out netcert   # a network from elsewhere
  mgdl-verify train 'sin(32*pi*x)' --mgdl '[1,32,1],[32,32,1]x3' --sgdl '[1,32,32,32,32,1]'  # training

Exit codes: 0 certified (every claim P1-P4 of every grade proven and the goal reached:
G grades, or the sup-norm below --tol; norm enclosures may stop short of --rel-gap, they are
listed) / check passed; 1 not certified (a claim not proven, or the run stopped before its goal)
/ check failed; 2 invalid input; 3 internal error.)";

}  // namespace

int main(int argc, char** argv) {
  using namespace mgdl::cli;
  if (argc >= 2 && std::string(argv[1]) == "train") return run_train_command(argc - 1, argv + 1);
  try {
    CLI::App app{"mgdl-verify: explicit multigrade ReLU networks with certified, grade-by-grade "
                 "contraction of the residual (sup-norm, pointwise, L^p)."};
    app.footer(kFooter);
    app.set_version_flag("--version", "mgdl-verify 0.1.0");

    VerifyOptions opt;
    std::string domain_text;
    std::string p_text;
    std::string tol_text;
    std::string gap_text;
    app.add_option("EXPR", opt.expression,
                   "target f on the domain, e.g. 'sin(32*pi*x)'; variables x,y,z or x1..x4 set d "
                   "(default: sin(8*pi*x))");
    app.add_option("--domain", domain_text,
                   "box: lo:hi for every axis, or lo:hi,lo:hi per axis (default 0:1)");
    app.add_option("--grades", opt.grades,
                   "number of grades to build (1..1000; default 6); with --tol only a cap (default 20)");
    app.add_option("--tol", tol_text,
                   "build grades until the certified sup-norm is below T; not reaching T exits 1");
    app.add_option("--scheme", opt.scheme, "construction: cutoff (the theorem's) or hat")
        ->capture_default_str();
    app.add_option("--p", p_text, "L^p norms to certify, comma-separated rationals >= 1 (default 1,2)");
    app.add_option("--precision", opt.precision, "working precision in bits (53..4096)")->capture_default_str();
    app.add_option("--threads", opt.threads, "worker threads (0 = all cores)")->capture_default_str();
    app.add_option("--time-limit", opt.time_limit_seconds, "seconds before stopping with what is proven");
    app.add_option("--max-cutoffs", opt.max_cutoffs, "budget of cutoffs per grade")->capture_default_str();
    app.add_option("--max-boxes", opt.max_boxes,
                   "boxes evaluated per norm enclosure before it stops short of the gap")
        ->capture_default_str();
    app.add_option("--lp-max-boxes", opt.lp_max_boxes,
                   "boxes per L^p enclosure (default: --max-boxes); lower, a run ends sooner with wider "
                   "L^p bounds (P3 rests on Theorem A where P1 holds)");
    app.add_option("--max-frontier", opt.max_frontier,
                   "open boxes kept per norm enclosure (the memory cap; about 1 KB each)")
        ->capture_default_str();
    app.add_option("--rel-gap", gap_text,
                   "relative gap (U-L)/U of certified norms, 1e-12..0.5 (default 1e-6)");
    app.add_option("--initial-level", opt.initial_level, "start grid of 2^k cells per axis")
        ->capture_default_str();
    app.add_option("--max-level", opt.max_level, "finest core level 2^-k")->capture_default_str();
    app.add_option("--out", opt.out_dir, "output directory")->capture_default_str();
    app.add_flag("--json", opt.json, "print the summary as one JSON document on stdout");
    app.add_flag("--quiet", opt.quiet, "print nothing but errors (no progress lines, no table)");

    std::string check_file;
    CLI::App* check = app.add_subcommand("check", "re-verify a certificate independently (MPFI, no shared code)");
    check->add_option("FILE", check_file, "certificate.json")->required();
    mgdl::check::CheckOptions check_opt;
    check
        ->add_option("--threads", check_opt.threads, "worker threads (0 = all cores; the output is the same)")
        ->capture_default_str()
        ->check(CLI::Range(0, 256));
    std::string compare_expr;
    CLI::App* compare = app.add_subcommand("compare", "run the cutoff and the hat scheme on EXPR side by side");
    compare->add_option("EXPR", compare_expr, "target f (the other options apply to both runs)")->required();
    compare->fallthrough();
    CertifyOptions cert_opt;
    std::string cert_expr, cert_domain, cert_p, cert_gap;
    CLI::App* certify =
        app.add_subcommand("certify", "certify a network from elsewhere against a target, grade by grade");
    certify->add_option("NETWORK", cert_opt.network, "network file: ONNX, safetensors or mgdl network JSON")
        ->required();
    certify->add_option("EXPR", cert_expr, "target f (optional when the file's metadata names one)");
    certify->add_option("--domain", cert_domain, "box the network reads: lo:hi, or lo:hi,... per axis (default 0:1)");
    certify->add_option("--p", cert_p, "L^p norms, comma-separated rationals >= 1 (default 1,2)");
    certify->add_option("--rel-gap", cert_gap, "relative gap (U-L)/U of certified bounds (default 1e-6)");
    certify->add_option("--precision", cert_opt.precision, "working precision in bits (53..4096)")
        ->capture_default_str();
    certify->add_option("--threads", cert_opt.threads, "worker threads (0 = all cores)")->capture_default_str();
    certify->add_option("--time-limit", cert_opt.time_limit_seconds, "seconds before stopping with what is decided");
    certify->add_option("--grades", cert_opt.grades, "keep grades 1..N-1 and merge the rest into grade N");
    certify->add_option("--out", cert_opt.out_dir, "output directory")->capture_default_str();
    certify->add_flag("--json", cert_opt.json, "print the summary as one JSON document on stdout");
    certify->add_flag("--quiet", cert_opt.quiet, "print nothing but errors");

    refuse_empty_values(app);
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      std::cout << app.help();
      return kCertified;
    } catch (const CLI::CallForVersion&) {
      std::cout << "mgdl-verify 0.1.0\n";
      return kCertified;
    } catch (const CLI::ParseError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kInvalidInput;
    }

    if (check->parsed()) return mgdl::check::run_check(check_file, std::cout, std::cerr, check_opt);
    if (certify->parsed()) {
      try {
        if (!cert_expr.empty()) cert_opt.expression = cert_expr;
        if (!cert_domain.empty()) cert_opt.domain = parse_domain(cert_domain);
        if (!cert_p.empty()) cert_opt.p = parse_p_list(cert_p);
        if (!cert_gap.empty()) cert_opt.rel_gap = parse_positive(cert_gap, "--rel-gap");
        validate(cert_opt);
      } catch (const UsageError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kInvalidInput;
      }
      return run_certify(cert_opt);
    }

    try {
      if (!domain_text.empty()) opt.domain = parse_domain(domain_text);
      if (!p_text.empty()) opt.p = parse_p_list(p_text);
      if (!tol_text.empty()) opt.tolerance = parse_positive(tol_text, "--tol");
      if (!gap_text.empty()) opt.rel_gap = parse_positive(gap_text, "--rel-gap");
      if (compare->parsed()) opt.expression = compare_expr;
      validate(opt);
    } catch (const UsageError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kInvalidInput;
    }
    if (compare->parsed()) return run_compare(opt);
    return run_verify(opt);
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << "\n";
    return kInternalError;
  } catch (...) {
    std::cerr << "error: internal: unknown exception\n";
    return kInternalError;
  }
}
