// The certified L^p leaf rules of proofs/integration.md, re-implemented for the
// checker (MPFI): C crude (certification.md C3.2), M midpoint (C3), G<n> tensor
// Gauss–Legendre with a Taylor coefficient remainder (Lemmas I1–I3, I6), Z affine
// zero-crossing rule (I4), K<n> 1D kink split (I5), P<n> 2D split into trapezoids
// at the kinks of the cutoffs or of a ReLU network with a Gauss rule on each (I8), S<n> Z
// narrowed by the box cut at its model's zero line (I8(i)), T<n> (d >= 3) the leaf cut into
// simplices at the kinks of h and at the zero of f's linear model, a Duffy-collapsed Gauss rule
// with a Taylor remainder on each (I9), F<n> G<n> for the signed integral plus the band of a
// face when R is monotone along an axis, or of two faces and their edge when ∂_ab f has a sign
// (I10(a), (b), p = 1); and the reader of the evidence string
// `rules` (one token per leaf).
//
//   std::vector<LeafRule> rules = parse_rules("G8G8ZK6", 4, 1, "where");  // throws MalformedError
//   LeafIntegrator li(target, 128, hats);
//   an.analyse(box, cutoffs);
//   bool applied = li.enclose(an, box, cutoffs, rules[0], p, out);  // out ⊇ ∫_box |R|^p
//   li.add(box, cutoffs, rules[0], p, 6, allowance, sum);           // with bounded bisection
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis.hpp"
#include "gauss.hpp"
#include "series.hpp"
#include "simplices.hpp"

namespace mgdl::check {

struct LeafRule {
  char kind = 'M';  // 'C', 'M', 'G', 'Z', 'K', 'P', 'S', 'T' or 'F'
  int n = 0;        // points per axis of G, K, P, S, T and F (1..gauss_max_points)
};

// Reads an evidence `rules` string: exactly `leaves` tokens C | M | Z | G<n> | K<n> | P<n> | S<n> |
// T<n> | F<n>, n a decimal 1..24 without leading zeros, K only when d = 1, P and S only when d = 2,
// T only when d >= 3. Throws MalformedError("<where>: <problem>") naming the token and its position.
std::vector<LeafRule> parse_rules(const std::string& text, std::size_t leaves, int d,
                                  const std::string& where);

// "14 G8, 2 Z" (counts per token, in order of first use).
std::string describe_rules(const std::vector<LeafRule>& rules);

// proofs/integration.md, Lemma I4(b): after an analyse() with the correction affine
// and f smooth on the box, r = R there, the dyadic a0 and b (midpoints of the
// enclosures of r(c) and ∂_i r(c)) and a dyadic e with |r − A| <= e on the box,
// A = a0 + Σ b_i (x_i − c_i). `zero_tiny`: slopes below 2^-64 of the scale are set
// to 0 (the σ-sum of fractional p); extra_bits: the precision the others cost it.
bool linear_model(const ResidualAnalyzer& an, mpfr_prec_t prec, bool zero_tiny, Q& a0, std::vector<Q>& b,
                  Q& e, long& extra_bits);

class LeafIntegrator {
 public:
  LeafIntegrator(const Target& target, mpfr_prec_t prec, std::vector<const HatGrid*> hats);
  // Grades first..last of a dense network subtracted as well (network
  // certificates), with its 1D piece table when not null: K<n> then splits at
  // the table's kinks (proofs/networks.md N9, integration.md I5(c)).
  void set_dense(const DenseNetwork* net, int first, int last, const DensePieces* pieces);

  // out ⊇ ∫_box |R|^p by `rule`, with `an` analysed on `box` (with `cutoffs`).
  // Returns false when the rule's hypotheses did not hold on the box (then out
  // is the crude enclosure, still valid). `an` is left as it was. Never throws.
  bool enclose(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs, const LeafRule& rule,
               const Q& p, I& out);

  // sum += an enclosure of ∫_box |R|^p by `rule`, bisecting the box (the same
  // rule on both halves) up to `levels` times where the hypotheses fail or the
  // enclosure is wider than allowance·vol (allowance null: never too wide).
  void add(const Box& box, const CutoffsOnBox& cutoffs, const LeafRule& rule, const Q& p, int levels,
           mpfr_srcptr allowance, I& sum);

  // The individual rules on an analysed box; false when the hypotheses fail.
  // signed_integral = ±1 (p = 1): out ⊇ ∫_box s·R instead, no sign condition (I8(i), I10).
  bool gauss(ResidualAnalyzer& an, int n, const Q& p, I& out, int signed_integral = 0);
  // F<n> (I10, p = 1): G<n> for ∫ s·R plus the band 2·vol·ν of a face, for an axis on which R is monotone
  // (I10(a)) or a pair of axes on which ∂_ab f has a sign, from two faces and their edge (I10(b)).
  bool face_sign(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs, int n, const Q& p,
                 I& out);
  bool zero_crossing(ResidualAnalyzer& an, const Q& p, I& out);
  bool kink_split(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs, int n, const Q& p,
                  I& out);
  void crossing_piece(const std::vector<Q>& t, const Q& area, I& out);
  bool trapezoid_split(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs, int n, const Q& p,
                       I& out);
  // One piece {x0 <= x <= x1, lo(x) <= y <= hi(x)} (lo, hi affine; q = x0, x1, lo0,
  // lo1, hi0, hi1) on which h = h[0] + h[1] x + h[2] y, with range ⊇ R(piece).
  // signed_integral = ±1 (p = 1 only): out ⊇ ∫_piece s·(f − h), with no sign condition (I8(i)).
  bool trapezoid_gauss(const std::vector<Q>& q, const std::vector<Q>& h, const I& range, int n, const Q& p,
                       I& out, int signed_integral = 0);
  // S<n> (I8(i), d = 2, p = 1): Z narrowed by the box cut at its linear model's zero line.
  bool sign_split(ResidualAnalyzer& an, const Box& box, int n, const Q& p, I& out);
  // T<n> (I9, d >= 3, p = 1 or even): the leaf cut at the axis kinks of h into cells, each cell
  // into Kuhn simplices split at the oblique kinks; on each simplex where h is certified affine
  // the Duffy rule with f's Taylor remainder about the leaf's centre (p = 1: split again at the
  // zero of f's linear model, with the exact band term), else the crude rule on the piece.
  bool simplicial(ResidualAnalyzer& an, const Box& box, const CutoffsOnBox& cutoffs, int n, const Q& p,
                  I& out);

 private:
  struct Table {
    GaussRule rule;
    Q kappa;
    bool ok = false;
  };
  const Table* table(int n);
  // The n^d nodes of the Duffy-collapsed rule on the unit simplex (simplices.md, Lemma S7):
  // weight[k] ∋ (Π_j ω_{k_j}/2) J(u^(k)), t[k·d + j] ∋ t_j(u^(k)), u = (1 + ξ)/2.
  struct Duffy {
    std::vector<I> weight, t;
    bool ok = false;
  };
  const Duffy* duffy(int n);
  // out ⊇ Q_T((f − η)^power) (power >= 1; power 1: signed, no sign condition). False when f
  // is not defined at a node.
  bool duffy_sum(const Simplex& s, const AffineForm& eta, const Duffy& rule, long power, I& out);
  bool g_series(ResidualAnalyzer& an, const std::vector<I>& base, int axis, int order, int sign, const Q& p,
                const I& h_range, Series& g);
  // The series of g = (s(f − h))^p, h affine with h_base ⊇ h(base) and slope its
  // derivative along the axis or the direction (Lemma I6 with I8(d)).
  bool g_series_affine(const std::vector<I>& base, int axis, const std::vector<I>* direction, int order,
                       int sign, const Q& p, const I& h_base, const I& slope, Series& g);
  // The first of G(n), Z, C whose hypotheses hold on the analysed box.
  void best_piece(ResidualAnalyzer& an, int n, const Q& p, I& out);

  mpfr_prec_t prec_;
  int d_;
  std::vector<const HatGrid*> hats_;
  const DensePieces* dense_pieces_ = nullptr;
  bool dense_grades_ = false;  // a dense network is subtracted in R
  const DenseNetwork* dense_ = nullptr;
  int dense_first_ = 1, dense_last_ = 0;
  std::map<int, std::unique_ptr<Table>> tables_;
  std::map<int, std::unique_ptr<Duffy>> duffies_;
  std::vector<I> node_;  // a node of the Duffy rule in Ω coordinates
  JetEvaluator points_;
  SeriesEvaluator series_;
  std::unique_ptr<ResidualAnalyzer> half_, piece_;  // for bisection halves and kink pieces
  Series r_, g_, g2_;
  std::vector<I> t_, slice_;
  std::vector<std::vector<I>> offsets_, coords_;  // per axis and node: ξ_j r_i, c_i + ξ_j r_i
  std::vector<Q> kinks_, b0_;
  Box piece_box_;
  I acc_, term_, val_, wt_, tmp_, crude_, part_, out_piece_, kink_acc_;
};

}  // namespace mgdl::check
