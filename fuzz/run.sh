#!/bin/sh
# Usage: fuzz/run.sh BUILD_DIR SECONDS
# Builds the parser fuzzer with clang into BUILD_DIR (libraries instrumented
# for coverage, ASan and UBSan) and runs it for SECONDS on fuzz/corpus.
# Crashing inputs land in BUILD_DIR/crashes; add each to the tests as a regression.
set -eu
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS}
src=$(cd "$(dirname "$0")/.." && pwd)
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S "$src" -B "$build" -DMGDL_FUZZ=ON -DMGDL_TESTS=OFF -DMGDL_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$build" --target fuzz_parser -j2
mkdir -p "$build/crashes" "$build/corpus"
cp "$src"/fuzz/corpus/* "$build/corpus/"
"$build/fuzz/fuzz_parser" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -artifact_prefix="$build/crashes/" "$build/corpus"
