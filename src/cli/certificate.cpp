#include "certificate.hpp"

#include "mgdl/net/serialize.hpp"
#include "mgdl/num/rational.hpp"

namespace mgdl::cli {
namespace {

using nlohmann::json;
using num::to_string;

json point_json(const std::vector<num::Rational>& x) {
  json a = json::array();
  for (const auto& v : x) a.push_back(to_string(v));
  return a;
}

// The verdict fields of one enclosure: `status` proven iff its bounds are
// finite and backed by evidence; `gap_reached` iff U > 0 and (U − L)/U <= rel_gap.
void gap_fields(json& o, const num::Enclosure& b, certify::StopReason why, const num::Rational& rel_gap) {
  const bool finite = b.upper.value() >= 0;
  o["status"] = finite ? "proven" : "not-certified";
  if (const auto g = b.relative_gap()) o["gap"] = to_string(num::round_up(*g, 64));
  o["gap_reached"] = run::gap_reached(b, rel_gap);
  if (!run::gap_reached(b, rel_gap)) o["stopped"] = certify::describe(why);
}

json sup_json(const certify::SupNormResult& s, const num::Rational& rel_gap) {
  json o{{"lower", to_string(s.bounds.lower.value())},
         {"upper", to_string(s.bounds.upper.value())},
         {"witness", point_json(s.witness)}};
  gap_fields(o, s.bounds, s.reason, rel_gap);
  return o;
}

json lp_json(const std::vector<certify::LpNormResult>& lps, const num::Rational& rel_gap) {
  json o = json::object();
  for (const auto& l : lps) {
    json e{{"lower", to_string(l.bounds.lower.value())}, {"upper", to_string(l.bounds.upper.value())}};
    gap_fields(e, l.bounds, l.reason, rel_gap);
    o[to_string(l.p)] = e;
  }
  return o;
}

// Evidence for one residual R_k: its covers (C1, C3) and, for k >= 1, the
// support facts of grade k about R_{k-1} (A3). Every finite enclosure gets
// its cover, whether or not it reached the requested gap.
json residual_evidence(int k, const run::NormRecord& norms, const certify::BalancedResult* facts,
                       const char* fact_key = "cutoff") {
  json e{{"residual", k}};
  if (norms.sup.bounds.upper.value() >= 0)
    e["sup_cover"] = json{{"tree", norms.sup.tree}, {"upper", to_string(norms.sup.bounds.upper.value())}};
  json lp = lp_cover_evidence(norms.lp, true);
  if (!lp.empty()) e["lp"] = lp;
  if (facts != nullptr && facts->status == certify::Status::proven) {
    json list = json::array();
    for (const auto& f : facts->facts)
      list.push_back(json{{fact_key, f.cutoff}, {"sign", f.sign}, {"mu", to_string(f.mu)}, {"tree", f.tree}});
    e["support_facts"] = list;
  }
  return e;
}

const char* word(certify::Status s) {
  return certify::to_string(s);
}

}  // namespace

json lp_cover_evidence(const std::vector<certify::LpNormResult>& lps, bool any_finite) {
  json lp = json::object();
  for (const auto& l : lps)
    if (any_finite ? l.bounds.upper.value() >= 0 : l.status == certify::Status::proven) {
      json entry{{"tree", l.tree},
                 {"lower", to_string(l.bounds.lower.value())},
                 {"upper", to_string(l.bounds.upper.value())}};
      if (!l.rules.empty()) entry["rules"] = l.rules;  // per-leaf rule tokens (proofs/integration.md)
      lp[to_string(l.p)] = entry;
    }
  return lp;
}

json initial_json(const run::NormRecord& n, const VerifyOptions& opt) {
  return json{{"sup_norm", sup_json(n.sup, opt.rel_gap)}, {"lp_norms", lp_json(n.lp, opt.rel_gap)}};
}

json grade_json(const run::GradeRecord& g, const VerifyOptions& opt) {
  const auto& c = g.construction;
  json gj{{"index", g.index},
          {"status", word(g.status)},
          {"reason", g.reason},
          {"width", c.block_width},
          {"depth", c.block_depth},
          {"cutoffs", c.active_cutoffs},
          {"cores", c.cores},
          {"kappa", c.kappa},
          {"epsilon", to_string(c.epsilon)},
          {"sup_norm", sup_json(g.norms.sup, opt.rel_gap)},
          {"lp_norms", lp_json(g.norms.lp, opt.rel_gap)},
          {"pointwise_nonincreasing", word(g.balanced.status)},
          {"contraction_ratio_upper", to_string(g.contraction_ratio_upper)},
          {"contraction_proven", word(g.contraction)},
          {"width_at_most_5d", word(g.width_ok)}};
  json strict = json::object();
  for (std::size_t i = 0; i < g.lp_strict_decrease.size() && i < opt.p.size(); ++i)
    strict[to_string(opt.p[i])] = word(g.lp_strict_decrease[i]);
  gj["lp_strict_decrease"] = strict;
  if (g.nontrivial.status == certify::Status::proven) {
    gj["nontrivial_witness"] = point_json(g.nontrivial.point);
    gj["nontrivial_value"] = to_string(g.nontrivial.value);
  }
  return gj;
}

json build_certificate(const run::RunResult& r, const expr::Expression& target, const expr::Domain& domain,
                       const VerifyOptions& opt, const std::string& dense_file) {
  json cert;
  cert["format"] = "mgdl-certificate";
  cert["version"] = 1;
  cert["status"] = r.status == certify::Status::proven ? "certified" : "not-certified";
  cert["incomplete"] = r.incomplete;
  cert["stop_reason"] = run::to_string(r.stop_reason);
  cert["stop_message"] = r.stop_message;

  json dom = json::array();
  for (std::size_t i = 0; i < domain.lo.size(); ++i)
    dom.push_back({to_string(domain.lo[i]), to_string(domain.hi[i])});
  cert["target"] = json{{"expression", target.source()},
                        {"canonical", target.to_string()},
                        {"variables", target.variables()},
                        {"domain", dom}};

  json scheme{{"name", opt.scheme}};
  if (!r.grades.empty()) scheme["epsilon"] = to_string(r.grades.front().construction.epsilon);
  scheme["epsilon_theorem"] = to_string(num::Rational(1, 1 << (target.dimension() + 1)));
  scheme["initial_level"] = opt.initial_level;
  scheme["max_level"] = opt.max_level;
  cert["scheme"] = scheme;

  json ps = json::array();
  for (const auto& p : opt.p) ps.push_back(to_string(p));
  cert["options"] = json{{"grades", opt.grade_count()},
                         {"precision", opt.precision},
                         {"p", ps},
                         {"rel_gap", to_string(opt.rel_gap)},
                         {"max_cutoffs", opt.max_cutoffs},
                         {"max_boxes", opt.max_boxes},
                         {"lp_max_boxes", opt.lp_max_boxes.value_or(opt.max_boxes)},
                         {"max_frontier", opt.max_frontier},
                         {"lp_measure", "Lebesgue measure on the normalised cube [0,1]^d"}};
  if (opt.tolerance) cert["options"]["tolerance"] = to_string(*opt.tolerance);
  cert["width"] = r.width();
  cert["initial"] = initial_json(r.initial, opt);
  json short_gaps = json::array();
  for (const auto& s : run::gaps_not_reached(r, opt.rel_gap)) {
    json e{{"residual", s.residual}, {"norm", s.norm}, {"stopped", s.why}};
    if (s.gap) e["gap"] = to_string(num::round_up(*s.gap, 64));
    short_gaps.push_back(e);
  }
  cert["gaps_not_reached"] = short_gaps;

  json grades = json::array();
  json corrections = json::array();
  json evidence = json::array();
  evidence.push_back(residual_evidence(0, r.initial, nullptr));
  for (const auto& g : r.grades) {
    const auto& c = g.construction;
    grades.push_back(grade_json(g, opt));
    if (c.correction) corrections.push_back(net::to_json(*c.correction));
    if (g.hat && g.hat->correction)
      corrections.push_back(net::to_json(*g.hat->correction));  // hat: node facts
    evidence.push_back(residual_evidence(g.index, g.norms, &g.balanced, g.hat ? "node" : "cutoff"));
  }
  cert["grades"] = grades;
  cert["network"] = json{{"dense_file", dense_file}, {"corrections", corrections}};
  cert["evidence"] = json{{"precision", opt.precision}, {"grades", evidence}};
  return cert;
}

json build_summary(const json& cert, int exit_code, const std::string& out_dir) {
  json s;
  for (const char* key : {"format", "version", "status", "incomplete", "stop_reason", "stop_message",
                          "target", "scheme", "width", "initial", "grades", "gaps_not_reached"})
    if (cert.contains(key)) s[key] = cert[key];
  s["format"] = "mgdl-summary";
  s["exit_code"] = exit_code;
  s["out_dir"] = out_dir;
  return s;
}

}  // namespace mgdl::cli
