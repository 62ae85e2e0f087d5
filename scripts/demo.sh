#!/usr/bin/env bash
# Installs what is missing, builds mgdl and runs mgdl-verify on its built-in default target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target mgdl-verify
./build/src/cli/mgdl-verify "$@"
