#include "mgdl/report/report.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace report = mgdl::report;
using nlohmann::json;

namespace {

const std::string kSource = MGDL_SOURCE_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json load_certificate(const std::string& name) {
  return json::parse(read_text(kSource + "/tests/report/data/" + name));
}

// Golden comparison; MGDL_REGENERATE_GOLDEN=1 rewrites the file for review.
void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = kSource + "/tests/golden/report/" + name;
  const char* regenerate = std::getenv("MGDL_REGENERATE_GOLDEN");
  if (regenerate != nullptr && std::string(regenerate) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    MESSAGE("regenerated " << path);
    return;
  }
  std::string expected;
  try {
    expected = read_text(path);
  } catch (const std::exception& e) {
    FAIL(e.what() << " (run with MGDL_REGENERATE_GOLDEN=1 to create it)");
  }
  INFO("golden file " << path << " differs; rerun with MGDL_REGENERATE_GOLDEN=1 and review the diff");
  CHECK(actual == expected);
}

// Residuals sampled in doubles from the certificate's own corrections:
// R_0 = f, R_m = R_{m-1} − h_m with h_m from cutoff_layout().
report::PlotData plots_for(const json& cert, int dimension, std::size_t points) {
  const int grades = static_cast<int>(cert["grades"].size());
  std::vector<report::CutoffLayout> layouts;
  for (int m = 1; m <= grades; ++m) layouts.push_back(report::cutoff_layout(cert, m));
  const double pi = std::acos(-1.0);
  return report::sample_residuals(dimension, grades, points, [&](int m, const std::vector<double>& x) {
    double r = dimension == 1 ? std::sin(2 * pi * x[0]) : x[0] * x[1];
    for (int k = 0; k < m; ++k) r -= report::correction_approx(layouts[static_cast<std::size_t>(k)], x);
    return r;
  });
}

void dump(const std::string& name, const std::string& text) {
  if (const char* dir = std::getenv("MGDL_REPORT_DUMP_DIR")) std::ofstream(std::string(dir) + "/" + name) << text;
}

// A small checker for the HTML we emit: every element is closed in order
// (void elements: meta, br), attributes are quoted, and text holds no raw '<'
// and only the entities we write. Returns "" or the first problem.
std::string html_problem(const std::string& s) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  const std::vector<std::string> entities = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
  while (i < s.size()) {
    if (s[i] == '&') {
      bool ok = false;
      for (const auto& e : entities) ok = ok || s.compare(i, e.size(), e) == 0;
      if (!ok) return "bare '&' at " + std::to_string(i);
      ++i;
      continue;
    }
    if (s[i] != '<') {
      if (s[i] == '>') return "bare '>' at " + std::to_string(i);
      ++i;
      continue;
    }
    if (s.compare(i, 9, "<!DOCTYPE") == 0) {
      if (i != 0) return "DOCTYPE not first";
      i = s.find('>', i) + 1;
      continue;
    }
    const std::size_t end = s.find('>', i);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
    std::string tag = s.substr(i + 1, end - i - 1);
    i = end + 1;
    if (!tag.empty() && tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name) {
        return "closing </" + name + "> does not match <" + (stack.empty() ? std::string("none") : stack.back()) + ">";
      }
      stack.pop_back();
      continue;
    }
    const bool self_closing = !tag.empty() && tag.back() == '/';
    if (self_closing) tag.pop_back();
    const std::size_t space = tag.find_first_of(" \n");
    const std::string name = tag.substr(0, space);
    if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos) {
      return "bad tag name '" + name + "'";
    }
    // Attributes: name="value" pairs.
    std::size_t a = space == std::string::npos ? tag.size() : space;
    while (a < tag.size()) {
      while (a < tag.size() && (tag[a] == ' ' || tag[a] == '\n')) ++a;
      if (a >= tag.size()) break;
      const std::size_t eq = tag.find('=', a);
      if (eq == std::string::npos || eq + 1 >= tag.size() || tag[eq + 1] != '"') return "unquoted attribute in <" + name + ">";
      const std::size_t close = tag.find('"', eq + 2);
      if (close == std::string::npos) return "unterminated attribute in <" + name + ">";
      if (tag.substr(eq + 2, close - eq - 2).find('<') != std::string::npos) return "'<' in attribute of <" + name + ">";
      a = close + 1;
    }
    if (name == "style") {  // raw text up to </style>
      const std::size_t close = s.find("</style>", i);
      if (close == std::string::npos) return "unterminated <style>";
      if (s.substr(i, close - i).find('<') != std::string::npos) return "'<' inside <style>";
      i = close + 8;
      continue;
    }
    if (self_closing || name == "meta" || name == "br") continue;
    stack.push_back(name);
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  return "";
}

std::string lower_case(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

void check_self_contained(const std::string& page) {
  const std::string lower = lower_case(page);
  for (const char* forbidden : {"http:", "https:", "//", "<link", "@import", "src=", "href=", "url(", "<script",
                                "<img", "<iframe", "<object", "<embed", "xlink"}) {
    INFO("forbidden: " << forbidden);
    CHECK(lower.find(forbidden) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("golden: summary table and Markdown of the 1D and 2D sample certificates") {
  for (const char* name : {"cert_1d", "cert_2d"}) {
    const json cert = load_certificate(std::string(name) + ".json");
    check_golden(std::string(name) + ".table.txt", report::render_summary_table(cert));
    check_golden(std::string(name) + ".md", report::render_markdown(cert));
  }
}

TEST_CASE("the summary table shows outward-rounded enclosures and the statuses") {
  const std::string table = report::render_summary_table(load_certificate("cert_1d.json"));
  // ‖f‖∞ ∈ [4294967295/4294967296, 1]: the lower end rounds down, never up to 1.
  CHECK(table.find("[0.999999, 1]") != std::string::npos);
  CHECK(table.find("not-certified") != std::string::npos);
  CHECK(table.find("target f") != std::string::npos);
  // Columns are aligned: every line of the table has no trailing blanks and the
  // rule line is as wide as the widest column set.
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) CHECK((line.empty() || line.back() != ' '));
}

TEST_CASE("the Markdown report states what is proven and what is not") {
  const std::string md1 = report::render_markdown(load_certificate("cert_1d.json"));
  CHECK(md1.find("Certificate status: not certified") != std::string::npos);
  CHECK(md1.find("Proven for grades 1, 2") != std::string::npos);
  CHECK(md1.find("Grade 3 is not certified: sup-norm enclosure gap") != std::string::npos);
  CHECK(md1.find("Claims not established: P2") != std::string::npos);
  CHECK(md1.find("mgdl-verify check certificate.json") != std::string::npos);
  const std::string md2 = report::render_markdown(load_certificate("cert_2d.json"));
  CHECK(md2.find("Certificate status: certified") != std::string::npos);
  CHECK(md2.find("Proven for grades 1, 2,") != std::string::npos);
  CHECK(md2.find("(\u2264 5d = 10)") != std::string::npos);
}

TEST_CASE("the HTML report is self-contained, well formed and deterministic") {
  for (const auto& [name, d] : {std::pair<std::string, int>{"cert_1d", 1}, {"cert_2d", 2}}) {
    INFO(name);
    const json cert = load_certificate(name + ".json");
    const report::PlotData plots = plots_for(cert, d, d == 1 ? 401 : 48);
    const std::string page = report::render_html(cert, plots);
    dump(name + ".html", page);
    check_self_contained(page);
    CHECK(html_problem(page) == "");
    CHECK(page.rfind("<!DOCTYPE html>\n<html", 0) == 0);
    CHECK(page.find("<svg") != std::string::npos);
    CHECK(page.find("sampled, not certified") != std::string::npos);
    CHECK(page.find("mgdl-verify check certificate.json") != std::string::npos);
    CHECK(report::render_html(cert, plots) == page);
    // Without samples the report still renders and says so.
    const std::string bare = report::render_html(cert, report::PlotData{});
    CHECK(html_problem(bare) == "");
    CHECK(bare.find("No residual samples") != std::string::npos);
  }
}

TEST_CASE("d >= 3: residual maps on the slice through the centre, captioned in user coordinates") {
  json cert = load_certificate("cert_2d.json");
  cert["target"]["variables"] = json::array({"x1", "x2", "x3"});
  cert["target"]["domain"] =
      json::array({json::array({"0", "1"}), json::array({"0", "1"}), json::array({"-1", "3"})});
  cert["network"]["corrections"] = json::array();
  // Without samples: the page says so.
  const std::string bare = report::render_html(cert, report::PlotData{});
  CHECK(bare.find("No residual samples") != std::string::npos);
  CHECK(html_problem(bare) == "");
  // R_m(x) = x1 + 2 x2 + 4 x3 − m: the samples must be taken at x3 = 1/2 (Ω), on the exact grid.
  const std::size_t n = 5;
  const report::PlotData plots = report::sample_residuals(3, 1, n, [](int m, const std::vector<double>& x) {
    REQUIRE(x.size() == 3);
    return x[0] + 2 * x[1] + 4 * x[2] - m;
  });
  REQUIRE(plots.residuals.size() == 2);
  for (const auto& r : plots.residuals) {
    REQUIRE(r.n == n);
    REQUIRE(r.grid.size() == n * n);
    CHECK(r.fixed == std::vector<double>{0.5});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        CHECK(r.grid[i * n + j] == static_cast<double>(j) / 4 + 2 * static_cast<double>(i) / 4 + 2 - r.grade);
  }
  const std::string page = report::render_html(cert, plots);
  CHECK(html_problem(page) == "");
  CHECK(page.find("R_1 (slice)") != std::string::npos);
  // x3's domain is [−1, 3]: the centre is 1.
  CHECK(page.find("Slice through the centre of the domain: x3 = 1 ") != std::string::npos);
  CHECK(page.find("sampled, not certified") != std::string::npos);
  // d = 4: every fixed coordinate is named.
  cert["target"]["variables"] = json::array({"x1", "x2", "x3", "x4"});
  cert["target"]["domain"].push_back(json::array({"0", "2"}));
  const std::string page4 = report::render_html(
      cert, report::sample_residuals(4, 1, n, [](int, const std::vector<double>&) { return 1.0; }));
  CHECK(page4.find("x3 = 1, x4 = 1 ") != std::string::npos);
}

TEST_CASE("hat scheme, no epsilon, markup in strings: still renders, escaped, and says why there is no layout") {
  json cert = load_certificate("cert_1d.json");
  cert["scheme"] = json{{"name", "hat"}, {"theta", "1/2"}};
  cert["target"]["expression"] = "x<y & \"z\" | w";
  cert["grades"][2]["reason"] = "a | b <script>";
  for (auto& correction : cert["network"]["corrections"]) correction["scheme"] = "hat";
  const std::string page = report::render_html(cert, report::PlotData{});
  CHECK(html_problem(page) == "");
  check_self_contained(page);
  CHECK(page.find("No cutoff layout to draw") != std::string::npos);
  CHECK(page.find("(theorem)") == std::string::npos);  // no theorem line without epsilon
  CHECK(page.find("grey theorem line") == std::string::npos);
  CHECK(report::render_html(load_certificate("cert_1d.json"), report::PlotData{}).find("(theorem)") != std::string::npos);
  const std::string md = report::render_markdown(cert);
  CHECK(md.find("a \\| b <script>") != std::string::npos);  // pipes escaped inside Markdown tables
}

TEST_CASE("the HTML checker itself catches planted defects") {
  CHECK(html_problem("<html><body></html>") != "");
  CHECK(html_problem("<p>a < b</p>") != "");
  CHECK(html_problem("<p class=x>a</p>") != "");
  CHECK(html_problem("<p>R & D</p>") != "");
  CHECK(html_problem("<p>ok &amp; fine<br></p>") == "");
}

TEST_CASE("cutoff layout and the sampled correction follow the certificate") {
  const json cert = load_certificate("cert_1d.json");
  const report::CutoffLayout layout = report::cutoff_layout(cert, 1);
  REQUIRE(layout.cutoffs.size() == 2);
  CHECK(layout.kappa == 2);
  CHECK(layout.cutoffs[0].core_lower[0] == 0.125);
  CHECK(layout.cutoffs[0].support_lower[0] == 0.0625);
  CHECK(layout.cutoffs[1].coefficient < 0);
  // h = c on the core, c/2 halfway down the ramp, 0 outside the support (Lemma A1 shape).
  CHECK(report::correction_approx(layout, {0.25}) == doctest::Approx(1567.0 / 8192));
  CHECK(report::correction_approx(layout, {0.09375}) == doctest::Approx(1567.0 / 16384));
  CHECK(report::correction_approx(layout, {0.5}) == 0.0);
  CHECK_THROWS_WITH_AS(report::cutoff_layout(cert, 4), "certificate: network.corrections[3] does not exist",
                       std::invalid_argument);
}

TEST_CASE("malformed certificates get one-line messages") {
  json cert = load_certificate("cert_1d.json");
  json missing = cert;
  missing.erase("grades");
  CHECK_THROWS_WITH_AS(report::render_markdown(missing), "certificate: missing key 'grades'", std::invalid_argument);
  json floaty = cert;
  floaty["grades"][0]["sup_norm"]["upper"] = 0.75;
  CHECK_THROWS_WITH_AS(report::render_summary_table(floaty),
                       "certificate: grades[0].sup_norm.upper must be an exact number string", std::invalid_argument);
  json wrong = cert;
  wrong["format"] = "something";
  CHECK_THROWS_WITH_AS(report::render_html(wrong, {}), "certificate: format is not 'mgdl-certificate'",
                       std::invalid_argument);
}
