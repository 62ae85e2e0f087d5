#!/usr/bin/env bash
# Usage: smoke.sh MGDL_VERIFY — build and certify two grades of a 1D target and one
# of a 2D target, then re-check both certificates; any non-zero exit fails.
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" 'sin(2*pi*x)' --grades 2 --threads 2 --quiet --out "$work/a"
"$bin" check "$work/a/certificate.json" >/dev/null
"$bin" 'x*y - 1/3' --grades 1 --rel-gap 1e-3 --quiet --out "$work/b"
"$bin" check "$work/b/certificate.json" >/dev/null
echo "smoke: 4 passed, 0 failed"
