#include "fields.hpp"
#include "model.hpp"

#include <algorithm>
#include <set>

namespace mgdl::check {
namespace fields {

using json = nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) { throw MalformedError(where + ": " + what); }

const json& member(const json& j, const char* key, const std::string& where) {
  if (!j.is_object()) bad(where, "expected an object");
  if (!j.contains(key)) bad(where, std::string("missing key \"") + key + "\"");
  return j.at(key);
}

const json* optional(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return nullptr;
  const json& v = j.at(key);
  return v.is_null() ? nullptr : &v;
}

std::string str(const json& j, const std::string& where) {
  if (!j.is_string()) bad(where, "expected a string");
  return j.get<std::string>();
}

long integer(const json& j, const std::string& where, long lo, long hi) {
  long v = 0;
  if (j.is_number_unsigned()) {
    auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi)) bad(where, "integer out of range");
    v = static_cast<long>(u);
  } else if (j.is_number_integer()) {
    v = static_cast<long>(j.get<std::int64_t>());
  } else {
    bad(where, "expected an integer");
  }
  if (v < lo || v > hi) bad(where, "integer out of range");
  return v;
}

Q exact(const json& j, const std::string& where) {
  if (!j.is_string()) bad(where, "expected an exact number as a string");
  try {
    return parse_exact(j.get_ref<const std::string&>());
  } catch (const MalformedError& e) {
    bad(where, e.what());
  }
}

std::vector<Q> point(const json& j, int d, const std::string& where) {
  if (!j.is_array()) bad(where, "expected an array");
  if (static_cast<int>(j.size()) != d) bad(where, "point has " + std::to_string(j.size()) + " coordinates, expected " + std::to_string(d));
  std::vector<Q> p;
  for (std::size_t i = 0; i < j.size(); ++i) p.push_back(exact(j[i], where + "[" + std::to_string(i) + "]"));
  return p;
}

std::string status_word(const json& j, const std::string& where) {
  std::string s = str(j, where);
  if (s != "proven" && s != "not-certified") bad(where, "status must be \"proven\" or \"not-certified\"");
  return s;
}

Q p_value(const std::string& key, const std::string& where) {
  Q p;
  try {
    p = parse_exact(key, 64, 16);
  } catch (const MalformedError& e) {
    bad(where, std::string("bad exponent p: ") + e.what());
  }
  if (p < Q(1) || Q(1000) < p) bad(where, "exponent p must lie in [1, 1000]");
  return p;
}

GapClaim gap_claim(const json& j, const std::string& where) {
  GapClaim g;
  if (const json* s = optional(j, "status")) g.status = status_word(*s, where + ".status");
  if (const json* v = optional(j, "gap")) {
    g.has_gap = true;
    g.gap = exact(*v, where + ".gap");
  }
  if (const json* r = optional(j, "gap_reached")) {
    if (!r->is_boolean()) bad(where + ".gap_reached", "expected a boolean");
    g.has_reached = true;
    g.reached = r->get<bool>();
  }
  return g;
}

SupClaim sup_claim(const json& j, int d, const std::string& where) {
  SupClaim s;
  s.verdict = gap_claim(j, where);
  s.lower = exact(member(j, "lower", where), where + ".lower");
  s.upper = exact(member(j, "upper", where), where + ".upper");
  if (const json* w = optional(j, "witness")) s.witness = point(*w, d, where + ".witness");
  return s;
}

std::vector<LpClaim> lp_claims(const json& j, const std::string& where) {
  if (!j.is_object()) bad(where, "expected an object");
  std::vector<LpClaim> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string w = where + "[" + it.key() + "]";
    LpClaim c;
    c.key = it.key();
    c.p = p_value(c.key, w);
    c.verdict = gap_claim(*it, w);
    c.lower = exact(member(*it, "lower", w), w + ".lower");
    c.upper = exact(member(*it, "upper", w), w + ".upper");
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const LpClaim& a, const LpClaim& b) { return a.p < b.p; });
  return out;
}

DenseLayer dense_layer(const json& j, const std::string& where) {
  DenseLayer l;
  l.inputs = static_cast<int>(integer(member(j, "inputs", where), where + ".inputs", 0, 1000000));
  l.outputs = static_cast<int>(integer(member(j, "outputs", where), where + ".outputs", 0, 1000000));
  // Piecewise-linear layers say "relu": true|false; others "activation" (net::to_json).
  if (const json* a = optional(j, "activation")) {
    if (j.contains("relu")) bad(where, "give either \"relu\" or \"activation\", not both");
    const std::string name = a->is_string() ? a->get<std::string>() : std::string();
    l.relu = name == "relu";
    if (name == "tanh") l.smooth = Smooth::tanh;
    else if (name == "sigmoid") l.smooth = Smooth::sigmoid;
    else if (name == "sin") l.smooth = Smooth::sin;
    else if (name != "relu" && name != "identity")
      bad(where + ".activation", "expected \"identity\", \"relu\", \"tanh\", \"sigmoid\" or \"sin\"");
  } else {
    const json& relu = member(j, "relu", where);
    if (!relu.is_boolean()) bad(where + ".relu", "expected a boolean");
    l.relu = relu.get<bool>();
  }
  const json& bias = member(j, "bias", where);
  if (!bias.is_array() || static_cast<int>(bias.size()) != l.outputs) bad(where + ".bias", "expected one entry per output");
  for (std::size_t r = 0; r < bias.size(); ++r) l.bias.push_back(exact(bias[r], where + ".bias"));
  const json& w = member(j, "weights", where);
  if (!w.is_array()) bad(where + ".weights", "expected an array");
  for (const json& e : w) {
    DenseLayer::Entry entry{0, 0, Q()};
    if (e.is_array()) {
      if (e.size() != 3) bad(where + ".weights", "entries are [row, col, value]");
      entry.row = static_cast<int>(integer(e[0], where + ".weights row", 0, l.outputs - 1));
      entry.col = static_cast<int>(integer(e[1], where + ".weights col", 0, l.inputs - 1));
      entry.value = exact(e[2], where + ".weights value");
    } else {
      entry.row = static_cast<int>(integer(member(e, "row", where + ".weights"), where + ".weights row", 0, l.outputs - 1));
      entry.col = static_cast<int>(integer(member(e, "col", where + ".weights"), where + ".weights col", 0, l.inputs - 1));
      entry.value = exact(member(e, "value", where + ".weights"), where + ".weights value");
    }
    l.weights.push_back(std::move(entry));
  }
  std::sort(l.weights.begin(), l.weights.end(),
            [](const auto& x, const auto& y) { return x.row != y.row ? x.row < y.row : x.col < y.col; });
  for (std::size_t k = 1; k < l.weights.size(); ++k)
    if (l.weights[k].row == l.weights[k - 1].row && l.weights[k].col == l.weights[k - 1].col)
      bad(where + ".weights", "duplicate entry");
  return l;
}

std::vector<DenseBlock> dense_network(const json& j, int d) {
  const std::string where = "network file";
  if (const json* dim = optional(j, "input_dimension"))
    if (integer(*dim, where + ".input_dimension", 1, 4) != d) bad(where, "input dimension differs from the target's");
  const json* grades = optional(j, "grades");
  if (grades == nullptr) grades = optional(j, "blocks");
  if (grades == nullptr || !grades->is_array()) bad(where, "missing array \"grades\"");
  std::vector<DenseBlock> out;
  for (std::size_t m = 0; m < grades->size(); ++m) {
    std::string w = where + " grade " + std::to_string(m + 1);
    const json& b = (*grades)[m];
    DenseBlock block;
    const json& layers = member(b, "layers", w);
    if (!layers.is_array()) bad(w + ".layers", "expected an array");
    for (std::size_t k = 0; k < layers.size(); ++k)
      block.layers.push_back(dense_layer(layers[k], w + " layer " + std::to_string(k + 1)));
    block.readout = dense_layer(member(b, "readout", w), w + " read-out");
    out.push_back(std::move(block));
  }
  return out;
}

Target read_target(const json& target, std::string& expression) {
  expression = str(member(target, "expression", "target"), "target.expression");
  const json& vars = member(target, "variables", "target");
  if (!vars.is_array() || vars.empty() || vars.size() > 4) bad("target.variables", "expected 1 to 4 names");
  std::vector<std::string> names;
  for (const json& v : vars) names.push_back(str(v, "target.variables"));
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size()) bad("target.variables", "duplicate name");
  const json& domain = member(target, "domain", "target");
  if (!domain.is_array() || domain.size() != names.size())
    bad("target.domain", "expected one [lo, hi] per variable (dimension mismatch)");
  std::vector<Q> lo, hi;
  for (const json& iv : domain) {
    if (!iv.is_array() || iv.size() != 2) bad("target.domain", "expected [lo, hi]");
    lo.push_back(exact(iv[0], "target.domain"));
    hi.push_back(exact(iv[1], "target.domain"));
    if (!(lo.back() < hi.back())) bad("target.domain", "needs lo < hi");
  }
  return parse_target(expression, names, std::move(lo), std::move(hi));
}

void cover_evidence(const json& e, int d, const std::string& where, const std::string& who, bool rules,
                    CoverEvidence& out) {
  if (const json* sc = optional(e, "sup_cover")) {
    out.has_sup = true;
    out.sup_tree = str(member(*sc, "tree", where + ".sup_cover"), where + ".sup_cover.tree");
    validate_tree(out.sup_tree, d, where + ".sup_cover.tree");
    out.sup_upper = exact(member(*sc, "upper", where + ".sup_cover"), where + ".sup_cover.upper");
  }
  const json* lp = optional(e, "lp");
  if (lp == nullptr) return;
  if (!lp->is_object()) bad(where + ".lp", "expected an object");
  for (auto it = lp->begin(); it != lp->end(); ++it) {
    const std::string wl = where + ".lp[" + it.key() + "]";
    LpEvidence le;
    le.key = it.key();
    le.p = p_value(le.key, wl);
    le.tree = str(member(*it, "tree", wl), wl + ".tree");
    const std::size_t leaves = validate_tree(le.tree, d, wl + ".tree");
    le.lower = exact(member(*it, "lower", wl), wl + ".lower");
    le.upper = exact(member(*it, "upper", wl), wl + ".upper");
    if (const json* r = rules ? optional(*it, "rules") : nullptr) {
      const std::string wr = wl + ".rules (" + who + ", p = " + le.key + ")";
      le.rules = parse_rules(str(*r, wr), leaves, d, wr);
    }
    out.lp.push_back(std::move(le));
  }
}

}  // namespace fields

using namespace fields;

namespace {

CorrectionData correction(const json& j, int d, long grade, const std::string& where) {
  CorrectionData c;
  std::string scheme = str(member(j, "scheme", where), where + ".scheme");
  if (scheme == "hat") {
    c.hat = true;
    c.hat_grid = read_hat_correction(j, d, where);
    return c;
  }
  if (scheme != "cutoff") bad(where, "scheme \"" + scheme + "\" is not supported by this checker");
  c.kappa = integer(member(j, "kappa", where), where + ".kappa", 0, 1000000);
  if (const json* dim = optional(j, "dimension"))
    if (integer(*dim, where + ".dimension", 0, 1000) != d) bad(where + ".dimension", "differs from the target's dimension");
  const json& list = member(j, "cutoffs", where);
  if (!list.is_array()) bad(where + ".cutoffs", "expected an array");
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string w = where + ".cutoffs[" + std::to_string(i) + "]";
    const json& q = list[i];
    CutoffData cd;
    cd.grade = static_cast<int>(grade);
    cd.a = point(member(q, "a", w), d, w + ".a");
    cd.b = point(member(q, "b", w), d, w + ".b");
    cd.rho = point(member(q, "rho", w), d, w + ".rho");
    cd.c = exact(member(q, "c", w), w + ".c");
    for (int k = 0; k < d; ++k) {
      auto ku = static_cast<std::size_t>(k);
      if (cd.rho[ku].sign() <= 0) bad(w, "margin rho must be positive");
      if (cd.b[ku] < cd.a[ku]) bad(w, "core with a > b");
    }
    finish_cutoff(cd);
    c.cutoffs.push_back(std::move(cd));
  }
  return c;
}

}  // namespace

std::size_t validate_tree(const std::string& tree, int d, const std::string& what) {
  std::size_t leaves = 0;
  std::vector<unsigned char> open;  // children still to come per open split
  for (std::size_t pos = 0; pos < tree.size(); ++pos) {
    if (pos > 0 && open.empty())
      bad(what, "tree has trailing characters at position " + std::to_string(pos + 1));
    char c = tree[pos];
    if (c == '.') {
      ++leaves;
      while (!open.empty() && --open.back() == 0) open.pop_back();
    } else if (c >= 'a' && c < 'a' + d) {
      open.push_back(2);
      if (open.size() > 400) bad(what, "tree deeper than 400 levels");
    } else {
      bad(what, std::string("tree has a bad letter '") + c + "' at position " + std::to_string(pos + 1));
    }
  }
  if (tree.empty()) bad(what, "empty tree");
  if (!open.empty()) bad(what, "tree is too short");
  return leaves;
}

std::string dense_file_name(const json& certificate) {
  const json* network = optional(certificate, "network");
  if (network == nullptr) return "";
  const json* f = optional(*network, "dense_file");
  if (f == nullptr || !f->is_string()) return "";
  return f->get<std::string>();
}

Certificate read_certificate(const json& j, const json* dense) {
  Certificate c;
  if (!j.is_object()) bad("certificate", "expected a JSON object");
  if (str(member(j, "format", "certificate"), "format") != "mgdl-certificate") bad("format", "not an mgdl certificate");
  if (integer(member(j, "version", "certificate"), "version", 0, 1000) != 1) bad("version", "unsupported version");
  c.status = str(member(j, "status", "certificate"), "status");
  if (c.status != "certified" && c.status != "not-certified") bad("status", "must be \"certified\" or \"not-certified\"");
  if (const json* inc = optional(j, "incomplete")) {
    if (!inc->is_boolean()) bad("incomplete", "expected a boolean");
    c.incomplete = inc->get<bool>();
  }

  if (const json* o = optional(j, "options")) {
    if (!o->is_object()) bad("options", "expected an object");
    if (const json* g = optional(*o, "grades")) {
      c.has_goal_grades = true;
      c.goal_grades = integer(*g, "options.grades", 1, 1000000);
    }
    if (const json* t = optional(*o, "tolerance")) {
      c.has_tolerance = true;
      c.tolerance = exact(*t, "options.tolerance");
    }
    if (const json* r = optional(*o, "rel_gap")) {
      c.has_rel_gap = true;
      c.rel_gap = exact(*r, "options.rel_gap");
    }
  }
  if (const json* list = optional(j, "gaps_not_reached")) {
    if (!list->is_array()) bad("gaps_not_reached", "expected an array");
    c.has_short_gaps = true;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string w = "gaps_not_reached[" + std::to_string(i) + "]";
      const json& e = (*list)[i];
      c.short_gaps.emplace_back(integer(member(e, "residual", w), w + ".residual", 0, 1000000),
                                str(member(e, "norm", w), w + ".norm"));
    }
  }

  c.target = read_target(member(j, "target", "certificate"), c.expression);
  c.d = c.target.dimension;

  const json& scheme = member(j, "scheme", "certificate");
  c.scheme = str(member(scheme, "name", "scheme"), "scheme.name");
  if (const json* eps = optional(scheme, "epsilon")) {
    c.has_epsilon = true;
    c.epsilon = exact(*eps, "scheme.epsilon");
  }
  c.width = integer(member(j, "width", "certificate"), "width");

  if (const json* init = optional(j, "initial")) {
    c.has_initial = true;
    c.initial_sup = sup_claim(member(*init, "sup_norm", "initial"), c.d, "initial.sup_norm");
    if (const json* lp = optional(*init, "lp_norms")) c.initial_lp = lp_claims(*lp, "initial.lp_norms");
  }

  const json& grades = member(j, "grades", "certificate");
  if (!grades.is_array()) bad("grades", "expected an array");
  for (std::size_t m = 0; m < grades.size(); ++m) {
    const json& g = grades[m];
    std::string w = "grades[" + std::to_string(m) + "]";
    GradeClaims gc;
    gc.index = integer(member(g, "index", w), w + ".index");
    if (gc.index != static_cast<long>(m + 1)) bad(w + ".index", "grades must be numbered 1, 2, ...");
    gc.status = status_word(member(g, "status", w), w + ".status");
    gc.width = integer(member(g, "width", w), w + ".width");
    gc.depth = integer(member(g, "depth", w), w + ".depth");
    gc.cutoffs = integer(member(g, "cutoffs", w), w + ".cutoffs");
    if (const json* k = optional(g, "kappa")) {
      gc.has_kappa = true;
      gc.kappa = integer(*k, w + ".kappa", 0, 1000000);
    }
    if (const json* s = optional(g, "sup_norm")) {
      gc.has_sup = true;
      gc.sup = sup_claim(*s, c.d, w + ".sup_norm");
    }
    if (const json* lp = optional(g, "lp_norms")) gc.lp = lp_claims(*lp, w + ".lp_norms");
    if (const json* p = optional(g, "pointwise_nonincreasing")) gc.pointwise = status_word(*p, w + ".pointwise_nonincreasing");
    if (const json* r = optional(g, "contraction_ratio_upper")) {
      gc.has_ratio = true;
      gc.ratio = exact(*r, w + ".contraction_ratio_upper");
    }
    if (const json* p = optional(g, "contraction_proven")) gc.contraction_proven = status_word(*p, w + ".contraction_proven");
    if (const json* s = optional(g, "lp_strict_decrease")) {
      if (!s->is_object()) bad(w + ".lp_strict_decrease", "expected an object");
      for (auto it = s->begin(); it != s->end(); ++it) {
        p_value(it.key(), w + ".lp_strict_decrease");
        gc.lp_strict.emplace_back(it.key(), status_word(*it, w + ".lp_strict_decrease[" + it.key() + "]"));
      }
    }
    if (const json* nw = optional(g, "nontrivial_witness")) {
      gc.has_nontrivial = true;
      gc.nontrivial_witness = point(*nw, c.d, w + ".nontrivial_witness");
      gc.nontrivial_value = exact(member(g, "nontrivial_value", w), w + ".nontrivial_value");
    }
    c.grades.push_back(std::move(gc));
  }

  const json& network = member(j, "network", "certificate");
  if (const json* corr = optional(network, "corrections")) {
    if (!corr->is_array()) bad("network.corrections", "expected an array");
    for (std::size_t m = 0; m < corr->size(); ++m)
      c.corrections.push_back(correction((*corr)[m], c.d, static_cast<long>(m + 1),
                                         "network.corrections[" + std::to_string(m) + "]"));
  }
  if (c.corrections.size() != c.grades.size())
    bad("network.corrections", "has " + std::to_string(c.corrections.size()) + " entries for " +
                                   std::to_string(c.grades.size()) + " grades");
  if (const json* inline_dense = optional(network, "dense")) {
    c.has_dense = true;
    c.dense = dense_network(*inline_dense, c.d);
  } else if (dense != nullptr) {
    c.has_dense = true;
    c.dense = dense_network(*dense, c.d);
  }

  const json& evidence = member(j, "evidence", "certificate");
  if (const json* p = optional(evidence, "precision")) c.precision = integer(*p, "evidence.precision", 0, 1000000);
  const json& eg = member(evidence, "grades", "evidence");
  if (!eg.is_array()) bad("evidence.grades", "expected an array");
  for (std::size_t k = 0; k < eg.size(); ++k) {
    const json& e = eg[k];
    std::string w = "evidence.grades[" + std::to_string(k) + "]";
    ResidualEvidence re;
    re.residual = integer(member(e, "residual", w), w + ".residual", 0, static_cast<long>(c.grades.size()));
    cover_evidence(e, c.d, w, re.residual == 0 ? std::string("initial") : "grade " + std::to_string(re.residual),
                   true, re);
    if (const json* facts = optional(e, "support_facts")) {
      if (!facts->is_array()) bad(w + ".support_facts", "expected an array");
      re.has_facts = true;
      for (std::size_t i = 0; i < facts->size(); ++i) {
        const json& f = (*facts)[i];
        std::string wf = w + ".support_facts[" + std::to_string(i) + "]";
        SupportFact sf;
        if (const json* node = optional(f, "node")) {
          sf.node = true;
          sf.cutoff = integer(*node, wf + ".node");
        } else {
          sf.cutoff = integer(member(f, "cutoff", wf), wf + ".cutoff");
        }
        sf.sign = static_cast<int>(integer(member(f, "sign", wf), wf + ".sign", -1, 1));
        if (sf.sign == 0) bad(wf + ".sign", "must be 1 or -1");
        sf.mu = exact(member(f, "mu", wf), wf + ".mu");
        sf.tree = str(member(f, "tree", wf), wf + ".tree");
        validate_tree(sf.tree, c.d, wf + ".tree");
        re.facts.push_back(std::move(sf));
      }
    }
    c.evidence.push_back(std::move(re));
  }
  std::sort(c.evidence.begin(), c.evidence.end(),
            [](const ResidualEvidence& a, const ResidualEvidence& b) { return a.residual < b.residual; });
  for (std::size_t k = 1; k < c.evidence.size(); ++k)
    if (c.evidence[k].residual == c.evidence[k - 1].residual)
      bad("evidence.grades", "two entries for residual " + std::to_string(c.evidence[k].residual));
  return c;
}

}  // namespace mgdl::check
