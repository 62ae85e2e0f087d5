#!/usr/bin/env bash
# Usage: certify_onnx.sh MGDL_VERIFY MAKE_ONNX_CASES — `mgdl-verify certify` and `check`
# on hand-made ONNX stairs with closed-form answers (make_onnx_cases.cpp), float32 and
# float64 weights, a target of the wrong input dimension (exit 2, one line), and a smooth stair.
set -uo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$2" "$work" || { echo "FAIL: make_onnx_cases"; exit 1; }
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
json() { python3 -c "import json,sys; c=json.load(open('$1')); print($2)"; }
for bits in 32 64; do
  # (a) R_2 = R_1: P1 proven at both grades.
  "$bin" certify "$work/zero_head_f$bits.onnx" 'x + 1' --threads 1 --quiet --out "$work/z$bits" && ok || bad "zero head f$bits"
  [[ $(json "$work/z$bits/certificate.json" "c['grades'][1]['pointwise_nonincreasing']") == proven ]] && ok \
    || bad "zero head f$bits: grade 2 P1"
  "$bin" check "$work/z$bits/certificate.json" >/dev/null && ok || bad "check zero head f$bits"
  # (b) D_2 = 5x - 4 > 0 exactly on (4/5, 1]: refuted, witness inside, margin > 0.
  "$bin" certify "$work/violates_f$bits.onnx" 'x + 1' --threads 1 --quiet --out "$work/v$bits" && ok || bad "violates f$bits"
  c=$work/v$bits/certificate.json
  [[ $(json "$c" "c['grades'][0]['pointwise_nonincreasing']") == proven ]] && ok || bad "violates f$bits: grade 1 P1"
  [[ $(json "$c" "c['grades'][1]['pointwise_nonincreasing']") == refuted ]] && ok || bad "violates f$bits: grade 2 P1"
  [[ $(json "$c" "(lambda F: int(F(4, 5) < F(c['grades'][1]['p1_witness'][0]) <= 1))(__import__('fractions').Fraction)") == 1 ]] && ok || bad "violates f$bits: witness"
  # margin in (0, D_2(t)]; sup D_2 = 1 and measure 1/5 inside their enclosures.
  [[ $(json "$c" "(lambda F, g: int(0 < F(g['p1_margin_lower']) <= 5 * F(g['p1_witness'][0]) - 4 \
    and F(g['p1_violation']['lower']) <= 1 <= F(g['p1_violation']['upper']) \
    and F(g['p1_violation_measure']['lower']) <= F(1, 5) <= F(g['p1_violation_measure']['upper'])))\
    (__import__('fractions').Fraction, c['grades'][1])") == 1 ]] && ok || bad "violates f$bits: margin and enclosures"
  "$bin" check "$c" >/dev/null && ok || bad "check violates f$bits"
  # (c) the target's dimension differs from the network's input.
  "$bin" certify "$work/violates_f$bits.onnx" 'x*y' --out "$work/d$bits" >/dev/null 2>"$work/err"
  [[ $? -eq 2 && $(wc -l <"$work/err") -eq 1 ]] && ok || bad "dimension f$bits: $(head -c 300 "$work/err")"
done
# (d) Sigmoid then Sin (float32): certified by balls (N8), checked by MPFI (N10); the
# embedded network keeps the activations, and the checker rejects it with tanh in place of
# sigmoid (L^p claims dropped: a failing L^2 cover of a smooth net costs 64 boxes per leaf, 20 s).
"$bin" certify "$work/smooth_f32.onnx" 'x + 1' --threads 1 --quiet --rel-gap 1e-3 --p 2 --out "$work/s" && ok || bad "smooth"
c=$work/s/certificate.json
[[ $(json "$c" "c['status'] + ' ' + ' '.join(l['activation'] for g in c['network']['exact']['grades'] for l in g['layers'])") \
  == "certified sigmoid sin" ]] && ok || bad "smooth: status and activations"
"$bin" check "$c" >/dev/null && ok || bad "check smooth"
python3 -c "import json; c=json.load(open('$c')); \
  [g.pop(k, None) for g in [c['initial']] + c['grades'] for k in ('lp_norms', 'lp_strict_decrease')]; \
  [e.pop('lp') for e in c['evidence']['grades']]; json.dump(c, open('$c', 'w'))"
"$bin" check "$c" >/dev/null && ok || bad "check smooth without L^p claims"
python3 -c "import json; c=json.load(open('$c')); c['network']['exact']['grades'][0]['layers'][0]['activation']='tanh'; \
  json.dump(c, open('$c', 'w'))"
"$bin" check "$c" >/dev/null
[[ $? -eq 1 ]] && ok || bad "check smooth with tanh for sigmoid: not rejected with exit 1"
echo "certify_onnx: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
