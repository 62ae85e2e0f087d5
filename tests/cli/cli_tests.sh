#!/usr/bin/env bash
# Usage: cli_tests.sh MGDL_VERIFY GOLDEN_DIR
# MGDL_REGENERATE_GOLDEN=1 rewrites the golden files for review instead of comparing.
# shellcheck source=golden_lib.sh
source "$(dirname "$0")/golden_lib.sh" "$@"
golden_case sin1d 'sin(2*pi*x)' --grades 2 --threads 1
golden_case gauss_domain 'exp(-x^2)' --domain -2:2 --grades 2 --threads 2
golden_case product2d 'sin(2*pi*x)*cos(2*pi*y)' --grades 1 --rel-gap 1e-2

# Same input, same bytes, whatever the thread count.
"$bin" 'sin(2*pi*x)' --grades 2 --threads 1 --out "$work/det1" --quiet
"$bin" 'sin(2*pi*x)' --grades 2 --threads 2 --out "$work/det2" --quiet
for f in certificate.json network.json report.md report.html; do
  if cmp -s "$work/det1/$f" "$work/det2/$f" && cmp -s "$work/det1/$f" "$work/sin1d/$f"; then ok; else fail "$f not deterministic"; fi
done

# Bad input: one line on stderr, exit code 2, earlier good output untouched.
before=$(sha256sum "$work/det1/certificate.json")
bad_case() {
  local expected=$1
  shift
  "$bin" "$@" --out "$work/det1" >"$work/bad.stdout" 2>"$work/bad.stderr"
  local code=$?
  local lines
  lines=$(wc -l <"$work/bad.stderr")
  local message
  message=$(head -1 "$work/bad.stderr")
  if [[ $code -ne 2 ]]; then fail "exit $code (want 2) for: $*"; return; fi
  if [[ $lines -ne 1 ]]; then fail "$lines lines of error (want 1) for: $*"; cat "$work/bad.stderr"; return; fi
  if [[ "$message" != "$expected" ]]; then fail "message for $*: got '$message' want '$expected'"; return; fi
  if [[ "$(sha256sum "$work/det1/certificate.json")" != "$before" ]]; then fail "good output overwritten by: $*"; return; fi
  ok
}
bad_case "error: unknown function 'sinn' at column 1" 'sinn(x)'
bad_case "error: unbalanced parenthesis at column 4" 'sin(x'
bad_case "error: empty expression at column 1" ''
bad_case "error: target is not defined and continuous on the domain: log argument is <= 0: 'log(x - (1/2))' at column 1, at x = 0.5" 'log(x - 0.5)'
bad_case "error: target is not defined and continuous on the domain: division by zero: '1 / (x - (3/10))' at column 1 on x in [0, 1]" '1/(x - 0.3)'
bad_case "error: target is not defined and continuous on the domain: log argument is <= 0: 'log(x)' at column 1, at x = 0" 'log(x)' --domain -1:1
bad_case "error: unknown function 'foo' at column 5" 'x + foo(y)'
bad_case "error: number out of range '1e999999' at column 1" '1e999999*x'
bad_case "error: --grades: 0 is outside 1..1000" 'sin(x)' --grades 0
bad_case "error: --scheme: 'spline' is not one of cutoff, hat" 'sin(x)' --scheme spline
bad_case "error: --p: 1/2 is below 1 (L^p norms need p >= 1)" 'sin(x)' --p 1/2
bad_case "error: --domain: empty interval '1:0' (need lo < hi)" 'sin(x)' --domain 1:0
bad_case "error: --domain: 3 intervals given for a target in 2 variables" 'x*y' --domain 0:1,0:1,0:1
bad_case "error: --precision: 10 is outside 53..4096" 'sin(x)' --precision 10
bad_case "error: --rel-gap: must lie in 1e-12..0.5" 'sin(x)' --rel-gap 2
bad_case "error: --tol: -1 is not positive" 'sin(x)' --tol=-1
bad_case "error: --lp-max-boxes: 0 is outside 1..4*10^9" 'sin(x)' --lp-max-boxes 0
# An empty value is refused, not read as "not given" (the default would run silently).
bad_case "error: --lp-max-boxes: empty value" 'sin(x)' --lp-max-boxes ''
bad_case "error: --time-limit: empty value" 'sin(x)' --time-limit ''
bad_case "error: --tol: empty value" 'sin(x)' --tol ''
bad_case "error: --time-limit: empty value" certify net.onnx --time-limit ''
bad_case "error: the target has 5 variables; at most 4 are supported" 'x1+x2+x3+x4+x5'

# check on malformed files: exit 2, one line.
printf '{"format": "mgdl-certificate", "version": 1' >"$work/trunc.json"
"$bin" check "$work/trunc.json" >/dev/null 2>"$work/trunc.err"
code=$?
if [[ $code -eq 2 && $(wc -l <"$work/trunc.err") -eq 1 ]]; then ok; else fail "truncated certificate: exit $code"; cat "$work/trunc.err"; fi
"$bin" check "$work/does-not-exist.json" >/dev/null 2>&1
code=$?
if [[ $code -eq 2 ]]; then ok; else fail "missing certificate: exit $code"; fi

echo "cli: $passed passed, $failures failed"
[[ $failures -eq 0 ]]
