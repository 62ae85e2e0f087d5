#!/usr/bin/env bash
# Installs the Debian 12 packages mgdl needs; does nothing when all are present.
set -euo pipefail
packages=(build-essential cmake pkg-config clang libclang-rt-14-dev python3
  libgmp-dev libmpfr-dev libboost-dev libflint-arb-dev libflint-dev libmpfi-dev
  doctest-dev libfmt-dev libcli11-dev nlohmann-json3-dev libssl-dev libeigen3-dev libonnx-dev libprotobuf-dev)
# sollya: the sup-norm baseline; python3-torch: the training baseline (bench/run_train_bench.sh).
if [[ "${MGDL_BENCH_DEPS:-0}" == 1 ]]; then packages+=(sollya python3-torch); fi
# Real-client tests: `mgdl-verify certify` (tests/netcert/torch_client.py), torch.onnx.export
# and onnx.checker (tests/io); scripts/test.sh sets it.
if [[ "${MGDL_TEST_DEPS:-0}" == 1 ]]; then packages+=(python3-torch python3-onnx python3-numpy); fi
# Only to regenerate data/certificates (make_certificates.py references).
if [[ "${MGDL_DATA_DEPS:-0}" == 1 ]]; then packages+=(python3-mpmath); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then exit 0; fi
echo "installing: ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
