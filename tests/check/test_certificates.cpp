// Whole certificates: the hand-made genuine ones pass; malformed files are
// errors with exit code 2 and one line, never a crash.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "mgdl/check/check.hpp"

using mgdl::check::check_certificate;
using mgdl::check::run_check;
using json = nlohmann::json;

namespace {

const std::string dir = std::string(MGDL_SOURCE_DIR) + "/data/certificates/";

json load(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

struct Pair {
  json cert, net;
};

Pair genuine(const std::string& name) {
  return {load(dir + name + "/certificate.json"), load(dir + name + "/network.json")};
}

int code(const Pair& p, std::string* error = nullptr) {
  auto r = check_certificate(p.cert, &p.net);
  if (error) *error = r.error;
  return r.exit_code;
}

}  // namespace

TEST_CASE("hand-made genuine certificates pass") {
  for (const char* name :
       {"x1d", "sin1d", "xy2d", "rules_exp1d", "rules_zero1d", "rules_exp2d", "rules_cut1d", "rules_hat1d"}) {
    CAPTURE(name);
    std::ostringstream out, err;
    CHECK(run_check(dir + name + "/certificate.json", out, err) == 0);
    CHECK(out.str().find("check passed") != std::string::npos);
    CHECK(out.str().find("FAILED") == std::string::npos);
    CHECK(err.str().empty());
  }
}

TEST_CASE("a failed claim is named and counted") {
  Pair p = genuine("x1d");
  p.cert["grades"][0]["sup_norm"]["upper"] = "1/2";
  p.cert["evidence"]["grades"][1]["sup_cover"]["upper"] = "1/2";
  auto r = check_certificate(p.cert, &p.net);
  CHECK(r.exit_code == 1);
  REQUIRE(r.lines.size() >= 2);
  bool named = false;
  for (const auto& l : r.lines) named = named || l.rfind("FAILED: grade 1 sup-norm upper: leaf", 0) == 0;
  CHECK(named);
  CHECK(r.lines.back().rfind("check failed: ", 0) == 0);
}

TEST_CASE("malformed certificates: exit code 2 with one line") {
  Pair base = genuine("x1d");
  auto expect_malformed = [](const Pair& p, const std::string& fragment) {
    std::string error;
    CHECK(code(p, &error) == 2);
    CHECK(error.rfind("error: ", 0) == 0);
    CHECK(error.find('\n') == std::string::npos);
    CHECK_MESSAGE(error.find(fragment) != std::string::npos, error);
  };
  {
    Pair p = base;
    p.cert.erase("target");
    expect_malformed(p, "missing key \"target\"");
  }
  {
    Pair p = base;
    p.cert["width"] = "five";
    expect_malformed(p, "width: expected an integer");
  }
  {
    Pair p = base;
    p.cert["grades"][0]["sup_norm"]["upper"] = "1e999999";
    expect_malformed(p, "exponent out of range");
  }
  {
    Pair p = base;
    p.cert["grades"][0]["sup_norm"]["upper"] = std::string(1000000, '7');
    expect_malformed(p, "number too long");
  }
  {
    Pair p = base;
    p.cert["grades"][0]["sup_norm"]["upper"] = 0.5;  // a float, not an exact string
    expect_malformed(p, "expected an exact number");
  }
  {
    Pair p = base;
    p.cert["evidence"]["grades"][1]["sup_cover"]["tree"] = "a..a";
    expect_malformed(p, "trailing characters");
  }
  {
    Pair p = base;
    p.cert["evidence"]["grades"][1]["sup_cover"]["tree"] = "b..";
    expect_malformed(p, "bad letter 'b'");
  }
  {
    Pair p = base;
    p.cert["evidence"]["grades"][1]["sup_cover"]["tree"] = "aa..";
    expect_malformed(p, "too short");
  }
  {
    Pair p = base;
    p.cert["evidence"]["grades"][1]["sup_cover"]["tree"] = std::string(100000, 'a');
    expect_malformed(p, "deeper than 400");
  }
  {
    Pair p = base;
    p.cert["target"]["domain"] = json::array({json::array({"0", "1"}), json::array({"0", "1"})});
    expect_malformed(p, "dimension mismatch");
  }
  {
    Pair p = base;
    p.cert["grades"][0]["sup_norm"]["witness"] = json::array({"1", "0"});
    expect_malformed(p, "2 coordinates, expected 1");
  }
  {
    Pair p = base;
    p.cert["network"]["corrections"][0]["cutoffs"][0]["rho"] = json::array({"0"});
    expect_malformed(p, "rho must be positive");
  }
  {
    Pair p = base;
    p.net["grades"][0]["layers"][0]["weights"][0] = json::array({99, 0, "1"});
    expect_malformed(p, "integer out of range");
  }
  {
    Pair p = base;
    p.cert["target"]["expression"] = "sin(";
    expect_malformed(p, "target expression");
  }
  {
    Pair p = base;
    p.cert = json::array();
    expect_malformed(p, "expected a JSON object");
  }
}

TEST_CASE("malformed files on disk: invalid JSON, deep nesting, missing network file") {
  const std::string tmp = std::string(MGDL_SOURCE_DIR) + "/build-check-tmp-cert.json";
  auto run_text = [&](const std::string& text) {
    {
      std::ofstream f(tmp, std::ios::binary);
      f << text;
    }
    std::ostringstream out, err;
    int rc = run_check(tmp, out, err);
    std::remove(tmp.c_str());
    CHECK(err.str().rfind("error: ", 0) == 0);
    CHECK(err.str().find('\n') == err.str().size() - 1);
    return rc;
  };
  CHECK(run_text("{\"format\": ") == 2);
  CHECK(run_text(std::string(200000, '[') + std::string(200000, ']')) == 2);
  CHECK(run_text("{\"x\": 1e999999}") == 2);
  CHECK(run_text("{\"x\": " + std::string(1000000, '9') + "}") == 2);
  std::string cert = load(dir + "x1d/certificate.json").dump();
  auto pos = cert.find("network.json");
  cert.replace(pos, 12, "missing.json");
  CHECK(run_text(cert) == 2);
  std::ostringstream out, err;
  CHECK(run_check("/nonexistent/certificate.json", out, err) == 2);
}

// Certificates with `rules` evidence (proofs/integration.md): norms claimed to a relative gap of
// 1e-10 that only the high-order rules confirm.
TEST_CASE("rules evidence: weaker rules cannot confirm the 1e-10 claims, and the failure names the claim") {
  auto first_failure = [](const Pair& p) {
    auto r = check_certificate(p.cert, &p.net);
    CHECK(r.exit_code == 1);
    for (const auto& l : r.lines)
      if (l.rfind("FAILED: ", 0) == 0) return l;
    return std::string();
  };
  {
    // G8 on 4 leaves -> G1 (with 6 bisection levels: 2^6 G1 pieces per leaf, too wide).
    Pair p = genuine("rules_exp1d");
    p.cert["evidence"]["grades"][0]["lp"]["1"]["rules"] = "G8G1G8G8";
    CHECK(first_failure(p).rfind("FAILED: initial L^1 norm: the integral of |R|^1 is in [", 0) == 0);
  }
  {
    // No rules: every leaf M (the midpoint rule), as for old certificates.
    Pair p = genuine("rules_exp2d");
    p.cert["evidence"]["grades"][0]["lp"]["2"].erase("rules");
    CHECK(first_failure(p).rfind("FAILED: initial L^2 norm: the integral of |R|^2 is in [", 0) == 0);
  }
  {
    // Tightened bounds with the genuine rules: refuted by the checker's own enclosure.
    Pair p = genuine("rules_hat1d");
    p.cert["grades"][0]["lp_norms"]["2"]["upper"] = p.cert["grades"][0]["lp_norms"]["2"]["lower"];
    p.cert["evidence"]["grades"][1]["lp"]["2"]["upper"] = p.cert["grades"][0]["lp_norms"]["2"]["lower"];
    CHECK(first_failure(p).rfind("FAILED: grade 1 L^2 norm: the integral of |R|^2 is in [", 0) == 0);
  }
}

TEST_CASE("rules evidence: malformed strings are errors naming the grade and p") {
  auto error_of = [](const Pair& p) {
    auto r = check_certificate(p.cert, &p.net);
    CHECK(r.exit_code == 2);
    return r.error;
  };
  {
    Pair p = genuine("rules_exp2d");
    p.cert["evidence"]["grades"][0]["lp"]["1"]["rules"] = "K8" + std::string(15 * 2, 'C').substr(0, 15);
    CHECK(error_of(p) ==
          "error: evidence.grades[0].lp[1].rules (initial, p = 1): token 1 at position 1: the kink rule K "
          "applies only "
          "in dimension 1 (here d = 2)");
  }
  {
    Pair p = genuine("rules_cut1d");
    p.cert["evidence"]["grades"][1]["lp"]["2"]["rules"] = "K8K8K8K8K8K8K8";
    CHECK(error_of(p) == "error: evidence.grades[1].lp[2].rules (grade 1, p = 2): 7 tokens for 8 leaves");
  }
  {
    Pair p = genuine("rules_exp1d");
    p.cert["evidence"]["grades"][0]["lp"]["3/2"]["rules"] = "G6G6G6G6G6G6G6g6";
    CHECK(error_of(p) ==
          "error: evidence.grades[0].lp[3/2].rules (initial, p = 3/2): token 8 at position 15: bad rule 'g' "
          "(expected "
          "C, M, Z, G<n>, K<n>, P<n>, S<n>, T<n> or F<n>)");
  }
}

TEST_CASE(
    "rules evidence: a token whose hypotheses fail is bisected (same token), and true claims still verify") {
  {
    // K8 -> G8 on leaves with cutoff kinks inside: G does not apply (h not affine), but
    // the halves of each leaf lie between kinks.
    Pair p = genuine("rules_cut1d");
    p.cert["evidence"]["grades"][1]["lp"]["1"]["rules"] = "G8G8G8G8G8G8G8G8";
    CHECK(check_certificate(p.cert, &p.net).exit_code == 0);
  }
  {
    // Z -> G8 at the zero crossing (sign not certain): crude on the leaf, bisected six
    // times, is within 1e-10 on a leaf of width 2^-13.
    Pair p = genuine("rules_zero1d");
    std::string rules = p.cert["evidence"]["grades"][0]["lp"]["1"]["rules"];
    const auto z = rules.find('Z');
    REQUIRE(z != std::string::npos);
    rules.replace(z, 1, "G8");
    p.cert["evidence"]["grades"][0]["lp"]["1"]["rules"] = rules;
    CHECK(check_certificate(p.cert, &p.net).exit_code == 0);
  }
}
