#!/usr/bin/env bash
# Shared by the CLI test scripts, sourced with their arguments MGDL_VERIFY GOLDEN_DIR:
# a scratch directory, counters and the golden comparison.
# MGDL_REGENERATE_GOLDEN=1 rewrites the golden files for review instead of comparing.
set -uo pipefail
bin=$1
golden=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { passed=$((passed + 1)); }

# Compares a produced file with $golden/NAME (or rewrites it).
golden_file() {
  local produced=$1 expected="$golden/$2"
  if [[ "${MGDL_REGENERATE_GOLDEN:-0}" == 1 ]]; then
    cp "$produced" "$expected"
    ok
  elif diff -u "$expected" "$produced" >"$work/diff"; then
    ok
  else
    fail "golden $2 differs:"
    head -40 "$work/diff"
  fi
}

# Golden outputs: stdout table and report.md, with the output path normalised.
golden_case() {
  local name=$1
  shift
  local out="$work/$name"
  "$bin" "$@" --out "$out" >"$work/$name.stdout" 2>"$work/$name.stderr"
  local code=$?
  echo "exit $code" >>"$work/$name.stdout"
  sed -i "s|$work/|OUT/|g" "$work/$name.stdout"
  golden_file "$work/$name.stdout" "$name.stdout"
  golden_file "$out/report.md" "$name.md"
  # Every certificate we write must pass the independent checker.
  if "$bin" check "$out/certificate.json" >"$work/$name.check" 2>&1; then ok; else
    fail "check of $name failed:"
    tail -5 "$work/$name.check"
  fi
}
