#!/usr/bin/env bash
# Usage: verdict_tests.sh MGDL_VERIFY GOLDEN_DIR — the verdict rule, --tol, the
# progress lines and --quiet, end to end (issue 11); a few seconds in all.
# MGDL_REGENERATE_GOLDEN=1 rewrites the golden files for review instead of comparing.
# shellcheck source=golden_lib.sh
source "$(dirname "$0")/golden_lib.sh" "$@"

expect_exit() {
  local want=$1 name=$2
  local got
  got=$(tail -1 "$work/$name.stdout")
  if [[ "$got" == "exit $want" ]]; then ok; else fail "$name: $got (want exit $want)"; fi
}

# Requested gaps not reached (a box budget of 60 per enclosure), every claim
# proven: exit 0, the intervals marked *, the enclosures listed; check agrees.
golden_case short_gap 'sin(2*pi*x)' --grades 2 --max-boxes 30 --threads 1
expect_exit 0 short_gap
if grep -q 'requested gaps not reached' "$work/short_gap.stdout" && grep -q '\]\*' "$work/short_gap.stdout"; then ok; else
  fail "short_gap: no mark or note for the gaps not reached"
fi
if grep -Eq '^requested gaps: [1-9][0-9]* enclosures short of rel_gap' "$work/short_gap.check"; then ok; else
  fail "short_gap: the checker did not recompute the short gaps"
fi

# --lp-max-boxes budgets the L^p enclosures only: with 30 boxes each they stop short and are
# listed, while the sup-norms keep --max-boxes and reach their gaps; every claim is proven.
"$bin" 'sin(2*pi*x)' --grades 2 --lp-max-boxes 30 --threads 1 --quiet --out "$work/lp_budget"
code=$?
if [[ $code -eq 0 ]]; then ok; else fail "lp_budget: exit $code (want 0)"; fi
if python3 - "$work/lp_budget/certificate.json" <<'PY'; then ok; else fail "lp_budget: the budget did not apply to the L^p enclosures alone"; fi
import json, sys
c = json.load(open(sys.argv[1]))
assert c["options"]["lp_max_boxes"] == 30 and c["options"]["max_boxes"] == 20000000
short = {(g["residual"], g["norm"]) for g in c["gaps_not_reached"]}
assert all(n != "sup" for _, n in short), short          # the sup-norms reached theirs
assert (1, "1") in short and (2, "1") in short, short    # R_1, R_2: L^1 did not (L^2 converges in 30)
assert all(g["stopped"] == "box budget exhausted" for g in c["gaps_not_reached"])
assert all(g["status"] == "proven" for g in c["grades"])
PY
if "$bin" check "$work/lp_budget/certificate.json" >/dev/null 2>&1; then ok; else fail "lp_budget: check failed"; fi

# A tampered gap verdict is rejected: the checker recomputes it from the bounds.
python3 - "$work/short_gap/certificate.json" "$work/tampered.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
short = next(g for g in c["gaps_not_reached"] if g["residual"] >= 1)
k, norm = short["residual"], short["norm"]
entry = c["grades"][k - 1]["sup_norm"] if norm == "sup" else c["grades"][k - 1]["lp_norms"][norm]
entry["gap_reached"] = True
c["gaps_not_reached"].remove(short)
json.dump(c, open(sys.argv[2], "w"))
PY
cp "$work/short_gap/network.json" "$work/network.json"
if "$bin" check "$work/tampered.json" >"$work/tampered.check" 2>&1; then fail "tampered gap_reached accepted"; else
  if grep -Eq 'FAILED: grade [0-9]+ (sup-norm|L\^[0-9/]+): gap_reached is true' "$work/tampered.check"; then ok; else
    fail "tampered gap_reached: unexpected message"
    grep FAILED "$work/tampered.check" | head -3
  fi
fi

# --tol reached: the hat scheme builds grades until the certified sup-norm is below T.
golden_case tol_reached 'sin(2*pi*x)' --scheme hat --tol 0.05 --threads 1
expect_exit 0 tol_reached
# --tol not reached within --grades: exit 1, and the last line says why.
golden_case tol_cap 'sin(2*pi*x)' --tol 0.01 --grades 2 --threads 1
expect_exit 1 tol_cap
if grep -q '^not certified: the cap of 2 grades was reached before --tol 0.01' "$work/tol_cap.stdout"; then ok; else
  fail "tol_cap: no one-line reason"
fi
# --tol not reached within the time: exit 1.
"$bin" 'sin(2*pi*x)' --tol 1e-9 --time-limit 0.5 --threads 1 --quiet --out "$work/tol_time"
code=$?
if [[ $code -eq 1 ]]; then ok; else fail "tol_time: exit $code (want 1)"; fi

# Progress: one line per phase on stderr without a terminal, and each table row
# on stdout as soon as its grade is done (one merged stream, seconds masked).
"$bin" 'sin(2*pi*x)' --grades 2 --threads 1 --out "$work/progress" >"$work/progress.log" 2>&1
sed -i -E -e 's/^\[ *[0-9]+\.[0-9]+ s\]/[S]/' -e "s|$work/|OUT/|g" "$work/progress.log"
golden_file "$work/progress.log" progress.log

# --quiet: nothing on stdout or stderr, same exit code and outputs.
"$bin" 'sin(2*pi*x)' --grades 2 --threads 1 --quiet --out "$work/quiet" >"$work/quiet.stdout" 2>"$work/quiet.stderr"
code=$?
if [[ $code -eq 0 && ! -s "$work/quiet.stdout" && ! -s "$work/quiet.stderr" ]]; then ok; else
  fail "--quiet: exit $code, $(wc -c <"$work/quiet.stdout") bytes on stdout, $(wc -c <"$work/quiet.stderr") on stderr"
fi
if cmp -s "$work/quiet/certificate.json" "$work/progress/certificate.json"; then ok; else
  fail "--quiet changed the certificate"
fi

echo "cli verdicts: $passed passed, $failures failed"
[[ $failures -eq 0 ]]
