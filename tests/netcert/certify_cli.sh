#!/usr/bin/env bash
# Usage: certify_cli.sh MGDL_VERIFY DATA_DIR — `mgdl-verify certify` end to end on
# hand-made networks with known answers (tests/netcert/test_netcert.cpp), the
# bad-input table (exit 2, one line, earlier output kept) and `check`.
set -uo pipefail
bin=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
expect_code() {  # expect_code CODE DESCRIPTION -- command...
  local want=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [[ $got -ne $want ]]; then bad "$what: exit $got, want $want ($(head -c 300 "$work/err"))"; return; fi
  if [[ $want -eq 2 && $(wc -l <"$work/err") -ne 1 ]]; then bad "$what: error is not one line"; return; fi
  ok
}
json() { python3 -c "import json,sys; c=json.load(open('$1')); print($2)"; }

expect_code 0 "violating stair" -- "$bin" certify "$data/stair_violates.json" 'x + 1' --threads 1 --quiet --out "$work/v"
for f in certificate.json report.md report.html network-source.json counterexample-grade2.txt; do
  [[ -s "$work/v/$f" ]] && ok || bad "missing $f"
done
[[ $(json "$work/v/certificate.json" "c['grades'][0]['pointwise_nonincreasing']") == proven ]] && ok || bad "grade 1 P1"
[[ $(json "$work/v/certificate.json" "c['grades'][1]['pointwise_nonincreasing']") == refuted ]] && ok || bad "grade 2 P1"
# The witness lies in the violation set (4/5, 1], in user coordinates.
[[ $(json "$work/v/certificate.json" "int(4/5 < eval(c['grades'][1]['p1_witness'][0]) <= 1)") == 1 ]] && ok || bad "witness"
[[ $(json "$work/v/certificate.json" "c['network']['sha256']") == $(sha256sum "$data/stair_violates.json" | cut -c1-64) ]] \
  && ok || bad "sha256"
head -1 "$work/v/counterexample-grade2.txt" | grep -qx sat && grep -q '^((X_0 0\.9' "$work/v/counterexample-grade2.txt" \
  && grep -q '^ (Y_0 ' "$work/v/counterexample-grade2.txt" && ok || bad "counterexample format"
grep -q "real function that the exact weights define" "$work/v/report.md" && ok || bad "report wording"

expect_code 0 "zero head" -- "$bin" certify "$data/stair_zero_head.json" 'x + 1' --threads 1 --quiet --out "$work/z"
[[ $(json "$work/z/certificate.json" "c['grades'][1]['lp_strict_decrease']['2']") == refuted ]] && ok || bad "zero head P3"
# --json summary on stdout; user domain [-1, 3].
"$bin" certify "$data/stair_zero_head.json" 'x + 1' --domain -1:3 --threads 1 --json --out "$work/d" >"$work/s.json" \
  && [[ $(json "$work/s.json" "c['format'] + ' ' + c['target']['domain'][0][1]") == "mgdl-network-summary 3" ]] \
  && ok || bad "--json summary"

# Progress without a terminal: one line per claim on stderr ("[   0.01 s] grade 2 P1 done", after each claim),
# none with --quiet.
"$bin" certify "$data/stair_violates.json" 'x + 1' --threads 1 --out "$work/pr" >/dev/null 2>"$work/pr.err"
grep -qE '^\[ *[0-9]+\.[0-9]{2} s\] grade 1 sup-norm done$' "$work/pr.err" \
  && grep -qE '^\[ *[0-9]+\.[0-9]{2} s\] grade 2 P1 done$' "$work/pr.err" && ok || bad "progress lines: $(head -c 300 "$work/pr.err")"
"$bin" certify "$data/stair_violates.json" 'x + 1' --threads 1 --quiet --out "$work/pq" >/dev/null 2>"$work/pq.err"
[[ -s "$work/pq/certificate.json" && ! -s "$work/pq.err" ]] && ok || bad "--quiet printed on stderr: $(head -c 300 "$work/pq.err")"

expect_code 0 "check refutation" -- "$bin" check "$work/v/certificate.json"
expect_code 0 "check zero head" -- "$bin" check "$work/z/certificate.json"
expect_code 0 "check user domain" -- "$bin" check "$work/d/certificate.json"
# Smooth activations are certified by balls (N8) and checked by the checker's own MPFI
# propagation (N10; more in smooth_check.py). Grade 2's P1 is undecided here (a ReLU after
# tanh is 0 on a set touching where it is not): "not-certified", and check still passes.
"$bin" certify "$data/stair_tanh.json" 'x + 1' --threads 1 --quiet --rel-gap 1e-3 --p 2 --time-limit 60 --out "$work/t"
[[ $? -le 1 && -s "$work/t/certificate.json" ]] && ok || bad "tanh network"
expect_code 0 "check tanh" -- "$bin" check "$work/t/certificate.json"
grep -q "^status: not-certified" "$work/out" && ok || bad "check tanh: status line"
# Round trip: mgdl's own hat construction, written as network.onnx and network.json, certified back:
# every claim decided, the same bounds from both files, and check passes.
"$bin" 'sin(2*pi*x)' --grades 2 --scheme hat --threads 1 --quiet --out "$work/rt"
expect_code 0 "round trip onnx" -- "$bin" certify "$work/rt/network.onnx" 'sin(2*pi*x)' --threads 1 --quiet --out "$work/rto"
expect_code 0 "round trip json" -- "$bin" certify "$work/rt/network.json" 'sin(2*pi*x)' --threads 1 --quiet --out "$work/rtj"
[[ $(python3 -c "import json; a, b = (json.load(open(f'$work/{d}/certificate.json')) for d in ('rto', 'rtj')); \
  print(int(a['network']['format'] == 'onnx' and all(g['sup_norm'] == h['sup_norm'] and g['lp_norms'] == h['lp_norms'] \
  and g['pointwise_nonincreasing'] == h['pointwise_nonincreasing'] == 'proven' for g, h in zip(a['grades'], b['grades']))))") == 1 ]] \
  && ok || bad "round trip: ONNX and JSON certificates differ"
expect_code 0 "check round trip" -- "$bin" check "$work/rto/certificate.json"
cp -r "$work/v" "$work/keep"
expect_code 2 "dimension" -- "$bin" certify "$data/stair_violates.json" 'x*y' --out "$work/v"
expect_code 2 "missing file" -- "$bin" certify "$work/nope.json" 'x' --out "$work/v"
expect_code 2 "no target" -- "$bin" certify "$data/stair_violates.json" --out "$work/v"
expect_code 2 "bad target" -- "$bin" certify "$data/stair_violates.json" 'x +' --out "$work/v"
expect_code 2 "not a network" -- "$bin" certify "$data/../CMakeLists.txt" 'x' --out "$work/v"
expect_code 2 "bad domain" -- "$bin" certify "$data/stair_violates.json" 'x' --domain 1:0 --out "$work/v"
expect_code 2 "bad rel-gap" -- "$bin" certify "$data/stair_violates.json" 'x' --rel-gap 2 --out "$work/v"
expect_code 2 "log undefined" -- "$bin" certify "$data/stair_violates.json" 'log(x)' --out "$work/v"
diff -r "$work/v" "$work/keep" >/dev/null && ok || bad "bad input touched the earlier output"

echo "certify_cli: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
