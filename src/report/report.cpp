#include "mgdl/report/report.hpp"

#include "mgdl/num/rational.hpp"
#include "mgdl/report/decimal.hpp"
#include "mgdl/report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace mgdl::report {
namespace {

using nlohmann::json;
using num::Rational;

constexpr int kDigits = 6;

// ---------------------------------------------------------------------------
// The certificate, read once into plain strings (exact values stay strings).

struct Interval {
  std::string lower, upper;
  bool gap_reached = true;  // false: the enclosure stopped short of the requested rel_gap
};

// One entry of "gaps_not_reached".
struct GapShortfall {
  long residual = 0;
  std::string norm, gap, stopped;
};

struct GradeInfo {
  int index = 0;
  std::string status;
  std::string reason;
  std::optional<long> width, depth, cutoffs, kappa;
  std::optional<Interval> sup;
  std::vector<std::string> sup_witness;
  std::map<std::string, Interval> lp;
  std::string pointwise, ratio, contraction;
  std::map<std::string, std::string> lp_decrease;
  std::vector<std::string> nontrivial_witness;
  std::string nontrivial_value;
};

struct Certificate {
  std::string status;
  bool incomplete = false;
  std::string stop_message;
  std::vector<GapShortfall> short_gaps;
  std::string expression, canonical;
  std::vector<std::string> variables;
  std::vector<Interval> domain;
  std::string scheme_name;
  std::optional<std::string> epsilon;
  json scheme, options;
  std::optional<long> width;
  std::optional<GradeInfo> initial;
  std::vector<GradeInfo> grades;
  std::vector<std::string> ps;  // p values of the L^p norms, increasing
};

[[noreturn]] void malformed(const std::string& what) { throw std::invalid_argument("certificate: " + what); }

const json& member(const json& object, const char* key, const std::string& where) {
  if (!object.is_object()) malformed(where + " is not an object");
  const auto it = object.find(key);
  if (it == object.end()) malformed("missing key '" + (where.empty() ? "" : where + ".") + key + "'");
  return *it;
}

// An exact number: a string ("p/q", integer, exact decimal) or a JSON integer.
std::string exact(const json& value, const std::string& where) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_number_integer()) {
    text = value.dump();
  } else {
    malformed(where + " must be an exact number string");
  }
  try {
    (void)num::parse_rational(text);
  } catch (const std::exception& e) {
    malformed(where + ": " + e.what());
  }
  return text;
}

std::string optional_string(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get_ref<const std::string&>() : std::string();
}

std::optional<long> optional_integer(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<long>();
}

std::vector<std::string> exact_vector(const json& object, const char* key, const std::string& where) {
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it == object.end()) return out;
  if (!it->is_array()) malformed(where + "." + key + " is not an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    out.push_back(exact((*it)[i], where + "." + key + "[" + std::to_string(i) + "]"));
  }
  return out;
}

Interval read_interval(const json& object, const std::string& where) {
  Interval i{exact(member(object, "lower", where), where + ".lower"),
             exact(member(object, "upper", where), where + ".upper")};
  const auto reached = object.find("gap_reached");
  if (reached != object.end() && reached->is_boolean()) i.gap_reached = reached->get<bool>();
  return i;
}

GradeInfo read_grade(const json& g, const std::string& where, bool is_initial) {
  GradeInfo info;
  if (!g.is_object()) malformed(where + " is not an object");
  if (!is_initial) {
    const json& index = member(g, "index", where);
    if (!index.is_number_integer()) malformed(where + ".index is not an integer");
    info.index = index.get<int>();
    info.status = optional_string(g, "status");
    if (info.status.empty()) malformed("missing key '" + where + ".status'");
  }
  info.reason = optional_string(g, "reason");
  info.width = optional_integer(g, "width");
  info.depth = optional_integer(g, "depth");
  info.cutoffs = optional_integer(g, "cutoffs");
  info.kappa = optional_integer(g, "kappa");
  if (g.contains("sup_norm")) {
    info.sup = read_interval(g["sup_norm"], where + ".sup_norm");
    info.sup_witness = exact_vector(g["sup_norm"], "witness", where + ".sup_norm");
  }
  if (g.contains("lp_norms")) {
    const json& lp = g["lp_norms"];
    if (!lp.is_object()) malformed(where + ".lp_norms is not an object");
    for (const auto& [p, value] : lp.items()) info.lp[p] = read_interval(value, where + ".lp_norms." + p);
  }
  info.pointwise = optional_string(g, "pointwise_nonincreasing");
  if (g.contains("contraction_ratio_upper")) {
    info.ratio = exact(g["contraction_ratio_upper"], where + ".contraction_ratio_upper");
  }
  info.contraction = optional_string(g, "contraction_proven");
  if (g.contains("lp_strict_decrease") && g["lp_strict_decrease"].is_object()) {
    for (const auto& [p, value] : g["lp_strict_decrease"].items()) {
      info.lp_decrease[p] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  info.nontrivial_witness = exact_vector(g, "nontrivial_witness", where);
  if (g.contains("nontrivial_value")) info.nontrivial_value = exact(g["nontrivial_value"], where + ".nontrivial_value");
  return info;
}

Certificate read_certificate(const json& j) {
  if (!j.is_object()) malformed("top level is not an object");
  if (optional_string(j, "format") != "mgdl-certificate") malformed("format is not 'mgdl-certificate'");
  Certificate c;
  c.status = optional_string(j, "status");
  if (c.status.empty()) malformed("missing key 'status'");
  const auto incomplete = j.find("incomplete");
  c.incomplete = incomplete != j.end() && incomplete->is_boolean() && incomplete->get<bool>();
  c.stop_message = optional_string(j, "stop_message");
  if (j.contains("gaps_not_reached")) {
    const json& list = j["gaps_not_reached"];
    if (!list.is_array()) malformed("gaps_not_reached is not an array");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string where = "gaps_not_reached[" + std::to_string(i) + "]";
      const json& e = list[i];
      const json& k = member(e, "residual", where);
      if (!k.is_number_integer()) malformed(where + ".residual is not an integer");
      GapShortfall g;
      g.residual = k.get<long>();
      g.norm = optional_string(e, "norm");
      if (e.contains("gap")) g.gap = exact(e["gap"], where + ".gap");
      g.stopped = optional_string(e, "stopped");
      c.short_gaps.push_back(std::move(g));
    }
  }
  const json& target = member(j, "target", "");
  const json& expression = member(target, "expression", "target");
  if (!expression.is_string()) malformed("target.expression is not a string");
  c.expression = expression.get<std::string>();
  c.canonical = optional_string(target, "canonical");
  const json& variables = member(target, "variables", "target");
  if (!variables.is_array()) malformed("target.variables is not an array");
  for (const auto& v : variables) {
    if (!v.is_string()) malformed("target.variables holds a non-string");
    c.variables.push_back(v.get<std::string>());
  }
  if (target.contains("domain")) {
    const json& domain = target["domain"];
    if (!domain.is_array()) malformed("target.domain is not an array");
    for (std::size_t i = 0; i < domain.size(); ++i) {
      const std::string where = "target.domain[" + std::to_string(i) + "]";
      if (!domain[i].is_array() || domain[i].size() != 2) malformed(where + " is not a pair");
      c.domain.push_back({exact(domain[i][0], where), exact(domain[i][1], where)});
    }
  }
  c.scheme = member(j, "scheme", "");
  if (!c.scheme.is_object()) malformed("scheme is not an object");
  c.scheme_name = optional_string(c.scheme, "name");
  if (c.scheme.contains("epsilon")) c.epsilon = exact(c.scheme["epsilon"], "scheme.epsilon");
  c.options = j.contains("options") ? j["options"] : json::object();
  c.width = optional_integer(j, "width");
  if (j.contains("initial")) c.initial = read_grade(j["initial"], "initial", true);
  const json& grades = member(j, "grades", "");
  if (!grades.is_array()) malformed("grades is not an array");
  for (std::size_t i = 0; i < grades.size(); ++i) {
    c.grades.push_back(read_grade(grades[i], "grades[" + std::to_string(i) + "]", false));
  }
  std::vector<std::pair<Rational, std::string>> ps;
  auto collect = [&ps](const GradeInfo& g) {
    for (const auto& entry : g.lp) {
      const Rational p = num::parse_rational(entry.first);
      if (std::none_of(ps.begin(), ps.end(), [&](const auto& q) { return q.first == p; })) {
        ps.emplace_back(p, entry.first);
      }
    }
  };
  if (c.initial) collect(*c.initial);
  for (const auto& g : c.grades) collect(g);
  std::sort(ps.begin(), ps.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& p : ps) c.ps.push_back(p.second);
  return c;
}

// ---------------------------------------------------------------------------
// Shared text pieces.

// Marks an enclosure that stopped short of the requested gap.
constexpr const char* kShortMark = "*";

std::string interval_text(const Interval& i) {
  if (num::parse_rational(i.upper) < 0) return "[" + decimal_lower(i.lower, kDigits) + ", no bound]*";
  return decimal_interval(i.lower, i.upper, kDigits) + (i.gap_reached ? "" : kShortMark);
}

std::string interval_text(const std::optional<Interval>& i) {
  return i ? interval_text(*i) : "-";
}

std::string lp_text(const GradeInfo& g, const std::string& p) {
  const auto it = g.lp.find(p);
  return it == g.lp.end() ? "-" : interval_text(it->second);
}

std::string integer_text(const std::optional<long>& v) { return v ? std::to_string(*v) : "-"; }

std::string ratio_text(const GradeInfo& g) { return g.ratio.empty() ? "-" : decimal_upper(g.ratio, kDigits); }

// The p shown in the summary table: 2 when present, else the smallest.
std::optional<std::string> table_p(const Certificate& c) {
  for (const auto& p : c.ps) {
    if (num::parse_rational(p) == 2) return p;
  }
  if (!c.ps.empty()) return c.ps.front();
  return std::nullopt;
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (char ch : s) {
    if ((static_cast<unsigned char>(ch) & 0xC0U) != 0x80U) ++n;  // count UTF-8 code points
  }
  return n;
}

std::string pad(const std::string& s, std::size_t width, bool right) {
  const std::size_t w = display_width(s);
  if (w >= width) return s;
  const std::string fill(width - w, ' ');
  return right ? fill + s : s + fill;
}

std::string trim_right(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

struct Table {
  std::vector<std::string> header;
  std::vector<bool> right;
  std::vector<std::vector<std::string>> rows;
};

Table summary_header(const std::optional<std::string>& p) {
  Table t;
  t.header = {"grade", "cutoffs", "depth", "width", "sup-norm [L, U]"};
  if (p) t.header.push_back("L^" + *p + " [L, U]");
  t.header.insert(t.header.end(), {"ratio", "status"});
  t.right = {true, true, true, true, false};
  if (p) t.right.push_back(false);
  t.right.insert(t.right.end(), {true, false});
  return t;
}

std::vector<std::string> summary_row(const GradeInfo& g, const std::optional<std::string>& p, bool initial) {
  std::vector<std::string> r = {initial ? "0" : std::to_string(g.index), integer_text(g.cutoffs),
                                integer_text(g.depth), integer_text(g.width), interval_text(g.sup)};
  if (p) r.push_back(lp_text(g, *p));
  r.push_back(ratio_text(g));
  r.push_back(initial ? "target f" : g.status);
  return r;
}

Table summary_rows(const Certificate& c) {
  const auto p = table_p(c);
  Table t = summary_header(p);
  if (c.initial) t.rows.push_back(summary_row(*c.initial, p, true));
  for (const auto& g : c.grades) t.rows.push_back(summary_row(g, p, false));
  return t;
}

// The plain summary table has fixed column widths, so that its rows can be
// printed one by one as grades finish; longer cells push their line wider.
// Column k of a table with `columns` columns (8 with the L^p column, else 7).
std::size_t summary_width(std::size_t k, std::size_t columns) {
  static const std::size_t kWidths[] = {5, 7, 5, 5, 24, 24, 9, 13};
  return kWidths[columns == 8 || k < 5 ? k : k + 1];
}

std::string fixed_line(const std::vector<std::string>& cells, const std::vector<bool>& right) {
  std::string s;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (k > 0) s += "  ";
    s += pad(cells[k], summary_width(k, cells.size()), right[k]);
  }
  return trim_right(s) + "\n";
}

std::string plain_header(const Table& t) {
  std::vector<std::string> rule;
  for (std::size_t k = 0; k < t.header.size(); ++k) rule.emplace_back(summary_width(k, t.header.size()), '-');
  return fixed_line(t.header, t.right) + fixed_line(rule, t.right);
}

std::vector<std::size_t> column_widths(const Table& t) {
  std::vector<std::size_t> w(t.header.size(), 0);
  for (std::size_t k = 0; k < t.header.size(); ++k) w[k] = display_width(t.header[k]);
  for (const auto& r : t.rows) {
    for (std::size_t k = 0; k < r.size() && k < w.size(); ++k) w[k] = std::max(w[k], display_width(r[k]));
  }
  return w;
}

std::string markdown_table(Table t) {
  for (auto& row : t.rows) {
    for (auto& cell : row) {
      std::string escaped;
      for (char ch : cell) escaped += ch == '|' ? std::string("\\|") : std::string(1, ch);
      cell = escaped;
    }
  }
  const auto w = column_widths(t);
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (std::size_t k = 0; k < cells.size(); ++k) s += " " + pad(cells[k], w[k], t.right[k]) + " |";
    return s + "\n";
  };
  std::string out = line(t.header);
  std::string rule = "|";
  for (std::size_t k = 0; k < w.size(); ++k) {
    const std::size_t n = std::max<std::size_t>(w[k], 3);
    rule += t.right[k] ? " " + std::string(n - 1, '-') + ": |" : " " + std::string(n, '-') + " |";
  }
  out += rule + "\n";
  for (const auto& r : t.rows) out += line(r);
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

// "1–3, 5" for a sorted list of grade indices.
std::string grade_ranges(const std::vector<int>& grades) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < grades.size();) {
    std::size_t j = i;
    while (j + 1 < grades.size() && grades[j + 1] == grades[j] + 1) ++j;
    parts.push_back(j == i ? std::to_string(grades[i])
                           : std::to_string(grades[i]) + (j == i + 1 ? ", " : "\u2013") + std::to_string(grades[j]));
    i = j + 1;
  }
  return join(parts, ", ");
}

std::string domain_text(const Certificate& c) {
  if (c.domain.empty()) return "[0, 1]^" + std::to_string(c.variables.size());
  std::vector<std::string> parts;
  for (const auto& d : c.domain) parts.push_back("[" + d.lower + ", " + d.upper + "]");
  return join(parts, " \u00d7 ");
}

std::string scheme_title(const Certificate& c) {
  if (c.scheme_name == "cutoff") return "cutoff scheme (Construction A)";
  if (c.scheme_name == "hat") return "hat scheme (Construction B)";
  return c.scheme_name.empty() ? "unnamed scheme" : c.scheme_name + " scheme";
}

// (1 − ε)^m · U_0, the theorem's bound on ‖R_m‖_∞ (SPEC P2), exactly.
std::optional<Rational> theorem_bound(const Certificate& c, int m) {
  if (!c.epsilon || !c.initial || !c.initial->sup || m < 0) return std::nullopt;
  const Rational q = Rational(1) - num::parse_rational(*c.epsilon);
  Rational bound = num::parse_rational(c.initial->sup->upper);
  for (int k = 0; k < m; ++k) bound *= q;
  return bound;
}

std::string json_value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : v) parts.push_back(json_value_text(e));
    return join(parts, ", ");
  }
  return v.dump();
}

std::vector<std::pair<std::string, std::string>> parameters(const Certificate& c) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("target", c.expression);
  if (!c.canonical.empty() && c.canonical != c.expression) out.emplace_back("canonical form", c.canonical);
  out.emplace_back("variables", join(c.variables, ", ") + " (d = " + std::to_string(c.variables.size()) + ")");
  out.emplace_back("domain", domain_text(c) + ", mapped affinely onto \u03a9 = [0,1]^" + std::to_string(c.variables.size()));
  out.emplace_back("scheme", scheme_title(c));
  if (c.epsilon) out.emplace_back("\u03b5 (scheme)", *c.epsilon + " \u2248 " + decimal_lower(*c.epsilon, kDigits));
  for (const auto& [key, value] : c.scheme.items()) {
    if (key == "name" || key == "epsilon") continue;
    out.emplace_back("scheme." + key, json_value_text(value));
  }
  for (const auto& [key, value] : c.options.items()) out.emplace_back("options." + key, json_value_text(value));
  if (c.width) out.emplace_back("width W", std::to_string(*c.width));
  out.emplace_back("grades", std::to_string(c.grades.size()));
  return out;
}

// The enclosures that stopped short of the requested relative gap, one sentence.
std::string short_gaps_text(const Certificate& c) {
  std::vector<std::string> items;
  for (const auto& g : c.short_gaps) {
    std::string item =
        "R_" + std::to_string(g.residual) + " " + (g.norm == "sup" ? "sup-norm" : "L^" + g.norm);
    item += g.gap.empty() ? " (no finite bound" : " (gap " + decimal_upper(g.gap, 2);
    if (!g.stopped.empty()) item += "; " + g.stopped;
    items.push_back(item + ")");
  }
  const std::string gap = c.options.contains("rel_gap") ? " " + json_value_text(c.options["rel_gap"]) : "";
  return "Requested relative gap" + gap + " not reached by " + std::to_string(items.size()) +
         (items.size() == 1 ? " enclosure" : " enclosures") +
         " (marked * in the tables): " + join(items, ", ") +
         ". Their bounds are certified all the same, and every claim reported proven above holds with the "
         "bounds "
         "reached.";
}

// The statement of what was proven, as plain-text paragraphs; `code` marks up
// an expression for the output format.
template <typename Code>
std::vector<std::string> statement(const Certificate& c, Code code) {
  std::vector<std::string> paragraphs;
  const std::size_t d = c.variables.size();
  std::vector<int> proven, open;
  std::optional<Rational> max_ratio;
  for (const auto& g : c.grades) {
    (g.status == "proven" ? proven : open).push_back(g.index);
    if (g.status == "proven" && !g.ratio.empty()) {
      const Rational r = num::parse_rational(g.ratio);
      if (!max_ratio || r > *max_ratio) max_ratio = r;
    }
  }
  std::string first = "Target f(" + join(c.variables, ", ") + ") = " + code(c.expression) + " on " + domain_text(c) +
                      ", approximated by the " + scheme_title(c) + " with " + std::to_string(c.grades.size()) +
                      (c.grades.size() == 1 ? " grade" : " grades") + ". ";
  if (c.status == "certified") {
    first += "Certificate status: certified \u2014 every claim (P1\u2013P4) of every grade is proven.";
  } else if (open.empty() && !c.stop_message.empty()) {
    first +=
        "Certificate status: not certified \u2014 every recorded grade is proven, but the run stopped before "
        "its goal: " +
        c.stop_message + ".";
  } else {
    first += "Certificate status: not certified \u2014 at least one claim could not be established within the "
             "budget; such claims are reported with the best bounds found and are not claimed.";
  }
  if (c.incomplete) first += " The run is incomplete: only the grades listed were attempted.";
  paragraphs.push_back(first);

  if (!proven.empty()) {
    std::string s = "Proven for grade" + std::string(proven.size() == 1 ? " " : "s ") + grade_ranges(proven) +
                    ", with residuals R_m = f \u2212 \u03a6_m: ";
    s += "(P1) |R_m(x)| \u2264 |R_{m\u22121}(x)| at every point x; ";
    if (c.epsilon) {
      s += "(P2) \u2016R_m\u2016\u221e \u2264 (1 \u2212 \u03b5)\u2016R_{m\u22121}\u2016\u221e with \u03b5 = " + *c.epsilon;
    } else {
      s += "(P2) \u2016R_m\u2016\u221e \u2264 r_m\u2016R_{m\u22121}\u2016\u221e";
    }
    if (max_ratio) s += ", the certified ratios r_m being at most " + decimal(*max_ratio, Direction::up, kDigits);
    s += "; ";
    if (!c.ps.empty()) {
      s += "(P3) \u2016R_m\u2016_p < \u2016R_{m\u22121}\u2016_p for every p in [1, \u221e) (Theorem " +
           std::string(c.scheme_name == "hat" ? "B" : "A") + "; L^p enclosures reported for p = " + join(c.ps, ", ") +
           ")";
    } else {
      s += "(P3) \u2016R_m\u2016_p < \u2016R_{m\u22121}\u2016_p for every p in [1, \u221e)";
    }
    if (c.width) {
      s += "; (P4) every hidden layer has at most " + std::to_string(*c.width) + " neurons";
      if (*c.width <= static_cast<long>(5 * d)) s += " (\u2264 5d = " + std::to_string(5 * d) + ")";
    }
    s += ".";
    paragraphs.push_back(s);
  }
  for (const auto& g : c.grades) {
    if (g.status == "proven") continue;
    std::vector<std::string> failed;
    if (g.pointwise != "proven") failed.push_back("P1");
    if (g.contraction != "proven") failed.push_back("P2");
    for (const auto& [p, status] : g.lp_decrease) {
      if (status != "proven") failed.push_back("P3 (p = " + p + ")");
    }
    std::string s = "Grade " + std::to_string(g.index) + " is " + (g.status == "not-certified" ? "not certified" : g.status);
    if (!g.reason.empty()) s += ": " + g.reason;
    if (!failed.empty()) s += ". Claims not established: " + join(failed, ", ");
    paragraphs.push_back(s + ".");
  }
  if (!c.short_gaps.empty()) paragraphs.push_back(short_gaps_text(c));
  if (c.initial && c.initial->sup && !c.grades.empty() && c.grades.back().sup) {
    const GradeInfo& last = c.grades.back();
    std::string s = "Sup-norm: \u2016f\u2016\u221e \u2208 " + interval_text(c.initial->sup) + " and \u2016R_" +
                    std::to_string(last.index) + "\u2016\u221e \u2208 " + interval_text(last.sup);
    const Rational upper = num::parse_rational(last.sup->upper);
    const Rational lower0 = num::parse_rational(c.initial->sup->lower);
    if (upper > 0 && lower0 > 0) {
      s += ", a reduction by a factor of at least " + decimal(lower0 / upper, Direction::down, 4);
    }
    paragraphs.push_back(s + " (certified enclosures, decimals rounded outward).");
  }
  return paragraphs;
}

const char* kRecheck =
    "Re-check this certificate independently with `mgdl-verify check certificate.json`. The checker shares no code "
    "with the construction or the certification engine (it uses MPFI and GMP), re-verifies every claim from the "
    "exact data in the file in time linear in its size, and exits 0 only if every claim re-verifies.";

// ---------------------------------------------------------------------------
// HTML pieces.

std::string html(std::string_view s) { return svg::escape(s); }

std::string status_class(const std::string& status) {
  if (status == "proven" || status == "certified") return "proven";
  if (status.rfind("invalid", 0) == 0) return "invalid";
  return "not-certified";
}

std::string badge(const std::string& status) {
  return "<span class=\"badge " + status_class(status) + "\">" + html(status) + "</span>";
}

// Plain-text math to HTML: R_m, L_{m−1}, ‖·‖_p as subscripts and L^p, (..)^m as
// superscripts, only after a capital, a closing bracket or a non-ASCII symbol
// (so "rel_gap" stays as written). Everything else is escaped.
std::string html_math(const std::string& s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char ch = s[i];
    if ((ch == '_' || ch == '^') && i > 0 && i + 1 < s.size()) {
      const auto prev = static_cast<unsigned char>(s[i - 1]);
      const bool after_symbol = (prev >= 'A' && prev <= 'Z') || prev == ')' || prev == ']' || prev >= 0x80U;
      std::string script;
      std::size_t next = i + 1;
      if (s[i + 1] == '{') {
        const std::size_t close = s.find('}', i + 2);
        if (close != std::string::npos) {
          script = s.substr(i + 2, close - i - 2);
          next = close + 1;
        }
      } else if (std::isalnum(static_cast<unsigned char>(s[i + 1])) != 0) {
        script = s.substr(i + 1, 1);
        next = i + 2;
      }
      if (after_symbol && !script.empty()) {
        const char* tag = ch == '_' ? "sub" : "sup";
        out += std::string("<") + tag + ">" + html(script) + "</" + tag + ">";
        i = next;
        continue;
      }
    }
    out += html(std::string(1, ch));
    ++i;
  }
  return out;
}

// Inline code from the Markdown sentence pieces: `...` becomes <code>...</code>.
std::string html_with_code(const std::string& s) {
  std::string out;
  bool in_code = false;
  std::string chunk;
  for (char ch : s) {
    if (ch == '`') {
      out += in_code ? "<code>" + html(chunk) + "</code>" : html_math(chunk);
      chunk.clear();
      in_code = !in_code;
    } else {
      chunk += ch;
    }
  }
  out += html_math(chunk);
  return out;
}

const std::vector<std::string> kPalette = {"#1f4e9c", "#d1495b", "#2a9d8f", "#e9a03b", "#6a4c93", "#8d6e63"};

double approx(const std::string& exact_text) { return num::to_double_approx(num::parse_rational(exact_text)); }

std::pair<double, double> axis_range(const Certificate& c, std::size_t axis) {
  if (axis < c.domain.size()) return {approx(c.domain[axis].lower), approx(c.domain[axis].upper)};
  return {0.0, 1.0};
}

std::vector<std::size_t> selected(const std::vector<ResidualSamples>& residuals, std::size_t limit) {
  std::vector<std::size_t> picks;
  const std::size_t n = residuals.size();
  if (n == 0) return picks;
  if (n <= limit) {
    for (std::size_t i = 0; i < n; ++i) picks.push_back(i);
    return picks;
  }
  for (std::size_t k = 0; k < limit; ++k) picks.push_back(k * (n - 1) / (limit - 1));
  picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
  return picks;
}

std::string residual_plots(const Certificate& c, const PlotData& plots) {
  const std::size_t d = c.variables.size();
  std::string out;
  if (plots.residuals.empty()) return "<p class=\"note\">No residual samples were supplied for this report.</p>\n";
  const auto [x0, x1] = axis_range(c, 0);
  if (d == 1) {
    svg::LinePlot linear, logarithmic;
    linear.title = "Residual R_m (sampled)";
    linear.x_label = c.variables.empty() ? "x" : c.variables[0];
    linear.y_label = "R_m(" + linear.x_label + ")";
    linear.width = 510;
    linear.height = 330;
    logarithmic = linear;
    logarithmic.title = "|R_m| on a log scale (sampled)";
    logarithmic.y_label = "|R_m(" + linear.x_label + ")|";
    logarithmic.log_y = true;
    logarithmic.log_min_ratio = 1e-3;
    const auto picks = selected(plots.residuals, 4);
    for (std::size_t k = 0; k < picks.size(); ++k) {
      const auto& r = plots.residuals[picks[k]];
      svg::Series s;
      s.label = r.grade == 0 ? "m = 0 (f)" : "m = " + std::to_string(r.grade);
      s.color = kPalette[k % kPalette.size()];
      s.stroke_width = 1.4;
      for (double x : r.x) s.x.push_back(x0 + (x1 - x0) * x);
      s.y = r.value;
      linear.series.push_back(s);
      for (double& v : s.y) v = std::abs(v);
      logarithmic.series.push_back(std::move(s));
    }
    out += "<div class=\"plots\">\n<figure>" + svg::line_plot(linear) + "</figure>\n<figure>" +
           svg::line_plot(logarithmic) + "</figure>\n</div>\n";
    out += "<p class=\"note\">Curves are sampled in double precision for display (sampled, not certified); the "
           "certified bounds are in the tables.</p>\n";
  } else {
    const auto [y0, y1] = axis_range(c, 1);
    out += "<div class=\"plots small\">\n";
    for (std::size_t i : selected(plots.residuals, 6)) {
      const auto& r = plots.residuals[i];
      svg::HeatMap map;
      map.title = r.grade == 0 ? "R_0 = f" : "R_" + std::to_string(r.grade);
      if (d >= 3) map.title += " (slice)";
      map.n = r.n;
      map.grid = r.grid;
      map.size = 210;
      map.x_label = c.variables.size() > 0 ? c.variables[0] : "x";
      map.y_label = c.variables.size() > 1 ? c.variables[1] : "y";
      map.x0 = x0;
      map.x1 = x1;
      map.y0 = y0;
      map.y1 = y1;
      out += "<figure>" + svg::heat_map(map) + "</figure>\n";
    }
    std::string slice;
    if (d >= 3) {
      // The samples' fixed coordinates are in Ω; the caption gives them in the user's domain.
      const auto& fixed = plots.residuals.front().fixed;
      slice = "Slice through the centre of the domain: ";
      for (std::size_t k = 2; k < d; ++k) {
        const auto [a, b] = axis_range(c, k);
        const double t = k - 2 < fixed.size() ? fixed[k - 2] : 0.5;
        slice += (k > 2 ? ", " : "") + c.variables[k] + " = " + svg::number(a + (b - a) * t, 6);
      }
      slice += " (the certified norms are over the whole domain). ";
    }
    out += "</div>\n<p class=\"note\">" + html(slice) +
           "Each map has its own colour scale \u00b1max|R_m| over the samples (blue "
           "negative, red positive); values are sampled in double precision (sampled, not certified).</p>\n";
  }
  return out;
}

std::string norm_plot(const Certificate& c) {
  svg::LinePlot plot;
  plot.title = "Certified norms per grade";
  plot.x_label = "grade m";
  plot.y_label = "norm of R_m";
  plot.log_y = true;
  plot.integer_x = true;
  plot.width = 760;
  plot.height = 360;
  std::vector<const GradeInfo*> rows;
  if (c.initial) rows.push_back(&*c.initial);
  for (const auto& g : c.grades) rows.push_back(&g);
  svg::Series upper{"sup-norm upper U_m", {}, {}, "#1f4e9c", false, true, 2.0};
  svg::Series lower{"sup-norm lower L_m", {}, {}, "#6c8ebf", true, false, 1.4};
  for (const auto* g : rows) {
    if (!g->sup) continue;
    upper.x.push_back(g->index);
    upper.y.push_back(approx(g->sup->upper));
    lower.x.push_back(g->index);
    lower.y.push_back(approx(g->sup->lower));
  }
  if (c.epsilon && c.initial && c.initial->sup) {
    svg::Series bound{"(1\u2212\u03b5)^m \u00b7 U_0 (theorem)", {}, {}, "#888888", true, false, 1.6};
    const int last = c.grades.empty() ? 0 : c.grades.back().index;
    for (int m = 0; m <= last; ++m) {
      bound.x.push_back(m);
      bound.y.push_back(num::to_double_approx(*theorem_bound(c, m)));
    }
    plot.series.push_back(std::move(bound));
  }
  plot.series.push_back(std::move(upper));
  plot.series.push_back(std::move(lower));
  std::size_t color = 2;
  for (const auto& p : c.ps) {
    svg::Series s{"L^" + p + " upper", {}, {}, kPalette[color++ % kPalette.size()], false, true, 1.4};
    for (const auto* g : rows) {
      const auto it = g->lp.find(p);
      if (it == g->lp.end()) continue;
      s.x.push_back(g->index);
      s.y.push_back(approx(it->second.upper));
    }
    plot.series.push_back(std::move(s));
  }
  std::string note = "Exact bounds are converted to doubles for drawing only.";
  if (c.epsilon) {
    note += " When every grade is proven, U_m stays below the grey theorem line (1\u2212\u03b5)^m\u00b7U_0, since "
            "U_m \u2264 (1\u2212\u03b5)L_{m\u22121} \u2264 (1\u2212\u03b5)U_{m\u22121}.";
  }
  return "<figure>" + svg::line_plot(plot) + "</figure>\n<p class=\"note\">" + html_math(note) + "</p>\n";
}

int choose_layout_grade(const Certificate& c, const PlotData& plots) {
  if (plots.layout_grade >= 1 && static_cast<std::size_t>(plots.layout_grade) <= c.grades.size()) {
    return plots.layout_grade;
  }
  // The most refined grade that is still drawable.
  for (auto g = c.grades.rbegin(); g != c.grades.rend(); ++g) {
    if (g->cutoffs && *g->cutoffs > 0 && *g->cutoffs <= 3000) return g->index;
  }
  return c.grades.empty() ? 0 : c.grades.front().index;
}

const ResidualSamples* find_samples(const PlotData& plots, int grade) {
  for (const auto& r : plots.residuals) {
    if (r.grade == grade) return &r;
  }
  return nullptr;
}

std::string layout_plot(const Certificate& c, const json& certificate, const PlotData& plots) {
  const int grade = choose_layout_grade(c, plots);
  if (grade < 1) return "<p class=\"note\">The certificate has no grades.</p>\n";
  CutoffLayout layout;
  try {
    layout = cutoff_layout(certificate, grade);
  } catch (const std::invalid_argument& e) {
    return "<p class=\"note\">No cutoff layout to draw (" + html(e.what()) + ").</p>\n";
  }
  const std::size_t d = c.variables.size();
  double max_c = 0;
  for (const auto& q : layout.cutoffs) max_c = std::max(max_c, std::abs(q.coefficient));
  std::string caption = "Grade " + std::to_string(grade) + ": " + std::to_string(layout.cutoffs.size()) +
                        " cutoffs \u03c8_Q, overlap number \u03ba = " + std::to_string(layout.kappa) +
                        ", max |c_Q| \u2248 " + svg::number(max_c, 4) + ". ";
  const std::string pos = "#d1495b", neg = "#1f4e9c";
  if (d == 1) {
    const auto [x0, x1] = axis_range(c, 0);
    svg::LinePlot plot;
    plot.title = "Cutoff layout of grade " + std::to_string(grade);
    plot.x_label = c.variables.empty() ? "x" : c.variables[0];
    plot.y_label = "value";
    plot.width = 900;
    plot.height = 360;
    auto user = [&, x0 = x0, x1 = x1](double t) { return x0 + (x1 - x0) * t; };
    if (const auto* before = find_samples(plots, grade - 1)) {
      svg::Series s{"R_" + std::to_string(grade - 1) + " (before)", {}, before->value, "#9aa5b1", false, false, 1.4};
      for (double x : before->x) s.x.push_back(user(x));
      plot.series.push_back(std::move(s));
    }
    // h_m drawn through all its breakpoints so the trapezoids are exact shapes.
    std::vector<double> ts;
    for (int i = 0; i <= 400; ++i) ts.push_back(i / 400.0);
    for (const auto& q : layout.cutoffs) {
      for (double t : {q.core_lower[0] - q.rho[0], q.core_lower[0], q.core_upper[0], q.core_upper[0] + q.rho[0]}) {
        if (t >= 0 && t <= 1) ts.push_back(t);
      }
    }
    std::sort(ts.begin(), ts.end());
    ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
    svg::Series h{"h_" + std::to_string(grade) + " = \u03a3 c_Q \u03c8_Q", {}, {}, "#2a9d8f", false, false, 2.0};
    for (double t : ts) {
      h.x.push_back(user(t));
      h.y.push_back(correction_approx(layout, {t}));
    }
    plot.series.push_back(std::move(h));
    if (const auto* after = find_samples(plots, grade)) {
      svg::Series s{"R_" + std::to_string(grade) + " (after)", {}, after->value, "#e9a03b", false, false, 1.2};
      for (double x : after->x) s.x.push_back(user(x));
      plot.series.push_back(std::move(s));
    }
    for (const auto& q : layout.cutoffs) {
      const std::string& color = q.coefficient >= 0 ? pos : neg;
      plot.bands.push_back({user(q.support_lower[0]), user(q.support_upper[0]), color, 0.3, 0});
      plot.bands.push_back({user(q.core_lower[0]), user(q.core_upper[0]), color, 0.9, 1});
    }
    caption += "Bars along the bottom: cores Q (upper row, solid) and supports S(Q) (lower row, light); red c_Q > 0, "
               "blue c_Q < 0.";
    return "<figure>" + svg::line_plot(plot) + "</figure>\n<p class=\"note\">" + html(caption) +
           " Drawn from the certificate's exact corrections converted to doubles.</p>\n";
  }
  if (d == 2) {
    const auto [x0, x1] = axis_range(c, 0);
    const auto [y0, y1] = axis_range(c, 1);
    svg::RectPlot plot;
    plot.title = "Cutoff layout of grade " + std::to_string(grade);
    plot.size = 460;
    plot.x_label = c.variables[0];
    plot.y_label = c.variables[1];
    plot.x0 = x0;
    plot.x1 = x1;
    plot.y0 = y0;
    plot.y1 = y1;
    for (const auto& q : layout.cutoffs) {
      const std::string& color = q.coefficient >= 0 ? pos : neg;
      plot.rects.push_back({q.support_lower, q.support_upper, color, color, 0.06, true, ""});
    }
    for (const auto& q : layout.cutoffs) {
      const std::string& color = q.coefficient >= 0 ? pos : neg;
      const double strength = max_c > 0 ? std::abs(q.coefficient) / max_c : 0.0;
      plot.rects.push_back({q.core_lower, q.core_upper, color, "#ffffff", 0.2 + 0.6 * strength, false,
                            "c = " + svg::number(q.coefficient, 6)});
    }
    caption += "Filled: cores Q (red c_Q > 0, blue c_Q < 0, stronger colour for larger |c_Q|); dashed: supports S(Q).";
    std::string figures = "<figure>" + svg::rectangles(plot) + "</figure>\n";
    if (const auto* before = find_samples(plots, grade - 1); before != nullptr && before->n > 0) {
      svg::HeatMap map;
      map.title = "R_" + std::to_string(grade - 1) + ", the residual this grade corrects";
      map.n = before->n;
      map.grid = before->grid;
      map.size = plot.size;
      map.x_label = plot.x_label;
      map.y_label = plot.y_label;
      map.x0 = x0;
      map.x1 = x1;
      map.y0 = y0;
      map.y1 = y1;
      figures += "<figure>" + svg::heat_map(map) + "</figure>\n";
      caption += " Right: the sampled residual before this grade, same axes.";
    }
    return "<div class=\"plots\">\n" + figures + "</div>\n<p class=\"note\">" + html(caption) +
           " Drawn from the certificate's exact corrections converted to doubles.</p>\n";
  }
  return "<p class=\"note\">" + html(caption) + "Layouts are drawn for d \u2264 2 only.</p>\n";
}

const char* kStyle = R"css(
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --ok: #1a7f37; --okbg: #dafbe1;
        --warn: #9a4d00; --warnbg: #fff1d6; --bad: #b42318; --badbg: #ffebe9; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f4; color: var(--ink);
       font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 32px 40px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 34px 0 12px; padding-bottom: 5px; border-bottom: 1px solid var(--line); }
p { margin: 8px 0; max-width: 980px; }
code, .num { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
             font-size: 13px; }
code { background: #f3f5f7; padding: 1px 5px; border-radius: 4px; }
.subtitle { color: var(--muted); margin: 0 0 10px; }
table { border-collapse: collapse; font-size: 13.5px; margin: 6px 0 4px; }
th, td { padding: 5px 7px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
td.reason { color: var(--muted); font-size: 12.5px; }
table.params td:first-child { color: var(--muted); white-space: nowrap; }
.badge { display: inline-block; padding: 1px 10px; border-radius: 11px; font-weight: 600; font-size: 12.5px;
         white-space: nowrap; }
.proven { background: var(--okbg); color: var(--ok); }
.not-certified { background: var(--warnbg); color: var(--warn); }
.invalid { background: var(--badbg); color: var(--bad); }
.wide { overflow-x: auto; }
table.grades td.num { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
                      font-size: 12px; }
.mark { display: inline-block; width: 22px; text-align: center; border-radius: 11px; font-weight: 700; }
.plots { display: flex; flex-wrap: wrap; gap: 12px 18px; align-items: flex-start; }
figure { margin: 8px 0; }
svg.plot { display: block; background: #fff; }
.note { color: var(--muted); font-size: 13px; }
footer { margin-top: 36px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
)css";

}  // namespace

// ---------------------------------------------------------------------------

std::string render_summary_table(const json& certificate) {
  const Table t = summary_rows(read_certificate(certificate));
  std::string out = plain_header(t);
  for (const auto& r : t.rows) out += fixed_line(r, t.right);
  return out;
}

std::string render_gap_note(const json& certificate) {
  const Certificate c = read_certificate(certificate);
  return c.short_gaps.empty() ? std::string() : short_gaps_text(c);
}

std::string render_summary_header(const std::optional<std::string>& p) {
  return plain_header(summary_header(p));
}

std::string render_summary_row(const json& grade, const std::optional<std::string>& p) {
  const bool initial = !grade.contains("index");
  const Table t = summary_header(p);
  return fixed_line(summary_row(read_grade(grade, initial ? "initial" : "grade", initial), p, initial),
                    t.right);
}

std::string render_markdown(const json& certificate) {
  const Certificate c = read_certificate(certificate);
  std::string out = "# mgdl-verify report: `" + c.expression + "`\n\n";
  out += "**Status: " + c.status + "**" + (c.incomplete ? " (incomplete)" : "") + "\n\n";
  out += "## What was proven\n\n";
  for (const auto& p : statement(c, [](const std::string& s) { return "`" + s + "`"; })) out += p + "\n\n";

  out += "## Run parameters\n\n";
  Table params;
  params.header = {"parameter", "value"};
  params.right = {false, false};
  for (auto& [key, value] : parameters(c)) params.rows.push_back({key, "`" + value + "`"});
  out += markdown_table(params) + "\n";

  out += "## Per-grade results\n\n";
  out += markdown_table(summary_rows(c)) + "\n";
  out += "Intervals are certified enclosures [L, U] printed with 6 significant digits, lower ends rounded down and "
         "upper ends rounded up; the exact values are in `certificate.json`. ratio = U_m / L_{m\u22121}, a certified "
         "upper bound of \u2016R_m\u2016\u221e / \u2016R_{m\u22121}\u2016\u221e.\n\n";

  out += "## Claims per grade\n\n";
  Table claims;
  claims.header = {"grade", "P1 pointwise", "P2 contraction", "P3 L^p decrease", "(1\u2212\u03b5)^m\u00b7U_0",
                   "nontrivial witness", "reason"};
  claims.right = {true, false, false, false, true, false, false};
  for (const auto& g : c.grades) {
    std::vector<std::string> p3;
    for (const auto& [p, status] : g.lp_decrease) p3.push_back("p=" + p + " " + status);
    const auto bound = theorem_bound(c, g.index);
    std::string witness = g.nontrivial_witness.empty() ? "-" : "h(" + join(g.nontrivial_witness, ", ") + ")";
    if (!g.nontrivial_value.empty() && !g.nontrivial_witness.empty()) witness += " = " + g.nontrivial_value;
    claims.rows.push_back({std::to_string(g.index), g.pointwise.empty() ? "-" : g.pointwise,
                           g.contraction.empty() ? "-" : g.contraction, p3.empty() ? "-" : join(p3, ", "),
                           bound ? decimal(*bound, Direction::up, kDigits) : "-", witness,
                           g.reason.empty() ? "" : g.reason});
  }
  out += markdown_table(claims) + "\n";
  if (c.epsilon) {
    out += "(1\u2212\u03b5)^m\u00b7U_0 is the theorem's bound on \u2016R_m\u2016\u221e (P2 applied m times to U_0 "
           "\u2265 \u2016f\u2016\u221e), rounded up.\n\n";
  }

  if (!c.ps.empty()) {
    out += "## L^p norms\n\n";
    Table lp;
    lp.header = {"grade"};
    lp.right = {true};
    for (const auto& p : c.ps) {
      lp.header.push_back("L^" + p + " [L, U]");
      lp.right.push_back(false);
    }
    auto row = [&](const GradeInfo& g) {
      std::vector<std::string> r = {std::to_string(g.index)};
      for (const auto& p : c.ps) r.push_back(lp_text(g, p));
      lp.rows.push_back(std::move(r));
    };
    if (c.initial) row(*c.initial);
    for (const auto& g : c.grades) row(g);
    out += markdown_table(lp) + "\n";
  }

  out += "## How to re-check\n\n";
  out += "```\nmgdl-verify check certificate.json\n```\n\n";
  out += std::string(kRecheck) + " Plots are in `report.html` (sampled, not certified).\n";
  return out;
}

std::string render_html(const json& certificate, const PlotData& plots) {
  const Certificate c = read_certificate(certificate);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>mgdl-verify report: " + html(c.expression) + "</title>\n<style>" + kStyle + "</style>\n</head>\n";
  out += "<body>\n<main>\n";
  out += "<h1>Multigrade ReLU network certificate</h1>\n";
  out += "<p class=\"subtitle\">Target <code>" + html(c.expression) + "</code> on " + html(domain_text(c)) + " \u00b7 " +
         html(scheme_title(c)) + " \u00b7 " + badge(c.status) + (c.incomplete ? " " + badge("incomplete") : "") +
         "</p>\n";

  out += "<h2>What was proven</h2>\n";
  for (const auto& p : statement(c, [](const std::string& s) { return "`" + s + "`"; })) {
    out += "<p>" + html_with_code(p) + "</p>\n";
  }

  out += "<h2>Run parameters</h2>\n<table class=\"params\">\n";
  for (const auto& [key, value] : parameters(c)) {
    out += "<tr><td>" + html(key) + "</td><td><code>" + html(value) + "</code></td></tr>\n";
  }
  out += "</table>\n";

  out += "<h2>Per-grade results</h2>\n<div class=\"wide\"><table class=\"grades\">\n<tr><th>grade</th><th>cutoffs</th><th>\u03ba</th><th>depth</th>"
         "<th>width</th><th>sup-norm [L, U]</th>";
  for (const auto& p : c.ps) out += "<th>L<sup>" + html(p) + "</sup> [L, U]</th>";
  out += "<th>ratio</th><th>P1</th><th>P2</th><th>P3</th><th>status</th></tr>\n";
  auto row = [&](const GradeInfo& g, bool initial) {
    out += "<tr><td class=\"num\">" + std::to_string(g.index) + "</td><td class=\"num\">" +
           integer_text(g.cutoffs) + "</td><td class=\"num\">" + integer_text(g.kappa) + "</td><td class=\"num\">" +
           integer_text(g.depth) + "</td><td class=\"num\">" + integer_text(g.width) + "</td><td class=\"num\">" +
           interval_text(g.sup) + "</td>";
    for (const auto& p : c.ps) out += "<td class=\"num\">" + lp_text(g, p) + "</td>";
    out += "<td class=\"num\">" + ratio_text(g) + "</td>";
    if (initial) {
      out += "<td></td><td></td><td></td><td>target f</td></tr>\n";
      return;
    }
    std::string p3 = "proven";
    for (const auto& entry : g.lp_decrease) {
      if (entry.second != "proven") p3 = entry.second;
    }
    if (g.lp_decrease.empty()) p3 = "-";
    auto cell = [](const std::string& s) {
      if (s.empty() || s == "-") return std::string("-");
      return "<span class=\"mark " + status_class(s) + "\" title=\"" + html(s) + "\">" +
             (s == "proven" ? "\u2713" : "\u2717") + "</span>";
    };
    out += "<td>" + cell(g.pointwise) + "</td><td>" + cell(g.contraction) + "</td><td>" + cell(p3) + "</td><td>" +
           badge(g.status) + "</td></tr>\n";
    if (!g.reason.empty()) {
      out += "<tr><td></td><td class=\"reason\" colspan=\"" + std::to_string(10 + c.ps.size()) + "\">" +
             html(g.reason) + "</td></tr>\n";
    }
  };
  if (c.initial) row(*c.initial, true);
  for (const auto& g : c.grades) row(g, false);
  out += "</table></div>\n<p class=\"note\">Certified enclosures with 6 significant digits: lower ends rounded down, upper "
         "ends rounded up (exact values in certificate.json). ratio = U<sub>m</sub> / L<sub>m\u22121</sub>. P1 "
         "(\u2713 proven, \u2717 not certified) pointwise |R<sub>m</sub>| \u2264 |R<sub>m\u22121</sub>|, P2 contraction by (1\u2212\u03b5), P3 strict "
         "L<sup>p</sup> decrease.</p>\n";

  out += "<h2>Residuals</h2>\n" + residual_plots(c, plots);
  out += "<h2>Certified norms against the theorem's bound</h2>\n" + norm_plot(c);
  out += "<h2>Cutoff layout</h2>\n" + layout_plot(c, certificate, plots);

  out += "<footer>\n<p>" + html_with_code(kRecheck) + "</p>\n";
  out += "<p>Generated by mgdl-verify from the certificate alone; plotted curves are sampled in double precision "
         "(sampled, not certified).</p>\n</footer>\n";
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace mgdl::report
