// The checks of a network certificate (docs/certificate-format.md, "Network
// certificates"; proofs/networks.md): the network file's SHA-256, the covers
// of every residual with the checker's own MPFI evaluation of f and exact
// propagation through the embedded weights (dense.hpp; MPFI forward mode when
// an activation is tanh, sigmoid or sin, smooth_net.hpp), P1 covers and
// witnesses, the covers of a refutation's violation sup and measure (N5.3,
// N6.1), P2 ratios and P3 verdicts.
#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "analysis.hpp"
#include "claim_log.hpp"
#include "cover.hpp"
#include "dense.hpp"
#include "dense_pieces.hpp"
#include "fields.hpp"
#include "half_planes.hpp"
#include "lp_rules.hpp"
#include "mgdl/check/check.hpp"
#include "model.hpp"
#include "smooth_net.hpp"

namespace mgdl::check {
namespace {

using json = nlohmann::json;
using namespace fields;

// The most pieces of Φ_k's 1D table (N9) and the most exact multiply-adds its
// construction may cost; beyond them the propagation per box is used.
constexpr std::size_t kMaxPieces = std::size_t(1) << 16;
constexpr double kMaxWork = 1e8;

struct P3Claim {
  std::string key;
  Q p;
  std::string verdict, via;
};

struct NetGrade {
  SupClaim sup;
  std::string sup_status;
  std::vector<LpClaim> lp;
  std::vector<std::string> lp_status;
  std::string p1;  // proven | refuted | not-certified
  std::vector<Q> witness, witness_unit, strict_point;
  Q margin;
  bool has_violation = false, has_measure = false, correction_zero = false;
  // refuted: sup D_+ in [violation_lower, violation_upper] (N5); |{D > 0}| in
  // [measure_lower, measure_upper] on the user's domain, unit_* on Ω (N6).
  Q violation_lower, violation_upper;
  std::string violation_status, measure_status;
  Q measure_lower, measure_upper;
  bool has_unit_measure = false;
  Q measure_unit_lower, measure_unit_upper;
  bool has_ratio = false;
  Q ratio;
  std::vector<P3Claim> p3;
};

struct NetEvidence : CoverEvidence {
  bool has_pointwise = false;
  std::string pointwise_tree;
  // Version 2, P1 refuted: the covers of N5 and N6 (docs/certificate-format.md).
  bool has_violation_tree = false, has_measure_tree = false;
  std::string violation_tree, measure_tree, measure_leaves;  // leaves: V, S or U per leaf
};

struct NetCertificate {
  long version = 0;  // 1: P1 refutations without evidence of their violation bounds; 2: with
  std::string status;
  bool has_rel_gap = false;
  Q rel_gap;
  int d = 0;
  Target target;
  std::string copy, sha256;
  DenseNetwork unit;
  NetGrade initial;
  std::vector<NetGrade> grades;
  std::vector<NetEvidence> evidence;  // index = residual
  long precision = 0;
};

std::string verdict_word(const json& j, const std::string& where) {
  std::string s = str(j, where);
  if (s != "proven" && s != "refuted" && s != "not-certified")
    bad(where, "must be \"proven\", \"refuted\" or \"not-certified\"");
  return s;
}

std::string status_of(const json& j, const std::string& where) {
  const json* s = optional(j, "status");
  return s == nullptr ? std::string("proven") : verdict_word(*s, where + ".status");
}

void read_norms(const json& g, int d, const std::string& w, NetGrade& out) {
  const json& s = member(g, "sup_norm", w);
  out.sup = sup_claim(s, d, w + ".sup_norm");
  out.sup_status = status_of(s, w + ".sup_norm");
  if (const json* lp = optional(g, "lp_norms")) {
    out.lp = lp_claims(*lp, w + ".lp_norms");
    for (const auto& c : out.lp)
      out.lp_status.push_back(status_of((*lp)[c.key], w + ".lp_norms[" + c.key + "]"));
  }
}

NetCertificate read(const json& j) {
  NetCertificate c;
  c.version = integer(member(j, "version", "certificate"), "version", 0, 1000);
  if (c.version != 1 && c.version != 2) bad("version", "unsupported version (this checker reads 1 and 2)");
  c.status = str(member(j, "status", "certificate"), "status");
  if (c.status != "certified" && c.status != "not-certified")
    bad("status", "must be \"certified\" or \"not-certified\"");
  std::string expression;
  c.target = read_target(member(j, "target", "certificate"), expression);
  c.d = c.target.dimension;
  const std::vector<Q>& lo = c.target.lo;
  const std::vector<Q>& hi = c.target.hi;

  if (const json* o = optional(j, "options"))
    if (const json* g = optional(*o, "rel_gap")) {
      c.has_rel_gap = true;
      c.rel_gap = exact(*g, "options.rel_gap");
    }

  const json& network = member(j, "network", "certificate");
  c.copy = str(member(network, "copy", "network"), "network.copy");
  if (c.copy.empty() || c.copy.find('/') != std::string::npos || c.copy[0] == '.')
    bad("network.copy", "must be a file name beside the certificate");
  c.sha256 = str(member(network, "sha256", "network"), "network.sha256");
  DenseNetwork user;
  user.d = c.d;
  user.blocks = dense_network(member(network, "exact", "network"), c.d);
  c.unit = fold_domain(std::move(user), lo, hi);

  read_norms(member(j, "initial", "certificate"), c.d, "initial", c.initial);
  const json& grades = member(j, "grades", "certificate");
  if (!grades.is_array() || grades.size() != c.unit.blocks.size())
    bad("grades", "expected one entry per grade of the network");
  for (std::size_t m = 0; m < grades.size(); ++m) {
    const json& g = grades[m];
    const std::string w = "grades[" + std::to_string(m) + "]";
    if (integer(member(g, "index", w), w + ".index") != static_cast<long>(m + 1))
      bad(w + ".index", "grades are 1, 2, ...");
    NetGrade ng;
    read_norms(g, c.d, w, ng);
    ng.p1 = verdict_word(member(g, "pointwise_nonincreasing", w), w + ".pointwise_nonincreasing");
    if (ng.p1 == "refuted") {
      ng.witness = point(member(g, "p1_witness", w), c.d, w + ".p1_witness");
      if (const json* u = optional(g, "p1_witness_unit"))
        ng.witness_unit = point(*u, c.d, w + ".p1_witness_unit");
      ng.margin = exact(member(g, "p1_margin_lower", w), w + ".p1_margin_lower");
      if (const json* v = optional(g, "p1_violation")) {
        const std::string wv = w + ".p1_violation";
        ng.has_violation = true;
        ng.violation_lower = exact(member(*v, "lower", wv), wv + ".lower");
        ng.violation_upper = exact(member(*v, "upper", wv), wv + ".upper");
        ng.violation_status = status_of(*v, wv);
      }
      if (const json* v = optional(g, "p1_violation_measure")) {
        const std::string wv = w + ".p1_violation_measure";
        ng.has_measure = true;
        ng.measure_lower = exact(member(*v, "lower", wv), wv + ".lower");
        ng.measure_upper = exact(member(*v, "upper", wv), wv + ".upper");
        ng.measure_status = status_of(*v, wv);
        const json* ul = optional(*v, "unit_lower");
        const json* uu = optional(*v, "unit_upper");
        if ((ul == nullptr) != (uu == nullptr)) bad(wv, "unit_lower and unit_upper come together");
        if (ul != nullptr) {
          ng.has_unit_measure = true;
          ng.measure_unit_lower = exact(*ul, wv + ".unit_lower");
          ng.measure_unit_upper = exact(*uu, wv + ".unit_upper");
        }
      }
    }
    if (const json* s = optional(g, "p1_strict_point_unit"))
      ng.strict_point = point(*s, c.d, w + ".p1_strict_point_unit");
    if (const json* z = optional(g, "p1_correction_zero"))
      ng.correction_zero = z->is_boolean() && z->get<bool>();
    if (const json* r = optional(g, "contraction_ratio_upper")) {
      ng.has_ratio = true;
      ng.ratio = exact(*r, w + ".contraction_ratio_upper");
    }
    if (const json* s = optional(g, "lp_strict_decrease")) {
      if (!s->is_object()) bad(w + ".lp_strict_decrease", "expected an object");
      const json* via = optional(g, "lp_strict_decrease_via");
      for (auto it = s->begin(); it != s->end(); ++it) {
        P3Claim pc{it.key(), p_value(it.key(), w + ".lp_strict_decrease"),
                   verdict_word(*it, w + ".lp_strict_decrease[" + it.key() + "]"), ""};
        if (via != nullptr && via->is_object() && via->contains(it.key()) && (*via)[it.key()].is_string())
          pc.via = (*via)[it.key()].get<std::string>();
        ng.p3.push_back(std::move(pc));
      }
    }
    c.grades.push_back(std::move(ng));
  }

  const json& evidence = member(j, "evidence", "certificate");
  if (const json* p = optional(evidence, "precision"))
    c.precision = integer(*p, "evidence.precision", 0, 1000000);
  c.evidence.resize(c.grades.size() + 1);
  const json& eg = member(evidence, "grades", "evidence");
  if (!eg.is_array()) bad("evidence.grades", "expected an array");
  std::set<long> seen;
  for (std::size_t k = 0; k < eg.size(); ++k) {
    const json& e = eg[k];
    const std::string w = "evidence.grades[" + std::to_string(k) + "]";
    const long r = integer(member(e, "residual", w), w + ".residual", 0, static_cast<long>(c.grades.size()));
    if (!seen.insert(r).second) bad("evidence.grades", "two entries for residual " + std::to_string(r));
    NetEvidence& ne = c.evidence[static_cast<std::size_t>(r)];
    // With "rules": one leaf rule per L^p leaf (proofs/integration.md; K<n> splits at the network's kinks,
    // N9).
    cover_evidence(e, c.d, w, "grade " + std::to_string(r), true, ne);
    if (const json* pt = optional(e, "pointwise_tree")) {
      ne.has_pointwise = true;
      ne.pointwise_tree = str(*pt, w + ".pointwise_tree");
      validate_tree(ne.pointwise_tree, c.d, w + ".pointwise_tree");
    }
    if (const json* vt = optional(e, "p1_violation_tree")) {
      ne.has_violation_tree = true;
      ne.violation_tree = str(*vt, w + ".p1_violation_tree");
      validate_tree(ne.violation_tree, c.d, w + ".p1_violation_tree");
    }
    const json* mt = optional(e, "p1_measure_tree");
    const json* ml = optional(e, "p1_measure_leaves");
    if ((mt == nullptr) != (ml == nullptr)) bad(w, "p1_measure_tree and p1_measure_leaves come together");
    if (mt != nullptr) {
      ne.has_measure_tree = true;
      ne.measure_tree = str(*mt, w + ".p1_measure_tree");
      const std::size_t leaves = validate_tree(ne.measure_tree, c.d, w + ".p1_measure_tree");
      ne.measure_leaves = str(*ml, w + ".p1_measure_leaves");
      if (ne.measure_leaves.size() != leaves)
        bad(w + ".p1_measure_leaves", "has " + std::to_string(ne.measure_leaves.size()) + " letters for " +
                                          std::to_string(leaves) + " leaves");
      const std::size_t at = ne.measure_leaves.find_first_not_of("VSUL");
      if (at != std::string::npos)
        bad(w + ".p1_measure_leaves", "letter '" + ne.measure_leaves.substr(at, 1) + "' at position " +
                                          std::to_string(at) + " is not V, S, U or L");
    }
  }
  return c;
}

std::string sha256_of_file(const std::string& path, bool& found) {
  std::ifstream in(path, std::ios::binary);
  found = static_cast<bool>(in);
  if (!found) return "";
  std::ostringstream b;
  b << in.rdbuf();
  const std::string bytes = b.str();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) return "";
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

// The leaves of a validated tree, tested by `holds` until one fails: the leaf
// count, and the first failing leaf's index if any.
struct LeafScan {
  std::size_t leaves = 0;
  std::optional<std::size_t> bad;
};

// A validated pre-order tree over [0,1]^d in parts (cover.hpp), walked on up
// to `threads` threads; the parts depend on the tree only.
class PartedTree {
 public:
  PartedTree(const std::string& tree, int d)
      : tree_(tree), parts_(split_cover(tree, unit_box(d), none(), kCoverParts)) {}
  std::size_t size() const { return parts_.size(); }
  // visit(worker, part, leaf, box) for every leaf; one worker's calls run one after another.
  template <class Visit>
  void walk(int threads, Visit&& visit) const {
    for_each_task(parts_.size(), threads, [&](std::size_t t, std::size_t w) {
      walk_part(tree_, parts_[t],
                [&](std::size_t i, const Box& b, const CutoffsOnBox&) { visit(w, t, i, b); });
    });
  }
  // holds(worker, part, leaf, box) on the leaves of each part up to its first
  // failure (later leaves are counted, not tested); the first failure in leaf order.
  template <class Holds>
  LeafScan scan(int threads, Holds&& holds) const {
    std::vector<LeafScan> per(parts_.size());
    walk(threads, [&](std::size_t w, std::size_t t, std::size_t i, const Box& b) {
      LeafScan& s = per[t];
      ++s.leaves;
      if (!s.bad && !holds(w, t, i, b)) s.bad = i;
    });
    LeafScan out;
    for (std::size_t t = 0; t < per.size(); ++t) {
      out.leaves += per[t].leaves;
      if (per[t].bad && !out.bad) out.bad = per[t].bad;
    }
    return out;
  }

 private:
  static const CutoffIndex& none() {
    static const CutoffIndex empty({});
    return empty;
  }
  const std::string& tree_;
  std::vector<CoverPart> parts_;
};

bool in_unit(const std::vector<Q>& x) {
  for (const auto& v : x)
    if (v.sign() < 0 || Q(1) < v) return false;
  return true;
}

std::string show_point(const std::vector<Q>& x) {
  std::string s = "(";
  for (std::size_t i = 0; i < x.size(); ++i) s += (i ? ", " : "") + show(x[i]);
  return s + ")";
}

class NetworkChecker : ClaimLog {
 public:
  NetworkChecker(const NetCertificate& c, const CheckOptions& o, std::string dir)
      : c_(c), o_(o), dir_(std::move(dir)) {
    const long hint = c.precision > 0 ? c.precision : 0;
    prec_ = static_cast<mpfr_prec_t>(std::min<long>(std::max(o.min_precision, hint), 1024));
    threads_ = thread_count(o.threads);
    smooth_ = has_smooth_activation(c.unit);
  }

  CheckResult run() {
    check_file();
    const std::size_t G = c_.grades.size();
    residual_ok_.assign(G + 1, false);
    lp_ok_.assign(G + 1, {});
    // In 1D, the exact pieces of every grade, in one pass (N9(a)).
    have_grade_pieces_ =
        G > 0 && dense_grade_pieces(c_.unit, static_cast<int>(G), kMaxPieces, kMaxWork, grade_pieces_);
    for (std::size_t k = 0; k <= G; ++k) check_residual(k);
    for (std::size_t m = 1; m <= G; ++m) check_grade(m);
    if (c_.status == "certified") {
      if (decided_ && failed_ == 0)
        ok("status certified (every claim decided)");
      else
        failed("status: certified, but some claim is undecided or did not verify");
    } else {
      note("status: not-certified");
    }
    return result();
  }

 private:
  const NetGrade& claims(std::size_t k) const { return k == 0 ? c_.initial : c_.grades[k - 1]; }
  std::string name(std::size_t k) const { return k == 0 ? "initial" : "grade " + std::to_string(k); }

  // N7: the copy beside the certificate is the file that was certified.
  void check_file() {
    bool found = false;
    const std::string sha = sha256_of_file(dir_ + c_.copy, found);
    if (!found)
      failed("network file: the copy '" + c_.copy + "' is missing");
    else if (sha != c_.sha256)
      failed("network file: SHA-256 of '" + c_.copy + "' is " + sha + ", the certificate says " + c_.sha256);
    else
      ok("network file: SHA-256 " + sha.substr(0, 16) + "... of '" + c_.copy + "'");
  }

  // Raises the precision until `accept` holds (C1, N3), up to witness_precision.
  bool at_point(const std::function<bool(mpfr_prec_t)>& accept) {
    for (mpfr_prec_t p = prec_;; p *= 2) {
      if (p > o_.witness_precision) p = static_cast<mpfr_prec_t>(o_.witness_precision);
      if (accept(p)) return true;
      if (p >= o_.witness_precision) return false;
    }
  }
  // R_k(t): f(t) by MPFI minus Φ_k(t), exactly, or by MPFI for a smooth network (N10.2).
  void residual_at(const std::vector<Q>& t, std::size_t k, mpfr_prec_t p, I& out) {
    JetEvaluator ev(c_.target, p);
    std::vector<I> ti(t.size(), I(p));
    for (std::size_t i = 0; i < t.size(); ++i) mpfi_set_q(ti[i].get(), t[i].get());
    if (k > 0 && smooth_) {
      I phi(p);
      smooth_value(c_.unit, t, 1, static_cast<int>(k), phi);
      mpfi_sub(out.get(), ev.evaluate(ti, 0).c[0].get(), phi.get());
      return;
    }
    const Q phi = k == 0 ? Q() : dense_value(c_.unit, t, 1, static_cast<int>(k));
    mpfi_sub_q(out.get(), ev.evaluate(ti, 0).c[0].get(), phi.get());
  }
  // D_m(t) = |R_m(t)| − |R_{m−1}(t)| (N3).
  void margin_at(const std::vector<Q>& t, std::size_t m, mpfr_prec_t p, I& out) {
    I r(p), s(p);
    residual_at(t, m - 1, p, r);
    residual_at(t, m, p, s);
    mpfi_abs(r.get(), r.get());
    mpfi_abs(s.get(), s.get());
    mpfi_sub(out.get(), s.get(), r.get());
  }

  bool leaf_holds(ResidualAnalyzer& an, const Box& box,
                  const std::function<bool(ResidualAnalyzer&, const Box&)>& good, int level) const {
    an.analyse(box, std::vector<const CutoffData*>{});
    if (good(an, box)) return true;
    if (level >= o_.extra_levels) return false;
    auto halves = bisect(box);
    return leaf_holds(an, halves.first, good, level + 1) && leaf_holds(an, halves.second, good, level + 1);
  }

  void add_integral(ResidualAnalyzer& an, const Box& b, const Q& p, int levels, int smooth_levels, I& piece,
                    I& sum) const {
    an.analyse(b, std::vector<const CutoffData*>{});
    const bool smooth = an.lp_smooth(p);
    if (levels == 0 || (smooth && smooth_levels == 0)) {
      an.lp_integral(p, piece);
      mpfi_add(sum.get(), sum.get(), piece.get());
      return;
    }
    auto h = bisect(b);
    add_integral(an, h.first, p, levels - 1, smooth ? smooth_levels - 1 : smooth_levels, piece, sum);
    add_integral(an, h.second, p, levels - 1, smooth ? smooth_levels - 1 : smooth_levels, piece, sum);
  }

  void check_residual(std::size_t k) {
    const std::string who = name(k);
    const NetGrade& g = claims(k);
    const NetEvidence& ev = c_.evidence[k];
    // In 1D, Φ_k's exact pieces (N9(b)): enclosures and kinks by binary search.
    DensePieces pieces;
    const bool have_pieces =
        k > 0 && have_grade_pieces_ && dense_table(grade_pieces_, 1, static_cast<int>(k), pieces);
    // Per thread: an analyser, and the leaf rules of proofs/integration.md
    // (made when some evidence has a `rules` string).
    PerWorker<ResidualAnalyzer> analysers(threads_, [&] {
      auto an = std::make_unique<ResidualAnalyzer>(c_.target, prec_);
      an->set_dense(&c_.unit, 1, static_cast<int>(k));
      if (have_pieces) an->set_dense_pieces(&pieces);
      return an;
    });
    PerWorker<LeafIntegrator> integrators(threads_, [&] {
      auto rules = std::make_unique<LeafIntegrator>(c_.target, prec_, std::vector<const HatGrid*>{});
      rules->set_dense(&c_.unit, 1, static_cast<int>(k), have_pieces ? &pieces : nullptr);
      return rules;
    });
    bool all = true;
    // Upper bound from the cover (C1, C2).
    if (!ev.has_sup) {
      if (g.sup_status == "proven")
        failed(who + " sup-norm upper: evidence missing");
      else
        note(who + ": sup-norm upper not certified (not checked)");
      all = false;
    } else {
      const Q& u = ev.sup_upper;
      auto good = [&u](ResidualAnalyzer& a, const Box&) {
        mpfr_t m;
        mpfr_init2(m, a.range().prec());
        bool r = magnitude(m, a.range()) && mpfr_cmp_q(m, u.get()) <= 0;
        mpfr_clear(m);
        return r;
      };
      const LeafScan scan = PartedTree(ev.sup_tree, c_.d)
                                .scan(threads_, [&](std::size_t w, std::size_t, std::size_t, const Box& b) {
                                  return leaf_holds(analysers.at(w), b, good, 0);
                                });
      const bool fail = scan.bad.has_value();
      if (fail)
        failed(who + " sup-norm upper: leaf " + std::to_string(*scan.bad) + " has no bound <= " + show(u));
      else if (g.sup.upper < u)
        failed(who + " sup-norm upper " + show(g.sup.upper) + " is below the cover's " + show(u));
      else
        ok(who + ": sup-norm upper " + show(g.sup.upper) + " (" + std::to_string(scan.leaves) + " leaves)");
      all = all && !fail && !(g.sup.upper < u);
    }
    // Lower bound at the witness (C1.1).
    if (g.sup.lower.sign() > 0) {
      const Q& lower = g.sup.lower;
      bool good = !g.sup.witness.empty() && in_unit(g.sup.witness) && at_point([&](mpfr_prec_t p) {
        I r(p);
        residual_at(g.sup.witness, k, p, r);
        mpfr_t m;
        mpfr_init2(m, p);
        bool fine = finite(r);
        if (fine) {
          mpfi_mig(m, r.get());
          fine = mpfr_cmp_q(m, lower.get()) >= 0;
        }
        mpfr_clear(m);
        return fine;
      });
      if (good)
        ok(who + ": sup-norm lower " + show(lower) + " at " + show_point(g.sup.witness));
      else
        failed(who + " sup-norm lower " + show(lower) + ": not confirmed at the witness");
      all = all && good;
    } else if (g.sup.lower.sign() < 0) {
      failed(who + " sup-norm lower is negative");
      all = false;
    }
    if (g.sup_status != "proven") decided_ = false;
    // L^p (C3): the evidence's integral sum, refined where needed.
    std::vector<bool>& lp_ok = lp_ok_[k];
    for (std::size_t i = 0; i < g.lp.size(); ++i) {
      const LpClaim& claim = g.lp[i];
      const LpEvidence* le = nullptr;
      for (const auto& e : ev.lp)
        if (e.p == claim.p) le = &e;
      if (g.lp_status[i] != "proven") decided_ = false;
      if (le == nullptr) {
        if (g.lp_status[i] == "proven")
          failed(who + " L^" + claim.key + " norm: evidence missing");
        else
          note(who + ": L^" + claim.key + " not certified (not checked)");
        lp_ok.push_back(false);
        continue;
      }
      const mpfr_prec_t sp = prec_ + 64;
      I lo_p(sp), hi_p(sp), sum(sp), x(sp);
      mpfi_set_q(x.get(), le->lower.get());
      pow_nonneg(lo_p, x, claim.p);
      mpfi_set_q(x.get(), le->upper.get());
      pow_nonneg(hi_p, x, claim.p);
      // With rules, a refined leaf is bisected where it is wider than 1/8 of the claimed
      // window per unit volume (integration.md, Lemma I5(a): the same token on the halves).
      mpfr_t allowance;
      mpfr_init2(allowance, 64);
      mpfr_sub(allowance, hi_p.left(), lo_p.right(), MPFR_RNDD);
      mpfr_div_2ui(allowance, allowance, 3, MPFR_RNDD);
      if (!mpfr_number_p(allowance) || mpfr_sgn(allowance) < 0) mpfr_set_ui(allowance, 0, MPFR_RNDD);
      bool within = false;
      const PartedTree tree(le->tree, c_.d);
      for (int attempt = 0; attempt < 2 && !within; ++attempt) {
        // One sum per part, added in leaf order: the same whatever the thread count.
        std::vector<I> sums(tree.size(), I(sp));
        for (I& part_sum : sums) mpfi_set_ui(part_sum.get(), 0);
        std::vector<I> pieces_at(static_cast<std::size_t>(threads_), I(sp));
        tree.walk(threads_, [&](std::size_t w, std::size_t t, std::size_t leaf, const Box& b) {
          if (!le->rules.empty())
            integrators.at(w).add(b, CutoffsOnBox{}, le->rules[leaf], claim.p,
                                  attempt == 0 ? 0 : o_.extra_levels, attempt == 0 ? nullptr : allowance,
                                  sums[t]);
          else
            add_integral(analysers.at(w), b, claim.p, attempt == 0 ? 0 : o_.extra_levels,
                         attempt == 0 ? 0 : 2, pieces_at[w], sums[t]);
        });
        mpfi_set_ui(sum.get(), 0);
        for (const I& part_sum : sums) mpfi_add(sum.get(), sum.get(), part_sum.get());
        within = finite(sum) && le->lower.sign() >= 0 && mpfr_cmp(sum.left(), lo_p.right()) >= 0 &&
                 mpfr_cmp(sum.right(), hi_p.left()) <= 0;
      }
      mpfr_clear(allowance);
      if (!within)
        failed(who + " L^" + claim.key + " norm: the integral is not inside [lower^p, upper^p]");
      else if (le->lower < claim.lower || claim.upper < le->upper)
        failed(who + " L^" + claim.key + " norm: the claim is tighter than the evidence");
      else
        ok(who + ": L^" + claim.key + " norm in [" + show(claim.lower) + ", " + show(claim.upper) + "]" +
           (le->rules.empty() ? "" : " (rules " + describe_rules(le->rules) + ")"));
      lp_ok.push_back(within && !(le->lower < claim.lower || claim.upper < le->upper));
    }
    residual_ok_[k] = all;
  }

  // The enclosures P1 uses for grade m: R_{m−1}, R_m and h_m, in 1D from Φ's exact pieces (N9).
  struct P1Grade {
    P1Grade(const Target& t, mpfr_prec_t p) : prev(t, p), cur(t, p) {}
    std::size_t m = 0;
    ResidualAnalyzer prev, cur;
    DensePieces prev_pieces, cur_pieces, h_pieces;
    bool have_h = false;
  };
  std::unique_ptr<P1Grade> p1_grade(std::size_t m) const {
    auto g = std::make_unique<P1Grade>(c_.target, prec_);
    const int k = static_cast<int>(m);
    g->m = m;
    g->prev.set_dense(&c_.unit, 1, k - 1);
    g->cur.set_dense(&c_.unit, 1, k);
    if (have_grade_pieces_) {
      if (k > 1 && dense_table(grade_pieces_, 1, k - 1, g->prev_pieces))
        g->prev.set_dense_pieces(&g->prev_pieces);
      if (dense_table(grade_pieces_, 1, k, g->cur_pieces)) g->cur.set_dense_pieces(&g->cur_pieces);
      g->have_h = dense_table(grade_pieces_, k, k, g->h_pieces);
    }
    return g;
  }

  // One P1Grade of grade m per thread.
  PerWorker<P1Grade> p1_grades(std::size_t m) const {
    return PerWorker<P1Grade>(threads_, [this, m] { return p1_grade(m); });
  }

  // What one box certifies about D = |R_m| − |R_{m−1}| (N1, N2, N5, N6).
  struct P1Box {
    bool zero = false;      // h ≡ 0 on the box (N2(a))
    bool safe = false;      // D <= 0 on the box (N2(a)-(d))
    bool violated = false;  // D > 0 on the box (N1, N6)
    bool within = false;    // D <= bound on the box (N5), when a bound was given
  };

  // `bound`: also decide D <= *bound from min(sup|s| − inf|r|, sup|h|, U_m) (N5), with
  // U_m = `sup_cur` (a verified ‖R_m‖_∞ upper bound; null: none).
  P1Box p1_box(P1Grade& pg, const Box& b, const Q* bound = nullptr, const Q* sup_cur = nullptr) const {
    P1Box out;
    ResidualAnalyzer& prev = pg.prev;
    ResidualAnalyzer& cur = pg.cur;
    CorrectionEnclosure h;
    h.reset(c_.d);
    std::vector<Q> center(b.lo.size());
    for (std::size_t i = 0; i < center.size(); ++i) center[i] = midpoint(b.lo[i], b.hi[i]);
    const int m = static_cast<int>(pg.m);
    if (pg.have_h && in_unit_interval(b))
      add_pieces_enclosure(pg.h_pieces, b, center, h);  // N9(c)
    else
      add_dense_enclosure(c_.unit, m, m, b, center, prec_, h);
    if (h.affine && h.lo.sign() == 0 && h.hi.sign() == 0) {
      out.zero = out.safe = true;
      out.within = bound != nullptr && bound->sign() >= 0;
      return out;
    }
    const bool by_h = bound != nullptr && qmax(h.lo.abs(), h.hi.abs()) <= *bound;
    const bool by_sup = bound != nullptr && sup_cur != nullptr && *sup_cur <= *bound;
    out.within = by_h || by_sup;
    prev.analyse(b, std::vector<const CutoffData*>{});
    cur.analyse(b, std::vector<const CutoffData*>{});
    const I& r = prev.range();
    const I& s = cur.range();
    if (!finite(r) || !finite(s)) return out;
    I sum(prec_);
    mpfi_add(sum.get(), r.get(), s.get());
    mpfr_t sup_s, inf_r, sup_r, inf_s, gap;
    for (mpfr_ptr x : {sup_s, inf_r, sup_r, inf_s, gap}) mpfr_init2(x, prec_);
    magnitude(sup_s, s);
    magnitude(sup_r, r);
    mpfi_mig(inf_r, r.get());
    mpfi_mig(inf_s, s.get());
    out.safe = (h.lo.sign() >= 0 && certainly_ge(sum, Q())) || (h.hi.sign() <= 0 && certainly_le(sum, Q())) ||
               mpfr_cmp(sup_s, inf_r) <= 0;
    out.violated = mpfr_cmp(inf_s, sup_r) > 0 || (h.lo.sign() > 0 && strictly_neg(sum)) ||
                   (h.hi.sign() < 0 && strictly_pos(sum));
    if (bound != nullptr && !out.within) {
      if (out.safe) {
        out.within = bound->sign() >= 0;
      } else {
        mpfr_sub(gap, sup_s, inf_r, MPFR_RNDU);  // >= sup|s| − inf|r| >= D
        out.within = mpfr_number_p(gap) && mpfr_cmp_q(gap, bound->get()) <= 0;
      }
    }
    for (mpfr_ptr x : {sup_s, inf_r, sup_r, inf_s, gap}) mpfr_clear(x);
    return out;
  }

  // N2 on one box: h ≡ 0, or the sign test, or sup|s| <= inf|r|. `zero` is
  // cleared when the box needed more than h ≡ 0.
  bool p1_safe(P1Grade& pg, const Box& b, bool& zero) const {
    const P1Box e = p1_box(pg, b);
    if (!e.zero) zero = false;
    return e.safe;
  }

  // `good` on the box, or on both halves of a bisection, up to extra_levels deep: the
  // properties tested (D <= 0, D > 0, D <= u) hold on a box when they hold on its halves.
  bool holds(const Box& b, const std::function<bool(const Box&)>& good, int level = 0) const {
    if (good(b)) return true;
    if (level >= o_.extra_levels) return false;
    auto h = bisect(b);
    return holds(h.first, good, level + 1) && holds(h.second, good, level + 1);
  }

  static Q box_volume(const Box& b) {
    Q v(1);
    for (std::size_t i = 0; i < b.lo.size(); ++i) v = v * (b.hi[i] - b.lo[i]);
    return v;
  }

  bool gap_reached(const Q& lower, const Q& upper) const {
    return upper.sign() <= 0 || upper - lower <= c_.rel_gap * upper;
  }

  // The status of a refutation's enclosure: "proven" needs the requested gap (N5, N6).
  void check_size_status(const std::string& what, const std::string& status, const Q& lower, const Q& upper,
                         bool measure) {
    if (status != "proven") {
      decided_ = false;
      note(what + ": not certified to the rel-gap (status " + status + ")");
      return;
    }
    if (!c_.has_rel_gap)
      failed(what + ": status proven, but options.rel_gap is missing");
    else if (!gap_reached(lower, upper) || (measure && lower.sign() <= 0))
      failed(what + ": status proven, but [" + show(lower) + ", " + show(upper) +
             "] is wider than the rel-gap " + show(c_.rel_gap));
  }

  // N5.3: every leaf of the violation tree has D_m <= the claimed upper bound.
  void check_violation(std::size_t m) {
    const std::string who = name(m);
    const NetGrade& g = c_.grades[m - 1];
    const NetEvidence& ev = c_.evidence[m];
    if (!g.has_violation) {
      decided_ = false;
      return;
    }
    check_size_status(who + " P1 violation sup", g.violation_status, g.violation_lower, g.violation_upper,
                      false);
    if (!ev.has_violation_tree) {
      failed(who + " P1 violation upper: evidence missing (p1_violation_tree)");
      return;
    }
    PerWorker<P1Grade> pgs = p1_grades(m);
    const Q& u = g.violation_upper;
    const Q* sup_cur = residual_ok_[m] ? &g.sup.upper : nullptr;
    const LeafScan scan =
        PartedTree(ev.violation_tree, c_.d)
            .scan(threads_, [&](std::size_t w, std::size_t, std::size_t, const Box& b) {
              P1Grade& pg = pgs.at(w);
              return holds(b, [&](const Box& x) { return p1_box(pg, x, &u, sup_cur).within; });
            });
    if (scan.bad)
      failed(who + " P1 violation upper " + show(u) + ": leaf " + std::to_string(*scan.bad) +
             " has no bound |R_m| - |R_{m-1}| <= it");
    else
      ok(who + ": P1 violation sup (|R_m| - |R_{m-1}|)_+ in [" + show(g.violation_lower) + ", " + show(u) +
         "] (" + std::to_string(scan.leaves) + " leaves)");
  }

  // N6.2 (d = 2): [lo, hi] ∋ |{D > 0} ∩ B| from the exact forms of h and Φ_m on B
  // (every ReLU input of one sign at the corners), g = f − ℓ with ℓ = Φ_m − h/2
  // (D > 0 iff h g < 0, N1), the linear model A of g with |g − A| <= e (I4(b)), and
  // exact areas: {h >= 0, A <= −e} ∪ {h <= 0, A >= e} inside, {h >= 0, A <= e} ∪
  // {h <= 0, A >= −e} around. Both ends outward to 64-bit dyadics. False: no bracket.
  bool linear_measure(P1Grade& pg, const Box& b, Q& lo, Q& hi) const {
    if (c_.d != 2) return false;
    const std::vector<std::vector<Q>> corners{
        {b.lo[0], b.lo[1]}, {b.hi[0], b.lo[1]}, {b.hi[0], b.hi[1]}, {b.lo[0], b.hi[1]}};
    const int m = static_cast<int>(pg.m);
    std::vector<Q> h(3), phi(3);
    if (!dense_affine_on(c_.unit, m, m, corners, h) || !dense_affine_on(c_.unit, 1, m, corners, phi))
      return false;
    if (h[0].sign() == 0 && h[1].sign() == 0 && h[2].sign() == 0) {  // h ≡ 0: D = 0 (N2)
      lo = hi = Q();
      return true;
    }
    std::vector<Q> ell(3);
    for (std::size_t i = 0; i < 3; ++i) ell[i] = phi[i] - h[i] * Q(1, 2);
    pg.cur.analyse_affine(b, ell);
    Q a0, e;
    std::vector<Q> slope;
    long bits = 0;
    if (!linear_model(pg.cur, prec_, false, a0, slope, e, bits)) return false;
    // A = a0 + Σ b_i (x_i − c_i) = a[0] + a[1] x_0 + a[2] x_1.
    const std::vector<Q>& c = pg.cur.center();
    std::vector<Q> a{a0 - slope[0] * c[0] - slope[1] * c[1], slope[0], slope[1]};
    auto form = [](const std::vector<Q>& l, int sign, const Q& shift) {
      std::vector<Q> out(3);
      for (std::size_t i = 0; i < 3; ++i) out[i] = sign < 0 ? -l[i] : l[i];
      out[0] = out[0] + shift;
      return out;
    };
    const std::vector<Q> h_neg = form(h, -1, Q());
    const Q inside = clipped_area(b, {h, form(a, -1, -e)}) + clipped_area(b, {h_neg, form(a, 1, -e)});
    const Q around = clipped_area(b, {h, form(a, -1, e)}) + clipped_area(b, {h_neg, form(a, 1, e)});
    mpfr_t x;
    mpfr_init2(x, 64);
    mpfr_set_q(x, inside.get(), MPFR_RNDD);
    mpfr_get_q(lo.get(), x);
    mpfr_set_q(x, around.get(), MPFR_RNDU);
    mpfr_get_q(hi.get(), x);
    mpfr_clear(x);
    return true;
  }

  // N6.1: V leaves certified D > 0, S leaves D <= 0; lower <= Σ_V vol, upper >= 1 − Σ_S vol
  // (times the domain's volume for the user's measure, N0).
  void check_measure(std::size_t m) {
    const std::string who = name(m);
    const NetGrade& g = c_.grades[m - 1];
    const NetEvidence& ev = c_.evidence[m];
    if (!g.has_measure) {
      decided_ = false;
      return;
    }
    check_size_status(who + " P1 violation measure", g.measure_status,
                      g.has_unit_measure ? g.measure_unit_lower : g.measure_lower,
                      g.has_unit_measure ? g.measure_unit_upper : g.measure_upper, true);
    if (!ev.has_measure_tree) {
      failed(who + " P1 violation measure: evidence missing (p1_measure_tree, p1_measure_leaves)");
      return;
    }
    PerWorker<P1Grade> pgs = p1_grades(m);
    const PartedTree tree(ev.measure_tree, c_.d);
    // Exact sums per part (used only when every leaf holds).
    std::vector<Q> violated_in(tree.size()), safe_in(tree.size());
    const LeafScan scan = tree.scan(threads_, [&](std::size_t w, std::size_t t, std::size_t i, const Box& b) {
      P1Grade& pg = pgs.at(w);
      const char tag = ev.measure_leaves[i];
      if (tag == 'U') return true;
      if (tag == 'L') {  // N6.2: lower += lo, upper −= vol − hi
        Q lo, hi;
        if (!linear_measure(pg, b, lo, hi)) return false;
        violated_in[t] = violated_in[t] + lo;
        safe_in[t] = safe_in[t] + (box_volume(b) - hi);
        return true;
      }
      const bool v = tag == 'V';
      if (!holds(b, [&](const Box& x) {
            const P1Box e = p1_box(pg, x);
            return v ? e.violated : e.safe;
          }))
        return false;
      Q& sum = v ? violated_in[t] : safe_in[t];
      sum = sum + box_volume(b);
      return true;
    });
    Q violated, safe;
    for (std::size_t t = 0; t < tree.size(); ++t) {
      violated = violated + violated_in[t];
      safe = safe + safe_in[t];
    }
    if (scan.bad) {
      const char tag = ev.measure_leaves[*scan.bad];
      failed(who + " P1 violation measure: leaf " + std::to_string(*scan.bad) + " (" + std::string(1, tag) +
             ") is not certified " +
             (tag == 'V'   ? "|R_m| > |R_{m-1}|"
              : tag == 'S' ? "|R_m| <= |R_{m-1}|"
                           : "to have h and Phi_m affine (no linear-model bracket, N6.2)"));
      return;
    }
    Q w(1);
    for (int i = 0; i < c_.d; ++i) {
      const auto iu = static_cast<std::size_t>(i);
      w = w * (c_.target.hi[iu] - c_.target.lo[iu]);
    }
    const Q lower = violated, upper = Q(1) - safe;
    bool good = g.measure_lower <= lower * w && upper * w <= g.measure_upper;
    if (g.has_unit_measure) good = good && g.measure_unit_lower <= lower && upper <= g.measure_unit_upper;
    if (!good)
      failed(who + " P1 violation measure: the claim is tighter than the cover's [" + show(lower) + ", " +
             show(upper) + "] (unit cube)");
    else
      ok(who + ": P1 violation measure in [" + show(g.measure_lower) + ", " + show(g.measure_upper) + "] (" +
         std::to_string(ev.measure_leaves.size()) + " leaves)");
  }

  bool p1_leaf(P1Grade& pg, const Box& b, bool& zero, int level) const {
    bool z = true;
    if (p1_safe(pg, b, z)) {
      zero = zero && z;
      return true;
    }
    zero = false;
    if (level >= o_.extra_levels) return false;
    auto h = bisect(b);
    return p1_leaf(pg, h.first, zero, level + 1) && p1_leaf(pg, h.second, zero, level + 1);
  }

  void check_grade(std::size_t m) {
    const std::string who = name(m);
    const NetGrade& g = c_.grades[m - 1];
    const NetGrade& before = claims(m - 1);
    bool p1_verified = false, all_zero = false, strict_verified = false;
    if (g.p1 == "proven") {
      const NetEvidence& ev = c_.evidence[m];
      if (!ev.has_pointwise) {
        failed(who + " P1 proven: the cover is missing");
      } else {
        PerWorker<P1Grade> pgs = p1_grades(m);
        const PartedTree tree(ev.pointwise_tree, c_.d);
        std::vector<char> zero_in(tree.size(), 1);  // per part: h ≡ 0 on every leaf tested
        const LeafScan scan =
            tree.scan(threads_, [&](std::size_t w, std::size_t t, std::size_t, const Box& b) {
              bool z = zero_in[t] != 0;
              const bool fine = p1_leaf(pgs.at(w), b, z, 0);
              zero_in[t] = z ? 1 : 0;
              return fine;
            });
        all_zero = std::all_of(zero_in.begin(), zero_in.end(), [](char z) { return z != 0; });
        if (scan.bad)
          failed(who + " P1 proven: leaf " + std::to_string(*scan.bad) +
                 " is not certified |R_m| <= |R_{m-1}|");
        else
          ok(who + ": P1 |R_m| <= |R_{m-1}| on the domain (" + std::to_string(scan.leaves) + " leaves)");
        p1_verified = !scan.bad;
      }
      if (!g.strict_point.empty()) {
        strict_verified = in_unit(g.strict_point) && at_point([&](mpfr_prec_t p) {
                            I dm(p);
                            margin_at(g.strict_point, m, p, dm);
                            return finite(dm) && strictly_neg(dm);
                          });
        if (strict_verified)
          ok(who + ": |R_m| < |R_{m-1}| at " + show_point(g.strict_point));
        else
          failed(who + " strict point " + show_point(g.strict_point) + ": |R_m| < |R_{m-1}| not confirmed");
      }
    } else if (g.p1 == "refuted") {
      // N3, from the witness alone: user coordinates -> t, D_m(t) >= margin > 0.
      std::vector<Q> t;
      for (int i = 0; i < c_.d; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        t.push_back((g.witness[iu] - c_.target.lo[iu]) / (c_.target.hi[iu] - c_.target.lo[iu]));
      }
      const Q& margin = g.margin;
      bool good = margin.sign() > 0 && in_unit(t) && (g.witness_unit.empty() || g.witness_unit == t) &&
                  at_point([&](mpfr_prec_t p) {
                    I dm(p);
                    margin_at(t, m, p, dm);
                    return finite(dm) && certainly_ge(dm, margin);
                  });
      if (good)
        ok(who + ": P1 refuted at x* = " + show_point(g.witness) + ", |R_m| - |R_{m-1}| >= " + show(margin));
      else
        failed(who + " P1 refutation: |R_m(x*)| - |R_{m-1}(x*)| >= " + show(margin) +
               " > 0 not confirmed at " + show_point(g.witness));
      p1_verified = good;
      if (g.has_violation && margin < g.violation_lower)
        failed(who + " P1 violation lower bound " + show(g.violation_lower) + " exceeds the witness margin");
      if (c_.version >= 2) {
        check_violation(m);
        check_measure(m);
      } else if (g.has_violation || g.has_measure) {
        note(who +
             ": P1 violation sup and measure: upper bounds not re-checked (certificate version 1 "
             "predates their evidence)");
      }
    } else {
      decided_ = false;
    }
    // P2 (N5.1, N5.2).
    if (g.has_ratio) {
      if (before.sup.lower.sign() <= 0)
        failed(who + " ratio: the previous sup-norm lower bound is not positive");
      else if (g.sup.upper / before.sup.lower != g.ratio)
        failed(who + " ratio " + show(g.ratio) +
               " differs from U_m / L_{m-1} = " + show(g.sup.upper / before.sup.lower));
      else
        ok(who + ": ratio U_m / L_{m-1} = " + show(g.ratio));
    }
    // P3 (N4, N4.1, N4.2).
    for (const P3Claim& pc : g.p3) {
      std::size_t i = 0, j = 0;
      while (i < g.lp.size() && g.lp[i].p != pc.p) ++i;
      while (j < before.lp.size() && before.lp[j].p != pc.p) ++j;
      const bool have =
          i < g.lp.size() && j < before.lp.size() && i < lp_ok_[m].size() && j < lp_ok_[m - 1].size();
      const bool bounds_ok = have && lp_ok_[m][i] && lp_ok_[m - 1][j];
      const std::string w = who + " P3 (p = " + pc.key + ")";
      bool good = false;
      if (pc.verdict == "not-certified") {
        decided_ = false;
        note(w + ": not certified");
        continue;
      }
      if (pc.verdict == "proven") {
        good = (pc.via == "pointwise" && p1_verified && strict_verified) ||
               (bounds_ok && g.lp[i].upper < before.lp[j].lower);
      } else {
        good = (pc.via == "identical" && p1_verified && all_zero && g.correction_zero) ||
               (bounds_ok && before.lp[j].upper < g.lp[i].lower);
      }
      if (good)
        ok(w + ": " + pc.verdict + (pc.via.empty() ? "" : " (" + pc.via + ")"));
      else
        failed(w + ": " + pc.verdict + " does not follow from the verified claims");
    }
  }

  const NetCertificate& c_;
  const CheckOptions& o_;
  std::string dir_;
  mpfr_prec_t prec_;
  bool smooth_ = false;  // some activation is tanh, sigmoid or sin (N10)
  bool decided_ = true;
  int threads_ = 1;
  std::vector<bool> residual_ok_;
  std::vector<std::vector<bool>> lp_ok_;
  DenseGradePieces grade_pieces_;
  bool have_grade_pieces_ = false;
};

}  // namespace

bool is_network_certificate(const json& certificate) {
  return certificate.is_object() && certificate.contains("format") && certificate["format"].is_string() &&
         certificate["format"].get<std::string>() == "mgdl-network-certificate";
}

CheckResult check_network_certificate(const json& certificate, const std::string& directory,
                                      const CheckOptions& options) {
  CheckResult r;
  try {
    NetCertificate c = read(certificate);
    return NetworkChecker(c, options, directory).run();
  } catch (const MalformedError& e) {
    r.error = std::string("error: ") + e.what();
  } catch (const json::exception& e) {
    std::string what = e.what();
    r.error = "error: malformed certificate: " + what.substr(0, 160);
  } catch (const std::exception& e) {
    r.error = std::string("error: ") + e.what();
  }
  r.exit_code = exit_malformed;
  return r;
}

}  // namespace mgdl::check
