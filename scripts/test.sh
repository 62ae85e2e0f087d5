#!/usr/bin/env bash
# Installs what is missing, builds mgdl (warnings as errors) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
MGDL_TEST_DEPS=1 bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMGDL_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
