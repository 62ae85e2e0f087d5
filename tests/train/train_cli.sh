#!/usr/bin/env bash
# Usage: train_cli.sh MGDL_VERIFY. `mgdl-verify train`: bad-input table, a
# small end-to-end run, train -> certify -> check (JSON and ONNX), determinism, --config, Ctrl-C.
set -uo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { passed=$((passed + 1)); }

small=(--mgdl '[1,8,1],[8,8,1]' --epochs 30 --lr 1e-2 --lr-min 1e-3 --batch 32 --train-points 256 --quiet)

# A small end-to-end run with certification of the trained ReLU networks (the ResNet folded into one).
"$bin" train 'sin(2*pi*x)' "${small[@]}" --sgdl '[1,8,8,1]' --resnet '[1,8,8,8,1]' --certify --certify-time-limit 20 \
  --rel-gap 1e-2 --out "$work/run" >"$work/run.stdout" 2>&1
code=$?
[[ $code == 0 ]] && ok || { fail "small run exit $code"; cat "$work/run.stdout"; }
for f in config.json history.csv grades.csv network.json sgdl_network.json resnet_network.json report.html; do
  [[ -s "$work/run/$f" ]] && ok || fail "missing $f"
done
# grades.csv: 2 MGDL grades + 1 SGDL + 1 ResNet (169 parameters as trained), every certified column filled.
[[ $(grep -c '^mgdl,' "$work/run/grades.csv") == 2 && $(grep -c '^sgdl,' "$work/run/grades.csv") == 1 &&
  $(grep -c '^resnet,1,169,' "$work/run/grades.csv") == 1 ]] && ok ||
  fail "grades.csv rows: $(cat "$work/run/grades.csv")"
if awk -F, 'NR > 1 && ($13 == "" || $17 != "proven" || ($18 != "proven" && $18 != "refuted" && $18 != "not-certified") || ($18 == "refuted" && $19 !~ /^-?[0-9]+(\/[0-9]+)?$/)) {bad = 1} END {exit bad}' \
  "$work/run/grades.csv"; then ok; else fail "certified columns: $(cat "$work/run/grades.csv")"; fi
# The certified sup-norm upper bound covers the max error seen on the dense grid.
if awk -F, 'NR > 1 && $14 + 0 < $10 + 0 {bad = 1} END {exit bad}' "$work/run/grades.csv"; then ok; else
  fail "certified sup below the grid max: $(cat "$work/run/grades.csv")"
fi
grep -q '"input_domain"' "$work/run/network.json" && grep -q '"target"' "$work/run/network.json" && ok ||
  fail "network.json metadata"

# train -> certify: the exact network file goes to the certifier as is.
if "$bin" certify "$work/run/network.json" 'sin(2*pi*x)' --rel-gap 1e-2 --threads 1 --out "$work/cert" --quiet; [[ $? -le 1 ]]; then
  ok
else
  fail "certify of the trained network"
fi
[[ -s "$work/cert/certificate.json" ]] && ok || fail "certify wrote no certificate"
# network.onnx: the same network for PyTorch users; onnx.checker accepts it and it names the target.
for f in network.onnx sgdl_network.onnx resnet_network.onnx; do [[ -s "$work/run/$f" ]] && ok || fail "missing $f"; done
if /usr/bin/python3 - "$work/run/network.onnx" <<'PY'; then ok; else fail "network.onnx rejected by onnx.checker"; fi
import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m)
meta = {p.key: p.value for p in m.metadata_props}
sys.exit(0 if meta.get("mgdl.target") == "sin(2 * pi * x)" and "mgdl.domain" in meta else 1)
PY
# train -> certify -> check on network.onnx: the ONNX file certifies to the same claims as
# network.json (every key but "network", which names the source file) and both certificates check.
"$bin" certify "$work/run/network.onnx" 'sin(2*pi*x)' --rel-gap 1e-2 --threads 1 --out "$work/cert_onnx" --quiet
[[ $? -le 1 && -s "$work/cert_onnx/certificate.json" ]] && ok || fail "certify of the trained network.onnx"
for c in cert cert_onnx; do
  "$bin" check "$work/$c/certificate.json" >"$work/$c.check" 2>&1 && ok || fail "check of $c: $(tail -3 "$work/$c.check")"
done
if /usr/bin/python3 - "$work/cert/certificate.json" "$work/cert_onnx/certificate.json" <<'PY'; then ok; else fail "ONNX and JSON certificates differ"; fi
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
diff = sorted(k for k in set(a) | set(b) if k != "network" and a.get(k) != b.get(k))
print("differing keys:", diff) if diff else None
sys.exit(1 if diff or a["network"]["format"] != "mgdl-json" or b["network"]["format"] != "onnx" else 0)
PY

# The folded ResNet from its ONNX file: certified to claims that check.
"$bin" certify "$work/run/resnet_network.onnx" 'sin(2*pi*x)' --rel-gap 1e-2 --threads 1 --out "$work/cert_res" --quiet
[[ $? -le 1 && -s "$work/cert_res/certificate.json" ]] && ok || fail "certify of the trained resnet_network.onnx"
"$bin" check "$work/cert_res/certificate.json" >"$work/cert_res.check" 2>&1 && ok ||
  fail "check of the ResNet certificate: $(tail -3 "$work/cert_res.check")"

# d = 2 and 3: the same pipeline (2D: heat maps and radial spectra in the report).
"$bin" train 'sin(2*pi*x)*cos(2*pi*y)' --mgdl '[2,8,1],[8,8,1]' --epochs 5 --batch 64 --train-points 400 \
  --quiet --out "$work/d2" && [[ $(grep -c '^mgdl,' "$work/d2/grades.csv") == 2 ]] &&
  grep -q 'radial amplitude spectrum' "$work/d2/report.html" && ok || fail "2D run"
"$bin" train 'sin(x)*y+z' --mgdl '[3,8,1],[8,8,1]' --epochs 5 --batch 64 --train-points 512 --quiet \
  --out "$work/d3" && [[ $(grep -c '^mgdl,' "$work/d3/grades.csv") == 2 ]] && ok || fail "3D run"

# Determinism: one seed, identical history.csv apart from the seconds column.
"$bin" train 'sin(2*pi*x)' "${small[@]}" --out "$work/det" >/dev/null 2>&1
"$bin" train 'sin(2*pi*x)' "${small[@]}" --out "$work/det2" >/dev/null 2>&1
if diff <(cut -d, -f1-11 "$work/det/history.csv") <(cut -d, -f1-11 "$work/det2/history.csv") >/dev/null; then ok; else
  fail "history.csv not deterministic"
fi
cmp -s "$work/det/network.json" "$work/det2/network.json" && ok || fail "network.json not deterministic"
"$bin" train 'sin(2*pi*x)' "${small[@]}" --seed 2 --out "$work/det3" >/dev/null 2>&1
cmp -s "$work/det/network.json" "$work/det3/network.json" && fail "seed has no effect" || ok

# --config: the same run from a file; the command line overrides it.
cat >"$work/c.json" <<'JSON'
{"target": "sin(2*pi*x)", "mgdl": "[1,8,1],[8,8,1]", "epochs": 30, "lr": 0.01, "lr-min": 0.001,
 "batch": 32, "train-points": 256, "quiet": true}
JSON
"$bin" train --config "$work/c.json" --out "$work/cfg" >/dev/null 2>&1
if diff <(cut -d, -f1-11 "$work/det/history.csv") <(cut -d, -f1-11 "$work/cfg/history.csv") >/dev/null; then ok; else
  fail "--config run differs from the command-line run"
fi

# Bad input: exit 2, one line on stderr, earlier good output untouched.
before=$(sha256sum "$work/det/network.json")
bad_case() {
  local expected=$1
  shift
  "$bin" train "$@" --out "$work/det" >"$work/bad.stdout" 2>"$work/bad.stderr"
  local code=$?
  if [[ $code != 2 ]]; then fail "exit $code (want 2) for: $*"; return; fi
  if [[ $(wc -l <"$work/bad.stderr") != 1 ]]; then fail "not one line for: $*: $(cat "$work/bad.stderr")"; return; fi
  if ! grep -qF -- "$expected" "$work/bad.stderr"; then fail "message for $*: $(cat "$work/bad.stderr")"; return; fi
  ok
}
echo '{"target": "sin(x)", "epoch": 3}' >"$work/unknown.json"
echo '{"target": "sin(x)", "epochs": {"a": 1}}' >"$work/object.json"
echo '[1, 2]' >"$work/array.json"
bad_case "malformed architecture: expected ',' or ']' at column 8" 'sin(x)' --mgdl '[1,32,1'
bad_case "--mgdl: empty value" 'sin(x)' --mgdl ''
bad_case "reads 16 features but grade 1's last hidden layer has 32" 'sin(x)' --mgdl '[1,32,1],[16,16,1]'
bad_case "grade 1 reads 2 inputs but the target has d = 1" 'sin(x)' --mgdl '[2,32,1]'
bad_case "--sgdl: an end-to-end network is one bracket" 'sin(x)' --sgdl '[1,8,1],[8,8,1]'
bad_case "must end in 1" 'sin(x)' --sgdl '[1,8,2]'
bad_case "resnet: [1,8,4,1] has unequal hidden widths" 'sin(x)' --resnet '[1,8,4,1]'
bad_case "--resnet: a residual network is one bracket" 'sin(x)' --resnet '[1,8,1],[8,8,1]'
bad_case "--resnet: the residual blocks are relu" 'sin(x)' --resnet '[1,8,8,1]' --activation tanh
bad_case "learning rate must be in (0, 10]" 'sin(x)' --lr 1e6
bad_case "learning rate must be in (0, 10]" 'sin(x)' --lr -1
bad_case "--lr: 'abc' is not a finite number" 'sin(x)' --lr abc
bad_case "--lr: 'nan' is not a finite number" 'sin(x)' --lr nan
bad_case "epochs must be in 1..10^8, got 1000000000000" 'sin(x)' --epochs 1000000000000
bad_case "epochs must be in 1..10^8, got 0" 'sin(x)' --epochs 0
bad_case "final learning rate must be in (0, initial learning rate]" 'sin(x)' --lr 1e-3 --lr-min 1e-2
bad_case "--activation: 'relu6' is not relu, tanh or sin" 'sin(x)' --activation relu6
bad_case "--optimizer: 'sgd' is not adam or gd" 'sin(x)' --optimizer sgd
bad_case "--init: 'xavier' is not uniform or he" 'sin(x)' --init xavier
bad_case "--train-points: 0 is outside 1..10^7" 'sin(x)' --train-points 0
bad_case "the target must have 1 to 3 variables, it has 4" 'x1+x2+x3+x4'
bad_case "target: unknown function" 'foo(x)'
bad_case "no target" --mgdl '[1,8,1]'
bad_case "--domain" 'sin(x)' --domain 1:0
bad_case "--config: unknown key \"epoch\"" --config "$work/unknown.json"
bad_case "--config: \"epochs\" must be a string, a number or a list of them" --config "$work/object.json"
bad_case "is not a JSON object" --config "$work/array.json"
bad_case "--config: cannot read" --config "$work/missing.json"
bad_case "The following argument was not expected: --frobnicate" 'sin(x)' --frobnicate
[[ $(sha256sum "$work/det/network.json") == "$before" ]] && ok || fail "bad input overwrote good output"

# Ctrl-C during grade 2 keeps grade 1 and writes its files (exit 1).
"$bin" train 'sin(2*pi*x)' --mgdl '[1,8,1],[8,8,1]' --epochs 1,100000000 --batch 1 --train-points 256 \
  --out "$work/int" --quiet >/dev/null 2>&1 &
pid=$!
sleep 2
kill -INT $pid
wait $pid
code=$?
[[ $code == 1 ]] && ok || fail "interrupted run exit $code (want 1)"
[[ $(grep -c '^mgdl,' "$work/int/grades.csv" 2>/dev/null) == 1 ]] && ok || fail "interrupted run did not keep grade 1"
grep -q '"grades"' "$work/int/network.json" 2>/dev/null && ok || fail "interrupted run wrote no network.json"

echo "train_cli: $passed passed, $failures failed"
[[ $failures == 0 ]]
