#!/bin/sh
# Usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# Builds the fuzzers with clang into BUILD_DIR (libraries instrumented for
# coverage, ASan and UBSan) and runs each TARGET (default: fuzz_parser) for
# SECONDS on its corpus: fuzz/corpus for the parser, fuzz/corpus-<format> for
# fuzz_<format> (onnx, network_json, safetensors, certificate).
# Crashing inputs land in BUILD_DIR/crashes; add each to the tests as a regression.
# MGDL_FUZZ_SEED (default 1) fixes libFuzzer's seed, so a CI run explores the
# same inputs each time (up to machine speed); MGDL_FUZZ_SEED=0 draws a fresh
# seed, for exploratory runs that hunt new bugs.
set -eu
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
seed=${MGDL_FUZZ_SEED:-1}
shift 2
[ $# -gt 0 ] || set -- fuzz_parser
src=$(cd "$(dirname "$0")/.." && pwd)
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S "$src" -B "$build" -DMGDL_FUZZ=ON -DMGDL_TESTS=OFF -DMGDL_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$build" --target "$@" -j2
mkdir -p "$build/crashes"
for target in "$@"; do
  corpus=$src/fuzz/corpus
  [ "$target" = fuzz_parser ] || corpus=$src/fuzz/corpus-${target#fuzz_}
  mkdir -p "$build/corpus-$target"
  cp "$corpus"/* "$build/corpus-$target/"
  # Certificates are longer than the other inputs (a seed with its network passes 4 kB).
  max_len=4096
  [ "$target" != fuzz_certificate ] || max_len=16384
  "$build/fuzz/$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -seed="$seed" \
    -artifact_prefix="$build/crashes/$target-" "$build/corpus-$target"
done
