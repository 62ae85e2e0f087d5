#!/usr/bin/env bash
# Produces certificates of 1D and 2D targets (cutoff and hat schemes) with the real producer, then
# checks them (they must pass) and every tampered copy (each must be rejected).
#   check_producer_certificates.sh MGDL_VERIFY CHECKER TAMPER_PY
set -euo pipefail
producer=$1
checker=$2
tamper=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {  # out_dir, args...
  local out=$1
  shift
  local rc=0
  "$producer" --quiet --out "$out" "$@" >"$out.log" 2>&1 || rc=$?
  if [[ $rc -ne 0 && $rc -ne 1 ]]; then
    echo "producer failed (exit $rc): $*" >&2
    cat "$out.log" >&2
    exit 1
  fi
}
run "$tmp/one" --grades 2 "sin(4*pi*x)"
run "$tmp/two" --grades 1 "x*y + 1/4"
# Hat scheme: its level coefficients put plateau maxima inside sup-norm leaves,
# which the checker can only confirm with its own C2.6 form (1D).
run "$tmp/three" --scheme hat --grades 2 "sin(4*pi*x)"
run "$tmp/four" --scheme hat --grades 1 --rel-gap 1e-2 "sin(pi*x)*cos(pi*y)"
python3 "$tamper" check "$checker" "$tmp/one" "$tmp/two" "$tmp/three" "$tmp/four"
