#include "options.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace mgdl::cli {
namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!text.empty() && text.back() == sep) parts.emplace_back();
  return parts;
}

num::Rational parse_number(const std::string& text, const std::string& what) {
  try {
    return num::parse_rational(text, 1000);
  } catch (const std::exception&) {
    throw UsageError(what + ": '" + text + "' is not a number");
  }
}

}  // namespace

std::vector<std::pair<num::Rational, num::Rational>> parse_domain(const std::string& text) {
  std::vector<std::pair<num::Rational, num::Rational>> axes;
  for (const std::string& axis : split(text, ',')) {
    auto colon = axis.find(':');
    if (colon == std::string::npos) throw UsageError("--domain: expected lo:hi, got '" + axis + "'");
    num::Rational lo = parse_number(axis.substr(0, colon), "--domain");
    num::Rational hi = parse_number(axis.substr(colon + 1), "--domain");
    if (!(lo < hi)) throw UsageError("--domain: empty interval '" + axis + "' (need lo < hi)");
    axes.emplace_back(lo, hi);
  }
  if (axes.empty()) throw UsageError("--domain: expected lo:hi");
  return axes;
}

std::vector<num::Rational> parse_p_list(const std::string& text) {
  std::vector<num::Rational> ps;
  for (const std::string& item : split(text, ',')) {
    num::Rational p = parse_number(item, "--p");
    if (p < 1) throw UsageError("--p: " + item + " is below 1 (L^p norms need p >= 1)");
    if (p > 64) throw UsageError("--p: " + item + " is above 64 (use the sup-norm)");
    for (const auto& q : ps)
      if (q == p) throw UsageError("--p: " + item + " is listed twice");
    ps.push_back(p);
  }
  if (ps.empty()) throw UsageError("--p: expected a list such as 1,2");
  return ps;
}

num::Rational parse_positive(const std::string& text, const std::string& option) {
  num::Rational value = parse_number(text, option);
  if (value <= 0) throw UsageError(option + ": " + text + " is not positive");
  return value;
}

int VerifyOptions::grade_count() const {
  if (grades) return *grades;
  return tolerance ? kDefaultToleranceCap : kDefaultGrades;
}

void validate(const VerifyOptions& o) {
  if (o.grades && (*o.grades < 1 || *o.grades > 1000))
    throw UsageError("--grades: " + std::to_string(*o.grades) + " is outside 1..1000");
  if (o.scheme != "cutoff" && o.scheme != "hat")
    throw UsageError("--scheme: '" + o.scheme + "' is not one of cutoff, hat");
  if (o.precision < 53 || o.precision > 4096)
    throw UsageError("--precision: " + std::to_string(o.precision) + " is outside 53..4096");
  if (o.threads < 0 || o.threads > 256) throw UsageError("--threads: " + std::to_string(o.threads) + " is outside 0..256");
  if (o.time_limit_seconds && !(*o.time_limit_seconds > 0 && *o.time_limit_seconds <= 1e7))
    throw UsageError("--time-limit: must be a positive number of seconds");
  if (o.max_cutoffs < 1 || o.max_cutoffs > 100000000)
    throw UsageError("--max-cutoffs: " + std::to_string(o.max_cutoffs) + " is outside 1..10^8");
  if (o.max_boxes < 1 || o.max_boxes > 4000000000L)
    throw UsageError("--max-boxes: " + std::to_string(o.max_boxes) + " is outside 1..4*10^9");
  if (o.lp_max_boxes && (*o.lp_max_boxes < 1 || *o.lp_max_boxes > 4000000000L))
    throw UsageError("--lp-max-boxes: " + std::to_string(*o.lp_max_boxes) + " is outside 1..4*10^9");
  if (o.max_frontier < 2 || o.max_frontier > 1000000000L)
    throw UsageError("--max-frontier: " + std::to_string(o.max_frontier) + " is outside 2..10^9");
  if (o.rel_gap < num::Rational(1, 1000000000000) || o.rel_gap > num::Rational(1, 2))
    throw UsageError("--rel-gap: must lie in 1e-12..0.5");
  if (o.initial_level < 0 || o.initial_level > 12)
    throw UsageError("--initial-level: " + std::to_string(o.initial_level) + " is outside 0..12");
  if (o.max_level < o.initial_level || o.max_level > 60)
    throw UsageError("--max-level: must lie in initial-level..60");
  if (o.out_dir.empty()) throw UsageError("--out: empty directory name");
}

run::RunOptions to_run_options(const VerifyOptions& opt, const std::atomic<bool>* cancel) {
  run::RunOptions ro;
  ro.grades = opt.grade_count();
  ro.tolerance = opt.tolerance;
  ro.scheme = opt.scheme;
  ro.p = opt.p;
  ro.precision = opt.precision;
  const unsigned cores = std::thread::hardware_concurrency();
  ro.threads = opt.threads > 0 ? opt.threads : static_cast<int>(cores == 0 ? 1 : cores);
  if (opt.time_limit_seconds)
    ro.deadline =
        std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                               std::chrono::duration<double>(*opt.time_limit_seconds));
  ro.max_cutoffs = static_cast<std::size_t>(opt.max_cutoffs);
  ro.max_boxes = opt.max_boxes;
  ro.lp_max_boxes = opt.lp_max_boxes;
  ro.max_frontier = opt.max_frontier;
  ro.rel_gap = opt.rel_gap;
  ro.initial_level = opt.initial_level;
  ro.max_level = opt.max_level;
  ro.cancel = cancel;
  return ro;
}

void refuse_empty_values(CLI::App& app) {
  const CLI::Validator non_empty(
      [](std::string& value) { return value.empty() ? std::string("empty value") : std::string(); }, "");
  for (CLI::Option* o : app.get_options())
    if (o->nonpositional() && o->get_type_size() > 0) o->check(non_empty);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) refuse_empty_values(*sub);
}

}  // namespace mgdl::cli
