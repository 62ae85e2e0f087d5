#!/bin/sh
# Issue 4 benchmarks: mgdl vs Sollya 8.0 (1D sup-norm), L^2 to 1e-9, 2D sup-norm.
# Usage: bench/run_issue4.sh [build_dir = build-bench] [quick]
#   quick: N = 64 256 1024 only for the Sollya supnorm run, 2D grid 16x16.
# Results are printed as Markdown tables; the generated Sollya scripts go to
# <build_dir>/bench/sol/. Needs the `sollya` binary (Debian package sollya).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-bench}
mode=${2:-full}
case $build in /*) ;; *) build=$src/$build ;; esac
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMGDL_WERROR=ON >/dev/null
cmake --build "$build" -j2 --target bench_sollya bench_certify_2d >/dev/null
cd "$build/bench"
mkdir -p sol
echo "## $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores; $(uptime | sed 's/.*load/load/')"
grep -m1 'model name' /proc/cpuinfo || true
sollya --version 2>/dev/null | head -1 || true
sizes="64 256 1024 4096"
grid=64
if [ "$mode" = quick ]; then sizes_sup="64 256 1024"; grid=16; else sizes_sup=$sizes; fi

echo; echo "### 1. Sollya infnorm per piece (diam 1e-4, reaches gap < 1e-7) vs mgdl at rel_gap 5e-8"
./bench_sollya --out sol --method infnorm --diam 1e-4 --gap 5e-8 $sizes
echo; echo "### 1b. Sollya infnorm per piece (diam 2e-4, gap ~4e-7) vs mgdl at rel_gap 1e-6"
./bench_sollya --out sol --method infnorm --diam 2e-4 --gap 1e-6 $sizes
echo; echo "### 1c. Sollya supnorm per piece (accuracy 1e-6, infnorm fallback) vs mgdl at rel_gap 1e-6"
./bench_sollya --out sol --method supnorm --accuracy 1e-6 --gap 1e-6 $sizes_sup
echo; echo "### 2. L^2 to relative 1e-9 (mgdl); Sollya integral(r^2) per piece at diam 1e-3 (N = 64 only) for comparison"
./bench_sollya --out sol --l2-only --sollya-l2 1e-3 64
./bench_sollya --out sol --l2-only 256 1024
# N = 4096 needs about 7e6 leaves: above the default frontier cap of 4e6 (about 6 GB then).
./bench_sollya --out sol --l2-only --max-frontier 12000000 4096
echo; echo "### 3. 2D sup-norm, ${grid}x${grid} Kuhn interpolant of sin(2 pi x) cos(2 pi y), rel_gap 1e-6"
./bench_certify_2d $grid 1e-6
echo; echo "load at the end: $(uptime | sed 's/.*load/load/')"
