#include "network_certificate.hpp"

#include <fmt/core.h>

#include <vector>

#include "certificate.hpp"
#include "mgdl/net/serialize.hpp"
#include "mgdl/report/decimal.hpp"
#include "mgdl/report/svg.hpp"

namespace mgdl::cli {
namespace {

using nlohmann::json;
using num::Rational;
using num::to_string;

json point_json(const std::vector<Rational>& x) {
  json a = json::array();
  for (const auto& v : x) a.push_back(to_string(v));
  return a;
}

json sup_json(const certify::SupNormResult& s) {
  return json{{"lower", to_string(s.bounds.lower.value())},
              {"upper", to_string(s.bounds.upper.value())},
              {"witness", point_json(s.witness)},
              {"status", certify::to_string(s.status)}};
}

json lp_json(const std::vector<certify::LpNormResult>& lps) {
  json o = json::object();
  for (const auto& l : lps)
    o[to_string(l.p)] = json{{"lower", to_string(l.bounds.lower.value())},
                             {"upper", to_string(l.bounds.upper.value())},
                             {"status", certify::to_string(l.status)}};
  return o;
}

json norms_json(const netcert::NormRecord& n) {
  return json{{"sup_norm", sup_json(n.sup)}, {"lp_norms", lp_json(n.lp)}};
}

// Covers of R_k (C1, C3), as in the construction certificates.
json residual_evidence(int k, const netcert::NormRecord& n) {
  json e{{"residual", k}};
  if (n.sup.status == certify::Status::proven)
    e["sup_cover"] = json{{"tree", n.sup.tree}, {"upper", to_string(n.sup.bounds.upper.value())}};
  // Every finite enclosure gets its cover: P3 may rest on bounds whose gap is not yet
  // the requested one (N4.2), and the checker verifies only what has evidence.
  json lp = lp_cover_evidence(n.lp, true);
  if (!lp.empty()) e["lp"] = lp;
  return e;
}

json grade_json(const netcert::GradeResult& g, const expr::Domain& domain, const Rational& volume,
                const std::vector<Rational>& ps) {
  json j = norms_json(g.norms);
  j["index"] = g.index;
  j["width"] = g.width;
  j["depth"] = g.depth;
  j["parameters"] = g.parameters;
  const auto& p1 = g.p1;
  j["pointwise_nonincreasing"] = netcert::to_string(p1.verdict);
  j["p1_message"] = p1.message;
  if (p1.verdict == netcert::Verdict::refuted) {
    j["p1_witness"] = point_json(netcert::to_user_coordinates(p1.witness, domain));
    j["p1_witness_unit"] = point_json(p1.witness);
    j["p1_margin_lower"] = to_string(p1.margin_lower);
    j["p1_violation"] = json{{"lower", to_string(p1.violation_lower)},
                             {"upper", to_string(p1.violation_upper)},
                             {"status", certify::to_string(p1.violation_status)}};
    j["p1_violation_measure"] = json{{"lower", to_string(p1.measure_lower * volume)},
                                     {"upper", to_string(p1.measure_upper * volume)},
                                     {"unit_lower", to_string(p1.measure_lower)},
                                     {"unit_upper", to_string(p1.measure_upper)},
                                     {"status", certify::to_string(p1.measure_status)}};
  }
  if (!p1.strict_point.empty()) j["p1_strict_point_unit"] = point_json(p1.strict_point);
  if (p1.correction_zero) j["p1_correction_zero"] = true;
  j["contraction_ratio_upper"] = g.ratio_upper ? json(to_string(*g.ratio_upper)) : json(nullptr);
  json strict = json::object(), via = json::object();
  for (std::size_t i = 0; i < g.p3.size() && i < ps.size(); ++i) {
    strict[to_string(ps[i])] = netcert::to_string(g.p3[i]);
    via[to_string(ps[i])] = g.p3_via[i];
  }
  j["lp_strict_decrease"] = strict;
  j["lp_strict_decrease_via"] = via;
  return j;
}

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string interval(const json& j) {
  if (!j.is_object() || !j.contains("lower")) return "—";
  return report::decimal_interval(str(j, "lower"), str(j, "upper"));
}

std::string point_text(const json& a) {
  std::string s;
  for (std::size_t i = 0; i < a.size(); ++i) s += (i ? ", " : "") + a[i].get<std::string>();
  return "(" + s + ")";
}

// The table both reports print: one row per residual.
std::vector<std::vector<std::string>> table(const json& cert) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head{"grade", "‖R‖∞ in", "P1 |R_m| ≤ |R_{m−1}|", "P2 U_m/L_{m−1}"};
  const json& ps = cert["options"]["p"];
  for (const auto& p : ps) head.push_back("‖R‖_" + p.get<std::string>() + " in / P3");
  rows.push_back(head);
  std::vector<std::string> r0{"0 (f)", interval(cert["initial"]["sup_norm"]), "", ""};
  for (const auto& p : ps) r0.push_back(interval(cert["initial"]["lp_norms"][p.get<std::string>()]));
  rows.push_back(r0);
  for (const auto& g : cert["grades"]) {
    std::vector<std::string> r{std::to_string(g["index"].get<int>()), interval(g["sup_norm"])};
    std::string p1 = str(g, "pointwise_nonincreasing");
    if (p1 == "refuted")
      p1 += fmt::format(" at x* = {} (margin ≥ {}; sup of the excess in {}; measure in {})",
                        point_text(g["p1_witness"]), report::decimal_lower(str(g, "p1_margin_lower")),
                        interval(g["p1_violation"]), interval(g["p1_violation_measure"]));
    r.push_back(p1);
    r.push_back(g["contraction_ratio_upper"].is_string()
                    ? "≤ " + report::decimal_upper(str(g, "contraction_ratio_upper"))
                    : "undefined (L_{m−1} = 0)");
    for (const auto& p : ps) {
      const std::string key = p.get<std::string>();
      r.push_back(interval(g["lp_norms"][key]) + " / " + g["lp_strict_decrease"][key].get<std::string>());
    }
    rows.push_back(r);
  }
  return rows;
}

std::string intro(const json& cert) {
  const json& n = cert["network"];
  std::string dom;
  for (const auto& a : cert["target"]["domain"])
    dom +=
        (dom.empty() ? "" : " × ") + ("[" + a[0].get<std::string>() + ", " + a[1].get<std::string>() + "]");
  return fmt::format(
      "Network `{}` ({}, sha256 {}, {} grades) against f = `{}` on {}.\n\n"
      "The claims are about the real function that the exact weights define: every weight was decoded "
      "exactly "
      "(binary32/binary64 → dyadic rational) and the network is evaluated in exact and certified ball "
      "arithmetic, "
      "never in floating point. L^p norms are for Lebesgue measure on the normalised cube [0,1]^d; the "
      "measure of "
      "a violation set is given on the user's domain.\n\n"
      "Status: **{}** ({}).\n",
      str(n, "source_file"), str(n, "format"), str(n, "sha256"), cert["grades"].size(),
      str(cert["target"], "expression"), dom, str(cert, "status"), str(cert, "message"));
}

}  // namespace

json build_network_certificate(const netcert::NetworkCertification& c, const net::MultigradeNetwork& user,
                               const expr::Expression& target, const expr::Domain& domain,
                               const netcert::Options& options, const NetworkSource& source) {
  json cert;
  cert["format"] = "mgdl-network-certificate";
  // 2: P1 refutations carry the evidence of their violation enclosures (1 had none).
  cert["version"] = 2;
  cert["status"] = c.complete ? "certified" : "not-certified";
  cert["message"] = c.message;
  json dom = json::array();
  Rational volume(1);
  for (std::size_t i = 0; i < domain.lo.size(); ++i) {
    dom.push_back({to_string(domain.lo[i]), to_string(domain.hi[i])});
    volume *= domain.hi[i] - domain.lo[i];
  }
  cert["target"] = json{{"expression", target.source()},
                        {"canonical", target.to_string()},
                        {"variables", target.variables()},
                        {"domain", dom}};
  json ps = json::array();
  for (const auto& p : options.p) ps.push_back(to_string(p));
  cert["options"] = json{{"precision", options.certify.precision},
                         {"p", ps},
                         {"rel_gap", to_string(options.certify.rel_gap)},
                         {"lp_measure", "Lebesgue measure on the normalised cube [0,1]^d"}};
  cert["network"] = json{{"source_file", source.path},
                         {"copy", source.copy_name},
                         {"format", source.format},
                         {"sha256", source.sha256},
                         {"input_dimension", user.input_dimension()},
                         {"coordinates", "user"},
                         {"exact", net::to_json(user)}};
  cert["initial"] = norms_json(c.initial);
  json grades = json::array(), evidence = json::array();
  evidence.push_back(residual_evidence(0, c.initial));
  for (const auto& g : c.grades) {
    grades.push_back(grade_json(g, domain, volume, options.p));
    json e = residual_evidence(g.index, g.norms);
    if (g.p1.verdict == netcert::Verdict::proven) e["pointwise_tree"] = g.p1.tree;
    if (g.p1.verdict == netcert::Verdict::refuted) {  // N5, N6 (version 2)
      e["p1_violation_tree"] = g.p1.violation_tree;
      e["p1_measure_tree"] = g.p1.measure_tree;
      e["p1_measure_leaves"] = g.p1.measure_leaves;
    }
    evidence.push_back(e);
  }
  cert["grades"] = grades;
  cert["evidence"] = json{{"precision", options.certify.precision}, {"grades", evidence}};
  return cert;
}

std::string render_network_markdown(const json& cert) {
  std::string out = "# mgdl-verify certify: network report\n\n" + intro(cert) + "\n";
  auto rows = table(cert);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += "|";
    for (const auto& cell : rows[i]) {
      std::string escaped;
      for (char ch : cell) escaped += ch == '|' ? std::string("\\|") : std::string(1, ch);
      out += " " + escaped + " |";
    }
    out += "\n";
    if (i == 0) {
      out += "|";
      for (std::size_t k = 0; k < rows[i].size(); ++k) out += "---|";
      out += "\n";
    }
  }
  out +=
      "\nP1 refutations are witnessed by an exact point x* (user coordinates) with a certified positive "
      "margin "
      "|R_m(x*)| − |R_{m−1}(x*)|; `mgdl-verify check certificate.json` re-verifies every claim.\n";
  return out;
}

std::string render_network_html(const json& cert) {
  std::string out =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>mgdl-verify certify</title>"
      "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}td,th{border:1px solid #ccc;"
      "padding:.3em .6em}table{border-collapse:collapse}</style></head><body>\n"
      "<h1>mgdl-verify certify: network report</h1>\n<pre style=\"white-space:pre-wrap\">" +
      report::svg::escape(intro(cert)) + "</pre>\n<table>\n";
  auto rows = table(cert);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += "<tr>";
    for (const auto& cell : rows[i])
      out += (i == 0 ? "<th>" : "<td>") + report::svg::escape(cell) + (i == 0 ? "</th>" : "</td>");
    out += "</tr>\n";
  }
  out += "</table>\n</body></html>\n";
  return out;
}

std::string render_network_summary(const json& cert) {
  std::string out;
  for (const auto& row : table(cert)) {
    std::string line;
    for (const auto& cell : row) line += (line.empty() ? "" : "  ") + cell;
    out += line + "\n";
  }
  return out;
}

std::string decimal_text(const Rational& r) {
  if (num::is_dyadic(r)) {
    num::Integer den = denominator(r), num = numerator(r);
    unsigned k = 0;
    while (den > 1) {
      den /= 2;
      num *= 5;
      ++k;
    }
    const bool neg = num < 0;
    std::string digits = (neg ? num::Integer(-num) : num).str();
    if (digits.size() <= k) digits = std::string(k + 1 - digits.size(), '0') + digits;
    std::string s =
        k == 0 ? digits : digits.substr(0, digits.size() - k) + "." + digits.substr(digits.size() - k);
    return (neg ? "-" : "") + s;
  }
  return fmt::format("{:.17g}", num::to_double_nearest(r));
}

std::string vnn_counterexample(const std::vector<Rational>& x, const Rational& y) {
  std::string out = "sat\n(";
  for (std::size_t i = 0; i < x.size(); ++i)
    out += fmt::format("{}(X_{} {})\n", i ? " " : "", i, decimal_text(x[i]));
  out += fmt::format(" (Y_0 {}))\n", decimal_text(y));
  return out;
}

}  // namespace mgdl::cli
