// The checks of docs/certificate-format.md, "What the checker verifies", in
// one pass over the certificate: every tree is walked once (plus at most
// CheckOptions::extra_levels bisections of a leaf whose enclosure is looser).
#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "analysis.hpp"
#include "claim_log.hpp"
#include "cover.hpp"
#include "mgdl/check/check.hpp"
#include "model.hpp"
#include "piece_sup.hpp"

namespace mgdl::check {
namespace {

using json = nlohmann::json;

std::string show_point(const std::vector<Q>& x) {
  std::string s = "(";
  for (std::size_t i = 0; i < x.size(); ++i) s += (i ? ", " : "") + show(x[i]);
  return s + ")";
}

std::string show_box(const Box& b) {
  std::string s;
  for (std::size_t i = 0; i < b.lo.size(); ++i) s += (i ? " x " : "") + ("[" + show(b.lo[i]) + ", " + show(b.hi[i]) + "]");
  return s;
}

// What one thread needs to analyse the leaves of one residual.
// The integrator of the leaf rules is made when some evidence has a `rules` string.
struct LeafWorker {
  LeafWorker(const Target& target, mpfr_prec_t prec, const std::vector<const HatGrid*>& hats)
      : an(target, prec), target_(target), prec_(prec), hats_(hats) {
    an.set_hats(hats);
  }
  LeafIntegrator& integrator() {
    if (!rules_) rules_ = std::make_unique<LeafIntegrator>(target_, prec_, hats_);
    return *rules_;
  }
  // Lemma C2.7's bound on a box cut into affine simplices (made on first use).
  PieceSupBounder& piecewise() {
    if (!piecewise_) piecewise_ = std::make_unique<PieceSupBounder>(target_, prec_, hats_);
    return *piecewise_;
  }
  ResidualAnalyzer an;

 private:
  const Target& target_;
  mpfr_prec_t prec_;
  const std::vector<const HatGrid*>& hats_;
  std::unique_ptr<LeafIntegrator> rules_;
  std::unique_ptr<PieceSupBounder> piecewise_;
};

class Checker : ClaimLog {
 public:
  Checker(const Certificate& c, const CheckOptions& o) : c_(c), o_(o) {
    long hint = c.precision > 0 ? c.precision : 0;
    prec_ = static_cast<mpfr_prec_t>(std::min<long>(std::max(o.min_precision, hint), 1024));
    threads_ = thread_count(o.threads);
  }

  CheckResult run() {
    check_network();
    const std::size_t G = c_.grades.size();
    for (std::size_t k = 0; k <= G; ++k) check_residual(k);
    for (std::size_t m = 1; m <= G; ++m) check_grade(m);
    check_gaps();
    check_status();
    return result();
  }

 private:

  const ResidualEvidence* evidence(std::size_t k) const {
    for (const auto& e : c_.evidence)
      if (e.residual == static_cast<long>(k)) return &e;
    return nullptr;
  }
  std::string name(std::size_t k) const { return k == 0 ? "initial" : "grade " + std::to_string(k); }
  // Cutoffs of grades 1..k (those subtracted in R_k).
  std::vector<const CutoffData*> cutoffs_upto(std::size_t k) const {
    std::vector<const CutoffData*> out;
    for (std::size_t m = 0; m < k && m < c_.corrections.size(); ++m)
      for (const auto& q : c_.corrections[m].cutoffs) out.push_back(&q);
    return out;
  }
  // The same, indexed by support (built once per k).
  const CutoffIndex& index_upto(std::size_t k) {
    if (indexes_.size() <= k) indexes_.resize(k + 1);
    if (!indexes_[k]) indexes_[k] = std::make_unique<CutoffIndex>(cutoffs_upto(k));
    return *indexes_[k];
  }

  // Hat corrections of grades 1..k (proofs/hat.md).
  std::vector<const HatGrid*> hats_upto(std::size_t k) const {
    std::vector<const HatGrid*> out;
    for (std::size_t m = 0; m < k && m < c_.corrections.size(); ++m)
      if (c_.corrections[m].hat) out.push_back(&c_.corrections[m].hat_grid);
    return out;
  }
  static std::size_t units(const CorrectionData& c) { return c.hat ? c.hat_grid.c.size() : c.cutoffs.size(); }

  // proofs/cutoff.md A5, proofs/hat.md B0.1, certification.md C6.
  void check_network() {
    const int d = c_.d;
    network_ok_ = true;
    if (!c_.has_dense) {
      failed("network: the dense network is missing");
      network_ok_ = false;
      return;
    }
    if (c_.dense.size() != c_.grades.size()) {
      failed("network: the dense network has " + std::to_string(c_.dense.size()) + " grades, the certificate " +
             std::to_string(c_.grades.size()));
      network_ok_ = false;
      return;
    }
    long width = 0;
    for (std::size_t m = 0; m < c_.grades.size(); ++m) {
      const GradeClaims& g = c_.grades[m];
      const std::string w = "grade " + std::to_string(m + 1) + " network";
      DenseBlock expected = c_.corrections[m].hat ? rebuild_hat_block(c_.corrections[m].hat_grid, m == 0 ? d : d + 2)
                                                  : rebuild_block(d, m == 0 ? d : d + 2, c_.corrections[m].cutoffs);
      std::string diff = compare_blocks(expected, c_.dense[m]);
      long bw = 0;
      for (const auto& l : c_.dense[m].layers) bw = std::max<long>(bw, l.outputs);
      long depth = static_cast<long>(c_.dense[m].layers.size()) + 1;
      width = std::max(width, bw);
      if (!diff.empty()) {
        failed(w + ": dense block differs from the structured correction: " + diff);
        network_ok_ = false;
      } else if (g.width != bw || g.depth != depth || g.cutoffs != static_cast<long>(units(c_.corrections[m]))) {
        failed(w + ": claimed width " + std::to_string(g.width) + ", depth " + std::to_string(g.depth) + ", cutoffs " +
               std::to_string(g.cutoffs) + "; the block has " + std::to_string(bw) + ", " + std::to_string(depth) +
               ", " + std::to_string(units(c_.corrections[m])));
        network_ok_ = false;
      }
    }
    if (c_.width != width) {
      failed("network: claimed width " + std::to_string(c_.width) + ", the blocks have " + std::to_string(width));
      network_ok_ = false;
    } else if (width > 5L * d) {
      failed("network: width " + std::to_string(width) + " > 5d = " + std::to_string(5 * d));
      network_ok_ = false;
    }
    if (network_ok_)
      ok("network: " + std::to_string(c_.grades.size()) + " grades equal their structured corrections, width " +
         std::to_string(width) + " <= " + std::to_string(5 * d));
  }

  // |R_k(x)| at an exact point, raising the precision up to the limit until
  // `accept` holds (C1).
  bool at_point(std::size_t k, const std::vector<Q>& x, const std::function<bool(const I&)>& accept, I& last) {
    Q h;
    for (const CutoffData* q : cutoffs_upto(k)) h = h + q->c * psi(*q, x);
    for (const HatGrid* hg : hats_upto(k)) h = h + hat_value(*hg, x);
    for (mpfr_prec_t p = prec_;; p *= 2) {
      if (p > o_.witness_precision) p = static_cast<mpfr_prec_t>(o_.witness_precision);
      JetEvaluator ev(c_.target, p);
      std::vector<I> t(x.size(), I(p));
      for (std::size_t i = 0; i < x.size(); ++i) mpfi_set_q(t[i].get(), x[i].get());
      I r(p);
      mpfi_sub_q(r.get(), ev.evaluate(t, 0).c[0].get(), h.get());
      last = r;
      if (accept(r)) return true;
      if (p >= o_.witness_precision) return false;
    }
  }

  static bool in_unit(const std::vector<Q>& x) {
    for (const auto& v : x)
      if (v.sign() < 0 || Q(1) < v) return false;
    return true;
  }

  // One leaf, with up to extra_levels bisections where `good` fails. With `piecewise` (a
  // sup-norm claim |R| <= *u, d >= 2), a box the plain enclosure fails on is tried by Lemma C2.7
  // first (the box cut into simplices on which h is affine, S6.1 on each), then bisected.
  bool leaf_holds(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs,
                  const std::function<bool(const I&)>& good, int level, PieceSupBounder* piecewise = nullptr,
                  const Q* u = nullptr) const {
    an.analyse(box, cutoffs);
    if (good(an.range())) return true;
    // C2.7 on the leaf and its halves only: the producer bounded this very leaf, and a tampered
    // claim must fail after a few such tries, not 2^extra_levels of them.
    if (piecewise != nullptr && u != nullptr && c_.d >= 2 && level <= 1 &&
        piecewise->at_most(box, cutoffs, *u))
      return true;
    if (level >= o_.extra_levels) return false;
    const Halves h = bisect(box, cutoffs);
    return leaf_holds(an, h.lower, h.lower_cutoffs, good, level + 1, piecewise, u) &&
           leaf_holds(an, h.upper, h.upper_cutoffs, good, level + 1, piecewise, u);
  }

  void check_residual(std::size_t k) {
    const std::string who = name(k);
    const SupClaim* sup = nullptr;
    const std::vector<LpClaim>* lp = nullptr;
    bool required = true;
    if (k == 0) {
      if (!c_.has_initial) {
        failed("initial: the claims about f are missing");
        residual_ok_.push_back(false);
        return;
      }
      sup = &c_.initial_sup;
      lp = &c_.initial_lp;
    } else {
      const GradeClaims& g = c_.grades[k - 1];
      required = g.status == "proven";
      if (g.has_sup) sup = &g.sup;
      lp = &g.lp;
    }
    bool all = true;
    lp_verified_.emplace_back();
    const ResidualEvidence* ev = evidence(k);
    const bool sup_needed = required || (sup != nullptr && sup->verdict.status == "proven");
    if (sup == nullptr) {
      if (required) failed(who + " sup-norm: claim missing");
      residual_ok_.push_back(false);
      return;
    }
    const CutoffIndex& cutoffs = index_upto(k);
    // One analyser (and, when some evidence has a `rules` string, one
    // integrator of proofs/integration.md's leaf rules) per thread.
    const std::vector<const HatGrid*> hats = hats_upto(k);
    PerWorker<LeafWorker> workers(threads_,
                                  [&] { return std::make_unique<LeafWorker>(c_.target, prec_, hats); });
    // sup_norm.upper via the cover (C1, C2).
    std::vector<std::pair<const LpEvidence*, I>> merged;
    if (ev == nullptr || !ev->has_sup) {
      if (sup_needed)
        failed(who + " sup-norm upper " + show(sup->upper) + ": evidence missing");
      else
        note(who + ": sup-norm upper not certified (no evidence; not checked)");
      all = false;
    } else {
      const Q& u = ev->sup_upper;
      auto good = [&u](const I& r) {
        mpfr_t m;
        mpfr_init2(m, r.prec());
        bool g = magnitude(m, r) && mpfr_cmp_q(m, u.get()) <= 0;
        mpfr_clear(m);
        return g;
      };
      // L^p evidence over the same tree is summed during this walk (one
      // analysis per leaf); the others get their own walk below.
      for (const LpEvidence& le : ev->lp)
        if (le.tree == ev->sup_tree) merged.emplace_back(&le, I(prec_ + 64));
      struct SupPart {
        std::size_t leaves = 0;
        bool fail = false;  // the part's first leaf with no bound <= u
        std::size_t bad_leaf = 0;
        Box bad_box;
        std::string bad_bound;
        std::vector<I> sums;  // per merged evidence
      };
      const std::vector<CoverPart> parts = split_cover(ev->sup_tree, unit_box(c_.d), cutoffs, kCoverParts);
      std::vector<SupPart> results(parts.size());
      for_each_task(parts.size(), threads_, [&](std::size_t t, std::size_t w) {
        LeafWorker& wk = workers.at(w);
        ResidualAnalyzer& an = wk.an;
        SupPart& r = results[t];
        r.sums.assign(merged.size(), I(prec_ + 64));
        for (auto& x : r.sums) mpfi_set_ui(x.get(), 0);
        I piece(prec_ + 64);
        walk_part(ev->sup_tree, parts[t], [&](std::size_t i, const Box& b, const CutoffsOnBox& cs) {
          ++r.leaves;
          an.analyse(b, cs);
          if (!r.fail && !good(an.range())) {
            if (!leaf_holds(an, b, cs, good, 0, &wk.piecewise(), &u)) {
              r.fail = true;
              r.bad_leaf = i;
              r.bad_box = b;
            }
            an.analyse(b, cs);
            if (r.fail) {
              mpfr_t m;
              mpfr_init2(m, prec_);
              if (magnitude(m, an.range())) {
                char buf[64];
                mpfr_snprintf(buf, sizeof buf, "%.6Rg", m);
                r.bad_bound = buf;
              } else {
                r.bad_bound = "unbounded";
              }
              mpfr_clear(m);
            }
          }
          for (std::size_t e = 0; e < merged.size(); ++e) {
            const LpEvidence& le = *merged[e].first;
            if (le.rules.empty())
              an.lp_integral(le.p, piece);
            else
              wk.integrator().enclose(an, b, cs, le.rules[i], le.p, piece);
            mpfi_add(r.sums[e].get(), r.sums[e].get(), piece.get());
          }
        });
      });
      // Combined in leaf order: the first failing leaf, and the same sums whatever the thread count.
      std::size_t n_leaves = 0;
      const SupPart* bad = nullptr;
      for (auto& m : merged) mpfi_set_ui(m.second.get(), 0);
      for (const SupPart& r : results) {
        n_leaves += r.leaves;
        if (r.fail && bad == nullptr) bad = &r;
        for (std::size_t e = 0; e < merged.size(); ++e)
          mpfi_add(merged[e].second.get(), merged[e].second.get(), r.sums[e].get());
      }
      if (bad != nullptr) {
        failed(who + " sup-norm upper: leaf " + std::to_string(bad->bad_leaf) + " " + show_box(bad->bad_box) +
               " bound " + bad->bad_bound + " > " + show(u));
        all = false;
      } else if (sup->upper < u) {
        failed(who + " sup-norm upper " + show(sup->upper) + " is below the cover's bound " + show(u));
        all = false;
      } else {
        ok(who + ": sup-norm upper " + show(sup->upper) + " (" + std::to_string(n_leaves) + " leaves)");
      }
    }
    // sup_norm.lower via the witness (C1).
    if (sup->lower.sign() > 0) {
      if (sup->witness.empty()) {
        failed(who + " sup-norm lower " + show(sup->lower) + ": witness missing");
        all = false;
      } else if (!in_unit(sup->witness)) {
        failed(who + " sup-norm lower: witness " + show_point(sup->witness) + " is outside [0,1]^d");
        all = false;
      } else {
        const Q& lower = sup->lower;
        I last(prec_);
        bool good = at_point(k, sup->witness, [&lower](const I& r) {
          mpfr_t m;
          mpfr_init2(m, r.prec());
          bool g = false;
          if (finite(r)) {
            mpfi_mig(m, r.get());
            g = mpfr_cmp_q(m, lower.get()) >= 0;
          }
          mpfr_clear(m);
          return g;
        }, last);
        if (good) ok(who + ": sup-norm lower " + show(lower) + " at witness " + show_point(sup->witness));
        else {
          failed(who + " sup-norm lower: |R(" + show_point(sup->witness) + ")| ~ " + approx(last) + " is not >= " +
                 show(lower));
          all = false;
        }
      }
    } else if (sup->lower.sign() < 0) {
      failed(who + " sup-norm lower " + show(sup->lower) + " is negative");
      all = false;
    }
    // L^p (C3).
    for (const LpClaim& claim : *lp) {
      const std::string w = who + " L^" + claim.key;
      const LpEvidence* le = nullptr;
      if (ev != nullptr)
        for (const auto& e : ev->lp)
          if (e.p == claim.p) le = &e;
      // Finite bounds claimed proven (or in a proven grade) need their cover.
      const bool needed = (required || claim.verdict.status == "proven") && claim.upper.sign() >= 0;
      if (le == nullptr) {
        if (needed) {
          failed(w + " norm: evidence missing");
          all = false;
        } else {
          note(who + ": L^" + claim.key + " not certified (no evidence; not checked)");
        }
        continue;
      }
      std::size_t n_leaves = validate_tree(le->tree, c_.d, w);
      const mpfr_prec_t sp = prec_ + 64;
      I lp_lo(sp), lp_hi(sp);
      pow_nonneg_q(lp_lo, le->lower, claim.p);
      pow_nonneg_q(lp_hi, le->upper, claim.p);
      bool within = false;
      I sum(sp);
      auto inside = [&] {
        return finite(sum) && le->lower.sign() >= 0 && mpfr_cmp(sum.left(), lp_lo.right()) >= 0 &&
               mpfr_cmp(sum.right(), lp_hi.left()) <= 0;
      };
      // The integral lies in every sum computed; when the unrefined sum misses
      // [lower^p, upper^p] entirely, no refined sum can lie inside it, so the
      // refining walk (up to 2^extra_levels analyses per leaf) is skipped.
      auto hopeless = [&] {
        return le->lower.sign() < 0 || (finite(sum) && (mpfr_cmp(sum.right(), lp_lo.left()) < 0 ||
                                                          mpfr_cmp(sum.left(), lp_hi.right()) > 0));
      };
      int first_attempt = 0;
      for (const auto& m : merged)
        if (m.first == le) {
          mpfi_set(sum.get(), m.second.get());
          within = inside();
          first_attempt = 1;
        }
      // With rules, a refined leaf is bisected where it is wider than 1/8 of the
      // claimed window per unit volume (integration.md, Lemma I5(a): the same token on the halves).
      mpfr_t allowance;
      mpfr_init2(allowance, 64);
      mpfr_sub(allowance, lp_hi.left(), lp_lo.right(), MPFR_RNDD);
      mpfr_div_2ui(allowance, allowance, 3, MPFR_RNDD);
      if (!mpfr_number_p(allowance) || mpfr_sgn(allowance) < 0) mpfr_set_ui(allowance, 0, MPFR_RNDD);
      std::vector<CoverPart> parts;
      for (int attempt = first_attempt; attempt < 2 && !within; ++attempt) {
        if (attempt > 0 && hopeless()) break;
        if (parts.empty()) parts = split_cover(le->tree, unit_box(c_.d), cutoffs, kCoverParts);
        std::vector<I> sums(parts.size(), I(sp));
        for_each_task(parts.size(), threads_, [&](std::size_t t, std::size_t worker_index) {
          LeafWorker& wk = workers.at(worker_index);
          I& part_sum = sums[t];
          mpfi_set_ui(part_sum.get(), 0);
          I piece(sp);
          walk_part(le->tree, parts[t], [&](std::size_t i, const Box& b, const CutoffsOnBox& cs) {
            if (!le->rules.empty())
              wk.integrator().add(b, cs, le->rules[i], claim.p, attempt == 0 ? 0 : o_.extra_levels,
                                  attempt == 0 ? nullptr : allowance, part_sum);
            else
              add_integral(wk.an, b, cs, claim.p, attempt == 0 ? 0 : o_.extra_levels, attempt == 0 ? 0 : 2,
                           piece, part_sum);
          });
        });
        mpfi_set_ui(sum.get(), 0);
        for (const I& x : sums) mpfi_add(sum.get(), sum.get(), x.get());
        within = inside();
      }
      mpfr_clear(allowance);
      if (!within) {
        failed(w + " norm: the integral of |R|^" + claim.key + " is in [" + approx_left(sum) + ", " +
               approx_right(sum) + "], not inside [" + show(le->lower) + "^" + claim.key + ", " + show(le->upper) +
               "^" + claim.key + "]");
        all = false;
      } else if (le->lower < claim.lower || claim.upper < le->upper) {
        failed(w + " norm: claimed [" + show(claim.lower) + ", " + show(claim.upper) + "] is tighter than the evidence [" +
               show(le->lower) + ", " + show(le->upper) + "]");
        all = false;
      } else {
        lp_verified_.back().insert(claim.key);
        ok(who + ": L^" + claim.key + " norm in [" + show(claim.lower) + ", " + show(claim.upper) + "] (" +
           std::to_string(n_leaves) + " leaves" +
           (le->rules.empty() ? "" : "; rules " + describe_rules(le->rules)) + ")");
      }
    }
    residual_ok_.push_back(all);
  }

  static std::string approx_left(const I& x) {
    char buf[64];
    mpfr_snprintf(buf, sizeof buf, "%.6Rg", x.left());
    return buf;
  }

  static void pow_nonneg_q(I& out, const Q& x, const Q& p) {
    if (x.sign() < 0) {
      set_entire(out);
      return;
    }
    I xi(out.prec());
    mpfi_set_q(xi.get(), x.get());
    pow_nonneg(out, xi, p);
  }

  // ∫_B |R|^p, bisecting up to `levels` times where the midpoint rule does not
  // apply, and up to `smooth_levels` times where it does (our remainder bound
  // can be looser than the producer's; each level shrinks it about fourfold).
  void add_integral(ResidualAnalyzer& an, const Box& b, const CutoffsOnBox& cs, const Q& p, int levels,
                    int smooth_levels, I& piece, I& sum) const {
    an.analyse(b, cs);
    const bool smooth = an.lp_smooth(p);
    if (levels == 0 || (smooth && smooth_levels == 0)) {
      an.lp_integral(p, piece);
      mpfi_add(sum.get(), sum.get(), piece.get());
      return;
    }
    const Halves h = bisect(b, cs);
    const int next_smooth = smooth ? smooth_levels - 1 : smooth_levels;
    add_integral(an, h.lower, h.lower_cutoffs, p, levels - 1, next_smooth, piece, sum);
    add_integral(an, h.upper, h.upper_cutoffs, p, levels - 1, next_smooth, piece, sum);
  }

  void check_grade(std::size_t m) {
    const GradeClaims& g = c_.grades[m - 1];
    const std::string who = "grade " + std::to_string(m);
    const CorrectionData& corr = c_.corrections[m - 1];
    const bool proven = g.status == "proven";
    bool grade_ok = network_ok_ && residual_ok_[m] && residual_ok_[m - 1];

    // Support facts (A3) behind pointwise_nonincreasing.
    bool facts_ok = false;
    const ResidualEvidence* ev = evidence(m);
    long kappa = g.has_kappa ? g.kappa : corr.kappa;
    if (g.pointwise == "proven") {
      facts_ok = true;
      if (g.has_kappa && g.kappa != corr.kappa) {
        failed(who + " support facts: kappa " + std::to_string(g.kappa) + " differs from the correction's " +
               std::to_string(corr.kappa));
        facts_ok = false;
      }
      const int overlap = overlap_number(c_.d, corr.cutoffs);
      if (kappa < overlap || kappa <= 0) {
        if (!corr.cutoffs.empty() || kappa < 0) {
          failed(who + " support facts: kappa " + std::to_string(kappa) + " < overlap number " + std::to_string(overlap));
          facts_ok = false;
        }
      }
      if (ev == nullptr || !ev->has_facts) {
        if (units(corr) != 0) {
          failed(who + " pointwise non-increase: support facts missing");
          facts_ok = false;
        }
      } else if (facts_ok) {
        facts_ok = check_facts(m, corr, *ev, kappa, overlap);
      }
      if (!facts_ok) grade_ok = false;
    } else if (proven) {
      failed(who + " status: proven, but pointwise_nonincreasing is not");
      grade_ok = false;
    }

    // Contraction ratio (C5): U_m / L_{m−1} exactly, <= 1 − ε.
    const Q& prev_lower = m == 1 ? c_.initial_sup.lower : c_.grades[m - 2].sup.lower;
    if (g.has_ratio) {
      if (!g.has_sup || prev_lower.sign() <= 0) {
        failed(who + " contraction ratio: no positive sup-norm lower bound of the previous residual");
        grade_ok = false;
      } else {
        Q ratio = g.sup.upper / prev_lower;
        if (ratio != g.ratio) {
          failed(who + " contraction ratio " + show(g.ratio) + " differs from sup-norm upper / previous lower = " +
                 show(ratio));
          grade_ok = false;
        } else if (g.contraction_proven == "proven") {
          if (!c_.has_epsilon || c_.epsilon.sign() <= 0 || Q(1) < c_.epsilon) {
            failed(who + " contraction: scheme epsilon missing or not in (0, 1]");
            grade_ok = false;
          } else if (Q(1) - c_.epsilon < ratio) {
            failed(who + " contraction: ratio " + show(ratio) + " > 1 - epsilon = " + show(Q(1) - c_.epsilon));
            grade_ok = false;
          } else {
            ok(who + ": contraction ratio " + show(ratio) + " <= 1 - " + show(c_.epsilon));
          }
        } else {
          ok(who + ": contraction ratio " + show(ratio) + " (contraction not claimed)");
        }
      }
    } else if (g.contraction_proven == "proven") {
      failed(who + " contraction: proven, but the ratio is missing");
      grade_ok = false;
    }
    if (proven && g.contraction_proven != "proven") {
      failed(who + " status: proven, but contraction_proven is not");
      grade_ok = false;
    }

    // Nontrivial witness (P3): h_m(w) = value != 0 exactly.
    bool nontrivial = false;
    if (g.has_nontrivial) {
      Q h;
      for (const auto& q : corr.cutoffs) h = h + q.c * psi(q, g.nontrivial_witness);
      if (corr.hat) h = h + hat_value(corr.hat_grid, g.nontrivial_witness);
      if (!in_unit(g.nontrivial_witness)) {
        failed(who + " nontrivial witness " + show_point(g.nontrivial_witness) + " is outside [0,1]^d");
        grade_ok = false;
      } else if (h != g.nontrivial_value || h.sign() == 0) {
        failed(who + " nontrivial witness: h" + show_point(g.nontrivial_witness) + " = " + show(h) + ", claimed " +
               show(g.nontrivial_value));
        grade_ok = false;
      } else {
        nontrivial = true;
        ok(who + ": nontrivial witness h" + show_point(g.nontrivial_witness) + " = " + show(h));
      }
    }

    // L^p strict decrease (P3): Theorem A (B for hats), or U_p(m) < L_p(m−1).
    const std::vector<LpClaim>& prev_lp = m == 1 ? c_.initial_lp : c_.grades[m - 2].lp;
    for (const auto& [key, status] : g.lp_strict) {
      if (status != "proven") {
        if (proven) {
          failed(who + " status: proven, but L^" + key + " strict decrease is not");
          grade_ok = false;
        }
        continue;
      }
      bool by_theorem = facts_ok && nontrivial;
      bool by_bounds = false;
      Q p = parse_exact(key, 64, 16);
      const LpClaim* now = nullptr;
      const LpClaim* before = nullptr;
      for (const auto& c : g.lp)
        if (c.p == p) now = &c;
      for (const auto& c : prev_lp)
        if (c.p == p) before = &c;
      // Only verified finite enclosures count, whatever gap they reached.
      if (now != nullptr && before != nullptr)
        by_bounds = now->upper.sign() >= 0 && lp_verified_[m].count(now->key) != 0 &&
                    lp_verified_[m - 1].count(before->key) != 0 && now->upper < before->lower;
      if (by_theorem || by_bounds)
        ok(who + ": L^" + key + " strictly decreases (" +
           (by_theorem ? (c_.scheme == "hat" ? "Theorem B" : "Theorem A") : "bounds") + ")");
      else {
        failed(who + " L^" + key + " strict decrease: neither verified facts with a nontrivial witness nor U_p < L_p(prev)");
        grade_ok = false;
      }
    }
    if (proven) {
      if (grade_ok) ok(who + ": status proven");
      else failed(who + " status: proven, but some claim of the grade failed");
    }
    grade_ok_.push_back(grade_ok && proven);
  }

  // Lemmas A3 / B1 on one support fact: sign·R >= mu on every leaf of
  // fact.tree over `root`. Counts every leaf in `leaves`; describes the first
  // leaf that fails in `failure` (prefixed by `w`) and returns false.
  bool fact_leaves_hold(const SupportFact& fact, const Box& root, const CutoffIndex& cutoffs,
                        ResidualAnalyzer& an, const std::string& w, std::size_t& leaves,
                        std::string& failure) const {
    const Q mu = fact.mu;
    const int sign = fact.sign;
    auto good = [&mu, sign](const I& r) {
      if (!finite(r)) return false;
      return sign > 0 ? mpfr_cmp_q(r.left(), mu.get()) >= 0 : mpfr_cmp_q(r.right(), (-mu).get()) <= 0;
    };
    bool fail = false;
    walk_tree(fact.tree, root, cutoffs, [&](std::size_t i, const Box& b, const CutoffsOnBox& cs) {
      ++leaves;
      if (fail) return;
      if (!leaf_holds(an, b, cs, good, 0)) {
        fail = true;
        an.analyse(b, cs);
        failure = w + ": leaf " + std::to_string(i) + " " + show_box(b) + " residual ~ [" +
                  approx_left(an.range()) + ", " + approx_right(an.range()) + "], not " +
                  (sign > 0 ? ">= " : "<= -") + show(mu);
      }
    });
    return !fail;
  }

  // The support facts whose data passed (facts[i] over roots[i], named
  // names[i]) checked on R_{m−1}, one fact per task; `bad_data` (if not empty)
  // describes the fact after them, whose data failed. The first failure in
  // fact order is reported, as a loop over the facts would; the leaves of every
  // fact checked are counted in `leaves`.
  bool facts_hold(std::size_t m, const std::vector<SupportFact>& facts, const std::vector<Box>& roots,
                  const std::vector<std::string>& names, const std::string& bad_data, std::size_t& leaves) {
    const CutoffIndex& cutoffs = index_upto(m - 1);
    const std::vector<const HatGrid*> hats = hats_upto(m - 1);
    PerWorker<ResidualAnalyzer> analysers(threads_, [&] {
      auto an = std::make_unique<ResidualAnalyzer>(c_.target, prec_);
      an->set_hats(hats);
      return an;
    });
    std::vector<std::size_t> counts(roots.size(), 0);
    std::vector<std::string> failures(roots.size());
    for_each_task(roots.size(), threads_, [&](std::size_t f, std::size_t worker) {
      fact_leaves_hold(facts[f], roots[f], cutoffs, analysers.at(worker), names[f], counts[f], failures[f]);
    });
    for (std::size_t f = 0; f < roots.size(); ++f) {
      leaves += counts[f];
      if (!failures[f].empty()) {
        failed(failures[f]);
        return false;
      }
    }
    if (!bad_data.empty()) failed(bad_data);
    return bad_data.empty();
  }

  bool check_facts(std::size_t m, const CorrectionData& corr, const ResidualEvidence& ev, long kappa, int overlap) {
    if (corr.hat) return check_hat_facts(m, corr, ev);
    const std::string who = "grade " + std::to_string(m);
    std::vector<char> covered(corr.cutoffs.size(), 0);
    // The facts' data first (up to the first bad one), then their leaves.
    std::vector<Box> roots;
    std::vector<std::string> names;
    std::string bad_data;
    for (std::size_t f = 0; f < ev.facts.size() && bad_data.empty(); ++f) {
      const SupportFact& fact = ev.facts[f];
      if (fact.cutoff < 0 || static_cast<std::size_t>(fact.cutoff) >= corr.cutoffs.size()) {
        bad_data = who + " support fact " + std::to_string(f) + ": no cutoff " + std::to_string(fact.cutoff);
        break;
      }
      if (fact.node) {
        bad_data = who + " support fact " + std::to_string(f) + ": a node fact in a cutoff grade";
        break;
      }
      const CutoffData& q = corr.cutoffs[static_cast<std::size_t>(fact.cutoff)];
      covered[static_cast<std::size_t>(fact.cutoff)] = 1;
      const std::string w = who + " support fact for cutoff " + std::to_string(fact.cutoff);
      if (fact.mu.sign() <= 0) {
        bad_data = w + ": mu " + show(fact.mu) + " is not positive";
        break;
      }
      if (q.c.sign() != fact.sign) {
        bad_data = w + ": coefficient " + show(q.c) + " does not have sign " + std::to_string(fact.sign);
        break;
      }
      if (fact.mu < q.c.abs() * Q(kappa)) {
        bad_data = w + ": |c| = " + show(q.c.abs()) + " > mu/kappa = " + show(fact.mu / Q(kappa));
        break;
      }
      Box root;
      for (int i = 0; i < c_.d && bad_data.empty(); ++i) {
        auto iu = static_cast<std::size_t>(i);
        root.lo.push_back(qmax(q.a[iu] - q.rho[iu], Q()));
        root.hi.push_back(qmin(q.b[iu] + q.rho[iu], Q(1)));
        if (!(root.lo[iu] < root.hi[iu])) bad_data = w + ": the support does not meet the domain";
      }
      if (!bad_data.empty()) break;
      roots.push_back(std::move(root));
      names.push_back(w);
    }
    std::size_t leaves = 0;
    if (!facts_hold(m, ev.facts, roots, names, bad_data, leaves)) return false;
    for (std::size_t i = 0; i < covered.size(); ++i)
      if (!covered[i]) {
        failed(who + " support facts: cutoff " + std::to_string(i) + " (c = " + show(corr.cutoffs[i].c) + ") has no fact");
        return false;
      }
    ok(who + ": support facts (" + std::to_string(ev.facts.size()) + " cutoffs, " + std::to_string(leaves) +
       " leaves, kappa " + std::to_string(kappa) + " >= overlap " + std::to_string(overlap) + ")");
    return true;
  }

  // proofs/hat.md, Lemma B1: per active node z, sign·R_{m−1} >= mu on every
  // leaf of a cover of Σ_z ∩ Ω, sign(c_z) = sign, |c_z| <= mu; every node has
  // a fact. No overlap number: the hats sum to one (B0).
  bool check_hat_facts(std::size_t m, const CorrectionData& corr, const ResidualEvidence& ev) {
    const std::string who = "grade " + std::to_string(m);
    const HatGrid& hg = corr.hat_grid;
    std::vector<char> covered(hg.c.size(), 0);
    std::vector<Box> roots;
    std::vector<std::string> names;
    std::string bad_data;
    for (std::size_t f = 0; f < ev.facts.size(); ++f) {
      const SupportFact& fact = ev.facts[f];
      if (!fact.node || fact.cutoff < 0 || static_cast<std::size_t>(fact.cutoff) >= hg.c.size()) {
        bad_data = who + " node fact " + std::to_string(f) + ": no node " + std::to_string(fact.cutoff);
        break;
      }
      const auto k = static_cast<std::size_t>(fact.cutoff);
      const Q& c = hg.c[k];
      covered[k] = 1;
      const std::string w = who + " node fact for node " + std::to_string(fact.cutoff);
      if (fact.mu.sign() <= 0) {
        bad_data = w + ": mu " + show(fact.mu) + " is not positive";
        break;
      }
      if (c.sign() != fact.sign) {
        bad_data = w + ": coefficient " + show(c) + " does not have sign " + std::to_string(fact.sign);
        break;
      }
      if (fact.mu < c.abs()) {
        bad_data = w + ": |c| = " + show(c.abs()) + " > mu = " + show(fact.mu);
        break;
      }
      roots.push_back(hat_node_box(hg, k));
      names.push_back(w);
    }
    std::size_t leaves = 0;
    if (!facts_hold(m, ev.facts, roots, names, bad_data, leaves)) return false;
    for (std::size_t i = 0; i < covered.size(); ++i)
      if (!covered[i]) {
        failed(who + " node facts: node " + std::to_string(i) + " (c = " + show(hg.c[i]) + ") has no fact");
        return false;
      }
    ok(who + ": node facts (" + std::to_string(ev.facts.size()) + " nodes, " + std::to_string(leaves) +
       " leaves)");
    return true;
  }

  // The gap verdicts (gap, gap_reached, gaps_not_reached) recomputed from the
  // claimed bounds: reached iff U > 0 and (U − L)/U <= options.rel_gap.
  void check_gaps() {
    std::vector<std::pair<long, std::string>> short_gaps;
    bool consistent = true;
    auto one = [&](long k, const std::string& norm, const GapClaim& v, const Q& lower, const Q& upper) {
      const std::string w = name(static_cast<std::size_t>(k)) + (norm == "sup" ? " sup-norm" : " L^" + norm);
      const bool has_gap = upper.sign() > 0;
      Q gap;
      if (has_gap) gap = (upper - lower) / upper;
      if (v.has_gap && (!has_gap || v.gap < gap)) {
        failed(w + ": claimed gap " + show(v.gap) + " is below (U - L)/U" +
               (has_gap ? " = " + show(gap) : " (U <= 0)"));
        consistent = false;
      }
      if (v.status == "proven" && upper.sign() < 0) {
        failed(w + ": status proven without a finite upper bound");
        consistent = false;
      }
      if (!c_.has_rel_gap) return;
      const bool reached = has_gap && !(c_.rel_gap < gap);
      if (v.has_reached && v.reached != reached) {
        failed(w + ": gap_reached is " + (v.reached ? "true" : "false") + ", but (U - L)/U" +
               (has_gap ? " = " + show(gap) : " is undefined") + (reached ? " <= " : " > ") + "rel_gap " +
               show(c_.rel_gap));
        consistent = false;
      }
      if (!reached) short_gaps.emplace_back(k, norm);
    };
    auto all_of = [&](long k, const SupClaim* sup, const std::vector<LpClaim>& lp) {
      if (sup != nullptr) one(k, "sup", sup->verdict, sup->lower, sup->upper);
      for (const auto& l : lp) one(k, l.key, l.verdict, l.lower, l.upper);
    };
    if (c_.has_initial) all_of(0, &c_.initial_sup, c_.initial_lp);
    for (const auto& g : c_.grades) all_of(g.index, g.has_sup ? &g.sup : nullptr, g.lp);
    if (c_.has_short_gaps && c_.has_rel_gap) {
      auto sorted = [](std::vector<std::pair<long, std::string>> v) {
        std::sort(v.begin(), v.end());
        return v;
      };
      if (sorted(short_gaps) != sorted(c_.short_gaps)) {
        failed("gaps_not_reached lists " + std::to_string(c_.short_gaps.size()) + " enclosures, but " +
               std::to_string(short_gaps.size()) + " stop short of rel_gap " + show(c_.rel_gap));
        consistent = false;
      }
    }
    if (consistent && c_.has_rel_gap)
      ok("requested gaps: " + std::to_string(short_gaps.size()) + " enclosures short of rel_gap " +
         show(c_.rel_gap) + " (claims use the bounds reached)");
  }

  // The run's goal: G grades, or with a tolerance a final sup-norm upper < T.
  bool goal_reached() {
    if (c_.has_tolerance) {
      const Q& upper = c_.grades.empty() ? c_.initial_sup.upper : c_.grades.back().sup.upper;
      if (upper.sign() >= 0 && upper < c_.tolerance) return true;
      failed("status: certified, but the last sup-norm upper " + show(upper) +
             " is not below the tolerance " + show(c_.tolerance));
      return false;
    }
    if (c_.has_goal_grades && static_cast<long>(c_.grades.size()) != c_.goal_grades) {
      failed("status: certified, but " + std::to_string(c_.grades.size()) + " grades are recorded of " +
             std::to_string(c_.goal_grades) + " requested");
      return false;
    }
    return true;
  }

  void check_status() {
    if (c_.status != "certified") {
      note("status: not-certified (nothing further claimed)");
      return;
    }
    bool all = !c_.incomplete && network_ok_ && !residual_ok_.empty() && residual_ok_[0];
    for (std::size_t m = 0; m < c_.grades.size(); ++m)
      if (c_.grades[m].status != "proven" || !grade_ok_[m]) all = false;
    if (!goal_reached()) return;
    if (all)
      ok("status certified");
    else
      failed("status: certified, but not every grade's claims are proven and verified");
  }

  const Certificate& c_;
  const CheckOptions& o_;
  mpfr_prec_t prec_;
  int threads_ = 1;
  bool network_ok_ = false;
  std::vector<bool> residual_ok_;
  std::vector<std::set<std::string>> lp_verified_;  // per residual: keys of verified L^p enclosures
  std::vector<bool> grade_ok_;
  std::vector<std::unique_ptr<CutoffIndex>> indexes_;
};

}  // namespace

CheckResult check_certificate(const json& certificate, const json* dense_network, const CheckOptions& options) {
  CheckResult r;
  try {
    Certificate c = read_certificate(certificate, dense_network);
    return Checker(c, options).run();
  } catch (const MalformedError& e) {
    r.error = std::string("error: ") + e.what();
  } catch (const json::exception& e) {
    std::string what = e.what();
    if (what.size() > 160) what = what.substr(0, 160) + "...";
    r.error = "error: malformed certificate: " + what;
  } catch (const std::bad_alloc&) {
    r.error = "error: out of memory while reading the certificate";
  } catch (const std::exception& e) {
    r.error = std::string("error: ") + e.what();
  }
  r.exit_code = exit_malformed;
  return r;
}

int run_check(const std::string& path, std::ostream& out, std::ostream& err, const CheckOptions& options) {
  auto read_json = [](const std::string& file, json& j) -> std::string {
    std::ifstream in(file, std::ios::binary);
    if (!in) return "cannot open '" + file + "'";
    try {
      j = json::parse(in);
    } catch (const json::exception& e) {
      std::string what = e.what();
      if (what.size() > 160) what = what.substr(0, 160) + "...";
      return "'" + file + "' is not valid JSON: " + what;
    }
    return "";
  };
  try {
    json cert;
    if (std::string e = read_json(path, cert); !e.empty()) {
      err << "error: " << e << '\n';
      return exit_malformed;
    }
    std::string dir;
    if (auto slash = path.find_last_of('/'); slash != std::string::npos) dir = path.substr(0, slash + 1);
    json dense;
    bool has_dense = false;
    std::string sibling = is_network_certificate(cert) ? std::string() : dense_file_name(cert);
    if (!sibling.empty()) {
      std::string file = sibling.front() == '/' ? sibling : dir + sibling;
      if (std::string e = read_json(file, dense); !e.empty()) {
        err << "error: network file: " << e << '\n';
        return exit_malformed;
      }
      has_dense = true;
    }
    CheckResult r = is_network_certificate(cert) ? check_network_certificate(cert, dir, options)
                                                 : check_certificate(cert, has_dense ? &dense : nullptr, options);
    if (r.exit_code == exit_malformed) {
      err << r.error << '\n';
      return r.exit_code;
    }
    for (const auto& line : r.lines) out << line << '\n';
    return r.exit_code;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << '\n';
    return exit_malformed;
  }
}

}  // namespace mgdl::check
